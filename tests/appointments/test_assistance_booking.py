"""A request for accompanied or assisted handling made when booking online (Art. 10 ¶1): it
reaches the hall's assistance desk with the slot's time, follows the booking's ticket at check-in
(shown on the window console), moves with a rescheduled booking and ends with a cancelled one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from appointments import services
from appointments.models import Booking
from queueing import services as queue_services
from queueing.models import AssistanceRequest
from servicehall import roles
from tests.appointments.factories import NOW, person
from tests.servicehall.factories import staff_user

TODAY = NOW.date()
TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(client, slot, **extra):
    data = {**person(), "consent": "on", **extra}
    return client.post(reverse("booking-form", args=[slot.pk]), data)


def test_a_booking_with_assistance_reaches_the_desk_and_follows_the_ticket(client, bh) -> None:
    slot = bh.slot(TODAY, 10, 30)
    response = book(client, slot, assistance="on", assistance_kind="proxy", assistance_reason="disabled")
    assert response.status_code == 302
    booking = Booking.objects.get()
    request = booking.assistance
    assert request is not None
    assert (request.hall, request.kind, request.reason, request.source) == (bh.hall, "proxy", "disabled", "booking")
    assert (request.expected_at, request.service_date, request.ticket) == (slot.starts_at, TODAY, None)
    assert request.id_masked == booking.person.id_masked

    clerk = staff_user("bk-clerk", role=roles.WINDOW_STAFF, hall_=bh.hall)
    client.force_login(clerk)
    body = client.get(reverse("assistance-desk")).content.decode()
    assert "预约 10:30" in body and "帮办代办" in body and "残疾" in body
    assert person()["id_number"] not in body

    checked = services.booking_check_in(hall=bh.hall, code=booking.code, via="window", staff=clerk)
    request.refresh_from_db()
    assert request.ticket == checked.ticket
    queue_services.window_sign_in(window=bh.window, staff=clerk)
    console = client.get(reverse("staff-home")).content.decode()
    row = console.split(f'<th scope="row">{checked.ticket.number}</th>')[1].split("</tr>")[0]
    assert "需帮办代办" in row


def test_a_booking_without_the_tick_makes_no_request(client, bh) -> None:
    assert book(client, bh.slot(TODAY, 10, 30), assistance_kind="proxy").status_code == 302
    assert Booking.objects.get().assistance is None and not AssistanceRequest.objects.exists()


def test_bad_assistance_input_on_the_booking_form_books_nothing(client, bh) -> None:
    response = book(
        client, bh.slot(TODAY, 10, 30), assistance="on", assistance_kind="taxi", assistance_reason="elderly"
    )
    assert response.status_code == 400
    assert "请选择服务类型：陪同办或帮办代办。" in response.content.decode()
    response = book(
        client, bh.slot(TODAY, 10, 30), assistance="on", assistance_kind="accompany", assistance_reason="other"
    )
    assert response.status_code == 400 and "请简要说明需要协助的情况" in response.content.decode()
    assert not Booking.objects.exists() and not AssistanceRequest.objects.exists()


def test_the_request_moves_with_a_rescheduled_booking_and_ends_with_a_cancelled_one(bh) -> None:
    wish = queue_services.assistance_wish(kind="accompany", reason="elderly")
    booking = services.booking_create(slot=bh.slot(TUESDAY, 9), assistance=wish, **person())
    booking = services.booking_reschedule(booking=booking, new_slot=bh.slot(TUESDAY, 14))
    booking.assistance.refresh_from_db()
    assert booking.assistance.expected_at == bh.slot(TUESDAY, 14).starts_at
    services.booking_cancel(booking=booking)
    booking.assistance.refresh_from_db()
    assert booking.assistance.status == "cancelled" and booking.assistance.cancelled_at == NOW


def test_the_booking_api_takes_an_assistance_request(client, bh) -> None:
    slot = bh.slot(TUESDAY, 9)

    def post(assistance):
        data = {"slot": slot.pk, **person(), "assistance": assistance}
        return client.post("/api/v1/bookings/", data, content_type="application/json")

    bad = post({"kind": "carry", "reason": "elderly"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["assistance.kind"] == ["请选择服务类型：陪同办或帮办代办。"]
    assert not Booking.objects.exists()
    created = post({"kind": "accompany", "reason": "mobility"})
    assert created.status_code == 201
    request = Booking.objects.get().assistance
    assert (request.kind, request.reason, request.expected_at) == ("accompany", "mobility", slot.starts_at)
