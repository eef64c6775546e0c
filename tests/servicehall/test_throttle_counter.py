"""The rate-limit counter (servicehall.throttling.hit) never fails a request because its key came and
went between two cache calls (issue 14: seen as a 500 while Redis was flushed under load)."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache

from servicehall import throttling
from tests.markers import needs_redis


def test_the_first_request_of_a_window_creates_the_counter_at_one() -> None:
    cache.clear()
    assert throttling.hit("t:first", limit=2, period=60)[0] is True
    assert throttling.hit("t:first", limit=2, period=60)[0] is True
    assert throttling.hit("t:first", limit=2, period=60)[0] is False


def test_a_counter_gone_between_add_and_incr_counts_the_request_instead_of_failing() -> None:
    cache.clear()
    with (
        mock.patch.object(cache, "incr", side_effect=ValueError("gone")),
        mock.patch.object(cache, "add", return_value=False),
        mock.patch.object(cache, "set") as set_counter,
    ):
        allowed, wait = throttling.hit("t:gone", limit=1, period=60)
    assert allowed is True and 0 < wait <= 60
    set_counter.assert_called_once()


def _many(limit_a: int, limit_b: int) -> list[bool]:
    return [allowed for allowed, _wait in throttling.hit_many([("t:a", limit_a, 60), ("t:b", limit_b, 60)])]


def test_several_limits_are_counted_together_and_agree_with_hit() -> None:
    """``hit_many`` (the booking's limits per address and per mobile number) counts every key, in
    one round trip with Redis, into the same counters as ``hit``."""
    cache.clear()
    assert _many(2, 5) == [True, True]  # a: 1, b: 1
    assert throttling.hit("t:a", limit=2, period=60)[0] is True  # the same counter: a: 2
    assert _many(2, 5) == [False, True]  # a: 3, b: 2
    assert _many(2, 3) == [False, True] and _many(2, 3) == [False, False]  # b: 3, then 4


@needs_redis
def test_several_limits_take_one_round_trip_to_redis() -> None:
    from django.core.cache import caches

    from servicehall.cache import FailSoftRedisCache

    redis_cache = caches["default"]
    assert isinstance(redis_cache, FailSoftRedisCache)
    redis_cache.clear()
    client = redis_cache._cache.get_client(write=True)
    with mock.patch.object(client, "pipeline", wraps=client.pipeline) as pipeline:
        assert _many(1, 1) == [True, True]
    pipeline.assert_called_once()


@needs_redis
def test_several_limits_still_count_in_this_process_while_redis_is_away(settings) -> None:
    from django.conf import settings as django_settings

    from servicehall import cache as shared_cache

    settings.CACHES = {"default": {**django_settings.REDIS_CACHE, "LOCATION": "redis://127.0.0.1:6399/0"}}
    shared_cache.reset_state()
    try:
        from django.core.cache import cache as dead

        assert [a for a, _w in throttling.hit_many([("t:away", 1, 60)])] == [True]
        assert [a for a, _w in throttling.hit_many([("t:away", 1, 60)])] == [False]
        assert dead.get("t:nothing") is None
    finally:
        shared_cache.reset_state()
