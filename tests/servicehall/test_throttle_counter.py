"""The rate-limit counter (servicehall.throttling.hit) never fails a request because its key came and
went between two cache calls (issue 14: seen as a 500 while Redis was flushed under load)."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache

from servicehall import throttling


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
