"""The supervisors' dashboard polls answer 204 while nothing they show has changed (issue 14).

The city overview (``/supervisor/``, region ``overview-live``) and a hall's live figures, window
controls and wait alerts (regions ``hall-live``, ``hall-controls``, ``hall-alerts``) poll every
``POLL_SECONDS``. Each rendered region carries a signed version of what it shows (``?v=``,
``poll_version``); a poll that sends back a version that still stands is answered 204 with no
query beyond the session and its user (``unchanged_poll``), and htmx leaves the region as it is.
The version holds:

- the console generation of every hall the region shows (``queueing.snapshot.console_key``: the
  per-hall token the queue snapshot and the window consoles already use, replaced after every
  change of the hall's queues and windows: a ticket issued, called, transferred, finished,
  expired; a window signed in, out, opened or closed; an assistance request opened, taken or
  done; and, for the dashboard, a wait alert raised, closed or acknowledged);
- for a hall's live figures and controls, the hall's dashboard generation (below);
- the user's generation (``queueing.console.user_key``), replaced when their roles, profile or
  account change, so a supervisor whose scope changed sees it at the next poll;
- the page's path, the region, the user and the language;
- the instant it runs out: the start of the next minute (the waits "now" grow by themselves,
  the comparison with last week moves with the time of day, halls open and close: the figures
  are at most a minute older than the "updated at" time the region says), which also bounds
  edits made outside the services (a target changed in the admin, a hall's opening hours) and
  a change whose cache write was lost while Redis was away.

A hall's live figures (``hall-live``) and its window controls (``hall-controls``) hold one more
generation per hall: the hall's dashboard generation (``dashboard_key``). The apps above queueing
add sections to the live figures (``servicehall.extensions.SUPERVISOR_HALL_LIVE``), and the
controls list who may be put at a window; none of their changes touches the hall's queues, so
each replaces the dashboard generation after commit (``dashboard_changed_on_commit``), from the
service that makes it:

- cases: an item recorded for a ticket or taken back, a case received from a ticket (today's
  waits per item); a case forwarded, a forwarding taken over or returned (both halls' figures);
- feedback: every step of a "办不成事" report and its flags turning (open reports, near and past
  their deadline); every step of a rectification order and the overdue job (open, overdue,
  appealed orders); the monthly satisfaction roll-up (this month's and last month's satisfaction);
- the staff of the hall: a clerk logging in or out (only one logged in may be put at a window),
  their profile saved (name, hall: both halls) or their roles changed (``queueing.apps``).

Edits in the admin and the passing of time (a report's deadline, a session idling out, the last
30 days of forwardings) are covered by the minute, as above. The city overview and a hall's alerts
show none of these and leave the dashboard generation out of their versions: a forwarding does
not make every overview render.

The halls a version covers are kept in the cache under a digest of their ids (the overview of a
citywide supervisor holds hundreds; the address stays short); a version whose list has gone
renders. While Redis does not answer (``servicehall.cache.degraded``) every poll renders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Iterable, Sequence

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language

from queueing import snapshot
from queueing.console import GENERATION_SECONDS, user_key
from servicehall import cache as shared_cache

HALLS_SECONDS = 24 * 3600
_signer = signing.Signer(salt="queueing.dashboard.poll")
# What a version holds besides the console generations (the payload says which).
CONSOLE_ONLY, WITH_DASHBOARD = "c", "cd"


# --- The hall's dashboard generation -----------------------------------------------------------


def dashboard_key(hall_id: int) -> str:
    return f"queue:dashboard:v1:hall:{hall_id}"


def dashboard_changed(hall_ids: Iterable[int]) -> None:
    keys = [dashboard_key(pk) for pk in sorted(set(hall_ids))]
    if keys:
        cache.delete_many(keys)


def dashboard_changed_on_commit(*hall_ids: int | None) -> None:
    """After commit, a hall's live figures and controls render again at their next poll: for a
    change they show that leaves the hall's queues alone (robust, as
    ``queueing.snapshot.console_changed_on_commit``: the change has committed, and the cache
    failing after it must not turn it into an error)."""
    ids = sorted({pk for pk in hall_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: dashboard_changed(ids), robust=True)


# --- Versions -------------------------------------------------------------------------------------


def _halls_key(ref: str) -> str:
    return f"queue:dashboard:v1:halls:{ref}"


def _halls_ref(hall_ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(pk) for pk in sorted(hall_ids)).encode()).hexdigest()[:24]


def _digest(generations: Sequence[str]) -> str:
    return hashlib.sha256("|".join(generations).encode()).hexdigest()[:24]


def generations(hall_ids: Sequence[int], user_id: int | None, *, dashboard: bool = False) -> list[str] | None:
    """The halls' and the user's generations (made up when missing), with the halls' dashboard
    generations too for a hall's live figures and controls (``dashboard``); None while Redis is
    away (or for nobody signed in). Read before the figures: a change committing meanwhile
    replaces one, and the next poll renders."""
    if user_id is None or shared_cache.degraded():
        return None
    halls = sorted(hall_ids)
    keys = [snapshot.console_key(pk) for pk in halls]
    if dashboard:
        keys += [dashboard_key(pk) for pk in halls]
    keys.append(user_key(user_id))
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


def _payload(path: str, target: str, user_id: int, until: int, ref: str, kind: str, digest: str) -> str:
    return "|".join((path, target, str(user_id), get_language() or "", str(until), ref, kind, digest))


def poll_version(
    request: HttpRequest,
    target: str,
    hall_ids: Sequence[int],
    seen: list[str] | None,
    *,
    now: dt.datetime,
    dashboard: bool = False,
) -> str:
    """The version of ``target`` rendered from ``seen`` (``generations`` read before the figures,
    with the same ``dashboard``): "" when there is none (Redis away, nobody signed in), which no
    poll matches."""
    if seen is None or not request.user.is_authenticated:
        return ""
    ref = _halls_ref(hall_ids)
    cache.set(_halls_key(ref), sorted(hall_ids), HALLS_SECONDS)
    kind = WITH_DASHBOARD if dashboard else CONSOLE_ONLY
    return _signer.sign(_payload(request.path, target, request.user.pk, _until(now), ref, kind, _digest(seen)))


def unchanged_poll(request: HttpRequest, *targets: str) -> bool:
    """An htmx poll of one of ``targets`` whose version still stands: nothing it shows has
    changed (the session and its user are read; nothing else from the database)."""
    version = request.GET.get("v")
    htmx = getattr(request, "htmx", None)
    if not version or request.method != "GET" or not htmx or htmx.boosted or htmx.target not in targets:
        return False
    if shared_cache.degraded():
        return False
    try:
        payload = _signer.unsign(version)
        path, seen_target, user, language, until, ref, kind, digest = payload.split("|")
        user_id = int(user)
        if time.time() >= int(until):
            return False
    except (signing.BadSignature, ValueError):
        return False
    if (path, seen_target, language) != (request.path, htmx.target, get_language() or ""):
        return False
    # A session that ended goes on to the decorator, which sends the login redirect.
    if not request.user.is_authenticated or request.user.pk != user_id:
        return False
    hall_ids = cache.get(_halls_key(ref))
    if hall_ids is None:
        return False
    seen = generations(hall_ids, user_id, dashboard=kind == WITH_DASHBOARD)
    return seen is not None and _digest(seen) == digest
