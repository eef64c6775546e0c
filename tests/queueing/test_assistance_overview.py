"""Today's assistance requests (帮办代办、陪同办, Art. 10 ¶1) per hall on the supervisors' city
overview: waiting for a helper / helped now / done, cancelled ones and other days left out, with
the totals row, in one query whatever the number of halls and requests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing import dashboard
from queueing.models import AssistanceRequest
from servicehall import memo, roles
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
LIVE = {"HX-Request": "true", "HX-Target": "overview-live"}


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    memo.forget()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def city_supervisor(client, qh):
    user = staff_user("city-sup", role=roles.SUPERVISOR)
    client.force_login(user)
    return user


def _requests(hall, n: int, *, status: str = "requested", day: dt.date | None = None) -> None:
    helper = staff_user(f"helper-{hall.code}-{status}-{n}-{day}", role=roles.WINDOW_STAFF, hall_=hall)
    AssistanceRequest.objects.bulk_create(
        AssistanceRequest(
            hall=hall,
            service_date=day or NOW.date(),
            source="kiosk",
            kind="proxy",
            reason="elderly",
            status=status,
            requested_at=NOW,
            helper=None if status in ("requested", "cancelled") else helper,
            assigned_at=None if status in ("requested", "cancelled") else NOW,
        )
        for _ in range(n)
    )


def _cells(page: str) -> list[str]:
    return [cell.split(">", 1)[1].split("</td>")[0] for cell in page.split('class="num assistance-cell"')[1:]]


def test_the_city_overview_counts_each_hall_requests_of_today(client, qh, city_supervisor) -> None:
    other = make_queue_hall("OT")
    _requests(qh.hall, 3)
    _requests(qh.hall, 2, status="assigned")
    _requests(qh.hall, 4, status="done")
    _requests(qh.hall, 1, status="cancelled")
    _requests(qh.hall, 5, day=NOW.date() - dt.timedelta(days=1))  # yesterday's
    _requests(qh.hall, 6, day=NOW.date() + dt.timedelta(days=1))  # a booking of tomorrow
    _requests(other.hall, 1, status="done")

    overview = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=NOW)
    counts = {row.hall.code: (row.assistance.open, row.assistance.taken, row.assistance.done) for row in overview.rows}
    assert counts == {qh.hall.code: (3, 2, 4), "OT": (0, 0, 1)}
    totals = overview.totals.assistance
    assert (totals.open, totals.taken, totals.done) == (3, 2, 5)

    for response in (
        client.get(reverse("supervisor-overview")),
        client.get(reverse("supervisor-overview"), headers=LIVE),
    ):
        page = response.content.decode()
        assert "今日帮办代办（待接单 / 协助中 / 已完成）" in page
        # Where each hall's row links to the hall (a bare code like "OT" may also occur in the
        # page's random CSP nonce).
        rows = {code: page.index(f'href="{reverse("supervisor-hall", args=[code])}"') for code in (qh.hall.code, "OT")}
        cells = _cells(page)
        # Hall rows in the page's order, then the totals; the requests waiting for a helper stand out.
        order = sorted(rows, key=rows.get)
        expected = {qh.hall.code: '<strong class="flag">3</strong> / 2 / 4', "OT": "0 / 0 / 1"}
        assert cells == [expected[code] for code in order] + ["3 / 2 / 5"]


def _queries(client, url: str, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kwargs).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_counts_cost_one_query_whatever_the_halls_and_requests(client, qh, city_supervisor) -> None:
    url = reverse("supervisor-overview")
    _requests(qh.hall, 2)
    client.get(url)  # the session's first request may write it: not the page's cost
    small, small_live = len(_queries(client, url)), len(_queries(client, url, headers=LIVE))
    for code in ("H2", "H3", "H4"):
        extra = make_queue_hall(code)
        _requests(extra.hall, 10)
        _requests(extra.hall, 10, status="done")
    _requests(qh.hall, 40, status="assigned")
    assert (len(_queries(client, url)), len(_queries(client, url, headers=LIVE))) == (small, small_live)
    assistance = [sql for sql in _queries(client, url, headers=LIVE) if "queueing_assistancerequest" in sql]
    assert len(assistance) == 1 and "COUNT" in assistance[0] and "GROUP BY" in assistance[0]
