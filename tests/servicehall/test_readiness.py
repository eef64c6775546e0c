"""/healthz stays liveness; /readyz reports the database, the cache and broker, and the last beat
heartbeat (issue 9: Redis is a cache and a broker, never the truth)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servicehall.models import Heartbeat
from servicehall.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_ready_when_the_database_the_cache_and_beat_answer(client) -> None:
    heartbeat()
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and all(check["ok"] for check in body["checks"].values())


def test_a_silent_beat_is_degraded_not_down(client) -> None:
    assert client.get("/readyz").json()["checks"]["beat"] == {"ok": False, "last_run": None}
    Heartbeat.objects.create(name="beat", beat_at=timezone.now() - dt.timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"


def test_a_cache_outage_is_degraded_and_healthz_still_lives(client, monkeypatch) -> None:
    from django.core.cache import cache

    heartbeat()

    def down(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}
    assert client.get("/healthz").status_code == 200


def test_without_the_database_it_is_not_ready(client, monkeypatch) -> None:
    from django.db import connection

    def down():
        raise ConnectionError("database is down")

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
