"""``selectors.deadline_after``: the one place a working-day deadline and its provisional flag
are computed (the calendar API answers with it)."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import holiday_source, selectors, services
from catalog.models import CalendarDay
from catalog.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def year_2026() -> None:
    services.calendar_fill_year(year=2026)


def package_calendar() -> WorkingCalendar:
    """What the `holidays` package alone says, table or no table."""
    return WorkingCalendar({}, fallback=holiday_source.is_working_day)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day: 1–7 October off
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 10/8 10/9, then Saturday 10 October is worked
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday 20 September is worked
        (D(2026, 9, 24), 5, D(2026, 10, 9)),  # 9/28 9/29 9/30 10/8 10/9 (Mid-Autumn 25–27 off)
    ],
)
def test_deadline_across_national_day_2026_counts_the_make_up_days(year_2026, start, days, expected) -> None:
    assert selectors.deadline_after(start, days) == (expected, False)


def test_zero_days_is_the_start_itself_and_never_provisional() -> None:
    # An instant item finishes the day it is accepted, whatever the calendar says of that day:
    # a holiday in a year no notice covers yet.
    services.calendar_fill_year(year=2040)
    new_year = D(2040, 1, 1)
    assert CalendarDay.objects.get(date=new_year).provisional
    assert selectors.deadline_after(new_year, 0) == (new_year, False)


def test_a_year_marked_provisional_makes_the_deadline_provisional() -> None:
    year = 2040  # far beyond any State Council notice
    services.calendar_fill_year(year=year)
    deadline, provisional = selectors.deadline_after(D(year, 3, 1), 5)
    assert provisional
    assert deadline == package_calendar().add_working_days(D(year, 3, 1), 5)


def test_a_year_missing_from_the_table_is_provisional_unless_the_package_confirms_it() -> None:
    assert not holiday_source.year_is_confirmed(2040)
    assert selectors.deadline_after(D(2040, 3, 1), 5)[1]
    # 2026 is confirmed by the package: an unseeded table does not make it provisional.
    assert selectors.deadline_after(D(2026, 9, 30), 3) == (D(2026, 10, 10), False)


def test_only_the_days_counted_over_decide_provisional(year_2026) -> None:
    start, days = D(2026, 9, 30), 3  # counts over 1–10 October
    CalendarDay.objects.filter(date__in=[start, D(2026, 10, 11)]).update(provisional=True)
    assert selectors.deadline_after(start, days) == (D(2026, 10, 10), False)
    CalendarDay.objects.filter(date=D(2026, 10, 5)).update(provisional=True)
    assert selectors.deadline_after(start, days) == (D(2026, 10, 10), True)


def test_an_administrators_correction_beyond_the_look_ahead_is_still_read(year_2026) -> None:
    # Five weeks closed by hand run past the span read first (twice the days plus a month):
    # the count must read on from the table, not take the package's word for 31 December.
    CalendarDay.objects.filter(date__range=(D(2026, 11, 28), D(2026, 12, 31))).update(
        kind=CalendarDay.Kind.HOLIDAY, source=CalendarDay.Source.MANUAL
    )
    deadline, _provisional = selectors.deadline_after(D(2026, 11, 27), 1)
    assert deadline == package_calendar().next_working_day(D(2026, 12, 31))


def test_a_correction_inside_the_span_moves_the_deadline(year_2026) -> None:
    services.calendar_day_correct(
        day=CalendarDay.objects.get(date=D(2026, 10, 10)), kind=CalendarDay.Kind.HOLIDAY, reason="台风停工", actor=None
    )
    assert selectors.deadline_after(D(2026, 9, 30), 3) == (D(2026, 10, 12), False)


def test_one_query_for_a_deadline(year_2026, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        selectors.deadline_after(D(2026, 1, 5), 365)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        selectors.deadline_after(D(2026, 1, 5), -1)


def test_the_calendar_api_answers_with_the_selector(client, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "deadline_after", lambda start, days: (D(2030, 1, 2), True))
    data = client.get("/api/v1/calendar/deadline/", {"start": "2026-09-30", "days": 3}).json()
    assert data == {"start": "2026-09-30", "days": 3, "deadline": "2030-01-02", "provisional": True}
