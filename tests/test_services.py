"""The real services: PostgreSQL, Redis, and a Celery worker on Redis.

Without DATABASE_URL / REDIS_URL these skip locally; in CI (.ci/run) a skip is a failure.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from catalog.models import CalendarDay
from tests.concurrency import celery_worker, private_queue, worker_env
from tests.markers import needs_postgres, needs_redis

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db
def test_database_is_postgresql() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


@pytest.mark.redis
@needs_redis
def test_cache_is_redis() -> None:
    from servicehall import cache as shared_cache

    assert settings.CACHES["default"]["BACKEND"] == "servicehall.cache.FailSoftRedisCache"
    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"n": 1}, 30)
    assert cache.get(key) == {"n": 1}
    assert cache.ping() and not shared_cache.degraded()  # from Redis itself, not the fallback
    assert cache.incr(key + "-counter", 1) if cache.add(key + "-counter", 0) else True


@pytest.mark.postgres
@pytest.mark.redis
@needs_postgres
@needs_redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_real_celery_worker_runs_the_calendar_job() -> None:
    from servicehall.celery import app

    queue = private_queue()
    with celery_worker(queue, env=worker_env()) as output:
        app.send_task("catalog.tasks.calendar_ensure_years", queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and CalendarDay.objects.count() < 730:
            time.sleep(0.5)
        assert CalendarDay.objects.count() >= 730, "the worker did not fill this year and the next"
    assert "calendar_ensure_years" in output[0]
