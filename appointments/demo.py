"""Demo appointments: slot plans for the city and district centres, their slots over the booking
horizon, and one booking for each demo applicant so the staff and supervisor pages have
something to show. Creates only what is missing, so `make run` can call it every time.

- Regular slots follow each centre's opening hours (09:00–12:00 and 13:00–17:00 by default) in
  30-minute slots for its main queues.
- Extended-hours slots (工作日延时服务) from closing time to ``extended_until``, for a centre
  that extends every working day: a slot plan applies to every working day, so a centre that
  extends on some weekdays only gets none (its late slots would fall when it is closed).
- Weekend and holiday staggered slots (错时服务) for the two busiest queues at a centre whose
  weekend hours are by appointment only (the city centre), at those hours: the hall page's
  hours and what booking offers say the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appointments import services
from appointments.models import Booking, Slot, SlotKind, SlotPlan
from catalog import demo_data
from catalog.models import Hall, HallOpeningHours
from queueing.models import QueueCategory
from servicehall.clock import local_date
from servicehall.personal_data import id_digest, id_number_check_character

SLOT_MINUTES = 30
# Seats per 30-minute slot of each main queue (the letters of queueing.demo's categories).
CITY_REGULAR = {"A": 6, "B": 6, "C": 4, "D": 4}
DISTRICT_REGULAR = {"A": 4, "B": 4, "C": 3}
EXTENDED = {"A": 3, "B": 3}
CITY_STAGGERED = {"A": 2, "B": 2}
WORKING_WEEKDAYS = frozenset(range(5))

# Where the demo applicants have booked (the halls whose morning queueing.demo simulates).
BOOKING_HALLS = ("GZ-CITY", "TH")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    birth: str  # YYYYMMDD, for the ID number
    mobile: str

    @property
    def id_number(self) -> str:
        # Tianhe district's area code, the birth date, a sequence and the GB 11643 check character.
        first17 = f"440106{self.birth}{int(self.mobile[-3:]):03d}"
        return first17 + id_number_check_character(first17)


DEMO_PEOPLE = (
    DemoPerson("陈志强", "19780512", "13800138001"),
    DemoPerson("李晓燕", "19850923", "13800138002"),
    DemoPerson("王建国", "19560301", "13800138003"),
    DemoPerson("张丽华", "19921117", "13800138004"),
    DemoPerson("黄伟明", "19690708", "13800138005"),
    DemoPerson("刘芳", "20010214", "13800138006"),
)


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    with transaction.atomic():
        plans = _plans()
    sync = services.slots_ensure_horizon(now=now)
    return {"plans": plans, "slots": sync.created, "bookings": _bookings(now)}


def _plans() -> int:
    """Plans for every demo city and district centre that has none yet (an administrator's
    edits to an existing hall's plans, and halls that are not the demo's, are left alone)."""
    planned = set(SlotPlan.objects.values_list("hall_id", flat=True).distinct())
    centres = Hall.objects.filter(
        code__in=[h.code for h in demo_data.HALLS], level__in=(Hall.Level.CITY, Hall.Level.DISTRICT)
    )
    halls = [h for h in centres.order_by("code") if h.pk not in planned]
    if not halls:
        return 0
    hours: dict[int, dict[int, HallOpeningHours]] = defaultdict(dict)
    for row in HallOpeningHours.objects.filter(hall__in=halls):
        hours[row.hall_id][row.weekday] = row
    categories: dict[int, dict[str, QueueCategory]] = defaultdict(dict)
    for category in QueueCategory.objects.filter(hall__in=halls, is_active=True):
        categories[category.hall_id][category.letter] = category
    plans = [p for hall in halls for p in _hall_plans(hall, hours[hall.pk], categories[hall.pk])]
    SlotPlan.objects.bulk_create(plans)
    return len(plans)


def _hall_plans(hall: Hall, week: dict[int, HallOpeningHours], queues: dict[str, QueueCategory]) -> list[SlotPlan]:
    monday = week.get(0)
    morning = (monday.morning_opens, monday.morning_closes) if monday else (dt.time(9), dt.time(12))
    afternoon = (monday.afternoon_opens, monday.afternoon_closes) if monday else (dt.time(13), dt.time(17))
    city = hall.level == Hall.Level.CITY
    wanted: list[tuple[str, str, dt.time, dt.time, int]] = []
    for letter, capacity in (CITY_REGULAR if city else DISTRICT_REGULAR).items():
        wanted += [(letter, SlotKind.REGULAR, *morning, capacity), (letter, SlotKind.REGULAR, *afternoon, capacity)]
    extended = {week[d].extended_until for d in WORKING_WEEKDAYS if d in week}
    until = extended.pop() if set(week) >= WORKING_WEEKDAYS and len(extended) == 1 else None
    if until is not None:
        wanted += [(letter, SlotKind.EXTENDED, afternoon[1], until, n) for letter, n in EXTENDED.items()]
    by_appointment = [row for day, row in sorted(week.items()) if row.appointment_only]
    if by_appointment:
        staggered = (by_appointment[0].morning_opens, by_appointment[0].afternoon_closes)
        wanted += [(letter, SlotKind.STAGGERED, *staggered, n) for letter, n in CITY_STAGGERED.items()]
    return [
        SlotPlan(
            hall=hall,
            category=queues[letter],
            kind=kind,
            starts=starts,
            ends=ends,
            slot_minutes=SLOT_MINUTES,
            capacity=capacity,
        )
        for letter, kind, starts, ends, capacity in wanted
        if letter in queues
    ]


def _bookings(now: dt.datetime) -> int:
    """One booking for each demo applicant who has none coming up: regular slots of queues A
    and B at the busy halls, spread over the next days and times."""
    digests = {id_digest(p.id_number): p for p in DEMO_PEOPLE}
    booked = set(
        Booking.objects.filter(
            person_id__in=list(digests), status__in=Booking.ACTIVE, slot__starts_at__gt=now
        ).values_list("person_id", flat=True)
    )
    waiting = [p for digest, p in digests.items() if digest not in booked]
    if not waiting:
        return 0
    # Not today: a booking needs its slot at least a few hours ahead to be cancellable.
    tomorrow = local_date(now) + dt.timedelta(days=1)
    candidates = (
        Slot.objects.filter(
            hall__code__in=BOOKING_HALLS,
            category__letter__in=("A", "B"),
            kind=SlotKind.REGULAR,
            date__gte=tomorrow,
            is_closed=False,
            booked__lt=F("capacity"),
        )
        .select_related("hall", "category")
        .prefetch_related("category__items")
        .order_by("date", "starts_at", "category__letter")
    )
    by_hall_day: dict[str, dict[dt.date, list[Slot]]] = {code: defaultdict(list) for code in BOOKING_HALLS}
    for slot in candidates:
        by_hall_day[slot.hall.code][slot.date].append(slot)
    made = 0
    for k, person in enumerate(waiting):
        days = by_hall_day[BOOKING_HALLS[k % len(BOOKING_HALLS)]]
        if not days:
            continue
        ordered = sorted(days)
        slots = days[ordered[(k // len(BOOKING_HALLS)) % len(ordered)]]
        slot = slots[(3 * k) % len(slots)]
        items = sorted(slot.category.items.all(), key=lambda i: i.code)
        try:
            services.booking_create(
                slot=slot,
                name=person.name,
                id_number=person.id_number,
                mobile=person.mobile,
                item=items[0] if items else None,
                source="demo",
                now=now,
            )
        except services.BookingError:
            continue  # e.g. the slot filled meanwhile, or the applicant is suspended after no-shows
        made += 1
    return made
