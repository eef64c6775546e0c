"""Races against PostgreSQL with real threads: the last seat is never sold twice, concurrent
reschedules never lose or duplicate a seat."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from appointments import services
from appointments.models import Booking, Slot
from appointments.services import BookingError
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.concurrency import in_threads
from tests.markers import needs_postgres

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]
D = dt.date


@pytest.fixture(autouse=True)
def clock(settings):
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "10000/hour"
    with time_machine.travel(NOW, tick=False):
        yield


def test_100_concurrent_bookings_for_3_seats_exactly_3_succeed() -> None:
    bh = make_booking_hall()
    slot = bh.slot(D(2026, 11, 25), 9)

    def attempt(k: int) -> str:
        try:
            services.booking_create(slot=slot, now=NOW, **person(k + 1))
        except BookingError as exc:
            return exc.code
        return "ok"

    # 100 bookings from 50 threads released together (two each): PostgreSQL's default limit of
    # 100 connections leaves no room for 100 threads beside the test's own connection.
    results = [r for pair in in_threads(50, lambda t: [attempt(2 * t), attempt(2 * t + 1)]) for r in pair]
    assert len(results) == 100 and results.count("ok") == 3
    assert set(results) == {"ok", "full"}
    slot.refresh_from_db()
    assert slot.booked == 3 == Booking.objects.filter(slot=slot, status="booked").count()


def test_concurrent_reschedules_never_lose_or_duplicate_a_seat() -> None:
    bh = make_booking_hall(capacity=5)
    day = D(2026, 11, 25)
    sources = [bh.slot(day, 9), bh.slot(day, 9, 30)]
    target = bh.slot(day, 10)
    bookings = [services.booking_create(slot=sources[k % 2], now=NOW, **person(k + 1)) for k in range(10)]

    def move(k: int) -> str:
        try:
            services.booking_reschedule(booking=bookings[k], new_slot=target, now=NOW)
        except BookingError as exc:
            return exc.code
        return "ok"

    results = in_threads(10, move)
    assert results.count("ok") == 5 and results.count("full") == 5
    counted = {s.pk: Booking.objects.filter(slot=s, status="booked").count() for s in [*sources, target]}
    for slot in Slot.objects.filter(pk__in=counted):
        assert slot.booked == counted[slot.pk], slot
    assert sum(counted.values()) == 10


def test_the_same_booking_rescheduled_twice_at_once_moves_once() -> None:
    bh = make_booking_hall()
    day = D(2026, 11, 25)
    booking = services.booking_create(slot=bh.slot(day, 9), now=NOW, **person(1))
    targets = [bh.slot(day, 10), bh.slot(day, 11)]

    def move(k: int) -> str:
        try:
            services.booking_reschedule(booking=booking, new_slot=targets[k], now=NOW)
        except BookingError as exc:
            return exc.code
        return "ok"

    in_threads(2, move)
    booked = {s.pk: s.booked for s in Slot.objects.filter(category=bh.a, date=day)}
    assert sum(booked.values()) == 1
    booking.refresh_from_db()
    assert booked[booking.slot_id] == 1
