"""Reads of the booking pages, one query each where possible (no query in a loop).

- ``bookable_halls``: the halls with an active slot plan and what each offers, from one query
  over the plans;
- ``bookable_categories``: a hall's bookable queues with the items they cover;
- ``bookable_days``: the days of a queue with seats left and slot kinds, one aggregate query;
- ``day_slots``: the slots of one day of a queue;
- ``booking_by_token``: a booking and everything its manage page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from appointments.models import Booking, Slot, SlotKind, SlotPlan
from catalog.models import Hall, ServiceItem
from queueing.models import QueueCategory

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


def bookable_categories(*, code: str, today: dt.date) -> tuple[Hall, list[QueueCategory]]:
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


# --- Bookings --------------------------------------------------------------------------------


def booking_by_token(*, token: str) -> Booking:
    """The booking of a manage token with everything its pages show (one query), or 404."""
    booking = (
        Booking.objects.select_related("hall", "category", "item", "slot", "person", "ticket")
        .filter(manage_token=token)
        .first()
    )
    if booking is None:
        raise Http404(_("没有找到该预约，请核对短信中的管理链接是否完整。"))
    return booking
