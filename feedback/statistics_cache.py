"""The published satisfaction page (``/ratings/``, 评价公开) kept in the page cache (issue 14,
docs/caching.md): its main part per rollup generation, query, language and month, the shell
drawn per request (``catalog.cached_pages.cached_page``).

The page reads only the monthly rollup (``SatisfactionMonth``, written by
``rollup_ratings.satisfaction_rollup``: the hourly job and a supervisor's "recompute now"), the
rating policy, and the names of halls, departments and windows. The *rollup generation* moves
whenever the rollup writes, the policy is saved or a window changes; the names of halls and
departments are the catalog's structure generation, already in every page-cache key.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

from catalog import page_cache
from servicehall import cache as shared_cache

GENERATION_KEY = "feedback:gen:ratings"
# Read from the shared cache at most this often per process (as the catalog's generations);
# a bump in the process itself is seen at once.
GENERATION_SECONDS = 1.0
_memo: dict[str, tuple[float, str]] = {}


def _new() -> str:
    """A generation: when it was made (the page's Last-Modified) and a random part."""
    return f"{time.time():.6f}:{uuid.uuid4().hex[:8]}"


def bump() -> None:
    """The rollup (or what the page shows of the policy or windows) changed: now, and again once
    committed (another process may render between the two from what it read before)."""

    def do() -> None:
        _memo.clear()
        cache.set(GENERATION_KEY, _new(), timeout=None)

    do()
    transaction.on_commit(do, robust=True)


def forget() -> None:
    _memo.clear()


def generation() -> str | None:
    """The rollup generation, or None while the shared cache does not answer (serve uncached)."""
    hit = _memo.get("current")
    if hit is not None and hit[0] > time.monotonic() and not shared_cache.degraded():
        return hit[1]
    value = cache.get(GENERATION_KEY)
    if value is None and not shared_cache.degraded():
        cache.add(GENERATION_KEY, _new(), timeout=None)
        value = cache.get(GENERATION_KEY)
    if value is None or shared_cache.degraded():
        return None
    _memo["current"] = (time.monotonic() + GENERATION_SECONDS, str(value))
    return str(value)


def context(today: dt.date) -> page_cache.Context:
    """What the page's keys are built from: the catalog's structure generation (hall and
    department names) and the rollup generation in place of the guides'. ``Last-Modified`` is
    the later of the two and midnight of the month's first day (the month shown by default
    changes then). Uncached (no generation) while Redis does not answer."""
    catalog = page_cache.generation()
    rollup = generation() if catalog is not None else None
    if catalog is None or rollup is None:
        return page_cache.Context(generation=None, state=None, today=today)
    return page_cache.Context(
        generation=page_cache.Generation(guides=rollup, structure=catalog.structure),
        # No guide is shown: only the month's start matters to Last-Modified.
        state=page_cache.CatalogState(versions={}, current_digest="", latest_effective=today.replace(day=1)),
        today=today,
    )


def _changed(sender: type, **kwargs: Any) -> None:
    bump()


def connect() -> None:
    """Bump on the writes the page shows that send a signal (``FeedbackConfig.ready``); the
    rollup's bulk upsert sends none and bumps itself."""
    from django.db.models.signals import post_delete, post_save

    from feedback.models_ratings import RatingPolicy
    from queueing.models import Window

    for model in (RatingPolicy, Window):
        post_save.connect(_changed, sender=model, dispatch_uid=f"ratings-cache-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"ratings-cache-{model.__name__}-delete")
    # A rollup run during a Redis outage bumped only this process's memory.
    shared_cache.on_recovery(bump_after_outage)


def bump_after_outage() -> None:
    _memo.clear()
    cache.set(GENERATION_KEY, _new(), timeout=None)
