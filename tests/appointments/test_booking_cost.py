"""What a booking costs (issue 14): a fixed number of queries for a booking and for the refusal
of a full slot (what most requests get once a popular slot has filled), and the person's own
refusals still said before "full"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from appointments import services
from appointments.models import Booking, BookingPerson, Slot
from catalog.models import Hall
from queueing.models import QueueCategory
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.markers import needs_postgres, needs_redis
from tests.redis_trips import count_round_trips

pytestmark = pytest.mark.django_db
D = dt.date

# Inside a transaction of the caller (as these tests are): PostgreSQL upserts and locks the
# person in one statement; SQLite uses the ORM's get_or_create. The booking is not read back for
# the answer. Outside one, as served: tests/appointments/test_booking_served.py.
BOOKING = {"postgresql": 8, "sqlite": 12}
# A full slot's refusal. PostgreSQL: the slot read with what the person's own refusals need
# (``services.slot_for_booking``). SQLite: the slot, the person, their bookings.
FULL_NEWCOMER = {"postgresql": 1, "sqlite": 2}
FULL_KNOWN = {"postgresql": 1, "sqlite": 3}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "1000/hour"


def create(client, slot, k: int):
    return client.post("/api/v1/bookings/", {"slot": slot.pk, **person(k)}, content_type="application/json")


def test_a_booking_costs_a_fixed_number_of_queries(client, django_assert_num_queries) -> None:
    bh = make_booking_hall(capacity=30)
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1).status_code == 201  # the hall's rules are remembered
    with django_assert_num_queries(BOOKING[connection.vendor]):
        assert create(client, slot, 2).status_code == 201
    for k in range(3, 20):
        create(client, slot, k)
    with django_assert_num_queries(BOOKING[connection.vendor]):
        assert create(client, slot, 20).status_code == 201
    slot.refresh_from_db()
    assert slot.booked == 20 == Booking.objects.filter(slot=slot).count()


def test_a_full_slot_is_refused_in_one_query(client, django_assert_num_queries) -> None:
    bh = make_booking_hall(capacity=1)
    day = D(2026, 11, 25)
    slot = bh.slot(day, 9)
    assert create(client, slot, 1).status_code == 201
    with django_assert_num_queries(FULL_NEWCOMER[connection.vendor]):
        refused = create(client, slot, 2)
    assert refused.status_code == 409 and refused.json()["code"] == "full"
    assert not BookingPerson.objects.filter(id_hash=services.id_digest(person(2)["id_number"])).exists()
    assert create(client, bh.slot(D(2026, 11, 26), 9), 3).status_code == 201  # person 3 known
    with django_assert_num_queries(FULL_KNOWN[connection.vendor]):
        assert create(client, slot, 3).json()["code"] == "full"


def test_on_a_full_slot_the_persons_own_refusal_comes_first(client) -> None:
    bh = make_booking_hall(capacity=1)
    day = D(2026, 11, 25)
    assert create(client, bh.slot(day, 9), 1).status_code == 201
    assert create(client, bh.slot(day, 10), 2).status_code == 201  # 10:00 is full now
    refused = create(client, bh.slot(day, 10), 1)
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate"


@needs_redis
def test_the_limits_per_address_and_per_mobile_cost_one_round_trip_to_redis(client, monkeypatch) -> None:
    """Both rate limits are counted in one pipeline (issue 14: two round trips before), for a
    booking and for the refusal of a full slot alike, and the working calendar's version (the
    booking horizon's) is read in the same round trip (MGET), not by a GET of its own."""
    bh = make_booking_hall(capacity=1)
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1).status_code == 201  # the hall's rules are remembered
    trips = count_round_trips(monkeypatch)
    assert create(client, slot, 2).json()["code"] == "full"
    assert trips == ["pipeline: SET INCRBY SET INCRBY MGET"], trips


def test_a_refusal_by_one_limit_still_counts_the_other(client, settings) -> None:
    """The address's limit and the mobile number's are counted together: a mobile number that
    tries from an address over its limit has used a try too."""
    settings.THROTTLE_BOOKING_IP = "1/hour"
    settings.THROTTLE_BOOKING_MOBILE = "1/hour"
    bh = make_booking_hall(capacity=5)
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1).status_code == 201
    refused = create(client, slot, 2)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "分钟后再试" in str(refused.json())
    settings.THROTTLE_BOOKING_IP = "100/hour"
    again = create(client, slot, 2)  # the mobile number's one try of the hour was the refused one
    assert again.status_code == 429 and again.json()["code"] == "rate_limited"
    assert create(client, slot, 3).status_code == 201


@needs_postgres
def test_the_slot_read_for_a_booking_is_the_slot_the_orm_reads(client) -> None:
    """``slot_for_booking`` reads the slot with a statement built once per process (issue 14):
    the slot, its category and hall are those ``select_related`` gives, field for field, and the
    person's figures are theirs."""
    bh = make_booking_hall(capacity=3)
    day = D(2026, 11, 25)
    slot = bh.slot(day, 9)
    assert create(client, bh.slot(day, 10), 1).status_code == 201
    assert create(client, bh.slot(D(2026, 11, 26), 9), 1).status_code == 201
    BookingPerson.objects.filter(id_hash=services.id_digest(person(1)["id_number"])).update(
        suspended_until=NOW + dt.timedelta(days=3)
    )
    orm = Slot.objects.select_related("category", "hall").get(pk=slot.pk)
    for k, known in ((1, True), (2, False)):
        read = services.slot_for_booking(slot.pk, id_number=person(k)["id_number"], now=NOW)
        assert read is not None
        for model, mine, theirs in (
            (Slot, read, orm),
            (QueueCategory, read.category, orm.category),
            (Hall, read.hall, orm.hall),
        ):
            for field in model._meta.concrete_fields:
                assert getattr(mine, field.attname) == getattr(theirs, field.attname), (model, field.name)
        assert not read._state.adding and read.category.hall_id == read.hall.pk
        assert read.starts_at.tzinfo is not None and type(read.date) is dt.date
        if known:
            assert read.person_known is True and read.person_suspended_until == NOW + dt.timedelta(days=3)
            assert (read.person_same_day, read.person_active) == (1, 2)
        else:
            assert read.person_known is False and read.person_suspended_until is None
            assert (read.person_same_day, read.person_active) == (0, 0)
    assert services.slot_for_booking(10**9, id_number=person(1)["id_number"], now=NOW) is None
