"""Booking test data: a hall with slot plans and generated slots; valid applicants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appointments import services
from appointments.models import SlotPlan
from catalog import services as catalog_services
from catalog.models import Hall
from queueing.models import QueueCategory, Window
from servicehall.clock import SHANGHAI
from tests.catalog import factories
from tests.queueing.factories import id_number

# Monday 23 November 2026, 10:00 in Guangzhou: a working day.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def person(k: int = 1) -> dict[str, str]:
    """A valid applicant: name, ID number (born 1990) and mobile number."""
    return {"name": f"申请人{k}", "id_number": id_number("19900307", seq=f"{k:03d}"), "mobile": f"1380013{k:04d}"}


@dataclass
class BookingHall:
    hall: Hall
    a: QueueCategory
    b: QueueCategory
    regular: SlotPlan
    window: Window

    def slot(self, day: dt.date, hour: int, minute: int = 0, category: QueueCategory | None = None):
        from appointments.models import Slot

        starts = dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)
        # The open slot at that time; a closed one only if none is open (a closed slot may keep
        # its time beside the open one made since: a rest day's staggered slot).
        found = list(Slot.objects.filter(category=category or self.a, starts_at=starts).order_by("is_closed", "pk"))
        if not found:
            raise Slot.DoesNotExist(f"no slot at {starts}")
        return found[0]


def make_booking_hall(code: str = "BK", capacity: int = 3) -> BookingHall:
    for year in (2026, 2027):
        catalog_services.calendar_fill_year(year=year)
    hall = factories.hall(code=code, level=Hall.Level.DISTRICT)
    a = QueueCategory.objects.create(hall=hall, letter="A", name="户政业务", order=1)
    b = QueueCategory.objects.create(hall=hall, letter="B", name="社保业务", order=2)
    regular = SlotPlan.objects.create(
        hall=hall, category=a, kind="regular", starts=dt.time(9), ends=dt.time(12), slot_minutes=30, capacity=capacity
    )
    SlotPlan.objects.create(
        hall=hall, category=a, kind="regular", starts=dt.time(13), ends=dt.time(17), slot_minutes=30, capacity=capacity
    )
    SlotPlan.objects.create(
        hall=hall, category=a, kind="extended", starts=dt.time(17), ends=dt.time(19), slot_minutes=60, capacity=2
    )
    SlotPlan.objects.create(
        hall=hall, category=a, kind="staggered", starts=dt.time(9), ends=dt.time(12), slot_minutes=60, capacity=2
    )
    SlotPlan.objects.create(
        hall=hall, category=b, kind="regular", starts=dt.time(9), ends=dt.time(12), slot_minutes=30, capacity=capacity
    )
    window = Window.objects.create(hall=hall, number=1, kind=Window.Kind.COMPREHENSIVE)
    services.slots_ensure_horizon(now=NOW)
    return BookingHall(hall, a, b, regular, window)
