"""Check-in of a booking at a window, from the console's "预约签到" form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from appointments import services
from appointments.models import Booking, HallBookingSettings
from queueing import services as queue_services
from queueing.models import Ticket
from servicehall import memo, roles
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(bh):
    """Window staff of the booking hall, signed in at its window."""
    user = staff_user("bk-w1", role=roles.WINDOW_STAFF, hall_=bh.hall)
    queue_services.window_sign_in(window=bh.window, staff=user)
    bh.window.refresh_from_db()
    return user


def book(bh, hour: int, minute: int = 0, k: int = 1) -> Booking:
    return services.booking_create(slot=bh.slot(TODAY, hour, minute), now=NOW, **person(k))


def check_in_url(window) -> str:
    return reverse("console-check-in", args=[window.pk])


def text(response) -> str:
    return response.content.decode()


def test_the_console_panel_offers_the_check_in_form(client, bh, staff) -> None:
    client.force_login(staff)
    body = text(client.get("/staff/"))
    assert "预约签到" in body and f'action="{check_in_url(bh.window)}"' in body
    assert 'name="lookup"' in body and 'for="checkin-lookup"' in body and 'aria-describedby="checkin-hint"' in body
    assert ' style="' not in body and "onclick" not in body


def test_the_console_states_the_halls_own_check_in_window(client, bh, staff) -> None:
    client.force_login(staff)
    default = "预约时段开始前30分钟至开始后15分钟内签到取优先号（Y）"
    assert default in text(client.get("/staff/"))

    HallBookingSettings.objects.create(hall=bh.hall, checkin_before_minutes=20, checkin_after_minutes=10)
    memo.forget()
    own = "预约时段开始前20分钟至开始后10分钟内签到取优先号（Y）"
    page = text(client.get("/staff/"))
    polled = text(client.get(reverse("console-panel", args=[bh.window.pk]), headers=HTMX))
    after = text(client.post(check_in_url(bh.window), {"lookup": "ABCDEFGH"}, headers=HTMX))
    for body in (page, polled, after):
        assert own in body and default not in body


def test_on_time_check_in_by_code_puts_a_y_ticket_in_the_queue(client, bh, staff, clock) -> None:
    booking = book(bh, 10, 30)
    clock.move_to(NOW + 35 * MIN)  # 10:35: within 15 minutes after the 10:30 start
    client.force_login(staff)

    response = client.post(check_in_url(bh.window), {"lookup": f" {booking.code.lower()} "}, headers=HTMX)

    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<div id="console-panel"') and "<html" not in body
    booking.refresh_from_db()
    ticket = booking.ticket
    assert booking.status == Booking.Status.CHECKED_IN and booking.checked_in_at == NOW + 35 * MIN
    assert ticket.number == "YA001" and ticket.priority == Ticket.Priority.APPOINTMENT
    assert ticket.status == Ticket.Status.WAITING and ticket.category == bh.a
    # In the clerk's words (issue 8), and the ticket in the queue list.
    assert "签到成功：预约号 YA001，10:30 起优先叫号。" in body and '<th scope="row">YA001</th>' in body


def test_check_in_by_id_number_without_javascript_redirects_with_the_message(client, bh, staff, clock) -> None:
    booking = book(bh, 10, 30)
    client.force_login(staff)
    id_number = person(1)["id_number"]

    response = client.post(check_in_url(bh.window), {"lookup": id_number.lower()})

    assert response.status_code == 302 and response.url == "/staff/"
    body = text(client.get("/staff/"))
    assert "签到成功：预约号 YA001，10:30 起优先叫号。" in body
    assert id_number not in body
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CHECKED_IN


def test_a_late_arrival_gets_a_normal_ticket_and_is_told_why(client, bh, staff, clock) -> None:
    booking = book(bh, 10, 30)
    clock.move_to(NOW + 50 * MIN)  # 10:50, five minutes after check-in closed
    client.force_login(staff)

    response = client.post(check_in_url(bh.window), {"lookup": booking.code}, headers=HTMX)

    assert response.status_code == 200
    assert "已超过签到时间（10:45），已取普通号 A001，按到达顺序叫号。" in text(response)
    ticket = Booking.objects.get(pk=booking.pk).ticket
    assert ticket.number == "A001" and ticket.priority == "" and ticket.source == Ticket.Source.STAFF


def test_too_early_is_a_409_and_changes_nothing(client, bh, staff) -> None:
    booking = book(bh, 11, 30)
    client.force_login(staff)

    response = client.post(check_in_url(bh.window), {"lookup": booking.code}, headers=HTMX)

    assert response.status_code == 409 and "该预约的签到时间为 11:00 至 11:45，现在还不能签到。" in text(response)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED and not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        ("ZZZZ2345", "没有找到该预约码或证件号码今天在本大厅的预约"),
        ("", "请输入预约码或身份证号码。"),
        ("12ab", "请输入8位预约码或18位身份证号码。"),
        ("110105199003070010", "身份证号码校验位不正确"),
    ],
)
def test_unknown_codes_and_bad_input_are_a_400_marking_the_field(client, bh, staff, lookup, message) -> None:
    book(bh, 10, 30)
    client.force_login(staff)

    response = client.post(check_in_url(bh.window), {"lookup": lookup}, headers=HTMX)

    assert response.status_code == 400
    body = text(response)
    assert message in body and 'aria-invalid="true"' in body and 'role="alert"' in body
    assert not Ticket.objects.exists()


def test_without_javascript_an_error_comes_back_as_a_message(client, bh, staff) -> None:
    client.force_login(staff)
    response = client.post(check_in_url(bh.window), {"lookup": "ZZZZ2345"}, follow=True)
    assert response.redirect_chain == [("/staff/", 302)]
    assert "没有找到该预约码或证件号码今天在本大厅的预约" in text(response)


def test_a_booking_at_another_hall_is_named_at_this_window(client, bh, staff) -> None:
    other = make_booking_hall("BK2")
    booking = services.booking_create(slot=other.slot(TODAY, 10, 30), now=NOW, **person(2))
    client.force_login(staff)

    response = client.post(check_in_url(bh.window), {"lookup": booking.code}, headers=HTMX)

    assert response.status_code == 409
    assert (
        f"该预约为 {other.hall.name} 2026年11月23日 10:30–11:00 的预约，不能在本窗口签到；请引导申请人到该大厅签到。"
    ) in text(response)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_a_window_of_another_hall_is_403(client, bh, staff) -> None:
    other = make_booking_hall("BK2")
    booking = services.booking_create(slot=other.slot(TODAY, 10, 30), now=NOW, **person(2))
    client.force_login(staff)

    assert client.post(check_in_url(other.window), {"lookup": booking.code}).status_code == 403
    assert client.post(check_in_url(other.window), {"lookup": booking.code}, headers=HTMX).status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.ADMINISTRATOR, None])
def test_only_counter_staff_check_in(client, bh, role) -> None:
    booking = book(bh, 10, 30)
    client.force_login(staff_user("someone", role=role, hall_=bh.hall))
    assert client.post(check_in_url(bh.window), {"lookup": booking.code}).status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_anonymous_visitors_are_sent_to_the_login_page(client, bh) -> None:
    booking = book(bh, 10, 30)
    response = client.post(check_in_url(bh.window), {"lookup": booking.code})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert client.get(check_in_url(bh.window)).status_code in (302, 405)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED
