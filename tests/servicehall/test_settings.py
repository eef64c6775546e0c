"""Settings from the environment: bad values stop start-up naming the variable; production
settings pass Django's deployment checks; security headers are on every page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PERSONAL_DATA_KEY", "ALLOWED_HOSTS")
        )
    }
    base.update(SERVICEHALL_VAR_DIR=str(ROOT / "var" / "test-settings"), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "0"}, "SECRET_KEY"),
        ({"DJANGO_DEBUG": "0", "SECRET_KEY": "k" * 60}, "PERSONAL_DATA_KEY"),
        ({"DJANGO_DEBUG": "1", "DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "1", "REDIS_URL": "http://cache"}, "REDIS_URL"),
        ({"DJANGO_DEBUG": "1", "DJANGO_HTTPS": "sometimes"}, "DJANGO_HTTPS"),
        ({"DJANGO_DEBUG": "1", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(env: dict[str, str], named: str) -> None:
    result = run_manage("check", **env)
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error:")
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deployment_checks_with_no_warning() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" + "Qx7-vB2_pL9zR4mN8wT1yH6jC3fD5sA0eG" * 2,
        PERSONAL_DATA_KEY="p" + "Zr8-kW3_qM6tY1nB4vX9cJ2hG7dF5sA0eL" * 2,
        ALLOWED_HOSTS="portal.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_city_deployment_passes_the_deployment_checks_with_no_warning() -> None:
    # As docker-compose.yml and docs/scaling.md deploy it: PostgreSQL, Redis (cache, sessions'
    # rate limits, Celery), HTTPS behind the load balancer, and nothing silenced.
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" + "Qx7-vB2_pL9zR4mN8wT1yH6jC3fD5sA0eG" * 2,
        PERSONAL_DATA_KEY="p" + "Zr8-kW3_qM6tY1nB4vX9cJ2hG7dF5sA0eL" * 2,
        ALLOWED_HOSTS="zwfw.gz.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://zwfw.gz.gov.cn",
        DATABASE_URL="postgres://servicehall@db.internal:5432/servicehall",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SILENCED_SYSTEM_CHECKS, s.DEBUG, s.SECURE_SSL_REDIRECT)",
        SECRET_KEY="k" + "Qx7-vB2_pL9zR4mN8wT1yH6jC3fD5sA0eG" * 2,
        PERSONAL_DATA_KEY="p" + "Zr8-kW3_qM6tY1nB4vX9cJ2hG7dF5sA0eL" * 2,
        ALLOWED_HOSTS="zwfw.gz.gov.cn",
        DATABASE_URL="postgres://servicehall@db.internal:5432/servicehall",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-3:] == ["[]", "False", "True"]


def test_defaults_give_sqlite_and_an_embedded_broker() -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], "
        "s.TIME_ZONE, s.LANGUAGE_CODE)",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "django.db.backends.sqlite3",
        "filesystem://localhost//",
        "django.core.cache.backends.filebased.FileBasedCache",
        "Asia/Shanghai",
        "zh-hans",
    ]


@pytest.mark.parametrize("database_url", ["", "sqlite:///var/test-settings/other.sqlite3"])
def test_every_sqlite_database_waits_for_a_writer_instead_of_failing(database_url: str) -> None:
    # The bench on a sqlite:// URL once answered 277 × 500 "database is locked": the options
    # were only set on the embedded default.
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o['transaction_mode'], o['timeout'], 'journal_mode=WAL' in o['init_command'])",
        DJANGO_DEBUG="1",
        **({"DATABASE_URL": database_url} if database_url else {}),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["IMMEDIATE", "20", "True"]


def test_the_embedded_broker_starts_without_a_warning(caplog, tmp_path) -> None:
    # kombu warns "No hostname was supplied" at every worker and beat start when the URL names
    # no host; a newcomer's first screen should not carry a warning that means nothing.
    from kombu import Connection

    folder = str(tmp_path)
    with caplog.at_level("WARNING", logger="kombu.connection"):
        Connection(
            "filesystem://localhost//", transport_options={"data_folder_in": folder, "data_folder_out": folder}
        )._info()
    assert caplog.records == []


@pytest.mark.django_db
def test_security_headers_on_pages(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_health_check(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
