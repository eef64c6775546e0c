"""An administrator's working-day calendar correction reaches booking at once: the corrected day's
slots, the people who booked them, and the horizon counted on the corrected calendar.

Time is frozen at Friday 4 December 2026, 10:00 in Guangzhou: the 7-working-day horizon ends on
Tuesday 15 December; with Monday 14 December a holiday it ends on Wednesday 16 December.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from appointments import services
from appointments.models import Booking, Reminder, Slot, SlotPlan
from catalog.models import CalendarDay
from servicehall.clock import SHANGHAI
from tests.appointments.factories import person

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
MONDAY = dt.date(2026, 12, 14)
SATURDAY = dt.date(2026, 12, 12)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hall(bh):
    services.slots_ensure_horizon(now=NOW)  # the factory made the slots of 23 November's horizon
    return bh


def correct(admin_client, day: dt.date, kind: str, reason: str) -> None:
    url = reverse("admin:catalog_calendarday_change", args=[day.isoformat()])
    response = admin_client.post(url, {"kind": kind, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:2000]


def availability(client, hall) -> dict:
    response = client.get(f"/api/v1/halls/{hall.hall.code}/slots/", {"category": "a"})
    assert response.status_code == 200
    return response.json()


def days_page(client, hall, **query):
    url = reverse("booking-days", args=[hall.hall.code, hall.a.letter])
    return client.get(url, query)


def listed_days(body: str) -> list[str]:
    return re.findall(r'<span class="day-date">(\d+月\d+日)</span>', body)


def test_a_day_corrected_to_a_holiday_is_no_longer_bookable_and_its_bookers_are_told(
    client, admin_client, hall
) -> None:
    # A hall without weekend and holiday service (错时服务): a holiday has no slot at all. (With
    # it, the holiday gets its staggered slots, as every holiday does: slots_generate.)
    SlotPlan.objects.filter(hall=hall.hall, kind="staggered").update(is_active=False)
    services.slots_ensure_horizon(now=NOW)
    booking = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(1))
    before = availability(client, hall)  # this process now remembers the horizon
    assert before["bookable_until"] == "2026-12-15"
    assert "2026-12-14" in [d["date"] for d in before["days"]]
    assert "12月14日" in listed_days(days_page(client, hall).content.decode())

    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "市政府通知临时调休")

    assert client.get("/api/v1/calendar/deadline/", {"start": "2026-12-11", "days": 1}).json()["deadline"] == (
        "2026-12-15"
    )
    after = availability(client, hall)
    assert after["bookable_until"] == "2026-12-16"
    dates = [d["date"] for d in after["days"]]
    assert "2026-12-14" not in dates and dates[-1] == "2026-12-16"
    # The page: no 14 December with seats, the horizon's new last day, the day itself refused.
    body = days_page(client, hall).content.decode()
    assert "可预约今天至 2026-12-16（7 个工作日内）的时段" in body
    monday = body[body.index("12月14日</span>") :].split("</li>")[0] if "12月14日</span>" in body else ""
    assert "<a " not in monday and "余 " not in monday
    assert "12月16日" in listed_days(body)
    chosen = days_page(client, hall, day="2026-12-14").content.decode()
    assert 'class="slot slot-open"' not in chosen
    # Empty slots went; the booked one is closed, its booking displaced and its booker told.
    assert list(Slot.objects.filter(hall=hall.hall, date=MONDAY).values_list("is_closed", flat=True)) == [True]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DISPLACED
    reminder = Reminder.objects.get(booking=booking, kind=Reminder.Kind.SLOT_CLOSED)
    assert reminder.slot_id == booking.slot_id
    assert Slot.objects.get(pk=booking.slot_id).closed_reason == "该时段已不再开放（工作日历调整）"
    refused = client.post("/api/v1/bookings/", {"slot": booking.slot_id, **person(2)}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "slot_closed"


def test_a_rest_day_corrected_to_a_working_day_becomes_bookable(client, admin_client, hall) -> None:
    assert set(Slot.objects.filter(hall=hall.hall, date=SATURDAY).values_list("kind", flat=True)) == {"staggered"}
    assert availability(client, hall)["bookable_until"] == "2026-12-15"

    correct(admin_client, SATURDAY, CalendarDay.Kind.MAKEUP_WORKDAY, "调休上班")

    assert set(Slot.objects.filter(hall=hall.hall, date=SATURDAY).values_list("kind", flat=True)) == {
        "regular",
        "extended",
    }
    after = availability(client, hall)
    assert after["bookable_until"] == "2026-12-14"  # one working day more before it
    (saturday,) = [d for d in after["days"] if d["date"] == "2026-12-12"]
    assert saturday["slots"][0]["starts_at"] == "2026-12-12T09:00:00+08:00"
    assert "12月12日" in listed_days(days_page(client, hall).content.decode())
    slot = hall.slot(SATURDAY, 9)
    booked = client.post("/api/v1/bookings/", {"slot": slot.pk, **person(3)}, content_type="application/json")
    assert booked.status_code == 201, booked.content


def test_every_process_counts_the_horizon_on_the_corrected_calendar(hall) -> None:
    """Another process's correction: this process's remembered horizon gives way to the version
    the correction moved in the shared cache, not only to what this process itself forgets."""
    today = NOW.date()
    assert services.horizon_end(hall=hall.hall, today=today) == dt.date(2026, 12, 15)
    # The other process writes the day and, once committed, moves the calendar's version.
    CalendarDay.objects.filter(date=MONDAY).update(kind=CalendarDay.Kind.HOLIDAY, reason="临时调整")
    assert services.horizon_end(hall=hall.hall, today=today) == dt.date(2026, 12, 15)  # remembered
    cache.set(services.CALENDAR_VERSION_KEY, "moved by another process", None)
    assert services.horizon_end(hall=hall.hall, today=today) == dt.date(2026, 12, 16)
