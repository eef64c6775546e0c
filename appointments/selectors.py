"""Reads of the booking pages, one query each where possible (no query in a loop).

- ``bookable_halls``: the halls with an active slot plan and what each offers, from one query
  over the plans (only those booking an item, for the guide page's "预约办理");
- ``bookable_categories``: a hall's bookable queues with the items they cover;
- ``bookable_days``: the days of a queue with seats left and slot kinds, one aggregate query;
- ``day_slots``: the slots of one day of a queue;
- ``availability``: the open slots of a hall's queues over a range, by day (the API);
- ``hall_offer``: whether a hall offers slots soon and its weekend and holiday service days (the
  hall page), one grouped query;
- ``found_bookings``: the bookings a confirmed "find my bookings" request shows, one query;
- ``booking_statistics``: the figures of every hall and day of a range, counted in two grouped
  queries (the API and the supervisors' pages, ``appointments.stats``, share them).

A booking fetched by its manage token is ``appointments.access.access_booking_by_token``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Booking, BookingLookup, Slot, SlotKind, SlotPlan
from catalog.models import Hall, ServiceItem, hall_order
from queueing.models import QueueCategory, Ticket
from servicehall.clock import local_date

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

KIND_ORDER = {kind: position for position, kind in enumerate(SlotKind.values)}


def _active_plans(today: dt.date) -> QuerySet[SlotPlan]:
    """Plans that still generate slots: active, and not expired before today."""
    return SlotPlan.objects.filter(is_active=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def _kinds(values: set[str]) -> list[SlotKind]:
    return [SlotKind(kind) for kind in sorted(values, key=KIND_ORDER.__getitem__)]


# --- Halls and queues ------------------------------------------------------------------------


@dataclass
class BookableCategory:
    category: QueueCategory
    kinds: list[SlotKind]


@dataclass
class BookableHall:
    hall: Hall
    categories: list[BookableCategory] = field(default_factory=list)

    @property
    def kinds(self) -> list[SlotKind]:
        return _kinds({kind for row in self.categories for kind in row.kinds})


def bookable_halls(*, today: dt.date, district: str = "", item: ServiceItem | None = None) -> list[BookableHall]:
    """Halls that take bookings (an active slot plan of an active queue), with the queues and
    the kinds of slot each offers, in the halls' order (``HALL_ORDER``): one query over the plans.

    With ``item``, only the halls that serve it with a bookable queue covering it, and only
    those queues."""
    plans = (
        _active_plans(today)
        .filter(category__is_active=True)
        .select_related("hall", "category")
        .order_by(*hall_order("hall__"), "category__order", "category__letter")
    )
    if district:
        plans = plans.filter(hall__district=district)
    if item is not None:
        # One row per plan: each join matches the one item at most once.
        plans = plans.filter(category__items=item, hall__items=item)
    halls: dict[int, BookableHall] = {}
    kinds: dict[int, set[str]] = {}
    for plan in plans:
        entry = halls.setdefault(plan.hall_id, BookableHall(plan.hall))
        if plan.category_id not in kinds:
            kinds[plan.category_id] = set()
            entry.categories.append(BookableCategory(plan.category, []))
        kinds[plan.category_id].add(plan.kind)
    for entry in halls.values():
        for row in entry.categories:
            row.kinds = _kinds(kinds[row.category.pk])
    return list(halls.values())


def hall_or_404(*, code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return hall


class ItemList(TypedDict):
    item_list: list[ServiceItem]


if TYPE_CHECKING:
    # A queue category with the ``item_list`` that ``bookable_categories`` prefetches.
    CategoryWithItems = WithAnnotations[QueueCategory, ItemList]


def bookable_categories(*, code: str, today: dt.date) -> tuple[Hall, list[CategoryWithItems]]:
    """A hall's bookable queues (hall joined), each with ``item_list``: the items it covers in
    code order. Two queries; 404 when the hall does not exist or takes no bookings."""
    categories = list(
        QueueCategory.objects.filter(hall__code=code, is_active=True)
        .filter(Exists(_active_plans(today).filter(category=OuterRef("pk"))))
        .select_related("hall")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ServiceItem.objects.order_by("code").only("code", "name", "name_en"),
                to_attr="item_list",
            )
        )
        .order_by("order", "letter")
    )
    if not categories:
        raise Http404(_("没有找到该大厅，或该大厅暂未开通网上预约。"))
    return categories[0].hall, categories


def bookable_category(*, code: str, letter: str, today: dt.date) -> QueueCategory:
    """One bookable queue of a hall, with its hall (one query), or 404."""
    category = (
        QueueCategory.objects.filter(hall__code=code, letter=letter, is_active=True)
        .filter(Exists(_active_plans(today).filter(category=OuterRef("pk"))))
        .select_related("hall")
        .first()
    )
    if category is None:
        raise Http404(_("没有找到该预约业务，可能该大厅未开通此业务的网上预约。"))
    return category


def category_is_bookable(*, category: QueueCategory, today: dt.date) -> bool:
    """Whether ``category`` takes online bookings (an active queue with an active slot plan)."""
    return category.is_active and _active_plans(today).filter(category=category).exists()


def category_item(*, category: QueueCategory, code: str) -> ServiceItem | None:
    """The item ``code`` if the queue covers it (one query)."""
    return category.items.filter(code=code).first()


# --- Days and slots --------------------------------------------------------------------------


@dataclass
class BookableDay:
    date: dt.date
    seats_left: int
    slots: int
    kinds: list[SlotKind]
    # Slots a calendar correction closed (the day made a rest day): neither seats nor a kind.
    closed_by_calendar: int = 0
    open_slots: int = 0

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def is_rest_day(self) -> bool:
        """No slot of the day open, and the calendar now makes it a rest day (a correction closed
        some of them; any other was closed by staff): shown as a day the hall does not serve
        (节假日，不办理), not as one booked up."""
        return self.open_slots == 0 and self.closed_by_calendar > 0


def bookable_days(*, category: QueueCategory, start: dt.date, end: dt.date, now: dt.datetime) -> list[BookableDay]:
    """The days of ``[start, end]`` on which the queue has slots not yet started, with the seats
    left (closed slots count none) and the kinds of slot: one aggregate query. Slots closed by a
    calendar correction count apart (``closed_by_calendar``): what a day that became a holiday
    still has are its booked slots, closed, which must not make it look booked up."""
    seats = Sum(
        Case(When(is_closed=False, then=F("capacity") - F("booked")), default=Value(0)),
        output_field=IntegerField(),
    )
    rows = (
        Slot.objects.filter(category=category, date__range=(start, end), starts_at__gt=now, urgent_only=False)
        .values("date", "kind")
        .annotate(
            seats=seats,
            slots=Count("pk"),
            open_slots=Count("pk", filter=Q(is_closed=False)),
            by_calendar=Count("pk", filter=Q(closed_by_calendar=True)),
        )
        .order_by("date", "kind")
    )
    days: dict[dt.date, BookableDay] = {}
    kinds: dict[dt.date, set[str]] = {}
    for row in rows:
        day = days.setdefault(row["date"], BookableDay(row["date"], 0, 0, []))
        day.seats_left += max(0, row["seats"] or 0)
        day.slots += row["slots"]
        day.open_slots += row["open_slots"]
        day.closed_by_calendar += row["by_calendar"]
        kinds.setdefault(row["date"], set())
        if row["slots"] > row["by_calendar"]:
            kinds[row["date"]].add(row["kind"])
    for date, day in days.items():
        day.kinds = _kinds(kinds[date])
    return list(days.values())


def day_slots(*, category: QueueCategory, day: dt.date, now: dt.datetime) -> list[Slot]:
    """The slots of one day of a queue that have not started yet, in time order (one query); not
    those reserved for approved urgent matters (``urgent_only``), which staff book."""
    return list(
        Slot.objects.filter(category=category, date=day, starts_at__gt=now, urgent_only=False).order_by("starts_at")
    )


def hall_has_slots(*, hall: Hall, start: dt.date) -> bool:
    """Whether the hall has slots on ``start`` or later, closed or not: it takes bookings, or has
    bookings to check in (one query)."""
    return Slot.objects.filter(hall=hall, date__gte=start).exists()


def staggered_periods(day: dt.date) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Per hall, the periods of its staggered slots (错时服务, weekends and holidays) booked on
    ``day``: when it serves the bookings' tickets, for the queues' wait monitor and kiosk
    (``queueing.staggered``, registered in ``AppointmentsConfig.ready``). One query."""
    periods: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    rows = Slot.objects.filter(date=day, kind=SlotKind.STAGGERED, booked__gt=0, is_closed=False)
    for hall_id, starts, ends in rows.values_list("hall_id", "starts_at", "ends_at").order_by():
        periods[hall_id].append((starts, ends))
    return dict(periods)


def hall_has_bookings_to_check_in(*, hall: Hall | int, day: dt.date) -> bool:
    """Whether anyone booked the hall on ``day`` and has not checked in yet (one query)."""
    return Booking.objects.filter(hall=hall, date=day, status=Booking.Status.BOOKED).exists()


def kiosk_ticket(*, hall: Hall, token: str, day: dt.date) -> Ticket | None:
    """A ticket the hall's kiosk issued today with an ID number and still waiting: the person
    the slip's check-in stands for (one query), or None."""
    return (
        Ticket.objects.filter(
            hall=hall, token=token, service_date=day, source=Ticket.Source.KIOSK, status=Ticket.Status.WAITING
        )
        .exclude(id_hash="")
        .only("id_hash")
        .first()
    )


def slot_for_booking(*, pk: int) -> Slot:
    """A slot with its hall and queue (one query), or 404."""
    slot = Slot.objects.select_related("hall", "category").filter(pk=pk).first()
    if slot is None:
        raise Http404(_("没有找到该预约时段，请重新选择。"))
    return slot


def category_slot(*, category: QueueCategory, pk: int) -> Slot | None:
    """A slot of this queue (one query), or None."""
    return Slot.objects.filter(category=category, pk=pk).first()


# --- Availability ----------------------------------------------------------------------------


def availability(
    *, hall: Hall, categories: list[QueueCategory], start: dt.date, end: dt.date, now: dt.datetime
) -> list[dict[str, Any]]:
    """Open slots of ``categories`` from ``start`` to ``end`` that have not started, grouped by
    day: one query whatever the range (values, not model instances: a month of a large hall is
    thousands of slots)."""
    letters = {c.pk: c.letter for c in categories}
    rows = (
        Slot.objects.filter(
            hall=hall,
            category_id__in=list(letters),
            date__range=(start, end),
            starts_at__gt=now,
            is_closed=False,
            urgent_only=False,
        )
        .order_by("starts_at", "category_id")
        .values_list("pk", "category_id", "kind", "date", "starts_at", "ends_at", "capacity", "booked")
    )
    # Once per request, not per slot: thousands of slots make each lookup count.
    kinds = {kind: str(label) for kind, label in SlotKind.choices}
    zone = timezone.get_current_timezone()
    days: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for pk, category_id, kind, day, starts_at, ends_at, capacity, booked in rows:
        days[day].append(
            {
                "id": pk,
                "category": letters[category_id],
                "kind": kind,
                "kind_display": kinds[kind],
                "starts_at": starts_at.astimezone(zone).isoformat(),
                "ends_at": ends_at.astimezone(zone).isoformat(),
                "capacity": capacity,
                "seats_left": max(0, capacity - booked),
            }
        )
    result = []
    for day in sorted(days):
        left = sum(s["seats_left"] for s in days[day])
        result.append({"date": day, "seats_left": left, "full": left == 0, "slots": days[day]})
    return result


# --- The hall page ---------------------------------------------------------------------------

# How far ahead the hall page looks for weekend and holiday service (slots exist only up to the
# booking horizon, so in practice the horizon decides).
REST_DAY_LOOKAHEAD_DAYS = 28


@dataclass
class RestDayQueue:
    """One queue's weekend or holiday service on one day: its times and seats left."""

    category: QueueCategory
    times: list[tuple[dt.datetime, dt.datetime]]
    seats_left: int


@dataclass
class RestDay:
    date: dt.date
    queues: list[RestDayQueue]

    @property
    def times(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's service times, all queues together (overlapping and touching ones merged)."""
        merged: list[tuple[dt.datetime, dt.datetime]] = []
        for starts, ends in sorted(t for queue in self.queues for t in queue.times):
            if merged and starts <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
            else:
                merged.append((starts, ends))
        return merged


@dataclass
class HallOffer:
    """What booking offers at a hall: whether any slot is open soon, and the weekend and holiday
    (staggered) service days, in date order."""

    bookable: bool
    rest_days: list[RestDay]


def hall_offer(*, hall: Hall | int, now: dt.datetime, days: int = REST_DAY_LOOKAHEAD_DAYS) -> HallOffer:
    """The hall's slots not yet started in the next ``days`` days that can still be booked (not
    closed, queue active), in one grouped query: staggered slots grouped per day, plan and queue
    (a plan's first start and last end, the seats left), every other slot folded into one row
    per queue, which is all "bookable" needs."""
    today = local_date(now)
    staggered = Q(kind=SlotKind.STAGGERED)
    rows = (
        Slot.objects.filter(
            hall=hall,
            is_closed=False,
            urgent_only=False,
            category__is_active=True,
            starts_at__gt=now,
            date__range=(today, today + dt.timedelta(days=days)),
        )
        .annotate(
            rest_date=Case(When(staggered, then=F("date")), default=None, output_field=DateField()),
            rest_plan=Case(When(staggered, then=F("plan_id")), default=None, output_field=IntegerField()),
        )
        .values(
            "rest_date",
            "rest_plan",
            "category_id",
            "category__letter",
            "category__name",
            "category__name_en",
            "category__order",
        )
        .annotate(starts=Min("starts_at"), ends=Max("ends_at"), seats=Sum(F("capacity") - F("booked")))
        .order_by()
    )
    bookable = False
    queues: dict[tuple[dt.date, int], RestDayQueue] = {}
    order: dict[int, tuple[int, str]] = {}
    for row in rows:
        bookable = True
        if row["rest_date"] is None:
            continue
        category_id = row["category_id"]
        order[category_id] = (row["category__order"], row["category__letter"])
        queue = queues.get((row["rest_date"], category_id))
        if queue is None:
            category = QueueCategory(
                pk=category_id,
                letter=row["category__letter"],
                name=row["category__name"],
                name_en=row["category__name_en"],
            )
            queue = queues[(row["rest_date"], category_id)] = RestDayQueue(category, [], 0)
        queue.times.append((row["starts"], row["ends"]))
        queue.seats_left += max(0, row["seats"] or 0)
    by_day: dict[dt.date, list[RestDayQueue]] = defaultdict(list)
    for (day, _category_id), queue in sorted(queues.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        queue.times.sort()
        by_day[day].append(queue)
    return HallOffer(bookable, [RestDay(day, day_queues) for day, day_queues in by_day.items()])


# --- Find my bookings ------------------------------------------------------------------------

# "Recent": bookings whose day is at most this many days ago are listed besides the active ones.
FOUND_RECENT_DAYS = 30
FOUND_LIMIT = 50


def _found(*, id_hash: str, mobile: str, today: dt.date) -> QuerySet[Booking]:
    return Booking.objects.filter(
        person_id=id_hash, mobile=mobile, date__gte=today - dt.timedelta(days=FOUND_RECENT_DAYS)
    )


def has_found_bookings(*, id_hash: str, mobile: str, today: dt.date) -> bool:
    """Whether "find my bookings" would list anything for this ID and mobile number."""
    return _found(id_hash=id_hash, mobile=mobile, today=today).exists()


@dataclass
class FoundBookings:
    upcoming: list[Booking]  # active (booked, displaced, checked in) and not yet over, soonest first
    recent: list[Booking]  # the rest of the last FOUND_RECENT_DAYS days, latest first


def found_bookings(*, lookup: BookingLookup, now: dt.datetime) -> FoundBookings:
    """The bookings made with the lookup's ID and mobile number, active or of the last
    ``FOUND_RECENT_DAYS`` days, with hall, queue, slot and item: one query."""
    bookings = list(
        _found(id_hash=lookup.id_hash, mobile=lookup.mobile, today=local_date(now))
        .select_related("hall", "category", "slot", "item", "person")
        .order_by("-slot__starts_at", "-pk")[:FOUND_LIMIT]
    )
    upcoming = [b for b in bookings if b.status in Booking.ACTIVE and b.slot.ends_at > now]
    shown = {b.pk for b in upcoming}
    return FoundBookings(upcoming=upcoming[::-1], recent=[b for b in bookings if b.pk not in shown])


# --- Statistics ------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts of a slot, a day or a range; rates are derived so that totals add up (a weighted
    rate, never a mean of rates). The definitions are in ``appointments.stats``."""

    slots: int = 0
    closed_slots: int = 0
    capacity: int = 0
    booked: int = 0
    checked_in: int = 0
    no_show: int = 0
    displaced: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def fill_rate(self) -> float | None:
        """Percentage of the open seats that are taken (None when no seat is offered)."""
        return 100 * self.booked / self.capacity if self.capacity else None

    @property
    def no_show_rate(self) -> float | None:
        """Percentage of the bookings with a known outcome that were not kept."""
        outcomes = self.checked_in + self.no_show
        return 100 * self.no_show / outcomes if outcomes else None


@dataclass
class HallDayFigures:
    """The figures of one hall on one day, and the bookings cancelled that day."""

    hall_id: int
    hall_code: str
    hall_name: str
    date: dt.date
    figures: Figures
    cancelled: int


def booking_statistics(*, start: dt.date, end: dt.date, hall_ids: list[int] | None) -> list[HallDayFigures]:
    """Per hall and day of ``[start, end]`` that has slots or bookings, in date then hall-code
    order: seats of the open slots, seats taken in them, check-ins, no-shows, displaced and
    cancelled bookings (every hall when ``hall_ids`` is None). Two grouped queries whatever the
    number of halls and days (answered by ``slot_day_idx`` and ``booking_day_idx``)."""
    slots = Slot.objects.filter(date__range=(start, end))
    bookings = Booking.objects.filter(date__range=(start, end))
    if hall_ids is not None:
        slots, bookings = slots.filter(hall_id__in=hall_ids), bookings.filter(hall_id__in=hall_ids)
    group = ("hall_id", "hall__code", "hall__name", "date")
    is_open = Q(is_closed=False)
    by_slots = {
        (row["hall__code"], row["date"]): row
        for row in slots.order_by()
        .values(*group)
        .annotate(
            n_slots=Count("pk"),
            n_closed=Count("pk", filter=Q(is_closed=True)),
            seats=Sum("capacity", filter=is_open),
            taken=Sum("booked", filter=is_open),
        )
    }
    by_bookings = {
        (row["hall__code"], row["date"]): row
        for row in bookings.order_by()
        .values(*group)
        .annotate(
            n_checked_in=Count("pk", filter=Q(status=Booking.Status.CHECKED_IN)),
            n_no_show=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
            n_displaced=Count("pk", filter=Q(status=Booking.Status.DISPLACED)),
            n_cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        )
    }
    rows = []
    for key in sorted(by_slots.keys() | by_bookings.keys(), key=lambda k: (k[1], k[0])):
        slot_row, booking_row = by_slots.get(key, {}), by_bookings.get(key, {})
        either = slot_row or booking_row
        rows.append(
            HallDayFigures(
                hall_id=either["hall_id"],
                hall_code=key[0],
                hall_name=either["hall__name"],
                date=key[1],
                figures=Figures(
                    slots=slot_row.get("n_slots", 0),
                    closed_slots=slot_row.get("n_closed", 0),
                    capacity=slot_row.get("seats") or 0,
                    booked=slot_row.get("taken") or 0,
                    checked_in=booking_row.get("n_checked_in", 0),
                    no_show=booking_row.get("n_no_show", 0),
                    displaced=booking_row.get("n_displaced", 0),
                ),
                cancelled=booking_row.get("n_cancelled", 0),
            )
        )
    return rows
