"""Reads of the booking pages, one query each where possible (no query in a loop).

- ``bookable_halls``: the halls with an active slot plan and what each offers, from one query
  over the plans;
- ``bookable_categories``: a hall's bookable queues with the items they cover;
- ``bookable_days``: the days of a queue with seats left and slot kinds, one aggregate query;
- ``day_slots``: the slots of one day of a queue;
- ``availability``: the open slots of a hall's queues over a range, by day (the API);
- ``booking_statistics``: the figures of every hall and day of a range, counted in two grouped
  queries (the API and the supervisors' pages, ``appointments.stats``, share them).

A booking fetched by its manage token is ``appointments.access.access_booking_by_token``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Booking, Slot, SlotKind, SlotPlan
from catalog.models import Hall, ServiceItem
from queueing.models import QueueCategory

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


def bookable_halls(*, today: dt.date, district: str = "") -> list[BookableHall]:
    """Halls that take bookings (an active slot plan of an active queue), with the queues and
    the kinds of slot each offers, in hall-code order: one query over the plans."""
    plans = (
        _active_plans(today)
        .filter(category__is_active=True)
        .select_related("hall", "category")
        .order_by("hall__code", "category__order", "category__letter")
    )
    if district:
        plans = plans.filter(hall__district=district)
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

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


def bookable_days(*, category: QueueCategory, start: dt.date, end: dt.date, now: dt.datetime) -> list[BookableDay]:
    """The days of ``[start, end]`` on which the queue has slots not yet started, with the seats
    left (closed slots count none) and the kinds of slot: one aggregate query."""
    seats = Sum(
        Case(When(is_closed=False, then=F("capacity") - F("booked")), default=Value(0)),
        output_field=IntegerField(),
    )
    rows = (
        Slot.objects.filter(category=category, date__range=(start, end), starts_at__gt=now)
        .values("date", "kind")
        .annotate(seats=seats, slots=Count("pk"))
        .order_by("date", "kind")
    )
    days: dict[dt.date, BookableDay] = {}
    kinds: dict[dt.date, set[str]] = {}
    for row in rows:
        day = days.setdefault(row["date"], BookableDay(row["date"], 0, 0, []))
        day.seats_left += max(0, row["seats"] or 0)
        day.slots += row["slots"]
        kinds.setdefault(row["date"], set()).add(row["kind"])
    for date, day in days.items():
        day.kinds = _kinds(kinds[date])
    return list(days.values())


def day_slots(*, category: QueueCategory, day: dt.date, now: dt.datetime) -> list[Slot]:
    """The slots of one day of a queue that have not started yet, in time order (one query)."""
    return list(Slot.objects.filter(category=category, date=day, starts_at__gt=now).order_by("starts_at"))


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
            hall=hall, category_id__in=list(letters), date__range=(start, end), starts_at__gt=now, is_closed=False
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
