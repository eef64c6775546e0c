"""Surge detection's baseline skips the days the calendar says were not comparable working days:
a holiday on that weekday is skipped and the week before taken instead, a make-up workday
(调休上班) compares with working Mondays, a holiday is not judged; the flag, its page and the API
say how many days the baseline used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from catalog.models import CalendarDay
from queueing.models import QueueCategory
from staffing import services, workload
from staffing.models import SurgeFlag
from tests.catalog import factories as catalog_factories
from tests.staffing.factories import TODAY
from tests.staffing.workload_factories import at, tickets

pytestmark = pytest.mark.django_db

NOW = at(TODAY, 10, 30)  # Thursday 26 November 2026
THURSDAYS = [TODAY - dt.timedelta(weeks=k) for k in range(1, 7)]  # 19, 12, 5 Nov, 29, 22, 15 Oct
HOLIDAY = THURSDAYS[1]  # 12 November, made a holiday in the tests' calendar


@pytest.fixture
def queue_a(world) -> QueueCategory:
    category = QueueCategory.objects.get(hall=world.city, letter="A")
    category.items.add(catalog_factories.item(dept=world.police))
    return category


def _calendar(**kinds: str):
    table = {dt.date.fromisoformat(day): kind for day, kind in kinds.items()}
    return lambda day: table.get(day) or ("weekend" if day.weekday() >= 5 else "workday")


def test_a_holiday_on_the_weekday_is_skipped_for_the_week_before() -> None:
    kind = _calendar(**{HOLIDAY.isoformat(): "holiday"})
    assert workload.comparable_days(TODAY, today=TODAY, day_kind=kind) == [
        dt.date(2026, 11, 19),
        dt.date(2026, 11, 5),
        dt.date(2026, 10, 29),
        dt.date(2026, 10, 22),
    ]
    # Without holidays: the four latest Thursdays, as before.
    assert workload.comparable_days(TODAY, today=TODAY, day_kind=_calendar()) == workload.baseline_days(
        TODAY, today=TODAY
    )


def test_a_makeup_workday_compares_with_working_mondays_and_a_weekend_with_ordinary_weekends() -> None:
    saturday = dt.date(2026, 11, 28)
    kind = _calendar(**{"2026-11-28": "makeup_workday", "2026-11-16": "holiday", "2026-11-21": "makeup_workday"})
    assert workload.comparable_days(saturday, today=saturday, day_kind=kind) == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 2),
        dt.date(2026, 10, 26),
    ]
    # An ordinary Saturday (a hall open at weekends) skips the Saturday worked as a make-up day.
    next_saturday = dt.date(2026, 12, 5)
    assert workload.comparable_days(next_saturday, today=next_saturday, day_kind=kind) == [
        dt.date(2026, 11, 14),
        dt.date(2026, 11, 7),
        dt.date(2026, 10, 31),
        dt.date(2026, 10, 24),
    ]
    national_day = dt.date(2026, 10, 1)
    assert (
        workload.comparable_days(national_day, today=national_day, day_kind=_calendar(**{"2026-10-01": "holiday"}))
        == []
    )


def test_a_holiday_in_the_window_does_not_hide_a_surge(world, queue_a) -> None:
    """12 November was a holiday with a festival crowd of 40 in the morning: counted, it lifts the
    mean to 17.5 and today's 14 passes unnoticed; skipped, the mean of the working Thursdays is 10
    and today is 40 % over it."""
    CalendarDay.objects.create(date=HOLIDAY, kind=CalendarDay.Kind.HOLIDAY, reason="测试假日")
    for day in THURSDAYS[:5]:
        tickets(world.city, queue_a, day, hour=9, count=40 if day == HOLIDAY else 10)
    tickets(world.city, queue_a, TODAY, hour=9, count=14)
    result = services.surge_detect(now=NOW)
    assert result.raised == 1
    flag = SurgeFlag.objects.get()
    assert (flag.baseline, flag.baseline_days, flag.increase_percent) == (10.0, 4, 40)


def test_a_closed_holiday_does_not_raise_a_false_surge(world, queue_a) -> None:
    """The hall was closed on 12 November: counted as a day of 0, it drags the mean to 7.5 and
    today's 12 looks like +60 %; skipped, 12 is +20 % on 10, no surge."""
    CalendarDay.objects.create(date=HOLIDAY, kind=CalendarDay.Kind.HOLIDAY, reason="测试假日")
    for day in THURSDAYS[:5]:
        if day != HOLIDAY:
            tickets(world.city, queue_a, day, hour=9, count=10)
    tickets(world.city, queue_a, TODAY, hour=9, count=12)
    result = services.surge_detect(now=NOW)
    assert result.queues_checked == 1 and result.over == 0 and not SurgeFlag.objects.exists()


def test_fewer_comparable_days_are_averaged_and_said(client, world, queue_a) -> None:
    # Six Thursdays closed by hand, and 1 October the National Day holiday (from the holidays
    # package, the table holding no row for it): three comparable days in the ten weeks back.
    for k in range(1, 7):
        CalendarDay.objects.create(date=TODAY - dt.timedelta(weeks=k), kind=CalendarDay.Kind.HOLIDAY, reason="停业")
    days = workload.comparable_days_for(TODAY, today=TODAY)
    assert days == [dt.date(2026, 10, 8), dt.date(2026, 9, 24), dt.date(2026, 9, 17)]
    for day in days:
        tickets(world.city, queue_a, day, hour=9, count=10)
    tickets(world.city, queue_a, TODAY, hour=9, count=20)
    services.surge_detect(now=NOW)
    flag = SurgeFlag.objects.get()
    assert (flag.baseline, flag.baseline_days) == (10.0, 3)
    client.force_login(world.supervisor)
    assert "此前 3 个可比工作日的平均" in client.get(reverse("staffing-surge", args=[flag.pk])).content.decode()
    assert "（3 天）" in client.get(reverse("staffing-surges")).content.decode()
    assert client.get(f"/api/v1/staffing/surges/{flag.pk}/").json()["baseline_days"] == 3


def test_a_holiday_is_not_judged(world, queue_a) -> None:
    CalendarDay.objects.create(date=TODAY, kind=CalendarDay.Kind.HOLIDAY, reason="测试假日")
    for day in THURSDAYS[:4]:
        tickets(world.city, queue_a, day, hour=9, count=10)
    tickets(world.city, queue_a, TODAY, hour=9, count=40)
    assert services.surge_detect(now=NOW).raised == 0
