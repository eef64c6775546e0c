"""The rate-limit counter (servicehall.throttling.hit) never fails a request because its key came and
went between two cache calls (issue 14: seen as a 500 while Redis was flushed under load), and on
Redis costs one round trip (``SET … NX EX`` and ``INCR`` in one pipeline)."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from servicehall import cache as shared_cache
from servicehall import throttling
from tests.markers import needs_redis


def test_the_first_request_of_a_window_creates_the_counter_at_one() -> None:
    cache.clear()
    assert throttling.hit("t:first", limit=2, period=60)[0] is True
    assert throttling.hit("t:first", limit=2, period=60)[0] is True
    assert throttling.hit("t:first", limit=2, period=60)[0] is False


def test_a_counter_gone_between_add_and_incr_counts_the_request_instead_of_failing() -> None:
    """Caches other than Redis (and Redis while it is away) count one operation at a time."""
    local = LocMemCache("throttle-test", {})
    with (
        mock.patch.object(local, "incr", side_effect=ValueError("gone")),
        mock.patch.object(local, "add", return_value=False),
        mock.patch.object(local, "set") as set_counter,
    ):
        count, found = shared_cache.count_and_get_many("t:gone", timeout=65, backend=local)
    assert count == 1 and found == {}
    set_counter.assert_called_once_with("t:gone", 1, 65)


@needs_redis
def test_on_redis_the_counter_is_created_with_its_expiry_and_read_with_other_keys() -> None:
    backend = caches["default"]
    backend.clear()
    backend.set("t:other", {"a": 1}, 60)
    assert shared_cache.count_and_get_many("t:red", timeout=65, keys=["t:other", "t:missing"]) == (
        1,
        {"t:other": {"a": 1}},
    )
    assert shared_cache.count_and_get_many("t:red", timeout=65) == (2, {})
    client = backend._cache.get_client(write=True)
    assert 60 < client.ttl(backend.make_and_validate_key("t:red")) <= 65
    assert cache.get("t:red") == 2  # Django's own get reads the counter
    backend.clear()  # flushed between two requests: the next one counts from 1
    assert throttling.hit("t:red", limit=1, period=60)[0] is True


def test_several_limits_are_counted_together_and_each_refuses_on_its_own() -> None:
    cache.clear()
    limits = [("t:ip", 3, 60), ("t:mobile", 1, 3600)]
    assert [allowed for allowed, _wait in throttling.hit_many(limits)] == [True, True]
    second = throttling.hit_many(limits)
    assert [allowed for allowed, _wait in second] == [True, False]
    assert 0 < second[1][1] <= 3600  # the hour's window ends within the hour
    assert throttling.hit("t:ip", limit=3, period=60)[0] is True  # the same counters as ``hit``'s
    assert throttling.hit("t:ip", limit=3, period=60)[0] is False


def test_counters_counted_together_outside_redis_are_created_with_their_own_expiry() -> None:
    local = LocMemCache("throttle-many-test", {})
    assert shared_cache.count_many({"t:a": 65, "t:b": 3605}, backend=local) == [1, 1]
    assert shared_cache.count_many({"t:a": 65, "t:b": 3605}, backend=local) == [2, 2]
    assert local.get("t:b") == 2


@needs_redis
def test_on_redis_several_counters_cost_one_round_trip(monkeypatch) -> None:
    from tests.redis_trips import count_round_trips

    backend = caches["default"]
    backend.clear()
    trips = count_round_trips(monkeypatch)
    assert shared_cache.count_many({"t:x": 65, "t:y": 3605}) == [1, 1]
    assert shared_cache.count_many({"t:x": 65, "t:y": 3605}) == [2, 2]
    assert trips == ["pipeline: SET INCRBY SET INCRBY"] * 2, trips
    client = backend._cache.get_client(write=True)
    assert 60 < client.ttl(backend.make_and_validate_key("t:x")) <= 65
    assert 3600 < client.ttl(backend.make_and_validate_key("t:y")) <= 3605
