"""The booking's plain path (issue 14): an anonymous JSON body of exactly the slot, name, ID and
mobile number is served without DRF around it, with the DRF view's answers — the booking, and the
service's refusals (a full slot, the rate limit), which it has counted by then; everything else
is served by the DRF view, before the service is called."""

from __future__ import annotations

import json

import pytest
import time_machine

from appointments import apis
from appointments.models import Booking
from tests.appointments.factories import NOW, person

pytestmark = pytest.mark.django_db
TUESDAY = NOW.date().replace(day=24)
DRF = {"HTTP_ACCEPT": "application/json; q=1"}  # another Accept: served by the DRF view


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "1000/hour"


def book(client, body: dict, **headers):
    return client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json", **headers)


def body_for(slot, k: int, **fields) -> dict:
    return {"slot": slot.pk, **person(k), **fields}


@pytest.fixture
def served(monkeypatch) -> list[str]:
    """Which path served each request: "drf" when the DRF view's serializer ran."""
    paths: list[str] = []
    real = apis.BookingCreateSerializer.is_valid
    monkeypatch.setattr(
        apis.BookingCreateSerializer, "is_valid", lambda self, **k: paths.append("drf") or real(self, **k)
    )
    return paths


def same_answer(plain, drf) -> None:
    assert plain.status_code == drf.status_code
    for header in ("Content-Type", "Allow", "Cache-Control", "Content-Language"):
        assert plain.get(header) == drf.get(header), header


def test_a_booking_takes_the_plain_path_and_answers_as_the_drf_view_does(client, bh, served) -> None:
    slot = bh.slot(TUESDAY, 10)
    drf = book(client, body_for(slot, 1), **DRF)
    plain = book(client, body_for(slot, 2))
    assert served == ["drf"]  # the first only
    same_answer(plain, drf)
    assert plain.status_code == 201 and plain["Cache-Control"] == "no-store"
    first, second = drf.json(), plain.json()
    assert first.keys() == second.keys()
    booking = Booking.objects.get(code=second["code"])
    assert booking.slot == slot and booking.source == "api" and second["manage_token"] == booking.manage_token
    assert person(2)["id_number"] not in plain.content.decode() and person(2)["mobile"] not in plain.content.decode()
    # The same values as the DRF view's answer, but for the person's own and the booking's own.
    own = {"code", "manage_token", "name", "id_number", "mobile", "created_at", "url"}
    assert {k: v for k, v in first.items() if k not in own} == {k: v for k, v in second.items() if k not in own}


def test_a_full_slot_is_refused_on_the_plain_path_as_by_the_drf_view(client, bh, served) -> None:
    slot = bh.slot(TUESDAY, 10)  # three seats
    for k in (1, 2, 3):
        assert book(client, body_for(slot, k)).status_code == 201
    plain = book(client, body_for(slot, 4))
    drf = book(client, body_for(slot, 5), **DRF)
    assert served == ["drf"]
    same_answer(plain, drf)
    assert plain.status_code == 409 and plain.json() == drf.json() and plain.json()["code"] == "full"
    assert Booking.objects.filter(slot=slot).count() == 3


def test_the_rate_limit_counts_each_request_once(client, bh, settings) -> None:
    settings.THROTTLE_BOOKING_IP = "3/hour"
    slot = bh.slot(TUESDAY, 10)
    assert book(client, body_for(slot, 1)).status_code == 201
    assert book(client, body_for(slot, 2)).status_code == 201
    assert book(client, body_for(slot, 3)).status_code == 201
    refused = book(client, body_for(slot, 4))
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"


@pytest.mark.parametrize(
    "change",
    [
        {"item": ""},  # another field, even empty
        {"assistance": {"kind": "accompany"}},
        {"id_number": "110105199003070021"},  # a wrong check character
        {"mobile": "1234"},
        {"name": "   "},
        {"slot": "1"},  # a number as text
        {"extra": 1},
    ],
)
def test_other_bodies_are_served_by_the_drf_view(client, bh, served, change) -> None:
    slot = bh.slot(TUESDAY, 10)
    plain = book(client, {**body_for(slot, 1), **change})
    drf = book(client, {**body_for(slot, 2), **change}, **DRF)
    assert served == ["drf", "drf"]
    same_answer(plain, drf)
    assert plain.json().keys() == drf.json().keys()


def test_an_unknown_slot_and_a_signed_in_caller_are_the_drf_views(client, bh, served, admin_user) -> None:
    unknown = book(client, {"slot": 999_999, **person(1)})
    assert unknown.status_code == 404 and unknown.json()["errors"] == {"slot": ["没有找到该预约时段，请重新选择。"]}
    client.force_login(admin_user)
    book(client, body_for(bh.slot(TUESDAY, 10), 1))
    assert served == ["drf", "drf"]
