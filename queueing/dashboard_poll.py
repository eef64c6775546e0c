"""The supervisors' dashboard polls answer 204 while nothing they show has changed (issue 14).

The city overview (``/supervisor/``, region ``overview-live``) and a hall's wait alerts (region
``hall-alerts``) poll every ``POLL_SECONDS``. Each rendered region carries a signed version of
what it shows (``?v=``, ``poll_version``); a poll that sends back a version that still stands is
answered 204 with no query beyond the session and its user (``unchanged_poll``), and htmx leaves
the region as it is. The version holds:

- the console generation of every hall the region shows (``queueing.snapshot.console_key``: the
  per-hall token the queue snapshot and the window consoles already use, replaced after every
  change of the hall's queues and windows: a ticket issued, called, transferred, finished,
  expired; a window signed in, out, opened or closed; an assistance request opened, taken or
  done; and, for the dashboard, a wait alert raised, closed or acknowledged);
- the user's generation (``queueing.console.user_key``), replaced when their roles, profile or
  account change, so a supervisor whose scope changed sees it at the next poll;
- the page's path, the region, the user and the language;
- the instant it runs out: the start of the next minute (the waits "now" grow by themselves,
  the comparison with last week moves with the time of day, halls open and close: the figures
  are at most a minute older than the "updated at" time the region says), which also bounds
  edits made outside the services (a target changed in the admin, a hall's opening hours) and
  a change whose cache write was lost while Redis was away.

The halls a version covers are kept in the cache under a digest of their ids (the overview of a
citywide supervisor holds hundreds; the address stays short); a version whose list has gone
renders. While Redis does not answer (``servicehall.cache.degraded``) every poll renders.

A hall's live figures (``hall-live``) are not versioned: other apps add sections to them (items,
forwardings, "办不成事" reports, ratings) whose changes do not touch the hall's generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Sequence

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language

from queueing import snapshot
from queueing.console import GENERATION_SECONDS, user_key
from servicehall import cache as shared_cache

HALLS_SECONDS = 24 * 3600
_signer = signing.Signer(salt="queueing.dashboard.poll")


def _halls_key(ref: str) -> str:
    return f"queue:dashboard:v1:halls:{ref}"


def _halls_ref(hall_ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(pk) for pk in sorted(hall_ids)).encode()).hexdigest()[:24]


def _digest(generations: Sequence[str]) -> str:
    return hashlib.sha256("|".join(generations).encode()).hexdigest()[:24]


def generations(hall_ids: Sequence[int], user_id: int | None) -> list[str] | None:
    """The halls' and the user's generations (made up when missing); None while Redis is away
    (or for nobody signed in). Read before the figures: a change committing meanwhile replaces
    one, and the next poll renders."""
    if user_id is None or shared_cache.degraded():
        return None
    keys = [snapshot.console_key(pk) for pk in sorted(hall_ids)] + [user_key(user_id)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, secrets.token_hex(8), GENERATION_SECONDS)
        found = cache.get_many(keys)
    if shared_cache.degraded() or len(found) < len(keys):
        return None
    return [str(found[key]) for key in keys]


def _until(now: dt.datetime) -> int:
    """The start of the next minute after ``now`` (see the module's docstring)."""
    return (int(now.timestamp()) // 60 + 1) * 60


def _payload(path: str, target: str, user_id: int, until: int, ref: str, digest: str) -> str:
    return "|".join((path, target, str(user_id), get_language() or "", str(until), ref, digest))


def poll_version(
    request: HttpRequest,
    target: str,
    hall_ids: Sequence[int],
    seen: list[str] | None,
    *,
    now: dt.datetime,
) -> str:
    """The version of ``target`` rendered from ``seen`` (``generations`` read before the figures):
    "" when there is none (Redis away, nobody signed in), which no poll matches."""
    if seen is None or not request.user.is_authenticated:
        return ""
    ref = _halls_ref(hall_ids)
    cache.set(_halls_key(ref), sorted(hall_ids), HALLS_SECONDS)
    return _signer.sign(_payload(request.path, target, request.user.pk, _until(now), ref, _digest(seen)))


def unchanged_poll(request: HttpRequest, target: str) -> bool:
    """An htmx poll of ``target`` whose version still stands: nothing it shows has changed (the
    session and its user are read; nothing else from the database)."""
    version = request.GET.get("v")
    htmx = getattr(request, "htmx", None)
    if not version or request.method != "GET" or not htmx or htmx.boosted or htmx.target != target:
        return False
    if shared_cache.degraded():
        return False
    try:
        payload = _signer.unsign(version)
        path, seen_target, user, language, until, ref, digest = payload.split("|")
        user_id = int(user)
        if time.time() >= int(until):
            return False
    except (signing.BadSignature, ValueError):
        return False
    if (path, seen_target, language) != (request.path, target, get_language() or ""):
        return False
    # A session that ended goes on to the decorator, which sends the login redirect.
    if not request.user.is_authenticated or request.user.pk != user_id:
        return False
    hall_ids = cache.get(_halls_key(ref))
    if hall_ids is None:
        return False
    seen = generations(hall_ids, user_id)
    return seen is not None and _digest(seen) == digest
