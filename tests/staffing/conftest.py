from __future__ import annotations

import pytest

from tests.staffing.factories import StaffWorld, make_world


@pytest.fixture
def world(db) -> StaffWorld:
    return make_world()


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    from servicehall import memo

    cache.clear()
    memo.forget()
    yield
