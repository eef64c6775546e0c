"""The queue a ticket is issued in, looked up once per process (issue 14).

Every online or kiosk issue names a hall by code and a queue by letter; reading the category and
its hall from the database was a third of the issue's queries. Each process keeps the active
categories it has been asked for, checked against a version in the cache on every use: saving or
deleting a category or a hall (``queueing.apps`` connects the signals) changes the version, so
every process reads the row again on its next issue. The entry is also kept at most
``MEMO_SECONDS`` (``servicehall.memo``): while Redis does not answer, each process sees only its
own version changes, and another process's edit is seen within that time, as for the hall's
settings and hours.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.cache import cache
from django.db import transaction

from queueing.models import QueueCategory
from servicehall.memo import MEMO_SECONDS

VERSION_KEY = "queue:categories:version"

# (hall code, letter) → (kept until, version, category with its hall). Only categories that exist
# are kept, so the dict stays as small as the city's queues whatever codes are asked for.
_categories: dict[tuple[str, str], tuple[float, Any, QueueCategory]] = {}
# Hall code → id of the halls whose categories were asked for: lets the issue read the hall's
# published queue in the same round trip as its rate limit and this version (hall codes and ids
# never change once halls are in use; a wrong guess only costs the read).
_hall_ids: dict[str, int] = {}
UNREAD = object()


def hall_id_hint(code: str) -> int | None:
    return _hall_ids.get(code)


def issue_category(code: str, letter: str, *, version: Any = UNREAD) -> QueueCategory | None:
    """The active category ``letter`` of hall ``code`` (with ``.hall``), or None. ``version``:
    the value of ``VERSION_KEY`` when the caller has just read it (None if missing)."""
    if version is UNREAD:
        version = cache.get(VERSION_KEY)
    now = time.monotonic()
    hit = _categories.get((code, letter))
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    category = (
        QueueCategory.objects.select_related("hall").filter(hall__code=code, letter=letter, is_active=True).first()
    )
    if category is None:
        _categories.pop((code, letter), None)
    else:
        _categories[(code, letter)] = (now + MEMO_SECONDS, version, category)
        _hall_ids[code] = category.hall_id
    return category


def _bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def categories_changed(**kwargs: Any) -> None:
    """A category or hall was saved or deleted: forget what every process remembers. At once
    (this process, and a test's rolled-back data) and again once the change has committed (a
    process that read the old row meanwhile reads the new one)."""
    _categories.clear()
    _bump()
    transaction.on_commit(_bump, robust=True)


def forget() -> None:
    _categories.clear()
    _hall_ids.clear()
