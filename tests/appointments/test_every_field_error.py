"""A booking refused for its personal data names every wrong field at once, in the API and on the
booking form (walkthrough finding 3: the name, then the ID number, then the mobile number)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from appointments import services
from appointments.models import Booking
from tests.appointments.factories import NOW

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 11, 24)
BAD = {"name": "", "id_number": "123", "mobile": "1"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_api_names_the_name_the_id_number_and_the_mobile_together(client, bh) -> None:
    slot = bh.slot(TUESDAY, 10)
    response = client.post("/api/v1/bookings/", {"slot": slot.pk, **BAD}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"name", "id_number", "mobile"}
    assert "身份证号码应为18位" in body["errors"]["id_number"][0]
    assert "手机号码" in body["errors"]["mobile"][0]
    # A right shape with a wrong check character, and a wrong mobile, with a good name: both.
    response = client.post(
        "/api/v1/bookings/",
        {"slot": slot.pk, "name": "张三", "id_number": "110105199003070021", "mobile": "12"},
        content_type="application/json",
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"id_number", "mobile"}
    # A slot that does not exist is the 404 it is alone, naming the other fields too.
    response = client.post("/api/v1/bookings/", {"slot": 999999, **BAD}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert set(response.json()["errors"]) == {"slot", "name", "id_number", "mobile"}
    assert Booking.objects.count() == 0


def test_the_service_refuses_every_wrong_field_in_one_error(bh) -> None:
    with pytest.raises(services.BookingError) as refused:
        services.booking_create(slot=bh.slot(TUESDAY, 10), name=" ", id_number="123", mobile="1")
    assert set(refused.value.field_errors()) == {"name", "id_number", "mobile"}
    assert refused.value.as_dict()["detail"] == "提交的内容有误，请按各项提示修改。"


def test_the_booking_form_shows_every_wrong_field_at_once(client, bh) -> None:
    slot = bh.slot(TUESDAY, 10)
    response = client.post(reverse("booking-form", args=[slot.pk]), {**BAD, "consent": "on"})
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("name", "id_number", "mobile"):
        assert f'<a href="#id_{field}">' in body, field
    assert "身份证号码应为18位" in body and "请输入11位中国大陆手机号码" in body
    assert Booking.objects.count() == 0
