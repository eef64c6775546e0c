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


def _appointment_only_weekend(hall) -> None:
    HallOpeningHours.objects.filter(hall=hall, weekday=5).update(appointment_only=True)
    HallOpeningHours.objects.create(
        hall=hall,
        weekday=6,
        morning_opens=dt.time(9),
        morning_closes=dt.time(10, 30),
        afternoon_opens=dt.time(10, 30),
        afternoon_closes=dt.time(12),
        appointment_only=True,
    )


def test_a_weekend_by_appointment_only_has_no_walk_in_hours(hall) -> None:
    """Staggered service (错时服务): only checked-in bookings are served that day, so the queues
    treat it as closed to walk-ins, as on a Sunday with staggered slots."""
    _appointment_only_weekend(hall)
    assert selectors.hall_hours(hall=hall, day=dt.date(2026, 11, 28)) is None
    assert selectors.hall_hours(hall=hall, day=dt.date(2026, 11, 29)) is None
    # A make-up workday on that Saturday is an ordinary working day (Monday's hours).
    assert selectors.hall_hours(hall=hall, day=dt.date(2026, 10, 10)).closes == at(2026, 10, 10, 17)
    assert selectors.hall_next_opening(hall=hall, after=at(2026, 11, 27, 18)) == at(2026, 11, 30, 9)


def test_hall_page_and_api_say_a_weekend_day_is_by_appointment_only(client, hall) -> None:
    _appointment_only_weekend(hall)
    page = client.get(f"/halls/{hall.code}/").content.decode()
    saturday = page[page.index("星期六") :].split("</tr>")[0]
    assert "09:00–12:00" in saturday and "仅预约（错时服务）" in saturday and "不午休" not in saturday
    assert "标注“仅预约”的日子不设现场取号" in page
    rows = client.get(f"/api/v1/halls/{hall.code}/").json()["opening_hours"]
    assert [(row["weekday"], row["appointment_only"]) for row in rows] == [
        (0, False),
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        (5, True),
        (6, True),
    ]
    english = client.get(f"/halls/{hall.code}/", headers={"cookie": "servicehall_language=en"}).content.decode()
    assert "Appointment only (staggered service)" in english


def test_a_walk_in_saturday_still_reads_as_opening_hours(client, hall) -> None:
    page = client.get(f"/halls/{hall.code}/").content.decode()
    saturday = page[page.index("星期六") :].split("</tr>")[0]
    assert "09:00–12:00（不午休）" in saturday and "仅预约" not in saturday
    assert "标注“仅预约”的日子" not in page


def test_only_a_weekend_day_may_be_by_appointment_only(hall) -> None:
    from django.core.exceptions import ValidationError

    monday = HallOpeningHours.objects.get(hall=hall, weekday=0)
    monday.appointment_only = True
    with pytest.raises(ValidationError, match="仅周六、周日可设为仅预约"):
        monday.full_clean()
