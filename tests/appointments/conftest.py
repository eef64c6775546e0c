from __future__ import annotations

import pytest

from tests.appointments.factories import BookingHall, make_booking_hall


@pytest.fixture
def bh(db) -> BookingHall:
    return make_booking_hall()
