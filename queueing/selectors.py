"""Reads for the window console, the queue API and the kiosk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import DEFERRED, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.hours import hours_on
from catalog.models import Hall
from queueing.config import hall_config
from queueing.models import AssistanceRequest, QueueCategory, Ticket, TicketEvent, Window
from servicehall.access import AnyUser
from servicehall.clock import local_date
from servicehall.models import AuditEvent, StaffProfile

CONSOLE_LIST_LENGTH = 30


# The latest call of a ticket: its call or a recall (重新叫号), read from its events (ticket_event_idx).
# ``called_at`` is not it: it stays the first call of the ticket's turn, the end of the wait every
# figure measures (``Ticket.wait_seconds``), while a recall starts the no-show wait again.
def _calls_of(ticket: Any) -> QuerySet[TicketEvent]:
    """A ticket's calls and recalls, latest first (``ticket``: a ticket or an ``OuterRef``)."""
    return TicketEvent.objects.filter(
        ticket=ticket, kind__in=(TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED)
    ).order_by("-at", "-pk")


_LAST_CALL = Subquery(_calls_of(OuterRef("pk")).values("at")[:1])


@dataclass
class Console:
    window: Window
    current: Ticket | None
    upcoming: list[Ticket]
    waiting_total: int
    per_category: list[tuple[str, str, int]]  # (letter, name, waiting) for the queues this window calls
    categories: list[QueueCategory]
    # Checked-in appointments waiting for their slot to start (``not_before``): in the queue, not
    # callable yet, counted apart from ``waiting_total``; earliest first.
    scheduled: list[Ticket]
    scheduled_total: int
    # ticket id -> its open assistance request (帮办代办、陪同办): a badge beside the ticket.
    assisted: dict[int, AssistanceRequest] = field(default_factory=dict)
    # The next instant the queue shown changes by itself, with no write to the database: an
    # appointment's slot starts (it becomes callable) or a ticket reaches the starvation limit
    # (it moves up the call order). None when nothing waiting will (issue 14: the console's poll).
    changes_at: dt.datetime | None = None


# What a console needs of each waiting ticket of the hall, in this order (``HallQueue.waiting``).
_WAITING_FIELDS = ("id", "number", "category_id", "arrived_at", "priority", "urgent", "target_window_id", "not_before")
_TICKET_FIELDS = Ticket._meta.concrete_fields
_CATEGORY_FIELDS = ("id", "hall_id", "letter", "name", "name_en", "order", "is_active")


@dataclass(frozen=True)
class HallQueue:
    """What every window console of a hall reads alike (issue 14): the hall's waiting tickets of
    the day, its categories, which categories each window serves, and which tickets have an open
    assistance request. Read in four queries whatever the number of windows, then each console
    picks its own queue from it (``console``), so the windows of a hall that all render again
    after a change can share one read (``queueing.console``). Plain values only, to keep in the
    cache: no personal data (numbers, times and ids)."""

    service_date: dt.date
    waiting: tuple[tuple[Any, ...], ...]  # _WAITING_FIELDS, in arrival order
    categories: tuple[dict[str, Any], ...]  # _CATEGORY_FIELDS, every category of the hall, in display order
    window_categories: dict[int, frozenset[int]]
    assisted: frozenset[int]  # tickets with an open assistance request of the day (assistance_desk_idx)

    def stored(self) -> tuple[Any, ...]:
        """Plain values for the cache (``from_stored`` turns them back)."""
        return (self.service_date, self.waiting, self.categories, self.window_categories, self.assisted)

    @classmethod
    def from_stored(cls, values: Any) -> HallQueue:
        service_date, waiting, categories, window_categories, assisted = values
        return cls(service_date, waiting, categories, window_categories, assisted)


def hall_queue(*, hall_id: int, now: dt.datetime) -> HallQueue:
    today = local_date(now)
    served: dict[int, set[int]] = {}
    for window_id, category_id in Window.categories.through.objects.filter(window__hall_id=hall_id).values_list(
        "window_id", "queuecategory_id"
    ):
        served.setdefault(window_id, set()).add(category_id)
    waiting = tuple(
        Ticket.objects.filter(hall_id=hall_id, service_date=today, status=Ticket.Status.WAITING)
        .order_by("arrived_at", "pk")
        .values_list(*_WAITING_FIELDS)
    )
    # Read after the tickets, so that every ticket's category is among them.
    categories = tuple(
        QueueCategory.objects.filter(hall_id=hall_id).order_by("order", "letter").values(*_CATEGORY_FIELDS)
    )
    assisted = frozenset(
        AssistanceRequest.objects.filter(
            hall_id=hall_id, service_date=today, status__in=AssistanceRequest.OPEN, ticket__isnull=False
        ).values_list("ticket_id", flat=True)
    )
    return HallQueue(
        service_date=today,
        waiting=waiting,
        categories=categories,
        window_categories={window_id: frozenset(ids) for window_id, ids in served.items()},
        assisted=assisted,
    )


def console(*, window: Window, now: dt.datetime, shared: HallQueue | None = None) -> Console:
    """What the window's console shows: its current ticket, the tickets it would call next (in
    call order) and the checked-in appointments it will call once their slot starts. One query
    for the current ticket, and the hall's queue (``shared``, or read here: ``hall_queue``); a
    query more when a ticket shown has an open assistance request.

    The window's queue is picked from the hall's with the rules of ``services.window_waiting``
    and ordered as ``services.callable_tickets`` orders it (tests/queueing/test_console_shared.py
    holds the two together)."""
    if shared is None or shared.service_date != local_date(now):
        shared = hall_queue(hall_id=window.hall_id, now=now)
    current = (
        Ticket.objects.select_related("category")
        .filter(window=window, status__in=Ticket.AT_WINDOW)
        .annotate(last_call_at=_LAST_CALL)
        .first()
    )
    starvation = hall_config(window.hall).starvation
    starving_before = now - starvation
    green = window.kind == Window.Kind.GREEN_CHANNEL
    every = window.serves_every_category
    served = shared.window_categories.get(window.pk, frozenset())

    def mine(row: tuple[Any, ...]) -> bool:  # services.window_waiting
        target = row[6]
        if target is not None:
            return target == window.pk
        return every or row[2] in served or (green and row[4] in Ticket.GREEN_CHANNEL)

    def rank(row: tuple[Any, ...]) -> tuple[int, dt.datetime, int]:  # services.callable_tickets
        _, _, _, arrived_at, priority, urgent, _, _ = row
        if urgent:
            group = 0
        elif arrived_at <= starving_before:
            group = 1
        elif green:
            group = 2 if priority in Ticket.GREEN_CHANNEL else 3 if priority else 4
        else:
            group = 2 if priority else 3
        return group, arrived_at, row[0]

    rows = [row for row in shared.waiting if mine(row)]
    ready = sorted((row for row in rows if row[7] is None or row[7] <= now), key=rank)
    later = sorted((row for row in rows if row[7] is not None and row[7] > now), key=lambda r: (r[7], r[3], r[0]))
    counts: dict[int, int] = {}
    for row in ready:
        counts[row[2]] = counts.get(row[2], 0) + 1
    turns = [row[7] for row in later]
    turns += [row[3] + starvation for row in rows if not row[5] and row[3] > starving_before]
    categories = {row["id"]: QueueCategory(**row) for row in shared.categories}
    upcoming = [_waiting_ticket(row, window, categories, shared.service_date) for row in ready[:CONSOLE_LIST_LENGTH]]
    scheduled = [_waiting_ticket(row, window, categories, shared.service_date) for row in later[:CONSOLE_LIST_LENGTH]]
    shown = [t for t in (current, *upcoming, *scheduled) if t is not None]
    assisted = assisted_tickets([t.pk for t in shown if t.pk in shared.assisted])
    for ticket in shown:
        # What the template shows beside the ticket (``assistance`` is not a field of Ticket).
        setattr(ticket, "assistance", assisted.get(ticket.pk))  # noqa: B010
    active = [category for category in categories.values() if category.is_active]
    return Console(
        window=window,
        current=current,
        upcoming=upcoming,
        waiting_total=len(ready),
        per_category=[(c.letter, c.display_name, counts[c.pk]) for c in active if c.pk in counts],
        categories=active,
        scheduled=scheduled,
        scheduled_total=len(later),
        assisted=assisted,
        changes_at=min(turns, default=None),
    )


def last_called_at(ticket: Ticket) -> dt.datetime | None:
    """When ``ticket`` was last called or recalled (None if never): read with the console's
    current ticket (``last_call_at``), else here. A ticket called without an event (demo data)
    counts from ``called_at``."""
    if hasattr(ticket, "last_call_at"):
        latest = ticket.last_call_at
    else:
        latest = _calls_of(ticket).values_list("at", flat=True).first()
    return max((at for at in (latest, ticket.called_at) if at is not None), default=None)


def _waiting_ticket(row: tuple[Any, ...], window: Window, categories: dict[int, QueueCategory], day: dt.date) -> Ticket:
    """A waiting ticket of ``HallQueue.waiting`` as the console shows it: the other fields are
    deferred, as if read with ``only()``."""
    known = dict(zip(_WAITING_FIELDS, row, strict=True))
    known.update(hall_id=window.hall_id, service_date=day, status=Ticket.Status.WAITING)
    ticket = Ticket.from_db(None, list(known), [known.get(f.attname, DEFERRED) for f in _TICKET_FIELDS])
    ticket.category = categories[row[2]]
    return ticket


def windows_serving(*, ticket: Ticket, besides: Window | None = None) -> int:
    """How many open windows would call this waiting ticket (one query): the window it was
    transferred to, or else the comprehensive windows, the windows of its queue and, for the
    green channel, the green-channel windows (the rule of ``services.window_waiting``);
    ``besides`` is left out (the window it is about to leave)."""
    windows = Window.objects.filter(hall_id=ticket.hall_id, is_open=True)
    if besides is not None:
        windows = windows.exclude(pk=besides.pk)
    if ticket.target_window_id is not None:
        return windows.filter(pk=ticket.target_window_id).count()
    serves = Q(kind=Window.Kind.COMPREHENSIVE) | Q(categories=ticket.category_id)
    if ticket.priority in Ticket.GREEN_CHANNEL:
        serves |= Q(kind=Window.Kind.GREEN_CHANNEL)
    return windows.filter(serves).values("pk").distinct().count()


def hall_windows(*, hall_id: int) -> QuerySet[Window]:
    return (
        Window.objects.filter(hall_id=hall_id)
        .select_related("staff__staff_profile")
        .prefetch_related("categories")
        .order_by("number")
    )


def window_of(user: AnyUser) -> Window | None:
    """The window the user is signed in at, if any."""
    if not user.is_authenticated:
        return None
    return Window.objects.select_related("hall").filter(staff=user).first()


def staff_profile(user: AnyUser) -> StaffProfile | None:
    """The user's profile with their hall and department (the staff home page names them)."""
    if not user.is_authenticated:
        return None
    return StaffProfile.objects.select_related("hall", "department").filter(user=user).first()


def people_ahead(*, ticket: Ticket, now: dt.datetime) -> int:
    """How many waiting tickets of the same queue come before ``ticket`` in call order (one
    COUNT on the waiting-tickets index). The order is the one the snapshot uses: approved urgent
    matters (急事急办) first, then long waits, then priority, then arrival."""
    starving_before = now - hall_config(ticket.hall).starvation

    def group(t_urgent: bool, t_priority: str, t_arrived: dt.datetime) -> int:
        return 0 if t_urgent else 1 if t_arrived <= starving_before else (2 if t_priority else 3)

    mine = group(ticket.urgent, ticket.priority, ticket.arrived_at)
    urgent = Q(urgent=True)
    starving = ~urgent & Q(arrived_at__lte=starving_before)
    priority = ~urgent & ~Q(arrived_at__lte=starving_before) & ~Q(priority="")
    normal = ~urgent & ~Q(arrived_at__lte=starving_before) & Q(priority="")
    same_group = (urgent, starving, priority, normal)[mine]
    earlier_groups = [urgent, starving, priority][:mine]
    before = same_group & (Q(arrived_at__lt=ticket.arrived_at) | Q(arrived_at=ticket.arrived_at, pk__lt=ticket.pk))
    for condition in earlier_groups:
        before |= condition
    return (
        Ticket.objects.filter(
            hall_id=ticket.hall_id,
            category_id=ticket.category_id,
            service_date=ticket.service_date,
            status=Ticket.Status.WAITING,
        )
        .filter(before)
        .count()
    )


def waiting_today(*, hall_id: int, now: dt.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_id=hall_id, service_date=local_date(now), status=Ticket.Status.WAITING)


# --- Another hall that serves a queue no window serves here (the kiosk) ------------------------

ELSEWHERE_SHOWN = 3
# Windows open and close a few times a day; a kiosk asking again within this long gets the same
# answer from the cache, so a queue without a window costs no query per press.
ELSEWHERE_CACHE_SECONDS = 30


@dataclass(frozen=True)
class ServedElsewhere:
    """A queue of another hall like one no window serves here, with a window open for it now."""

    hall_code: str
    hall_name: str
    hall_name_en: str
    address: str
    address_en: str
    same_district: bool
    letter: str
    name: str
    name_en: str
    open_windows: int
    waiting: int


def served_elsewhere(*, hall: Hall, category: QueueCategory, now: dt.datetime) -> list[ServedElsewhere]:
    """Halls of the same district, and the city-level centres (which serve the whole city), with
    an active queue of the same name as ``category`` that an open window serves and that are open
    now: nearest first (same district), then the shortest queue per open window. The letters are
    each hall's own, so queues are matched by name. Three queries, kept for
    ``ELSEWHERE_CACHE_SECONDS``."""
    key = f"queue:elsewhere:v2:{hall.pk}:{category.pk}:{local_date(now).isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _served_elsewhere(hall=hall, category=category, now=now)
        cache.set(key, found, ELSEWHERE_CACHE_SECONDS)
    return found


def _served_elsewhere(*, hall: Hall, category: QueueCategory, now: dt.datetime) -> list[ServedElsewhere]:
    today = local_date(now)
    # A comprehensive window serves every queue of its hall (无差别受理); other windows theirs.
    serving = (
        Window.objects.filter(hall_id=OuterRef("hall_id"), is_open=True)
        .filter(Q(kind=Window.Kind.COMPREHENSIVE) | Q(categories=OuterRef("pk")))
        .order_by()
        .values("hall_id")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    waiting = (
        Ticket.objects.filter(category_id=OuterRef("pk"), service_date=today, status=Ticket.Status.WAITING)
        .order_by()
        .values("category_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    candidates = list(
        QueueCategory.objects.filter(is_active=True, name=category.name)
        .filter(Q(hall__district=hall.district) | Q(hall__level=Hall.Level.CITY))
        .exclude(hall_id=hall.pk)
        .annotate(
            open_windows=Coalesce(Subquery(serving, output_field=IntegerField()), Value(0)),
            waiting_now=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)),
        )
        .filter(open_windows__gt=0)
        .select_related("hall")
        .prefetch_related("hall__opening_hours")
    )
    if not candidates:
        return []
    # A window left signed in after closing time does not make a hall open.
    day_kind = catalog_selectors.day_kinds(start=today, end=today)
    rows = []
    for queue in candidates:
        weekly = {row.weekday: row for row in queue.hall.opening_hours.all()}
        hours = hours_on(today, weekly=weekly, day_kind=day_kind)
        if hours is None or not hours.is_open_at(now):
            continue
        rows.append(
            ServedElsewhere(
                hall_code=queue.hall.code,
                hall_name=queue.hall.name,
                hall_name_en=queue.hall.name_en,
                address=queue.hall.address,
                address_en=queue.hall.address_en,
                same_district=queue.hall.district == hall.district,
                letter=queue.letter,
                name=queue.name,
                name_en=queue.name_en,
                open_windows=queue.open_windows,
                waiting=queue.waiting_now,
            )
        )
    rows.sort(key=lambda row: (not row.same_district, row.waiting / row.open_windows, row.hall_code))
    return rows[:ELSEWHERE_SHOWN]


# --- The assistance desk (帮办代办台, Art. 10 ¶1) ---------------------------------------------

DESK_DONE_SHOWN = 20
# The desk also lists the open requests of bookings for the next days, to plan who helps.
DESK_LOOK_AHEAD_DAYS = 7


@dataclass
class AssistanceDesk:
    open: list[AssistanceRequest]  # requested first, then taken; by time (slot start or request)
    done: list[AssistanceRequest]  # done today, latest first
    # Open requests of the next DESK_LOOK_AHEAD_DAYS days (bookings), by day then slot start.
    upcoming: list[tuple[dt.date, list[AssistanceRequest]]] = field(default_factory=list)

    @property
    def upcoming_count(self) -> int:
        return sum(len(rows) for _day, rows in self.upcoming)


def assistance_desk(*, hall_id: int, now: dt.datetime) -> AssistanceDesk:
    """The hall's open requests of today (kiosk tickets, and bookings whose slot is today), the
    ones done today and the open ones of the next days. Three queries."""
    today = local_date(now)
    ahead = AssistanceRequest.objects.filter(
        hall_id=hall_id,
        service_date__gt=today,
        service_date__lte=today + dt.timedelta(days=DESK_LOOK_AHEAD_DAYS),
        status__in=AssistanceRequest.OPEN,
    ).order_by("service_date", "expected_at", "requested_at", "pk")
    upcoming: dict[dt.date, list[AssistanceRequest]] = {}
    for row in ahead:
        upcoming.setdefault(row.service_date, []).append(row)
    rows = AssistanceRequest.objects.filter(hall_id=hall_id, service_date=today).select_related(
        "ticket", "ticket__category", "ticket__window", "helper__staff_profile"
    )
    open_rows = sorted(
        rows.filter(status__in=AssistanceRequest.OPEN),
        key=lambda r: (r.status != AssistanceRequest.Status.REQUESTED, r.expected_at or r.requested_at, r.pk),
    )
    done = list(rows.filter(status=AssistanceRequest.Status.DONE).order_by("-done_at", "-pk")[:DESK_DONE_SHOWN])
    return AssistanceDesk(open=open_rows, done=done, upcoming=list(upcoming.items()))


def assisted_tickets(ticket_ids: list[int]) -> dict[int, AssistanceRequest]:
    """The open assistance request of each of these tickets that has one (the console's badge)."""
    if not ticket_ids:
        return {}
    rows = AssistanceRequest.objects.filter(ticket_id__in=ticket_ids, status__in=AssistanceRequest.OPEN)
    return {row.ticket_id: row for row in rows if row.ticket_id is not None}


@dataclass(frozen=True)
class AssistanceCounts:
    """Today's assistance requests of a hall, for its supervisors' dashboard."""

    open: int  # requested, nobody has taken it yet (待接单)
    taken: int  # a helper is on it (协助中)
    done: int

    @property
    def total(self) -> int:
        return self.open + self.taken + self.done


def assistance_counts(*, hall_id: int, now: dt.datetime) -> AssistanceCounts:
    """The hall's requests of today, open / taken / done: one aggregate query (cancelled ones are
    not counted)."""
    status = AssistanceRequest.Status
    row = AssistanceRequest.objects.filter(hall_id=hall_id, service_date=local_date(now)).aggregate(
        open=Count("pk", filter=Q(status=status.REQUESTED)),
        taken=Count("pk", filter=Q(status=status.ASSIGNED)),
        done=Count("pk", filter=Q(status=status.DONE)),
    )
    return AssistanceCounts(open=row["open"], taken=row["taken"], done=row["done"])


def assistance_counts_by_hall(*, hall_ids: list[int], now: dt.datetime) -> dict[int, AssistanceCounts]:
    """``assistance_counts`` for several halls (the supervisors' city overview): one query grouped
    by hall whatever their number; a hall with no request today is left out."""
    status = AssistanceRequest.Status
    rows = (
        AssistanceRequest.objects.filter(hall_id__in=hall_ids, service_date=local_date(now))
        .exclude(status=status.CANCELLED)
        .order_by()
        .values("hall_id")
        .annotate(
            open=Count("pk", filter=Q(status=status.REQUESTED)),
            taken=Count("pk", filter=Q(status=status.ASSIGNED)),
            done=Count("pk", filter=Q(status=status.DONE)),
        )
    )
    return {row["hall_id"]: AssistanceCounts(open=row["open"], taken=row["taken"], done=row["done"]) for row in rows}


@dataclass(frozen=True)
class ClosedAtClosing:
    """The clerk's window that the closing job closed today, and when their spell there ended."""

    window: str
    at: dt.datetime


def closed_at_closing(user: AnyUser, *, now: dt.datetime) -> ClosedAtClosing | None:
    """The window the closing job (``services.windows_close_after_hours``) signed ``user`` out of
    today, if that is the last time they left a window: their next page says why they are at
    no window. Read from the audit trail (``window.sign_out`` with the cause "closing")."""
    if not getattr(user, "is_authenticated", False):
        return None
    day_start = dt.datetime.combine(local_date(now), dt.time.min, tzinfo=timezone.get_current_timezone())
    last = (
        AuditEvent.objects.filter(
            actor_id=user.pk, action__in=("window.sign_in", "window.sign_out"), created_at__gte=day_start
        )
        .order_by("-created_at", "-pk")
        .only("action", "target_id", "details", "created_at")
        .first()
    )
    if last is None or last.action != "window.sign_out" or not isinstance(last.details, dict):
        return None
    if last.details.get("cause") != "closing":
        return None
    window = (
        Window.objects.filter(pk=last.target_id).select_related("hall").first() if last.target_id.isdigit() else None
    )
    ended = last.details.get("signed_out_at")
    at = dt.datetime.fromisoformat(ended) if isinstance(ended, str) else last.created_at
    return ClosedAtClosing(window=str(window) if window is not None else "", at=at)
