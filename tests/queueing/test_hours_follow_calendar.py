"""A hall's hours today follow a working-calendar correction at once (walkthrough 2026-12, walk C
finding 6): ``hours_today`` was remembered for half a minute under (hall, day) alone, so a day
just made a holiday still took tickets for up to 30 s, longer than the booking horizon, which is
keyed by the calendar's version. Both are now keyed by that version (catalog.selectors)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.models import CalendarDay
from queueing import services
from tests.queueing.factories import NOW, make_queue_hall

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # Thursday 26 November 2026, a working day


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def issue(client, code: str):
    return client.post(f"/api/v1/halls/{code}/tickets/", {"category": "A"}, content_type="application/json")


def test_a_day_corrected_to_a_holiday_takes_no_more_tickets_at_once(client) -> None:
    qh = make_queue_hall()
    qh.sign_in_all()
    assert services.hours_today(qh.hall, TODAY) is not None
    assert issue(client, qh.hall.code).status_code == 201  # the hours are remembered now

    catalog_services.calendar_day_correct(
        day=CalendarDay(date=TODAY), kind=CalendarDay.Kind.HOLIDAY, reason="台风停工", actor=None
    )

    assert services.hours_today(qh.hall, TODAY) is None
    refused = issue(client, qh.hall.code)
    assert refused.status_code == 409 and refused.json()["code"] == "hall_closed"


def test_another_processs_correction_is_seen_through_the_calendar_version(client) -> None:
    qh = make_queue_hall()
    assert services.hours_today(qh.hall, TODAY) is not None
    # Another process writes the day and, once committed, moves the calendar's version.
    CalendarDay.objects.update_or_create(date=TODAY, defaults={"kind": CalendarDay.Kind.HOLIDAY, "reason": "台风停工"})
    assert services.hours_today(qh.hall, TODAY) is not None  # remembered under the old version
    cache.set(catalog_selectors.CALENDAR_VERSION_KEY, "moved by another process", None)
    assert services.hours_today(qh.hall, TODAY) is None
    # The version read with the rate limit is used as read (no second trip to the cache).
    assert services.hours_today(qh.hall, TODAY, calendar_version="moved by another process") is None
