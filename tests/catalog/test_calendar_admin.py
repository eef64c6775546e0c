"""Seeding, correcting and refreshing the working-day calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from catalog import holiday_source, services
from catalog.models import CalendarDay
from catalog.tasks import calendar_ensure_years
from servicehall.models import AuditEvent

pytestmark = pytest.mark.django_db
D = dt.date


def test_seeding_twice_changes_nothing() -> None:
    first = services.calendar_fill_year(year=2026)
    second = services.calendar_fill_year(year=2026)
    assert (first.created, second.created, second.updated) == (365, 0, 0)


def test_a_year_the_package_does_not_confirm_is_provisional() -> None:
    year = 2040  # far beyond any State Council notice
    assert not holiday_source.year_is_confirmed(year)
    result = services.calendar_fill_year(year=year)
    assert result.provisional
    assert CalendarDay.objects.filter(date__year=year, provisional=False).count() == 0


def test_an_administrators_correction_survives_reseeding(admin_user) -> None:
    services.calendar_fill_year(year=2026)
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    services.calendar_day_correct(day=day, kind=CalendarDay.Kind.HOLIDAY, reason="台风停工", actor=admin_user)
    result = services.calendar_fill_year(year=2026)
    assert result.kept_manual == 1
    day.refresh_from_db()
    assert (day.kind, day.reason, day.source) == ("holiday", "台风停工", "manual")
    event = AuditEvent.objects.get(action="calendar.correct")
    assert event.details["before"] == {"kind": "workday", "reason": ""}


def test_reseeding_updates_package_rows_that_changed() -> None:
    services.calendar_fill_year(year=2026)
    CalendarDay.objects.filter(date=D(2026, 10, 10)).update(kind="weekend", reason="")
    result = services.calendar_fill_year(year=2026)
    assert result.updated == 1
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == CalendarDay.Kind.MAKEUP_WORKDAY


@time_machine.travel(dt.datetime(2026, 12, 30, 3, 0, tzinfo=dt.UTC), tick=False)
def test_periodic_job_fills_this_year_and_the_next() -> None:
    results = calendar_ensure_years.delay().get()
    assert [r["year"] for r in results] == [2026, 2027]
    assert CalendarDay.objects.filter(date__year=2027).count() == 365


def test_beat_schedule_runs_the_calendar_job_daily(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["calendar-ensure-years"]
    assert entry["task"] == "catalog.tasks.calendar_ensure_years"
    from servicehall.celery import app

    assert entry["task"] in app.tasks


def test_admin_correction_through_the_change_form(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-31"])
    response = admin_client.post(url, {"kind": "holiday", "reason": "临时调整"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    assert (day.kind, day.source, day.provisional) == ("holiday", "manual", False)


def test_admin_warns_about_provisional_years(admin_client) -> None:
    services.calendar_fill_year(year=2040)
    response = admin_client.get(reverse("admin:catalog_calendarday_changelist"))
    assert response.status_code == 200
    assert "2040年的放假安排尚未由节假日数据包确认" in response.content.decode()
