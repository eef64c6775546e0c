"""The chief representative's urgent inbox (``/staff/urgent/``): the requests waiting for a
decision, then the decided ones newest first, paginated without counting them (the paginator's
``COUNT(*)`` read every decided request of the department on every view: 15–50 ms at 100k,
bench/README.md). The queries stay the same however many there are."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import urgent
from cases.models import UrgentRequest
from cases.views_urgent import PER_PAGE
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

THU = D(2026, 11, 26)
MON = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(THU, 10), tick=False):
        yield


def _requests(world, decided: int) -> None:
    """Two requests waiting (one per case) and ``decided`` decided ones."""
    cases = [world.receive(world.licence, now=at(MON, hour), outcome="accept") for hour in (9, 10)]
    for case in cases:
        urgent.urgent_request_case(
            case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 11)
        )
    _decided(world, decided)


def _decided(world, count: int) -> None:
    """``count`` decided requests (one in five refused) on the cases waiting, one a minute apart
    before the latest already there."""
    cases = [row.case for row in UrgentRequest.objects.filter(status="requested").select_related("case")]
    latest = UrgentRequest.objects.exclude(status="requested").order_by("requested_at").first()
    before = latest.requested_at if latest else at(MON, 8)
    UrgentRequest.objects.bulk_create(
        UrgentRequest(
            hall=world.city,
            department=world.market,
            item=world.licence,
            case=cases[n % len(cases)],
            applicant_masked="陈**",
            mobile="13800138999",
            reason_category="medical",
            reason_text="赴外地住院手术，需要提前办结",
            status="approved" if n % 5 else "refused",
            promised_days=3 if n % 5 else None,
            decision_reason="" if n % 5 else "需现场核查",
            requested_at=before - dt.timedelta(minutes=n + 1),
            decided_by=world.market_chief,
            decided_at=at(MON, 9),
        )
        for n in range(count)
    )


def _get(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


def test_the_inbox_runs_the_same_queries_for_a_few_or_many_and_counts_nothing(world, client) -> None:
    _requests(world, decided=3)
    client.force_login(world.market_chief)
    client.get("/staff/urgent/")  # the session and the remembered settings
    _, few = _get(client, "/staff/urgent/")
    _decided(world, 2 * PER_PAGE + 7)
    for path in ("/staff/urgent/", "/staff/urgent/?page=2"):
        response, many = _get(client, path)
        assert len(many) == len(few), many
        assert not [sql for sql in many if "COUNT(" in sql.upper() and "cases_urgentrequest" in sql], many
        assert len(response.context["page"].object_list) == PER_PAGE


def test_the_inbox_query_count(world, client, django_assert_num_queries) -> None:
    _requests(world, decided=2 * PER_PAGE + 7)
    client.force_login(world.market_chief)
    client.get("/staff/urgent/")
    # The session, the user, the staff profile, the roles, the recorded chief of the department
    # (a deputy is refused), the waiting requests, the page of decided ones (one row beyond it
    # says whether a next page exists; no COUNT).
    with django_assert_num_queries(7):
        response = client.get("/staff/urgent/?page=2")
    assert response.status_code == 200


def test_the_decided_pages_link_on_without_a_total(world, client) -> None:
    _requests(world, decided=2 * PER_PAGE + 7)
    client.force_login(world.market_chief)
    first = client.get("/staff/urgent/").content.decode()
    assert "第 1 页" in first and "共" not in first.split('aria-current="page">')[1].split("</span>")[0]
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    third = client.get("/staff/urgent/?page=3")
    text = third.content.decode()
    assert len(third.context["page"].object_list) == 7
    assert "第 3 页" in text and 'href="?page=2" rel="prev"' in text and 'rel="next"' not in text
    # Past the end: the last page, as every list does (counted once, only then).
    beyond = client.get("/staff/urgent/?page=40")
    assert beyond.status_code == 200 and beyond.context["page"].number == 3
    huge = client.get("/staff/urgent/?page=99999999999999999999")
    assert huge.status_code == 200 and huge.context["page"].number == 3


def test_one_page_of_decided_requests_shows_no_pager(world, client) -> None:
    _requests(world, decided=PER_PAGE)
    client.force_login(world.market_chief)
    text = client.get("/staff/urgent/").content.decode()
    assert 'class="pagination"' not in text
