"""Per-process memo for values that change rarely and are read on every hot request.

Hall settings, opening hours and booking rules are read on every ticket, call and booking: each
process keeps them for half a minute instead of asking the database or the cache each time. An
administrator's change is therefore seen by every process within ``MEMO_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MEMO_SECONDS = 30

_memo: dict[object, tuple[float, object]] = {}


def memoised[T](key: object, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    _memo[key] = (now + MEMO_SECONDS, value)
    return value


def forget() -> None:
    """Drop what this process remembers (tests; after editing settings in a shell)."""
    _memo.clear()
