"""Outside opening hours the console says the hall is closed, and at closing time the closing job
(``tasks.expire_tickets``) closes the windows still open with nobody at the counter, so no page
shows a window open overnight. A clerk serving somebody who came before closing is not signed
out while serving (Art. 10 ¶2: 工作日延时服务); the window closes once that ticket is done."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from queueing import services, snapshot, tasks
from queueing.models import Ticket, Window
from servicehall.models import AuditEvent
from staffing.models import AttendanceRecord
from tests.queueing.factories import NOW
from tests.queueing.test_closed_hall_windows import at, text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

BEFORE_CLOSING = NOW.replace(hour=16, minute=50)  # Thursday 26 November 2026, closing at 17:00
AFTER_CLOSING = NOW.replace(hour=17, minute=5)
EVENING = NOW.replace(hour=21, minute=21)
NEXT_MORNING = NOW.replace(hour=9, minute=58) + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(BEFORE_CLOSING, tick=False) as traveller:
        yield traveller


def test_signing_in_after_hours_warns_that_the_hall_is_closed_and_when_it_opens(client, qh, clock) -> None:
    at(clock, EVENING)
    client.force_login(qh.staff[2])
    page = text(client.post(reverse("console-sign-in", args=[qh.window_a.pk]), follow=True))
    assert 'class="message warning"' in page
    assert "现在不在办公时间，群众暂不能取号。下次开放时间：2026-11-27 09:00。" in page
    assert "闭厅后，没有号码在办的窗口会自动关闭。" in page
    assert Window.objects.get(pk=qh.window_a.pk).is_open  # getting ready is allowed


def test_signing_in_during_opening_hours_has_no_warning(client, qh, clock) -> None:
    client.force_login(qh.staff[2])
    page = text(client.post(reverse("console-sign-in", args=[qh.window_a.pk]), follow=True))
    assert "不在办公时间" not in page


def test_calling_next_when_closed_and_nobody_waits_says_the_hall_is_closed(client, qh, clock) -> None:
    at(clock, EVENING)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    client.force_login(qh.staff[2])
    body = text(client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX))
    assert "当前没有等候的号码。" in body
    assert "现在不在办公时间，群众暂不能取号。下次开放时间：2026-11-27 09:00。" in body


def test_calling_next_when_open_and_nobody_waits_says_only_that(client, qh, clock) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    client.force_login(qh.staff[2])
    body = text(client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX))
    assert "当前没有等候的号码。" in body and "不在办公时间" not in body


def test_idle_windows_close_at_closing_and_it_is_audited(qh, clock) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    assert services.windows_close_after_hours(now=BEFORE_CLOSING) == []  # still open

    at(clock, AFTER_CLOSING)
    left = services.windows_close_after_hours(now=AFTER_CLOSING)
    assert sorted(x.window.pk for x in left) == [qh.window_a.pk, qh.window_b.pk]
    assert not Window.objects.filter(is_open=True).exists()
    assert not Window.objects.filter(staff__isnull=False).exists()
    events = AuditEvent.objects.filter(action="window.sign_out", details__cause="closing")
    assert events.count() == 2
    assert services.windows_close_after_hours(now=AFTER_CLOSING) == []  # idempotent


def test_the_consoles_generation_is_replaced_when_a_window_closes_at_closing(
    qh, clock, django_capture_on_commit_callbacks
) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    at(clock, AFTER_CLOSING)
    cache.set(snapshot.console_key(qh.hall.pk), "seen", 60)
    with django_capture_on_commit_callbacks(execute=True):
        services.windows_close_after_hours(now=AFTER_CLOSING)
    assert cache.get(snapshot.console_key(qh.hall.pk)) != "seen"


def test_a_clerk_serving_at_closing_is_not_signed_out_until_the_ticket_is_done(qh, clock) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    ticket = services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    ticket = services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2])

    at(clock, AFTER_CLOSING)
    tasks.expire_tickets()  # the closing job
    window = Window.objects.get(pk=qh.window_a.pk)
    assert window.is_open and window.staff_id == qh.staff[2].pk
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.SERVING

    services.ticket_finish(window=window, ticket=ticket, staff=qh.staff[2])
    at(clock, AFTER_CLOSING + dt.timedelta(minutes=5))
    tasks.expire_tickets()
    window.refresh_from_db()
    assert (window.is_open, window.staff_id) == (False, None)


def test_a_window_left_open_overnight_is_closed_before_the_next_morning(client, qh, clock) -> None:
    at(clock, EVENING)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    at(clock, NEXT_MORNING)
    tasks.expire_tickets()
    assert not Window.objects.get(pk=qh.window_a.pk).is_open
    status = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "开放窗口 1 个" not in status


def test_a_window_signed_in_before_opening_to_get_ready_stays_open(qh, clock) -> None:
    eight = NOW.replace(hour=8)
    at(clock, eight)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=eight)
    assert services.windows_close_after_hours(now=eight) == []
    assert Window.objects.get(pk=qh.window_a.pk).is_open


def test_a_window_on_a_day_without_walk_in_hours_stays_open_that_day(qh, clock) -> None:
    # Saturday: no walk-in hours, but weekend staggered service serves checked-in bookings.
    saturday = NOW.replace(hour=10) + dt.timedelta(days=2)
    at(clock, saturday)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=saturday)
    assert services.windows_close_after_hours(now=saturday) == []
    sunday = saturday + dt.timedelta(days=1)
    at(clock, sunday)
    assert [x.window.pk for x in services.windows_close_after_hours(now=sunday)] == [qh.window_a.pk]


def spell(clerk) -> AttendanceRecord:
    return AttendanceRecord.objects.get(user=clerk)


def test_the_spell_ends_at_closing_time_not_when_the_job_runs(qh, clock) -> None:
    """The staff's hours count to closing (17:00), whether the job runs five minutes later or
    the next morning for a window left open overnight."""
    clerk, night_clerk = qh.staff[2], qh.staff[3]
    services.window_sign_in(window=qh.window_a, staff=clerk)
    services.window_sign_in(window=qh.window_b, staff=night_clerk)
    closing = NOW.replace(hour=17)
    at(clock, AFTER_CLOSING)
    left = services.windows_close_after_hours(now=AFTER_CLOSING)
    assert sorted(x.window.pk for x in left) == [qh.window_a.pk, qh.window_b.pk]
    record = spell(clerk)
    assert (record.signed_out_at, record.sign_out_cause) == (closing, "closing")
    event = AuditEvent.objects.get(action="window.sign_out", actor=clerk)
    assert event.details["signed_out_at"] == closing.isoformat()

    # Left overnight: signed in again after closing, closed by the next morning's first run.
    services.window_sign_in(window=qh.window_b, staff=night_clerk, now=EVENING - dt.timedelta(hours=4))
    at(clock, NEXT_MORNING)
    tasks.expire_tickets()
    assert not Window.objects.get(pk=qh.window_b.pk).is_open
    (_first, overnight) = AttendanceRecord.objects.filter(user=night_clerk).order_by("signed_in_at")
    assert overnight.signed_in_at == NOW.replace(hour=17, minute=21)
    # Signed in after closing: the spell counts nothing, not the night.
    assert overnight.signed_out_at == overnight.signed_in_at


def test_the_spell_ends_at_extended_closing_or_at_the_last_ticket_served_past_it(qh, clock) -> None:
    qh.hall.opening_hours.filter(weekday=NOW.weekday()).update(extended_until=dt.time(18, 30))
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    at(clock, NOW.replace(hour=18, minute=25))
    ticket = services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    at(clock, NOW.replace(hour=18, minute=35))
    tasks.expire_tickets()  # window B closes; A serves somebody who came before closing
    assert spell(qh.staff[3]).signed_out_at == NOW.replace(hour=18, minute=30)
    assert spell(qh.staff[2]).signed_out_at is None
    at(clock, NOW.replace(hour=18, minute=52))
    services.ticket_finish(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    at(clock, NEXT_MORNING)
    tasks.expire_tickets()
    assert spell(qh.staff[2]).signed_out_at == NOW.replace(hour=18, minute=52)
