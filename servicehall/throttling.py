"""Rate limits backed by the cache: a fixed window counter per client and scope.

DRF's own throttles keep every request's timestamp in one cache entry and rewrite the whole
list on each request, which grows with the allowed rate; a counter costs the same at any rate:
one round trip to Redis (``SET … NX`` and ``INCR`` in one pipeline).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

from servicehall.cache import count_and_get_many, count_many, count_many_and_get
from servicehall.http import client_address


def hit(key: str, *, limit: int, period: int) -> tuple[bool, int]:
    """Count one request under ``key``; (allowed?, seconds until the window ends)."""
    allowed, wait, _found = hit_and_read(key, limit=limit, period=period)
    return allowed, wait


def hit_and_read(key: str, *, limit: int, period: int, keys: Sequence[str] = ()) -> tuple[bool, int, dict[str, Any]]:
    """``hit``, and the cache entries ``keys`` read in the same round trip to Redis (the ticket
    issue reads what it needs next with its rate limit: ``servicehall.cache.count_and_get_many``)."""
    now = int(time.time())
    window_start = now - now % period
    count, found = count_and_get_many(f"throttle:{key}:{window_start}", timeout=period + 5, keys=keys)
    return count <= limit, window_start + period - now, found


def hit_many(limits: Sequence[tuple[str, int, int]]) -> list[tuple[bool, int]]:
    """``hit`` for each (key, limit, period), all counted in one round trip to Redis (a booking
    counts its client address and its mobile number)."""
    return hit_many_and_read(limits)[0]


def hit_many_and_read(
    limits: Sequence[tuple[str, int, int]], *, keys: Sequence[str] = ()
) -> tuple[list[tuple[bool, int]], dict[str, Any]]:
    """``hit_many``, and the cache entries ``keys`` read in the same round trip."""
    now = int(time.time())
    windows = [(key, period, now - now % period) for key, _limit, period in limits]
    counters = {f"throttle:{key}:{start}": period + 5 for key, period, start in windows}
    counts, found = count_many_and_get(counters, keys=keys) if keys else (count_many(counters), {})
    decisions = [
        (count <= limit, start + period - now)
        for count, (_key, limit, period), (_k, _p, start) in zip(counts, limits, windows, strict=True)
    ]
    return decisions, found


@dataclass(frozen=True)
class Decision:
    """A rate limit's decision on one request, and the cache entries read with its count."""

    scope: str
    allowed: bool
    wait: int
    keys: Sequence[str] = ()
    found: dict[str, Any] = field(default_factory=dict)


class ScopedCounterThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` with a fixed-window counter instead of a timestamp history.

    A view may name cache entries it will read anyway (``read_with_rate_limit(request)``): they
    come back with the count, in the same round trip, as ``view.read_with_rate_limit_found``. A
    request already counted outside DRF (``decide_plainly``, the ticket issue's plain path) and
    handed to the DRF view is not counted again: the decision travels with the request."""

    def allow_request(self, request, view) -> bool:  # noqa: ANN001 - DRF's signature
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        decided = getattr(request._request, "rate_limit_decided", None)
        if decided is None or decided.scope != self.scope:
            reads = getattr(view, "read_with_rate_limit", None)
            decided = self._decide(request, keys=reads(request) if reads is not None else ())
            if decided is None:  # rate set to None: unthrottled, as in DRF
                return True
        else:
            view.read_keys = decided.keys
        if decided.keys:
            view.read_with_rate_limit_found = decided.found
        self._wait = decided.wait
        return decided.allowed

    def _decide(self, request, *, keys: Sequence[str]) -> Decision | None:  # noqa: ANN001 - DRF's request
        self.rate = self.get_rate()
        num_requests, duration = self.num_requests, self.duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return None
        ident = client_ident(request)
        allowed, wait, found = hit_and_read(f"{self.scope}:{ident}", limit=num_requests, period=duration, keys=keys)
        return Decision(str(self.scope), allowed, wait, tuple(keys), found)

    @classmethod
    def decide_plainly(cls, request: HttpRequest, scope: str, *, keys: Sequence[str] = ()) -> Decision:
        """Count an anonymous request outside DRF, as ``allow_request`` would, and remember the
        decision on the request for the DRF view it may be handed to."""
        throttle = cls()
        throttle.scope = scope
        decided = throttle._decide(request, keys=keys) or Decision(scope, True, 0)
        request.rate_limit_decided = decided  # type: ignore[attr-defined]
        return decided

    def get_ident(self, request) -> str:  # noqa: ANN001 - DRF's signature
        return client_address(request)

    def wait(self) -> float:
        return float(self._wait)


def client_ident(request) -> str:  # noqa: ANN001 - a Django or a DRF request
    """Whom a rate counts: the signed-in user, otherwise the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user-{user.pk}"
    return client_address(request)


def scope_hit(scope: str, request) -> tuple[bool, int]:  # noqa: ANN001 - a Django or a DRF request
    """Count one request of a page against the API's counter of ``scope`` (the page and the API
    that do the same thing share one limit, so switching between them gains nothing); (allowed?,
    seconds until the window ends). A scope without a rate is unthrottled."""
    throttle = ScopedCounterThrottle()
    rate = throttle.THROTTLE_RATES.get(scope)
    if rate is None:
        return True, 0
    limit, period = throttle.parse_rate(rate)
    if limit is None or period is None:
        return True, 0
    return hit(f"{scope}:{client_ident(request)}", limit=limit, period=period)


_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/hour"`` → (20, 3600)."""
    count, _slash, period = rate.partition("/")
    if not count.strip().isdigit() or period.strip() not in _PERIODS:
        raise ValueError(f"not a rate like '20/hour': {rate!r}")
    return int(count), _PERIODS[period.strip()]
