"""评价公开: the monthly rollup against figures computed by hand, the policy on default ratings,
overturned appeals left out, and the public page's queries constant as data grows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Hall
from feedback import ratings, rectification, rollup_ratings
from feedback.models_ratings import RatingPolicy, RectificationOrder, SatisfactionMonth
from queueing.models import Window
from servicehall.clock import local_date
from tests.cases.factories import World, make_world
from tests.catalog import factories
from tests.feedback.ratings_world import D, at, decided_case, rate_ticket, rating_input, ticket

NOV = D(2026, 11, 1)


@pytest.fixture
def world(db) -> World:
    return make_world()


def _november(world: World) -> dict[str, object]:
    """Window 1 (police clerk): 非常满意, 满意, 基本满意, 不满意, 非常不满意, one more 非常不满意
    whose appeal is overturned, and one default rating. Window 2 (market clerk): 满意, 满意, 不满意.
    One October rating and one decided case (police, received at window 1) of November too."""
    window2 = Window.objects.create(hall=world.city, number=2, kind=Window.Kind.SPECIALISED)
    day = D(2026, 11, 10)
    for level in ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied"):
        rate_ticket(world, level, finished_at=at(day))
    overturned = rate_ticket(world, "very_dissatisfied", finished_at=at(day, 11))
    order = RectificationOrder.objects.get(rating=overturned)
    rectification.order_appeal(order=order, actor=world.clerk, reason="误评")
    rectification.appeal_decide(order=order, actor=world.supervisor, overturn=True, reason="系误评")
    ticket(world, finished_at=at(D(2026, 11, 3)))
    ratings.ratings_record_defaults(now=at(D(2026, 11, 19), 2))  # 16 days after 3 November
    for level in ("satisfied", "satisfied", "dissatisfied"):
        rate_ticket(world, level, finished_at=at(day, 14), window=window2, staff=world.market_clerk)
    rate_ticket(world, "very_dissatisfied", finished_at=at(D(2026, 10, 30)))
    case = decided_case(world, now=at(D(2026, 11, 16)))
    ratings.rating_submit_case(case=case, data=rating_input("satisfied"), now=at(D(2026, 11, 20)))
    return {"window2": window2}


def _row(scope: str, hall: Hall, month: dt.date = NOV) -> SatisfactionMonth:
    return SatisfactionMonth.objects.get(month=month, hall=hall, scope=scope)


def test_satisfaction_per_hall_department_and_window_against_hand_computed_figures(world: World) -> None:
    extra = _november(world)
    rollup_ratings.satisfaction_rollup(month=NOV, now=at(D(2026, 11, 30)))

    hall = _row("hall", world.city)
    # Counted: 5 (window 1) + 3 (window 2) + 1 (case) = 9; satisfied: 3 + 2 + 1 = 6 → 66.7 %.
    assert (hall.very_satisfied, hall.satisfied, hall.basic, hall.dissatisfied, hall.very_dissatisfied) == (
        1,
        4,
        1,
        2,
        1,
    )
    assert hall.counted == 9
    assert hall.satisfaction == pytest.approx(6 / 9)
    assert (hall.defaults, hall.excluded) == (1, 1)

    police = _row(f"department:{world.police.pk}", world.city)
    # Window 1's five plus the police case: 4 of 6 satisfied.
    assert (police.counted, police.satisfaction) == (6, pytest.approx(4 / 6))
    market = _row(f"department:{world.market.pk}", world.city)
    assert (market.counted, market.satisfaction) == (3, pytest.approx(2 / 3))
    window1 = _row(f"window:{world.window.pk}", world.city)
    assert (window1.counted, window1.satisfaction) == (6, pytest.approx(4 / 6))
    window2 = _row(f"window:{extra['window2'].pk}", world.city)  # type: ignore[attr-defined]
    assert window2.satisfaction == pytest.approx(2 / 3)
    # October's one rating is October's.
    rollup_ratings.satisfaction_rollup(month=D(2026, 10, 15))
    assert _row("hall", world.city, D(2026, 10, 1)).satisfaction == 0.0


def test_default_ratings_count_when_the_policy_says_so(world: World) -> None:
    _november(world)
    RatingPolicy.objects.create(defaults_in_statistics=True)
    rollup_ratings.satisfaction_rollup(month=NOV)
    hall = _row("hall", world.city)
    # The default 满意 joins: 7 of 10.
    assert (hall.counted, hall.satisfied, hall.satisfaction) == (10, 5, pytest.approx(0.7))


def test_a_rerun_gives_the_same_rows_and_drops_scopes_left_empty(world: World) -> None:
    rating = rate_ticket(world, "dissatisfied", finished_at=at(D(2026, 11, 10)))
    assert rollup_ratings.satisfaction_rollup(month=NOV) == 3  # hall, department, window
    assert rollup_ratings.satisfaction_rollup(month=NOV) == 3
    order = RectificationOrder.objects.get(rating=rating)
    rectification.order_appeal(order=order, actor=world.clerk, reason="误评")
    rectification.appeal_decide(order=order, actor=world.supervisor, overturn=True, reason="系误评")
    rollup_ratings.satisfaction_rollup(month=NOV)
    hall = _row("hall", world.city)
    assert (hall.counted, hall.excluded, hall.satisfaction) == (0, 1, None)


def test_recent_months_are_refreshed(world: World) -> None:
    assert rollup_ratings.months_to_refresh(D(2026, 1, 15)) == [D(2026, 1, 1), D(2025, 12, 1), D(2025, 11, 1)]


def _halls_with_ratings(world: World, count: int) -> None:
    for n in range(count):
        hall = factories.hall(code=f"H{n:03d}", name=f"第{n}政务服务中心")
        window = Window.objects.create(hall=hall, number=1)
        t = ticket(world, finished_at=at(D(2026, 11, 10)))
        t.hall, t.window = hall, window
        t.save()
        ratings.rating_submit_ticket(ticket=t, data=rating_input("satisfied"), now=at(D(2026, 11, 10)))
    rollup_ratings.satisfaction_rollup(month=NOV)


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("scope", ["hall", "department", "window"])
def test_the_public_page_s_queries_do_not_grow_with_the_rows(world: World, client, scope: str) -> None:
    url = reverse("ratings-public") + f"?month=2026-11&scope={scope}"
    _halls_with_ratings(world, 2)
    few, _response = _queries(client, url)
    for n in range(2, 40):
        hall = factories.hall(code=f"M{n:03d}", name=f"第{n}中心")
        window = Window.objects.create(hall=hall, number=1)
        t = ticket(world, finished_at=at(D(2026, 11, 11)))
        t.hall, t.window = hall, window
        t.save()
        ratings.rating_submit_ticket(ticket=t, data=rating_input("basic"), now=at(D(2026, 11, 11)))
    rollup_ratings.satisfaction_rollup(month=NOV)
    many, response = _queries(client, url)
    assert many == few
    assert response.context["page"].paginator.count >= 40


def test_the_public_page_shows_the_figures_and_an_empty_month(world: World, client) -> None:
    rate_ticket(world, "satisfied", finished_at=at(D(2026, 11, 10)))
    rate_ticket(world, "dissatisfied", finished_at=at(D(2026, 11, 10)))
    rate_ticket(world, "basic", finished_at=at(D(2026, 11, 10)))
    rollup_ratings.satisfaction_rollup(month=NOV)
    response = client.get(reverse("ratings-public"), {"month": "2026-11"})
    body = response.content.decode()
    assert "66.7%" in body
    assert world.city.name in body
    empty = client.get(reverse("ratings-public"), {"month": "2026-05"})
    assert "2026-05 暂无评价数据" in empty.content.decode()
    bad = client.get(reverse("ratings-public"), {"month": "May"})
    assert bad.status_code == 400
    assert "月份格式" in bad.content.decode()


def test_the_hall_filter_is_built_in_one_pass(world: World, client) -> None:
    """A city's halls (bench/README.md, issue 12: 620 halls) in the filter without one widget
    template per hall, the chosen one selected, a bad one refused beside the field."""
    for n in range(30):
        factories.hall(code=f"F{n:03d}", name=f"第{n}筛选中心")
    response = client.get(reverse("ratings-public"), {"month": "2026-11", "hall": "F007"})
    assert response.status_code == 200
    option_templates = [t.name for t in response.templates].count("django/forms/widgets/select_option.html")
    assert option_templates <= 3  # the scope's three choices only
    body = response.content.decode()
    assert body.count("<option ") >= 31 + 3  # every hall and "全部大厅", and the scopes
    assert '<option value="F007" selected>第7筛选中心</option>' in body
    bad = client.get(reverse("ratings-public"), {"hall": "NOPE"})
    assert bad.status_code == 400
    assert "请从列表中选择大厅。" in bad.content.decode()


def test_the_statistics_api_publishes_the_rollup(world: World, client) -> None:
    rate_ticket(world, "satisfied", finished_at=at(D(2026, 11, 10)))
    rate_ticket(world, "very_dissatisfied", finished_at=at(D(2026, 11, 10)))
    rollup_ratings.satisfaction_rollup(month=NOV)
    response = client.get("/api/v1/ratings/statistics/", {"month": "2026-11", "scope": "department"})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["department"], row["counted"], row["satisfaction"], row["month"]) == ("GZGA", 2, 0.5, "2026-11")
    assert client.get("/api/v1/ratings/statistics/", {"month": "11/2026"}).json()["errors"] == {
        "month": ["月份格式应为“年-月”，例如 2026-11。"]
    }
    assert client.get("/api/v1/ratings/statistics/", {"hall": "NOPE"}).status_code == 404


@pytest.mark.parametrize("raw", ["0000-01", "10000-01", "2026-13", "0001-01", "9999-12", "1899-12", "２０２６-01"])
def test_a_month_out_of_range_is_a_400_with_the_field_s_message(world: World, client, raw: str) -> None:
    page = client.get(reverse("ratings-public"), {"month": raw})
    assert page.status_code == 400
    assert page.context["form"].errors["month"]
    api = client.get("/api/v1/ratings/statistics/", {"month": raw})
    assert api.status_code == 400
    assert api.json()["errors"]["month"]


def test_the_month_links_stop_at_the_bounds(world: World, client) -> None:
    first = client.get(reverse("ratings-public"), {"month": "1900-01"})
    assert first.status_code == 200
    body = first.content.decode()
    assert 'rel="prev"' not in body
    assert "month=1900-02" in body
    current = ratings.month_start(local_date())
    this_month = client.get(reverse("ratings-public"), {"month": f"{current:%Y-%m}"}).content.decode()
    assert 'rel="next"' not in this_month


def test_the_month_helpers_never_leave_the_calendar() -> None:
    from feedback.forms_ratings import MONTH_FIRST, MONTH_LAST, month_or_error, next_month, previous_month

    assert previous_month(MONTH_FIRST) is None
    assert next_month(MONTH_LAST) is None
    assert previous_month(dt.date(2026, 1, 1)) == dt.date(2025, 12, 1)
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert month_or_error("2099-12") == (MONTH_LAST, "")
    assert "1900-01" in month_or_error("0001-01")[1]
