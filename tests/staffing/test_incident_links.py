"""Conduct incidents linked to feedback (Art. 7 ¶2, REQUIREMENTS §9): recorded from a bad
rating's rectification order found valid, or from a "办不成事" report, against the clerk's
secondment, with the source and reference filled in and links both ways; bad input refused with
a clear message; nothing recorded twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from feedback import rectification, reports
from feedback.models import RectificationOrder
from servicehall import extensions
from staffing import services
from staffing.models import ConductIncident, Secondment
from tests.cases.factories import World, at, make_world
from tests.feedback.ratings_world import rate_ticket
from tests.feedback.reports_world import register, seed_categories
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db

SERVED = dt.date(2026, 11, 24)


@pytest.fixture
def world() -> World:
    seed_categories()
    return make_world()


def text(response) -> str:
    return response.content.decode()


def _clerk_secondment(world: World) -> Secondment:
    """The world's clerk (who serves at window 1 and is rated) seconded by the police."""
    return Secondment.objects.create(
        user=world.clerk,
        staff_number="GA-0101",
        department=world.police,
        hall=world.city,
        seconded_from=dt.date(2025, 3, 1),
    )


def _order(world: World, *, valid: bool | None = True) -> RectificationOrder:
    rating = rate_ticket(world, "very_dissatisfied", finished_at=at(SERVED, 10))
    order = RectificationOrder.objects.get(rating=rating)
    if valid is not None:
        order = rectification.order_verify(order=order, actor=world.supervisor, valid=valid, reason="经查看录像核实")
    return order


def test_staffing_adds_its_sections_to_feedback_s_pages_through_named_places() -> None:
    assert "staffing/_order_incident.html" in extensions.sections(extensions.RECTIFICATION_ORDER)
    assert "staffing/_report_incidents.html" in extensions.sections(extensions.REPORT_PAGE)


def test_an_incident_recorded_from_a_valid_order_and_linked_both_ways(client, world) -> None:
    secondment = _clerk_secondment(world)
    order = _order(world)
    client.force_login(world.supervisor)
    page = text(client.get(reverse("rectification-detail", args=[order.pk])))
    record_url = reverse("staffing-incident-from-order", args=[order.pk])
    assert record_url in page and "已记录行为问题" not in page

    form = client.get(record_url)
    assert form.status_code == 200 and order.number in text(form)
    short = client.post(record_url, {"description": "态度差"})
    assert short.status_code == 400 and "请描述具体情况（至少10个字）" in text(short)
    done = client.post(record_url, {"description": "办理时语气生硬，未一次性告知所需材料。"})
    assert done.status_code == 302 and done["Location"] == reverse("rectification-detail", args=[order.pk])

    incident = ConductIncident.objects.get()
    assert (incident.secondment, incident.source, incident.reference) == (secondment, "bad_rating", order.number)
    assert incident.rectification_order == order and incident.occurred_on == SERVED

    page = text(client.get(reverse("rectification-detail", args=[order.pk])))
    assert "已记录行为问题" in page and reverse("staffing-person", args=[secondment.pk]) in page
    assert record_url not in page
    person = text(client.get(reverse("staffing-person", args=[secondment.pk])))
    assert reverse("rectification-detail", args=[order.pk]) in person and "差评" in person

    again = client.post(record_url, {"description": "办理时语气生硬，未一次性告知所需材料。"})
    assert again.status_code == 409 and f"整改单{order.number}已记录行为问题，不能重复记录" in text(again)
    assert ConductIncident.objects.count() == 1


def test_an_order_not_found_valid_or_without_a_secondment_is_refused(client, world) -> None:
    client.force_login(world.supervisor)
    waiting = _order(world, valid=None)
    refused = client.post(
        reverse("staffing-incident-from-order", args=[waiting.pk]), {"description": "办理时语气生硬，态度不好。"}
    )
    assert refused.status_code == 409 and "只有核实属实" in text(refused)
    # Found valid, but the rated clerk has no secondment at the hall.
    valid = _order(world)
    refused = client.post(
        reverse("staffing-incident-from-order", args=[valid.pk]), {"description": "办理时语气生硬，态度不好。"}
    )
    assert refused.status_code == 409 and "被评价的工作人员在广州市政务服务中心没有派驻记录" in text(refused)
    page = text(client.get(reverse("rectification-detail", args=[waiting.pk])))
    assert "差评核实属实后可以记录" in page
    assert not ConductIncident.objects.exists()


def test_only_the_halls_supervisors_record_and_see_the_link(client, world) -> None:
    _clerk_secondment(world)
    order = _order(world)
    record_url = reverse("staffing-incident-from-order", args=[order.pk])
    client.force_login(world.police_chief)  # the chief handles the order but records no incident
    assert record_url not in text(client.get(reverse("rectification-detail", args=[order.pk])))
    assert client.post(record_url, {"description": "办理时语气生硬，态度不好。"}).status_code == 403
    client.force_login(world.clerk)
    assert client.post(record_url, {"description": "办理时语气生硬，态度不好。"}).status_code == 403
    with pytest.raises(services.StaffingError) as refused:
        services.incident_from_order(order=order, actor=world.police_chief, description="办理时语气生硬，态度不好。")
    assert refused.value.status == 403
    assert not ConductIncident.objects.exists()


def test_an_incident_recorded_from_a_report_against_the_clerk_concerned(client, world) -> None:
    secondment = _clerk_secondment(world)
    other_hall = seconded("tianhe-clerk-2", hall=world.tianhe, department=world.market)
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police], note="请核查")
    client.force_login(world.supervisor)
    detail = text(client.get(reverse("report-detail", args=[report.number])))
    record_url = reverse("staffing-incident-from-report", args=[report.number])
    assert record_url in detail

    missing = client.post(record_url, {"description": "窗口人员推诿，让群众来回跑。"})
    assert missing.status_code == 400 and "请选择被反映的工作人员。" in text(missing)
    elsewhere = client.post(record_url, {"secondment": other_hall.pk, "description": "窗口人员推诿，让群众来回跑。"})
    assert elsewhere.status_code == 400 and "请从列表中选择被反映的工作人员。" in text(elsewhere)
    done = client.post(record_url, {"secondment": secondment.pk, "description": "窗口人员推诿，让群众来回跑。"})
    assert done.status_code == 302
    incident = ConductIncident.objects.get()
    assert (incident.source, incident.reference, incident.report, incident.occurred_on) == (
        "complaint",
        report.number,
        report,
        report.tried_on,
    )
    detail = text(client.get(reverse("report-detail", args=[report.number])))
    assert "已记录行为问题" in detail and reverse("staffing-person", args=[secondment.pk]) in detail
    again = client.post(record_url, {"secondment": secondment.pk, "description": "窗口人员推诿，让群众来回跑。"})
    assert again.status_code == 409 and "不能重复记录" in text(again)
    with pytest.raises(services.StaffingError) as refused:
        services.incident_from_report(
            report=report, secondment=other_hall, actor=world.supervisor, description="窗口人员推诿，让群众来回跑。"
        )
    assert refused.value.field == "secondment"


def test_the_api_records_from_an_order_and_a_report_with_the_same_rules(client, world) -> None:
    secondment = _clerk_secondment(world)
    order = _order(world)
    report = register(world)
    client.force_login(world.supervisor)
    url = f"/api/v1/staffing/incidents/from-order/{order.pk}/"
    bad = client.post(url, {"description": "短"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["description"]
    made = client.post(url, {"description": "办理时语气生硬，未一次性告知。"}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert (body["source"], body["reference"], body["rectification_order"], body["staff_number"]) == (
        "bad_rating",
        order.number,
        order.pk,
        "GA-0101",
    )
    twice = client.post(url, {"description": "办理时语气生硬，未一次性告知。"}, content_type="application/json")
    assert twice.status_code == 409
    assert (
        client.post("/api/v1/staffing/incidents/from-order/999999/", {}, content_type="application/json").status_code
        == 404
    )

    url = f"/api/v1/staffing/incidents/from-report/{report.number}/"
    unknown = client.post(
        url, {"secondment": 999999, "description": "窗口人员推诿，让群众来回跑。"}, content_type="application/json"
    )
    assert unknown.status_code == 400 and unknown.json()["errors"]["secondment"] == ["没有找到该派驻人员。"]
    made = client.post(
        url,
        {"secondment": secondment.pk, "description": "窗口人员推诿，让群众来回跑。"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["report"] == report.number
    listed = client.get(f"/api/v1/staffing/secondments/{secondment.pk}/incidents/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["reference"] for row in rows} == {order.number, report.number}
