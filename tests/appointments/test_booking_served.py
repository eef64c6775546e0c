"""The booking as served (issue 14): on PostgreSQL, outside any transaction of the caller, the
booking is two round trips (``BEGIN``, the person locked and their bookings counted; then the
seat, the booking and its reminders and ``COMMIT`` in one string), and the API answers from what
it wrote. These tests run outside a test transaction, as the server does."""

from __future__ import annotations

import datetime as dt

import psycopg2.extensions
import pytest
import time_machine
from django.db import connection

from appointments import services
from appointments.models import Booking, BookingPerson, Reminder, Slot
from appointments.services import BookingError
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.markers import needs_postgres

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]
D = dt.date
BOOKING_SERVED = 3  # the slot (with hall, category and the person's counts), the two round trips


@pytest.fixture(autouse=True)
def clock(settings):
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "1000/hour"
    with time_machine.travel(NOW, tick=False):
        yield


def create(client, slot: Slot, k: int):
    return client.post("/api/v1/bookings/", {"slot": slot.pk, **person(k)}, content_type="application/json")


def idle() -> bool:
    """The connection is not left inside a transaction."""
    return connection.connection.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE


def test_a_served_booking_is_three_queries_and_answers_as_its_page_does(
    client, django_assert_num_queries, monkeypatch
) -> None:
    bh = make_booking_hall(capacity=5)
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1).status_code == 201  # the hall's rules are remembered
    kicked = []  # the reminders' task, asked for once committed (here eager: its queries not counted)
    monkeypatch.setattr(services, "_kick_reminders", lambda: kicked.append(idle()))
    with django_assert_num_queries(BOOKING_SERVED) as ctx:
        created = create(client, slot, 2)
    assert created.status_code == 201 and idle() and kicked == [True]
    assert ctx.captured_queries[1]["sql"].startswith("BEGIN; INSERT INTO")
    assert ctx.captured_queries[2]["sql"].endswith("; COMMIT")
    body = created.json()
    token = body.pop("manage_token")
    assert body == client.get(f"/api/v1/bookings/{token}/").json()  # nothing differs from a read
    booking = Booking.objects.get(manage_token=token)
    assert booking.person_id == services.id_digest(person(2)["id_number"])
    assert set(Reminder.objects.filter(booking=booking).values_list("kind", flat=True)) == {
        Reminder.Kind.CONFIRMATION,
        Reminder.Kind.DAY_BEFORE,
        Reminder.Kind.HOUR_BEFORE,
    }
    slot.refresh_from_db()
    assert slot.booked == 2 == Booking.objects.filter(slot=slot).count()


def test_served_refusals_of_the_person_write_nothing(client) -> None:
    bh = make_booking_hall(capacity=5)
    day = D(2026, 11, 25)
    assert create(client, bh.slot(day, 9), 1).status_code == 201
    refused = create(client, bh.slot(day, 10), 1)  # the same hall and day
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate" and idle()
    for day_k in (26, 27):
        assert create(client, bh.slot(D(2026, 11, day_k), 9), 1).status_code == 201
    refused = create(client, bh.slot(D(2026, 11, 30), 9), 1)  # a fourth active booking
    assert refused.status_code == 409 and refused.json()["code"] == "too_many" and idle()
    BookingPerson.objects.filter(pk=services.id_digest(person(2)["id_number"])).delete()
    BookingPerson.objects.create(
        id_hash=services.id_digest(person(2)["id_number"]), id_masked="x", suspended_until=NOW + dt.timedelta(days=30)
    )
    refused = create(client, bh.slot(D(2026, 11, 30), 9), 2)
    assert refused.status_code == 409 and refused.json()["code"] == "suspended" and idle()
    assert Slot.objects.get(pk=bh.slot(day, 10).pk).booked == 0
    assert Slot.objects.get(pk=bh.slot(D(2026, 11, 30), 9).pk).booked == 0
    assert Booking.objects.count() == 3


@pytest.mark.parametrize(("change", "code"), [({"booked": 2}, "full"), ({"is_closed": True}, "slot_closed")])
def test_a_slot_taken_or_closed_after_it_was_read_writes_nothing(change, code) -> None:
    """The seat is taken by the conditional update: a slot that filled up or was closed between
    the read and the seat is refused, the transaction (the newcomer's person row with it) undone."""
    bh = make_booking_hall(capacity=2)
    slot = Slot.objects.select_related("category").get(pk=bh.slot(D(2026, 11, 25), 9).pk)
    Slot.objects.filter(pk=slot.pk).update(**change)  # ``slot`` still says free and open
    with pytest.raises(BookingError) as excinfo:
        services.booking_create(slot=slot, now=NOW, fresh=True, **person(1))
    assert excinfo.value.code == code and idle()
    assert not BookingPerson.objects.exists() and not Booking.objects.exists() and not Reminder.objects.exists()
    assert Slot.objects.get(pk=slot.pk).booked == change.get("booked", 0)
