from __future__ import annotations

import pytest

from tests.cases.factories import World, make_world


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (rate limits) and no remembered settings."""
    from django.core.cache import cache

    from servicehall import memo

    cache.clear()
    memo.forget()
    yield
