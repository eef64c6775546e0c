"""Markers for tests that need a real service. They skip locally; in CI the project conftest
turns a skip into a failure (SERVICEHALL_REQUIRE_SERVICES=1)."""

from __future__ import annotations

import pytest
from django.conf import settings

needs_postgres = pytest.mark.skipif(
    not settings.DATABASE_URL.startswith("postgres"), reason="DATABASE_URL is not PostgreSQL"
)
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set")
