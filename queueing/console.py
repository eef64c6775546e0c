"""The window console's panel, for every app whose action ends at the counter.

A window's staff act from one panel (``templates/queueing/console/console.html``): the current
ticket, the queue it calls next, the forms of transfer and green channel, and the sections apps
higher up register for it (``servicehall.extensions.CONSOLE_PANEL``: appointments' booking
check-in). Any view that acts at a window answers an htmx request with
``console_panel``, so the panel comes back refreshed with the view's message and status whatever
app the action belongs to.

Every answer of an action says what happened in the panel's status region, whatever its status:
htmx swaps only 2xx, 400, 409 and 429 answers (``templates/base.html``), so the console's own
answers carry ``X-Console-Panel`` and the console's script swaps them whatever their status
(403 "not signed in at this window", 404 "ticket not found"); a view wrapped in
``console_action`` answers a refusal of access (the window of another hall, a role taken away)
with a panel that says so instead of the error page. Anything else that fails (a stale CSRF
token, the network) is reported there by the script.

The queue polled every few seconds (issue 14) carries a version of what it shows (``?v=``,
``poll_version``); while the version stands the poll is answered 204 with no query beyond the
session and its user (``unchanged_poll``), and htmx leaves the queue as it is. The version is
signed and holds what the fragment depends on:

- the hall's console generation (``snapshot.console_key``), replaced after every change of the
  hall's queues and windows (a ticket issued, called, transferred, finished, expired; a window
  signed in, out or closed; a green channel granted; an assistance request opened or taken...);
- the user's generation (``user_key``), replaced when their roles, profile or account change
  (``queueing.apps``), so a clerk whose role is taken away is refused at the next poll;
- the user, the window and the language of the page;
- the instant it runs out: the next moment the queue changes by itself (an appointment's slot
  starts, a ticket reaches the starvation limit: ``Console.changes_at``), the next midnight, and
  at most ``POLL_VERSION_SECONDS`` (for edits made outside the services, such as a category
  renamed in the admin, or a change whose cache write was lost while Redis was away).

When the hall changed, every console of the hall renders its queue again at its next poll. What
they all read alike, the hall's waiting tickets (``selectors.HallQueue``), is read once for them
and kept under the hall's console generation (``shared_hall_queue``): the windows then render
their own queue from it with a query for their current ticket. A generation replaced by a change
is never read again, so a shared read is never older than the version it is rendered with; it
is kept at most ``POLL_VERSION_SECONDS`` too (a window's categories edited in the admin).

A session that ended is not answered 204: the poll goes on to ``staff_required``, which sends
the login redirect. While Redis does not answer (``servicehall.cache.degraded``) every poll
renders: the process's own memory does not see the other processes' changes.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from queueing import selectors, services, snapshot
from queueing.forms_console import AssistanceForm, GrantForm, TransferForm
from queueing.models import Window
from servicehall import cache as shared_cache
from servicehall import extensions
from servicehall.clock import local_date

PAGE = "queueing/console/console.html"
# Partials of the page that htmx swaps: the whole panel after an action, the queue when polled.
PANEL = f"{PAGE}#panel"
QUEUE = f"{PAGE}#queue"
REFUSED = "queueing/console/refused.html"
# Marks an answer that carries the panel with the outcome of an action: static/js/console.js
# swaps it whatever its status.
PANEL_HEADER = "X-Console-Panel"

# A queue version stands at most this long, whatever happens (see the module's docstring).
POLL_VERSION_SECONDS = 60
GENERATION_SECONDS = 24 * 3600
_signer = signing.Signer(salt="queueing.console.poll")
# Each process also keeps the last shared read of each hall it served (hall id -> key, until,
# read): the next console of the hall to poll it needs no cache round trip.
_shared_memo: dict[int, tuple[str, float, selectors.HallQueue]] = {}


def user_key(user_id: int) -> str:
    return f"queue:console:v1:user:{user_id}"


def user_changed(user_id: int) -> None:
    """The user's roles, profile or account changed: their consoles render the queue again."""
    cache.delete(user_key(user_id))


def _generations(hall_id: int, user_id: int) -> tuple[str, str] | None:
    """The hall's and the user's generations (made up when missing); None while Redis is away."""
    keys = [snapshot.console_key(hall_id), user_key(user_id)]
    if shared_cache.degraded():
        return None
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), GENERATION_SECONDS)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    if shared_cache.degraded() or len(found) < len(keys):
        return None
    return str(found[keys[0]]), str(found[keys[1]])


def _shared_key(hall_id: int, generation: str, day: dt.date) -> str:
    return f"queue:console:v1:hall:{hall_id}:queue:{day.isoformat()}:{generation}"


def shared_hall_queue(hall_id: int, generation: str, *, now: dt.datetime) -> selectors.HallQueue:
    """The hall's queue as of its console ``generation`` (read before calling this): read by the
    first console of the hall to render after a change, then shared by the others."""
    key = _shared_key(hall_id, generation, local_date(now))
    hit = _shared_memo.get(hall_id)
    if hit is not None and hit[0] == key and hit[1] > time.time():
        return hit[2]
    stored = cache.get(key)
    if stored is not None and stored[0] > time.time():
        until, *values = stored
        shared = selectors.HallQueue.from_stored(values)
    else:
        shared = selectors.hall_queue(hall_id=hall_id, now=now)
        until = time.time() + POLL_VERSION_SECONDS
        value = (until, *shared.stored())
        # add, not set: a console that read the generation earlier never replaces a later read
        # (but one that ran out is replaced).
        if stored is None:
            cache.add(key, value, POLL_VERSION_SECONDS)
        else:
            cache.set(key, value, POLL_VERSION_SECONDS)
    if len(_shared_memo) > 256:
        _shared_memo.clear()
    _shared_memo[hall_id] = (key, until, shared)
    return shared


def forget() -> None:
    """Drop this process's shared reads (tests)."""
    _shared_memo.clear()


def _payload(window_id: int, hall_id: int, user_id: int, until: int, generations: tuple[str, str]) -> str:
    return ".".join((str(window_id), str(hall_id), str(user_id), get_language() or "", str(until), *generations))


def _until(now: dt.datetime, changes_at: dt.datetime | None) -> int:
    """When a version made at ``now`` runs out (see the module's docstring)."""
    midnight = dt.datetime.combine(local_date(now) + dt.timedelta(days=1), dt.time(), timezone.get_current_timezone())
    ends = [now + dt.timedelta(seconds=POLL_VERSION_SECONDS), midnight]
    if changes_at is not None:
        ends.append(changes_at)
    return int(min(ends).timestamp())


def poll_version(
    window: Window,
    user_id: int,
    generations: tuple[str, str] | None,
    *,
    now: dt.datetime,
    changes_at: dt.datetime | None,
) -> str:
    """The version of the queue rendered with ``generations`` (read before the queue was): ""
    when there is none (Redis away), which no poll matches."""
    if generations is None:
        return ""
    return _signer.sign(_payload(window.pk, window.hall_id, user_id, _until(now, changes_at), generations))


def unchanged_poll(request: HttpRequest, window_id: int) -> bool:
    """An htmx poll of the queue of ``window_id`` whose version still stands: nothing it shows
    has changed (the session and its user are read; nothing else from the database)."""
    version = request.GET.get("v")
    if not version or request.method != "GET" or request.GET.get("part") != "queue":
        return False
    if not getattr(request, "htmx", None) or shared_cache.degraded():
        return False
    try:
        payload = _signer.unsign(version)
        window, hall, user, language, until, *_seen = payload.split(".")
        if int(window) != window_id or time.time() >= int(until):
            return False
        hall_id, user_id = int(hall), int(user)
    except (signing.BadSignature, ValueError):
        return False
    if language != (get_language() or ""):
        return False
    # The session that ended goes on to staff_required (the login redirect, as before).
    if not request.user.is_authenticated or request.user.pk != user_id:
        return False
    generations = _generations(hall_id, user_id)
    return generations is not None and _payload(window_id, hall_id, user_id, int(until), generations) == payload


def console_panel(
    request: HttpRequest,
    window: Window,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
    transfer_form: TransferForm | None = None,
    grant_form: GrantForm | None = None,
    template: str = PANEL,
    extra_context: dict[str, Any] | None = None,
) -> TemplateResponse:
    """The console of ``window``: the partial ``template`` for htmx, the whole page otherwise.

    ``error`` or ``notice`` is the outcome of the action just taken, answered with ``status``
    (the console swaps 2xx, 400, 409 and 429 answers); a form that failed validation comes back
    bound, with its errors. ``extra_context`` adds what another app's part of the panel needs
    (``checkin_invalid`` for the booking check-in form).

    The caller has checked access (``queueing.access.access_window``).
    """
    now = timezone.now()
    # Read before the queue: a change committing meanwhile replaces them, and the next poll renders.
    user_id = request.user.pk if request.user.is_authenticated else None
    generations = _generations(window.hall_id, user_id) if user_id is not None else None
    shared = (
        shared_hall_queue(window.hall_id, generations[0], now=now)
        if generations is not None and settings.QUEUE.get("console_shared_queue", True)
        else None
    )
    console = selectors.console(window=window, now=now, shared=shared)
    hours = services.hours_today(window.hall, local_date(now))
    changes_at = console.changes_at
    # The hall's opening, lunch break and closing change the panel (its notices): a poll version
    # made before one runs out then, as at a scheduled ticket's turn.
    hours_change = services.hours_change_at(hours, now)
    if hours_change is not None:
        changes_at = min(changes_at, hours_change) if changes_at is not None else hours_change
    closed_at = hours.closes if hours is not None and now >= hours.closes else None
    context: dict[str, Any] = {
        "console": console,
        "poll_version": ""
        if user_id is None
        else poll_version(window, user_id, generations, now=now, changes_at=changes_at),
        "window": window,
        "error": error,
        "notice": notice,
        "closed_at": closed_at,
        "next_opening": services.next_opening_after(window.hall, closed_at) if closed_at is not None else None,
        "pause": services.service_pause(hours, now),
    }
    current = console.current
    if current is not None and current.status == current.Status.CALLED:
        # 过号 is refused within the wait after the latest call: the button says so (disabled,
        # with the time it becomes available) instead of asking first and being refused after.
        allowed_from = services.no_show_allowed_from(current)
        if allowed_from is not None and allowed_from > now:
            context.update(
                no_show_from=allowed_from,
                no_show_in=max(1, math.ceil((allowed_from - now).total_seconds())),
                no_show_wait=int(services.no_show_wait(current.hall_id).total_seconds()),
            )
    htmx = getattr(request, "htmx", None)
    if not (htmx and template == QUEUE):
        # The forms and sections of the panel (the polled queue shows none of them).
        context.update(
            transfer_form=transfer_form or TransferForm(window=window),
            grant_form=grant_form or GrantForm(),
            assistance_form=AssistanceForm(),
            console_sections=extensions.sections(extensions.CONSOLE_PANEL),
            current_ticket_sections=extensions.sections(extensions.CONSOLE_CURRENT_TICKET),
        )
    context.update(extra_context or {})
    if not htmx:
        # The whole page (not a poll of the panel) keeps the rest of the workbench in reach.
        context["staff_home_sections"] = extensions.sections(extensions.STAFF_HOME)
    response = TemplateResponse(request, template if htmx else PAGE, context, status=status)
    if htmx:
        response[PANEL_HEADER] = "1"
    return response


def console_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a console action (outside its access decorator): with htmx, a refusal of access
    (403) or an unknown window (404) comes back as a panel holding the message, with its status,
    instead of an error page htmx would not show. Without htmx the error page says it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, Http404) as exc:
            if not getattr(request, "htmx", None):
                raise
            if isinstance(exc, PermissionDenied):
                status, error = 403, str(exc) or _("您没有在该窗口办理的权限。")
            else:
                status, error = 404, str(exc) or _("没有找到该窗口或号码。")
            response = TemplateResponse(request, REFUSED, {"error": error}, status=status)
            response[PANEL_HEADER] = "1"
            return response

    return wrapped
