"""Reads for the supervisors' appointment pages (预约统计, 暂停预约名单; REQUIREMENTS §5, issue 4).

Every figure is counted in the database, grouped, in a fixed number of queries: one day of a hall
is one query over its slots (the bookings counted per slot), a date range is one query over the
slots and one over the bookings (``selectors.booking_statistics``, which the statistics API
answers with too), so a page costs the same however many slots and bookings there are.

Definitions (the pages say them too):

- seats (名额): the capacity of the open slots; a closed slot offers none;
- booked (已约): seats taken in open slots (``Slot.booked``: booked, checked in or no-show;
  a cancelled booking gives its seat back);
- fill rate (预约率): booked ÷ seats;
- check-ins (签到): bookings checked in at the kiosk or a window;
- no-shows (爽约): bookings not checked in by the end of their slot plus the hall's grace;
- no-show rate (爽约率): no-shows ÷ (check-ins + no-shows), of the bookings whose outcome is known;
- displaced (待改约): bookings of a slot the hall closed that have not been moved yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from appointments.models import Booking, BookingPerson, Slot, SlotPlan
from appointments.selectors import Figures, booking_statistics
from catalog.models import Hall
from queueing.models import QueueCategory

# The longest date range the summary covers (a quarter).
RANGE_MAX_DAYS = 92


def _total(figures: list[Figures]) -> Figures:
    return sum(figures, Figures())


# --- One hall, one day -------------------------------------------------------------------------


@dataclass
class SlotRow:
    slot: Slot
    figures: Figures
    closable: bool  # open and not over yet: the hall may still close it


@dataclass
class CategorySeats:
    """A queue that has slots on the day, with the range of seats its open slots offer."""

    category: QueueCategory
    smallest: int
    largest: int
    fullest: int  # the most seats taken in one of its slots: the capacity cannot go below it


@dataclass
class HallDay:
    hall: Hall
    day: dt.date
    rows: list[SlotRow]
    totals: Figures
    categories: list[CategorySeats]


def hall_day(*, hall: Hall, day: dt.date, now: dt.datetime) -> HallDay:
    """Every slot of the hall on ``day`` with its bookings counted: one query."""
    slots = (
        Slot.objects.filter(hall=hall, date=day)
        .select_related("category")
        .annotate(
            n_checked_in=Count("bookings", filter=Q(bookings__status=Booking.Status.CHECKED_IN)),
            n_no_show=Count("bookings", filter=Q(bookings__status=Booking.Status.NO_SHOW)),
            n_displaced=Count("bookings", filter=Q(bookings__status=Booking.Status.DISPLACED)),
        )
        .order_by("starts_at", "category__order", "category__letter")
    )
    rows = []
    seats: dict[int, CategorySeats] = {}
    for slot in slots:
        figures = Figures(
            slots=1,
            closed_slots=int(slot.is_closed),
            capacity=0 if slot.is_closed else slot.capacity,
            booked=0 if slot.is_closed else slot.booked,
            checked_in=slot.n_checked_in,
            no_show=slot.n_no_show,
            displaced=slot.n_displaced,
        )
        rows.append(SlotRow(slot=slot, figures=figures, closable=not slot.is_closed and slot.ends_at > now))
        entry = seats.get(slot.category_id)
        if entry is None:
            seats[slot.category_id] = CategorySeats(slot.category, slot.capacity, slot.capacity, slot.booked)
        else:
            entry.smallest = min(entry.smallest, slot.capacity)
            entry.largest = max(entry.largest, slot.capacity)
            entry.fullest = max(entry.fullest, slot.booked)
    categories = sorted(seats.values(), key=lambda c: (c.category.order, c.category.letter))
    return HallDay(hall=hall, day=day, rows=rows, totals=_total([row.figures for row in rows]), categories=categories)


def hall_plans(*, hall: Hall) -> list[SlotPlan]:
    return list(
        SlotPlan.objects.filter(hall=hall)
        .select_related("category")
        .order_by("category__order", "category__letter", "kind", "starts")
    )


# --- One hall, a date range --------------------------------------------------------------------


@dataclass
class DayRow:
    date: dt.date
    figures: Figures


@dataclass
class HallRange:
    start: dt.date
    end: dt.date
    days: list[DayRow]
    totals: Figures

    @property
    def days_left_out(self) -> int:
        """Days of the range not listed: no slots and no bookings (rest days, holidays, days
        before the plans or beyond the booking horizon)."""
        return (self.end - self.start).days + 1 - len(self.days)


def hall_range(*, hall: Hall, start: dt.date, end: dt.date) -> HallRange:
    """Per day of ``[start, end]`` that has slots or bookings: two grouped queries, the very
    figures the statistics API answers (``selectors.booking_statistics``)."""
    days = [
        DayRow(date=row.date, figures=row.figures)
        for row in booking_statistics(start=start, end=end, hall_ids=[hall.pk])
    ]
    return HallRange(start=start, end=end, days=days, totals=_total([day.figures for day in days]))


# --- Suspended people --------------------------------------------------------------------------


def suspended_people(*, hall_ids: list[int] | None, now: dt.datetime) -> QuerySet[BookingPerson]:
    """People whose online booking is suspended now and who booked at one of ``hall_ids`` (every
    hall when None), soonest to be free first, with their no-shows counted (at every hall, as
    the suspension rule counts them)."""
    people = BookingPerson.objects.filter(suspended_until__gt=now)
    if hall_ids is not None:
        people = people.filter(Exists(Booking.objects.filter(person=OuterRef("pk"), hall_id__in=hall_ids)))
    return people.annotate(
        no_shows=Count("bookings", filter=Q(bookings__status=Booking.Status.NO_SHOW)),
        last_no_show=Max("bookings__date", filter=Q(bookings__status=Booking.Status.NO_SHOW)),
    ).order_by("suspended_until", "pk")
