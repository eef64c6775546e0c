"""Settings for the city deployment (docs/scaling.md): Redis behind Sentinel and the PostgreSQL
read replica, read from the environment. Only the parsing is tested: no Sentinel runs here."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from servicehall.redis_sentinel import SentinelConfig, sentinel_config
from tests.servicehall.test_settings import run_manage


def test_no_sentinels_means_no_sentinel() -> None:
    assert sentinel_config("", master="") is None
    assert sentinel_config(" , ", master="") is None


def test_sentinels_master_db_and_passwords_are_read() -> None:
    config = sentinel_config(
        "10.0.0.1:26379, 10.0.0.2:26380,sentinel-3",
        master="servicehall",
        redis_url="redis://:s%40cret@ignored-host:6379/3",
        sentinel_password="watch",
    )
    assert config == SentinelConfig(
        sentinels=(("10.0.0.1", 26379), ("10.0.0.2", 26380), ("sentinel-3", 26379)),
        master="servicehall",
        db=3,
        password="s@cret",
        sentinel_password="watch",
    )
    # Celery: kombu's sentinel transport, one URL per sentinel, the master by name.
    assert config.broker_url == (
        "sentinel://:s%40cret@10.0.0.1:26379/3;sentinel://:s%40cret@10.0.0.2:26380/3;"
        "sentinel://:s%40cret@sentinel-3:26379/3"
    )
    assert config.broker_transport_options == {"master_name": "servicehall", "sentinel_kwargs": {"password": "watch"}}
    # The cache: only the database and password of its location are used.
    assert config.cache_location == "redis://:s%40cret@sentinel-master/3"


def test_without_redis_url_the_database_is_0_and_there_is_no_password() -> None:
    config = sentinel_config("[fd00::1]:26379", master="m")
    assert config is not None
    assert config.sentinels == (("fd00::1", 26379),)
    assert (config.db, config.password) == (0, "")
    assert config.broker_url == "sentinel://fd00::1:26379/0"
    assert config.broker_transport_options == {"master_name": "m"}


@pytest.mark.parametrize(
    ("raw", "master", "url", "named"),
    [
        ("10.0.0.1:26379", "", "", "REDIS_SENTINEL_MASTER"),
        ("", "servicehall", "", "REDIS_SENTINELS"),
        ("10.0.0.1:port", "m", "", "REDIS_SENTINELS"),
        ("10.0.0.1:70000", "m", "", "REDIS_SENTINELS"),
        (":26379", "m", "", "REDIS_SENTINELS"),
        ("10.0.0.1:26379", "m", "redis://h/x", "REDIS_URL"),
        ("10.0.0.1:26379", "m", "unix:///run/redis.sock", "REDIS_URL"),
    ],
)
def test_bad_sentinel_settings_name_the_variable(raw: str, master: str, url: str, named: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=named):
        sentinel_config(raw, master=master, redis_url=url)


def _settings(**env: str) -> dict:
    result = run_manage(
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'cache': s.CACHES['default'], 'broker': s.CELERY_BROKER_URL, "
        "'transport': getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', None), 'replica': s.REPLICA_DATABASE, "
        "'databases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS}, default=str))",
        DJANGO_DEBUG="1",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_settings_wire_sentinel_into_the_cache_and_the_broker() -> None:
    got = _settings(
        REDIS_URL="redis://:pw@redis/2",
        REDIS_SENTINELS="10.0.0.1:26379,10.0.0.2:26379",
        REDIS_SENTINEL_MASTER="servicehall",
    )
    assert got["cache"]["BACKEND"] == "servicehall.cache.FailSoftRedisCache"
    assert got["cache"]["OPTIONS"]["pool_class"] == "servicehall.redis_sentinel.SentinelPool"
    assert got["cache"]["LOCATION"] == "redis://:pw@sentinel-master/2"
    assert got["broker"] == "sentinel://:pw@10.0.0.1:26379/2;sentinel://:pw@10.0.0.2:26379/2"
    assert got["transport"] == {"master_name": "servicehall"}


def test_the_replica_is_configured_only_from_its_url() -> None:
    none = _settings(DATABASE_URL="postgres://u@db/portal")
    assert (none["databases"], none["replica"]) == (["default"], "")
    assert none["routers"] == ["servicehall.dbrouter.ReplicaRouter"]
    both = _settings(DATABASE_URL="postgres://u@db/portal", DATABASE_REPLICA_URL="postgres://u@replica/portal")
    assert (both["databases"], both["replica"]) == (["default", "replica"], "replica")


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_REPLICA_URL": "postgres://u@replica/portal"},  # SQLite primary: no replica
        {"DATABASE_URL": "postgres://u@db/portal", "DATABASE_REPLICA_URL": "mysql://u@replica/portal"},
        {"REDIS_SENTINELS": "10.0.0.1:26379"},  # no master named
    ],
)
def test_a_bad_scaling_setting_stops_start_up_naming_the_variable(env: dict[str, str]) -> None:
    result = run_manage("check", DJANGO_DEBUG="1", **env)
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error:")
    assert next(iter(k for k in env if k != "DATABASE_URL")) in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cache_pool_asks_the_sentinels_for_the_master(settings) -> None:
    """Built without connecting: the pool knows the master's name, the database, the password
    and the sentinels (with the cache's short timeouts, so a dead sentinel does not hold a
    request)."""
    from redis.sentinel import SentinelConnectionPool

    from servicehall.redis_sentinel import SentinelPool

    settings.SENTINEL = sentinel_config("10.0.0.1:26379,10.0.0.2:26379", master="servicehall", sentinel_password="w")
    pool = SentinelPool.from_url("redis://:pw@sentinel-master/2", socket_timeout=2, socket_connect_timeout=0.5)
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "servicehall"
    assert (pool.connection_kwargs["db"], pool.connection_kwargs["password"]) == (2, "pw")
    sentinels = pool.sentinel_manager.sentinels
    assert [s.connection_pool.connection_kwargs["host"] for s in sentinels] == ["10.0.0.1", "10.0.0.2"]
    assert {s.connection_pool.connection_kwargs["password"] for s in sentinels} == {"w"}
    assert {s.connection_pool.connection_kwargs["socket_connect_timeout"] for s in sentinels} == {0.5}


def test_without_sentinels_the_pool_refuses(settings) -> None:
    from servicehall.redis_sentinel import SentinelPool

    settings.SENTINEL = None
    with pytest.raises(ImproperlyConfigured, match="REDIS_SENTINELS"):
        SentinelPool.from_url("redis://sentinel-master/0")
