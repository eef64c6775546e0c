"""The staffing API (/api/v1/staffing/): the roster with its flags and filters, recording and
ending secondments with the same refusals as the services, conduct incidents, a staff member's
own record and the code of conduct; all in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing import services as queue_services
from staffing.models import ConductCode, ConductIncident, Secondment
from tests.servicehall.factories import staff_user
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db


def api(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def test_the_roster_lists_the_supervisors_halls_with_flags(client, world) -> None:
    seconded("a", hall=world.city, department=world.police, number="A-1")
    seconded("b", hall=world.city, department=world.market, number="A-2", pre_job=False)
    seconded("t", hall=world.tianhe, department=world.market, number="T-1")
    client.force_login(world.supervisor)
    body = client.get(api("staffing-secondment-list")).json()
    assert [row["staff_number"] for row in body["results"]] == ["A-1", "A-2"]
    assert body["results"][1]["has_pre_job"] is False and body["results"][0]["has_pre_job"] is True
    flagged = client.get(api("staffing-secondment-list"), {"flag": "no_pre_job"}).json()
    assert [row["staff_number"] for row in flagged["results"]] == ["A-2"]
    refused = client.get(api("staffing-secondment-list"), {"hall": "TH", "flag": "x"})
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"hall", "flag"}
    clerk = seconded("c", hall=world.city, department=world.police).user
    client.force_login(clerk)
    assert client.get(api("staffing-secondment-list")).status_code == 403


def test_recording_a_secondment_refuses_with_field_messages(client, world) -> None:
    staff_user("new-chief")
    staff_user("second-chief")
    client.force_login(world.supervisor)
    body = {
        "username": "new-chief",
        "staff_number": "GZGA-0301",
        "hall": "GZ-CITY",
        "department": "GZGA",
        "role": "chief",
        "seconded_from": "2026-01-05",
        "seconded_until": "2027-01-04",
    }
    short = client.post(api("staffing-secondment-list"), body, content_type="application/json")
    assert short.status_code == 400
    assert "派驻时间不足两年" in short.json()["errors"]["short_tenure_reason"][0]
    made = client.post(
        api("staffing-secondment-list"), {**body, "seconded_until": None}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["role"] == "chief"
    second = client.post(
        api("staffing-secondment-list"),
        {**body, "username": "second-chief", "staff_number": "GZGA-0302", "seconded_until": None},
        content_type="application/json",
    )
    assert second.status_code in (400, 409)
    assert "已有在岗的首席事务代表" in second.json()["detail"]
    assert Secondment.objects.count() == 1
    unknown = client.post(
        api("staffing-secondment-list"), {**body, "username": "nobody", "hall": "XX"}, content_type="application/json"
    )
    assert unknown.status_code == 400 and set(unknown.json()["errors"]) == {"username", "hall"}


def test_ending_a_secondment_and_its_incidents(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2026, 1, 1))
    client.force_login(world.supervisor)
    early = client.post(
        api("staffing-secondment-end", secondment.pk), {"ended_on": "2026-06-30"}, content_type="application/json"
    )
    assert early.status_code == 400 and "short_tenure_reason" in early.json()["errors"]
    incidents = api("staffing-incidents", secondment.pk)
    bad = client.post(
        incidents,
        {"source": "rumour", "occurred_on": "2026-11-20", "description": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "source" in bad.json()["errors"]
    made = client.post(
        incidents,
        {"source": "observation", "occurred_on": "2026-11-20", "description": "在岗期间长时间使用手机"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert client.get(incidents).json()["count"] == 1
    ended = client.post(
        api("staffing-secondment-end", secondment.pk),
        {"ended_on": "2026-06-30", "reason": "派出单位召回"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended" and ended.json()["short_tenure"]
    client.force_login(world.tianhe_supervisor)
    assert client.get(api("staffing-secondment-detail", secondment.pk)).status_code == 403
    assert ConductIncident.objects.count() == 1


def test_staff_read_their_own_record_and_the_code(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police)
    queue_services.window_sign_in(window=world.window_1, staff=secondment.user)
    client.force_login(secondment.user)
    body = client.get(api("staffing-me")).json()
    assert body["secondment"]["staff_number"] == secondment.staff_number
    assert body["has_pre_job"] is True and len(body["attendance"]) == 1
    assert client.get(api("staffing-conduct-code")).status_code == 404
    ConductCode.objects.create(
        title="规范",
        forbidden_phrases="甲\n乙",
        forbidden_behaviours="丙",
        dress="丁",
        discipline="戊",
        published_at=timezone.now(),
    )
    assert client.get(api("staffing-conduct-code")).json()["forbidden_phrases"] == ["甲", "乙"]


def test_the_schema_documents_the_staffing_api() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "SecondmentStatusEnum" in schema["components"]["schemas"]
    assert 404 in {int(code) for code in paths["/api/v1/staffing/conduct-code/"]["get"]["responses"]}
    for path in (
        "/api/v1/staffing/secondments/",
        "/api/v1/staffing/secondments/{id}/",
        "/api/v1/staffing/secondments/{id}/end/",
        "/api/v1/staffing/secondments/{id}/incidents/",
        "/api/v1/staffing/me/",
        "/api/v1/staffing/conduct-code/",
    ):
        assert path in paths, path
