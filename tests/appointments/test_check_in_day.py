"""Check-in with a booking of another day or hall says which hall and day it is for (issue 8,
bug 3 and h1 §3), at the kiosk, in the API and at the window (there in the clerk's words); and a
checked-in appointment is visible on the console before its slot starts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from appointments import services
from appointments.models import Booking
from appointments.services import BookingError
from queueing import services as queue_services
from queueing.models import Ticket
from servicehall import roles
from tests.appointments.factories import NOW, person
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}
TODAY = NOW.date()  # Monday 23 November 2026
TOMORROW = TODAY + dt.timedelta(days=1)
WHEN = "2026年11月24日 10:30–11:00"


def on_tomorrow(bh) -> str:
    """What the applicant is told of their booking for tomorrow at ``bh``'s hall."""
    return f"该预约为 {bh.hall.name} {WHEN} 的预约，请在预约当天到该大厅签到。"


def on_tomorrow_to_the_clerk(bh) -> str:
    return f"该预约为 {bh.hall.name} {WHEN} 的预约，不能在本窗口签到；请告知申请人在预约当天到该大厅签到。"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tomorrow(bh) -> Booking:
    return services.booking_create(slot=bh.slot(TOMORROW, 10, 30), now=NOW, **person(1))


@pytest.fixture
def clerk(bh):
    user = staff_user("bk-w1", role=roles.WINDOW_STAFF, hall_=bh.hall)
    queue_services.window_sign_in(window=bh.window, staff=user)
    bh.window.refresh_from_db()
    return user


def refused(bh, **lookup) -> BookingError:
    with pytest.raises(BookingError) as caught:
        services.booking_check_in(hall=bh.hall, **lookup)
    return caught.value


def test_a_code_booked_for_another_day_says_the_day(bh, tomorrow) -> None:
    error = refused(bh, code=tomorrow.code)
    assert str(error.message) == on_tomorrow(bh)
    assert (error.status, error.code, error.field) == (409, "other_day", None)
    assert Booking.objects.get(pk=tomorrow.pk).status == "booked" and not Ticket.objects.exists()


def test_a_day_gone_by_and_a_cancelled_booking_say_so(bh, tomorrow, clock) -> None:
    clock.move_to(NOW + dt.timedelta(days=2))
    assert str(refused(bh, code=tomorrow.code).message) == (
        f"该预约为 {bh.hall.name} {WHEN} 的预约，预约日期已过，不能签到；请现场取号或重新预约。"
    )
    clock.move_to(NOW)
    services.booking_cancel(booking=tomorrow)
    assert str(refused(bh, code=tomorrow.code).message) == (
        f"该预约为 {bh.hall.name} {WHEN} 的预约，当前状态为“已取消”，不能签到。"
    )


def test_an_id_number_says_the_day_at_the_window_only(bh, tomorrow, clerk) -> None:
    id_number = person(1)["id_number"]
    at_window = refused(bh, id_number=id_number, via="window", staff=clerk)
    assert str(at_window.message) == on_tomorrow_to_the_clerk(bh) and at_window.status == 409
    # The public kiosk does not tell whoever types a number when that person comes.
    at_kiosk = refused(bh, id_number=id_number, via="kiosk")
    assert at_kiosk.status == 404 and "2026" not in str(at_kiosk.message)
    assert "没有找到您今天在本大厅的预约" in str(at_kiosk.message) and "请在预约当天签到" in str(at_kiosk.message)


def test_a_code_of_another_hall_names_the_hall_and_the_day(bh, tomorrow, clerk) -> None:
    from tests.appointments.factories import make_booking_hall

    other = make_booking_hall("BK2")
    error = refused(other, code=tomorrow.code)
    assert (error.status, error.code) == (409, "other_hall") and str(error.message) == on_tomorrow(bh)
    today = services.booking_create(slot=bh.slot(TODAY, 11, 30), now=NOW, **person(2))
    error = refused(other, code=today.code)
    assert str(error.message) == f"该预约为 {bh.hall.name} 2026年11月23日 11:30–12:00 的预约，请到该大厅签到。"
    # At a window of the other hall, in the clerk's words, by code or by the ID number on the card.
    staff = staff_user("bk2-w1", role=roles.WINDOW_STAFF, hall_=other.hall)
    for lookup in ({"code": today.code}, {"id_number": person(2)["id_number"]}):
        error = refused(other, via="window", staff=staff, **lookup)
        assert str(error.message) == (
            f"该预约为 {bh.hall.name} 2026年11月23日 11:30–12:00 的预约，不能在本窗口签到；请引导申请人到该大厅签到。"
        )
    assert not Ticket.objects.exists()


def test_an_id_number_at_the_kiosk_of_another_hall_gives_no_hint(bh, tomorrow) -> None:
    from tests.appointments.factories import make_booking_hall

    other = make_booking_hall("BK2")
    error = refused(other, id_number=person(1)["id_number"], mobile_last4=person(1)["mobile"][-4:])
    assert error.status == 404 and bh.hall.name not in str(error.message) and "2026" not in str(error.message)


def test_the_kiosk_api_answers_409_with_the_day(client, bh, tomorrow) -> None:
    response = client.post(
        f"/api/v1/halls/{bh.hall.code}/check-in/", {"code": tomorrow.code}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == on_tomorrow(bh) and response.json()["code"] == "other_day"


def test_the_kiosk_page_says_the_day(client, bh, tomorrow) -> None:
    response = client.post(reverse("booking-kiosk-checkin", args=[bh.hall.code]), {"code": tomorrow.code})
    assert response.status_code == 409 and on_tomorrow(bh) in response.content.decode()


def test_the_window_console_says_the_day(client, bh, tomorrow, clerk) -> None:
    client.force_login(clerk)
    url = reverse("console-check-in", args=[bh.window.pk])
    for lookup in (tomorrow.code, person(1)["id_number"]):
        response = client.post(url, {"lookup": lookup}, headers=HTMX)
        body = response.content.decode()
        assert response.status_code == 409 and response["X-Console-Panel"] == "1"
        assert f'role="alert">{on_tomorrow_to_the_clerk(bh)}</p>' in body


def test_after_check_in_the_console_shows_the_appointment_before_its_slot(client, bh, clerk, clock) -> None:
    booking = services.booking_create(slot=bh.slot(TODAY, 10, 30), now=NOW, **person(2))
    clock.move_to(NOW + 5 * MIN)  # 10:05, within the check-in window of the 10:30 slot
    client.force_login(clerk)

    response = client.post(reverse("console-check-in", args=[bh.window.pk]), {"lookup": booking.code}, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "签到成功：预约号 YA001，10:30 起优先叫号。" in body
    assert "等候中（0 人）" in body and "已签到预约，未到叫号时间（1 人）" in body
    assert '<th scope="row">YA001</th>' in body and "10:30 起可叫" in body and "10:05" in body
