"""A day a calendar correction made a holiday, as the citizen and the staff see it, and the
correction undone (walkthrough 2026-12, walk C findings 4-5).

After the correction the day's booked slot stays, closed: the day list showed the day as "已约满"
with a "常规" badge, as if booked up; it now shows 节假日，不办理, with no kind of slot, and so do
the slot picker, the booker's page and the supervisors' day. Made a working day again, the slots
the correction closed open again (only those: a slot staff closed stays closed).

Time is frozen at Friday 4 December 2026, 10:00 in Guangzhou (as in test_calendar_correction).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from appointments import services
from appointments.models import Booking, Reminder, Slot, SlotPlan
from catalog.models import CalendarDay
from servicehall import roles
from tests.appointments.factories import person
from tests.appointments.test_calendar_correction import MONDAY, NOW, clock, correct, days_page  # noqa: F401
from tests.servicehall.factories import staff_user


@pytest.fixture
def hall(bh):
    # Without weekend and holiday service: the holiday keeps only the booked slot, closed.
    SlotPlan.objects.filter(hall=bh.hall, kind="staggered").update(is_active=False)
    services.slots_ensure_horizon(now=NOW)
    return bh


def day_card(body: str, label: str) -> str:
    match = re.search(
        rf'<li class="[^"]*">\s*<(?:a|div) class="day-card"[^>]*>\s*<span class="day-date">{label}</span>.*?</li>',
        body,
        re.S,
    )
    assert match is not None, f"no card for {label}"
    return match.group(0)


def test_a_day_made_a_holiday_shows_as_not_served_everywhere(client, admin_client, hall) -> None:
    booking = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(1))
    other = services.booking_create(slot=hall.slot(MONDAY, 10), now=NOW, **person(2))
    services.slot_close(slot=hall.slot(MONDAY, 10), reason="设备检修", actor=None, now=NOW)

    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "市政府通知临时调休")

    closed = Slot.objects.get(pk=booking.slot_id)
    assert closed.is_closed and closed.closed_by_calendar
    assert not Slot.objects.get(pk=other.slot_id).closed_by_calendar  # closed by staff before
    # The day list: not booked up, no kind of slot, no link.
    card = day_card(days_page(client, hall).content.decode(), "12月14日")
    assert "节假日，不办理" in card
    assert "已约满" not in card and "badge" not in card and "<a " not in card
    # The slot picker for the day.
    chosen = days_page(client, hall, day=MONDAY.isoformat()).content.decode()
    assert re.search(r'<span class="slot-state">节假日，不办理</span>', chosen)
    # The booker's page says why their booking no longer stands.
    manage = client.get(reverse("booking-manage", args=[booking.manage_token])).content.decode()
    assert "因工作日历调整，2026年12月14日 已改为节假日，大厅当日不办理，您的预约不能在原时段签到" in manage
    # No check-in instructions for a time that no longer holds (walkthrough: 签到须知 and its
    # 签到时间 stood under the notice that the booking cannot be checked in then).
    assert "签到须知" not in manage and "签到时间：" not in manage
    reschedule = client.get(reverse("booking-reschedule", args=[booking.manage_token])).content.decode()
    assert "该日已改为节假日，不办理" in reschedule
    # The supervisors' day: the slot closed by the calendar says so; the one staff closed does not.
    supervisor = staff_user("bk-sup", role=roles.SUPERVISOR, hall_=hall.hall)
    client.force_login(supervisor)
    page = client.get(
        reverse("supervisor-appointments", args=[hall.hall.code]), {"date": MONDAY.isoformat()}
    ).content.decode()
    row = re.search(rf'<tr id="slot-{closed.pk}".*?</tr>', page, re.S).group(0)
    assert '<span class="badge badge-alert">节假日，不办理</span>' in row
    staff_row = re.search(rf'<tr id="slot-{other.slot_id}".*?</tr>', page, re.S).group(0)
    assert '<span class="badge badge-alert">已关闭</span> 设备检修' in staff_row


def test_undoing_the_correction_reopens_only_the_slots_it_closed(client, admin_client, hall) -> None:
    booking = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(1))
    by_staff = services.booking_create(slot=hall.slot(MONDAY, 10), now=NOW, **person(2))
    services.slot_close(slot=hall.slot(MONDAY, 10), reason="设备检修", actor=None, now=NOW)
    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "误操作")

    correct(admin_client, MONDAY, CalendarDay.Kind.WORKDAY, "撤销误操作")

    reopened = Slot.objects.get(pk=booking.slot_id)
    assert (reopened.is_closed, reopened.closed_by_calendar, reopened.closed_reason) == (False, False, "")
    # Its displaced booking no longer holds a seat there (it was told; it moves or cancels).
    assert reopened.booked == 0 and reopened.seats_left == reopened.capacity
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DISPLACED
    # The slot staff closed stays closed, its booking still displaced.
    still = Slot.objects.get(pk=by_staff.slot_id)
    assert still.is_closed and still.closed_reason == "设备检修"
    # The day is bookable again, the reopened slot too.
    assert "<a " in day_card(days_page(client, hall).content.decode(), "12月14日")
    booked = client.post("/api/v1/bookings/", {"slot": reopened.pk, **person(3)}, content_type="application/json")
    assert booked.status_code == 201, booked.content
    manage = client.get(reverse("booking-manage", args=[booking.manage_token])).content.decode()
    assert "该时段现已重新开放" in manage
    assert "签到须知" not in manage


def test_reseeding_or_the_periodic_job_never_reopens_a_slot_staff_closed(hall) -> None:
    slot = hall.slot(MONDAY, 9)
    services.booking_create(slot=slot, now=NOW, **person(1))
    services.slot_close(slot=slot, reason="设备检修", actor=None, now=NOW)

    services.slots_ensure_horizon(now=NOW)
    services.slots_follow_calendar(start=MONDAY, end=MONDAY, now=NOW)

    slot.refresh_from_db()
    assert slot.is_closed and slot.closed_reason == "设备检修"


def test_a_day_with_a_cancelled_booking_can_be_made_a_holiday_and_back_and_again(client, admin_client, hall) -> None:
    """A slot named by a booking no longer standing (cancelled, or moved aside by an earlier
    correction and its seats recounted) has no seat taken but cannot be deleted: the correction
    closed it instead of failing with a 500 (walkthrough 2026-12-03, finding 6a)."""
    cancelled = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(1))
    services.booking_cancel(booking=cancelled, now=NOW)
    booked = services.booking_create(slot=hall.slot(MONDAY, 10), now=NOW, **person(2))

    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "市政府通知临时调休")
    kept = Slot.objects.get(pk=cancelled.slot_id)
    assert kept.is_closed and kept.closed_by_calendar
    assert Booking.objects.get(pk=cancelled.pk).status == "cancelled"

    correct(admin_client, MONDAY, CalendarDay.Kind.WORKDAY, "通知撤回")
    assert not Slot.objects.get(pk=cancelled.slot_id).is_closed
    assert Slot.objects.get(pk=booked.slot_id).booked == 0  # the displaced booking no longer holds a seat

    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "市政府再次通知临时调休")
    for slot_id in (cancelled.slot_id, booked.slot_id):
        slot = Slot.objects.get(pk=slot_id)
        assert slot.is_closed and slot.closed_by_calendar
    assert "节假日，不办理" in day_card(days_page(client, hall).content.decode(), "12月14日")


def test_a_rest_day_gets_its_staggered_slot_at_the_time_of_a_closed_booked_one(client, admin_client, bh) -> None:
    """Walkthrough leftover: a booked working-day slot the correction closed kept its start time,
    and the staggered slot the holiday wanted at that time was not made (one slot per queue and
    start): queue A got two of its three holiday slots. Only one *open* slot per queue and start
    is kept now; the closed one stays beside it as its booking's record."""
    from django.db import IntegrityError, transaction

    from servicehall.clock import SHANGHAI

    services.slots_ensure_horizon(now=NOW)
    booking = services.booking_create(slot=bh.slot(MONDAY, 9), now=NOW, **person(1))

    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "市政府通知临时调休")

    closed = Slot.objects.get(pk=booking.slot_id)
    assert closed.is_closed and closed.closed_by_calendar and closed.kind == "regular"
    staggered = Slot.objects.filter(category=bh.a, date=MONDAY, kind="staggered").order_by("starts_at")
    assert [s.starts_at.astimezone(SHANGHAI).hour for s in staggered] == [9, 10, 11]
    assert not any(s.is_closed for s in staggered)
    nine = staggered[0]
    assert nine.starts_at == closed.starts_at
    # The picker lists the open staggered slot at 9:00 once, not the closed working-day one.
    page = days_page(client, bh, day=MONDAY.isoformat()).content.decode()
    assert f'value="{nine.pk}"' in page and f'value="{closed.pk}"' not in page
    assert "节假日，不办理" not in page
    # The displaced booker's own page still shows their slot (as theirs) and can move to 9:00.
    reschedule = client.get(reverse("booking-reschedule", args=[booking.manage_token]), {"day": MONDAY.isoformat()})
    assert "该日已改为节假日，不办理" in reschedule.content.decode()
    moved = services.booking_reschedule(booking=Booking.objects.get(pk=booking.pk), new_slot=nine, now=NOW)
    assert moved.slot_id == nine.pk
    # A second open slot at the same time is refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=closed.pk).update(is_closed=False)

    # Undone: the staggered slot, booked now, is closed and the working-day one open again.
    correct(admin_client, MONDAY, CalendarDay.Kind.WORKDAY, "通知撤回")
    nine.refresh_from_db()
    closed.refresh_from_db()
    assert nine.is_closed and nine.closed_by_calendar
    assert not closed.is_closed
    assert bh.slot(MONDAY, 9).pk == closed.pk
    assert Slot.objects.filter(category=bh.a, date=MONDAY, kind="staggered", is_closed=False).count() == 0


def test_the_displaced_booker_is_told_by_sms_that_the_slot_reopened(client, admin_client, hall, settings) -> None:
    """Undoing the correction sends the people it displaced an SMS with their link (walkthrough:
    only their page said so); not the people a staff closure displaced, and not someone who has
    moved meanwhile."""
    from servicehall.notifications import MemoryBackend

    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    booking = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(1))
    moved = services.booking_create(slot=hall.slot(MONDAY, 9), now=NOW, **person(4))
    by_staff = services.booking_create(slot=hall.slot(MONDAY, 10), now=NOW, **person(2))
    services.slot_close(slot=hall.slot(MONDAY, 10), reason="设备检修", actor=None, now=NOW)
    correct(admin_client, MONDAY, CalendarDay.Kind.HOLIDAY, "误操作")
    services.booking_reschedule(
        booking=Booking.objects.get(pk=moved.pk), new_slot=hall.slot(MONDAY + dt.timedelta(days=1), 9), now=NOW
    )
    services.reminders_send_due(now=NOW)
    MemoryBackend.outbox.clear()

    correct(admin_client, MONDAY, CalendarDay.Kind.WORKDAY, "撤销误操作")
    services.reminders_send_due(now=NOW)

    reopened = [n for n in MemoryBackend.outbox if n.data["kind"] == "slot_reopened"]
    assert [n.data["booking"] for n in reopened] == [booking.code]
    assert "已恢复办理" in reopened[0].body and f"/book/manage/{booking.manage_token}/" in reopened[0].body
    assert "2026年12月14日 09:00" in reopened[0].body
    assert not Reminder.objects.filter(booking=by_staff, kind="slot_reopened").exists()
    MemoryBackend.outbox.clear()
