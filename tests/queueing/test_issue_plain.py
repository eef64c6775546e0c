"""The ticket issue's plain path (issue 14): the request the city makes most, an anonymous JSON
``{"category": "A"}``, is served without DRF around it; everything else, refusals included, by
the DRF view, with the same answers and the rate limit counted once."""

from __future__ import annotations

import json

import pytest
import time_machine

from queueing import apis
from queueing.models import Ticket
from servicehall.plain_api import RENDERER
from servicehall.throttling import ScopedCounterThrottle
from tests.queueing.factories import NOW, make_queue_hall

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def qh():
    return make_queue_hall()


def issue(client, code: str, body: dict | None = None, **headers):
    payload = json.dumps({"category": "A"} if body is None else body)
    return client.post(f"/api/v1/halls/{code}/tickets/", payload, content_type="application/json", **headers)


def test_the_common_request_takes_the_plain_path_and_answers_as_the_drf_view_does(client, qh, monkeypatch) -> None:
    through_drf = issue(client, qh.hall.code, HTTP_ACCEPT="application/json, */*")  # another Accept: DRF
    monkeypatch.setattr(apis.IssueSerializer, "is_valid", lambda *a, **k: pytest.fail("went through DRF"))
    plain = issue(client, qh.hall.code)
    assert through_drf.status_code == plain.status_code == 201
    for header in ("Content-Type", "Allow"):
        assert through_drf[header] == plain[header]
    first, second = through_drf.json(), plain.json()
    assert first.keys() == second.keys()
    assert (first["number"], second["number"]) == ("A001", "A002")
    assert second["people_ahead"] == 1 and second["url"] == f"/t/{second['token']}/"
    # DRF's renderer: compact, the times as DRF writes them.
    assert plain.content == RENDERER.render(second)
    assert Ticket.objects.get(token=second["token"]).source == "online"


@pytest.mark.parametrize(
    "body, headers",
    [
        ({"category": "A", "priority": "elderly", "id_number": "110101195001011239"}, {}),  # the green channel
        ({"category": "A", "extra": 1}, {}),  # a field the API does not know: DRF says so
        ({"category": "a"}, {"HTTP_ACCEPT": "application/json; q=1"}),
    ],
)
def test_other_requests_are_served_by_the_drf_view(client, qh, monkeypatch, body, headers) -> None:
    served: list[str] = []
    real = apis.IssueSerializer.is_valid
    monkeypatch.setattr(apis.IssueSerializer, "is_valid", lambda self, **k: served.append("drf") or real(self, **k))
    issue(client, qh.hall.code, body, **headers)
    assert served == ["drf"]


def test_a_refusal_is_the_drf_views_and_the_rate_limit_counts_it_once(client, qh, monkeypatch) -> None:
    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "3/hour"})
    unknown = issue(client, qh.hall.code, {"category": "Z"})  # counted by the plain path, refused by DRF
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid" and "category" in unknown.json()["errors"]
    assert issue(client, "NO-SUCH-HALL").status_code == 404  # the second request of the window
    assert issue(client, qh.hall.code).status_code == 201  # the third: had the refusals counted twice, 429
    refused = issue(client, qh.hall.code)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0


UNKNOWN_CATEGORY = {
    "detail": "本大厅没有该排队类别。",
    "code": "invalid",
    "errors": {"category": ["本大厅没有该排队类别。"]},
}
UNKNOWN_HALL = {"detail": "没有找到该政务服务场所。", "code": "not_found", "errors": {}}


@pytest.mark.parametrize(
    "path, headers, tries",
    [
        ("plain", {}, 2),  # tried by the plain path, then refused by the DRF view
        ("drf: another Accept", {"HTTP_ACCEPT": "application/json; q=1"}, 1),
        ("drf: signed in", {}, 1),
    ],
)
def test_an_unknown_letter_is_a_400_naming_the_field_and_an_unknown_hall_a_404_on_every_path(
    client, qh, monkeypatch, path, headers, tries
) -> None:
    # The hall in the URL exists: a letter naming none of its queues is an invalid body field,
    # answered as a bad ID number or priority is (walkthrough finding), never a 404.
    if path == "drf: signed in":
        client.force_login(qh.staff[2])
    answered: list[str] = []
    real = apis.issue_answer
    monkeypatch.setattr(apis, "issue_answer", lambda *a, **k: answered.append("issue") or real(*a, **k))
    unknown = issue(client, qh.hall.code, {"category": "Z"}, **headers)
    assert unknown.status_code == 400 and unknown.json() == UNKNOWN_CATEGORY
    assert len(answered) == tries  # the path the request took
    lower = issue(client, qh.hall.code, {"category": "z"}, **headers)
    assert lower.status_code == 400 and lower.json() == UNKNOWN_CATEGORY
    # An unknown hall stays a 404, whatever letter the body names.
    for letter in ("A", "Z"):
        nowhere = issue(client, "NO-SUCH-HALL", {"category": letter}, **headers)
        assert nowhere.status_code == 404 and nowhere.json() == UNKNOWN_HALL
    assert not Ticket.objects.exists()


def test_the_schema_documents_an_unknown_letter_as_400_and_an_unknown_hall_as_404() -> None:
    from drf_spectacular.generators import SchemaGenerator

    responses = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/halls/{code}/tickets/"][
        "post"
    ]["responses"]
    assert {"200", "201", "400", "404"} <= responses.keys()
    assert "category" in responses["400"]["description"] and "hall" in responses["404"]["description"]


def test_a_closed_hall_is_refused_by_the_drf_view_with_its_message(client, qh) -> None:
    with time_machine.travel("2026-11-29 23:30 +0800", tick=False):  # a Sunday night
        refused = issue(client, qh.hall.code)
    assert refused.status_code == 409 and refused.json()["code"] == "hall_closed"
    assert not Ticket.objects.exists()
