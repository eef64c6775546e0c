"""Per-hall queue snapshots in the cache: what boards, hall pages, ticket pages and the public
API read, so that thousands of polling screens and phones cost no database queries.

Every change that commits marks its hall's snapshot dirty (one cache write, so taking a ticket
stays cheap however many screens watch); the next reader rebuilds it, once — concurrent readers
keep serving the previous copy for the few milliseconds the rebuild takes, so neither a burst of
changes nor a cold cache stampedes the database. A snapshot is also rebuilt when older than
``FRESH_SECONDS``, or when the hall's board message expires. Times that grow by themselves (the
longest wait) are stored as instants and turned into durations when read.

The board message a supervisor posts (``BoardMessage``) travels in the snapshot too, so boards
never read it from the database.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.hours import DayHours, hours_on
from catalog.models import Hall
from queueing import estimator
from queueing.config import hall_config
from queueing.models import BoardMessage, QueueCategory, ServiceTimeProfile, Ticket, TicketEvent, Window
from servicehall import cache as shared_cache
from servicehall.clock import SHANGHAI, local_date, local_now

logger = logging.getLogger(__name__)

FRESH_SECONDS = 15
# While Redis does not answer, each web process keeps its own snapshots (servicehall.cache) and
# sees only its own dirty marks: a change made through another process reaches its screens
# when this runs out.
DEGRADED_FRESH_SECONDS = 5
KEEP_SECONDS = 24 * 3600
SERVICE_LOOKBACK = dt.timedelta(hours=3)
ARRIVAL_LOOKBACK = dt.timedelta(hours=1)
CALL_LOOKBACK = dt.timedelta(minutes=30)
# A call still stands while its ticket is at the window it was called to, or was served there.
STANDING_CALL = (Ticket.Status.CALLED, Ticket.Status.SERVING, Ticket.Status.DONE)


# Hall codes never change once halls are in use: each process remembers code → id.
_hall_ids: dict[str, int] = {}


def _key(hall_id: int) -> str:
    return f"queue:snapshot:v7:{hall_id}"


def _public_key(hall_id: int) -> str:
    return f"queue:snapshot:v7:{hall_id}:public"


def _dirty_key(hall_id: int) -> str:
    return f"queue:snapshot:v7:{hall_id}:dirty"


def _lock_key(hall_id: int) -> str:
    return f"queue:snapshot:v7:{hall_id}:rebuilding"


def refresh_on_commit(hall_id: int, *, coalesced: bool = False) -> None:
    """After commit, the hall's snapshot is to be rebuilt (``mark_dirty``); ``coalesced``: by
    this process's mark writer, with the other marks of the next moment (``mark_dirty_soon``)."""
    # Robust: the change has committed, and nothing that fails after (the cache, whatever it is)
    # may turn it into an error response (issue 9: calls that answered 500 had committed).
    transaction.on_commit(lambda: (mark_dirty_soon if coalesced else mark_dirty)(hall_id), robust=True)


def mark_dirty(hall_id: int) -> None:
    """The hall's snapshot is to be rebuilt and its consoles to render again: one round trip."""
    _write_marks([hall_id])


def _write_marks(hall_ids: Iterable[int]) -> None:
    shared_cache.write_many(
        {_dirty_key(hall_id): (1, KEEP_SECONDS) for hall_id in hall_ids}, [console_key(hall_id) for hall_id in hall_ids]
    )


# --- Marks coalesced per process (issue 14) ---------------------------------------------------
# A ticket issue, the write the city makes most, does not wait for its mark: it hands the hall to
# this process's mark writer, a thread that writes every hall handed to it within the next
# ``QUEUE["issue_mark_seconds"]`` in one round trip. Under load many issues share a round trip
# (each paid one of its own, as much CPU as its whole database transaction); a board, a console
# or a ticket page learns of the ticket that moment later. A ticket's own page does not wait for
# it (``for_ticket``). A mark lost with its process (killed in that moment) is made good by the
# snapshot's expiry (``FRESH_SECONDS``), as a mark lost to a cache that is down is. Zero (the
# tests' setting): each mark is written at once, as ``mark_dirty``.


class _MarkWriter:
    def __init__(self) -> None:
        self.pending: set[int] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pid = 0  # the process whose thread runs; a forked child starts its own

    def add(self, hall_id: int) -> None:
        with self.lock:
            self.pending.add(hall_id)
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self.run, name="snapshot-marks", daemon=True).start()
        self.wake.set()

    def take(self) -> list[int]:
        with self.lock:
            self.wake.clear()
            taken, self.pending = list(self.pending), set()
        return taken

    def run(self) -> None:
        while True:
            self.wake.wait()
            time.sleep(settings.QUEUE.get("issue_mark_seconds", 0))
            self.flush()

    def flush(self) -> None:
        taken = self.take()
        if not taken:
            return
        try:
            _write_marks(taken)
        except Exception:  # noqa: BLE001 - the writer must outlive any failure; the snapshot expires anyway
            logger.exception("snapshot marks not written (halls %s)", taken)


_mark_writer = _MarkWriter()
atexit.register(_mark_writer.flush)


def mark_dirty_soon(hall_id: int) -> None:
    """``mark_dirty``, written by this process's mark writer with the other marks of the next
    ``QUEUE["issue_mark_seconds"]`` (at once when that is zero)."""
    if settings.QUEUE.get("issue_mark_seconds", 0):
        _mark_writer.add(hall_id)
    else:
        mark_dirty(hall_id)


# --- What window consoles have seen (issue 14) ------------------------------------------------
# Each hall has a console generation, a random token in the cache that every change of its
# queues or windows replaces (``mark_dirty`` above, and the changes boards do not show, such as
# assistance requests: ``console_changed_on_commit``). A console's queue poll that carries the
# generation it was rendered with is answered 204 while it stands (``queueing.console``). A
# missing token (evicted, Redis flushed) is replaced by a new one, which no console has seen.


def console_key(hall_id: int) -> str:
    return f"queue:console:v1:hall:{hall_id}"


def console_changed(hall_id: int) -> None:
    cache.delete(console_key(hall_id))


def console_changed_on_commit(hall_id: int) -> None:
    """After commit, the hall's consoles render their queue again (robust, as ``refresh_on_commit``)."""
    transaction.on_commit(lambda: console_changed(hall_id), robust=True)


def _store(hall_id: int, data: dict[str, Any]) -> None:
    """Keep the full snapshot (with each queue's order, for ticket pages) and, under its own key,
    the small public part that boards, hall pages and the API poll (serialised once here)."""
    shown = public(data, now=dt.datetime.fromtimestamp(data["generated_at"], tz=dt.UTC))
    cache.set_many(
        {
            _key(hall_id): data,
            _public_key(hall_id): {
                "public": shown,
                "json": json.dumps(shown, ensure_ascii=False, cls=DjangoJSONEncoder).encode(),
                "hours": data["hours"],
                "generated_at": data["generated_at"],
                "fresh_until": data["fresh_until"],
                "hall": data["hall"],
            },
        },
        KEEP_SECONDS,
    )


def _rebuild(hall_id: int, *, now: dt.datetime) -> dict[str, Any] | None:
    # The dirty mark is cleared before reading the database: a change committing meanwhile
    # marks it again and the next reader rebuilds once more.
    cache.delete(_dirty_key(hall_id))
    hall = Hall.objects.filter(pk=hall_id).prefetch_related("opening_hours").first()
    if hall is None:
        return None
    data = build(hall, now=now)
    _store(hall_id, data)
    return data


def refresh(hall_id: int, *, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """Rebuild now (for a writer that needs the fresh figures in its own response)."""
    return _rebuild(hall_id, now=now or timezone.now())


def peek(hall_id: int) -> dict[str, Any] | None:
    """The cached snapshot as it is, even if a change has marked it dirty (never rebuilds)."""
    return cache.get(_key(hall_id))


def peek_public(hall_id: int) -> dict[str, Any] | None:
    """The cached public part as it is (never rebuilds)."""
    return cache.get(_public_key(hall_id))


def public_key(hall_id: int) -> str:
    """The cache key of the hall's public part, for a caller that reads it with other keys."""
    return _public_key(hall_id)


def _hall_id(code: str) -> int | None:
    hall_id = _hall_ids.get(code)
    if hall_id is None:
        hall_id = Hall.objects.filter(code=code).values_list("pk", flat=True).first()
        if hall_id is None:
            return None
        _hall_ids[code] = hall_id
    return hall_id


def get(code: str, *, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The full snapshot of hall ``code`` (None if there is no such hall)."""
    return _read(code, _key, now=now or timezone.now())


def for_ticket(ticket: Ticket) -> dict[str, Any] | None:
    """The full snapshot of ``ticket``'s hall, as ``get``, rebuilt at once when it was built
    before the ticket was issued and does not hold it although it waits: the issue's mark is
    still on its way (``mark_dirty_soon``), or was lost, and the person asking is the one who
    just took the ticket."""
    data = get(ticket.hall.code)
    if data is None or ticket.status != Ticket.Status.WAITING or data["generated_at"] >= ticket.issued_at.timestamp():
        return data
    row = category_row(data, ticket.category_id)
    if row is not None and ticket.pk in row["queue"]:
        return data
    # Under the rebuild lock, as any reader's rebuild: a burst of such tickets rebuilds once.
    return _rebuild_unless_rebuilding(ticket.hall_id, _key, data, now=timezone.now()) or data


# The public part is also kept in each process for a fraction of a second: a hall's phones and
# screens poll the same few kilobytes thousands of times a second, and within that moment they
# need no cache round trip at all. (A call still reaches a board polling every 2 s within 3 s.)
_public_memo: dict[str, tuple[float, dict[str, Any]]] = {}


def get_public(code: str, *, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The public part of hall ``code``'s snapshot: {"public", "json", "hours", "generated_at",
    "hall"} — a few kilobytes whatever the length of the queues."""
    memo_seconds = settings.QUEUE.get("snapshot_memo_seconds", 0)
    if memo_seconds and now is None:
        hit = _public_memo.get(code)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
    data = _read(code, _public_key, now=now or timezone.now())
    if memo_seconds and data is not None:
        _public_memo[code] = (time.monotonic() + memo_seconds, data)
    return data


def _read(code: str, key: Any, *, now: dt.datetime) -> dict[str, Any] | None:
    hall_id = _hall_id(code)
    if hall_id is None:
        return None
    data = _read_id(hall_id, key, now=now)
    if data is None or data["hall"]["code"] != code:  # the remembered id is stale (the hall was replaced)
        _hall_ids.pop(code, None)
        hall_id = _hall_id(code)
        data = None if hall_id is None else _read_id(hall_id, key, now=now)
    return data


def _read_id(hall_id: int, key: Any, *, now: dt.datetime) -> dict[str, Any] | None:
    found = cache.get_many([key(hall_id), _dirty_key(hall_id)])
    data = found.get(key(hall_id))
    if data is not None and _dirty_key(hall_id) not in found and data["fresh_until"] > now.timestamp():
        return data
    return _rebuild_unless_rebuilding(hall_id, key, data, now=now)


def _rebuild_unless_rebuilding(
    hall_id: int, key: Any, data: dict[str, Any] | None, *, now: dt.datetime
) -> dict[str, Any] | None:
    """Rebuild the hall's snapshot and return its ``key`` part, unless another reader is
    rebuilding it: then ``data``, the copy in hand, at most a moment old."""
    if data is not None and not cache.add(_lock_key(hall_id), 1, 10):
        return data
    try:
        full = _rebuild(hall_id, now=now)
    finally:
        cache.delete(_lock_key(hall_id))
    if full is None:
        return None
    return full if key is _key else cache.get(key(hall_id))


def build(hall: Hall, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Read the hall's queues from the database (a fixed number of queries, whatever the load)."""
    now = now or timezone.now()
    today = local_date(now)
    config = hall_config(hall)
    categories = list(QueueCategory.objects.filter(hall=hall, is_active=True).order_by("order", "letter"))
    windows = list(Window.objects.filter(hall=hall).prefetch_related("categories").order_by("number"))
    at_counter = {
        t.window_id: t
        for t in Ticket.objects.filter(hall=hall, service_date=today, status__in=Ticket.AT_WINDOW).only(
            "number", "status", "window_id", "called_at", "urgent"
        )
    }
    starving_before = now - config.starvation
    waiting = list(
        Ticket.objects.filter(hall=hall, service_date=today, status=Ticket.Status.WAITING)
        .only(
            "pk",
            "category_id",
            "priority",
            "urgent",
            "arrived_at",
            "number",
            "sequence",
            "target_window_id",
            "not_before",
        )
        .order_by("arrived_at", "pk")
    )
    durations = {
        row["category_id"]: row
        for row in Ticket.objects.filter(
            hall=hall,
            service_date=today,  # keeps the query on today's rows of the (hall, service_date, status) index
            status=Ticket.Status.DONE,
            finished_at__gte=now - SERVICE_LOOKBACK,
            started_at__isnull=False,
        )
        .values("category_id")
        .annotate(
            n=Count("pk"),
            total=Sum(ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())),
        )
    }
    # The last hour's arrivals per queue (how the shared windows split themselves, and how many
    # green-channel and appointment tickets will overtake a normal one), and the service times the
    # queues have learned per hour (the estimator's priors): two more queries, whatever the load.
    arrivals = {
        row["category_id"]: row
        for row in Ticket.objects.filter(hall=hall, service_date=today)
        .filter(Q(issued_at__gt=now - ARRIVAL_LOOKBACK) | Q(called_at__gt=now - CALL_LOOKBACK))
        .values("category_id")
        .annotate(
            n=Count("pk", filter=Q(issued_at__gt=now - ARRIVAL_LOOKBACK)),
            priority=Count("pk", filter=Q(issued_at__gt=now - ARRIVAL_LOOKBACK) & ~Q(priority="")),
            called=Count("pk", filter=Q(called_at__gt=now - CALL_LOOKBACK)),
            last_sequence=Max("sequence", filter=Q(issued_at__gt=now - ARRIVAL_LOOKBACK)),
        )
        .order_by()
    }
    profiles: dict[int, dict[int, tuple[int, float]]] = {}
    for category_id, hour, samples, mean_seconds in ServiceTimeProfile.objects.filter(category__hall=hall).values_list(
        "category_id", "hour", "samples", "mean_seconds"
    ):
        profiles.setdefault(category_id, {})[hour] = (samples, mean_seconds)
    # "Now calling" lists only calls that still stand: the ticket is at that window or was served
    # there. A ticket taken away from the window after its call (returned to its queue at logout
    # or sign-out, transferred, marked a no-show, expired) is no longer called there, and
    # announcing it would send the person to a window that will not serve them.
    recent = list(
        TicketEvent.objects.filter(
            ticket__hall=hall, ticket__service_date=today, kind__in=(TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED)
        )
        .filter(ticket__window=F("window"), ticket__status__in=STANDING_CALL)
        # A call at a window since closed stands no more, even if its ticket was served there:
        # nobody may be sent to a closed window (walkthrough: A002 shown 10 minutes after).
        .filter(window__is_open=True)
        .select_related("ticket", "window")
        .order_by("-at", "-pk")[: config.recent_calls_shown]
    )
    message = (
        BoardMessage.objects.filter(hall=hall, withdrawn_at__isnull=True, posted_at__lte=now, expires_at__gt=now)
        .order_by("-posted_at", "-pk")
        .only("text", "posted_at", "expires_at")
        .first()
    )
    weekly = {row.weekday: row for row in hall.opening_hours.all()}
    hours = hours_on(today, weekly=weekly, day_kind=catalog_selectors.day_kinds(start=today, end=today))

    open_windows = [w for w in windows if w.is_open]
    fresh = DEGRADED_FRESH_SECONDS if shared_cache.degraded() else FRESH_SECONDS
    by_category: dict[int, list[Ticket]] = {c.pk: [] for c in categories}
    for ticket in waiting:
        by_category.setdefault(ticket.category_id, []).append(ticket)

    def rank(ticket: Ticket) -> tuple[int, dt.datetime, int]:
        # The order of ``services.callable_tickets``: an approved urgent matter (急) first.
        group = -1 if ticket.urgent else 0 if ticket.arrived_at <= starving_before else (1 if ticket.priority else 2)
        return group, ticket.arrived_at, ticket.pk

    prior = config.default_service_minutes * 60
    hour = local_now(now).hour
    pause = _lunch(hours, now)
    all_ids = [c.pk for c in categories]
    served_by = [(w, all_ids if w.serves_every_category else [c.pk for c in w.categories.all()]) for w in open_windows]
    recent_arrivals = {pk: float(row["n"]) for pk, row in arrivals.items()}
    category_rows = []
    for category in categories:
        queue = sorted(by_category.get(category.pk, []), key=rank)
        serving_windows = [w for w, served in served_by if category.pk in served]
        serving = len(serving_windows)
        stats = durations.get(category.pk)
        total = stats["total"].total_seconds() if stats and stats["total"] else 0.0
        category_prior, weight = estimator.learned_prior(profiles.get(category.pk), hour=hour, default_seconds=prior)
        mean = estimator.mean_service_seconds(
            total_seconds=total, samples=stats["n"] if stats else 0, prior_seconds=category_prior, prior_weight=weight
        )
        last_hour = arrivals.get(category.pk)
        category_rows.append(
            {
                "id": category.pk,
                "letter": category.letter,
                "name": category.name,
                "name_en": category.name_en,
                "waiting": len(queue),
                "priority_waiting": sum(1 for t in queue if t.priority),
                "oldest_arrived_at": min((t.arrived_at for t in queue), default=None),
                "open_windows": serving,
                "mean_service_seconds": round(mean, 1),
                # The estimator's inputs beside the open windows (queueing.estimator.row_wait_seconds).
                "effective_windows": round(
                    estimator.effective_windows(
                        windows=[served for _, served in served_by], arrivals=recent_arrivals, category_id=category.pk
                    ),
                    3,
                ),
                "busy_windows": sum(1 for w in serving_windows if w.pk in at_counter),
                "priority_per_hour": last_hour["priority"] if last_hour else 0,
                # The newest number of the queue's day this copy knows (issued in the last hour or
                # still waiting): a ticket issued after it has every number between ahead of it too
                # (``apis.issued_status``), however old the copy it is answered from.
                "last_sequence": max(
                    [t.sequence for t in queue]
                    + ([last_hour["last_sequence"]] if last_hour and last_hour["last_sequence"] else []),
                    default=None,
                ),
                "called_last_30": last_hour["called"] if last_hour else 0,
                **pause,
                "queue": [t.pk for t in queue],
                # Checked-in appointments not callable before their slot starts (``not_before``,
                # queueing.services.callable_tickets): [ticket id, timestamp], read by ``position``.
                "scheduled": [[t.pk, t.not_before.timestamp()] for t in queue if t.not_before and t.not_before > now],
            }
        )
    data = {
        "hall": {"id": hall.pk, "code": hall.code, "name": hall.name, "name_en": hall.name_en},
        "generated_at": now.timestamp(),
        # Rebuilt when the board message expires, so it leaves the board on time.
        "fresh_until": min(now.timestamp() + fresh, message.expires_at.timestamp())
        if message
        else now.timestamp() + fresh,
        "message": None
        if message is None
        else {
            "text": message.text,
            "posted_at": message.posted_at.timestamp(),
            "expires_at": message.expires_at.timestamp(),
        },
        "service_date": today.isoformat(),
        "hours": None
        if hours is None
        else {
            "opens": hours.opens.timestamp(),
            "closes": hours.closes.timestamp(),
            "lunch": [hours.morning_closes.strftime("%H:%M"), hours.afternoon_opens.strftime("%H:%M")],
        },
        "categories": category_rows,
        "windows": [
            {
                "number": w.number,
                "kind": w.kind,
                "is_open": w.is_open,
                "current": at_counter[w.pk].number if w.pk in at_counter else None,
                "current_status": at_counter[w.pk].status if w.pk in at_counter else None,
                # 急事急办: the board marks the number 急, as the green channel's V.
                "current_urgent": at_counter[w.pk].urgent if w.pk in at_counter else False,
                "categories": ["*"] if w.serves_every_category else [c.letter for c in w.categories.all()],
            }
            for w in windows
        ],
        "recent_calls": [
            {
                "event": e.pk,
                "number": e.ticket.number,
                "urgent": e.ticket.urgent,
                "window": e.window.number if e.window else None,
                "at": e.at.timestamp(),
                # Still being called or served there (a served ticket is only a recent call).
                "current": e.ticket.status in Ticket.AT_WINDOW,
            }
            for e in recent
        ],
    }
    return data


def _lunch(hours: DayHours | None, now: dt.datetime) -> dict[str, float | None]:
    """When the windows next stop for lunch (seconds from ``now``; 0 during it) and for how
    long (what is left of it): no window calls then, so a wait that reaches it grows by it."""
    if hours is None or hours.morning_closes >= hours.afternoon_opens:
        return {"lunch_in_seconds": None, "lunch_seconds": None}
    starts = dt.datetime.combine(hours.day, hours.morning_closes, SHANGHAI)
    ends = dt.datetime.combine(hours.day, hours.afternoon_opens, SHANGHAI)
    if now >= ends:
        return {"lunch_in_seconds": None, "lunch_seconds": None}
    return {
        "lunch_in_seconds": max(0.0, (starts - now).total_seconds()),
        "lunch_seconds": (ends - max(now, starts)).total_seconds(),
    }


@dataclass(frozen=True)
class Place:
    """Where a waiting ticket stands in its queue: ``ahead`` may be called before it now;
    ``scheduled`` more ahead of it are checked-in appointments not callable before their slot
    starts, the first of them at ``scheduled_from``."""

    ahead: int
    scheduled: int
    scheduled_from: dt.datetime | None


def place(data: dict[str, Any], ticket: Ticket, *, now: dt.datetime | None = None) -> Place | None:
    """The place of a waiting ticket in its queue (None if it is not waiting), as of ``now``: an
    appointment whose slot has not started is not among the people ahead (issue 8), however the
    call order ranks it, because no window may call it yet."""
    row = category_row(data, ticket.category_id)
    if row is None:
        return None
    try:
        index = row["queue"].index(ticket.pk)
    except ValueError:
        return None
    stamp = (now or timezone.now()).timestamp()
    later = {pk: at for pk, at in row.get("scheduled", ()) if at > stamp}
    before = [later[pk] for pk in row["queue"][:index] if pk in later]
    return Place(
        ahead=index - len(before),
        scheduled=len(before),
        scheduled_from=dt.datetime.fromtimestamp(min(before), tz=dt.UTC) if before else None,
    )


def position(data: dict[str, Any], ticket: Ticket, *, now: dt.datetime | None = None) -> int | None:
    """How many people a window may call before a waiting ticket of its queue (None if it is not
    waiting): ``place(…).ahead``."""
    found = place(data, ticket, now=now)
    return found.ahead if found is not None else None


def category_row(data: dict[str, Any], category_id: int) -> dict[str, Any] | None:
    return next((row for row in data["categories"] if row["id"] == category_id), None)


def public(data: dict[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """What anyone may see: no ticket ids, waits as minutes as of ``now``."""
    now = now or timezone.now()
    stamp = now.timestamp()
    hours = data["hours"]
    return {
        "hall": {k: data["hall"][k] for k in ("code", "name", "name_en")},
        "generated_at": dt.datetime.fromtimestamp(data["generated_at"], tz=dt.UTC).isoformat(),
        "open_now": bool(hours and hours["opens"] <= stamp < hours["closes"]),
        "categories": [
            {
                "letter": row["letter"],
                "name": row["name"],
                "name_en": row["name_en"],
                "waiting": row["waiting"],
                "priority_waiting": row["priority_waiting"],
                "open_windows": row["open_windows"],
                "mean_service_seconds": row["mean_service_seconds"],
                "effective_windows": row.get("effective_windows"),
                "busy_windows": row.get("busy_windows"),
                "priority_per_hour": row.get("priority_per_hour", 0),
                "last_sequence": row.get("last_sequence"),
                "lunch_in_seconds": row.get("lunch_in_seconds"),
                "lunch_seconds": row.get("lunch_seconds"),
                "longest_wait_minutes": None
                if row["oldest_arrived_at"] is None
                else int((now - row["oldest_arrived_at"]).total_seconds() // 60),
                "estimated_wait_minutes": estimator.row_wait_minutes(row, ahead=row["waiting"]),
            }
            for row in data["categories"]
        ],
        "windows": [
            {
                **{k: w[k] for k in ("number", "kind", "is_open", "current", "current_status")},
                "current_urgent": w.get("current_urgent", False),
            }
            for w in data["windows"]
        ],
        "recent_calls": [
            {
                "number": c["number"],
                "urgent": c.get("urgent", False),
                "window": c["window"],
                "at": dt.datetime.fromtimestamp(c["at"], tz=dt.UTC).isoformat(),
                "event": c["event"],
                "current": c["current"],
            }
            for c in data["recent_calls"]
        ],
        "message": _public_message(data.get("message"), stamp),
    }


def _public_message(message: dict[str, Any] | None, stamp: float) -> dict[str, Any] | None:
    """The hall's board message while it is shown (a snapshot may outlive its expiry by a moment)."""
    if message is None or message["expires_at"] <= stamp:
        return None
    return {
        "text": message["text"],
        "expires_at": dt.datetime.fromtimestamp(message["expires_at"], tz=dt.UTC).isoformat(),
    }
