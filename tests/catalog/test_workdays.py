"""The working-day calendar and its arithmetic, checked day by day against the State Council
holiday notices for 2025 (国办发明电〔2024〕12号) and 2026 (国办发明电〔2025〕7号)."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import holiday_source, selectors, services
from catalog.models import CalendarDay
from catalog.workdays import CalendarGapError, WorkingCalendar, weekday_rule

D = dt.date

# Days off as the notices list them (放假调休, inclusive ranges), and the make-up workdays
# (weekend days worked, 上班).
NOTICES = {
    2025: {
        "off": [
            (D(2025, 1, 1), D(2025, 1, 1)),  # 元旦
            (D(2025, 1, 28), D(2025, 2, 4)),  # 春节，共8天
            (D(2025, 4, 4), D(2025, 4, 6)),  # 清明节
            (D(2025, 5, 1), D(2025, 5, 5)),  # 劳动节，共5天
            (D(2025, 5, 31), D(2025, 6, 2)),  # 端午节
            (D(2025, 10, 1), D(2025, 10, 8)),  # 国庆节、中秋节，共8天
        ],
        "makeup": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    },
    2026: {
        "off": [
            (D(2026, 1, 1), D(2026, 1, 3)),  # 元旦，共3天
            (D(2026, 2, 15), D(2026, 2, 23)),  # 春节，共9天
            (D(2026, 4, 4), D(2026, 4, 6)),  # 清明节
            (D(2026, 5, 1), D(2026, 5, 5)),  # 劳动节，共5天
            (D(2026, 6, 19), D(2026, 6, 21)),  # 端午节
            (D(2026, 9, 25), D(2026, 9, 27)),  # 中秋节
            (D(2026, 10, 1), D(2026, 10, 7)),  # 国庆节，共7天
        ],
        "makeup": [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
    },
}


def expected_working(day: dt.date) -> bool:
    notice = NOTICES[day.year]
    if day in notice["makeup"]:
        return True
    if any(start <= day <= end for start, end in notice["off"]):
        return False
    return day.weekday() < 5


def days_of(year: int) -> list[dt.date]:
    start = D(year, 1, 1)
    return [start + dt.timedelta(days=i) for i in range((D(year + 1, 1, 1) - start).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_package_matches_the_notice_day_by_day(year: int) -> None:
    wrong = [d for d in days_of(year) if holiday_source.is_working_day(d) != expected_working(d)]
    assert wrong == []
    assert holiday_source.year_is_confirmed(year)


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2025, 2026])
def test_seeded_calendar_table_matches_the_notice_day_by_day(year: int) -> None:
    result = services.calendar_fill_year(year=year)
    assert result.created == len(days_of(year))
    assert not result.provisional
    table = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    assert sorted(table) == days_of(year)
    wrong = [d for d, row in table.items() if row.is_working_day != expected_working(d)]
    assert wrong == []
    assert {d for d, row in table.items() if row.kind == CalendarDay.Kind.MAKEUP_WORKDAY} == set(
        NOTICES[year]["makeup"]
    )
    assert not any(row.provisional for row in table.values())


@pytest.mark.django_db
def test_make_up_workday_has_a_reason_naming_the_day_off() -> None:
    services.calendar_fill_year(year=2026)
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).reason == "调休上班（10月7日休息）"
    assert "国庆节" in CalendarDay.objects.get(date=D(2026, 10, 1)).reason


def notice_calendar() -> WorkingCalendar:
    return WorkingCalendar({d: expected_working(d) for y in (2025, 2026) for d in days_of(y)})


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 9, 30), 0, D(2026, 9, 30)),  # instant items: the same day
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day: 1–7 October off
        (D(2026, 11, 27), 1, D(2026, 11, 30)),  # an ordinary weekend
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday 20 September is worked
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Saturday 10 October is worked
        (D(2026, 9, 24), 5, D(2026, 10, 9)),  # 9/28 9/29 9/30 10/8 10/9 (Mid-Autumn 25–27 off)
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Saturday 14 February is worked
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # Spring Festival: 15–23 February off
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # across the year: 1–3 January off, Sunday 4th worked
        (D(2025, 1, 24), 2, D(2025, 1, 27)),  # Sunday 26 January 2025 worked, then Monday 27th
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # 2025 National Day and Mid-Autumn: 1–8 October off
        (D(2026, 4, 30), 3, D(2026, 5, 8)),  # Labour Day 1–5 May off: 5/6 5/7 5/8
    ],
)
def test_add_working_days_against_the_notices(start: dt.date, n: int, expected: dt.date) -> None:
    calendar = notice_calendar()
    assert calendar.add_working_days(start, n) == expected
    assert calendar.working_days_between(start, expected) == n


def test_working_days_between_counts_the_end_not_the_start() -> None:
    calendar = notice_calendar()
    assert calendar.working_days_between(D(2026, 11, 2), D(2026, 11, 6)) == 4
    assert calendar.working_days_between(D(2026, 11, 6), D(2026, 11, 2)) == -4
    assert calendar.working_days_between(D(2026, 11, 2), D(2026, 11, 2)) == 0
    # The whole of October 2026: 22 weekdays, 5 of them off for National Day, plus Saturday 10th.
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 31)) == 22 - 5 + 1
    # 2026 has 248 working days: 261 weekdays − 19 weekdays off + 6 make-up days.
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 19 + 6


def test_next_working_day_is_strictly_after() -> None:
    calendar = notice_calendar()
    assert calendar.next_working_day(D(2026, 11, 27)) == D(2026, 11, 30)
    assert calendar.next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert calendar.next_working_day(D(2026, 10, 9)) == D(2026, 10, 10)


def test_unknown_day_without_fallback_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarGapError):
        WorkingCalendar({}).is_working_day(D(2026, 1, 5))
    with pytest.raises(ValueError):
        WorkingCalendar({}, fallback=weekday_rule).add_working_days(D(2026, 1, 5), -1)


@pytest.mark.django_db
def test_database_calendar_prefers_the_table_and_falls_back_to_the_package() -> None:
    services.calendar_fill_year(year=2026)
    CalendarDay.objects.filter(date=D(2026, 11, 30)).update(kind=CalendarDay.Kind.HOLIDAY, source="manual")
    calendar = selectors.working_calendar(start=D(2026, 11, 1), end=D(2026, 12, 31))
    assert calendar.next_working_day(D(2026, 11, 27)) == D(2026, 12, 1)
    # 2025 is not in the table: the package answers.
    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
