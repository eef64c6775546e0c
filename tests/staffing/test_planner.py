"""The window planner (Art. 6 ¶4, Art. 8): per opening hour, windows needed for the target by
Erlang C against the windows open (attendance), on the page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import CalendarDay
from queueing.models import QueueCategory
from servicehall import roles
from staffing import workload
from staffing.models import Secondment
from tests.servicehall.factories import staff_user
from tests.staffing.factories import TODAY, seconded
from tests.staffing.workload_factories import at, spell, tickets

pytestmark = pytest.mark.django_db

YESTERDAY = TODAY - dt.timedelta(days=1)  # Wednesday 25 November 2026
NEXT_WEEK = TODAY + dt.timedelta(days=7)  # Thursday 3 December 2026
SATURDAY = dt.date(2026, 11, 28)
NOW = at(TODAY, 10, 30)  # Thursday 26 November 2026, 10:30


@pytest.fixture(autouse=True)
def _sixteen_minute_prior(settings):
    # The Westbay/Mitan walkthrough (tests/queueing/test_erlang.py) in minutes: 3 people a minute,
    # 16 minutes each (a = 48 Erlangs), 80 % within 1 minute (t/s = 15 s / 240 s) → 55 windows.
    # With the prior at 16 minutes too, the service-time shrinkage leaves 16 minutes exactly.
    settings.QUEUE = {**settings.QUEUE, "default_service_minutes": 16}


@pytest.fixture
def category(world) -> QueueCategory:
    return QueueCategory.objects.get(hall=world.city, letter="A")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _history(world, category, day):
    """180 people between 9:00 and 10:00, 16 minutes each; two windows staffed in the morning."""
    tickets(world.city, category, day, hour=9, count=180, service_minutes=16)
    clerk_1 = staff_user("clerk-1", role=roles.WINDOW_STAFF, hall_=world.city)
    clerk_2 = staff_user("clerk-2", role=roles.WINDOW_STAFF, hall_=world.city)
    spell(clerk_1, world.window_1, at(day, 9), at(day, 12))
    spell(clerk_2, world.window_2, at(day, 9, 30), at(day, 12))


def test_a_past_day_matches_the_published_erlang_c_walkthrough(world, category) -> None:
    _history(world, category, YESTERDAY)
    plan = workload.plan_day(hall=world.city, day=YESTERDAY, target_share=0.8, target_wait_minutes=1, now=NOW)
    hours = {row.hour: row for row in plan.hours}
    assert sorted(hours) == [9, 10, 11, 13, 14, 15, 16]  # lunch 12–13 closed
    nine = hours[9]
    assert (nine.source, nine.arrivals, nine.mean_service_minutes) == ("observed", 180, 16.0)
    assert nine.windows_needed == 55  # published: 55 agents give 84.6 %, 54 give 79.3 %
    assert nine.windows_open == 1.5  # one window all hour, the other from 9:30
    assert nine.service_level == 0.0  # one window for 48 Erlangs: the queue never clears
    assert nine.verdict == workload.Verdict.UNDER
    assert hours[10].windows_needed == 0 and hours[10].windows_open == 2.0
    assert hours[10].verdict == workload.Verdict.OVER
    assert hours[14].windows_needed == 0 and hours[14].windows_open == 0.0
    assert hours[14].verdict == workload.Verdict.OK
    assert plan.under == 1 and plan.over == 2
    # 85 %: 56 windows (0.8865), as the walkthrough's table goes on.
    stricter = workload.plan_day(hall=world.city, day=YESTERDAY, target_share=0.85, target_wait_minutes=1, now=NOW)
    assert stricter.hours[0].windows_needed == 56


def test_the_default_target_is_eighty_percent_within_fifteen_minutes(world, category) -> None:
    # 30 people an hour, 12 minutes each (a = 6): 7 windows call 82.4 % within 15 minutes.
    tickets(world.city, category, YESTERDAY, hour=14, count=30, service_minutes=12)
    plan = workload.plan_day(hall=world.city, day=YESTERDAY, now=NOW)
    assert (plan.target_share, plan.target_wait_minutes) == (0.8, 15)
    fourteen = next(row for row in plan.hours if row.hour == 14)
    # The hour's 30 samples shrunk toward the day's mean, itself toward the 16-minute prior.
    assert fourteen.mean_service_minutes == 12.0  # (30 · 12 + 3 · 12.36) / 33 = 12.03
    assert fourteen.windows_needed == 7


def test_a_future_day_is_planned_from_the_same_weekday_of_the_last_four_weeks(world, category) -> None:
    for weeks, count in zip(range(1, 5), (8, 12, 10, 10), strict=True):
        tickets(world.city, category, TODAY - dt.timedelta(weeks=weeks), hour=10, count=count, service_minutes=16)
    tickets(world.city, category, TODAY - dt.timedelta(weeks=5), hour=10, count=500)  # five weeks ago: not counted
    tickets(world.city, category, TODAY - dt.timedelta(days=1), hour=10, count=500)  # another weekday
    plan = workload.plan_day(hall=world.city, day=NEXT_WEEK, now=NOW)
    assert plan.baseline == [TODAY - dt.timedelta(weeks=k) for k in range(1, 5)]
    ten = next(row for row in plan.hours if row.hour == 10)
    assert (ten.source, ten.arrivals, ten.windows_open, ten.verdict) == ("forecast", 10.0, None, "planned")
    # 10 an hour × 16 minutes = 2.67 Erlangs; 80 % within 15 minutes: 4 windows (3 give 0.727).
    assert ten.windows_needed == 4


def test_the_forecast_skips_holidays_in_its_history(world, category) -> None:
    """A holiday on that weekday (the hall closed, or a festival's crowd) is not a day to plan
    from: the next week back is taken instead (``catalog.CalendarDay``)."""
    holiday = TODAY - dt.timedelta(weeks=2)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.HOLIDAY, reason="测试假日")
    for weeks, count in zip((1, 3, 4, 5), (8, 12, 10, 10), strict=True):
        tickets(world.city, category, TODAY - dt.timedelta(weeks=weeks), hour=10, count=count, service_minutes=16)
    tickets(world.city, category, holiday, hour=10, count=500)  # a festival's crowd: not counted
    plan = workload.plan_day(hall=world.city, day=NEXT_WEEK, now=NOW)
    assert plan.baseline == [TODAY - dt.timedelta(weeks=k) for k in (1, 3, 4, 5)]
    ten = next(row for row in plan.hours if row.hour == 10)
    assert (ten.source, ten.arrivals, ten.windows_needed) == ("forecast", 10.0, 4)
    # The windows asked for now (the supervisors' "windows now") skip it too.
    with time_machine.travel(at(TODAY, 10, 30), tick=False):
        (row,) = [r for r in workload.windows_now(hall_ids=[world.city.pk], now=at(TODAY, 10, 30))]
    assert row.expected_arrivals == 10.0


def test_today_uses_what_happened_so_far_and_forecasts_the_rest(world, category) -> None:
    tickets(world.city, category, TODAY, hour=9, count=20, service_minutes=16)
    tickets(world.city, category, TODAY - dt.timedelta(weeks=1), hour=11, count=40)
    clerk = staff_user("clerk-now", role=roles.WINDOW_STAFF, hall_=world.city)
    spell(clerk, world.window_1, at(TODAY, 9, 45), None)  # still signed in at 10:30
    plan = workload.plan_day(hall=world.city, day=TODAY, now=NOW)
    hours = {row.hour: row for row in plan.hours}
    assert hours[9].source == "observed" and hours[9].arrivals == 20
    assert hours[9].windows_open == 0.2  # 15 minutes of 60
    # 10:00–10:30 has happened: one window all that time.
    assert hours[10].source == "observed" and hours[10].windows_open == 1.0
    assert hours[11].source == "forecast" and hours[11].arrivals == 10.0  # 40 / 4 weeks
    assert hours[11].windows_open is None


def test_a_queue_counts_its_own_tickets_and_the_windows_that_serve_it(world, category) -> None:
    other = QueueCategory.objects.create(hall=world.city, letter="B", name="社保医保")
    tickets(world.city, category, YESTERDAY, hour=9, count=10, service_minutes=16)
    tickets(world.city, other, YESTERDAY, hour=9, count=50, service_minutes=16)
    clerk = staff_user("clerk-b", role=roles.WINDOW_STAFF, hall_=world.city)
    spell(clerk, world.window_2, at(YESTERDAY, 9), at(YESTERDAY, 10))  # window 2 serves A only
    plan_b = workload.plan_day(hall=world.city, day=YESTERDAY, category=other, now=NOW)
    nine = plan_b.hours[0]
    assert (nine.arrivals, nine.windows_open) == (50, 0.0)
    plan_a = workload.plan_day(hall=world.city, day=YESTERDAY, category=category, now=NOW)
    assert (plan_a.hours[0].arrivals, plan_a.hours[0].windows_open) == (10, 1.0)


def test_a_closed_day_has_nothing_to_plan(world) -> None:
    plan = workload.plan_day(hall=world.city, day=SATURDAY, now=NOW)
    assert plan.closed and plan.hours == []


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_each_hour_with_its_flag_and_says_where_the_figures_come_from(
    client, world, category, clock
) -> None:
    _history(world, category, YESTERDAY)
    client.force_login(world.supervisor)
    response = client.get(
        reverse("staffing-planner"), {"hall": "GZ-CITY", "date": YESTERDAY.isoformat(), "target_wait_minutes": 1}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已过去的时段按当天实际取号测算" in page
    assert 'data-hour="9" data-verdict="under"' in page
    assert "不足（需 55 个）" in page
    assert 'data-hour="10" data-verdict="over"' in page

    future = client.get(reverse("staffing-planner"), {"hall": "GZ-CITY", "date": NEXT_WEEK.isoformat()})
    assert "最近四个同一星期几的可比日" in future.content.decode()
    assert "2026-11-19" in future.content.decode()


def test_the_page_opens_on_today_at_the_users_hall(client, world, clock) -> None:
    client.force_login(world.supervisor)
    response = client.get(reverse("staffing-planner"))
    assert response.status_code == 200
    assert response.context["plan"].hall == world.city
    assert response.context["plan"].day == TODAY


def test_a_closed_day_says_so(client, world, clock) -> None:
    client.force_login(world.supervisor)
    response = client.get(reverse("staffing-planner"), {"hall": "GZ-CITY", "date": SATURDAY.isoformat()})
    assert response.status_code == 200
    assert "该大厅当天不对外办公" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date": "2026-13-01"}, "date", "请填写有效的日期。"),
        ({"date": "1900-01-01"}, "date", "请填写2000年至2099年之间的日期。"),
        ({"target_share": "100"}, "target_share", "目标比例须在50%至99%之间。"),
        ({"target_share": "abc"}, "target_share", "目标比例须为整数（%）。"),
        ({"target_wait_minutes": "0"}, "target_wait_minutes", "目标等候时间须在1至120分钟之间。"),
        ({"category": "Z"}, "category", "该大厅没有这个排队类别。"),
        ({"hall": "TH"}, "hall", "请从列表中选择大厅。"),
    ],
)
def test_bad_input_is_a_form_error_on_the_page_and_a_400_in_the_api(
    client, world, clock, params, field, message
) -> None:
    client.force_login(world.supervisor)
    query = {"hall": "GZ-CITY", "date": TODAY.isoformat(), **params}
    page = client.get(reverse("staffing-planner"), query)
    assert page.status_code == 400
    assert message in page.content.decode()
    api = client.get("/api/v1/staffing/planner/", query)
    assert api.status_code == 400
    assert message in str(api.json())
    assert field in str(api.json())


def test_who_may_plan(client, world, clock) -> None:
    url = reverse("staffing-planner")
    assert client.get(url).status_code == 302  # login first
    clerk = staff_user("plain-clerk", role=roles.WINDOW_STAFF, hall_=world.city)
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert client.get("/api/v1/staffing/planner/", {"hall": "GZ-CITY", "date": "2026-11-26"}).status_code == 403
    # A chief representative sees their own hall, not another.
    chief = seconded("chief-plan", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user
    client.force_login(chief)
    assert client.get(url, {"hall": "GZ-CITY"}).status_code == 200
    assert client.get(url, {"hall": "TH"}).status_code == 400
    # A district supervisor sees only their district's hall; a citywide one every hall.
    client.force_login(world.tianhe_supervisor)
    assert client.get(url, {"hall": "GZ-CITY"}).status_code == 400
    assert client.get(url, {"hall": "TH"}).status_code == 200
    client.force_login(world.city_supervisor)
    assert client.get(url, {"hall": "GZ-CITY"}).status_code == 200


def test_the_api_returns_the_plan(client, world, category, clock) -> None:
    _history(world, category, YESTERDAY)
    client.force_login(world.supervisor)
    response = client.get(
        "/api/v1/staffing/planner/",
        {"hall": "GZ-CITY", "date": YESTERDAY.isoformat(), "target_share": 80, "target_wait_minutes": 1},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["hall"], body["date"], body["target_share"], body["closed"]) == ("GZ-CITY", "2026-11-25", 0.8, False)
    first = body["hours"][0]
    assert first["hour"] == 9 and first["windows_needed"] == 55 and first["windows_open"] == 1.5
    assert first["verdict"] == "under" and first["source"] == "observed"
    assert response["Cache-Control"] == "no-store"


def _count_queries(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staffing-planner"), query).status_code == 200
    return len(queries)


def test_query_count_is_constant_in_hours_and_tickets(client, world, category, clock) -> None:
    client.force_login(world.supervisor)
    query = {"hall": "GZ-CITY", "date": YESTERDAY.isoformat()}
    tickets(world.city, category, YESTERDAY, hour=9, count=2, service_minutes=10)
    few = _count_queries(client, query)
    for hour in (9, 10, 11, 13, 14, 15, 16):
        tickets(world.city, category, YESTERDAY, hour=hour, count=40, service_minutes=10)
    for k in range(6):
        clerk = staff_user(f"many-{k}", role=roles.WINDOW_STAFF, hall_=world.city)
        spell(clerk, world.window_1 if k % 2 else world.window_2, at(YESTERDAY, 9 + k), at(YESTERDAY, 10 + k))
    assert _count_queries(client, query) == few
    # The API and a future day's forecast too.
    with CaptureQueriesContext(connection) as api_few:
        client.get("/api/v1/staffing/planner/", {"hall": "GZ-CITY", "date": NEXT_WEEK.isoformat()})
    tickets(world.city, category, TODAY - dt.timedelta(weeks=2), hour=15, count=60)
    with CaptureQueriesContext(connection) as api_many:
        client.get("/api/v1/staffing/planner/", {"hall": "GZ-CITY", "date": NEXT_WEEK.isoformat()})
    assert len(api_many) == len(api_few)
    assert few <= 14  # session, user, scope (2), hall choice, config, hours (2), tickets, cases, spells...


def test_a_chief_representative_finds_the_planner_and_the_surges_on_the_workbench(client, world) -> None:
    chief = seconded("chief-home", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user
    client.force_login(chief)
    page = client.get(reverse("staff-home")).content.decode()
    assert reverse("staffing-planner") in page and reverse("staffing-surges") in page
    clerk = staff_user("clerk-home", role=roles.WINDOW_STAFF, hall_=world.city)
    client.force_login(clerk)
    assert reverse("staffing-planner") not in client.get(reverse("staff-home")).content.decode()


def test_the_page_states_the_target_in_percent(client, world, clock) -> None:
    client.force_login(world.supervisor)
    page = client.get(
        reverse("staffing-planner"), {"hall": "GZ-CITY", "date": TODAY.isoformat(), "target_share": 90}
    ).content.decode()
    assert "在15分钟内被叫号的比例不低于90%" in page


def test_a_citywide_supervisor_opens_on_the_city_centre(client, world, clock) -> None:
    # A walkthrough's citywide supervisor landed on 白云区 (the first code) with nothing in it.
    from catalog.models import Hall
    from tests.catalog import factories as catalog_factories

    catalog_factories.hall(code="BY", name="白云区政务服务中心", level=Hall.Level.DISTRICT)
    client.force_login(world.city_supervisor)
    response = client.get(reverse("staffing-planner"))
    assert response.status_code == 200
    assert response.context["plan"].hall == world.city
