"""The chief representative made real (Art. 8 ¶3): every place a department decides asks
``acts_as_chief``, so a deputy holding the role while the staffing records name another active
chief is refused with a clear message and the recorded chief is let in; and the chief
representative's page for their department (/staff/department/, its API), scoped and with a fixed
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases import urgent
from cases.services import CaseError
from cases.views import allowed_actions
from feedback import rectification, reports
from feedback.models import RectificationOrder
from feedback.ratings import RatingError
from feedback.reports import ReportError
from staffing.models import ConductIncident, Secondment
from tests.cases.factories import COMPANY, World, at, make_world
from tests.feedback.ratings_world import rate_ticket
from tests.feedback.reports_world import register, seed_categories
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 23)
DEPUTY = "人员登记中本部门在本大厅在岗的首席事务代表是其他人员"


@pytest.fixture
def world() -> World:
    seed_categories()
    return make_world()


def _recorded_chief(world: World, department=None) -> object:
    """Another user is the department's recorded active chief: the world's chief of that
    department (still in the chief representatives' group) becomes a deputy."""
    department = department or world.police
    return seconded(
        f"recorded-chief-{department.code}",
        hall=world.city,
        department=department,
        role=Secondment.Role.CHIEF,
        number=f"C-{department.code}",
    ).user


def text(response) -> str:
    return response.content.decode()


# --- Every department decision goes through acts_as_chief ------------------------------------


def test_the_case_inbox_refuses_a_deputy_and_lets_the_recorded_chief_in(client, world) -> None:
    chief = _recorded_chief(world)
    client.force_login(world.police_chief)
    page = client.get(reverse("case-inbox"))
    assert page.status_code == 403 and DEPUTY in text(page)
    api = client.get("/api/v1/cases/inbox/")
    assert api.status_code == 403 and DEPUTY in text(api)
    client.force_login(chief)
    assert client.get(reverse("case-inbox")).status_code == 200
    assert client.get("/api/v1/cases/inbox/").status_code == 200
    # Without a chief secondment for the department, the role and profile decide as before.
    client.force_login(world.market_chief)
    assert client.get(reverse("case-inbox")).status_code == 200


def test_the_urgent_inbox_refuses_a_deputy_with_the_reason(client, world) -> None:
    chief = _recorded_chief(world)
    client.force_login(world.police_chief)
    page = client.get(reverse("urgent-inbox"))
    assert page.status_code == 403 and DEPUTY in text(page)
    client.force_login(chief)
    assert client.get(reverse("urgent-inbox")).status_code == 200


def test_a_deputy_neither_extends_nor_decides_an_urgent_request(world) -> None:
    case = world.receive(world.hukou, now=at(MON), outcome="accept", applicant=COMPANY)
    chief = _recorded_chief(world)
    assert "extend" not in allowed_actions(world.police_chief, case)
    assert "extend" in allowed_actions(chief, case)
    with pytest.raises(CaseError) as refused:
        case_services.case_extend(case=case, actor=world.police_chief, days=2, reason="需要补充核查", now=at(MON))
    assert refused.value.status == 403 and DEPUTY in str(refused.value.message)

    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 11)
    )
    with pytest.raises(CaseError) as refused:
        urgent.urgent_approve(request=request, actor=world.police_chief, promised_days=2, reason="情况属实")
    assert refused.value.status == 403 and DEPUTY in str(refused.value.message)
    assert not urgent.may_decide(world.police_chief, request)
    assert urgent.may_decide(chief, request)


def test_a_deputy_does_not_verify_a_bad_rating_and_the_recorded_chief_does(world) -> None:
    rating = rate_ticket(world, "very_dissatisfied", finished_at=at(dt.date(2026, 11, 24), 10))
    order = RectificationOrder.objects.get(rating=rating)
    chief = _recorded_chief(world)
    assert not rectification.may_handle(world.police_chief, order)
    with pytest.raises(RatingError) as refused:
        rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="属实")
    assert refused.value.status == 403 and DEPUTY in str(refused.value.message)
    order = rectification.order_verify(order=order, actor=chief, valid=True, reason="经查看录像，属实")
    assert order.status == RectificationOrder.Status.RECTIFYING


def test_a_deputy_does_not_resolve_a_report_and_the_recorded_chief_does(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police], note="请核查")
    chief = _recorded_chief(world)
    assert "resolve" not in reports.allowed_steps(world.police_chief, report)
    with pytest.raises(ReportError) as refused:
        reports.report_resolve(report=report, actor=world.police_chief, resolution="已协调办理", matter_done=True)
    assert refused.value.status == 403 and DEPUTY in str(refused.value.message)
    report = reports.report_resolve(report=report, actor=chief, resolution="已协调原籍派出所出具证明", matter_done=True)
    assert report.status == report.Status.RESOLVED


# --- The chief representative's page for their department ------------------------------------


def test_the_chief_sees_their_department_and_nobody_else_does(client, world) -> None:
    chief = _recorded_chief(world)
    seconded("police-clerk-1", hall=world.city, department=world.police, number="GA-001")
    seconded("market-clerk-1", hall=world.city, department=world.market, number="SJ-001")
    url = reverse("staffing-department")

    client.force_login(chief)
    page = client.get(url)
    assert page.status_code == 200
    body = text(page)
    assert "GA-001" in body and "SJ-001" not in body and world.police.name in body
    assert client.get(url, {"department": "GZSCJG"}).status_code == 403  # not theirs
    assert client.get(url, {"department": "GZGA"}).status_code == 200

    client.force_login(world.market_chief)  # another department's chief: their own only
    body = text(client.get(url))
    assert "SJ-001" in body and "GA-001" not in body
    assert client.get(url, {"department": "GZGA"}).status_code == 403

    client.force_login(world.police_chief)  # the deputy
    refused = client.get(url)
    assert refused.status_code == 403 and DEPUTY in text(refused)

    client.force_login(world.clerk)
    assert client.get(url).status_code == 403

    client.force_login(world.supervisor)  # the hall's supervisor: any department of the hall
    chooser = client.get(url)
    assert chooser.status_code == 200 and "GA-001" not in text(chooser)
    assert "GA-001" in text(client.get(url, {"department": "GZGA"}))
    assert "SJ-001" in text(client.get(url, {"department": "GZSCJG"}))
    assert client.get(url, {"hall": "TH", "department": "GZSCJG"}).status_code == 403
    unknown = client.get(url, {"department": "NOPE"})
    assert unknown.status_code == 400 and "请从列表中选择部门。" in text(unknown)
    # The hall dashboard's link "各部门情况" names the hall only: the picker with it chosen, no
    # refusal (walkthrough: it opened with 400 "请选择部门。"); an empty choice sent is refused.
    from_dashboard = client.get(url, {"hall": "GZ-CITY"})
    assert from_dashboard.status_code == 200 and "请选择部门。" not in text(from_dashboard)
    assert '<option value="GZ-CITY" selected>' in text(from_dashboard)
    sent_empty = client.get(url, {"hall": "GZ-CITY", "department": ""})
    assert sent_empty.status_code == 400 and "请选择部门。" in text(sent_empty)
    assert client.get(url, {"hall": "NOPE"}).status_code == 400


def test_the_department_api_has_the_same_scope(client, world) -> None:
    chief = _recorded_chief(world)
    seconded("police-clerk-1", hall=world.city, department=world.police, number="GA-001")
    client.force_login(chief)
    body = client.get("/api/v1/staffing/department/").json()
    assert body["department"]["code"] == "GZGA" and body["hall"]["code"] == "GZ-CITY"
    assert [row["staff_number"] for row in body["staff"]] == ["C-GZGA", "GA-001"]
    assert client.get("/api/v1/staffing/department/", {"department": "GZSCJG"}).status_code == 403
    client.force_login(world.police_chief)
    refused = client.get("/api/v1/staffing/department/")
    assert refused.status_code == 403 and DEPUTY in text(refused)
    client.force_login(world.clerk)
    assert client.get("/api/v1/staffing/department/").status_code == 403
    client.force_login(world.city_supervisor)  # citywide: names the hall
    missing = client.get("/api/v1/staffing/department/", {"department": "GZGA"})
    assert missing.status_code == 400 and missing.json()["errors"] == {"hall": ["请选择大厅。"]}
    ok = client.get("/api/v1/staffing/department/", {"hall": "GZ-CITY", "department": "GZGA"})
    assert ok.status_code == 200 and ok.json()["counts"]["staff"] == 2


def test_the_page_counts_what_the_department_owes_with_empty_states(client, world) -> None:
    chief = _recorded_chief(world)
    client.force_login(chief)
    body = text(client.get(reverse("staffing-department")))
    for empty in ("没有超期或临近期限的办件。", "没有待审批的急事急办申请。", "没有转派本部门、尚未办结的反映。"):
        assert empty in body
    assert "没有未办结的差评整改单。" in body and "本部门人员暂无违反行为规范记录。" in body

    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 11)
    )
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police], note="请核查")
    rate_ticket(world, "very_dissatisfied", finished_at=at(dt.date(2026, 11, 24), 10))
    # Accepted on 23 November with 5 working days: overdue since 1 December (the tests' dates are
    # fixed in the past).
    body = text(client.get(reverse("staffing-department")))
    api = client.get("/api/v1/staffing/department/").json()
    assert case.number in body and report.number in body
    assert "急事急办待审批 1 件" in body and "差评整改单 1 件未办结" in body
    assert api["counts"]["overdue"] == 1 and api["counts"]["urgent_pending"] == 1
    assert api["counts"]["reports_open"] == 1 and api["counts"]["orders_open"] == 1


def _grow(world: World, n: int, start: int) -> None:
    for i in range(start, start + n):
        seconded(f"grow-{i}", hall=world.city, department=world.police, number=f"GA-{i:03d}")
        world.receive(world.hukou, now=at(MON), outcome="accept")
        rate_ticket(world, "very_dissatisfied", finished_at=at(dt.date(2026, 11, 24), 10 + i % 5))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/staff/department/", "/api/v1/staffing/department/"])
def test_the_page_and_api_read_a_fixed_number_of_queries(client, world, url, django_assert_max_num_queries) -> None:
    chief = _recorded_chief(world)
    client.force_login(chief)
    _grow(world, 2, 0)
    few = _queries(client, url)
    _grow(world, 6, 10)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
    assert _queries(client, url) == few
    assert few <= 20  # 20 measured for the page and the API (session, user, scope and 14 reads)


def test_the_workbench_links_the_department_page_for_the_recorded_chief_only(client, world) -> None:
    chief = _recorded_chief(world)
    client.force_login(chief)
    assert reverse("staffing-department") in text(client.get(reverse("staff-home")))
    client.force_login(world.police_chief)
    assert reverse("staffing-department") not in text(client.get(reverse("staff-home")))
    client.force_login(world.clerk)
    assert reverse("staffing-department") not in text(client.get(reverse("staff-home")))


def test_incidents_per_person_and_year_are_countable(world) -> None:
    from staffing import selectors

    clerk = seconded("counted", hall=world.city, department=world.police)
    for day, source in ((dt.date(2025, 12, 30), "observation"), (dt.date(2026, 1, 5), "complaint")):
        ConductIncident.objects.create(
            secondment=clerk, occurred_on=day, source=source, description="x" * 12, recorded_by=world.supervisor
        )
    ConductIncident.objects.create(
        secondment=clerk,
        occurred_on=dt.date(2026, 3, 1),
        source="complaint",
        description="y" * 12,
        recorded_by=world.supervisor,
    )
    assert selectors.incident_counts(year=2026) == {clerk.pk: {"total": 2, "complaint": 2}}
    assert selectors.incident_counts(year=2025, secondment_ids=[clerk.pk]) == {clerk.pk: {"total": 1, "observation": 1}}
