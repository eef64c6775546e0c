"""The planner's demand is queue tickets only, and the page says so; beside it, as information,
the cases received in each hour (the day's, or the mean of the four same weekdays for a
forecast), on the page and in the API, in one more query whatever their number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staffing import workload
from tests.cases.factories import at, make_world

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 23)
NEXT_MON = MON + dt.timedelta(days=7)
NOW = at(MON + dt.timedelta(days=1), 10)  # Tuesday 24 November, 10:00


@pytest.fixture
def world():
    return make_world()


def _receive(world, day: dt.date, hour: int, count: int) -> None:
    for k in range(count):
        world.receive(world.hukou, now=at(day, hour) + dt.timedelta(minutes=5 * k), outcome="accept")


def test_cases_received_per_hour_are_shown_beside_the_ticket_demand(world) -> None:
    _receive(world, MON, 9, 3)
    _receive(world, MON, 14, 1)
    plan = workload.plan_day(hall=world.city, day=MON, now=NOW)
    by_hour = {h.hour: h for h in plan.hours}
    assert (by_hour[9].cases_received, by_hour[14].cases_received, by_hour[10].cases_received) == (3, 1, 0)
    # Information only: no ticket was taken, so the plan asks for no window.
    assert all(h.arrivals == 0 and h.windows_needed == 0 for h in plan.hours)
    # Next Monday is forecast from the four Mondays before today: 3 cases on one of them.
    forecast = {h.hour: h for h in workload.plan_day(hall=world.city, day=NEXT_MON, now=NOW).hours}
    assert forecast[9].source == workload.Source.FORECAST and forecast[9].cases_received == 0.75


def test_the_page_says_what_demand_is_counted_and_the_api_gives_the_cases(client, world) -> None:
    _receive(world, MON, 9, 2)
    client.force_login(world.supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("staffing-planner"), {"hall": "GZ-CITY", "date": MON.isoformat()})
        body = client.get("/api/v1/staffing/planner/", {"hall": "GZ-CITY", "date": MON.isoformat()}).json()
    html = page.content.decode()
    assert page.status_code == 200
    assert "测算的需求是排队取号" in html and "受理办件（仅供参考）" in html
    assert {row["hour"]: row["cases_received"] for row in body["hours"]}[9] == 2


def test_the_cases_cost_one_query_whatever_their_number(client, world) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            workload.plan_day(hall=world.city, day=MON, now=NOW)
        return len(captured)

    _receive(world, MON, 9, 1)
    few = queries()
    _receive(world, MON, 10, 4)
    _receive(world, MON, 15, 3)
    assert queries() == few <= 7
