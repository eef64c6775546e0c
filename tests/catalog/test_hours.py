"""Opening hours on the working-day calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import selectors, services
from catalog.hours import SHANGHAI
from catalog.models import HallOpeningHours
from tests.catalog import factories

pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def hall(db):
    services.calendar_fill_year(year=2026)
    hall = factories.hall()
    HallOpeningHours.objects.filter(hall=hall, weekday=3).update(extended_until=dt.time(19))
    HallOpeningHours.objects.create(
        hall=hall,
        weekday=5,
        morning_opens=dt.time(9),
        morning_closes=dt.time(10, 30),
        afternoon_opens=dt.time(10, 30),
        afternoon_closes=dt.time(12),
    )
    return hall


def test_working_day_with_lunch_break_and_extended_hours(hall) -> None:
    thursday = selectors.hall_hours(hall=hall, day=dt.date(2026, 11, 26))
    assert thursday.opens == at(2026, 11, 26, 9) and thursday.closes == at(2026, 11, 26, 19)
    assert thursday.in_lunch_break(at(2026, 11, 26, 12, 30))
    assert thursday.is_open_at(at(2026, 11, 26, 18, 59)) and not thursday.is_open_at(at(2026, 11, 26, 19))


def test_holidays_close_the_hall_and_make_up_workdays_use_mondays_hours(hall) -> None:
    assert selectors.hall_hours(hall=hall, day=dt.date(2026, 10, 1)) is None  # National Day
    assert selectors.hall_hours(hall=hall, day=dt.date(2026, 11, 29)) is None  # Sunday
    makeup_saturday = selectors.hall_hours(hall=hall, day=dt.date(2026, 10, 10))
    assert makeup_saturday.closes == at(2026, 10, 10, 17)  # Monday's hours, not Saturday's morning
    ordinary_saturday = selectors.hall_hours(hall=hall, day=dt.date(2026, 11, 28))
    assert ordinary_saturday.closes == at(2026, 11, 28, 12)


def test_next_opening_skips_the_holiday(hall) -> None:
    assert selectors.hall_next_opening(hall=hall, after=at(2026, 9, 30, 20)) == at(2026, 10, 8, 9)
    assert selectors.hall_next_opening(hall=hall, after=at(2026, 11, 27, 7)) == at(2026, 11, 27, 9)
