"""Lists cost the same number of queries with 50 cases as with 5,000 (no query per case): the
staff's case list, the chief representative's inbox, the deadline lists, a case's detail."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Applicant, Case, CaseClock, CaseEvent, CaseMaterial
from cases.warnings import warnings_run
from catalog.models import GuideVersion
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def add_cases(world, count: int) -> None:
    """``count`` accepted cases at the city centre, half of each department, deadlines from three
    weeks ago to three weeks ahead, each with its checklist and history."""
    applicant, _ = Applicant.objects.get_or_create(
        kind="person", identity_key="x" * 64, defaults={"id_masked": "4401****0000"}
    )
    items = [world.licence, world.hukou]
    versions = {v.item_id: v for v in GuideVersion.objects.filter(item__in=items)}
    rows = []
    for k in range(count):
        item = items[k % 2]
        n = next(_numbers)
        received = TODAY - dt.timedelta(days=30 - k % 40)
        rows.append(
            Case(
                number=f"{item.code}{received:%Y%m%d}{n:04d}"[:24],
                progress_token=f"token-{n}",
                hall=world.city,
                department_id=item.department_id,
                item=item,
                guide_version=versions[item.pk],
                channel="window",
                window=world.window,
                received_by=world.clerk,
                applicant=applicant,
                applicant_name="测试",
                contact_mobile="13800138000",
                status=[Case.Status.ACCEPTED, Case.Status.IN_REVIEW][k % 2],
                received_at=at(received),
                received_on=received,
                accepted_on=received,
                limit_days=10,
                due_on=TODAY + dt.timedelta(days=k % 43 - 21),
            )
        )
    cases = Case.objects.bulk_create(rows, batch_size=1000)
    CaseClock.objects.bulk_create(
        (CaseClock(case=c, hall_id=c.hall_id, department_id=c.department_id, due_on=c.due_on) for c in cases),
        batch_size=2000,
    )
    materials = {v.item_id: list(v.materials.all()) for v in versions.values()}
    CaseMaterial.objects.bulk_create(
        (
            CaseMaterial(case=c, material=m, state="original", supplied_at=c.received_at)
            for c in cases
            for m in materials[c.item_id]
        ),
        batch_size=2000,
    )
    CaseEvent.objects.bulk_create(
        (CaseEvent(case=c, kind="received", at=c.received_at, actor=world.clerk) for c in cases), batch_size=2000
    )
    warnings_run(now=at(TODAY))


def count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("who", "url", "params"),
    [
        ("city_supervisor", "/api/v1/cases/", {}),
        ("clerk", "/api/v1/cases/", {"status": "in_review"}),
        ("market_chief", "/api/v1/cases/inbox/", {}),
        ("city_supervisor", "/api/v1/cases/deadlines/", {}),
        ("city_supervisor", "/api/v1/cases/deadlines/", {"colour": "yellow"}),
        ("market_chief", "/api/v1/cases/deadlines/", {}),
    ],
)
def test_a_list_costs_the_same_with_50_and_5000_cases(world, client, who, url, params) -> None:
    client.force_login(getattr(world, who))
    add_cases(world, 50)
    small = count_queries(client, url, params)
    add_cases(world, 4950)
    assert Case.objects.count() == 5000
    assert count_queries(client, url, params) == small
    assert small <= 15  # the inbox asks staffing once who the department's recorded chief is


def test_a_case_detail_costs_the_same_whatever_its_history(world, client) -> None:
    client.force_login(world.clerk)
    case = world.receive(world.hukou, now=at(TODAY), outcome="accept")
    small = count_queries(client, f"/api/v1/cases/{case.number}/")
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, kind="review", at=at(TODAY), actor=world.clerk) for _ in range(200)
    )
    assert count_queries(client, f"/api/v1/cases/{case.number}/") == small
