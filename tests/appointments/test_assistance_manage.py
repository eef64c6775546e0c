"""A booking's request for accompanied or assisted handling (Art. 10 ¶1) as the applicant sees it
(the confirmation page, the manage page, the confirmation SMS), withdrawing it from the manage
page, and the assistance desk's look-ahead at the next days' requests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import services
from appointments.models import Booking
from queueing import services as queue_services
from queueing.models import AssistanceRequest
from servicehall import roles
from servicehall.clock import SHANGHAI
from servicehall.notifications import MemoryBackend
from tests.appointments.factories import NOW, person
from tests.servicehall.factories import staff_user

TODAY = NOW.date()  # Monday 23 November 2026
WEDNESDAY = dt.date(2026, 11, 25)
ACCOMPANY = {"assistance": "on", "assistance_kind": "accompany", "assistance_reason": "elderly"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def book_online(client, slot, **extra):
    return client.post(reverse("booking-form", args=[slot.pk]), {**person(), "consent": "on", **extra})


def manage_url(booking: Booking) -> str:
    return reverse("booking-manage", args=[booking.manage_token])


# --- The applicant sees the request -------------------------------------------------------------


def test_the_confirmation_and_manage_pages_and_the_sms_mention_the_request(client, bh, outbox) -> None:
    response = book_online(client, bh.slot(WEDNESDAY, 10), **ACCOMPANY)
    assert response.status_code == 302 and response["Location"].endswith("?new=1")
    confirmation = client.get(response["Location"]).content.decode()
    success = confirmation.split('class="booking-success"')[1].split("</div>")[0]
    assert "已申请陪同办：到达大厅后请先签到（自助取号机或窗口），工作人员将协助您。" in success
    assert "已申请陪同办（原因：高龄）" in confirmation
    assert "撤销帮办/陪同申请" in confirmation

    services.reminders_send_due(now=NOW)
    (sms,) = outbox
    assert "已申请陪同办：签到后工作人员将协助您。" in sms.body


def test_the_kiosk_booking_end_page_mentions_the_request(client, bh) -> None:
    url = reverse("booking-kiosk-form", args=[bh.hall.code, bh.slot(WEDNESDAY, 10).pk])
    response = client.post(url, {**person(), "consent": "on", **ACCOMPANY, "assistance_kind": "proxy"})
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "已申请帮办代办：到达大厅后请先签到（自助取号机或窗口），工作人员将协助您。" in done


def test_a_booking_without_a_request_says_nothing_about_it(client, bh, outbox) -> None:
    response = book_online(client, bh.slot(WEDNESDAY, 10))
    page = client.get(response["Location"]).content.decode()
    assert "帮办/陪同" not in page and "已申请" not in page
    services.reminders_send_due(now=NOW)
    (sms,) = outbox
    assert "已申请" not in sms.body


# --- Withdrawing it -------------------------------------------------------------------------------


def test_the_applicant_withdraws_the_request_and_keeps_the_booking(client, bh, outbox) -> None:
    book_online(client, bh.slot(WEDNESDAY, 10), **ACCOMPANY)
    booking = Booking.objects.get()
    response = client.post(reverse("booking-assistance-withdraw", args=[booking.manage_token]))
    assert response.status_code == 302 and response["Location"] == manage_url(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert (booking.assistance.status, booking.assistance.cancelled_at) == ("cancelled", NOW)
    page = client.get(manage_url(booking)).content.decode()
    assert "已撤销帮办/陪同申请，预约不变。" in page
    assert "本预约的陪同办申请已撤销。" in page and "撤销帮办/陪同申请</button>" not in page
    # A second press is told there is nothing to withdraw; the desk no longer lists it.
    client.post(reverse("booking-assistance-withdraw", args=[booking.manage_token]))
    assert "本预约没有待处理的帮办/陪同申请。" in client.get(manage_url(booking)).content.decode()
    assert not AssistanceRequest.objects.filter(status__in=AssistanceRequest.OPEN).exists()


def test_a_taken_request_or_a_checked_in_booking_cannot_be_withdrawn_online(client, bh) -> None:
    wish = queue_services.assistance_wish(kind="proxy", reason="disabled")
    booking = services.booking_create(slot=bh.slot(TODAY, 10, 30), assistance=wish, **person())
    clerk = staff_user("am-clerk", role=roles.WINDOW_STAFF, hall_=bh.hall)
    queue_services.assistance_take(request=booking.assistance, staff=clerk)
    with pytest.raises(services.BookingError, match="工作人员已接单"):
        services.booking_assistance_withdraw(booking=booking)
    page = client.get(manage_url(booking)).content.decode()
    assert "工作人员已接单。" in page and "撤销帮办/陪同申请</button>" not in page

    other = services.booking_create(slot=bh.slot(TODAY, 10, 30), assistance=wish, **person(2))
    services.booking_check_in(hall=bh.hall, code=other.code, via="window", staff=clerk)
    with pytest.raises(services.BookingError, match="不能撤销帮办/陪同申请"):
        services.booking_assistance_withdraw(booking=other)
    other.assistance.refresh_from_db()
    assert other.assistance.status == "requested"


def test_withdraw_takes_only_post(client, bh) -> None:
    wish = queue_services.assistance_wish(kind="proxy", reason="disabled")
    booking = services.booking_create(slot=bh.slot(WEDNESDAY, 10), assistance=wish, **person())
    assert client.get(reverse("booking-assistance-withdraw", args=[booking.manage_token])).status_code == 405
    assert client.post(reverse("booking-assistance-withdraw", args=["nope" * 8])).status_code == 404


# --- The desk looks ahead -------------------------------------------------------------------------


def _requests_ahead(bh, count: int) -> None:
    """``count`` booking requests spread over the next six days (made directly: one person may
    hold only a few bookings)."""
    wish = queue_services.assistance_wish(kind="proxy", reason="mobility")
    for k in range(count):
        day = TODAY + dt.timedelta(days=1 + k % 6)
        queue_services.assistance_request(
            hall=bh.hall,
            wish=wish,
            source=AssistanceRequest.Source.BOOKING,
            expected_at=dt.datetime.combine(day, dt.time(9 + k % 8), SHANGHAI),
            id_masked="4401**********0011",
        )


def test_the_desk_lists_the_next_seven_days_by_day_with_masked_data(client, bh) -> None:
    wish = queue_services.assistance_wish(kind="accompany", reason="elderly")
    services.booking_create(slot=bh.slot(WEDNESDAY, 14), assistance=wish, **person())
    services.booking_create(slot=bh.slot(WEDNESDAY, 9, 30), assistance=wish, **person(2))
    far = TODAY + dt.timedelta(days=8)
    queue_services.assistance_request(
        hall=bh.hall, wish=wish, source="booking", expected_at=dt.datetime.combine(far, dt.time(9), SHANGHAI)
    )
    clerk = staff_user("am-desk", role=roles.WINDOW_STAFF, hall_=bh.hall)
    client.force_login(clerk)
    body = client.get(reverse("assistance-desk")).content.decode()
    assert "今日待处理（0 件）" in body
    ahead = body.split('id="ahead-heading"')[1]
    assert "已预约的帮办/陪同（未来 7 天，2 件）" in ahead
    assert "2026-11-25" in ahead and far.isoformat() not in ahead
    assert ahead.index("09:30") < ahead.index("14:00")
    assert "陪同办" in ahead and "高龄" in ahead
    assert person()["id_number"] not in body and person(2)["id_number"] not in body
    assert Booking.objects.first().person.id_masked in ahead


def test_the_desk_costs_the_same_queries_for_5_and_50_requests_ahead(client, bh) -> None:
    clerk = staff_user("am-count", role=roles.WINDOW_STAFF, hall_=bh.hall)
    client.force_login(clerk)
    url = reverse("assistance-desk")
    client.get(url)  # the session's first request may write it
    _requests_ahead(bh, 5)
    with CaptureQueriesContext(connection) as few:
        assert "未来 7 天，5 件" in client.get(url).content.decode()
    _requests_ahead(bh, 45)
    with CaptureQueriesContext(connection) as many:
        assert "未来 7 天，50 件" in client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
