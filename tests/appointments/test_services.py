"""The booking services: slots from the calendar, the rules one by one, check-in windows,
no-shows and suspensions, slot closure and capacity."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from appointments import services
from appointments.models import Booking, BookingPerson, HallBookingSettings, Reminder, Slot, SlotPlan
from appointments.services import BookingError
from queueing.models import Ticket
from servicehall import memo
from servicehall.clock import SHANGHAI
from servicehall.models import AuditEvent
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
D = dt.date
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(bh, slot, k=1, **kwargs) -> Booking:
    return services.booking_create(slot=slot, now=kwargs.pop("now", NOW), **{**person(k), **kwargs})


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


# --- Slots ------------------------------------------------------------------------------------


def test_slots_follow_the_calendar_across_national_day_2026(bh) -> None:
    services.slots_generate(start=D(2026, 9, 28), end=D(2026, 10, 12), now=at(D(2026, 9, 1), 9))
    kinds_by_day = {}
    for slot in Slot.objects.filter(category=bh.a, date__range=(D(2026, 9, 28), D(2026, 10, 12))):
        kinds_by_day.setdefault(slot.date, set()).add(slot.kind)
    # 1–7 October are statutory days off: only the staggered (错时) service.
    for day in range(1, 8):
        assert kinds_by_day[D(2026, 10, day)] == {"staggered"}, day
    # Saturday 10 October is a make-up workday: regular and extended slots, no staggered ones.
    assert kinds_by_day[D(2026, 10, 10)] == {"regular", "extended"}
    assert kinds_by_day[D(2026, 10, 9)] == {"regular", "extended"}  # Friday
    assert kinds_by_day[D(2026, 10, 11)] == {"staggered"}  # Sunday
    assert kinds_by_day[D(2026, 9, 30)] == {"regular", "extended"}
    regular = Slot.objects.filter(category=bh.a, date=D(2026, 10, 10), kind="regular").order_by("starts_at")
    assert regular.count() == 6 + 8 and regular[0].starts_at == at(D(2026, 10, 10), 9) and regular[0].capacity == 3


def test_generation_is_idempotent_and_follows_plan_changes(bh) -> None:
    before = Slot.objects.count()
    assert services.slots_ensure_horizon(now=NOW).created == 0
    assert Slot.objects.count() == before
    SlotPlan.objects.filter(kind="extended").update(is_active=False)
    result = services.slots_ensure_horizon(now=NOW)
    assert result.removed > 0 and not Slot.objects.filter(kind="extended").exists()


def test_horizon_is_seven_working_days(bh) -> None:
    # From Monday 23 November: the 7th working day is Wednesday 2 December.
    assert services.horizon_end(hall=bh.hall, today=D(2026, 11, 23)) == D(2026, 12, 2)
    assert Slot.objects.filter(hall=bh.hall).order_by("-date").first().date == D(2026, 12, 2)
    # Across National Day, from 30 September: 8, 9, 10 (the make-up Saturday), 12, 13, 14, 15
    # October → Thursday 15 October.
    assert services.horizon_end(hall=bh.hall, today=D(2026, 9, 30)) == D(2026, 10, 15)


# --- Booking rules ----------------------------------------------------------------------------


def test_a_booking_takes_a_seat_and_schedules_its_reminders(bh) -> None:
    slot = bh.slot(D(2026, 11, 25), 9)
    booking = book(bh, slot)
    slot.refresh_from_db()
    assert slot.booked == 1 and booking.status == "booked" and len(booking.code) == 8
    assert booking.person.id_masked.startswith("1101") and "19900307" not in booking.person.id_masked
    kinds = set(Reminder.objects.filter(booking=booking).values_list("kind", flat=True))
    assert kinds == {"confirmation", "day_before", "hour_before"}


@pytest.mark.parametrize(
    ("data", "field"),
    [({"id_number": "110105199003070021"}, "id_number"), ({"mobile": "12345"}, "mobile"), ({"name": "  "}, "name")],
)
def test_invalid_personal_data_is_refused_with_the_field(bh, data, field) -> None:
    slot = bh.slot(D(2026, 11, 25), 9)
    with pytest.raises(BookingError) as excinfo:
        services.booking_create(slot=slot, now=NOW, **{**person(1), **data})
    assert excinfo.value.field == field and excinfo.value.status == 400
    slot.refresh_from_db()
    assert slot.booked == 0 and not Booking.objects.exists()


def test_the_last_seat_is_never_sold_twice(bh) -> None:
    slot = bh.slot(D(2026, 11, 25), 9)
    for k in range(3):
        book(bh, slot, k + 1)
    with pytest.raises(BookingError) as excinfo:
        book(bh, slot, 9)
    assert excinfo.value.code == "full" and excinfo.value.status == 409
    slot.refresh_from_db()
    assert slot.booked == 3 == Booking.objects.filter(slot=slot).count()


def test_a_slot_in_the_past_or_beyond_the_horizon_is_refused(bh) -> None:
    started = bh.slot(D(2026, 11, 23), 10, 30)
    with pytest.raises(BookingError, match="已经开始或已过去"):
        book(bh, started, now=at(D(2026, 11, 23), 10, 31))
    services.slots_generate(start=D(2026, 12, 3), end=D(2026, 12, 3), now=NOW)
    with pytest.raises(BookingError, match="7 个工作日内"):
        book(bh, bh.slot(D(2026, 12, 3), 9))


@pytest.mark.parametrize(
    ("make", "code", "status"),
    [
        (lambda bh: Slot.objects.filter(pk=bh.slot(D(2026, 11, 24), 9).pk).update(is_closed=True), "slot_closed", 409),
        (lambda bh: Slot.objects.filter(pk=bh.slot(D(2026, 11, 24), 9).pk).update(booked=3), "full", 409),
        (lambda bh: None, "slot_started", 409),  # started: the booking is tried at 09:01
    ],
)
def test_the_slot_refusal_pages_show_is_the_one_booking_raises(bh, make, code, status) -> None:
    slot = bh.slot(D(2026, 11, 24), 9)
    now = at(D(2026, 11, 24), 9, 1) if code == "slot_started" else NOW
    assert services.slot_refusal(slot=slot, now=NOW) is None
    make(bh)
    slot.refresh_from_db()
    refusal = services.slot_refusal(slot=slot, now=now)
    with pytest.raises(BookingError) as excinfo:
        book(bh, slot, now=now)
    assert refusal is not None and (refusal.code, refusal.status) == (code, status)
    assert (excinfo.value.code, excinfo.value.status, str(excinfo.value.message)) == (
        refusal.code,
        refusal.status,
        str(refusal.message),
    )


def test_one_booking_per_person_hall_and_day(bh) -> None:
    book(bh, bh.slot(D(2026, 11, 25), 9))
    with pytest.raises(BookingError) as excinfo:
        book(bh, bh.slot(D(2026, 11, 25), 10))
    assert excinfo.value.code == "duplicate" and excinfo.value.status == 409
    with pytest.raises(BookingError, match="同一大厅只能预约一次"):
        book(bh, bh.slot(D(2026, 11, 25), 10, category=bh.b))
    book(bh, bh.slot(D(2026, 11, 26), 9))  # another day is fine


def test_at_most_three_active_bookings(bh) -> None:
    for day in (24, 25, 26):
        book(bh, bh.slot(D(2026, 11, day), 9))
    with pytest.raises(BookingError) as excinfo:
        book(bh, bh.slot(D(2026, 11, 27), 9))
    assert excinfo.value.code == "too_many"


def test_rate_limits_per_address_and_per_mobile(bh, settings) -> None:
    settings.THROTTLE_BOOKING_IP = "2/hour"
    book(bh, bh.slot(D(2026, 11, 24), 9), 1, client_ip="10.0.0.1")
    book(bh, bh.slot(D(2026, 11, 24), 9), 2, client_ip="10.0.0.1")
    with pytest.raises(BookingError) as excinfo:
        book(bh, bh.slot(D(2026, 11, 24), 9), 3, client_ip="10.0.0.1")
    assert excinfo.value.status == 429 and excinfo.value.code == "rate_limited"
    settings.THROTTLE_BOOKING_IP = "100/hour"
    settings.THROTTLE_BOOKING_MOBILE = "1/hour"
    same_mobile = {"mobile": "13900139000"}
    book(bh, bh.slot(D(2026, 11, 25), 9), 4, **same_mobile)
    with pytest.raises(BookingError) as excinfo:
        book(bh, bh.slot(D(2026, 11, 25), 9), 5, **same_mobile)
    assert excinfo.value.status == 429


def test_a_suspended_person_is_told_why_and_until_when(bh) -> None:
    booking = book(bh, bh.slot(D(2026, 11, 24), 9))
    BookingPerson.objects.filter(pk=booking.person_id).update(suspended_until=at(D(2027, 2, 21), 10))
    with pytest.raises(BookingError) as excinfo:
        book(bh, bh.slot(D(2026, 11, 25), 9))
    assert excinfo.value.code == "suspended" and "2027-02-21" in str(excinfo.value.message)


# --- Cancel and reschedule --------------------------------------------------------------------


def test_cancel_gives_the_seat_back_up_to_two_hours_before(bh) -> None:
    slot = bh.slot(D(2026, 11, 23), 13)
    booking = book(bh, slot)
    with pytest.raises(BookingError) as excinfo:
        services.booking_cancel(booking=booking, now=at(D(2026, 11, 23), 11, 1))
    assert excinfo.value.code == "too_late"
    cancelled = services.booking_cancel(booking=booking, now=at(D(2026, 11, 23), 10, 59))
    slot.refresh_from_db()
    assert cancelled.status == "cancelled" and slot.booked == 0
    assert Reminder.objects.filter(booking=booking, kind="cancellation").exists()
    assert set(
        Reminder.objects.filter(booking=booking, kind__in=["day_before", "hour_before"]).values_list(
            "status", flat=True
        )
    ) <= {"skipped"}
    with pytest.raises(BookingError, match="已取消"):
        services.booking_cancel(booking=booking, now=NOW)


def test_reschedule_takes_the_new_seat_before_giving_back_the_old(bh) -> None:
    old, new = bh.slot(D(2026, 11, 25), 9), bh.slot(D(2026, 11, 26), 10)
    booking = book(bh, old)
    moved = services.booking_reschedule(booking=booking, new_slot=new, now=NOW)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.booked, new.booked, moved.slot_id, moved.date, moved.code) == (
        0,
        1,
        new.pk,
        D(2026, 11, 26),
        booking.code,
    )
    assert Reminder.objects.filter(booking=booking, slot=new, kind="rescheduled").exists()


def test_a_refused_reschedule_changes_nothing(bh) -> None:
    old, full = bh.slot(D(2026, 11, 25), 9), bh.slot(D(2026, 11, 26), 10)
    booking = book(bh, old)
    for k in range(2, 5):
        book(bh, full, k)
    with pytest.raises(BookingError) as excinfo:
        services.booking_reschedule(booking=booking, new_slot=full, now=NOW)
    assert excinfo.value.code == "full"
    old.refresh_from_db()
    full.refresh_from_db()
    booking.refresh_from_db()
    assert (old.booked, full.booked, booking.slot_id) == (1, 3, old.pk)


# --- Slot closure and capacity ----------------------------------------------------------------


def test_closing_a_slot_tells_everyone_and_lets_them_reschedule_any_time(bh, admin_user) -> None:
    slot = bh.slot(D(2026, 11, 23), 13)
    bookings = [book(bh, slot, k) for k in (1, 2)]
    assert services.slot_close(slot=slot, reason="系统升级", actor=admin_user, now=NOW) == 2
    assert set(Booking.objects.filter(slot=slot).values_list("status", flat=True)) == {"displaced"}
    assert Reminder.objects.filter(slot=slot, kind="slot_closed").count() == 2
    with pytest.raises(BookingError, match="已关闭"):
        book(bh, slot, 7)
    # Within two hours of the closed slot, the displaced booking can still move.
    moved = services.booking_reschedule(
        booking=bookings[0], new_slot=bh.slot(D(2026, 11, 24), 9), now=at(D(2026, 11, 23), 12, 30)
    )
    assert moved.status == "booked"
    slot.refresh_from_db()
    assert slot.booked == 2  # a closed slot's counter is left as it was: its seats are not sold again
    assert AuditEvent.objects.filter(action="slot.close").exists()


def test_changing_a_days_capacity_but_not_below_the_booked(bh, admin_user) -> None:
    day = D(2026, 11, 25)
    book(bh, bh.slot(day, 9), 1)
    book(bh, bh.slot(day, 9), 2)
    with pytest.raises(BookingError) as excinfo:
        services.day_set_capacity(hall=bh.hall, category_id=bh.a.pk, day=day, capacity=1, actor=admin_user)
    assert excinfo.value.field == "capacity"
    assert services.day_set_capacity(hall=bh.hall, category_id=bh.a.pk, day=day, capacity=5, actor=admin_user) > 0
    assert set(Slot.objects.filter(category=bh.a, date=day).values_list("capacity", flat=True)) == {5}


# --- Check-in ---------------------------------------------------------------------------------


def test_check_in_window_on_time_early_and_late(bh) -> None:
    day = D(2026, 11, 25)
    slot = bh.slot(day, 10)
    booking = book(bh, slot, 1)
    with pytest.raises(BookingError) as excinfo:
        services.booking_check_in(hall=bh.hall, code=booking.code, now=at(day, 9, 29))
    assert excinfo.value.code == "too_early" and "09:30" in str(excinfo.value.message)
    result = services.booking_check_in(hall=bh.hall, code=booking.code.lower(), now=at(day, 9, 30))
    assert not result.late and result.ticket.number.startswith("YA") and result.ticket.not_before == slot.starts_at
    assert result.ticket.priority == "appointment" and result.booking.status == "checked_in"
    again = services.booking_check_in(hall=bh.hall, code=booking.code, now=at(day, 9, 40))
    assert again.ticket.pk == result.ticket.pk  # checking in twice shows the same ticket

    late = book(bh, bh.slot(day, 9, 30), 2)
    result = services.booking_check_in(hall=bh.hall, id_number=person(2)["id_number"], now=at(day, 9, 46))
    assert result.late and result.ticket.number.startswith("A") and result.ticket.priority == ""
    assert "09:45" in result.message and result.booking.pk == late.pk


def test_check_in_needs_todays_booking_at_this_hall(bh) -> None:
    other = make_booking_hall("BK2")
    booking = book(bh, bh.slot(D(2026, 11, 25), 10), 1)
    with pytest.raises(BookingError) as excinfo:
        services.booking_check_in(hall=other.hall, code=booking.code, now=at(D(2026, 11, 25), 9, 45))
    # The code is the applicant's own: the answer names the hall it is for (issue 8).
    assert (excinfo.value.status, excinfo.value.code) == (409, "other_hall")
    assert bh.hall.name in str(excinfo.value.message)
    with pytest.raises(BookingError):
        services.booking_check_in(hall=bh.hall, code=booking.code, now=at(D(2026, 11, 24), 9, 45))
    with pytest.raises(BookingError) as excinfo:
        services.booking_check_in(hall=bh.hall, now=NOW)
    assert excinfo.value.field == "code"


def test_a_checked_in_appointment_is_called_first_but_not_before_its_slot(bh) -> None:
    from queueing import services as queue_services

    day = D(2026, 11, 25)
    staff = staff_user("bk-window", role="窗口人员", hall_=bh.hall)
    queue_services.window_sign_in(window=bh.window, staff=staff, now=at(day, 9))
    walk_in = queue_services.ticket_issue(hall=bh.hall, category=bh.a, source="kiosk", now=at(day, 9, 35)).ticket
    booking = book(bh, bh.slot(day, 10), 1)
    appointment = services.booking_check_in(hall=bh.hall, code=booking.code, now=at(day, 9, 40)).ticket
    assert queue_services.ticket_call_next(window=bh.window, staff=staff, now=at(day, 9, 50)) == walk_in
    queue_services.ticket_finish(window=bh.window, ticket=walk_in, staff=staff, now=at(day, 9, 55))
    assert queue_services.ticket_call_next(window=bh.window, staff=staff, now=at(day, 10, 0)) == appointment


def test_a_weekend_staggered_slot_can_be_checked_in_although_the_hall_has_no_hours(bh) -> None:
    saturday = D(2026, 11, 28)
    slot = Slot.objects.get(category=bh.a, date=saturday, starts_at=at(saturday, 9))
    booking = book(bh, slot, 1)
    result = services.booking_check_in(hall=bh.hall, code=booking.code, now=at(saturday, 8, 50))
    assert result.ticket.number.startswith("Y")
    assert Ticket.objects.filter(pk=result.ticket.pk, status="waiting").exists()


# --- No-shows and suspension ------------------------------------------------------------------


def test_two_no_shows_in_thirty_days_suspend_booking_for_ninety_days(bh, admin_user) -> None:
    first = book(bh, bh.slot(D(2026, 11, 24), 9), 1)
    result = services.bookings_mark_no_shows(now=at(D(2026, 11, 24), 9, 44))
    assert result.marked == 0  # the slot ended at 09:30; the grace is 15 minutes
    result = services.bookings_mark_no_shows(now=at(D(2026, 11, 24), 9, 46))
    assert (result.marked, result.suspended) == (1, 0)
    first.refresh_from_db()
    assert first.status == "no_show"
    second = book(bh, bh.slot(D(2026, 11, 25), 9), 1, now=at(D(2026, 11, 24), 12))
    result = services.bookings_mark_no_shows(now=at(D(2026, 11, 25), 10))
    assert (result.marked, result.suspended) == (1, 1)
    person_row = BookingPerson.objects.get(pk=second.person_id)
    assert person_row.suspended_until == at(D(2026, 11, 25), 10) + dt.timedelta(days=90)
    assert "爽约 2 次" in person_row.suspension_reason
    assert Reminder.objects.filter(booking=second, kind="suspended").exists()
    with pytest.raises(BookingError, match="暂停至 2027-02-23"):
        book(bh, bh.slot(D(2026, 11, 27), 9), 1, now=at(D(2026, 11, 25), 11))

    with pytest.raises(BookingError, match="解除原因"):
        services.suspension_lift(person=person_row, actor=admin_user, reason="")
    services.suspension_lift(
        person=person_row, actor=admin_user, reason="因病住院，已核实", now=at(D(2026, 11, 25), 11)
    )
    assert AuditEvent.objects.filter(action="booking.suspension_lift").exists()
    book(bh, bh.slot(D(2026, 11, 27), 9), 1, now=at(D(2026, 11, 25), 11, 5))


def test_checked_in_and_cancelled_bookings_are_not_no_shows(bh) -> None:
    day = D(2026, 11, 24)
    kept = book(bh, bh.slot(day, 10), 1)
    services.booking_check_in(hall=bh.hall, code=kept.code, now=at(day, 9, 45))
    cancelled = book(bh, bh.slot(day, 10), 2)
    services.booking_cancel(booking=cancelled, now=NOW)
    assert services.bookings_mark_no_shows(now=at(day, 12)).marked == 0


def test_each_hall_waits_its_own_no_show_grace(bh) -> None:
    """One run marks each hall's bookings after that hall's grace: an hour at BK, the default
    (the global check-in lateness, 15 minutes) at BK2, whose own lateness does not change it."""
    other = make_booking_hall("BK2")
    HallBookingSettings.objects.create(hall=bh.hall, no_show_grace_minutes=60)
    HallBookingSettings.objects.create(hall=other.hall, checkin_after_minutes=5)
    memo.forget()
    day = D(2026, 11, 24)
    ours = book(bh, bh.slot(day, 9), 1)  # the slot ends at 09:30
    theirs = book(other, other.slot(day, 9), 2)

    assert services.bookings_mark_no_shows(now=at(day, 9, 44)).marked == 0
    assert services.bookings_mark_no_shows(now=at(day, 9, 46)).marked == 1
    assert Booking.objects.get(pk=theirs.pk).status == "no_show"
    assert Booking.objects.get(pk=ours.pk).status == "booked"
    assert services.bookings_mark_no_shows(now=at(day, 10, 29)).marked == 0
    assert services.bookings_mark_no_shows(now=at(day, 10, 31)).marked == 1
    assert Booking.objects.get(pk=ours.pk).status == "no_show"
