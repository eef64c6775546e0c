"""Rate limits backed by the cache: a fixed window counter per client and scope.

DRF's own throttles keep every request's timestamp in one cache entry and rewrite the whole
list on each request, which grows with the allowed rate; a counter costs the same at any rate:
one ``incr`` (plus one ``add`` when a window starts).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from servicehall.http import client_address


def hit(key: str, *, limit: int, period: int) -> tuple[bool, int]:
    """Count one request under ``key``; (allowed?, seconds until the window ends)."""
    now = int(time.time())
    window_start = now - now % period
    counter = f"throttle:{key}:{window_start}"
    try:
        count = cache.incr(counter)
    except ValueError:  # the window's first request: create the counter (another may race us)
        if cache.add(counter, 1, period + 5):
            count = 1
        else:
            try:
                count = cache.incr(counter)
            except ValueError:  # created by another and gone again (evicted, flushed): count this one
                cache.set(counter, 1, period + 5)
                count = 1
    return count <= limit, window_start + period - now


class ScopedCounterThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` with a fixed-window counter instead of a timestamp history."""

    def allow_request(self, request, view) -> bool:  # noqa: ANN001 - DRF's signature
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        num_requests, duration = self.num_requests, self.duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:  # rate set to None: unthrottled, as in DRF
            return True
        ident = self.get_ident(request) if not request.user.is_authenticated else f"user-{request.user.pk}"
        allowed, self._wait = hit(f"{self.scope}:{ident}", limit=num_requests, period=duration)
        return allowed

    def get_ident(self, request) -> str:  # noqa: ANN001 - DRF's signature
        return client_address(request)

    def wait(self) -> float:
        return float(self._wait)


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
