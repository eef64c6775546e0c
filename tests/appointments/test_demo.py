"""The demo appointments: slot plans for the city and district centres, slots over the horizon,
one booking per demo applicant; a second load changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F, Q

from appointments import demo
from appointments.models import Booking, BookingPerson, Reminder, Slot, SlotKind, SlotPlan
from catalog.models import Hall
from servicehall.clock import SHANGHAI
from servicehall.personal_data import id_digest

pytestmark = pytest.mark.django_db
# Thursday 26 November 2026, 11:00: a working day; the next Saturday and Sunday are rest days.
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)


def counts() -> tuple[int, ...]:
    return (
        SlotPlan.objects.count(),
        Slot.objects.count(),
        Booking.objects.count(),
        BookingPerson.objects.count(),
        Reminder.objects.count(),
        sum(Slot.objects.values_list("booked", flat=True)),
    )


def test_demo_plans_slots_and_bookings_and_a_second_load_changes_nothing() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        first = counts()
        call_command("load_demo", "--no-calendar", verbosity=0)
        assert demo.load(now=MORNING) == {"plans": 0, "slots": 0, "bookings": 0}
        again = counts()
    assert first == again
    assert first[2] == len(demo.DEMO_PEOPLE)

    city = Hall.objects.get(code="GZ-CITY")
    plans = SlotPlan.objects.filter(hall=city)
    assert set(plans.filter(kind=SlotKind.REGULAR).values_list("category__letter", flat=True)) == {"A", "B", "C", "D"}
    assert plans.filter(kind=SlotKind.REGULAR, category__letter="A").count() == 2  # morning and afternoon
    extended = plans.get(kind=SlotKind.EXTENDED, category__letter="A")
    assert (extended.starts, extended.ends) == (dt.time(17), dt.time(19))
    assert set(plans.filter(kind=SlotKind.STAGGERED).values_list("category__letter", flat=True)) == {"A", "B"}

    # Every city and district centre is bookable; street centres and stations are not.
    planned = set(SlotPlan.objects.values_list("hall__level", flat=True))
    assert planned == {Hall.Level.CITY, Hall.Level.DISTRICT}
    assert (
        SlotPlan.objects.values("hall").distinct().count()
        == Hall.objects.filter(level__in=(Hall.Level.CITY, Hall.Level.DISTRICT)).count()
    )
    # Tianhe extends on Tuesdays and Thursdays only: no extended slots every working day.
    assert not SlotPlan.objects.filter(hall__code="TH", kind=SlotKind.EXTENDED).exists()

    # Working days carry regular (and the city's extended) slots; the weekend only staggered ones.
    friday, saturday = dt.date(2026, 11, 27), dt.date(2026, 11, 28)
    city_slots = Slot.objects.filter(hall=city)
    friday_a = city_slots.filter(date=friday, category__letter="A")
    assert friday_a.filter(kind=SlotKind.REGULAR).count() == 14  # 6 in the morning, 8 in the afternoon
    assert friday_a.filter(kind=SlotKind.EXTENDED).count() == 4
    assert set(city_slots.filter(date=saturday).values_list("kind", flat=True)) == {SlotKind.STAGGERED}
    assert not Slot.objects.filter(hall__code="TH", date=saturday).exists()

    # One upcoming booking per demo applicant, at the busy halls, each with its reminders.
    bookings = Booking.objects.select_related("hall", "slot")
    assert {b.person_id for b in bookings} == {id_digest(p.id_number) for p in demo.DEMO_PEOPLE}
    assert {b.hall.code for b in bookings} == set(demo.BOOKING_HALLS)
    assert all(b.slot.starts_at > MORNING and b.status == Booking.Status.BOOKED for b in bookings)
    assert not Reminder.objects.values("booking").annotate(n=Count("pk")).filter(n__lt=2).exists()
    # The seat counters agree with the bookings.
    assert (
        not Slot.objects.annotate(held=Count("bookings", filter=Q(bookings__status__in=Booking.ACTIVE)))
        .exclude(booked=F("held"))
        .exists()
    )


def test_halls_that_are_not_the_demos_are_left_alone() -> None:
    from queueing.models import QueueCategory
    from tests.catalog import factories

    other = factories.hall(code="OWN", level=Hall.Level.DISTRICT)
    QueueCategory.objects.create(hall=other, letter="A", name="自建队列")
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
    assert not SlotPlan.objects.filter(hall=other).exists() and not Slot.objects.filter(hall=other).exists()


def test_a_centre_whose_plans_were_edited_is_left_alone() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        city = Hall.objects.get(code="GZ-CITY")
        SlotPlan.objects.filter(hall=city, kind=SlotKind.STAGGERED).delete()
        assert demo.load(now=MORNING)["plans"] == 0
    assert not SlotPlan.objects.filter(hall=city, kind=SlotKind.STAGGERED).exists()


def test_the_hall_page_says_the_weekend_is_the_staggered_service_booking_offers(client) -> None:
    """The walkthrough read "周六 09:00–12:00（不午休）" (walk-in hours) on the city centre's page
    while Saturday there is booking-only staggered service: the hours and the slots now agree."""
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        page = client.get("/halls/GZ-CITY/").content.decode()
    city = Hall.objects.get(code="GZ-CITY")
    weekend = {row.weekday: row for row in city.opening_hours.all() if row.appointment_only}
    assert set(weekend) == {5, 6}
    staggered = SlotPlan.objects.filter(hall=city, kind=SlotKind.STAGGERED)
    assert {(p.starts, p.ends) for p in staggered} == {(weekend[5].morning_opens, weekend[5].afternoon_closes)}
    for day in ("星期六", "星期日"):
        row = page[page.index(f'<th scope="row">{day}') :].split("</tr>")[0]
        assert "09:00–12:00" in row and "仅预约（错时服务）" in row and "不午休" not in row
    # The slots of that Saturday are the hall's Saturday hours, and nothing is walk-in.
    saturday = Slot.objects.filter(hall=city, date=dt.date(2026, 11, 28))
    assert min(s.starts_at for s in saturday).astimezone(SHANGHAI).time() == dt.time(9)
    assert max(s.ends_at for s in saturday).astimezone(SHANGHAI).time() == dt.time(12)
    # Other centres' walk-in Saturday mornings stay opening hours, with no staggered slots.
    tianhe = Hall.objects.get(code="TH").opening_hours.get(weekday=5)
    assert not tianhe.appointment_only
    assert not SlotPlan.objects.filter(hall__code="TH", kind=SlotKind.STAGGERED).exists()
