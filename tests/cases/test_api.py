"""The cases API: receiving and the steps of a case for staff, scoped per hall and department;
the public progress look-up, rate-limited and saying nothing about whether a case exists."""

from __future__ import annotations

import pytest
import time_machine

from cases.models import Case
from tests.cases.factories import COMPANY, MOBILE, D, at, credit_code, id_number

pytestmark = pytest.mark.django_db

MON = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(MON), tick=False):
        yield


def receive_body(world, item, **overrides):
    materials = world.materials(item)
    body = {
        "item": item.code,
        "channel": "mail",
        "applicant": {"kind": "person", "name": "陈志强", "id_number": id_number()},
        "mobile": MOBILE,
        "materials": [{"material": m.pk, "state": "original"} for m in materials.values()],
        "outcome": "accept",
    }
    return {**body, **overrides}


def test_a_clerk_receives_and_accepts_through_the_api(world, client) -> None:
    client.force_login(world.clerk)
    response = client.post("/api/v1/cases/", receive_body(world, world.hukou), content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"] == "0600102000202611230001"
    assert data["status"] == "accepted" and data["due_on"] == "2026-11-30"
    assert data["contact_mobile"] == "138****8001"
    assert data["applicant_identity"].startswith("4401") and "*" in data["applicant_identity"]
    assert id_number() not in response.content.decode() and MOBILE not in response.content.decode()
    assert [e["kind"] for e in data["events"]] == ["received", "accepted"]
    assert response["Cache-Control"] == "no-store"


def test_bad_input_is_a_400_with_every_field_message_in_chinese(world, client) -> None:
    client.force_login(world.clerk)
    body = receive_body(
        world,
        world.licence,
        applicant={"kind": "organisation", "name": "示例公司", "credit_code": credit_code()[:17] + "0"},
        mobile="12345",
    )
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "校验位" in errors["applicant.credit_code"][0] and "手机" in errors["mobile"][0]
    assert Case.objects.count() == 0


def test_deferred_acceptance_for_an_item_that_does_not_allow_it_is_a_422(world, client) -> None:
    client.force_login(world.clerk)
    materials = world.materials(world.hukou)
    body = receive_body(
        world,
        world.hukou,
        outcome="accept_deferred",
        materials=[{"material": materials["居民身份证"].pk, "state": "original"}],
    )
    # Well formed, refused by a rule the schema cannot state (the item's guide): 422.
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "deferral_not_allowed"
    assert Case.objects.count() == 0


def test_the_steps_of_a_case_and_who_may_take_them(world, client) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    url = f"/api/v1/cases/{case.number}"
    # The police clerk (comprehensive window) may not review a market item; the market clerk may.
    client.force_login(world.clerk)
    assert client.post(f"{url}/review/", {}, content_type="application/json").status_code == 403
    client.force_login(world.market_clerk)
    assert client.post(f"{url}/review/", {}, content_type="application/json").status_code == 200
    # A clerk of another hall does not even see it.
    client.force_login(world.tianhe_clerk)
    assert client.get(f"{url}/").status_code == 404
    assert client.post(f"{url}/decision/", {"approved": True}, content_type="application/json").status_code == 404
    # Extension: the chief representative, with a reason.
    client.force_login(world.market_chief)
    refused = client.post(f"{url}/extensions/", {"days": 2}, content_type="application/json")
    assert refused.status_code == 400 and "理由" in refused.json()["errors"]["reason"][0]
    extended = client.post(f"{url}/extensions/", {"days": 2, "reason": "需现场核查"}, content_type="application/json")
    assert extended.status_code == 200 and extended.json()["extension_days"] == 2
    # Decision: a refusal without a reason is refused.
    client.force_login(world.market_clerk)
    refused = client.post(f"{url}/decision/", {"approved": False}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"]["reason"]
    decided = client.post(f"{url}/decision/", {"approved": True}, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    assert client.post(f"{url}/result-ready/", {}, content_type="application/json").status_code == 200
    client.force_login(world.clerk)
    collected = client.post(f"{url}/collect/", {"method": "electronic"}, content_type="application/json")
    assert collected.status_code == 200 and collected.json()["status"] == "collected"
    again = client.post(f"{url}/collect/", {"method": "window"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "stale"


def test_the_one_time_notice_through_the_api(world, client) -> None:
    client.force_login(world.clerk)
    materials = world.materials(world.hukou)
    body = receive_body(
        world,
        world.hukou,
        outcome="correction",
        materials=[{"material": materials["居民身份证"].pk, "state": "original"}],
        notice={"items": [{"material": materials["户口簿"].pk, "problem": "missing", "note": "请携带户口簿原件"}]},
    )
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert response.json()["status"] == "correction"
    empty = client.post(f"/api/v1/cases/{number}/notices/", {"items": []}, content_type="application/json")
    assert empty.status_code == 422 and "不能为空" in empty.json()["detail"]
    stale = client.post(
        f"/api/v1/cases/{number}/notices/",
        {"items": [{"material": materials["居民身份证"].pk, "problem": "defective"}]},
        content_type="application/json",
    )
    assert stale.status_code == 422 and stale.json()["code"] == "one_time"
    corrected = client.post(
        f"/api/v1/cases/{number}/corrections/",
        {"materials": [{"material": materials["户口簿"].pk, "state": "original"}]},
        content_type="application/json",
    )
    assert corrected.status_code == 200 and corrected.json()["status"] == "received"
    accepted = client.post(f"/api/v1/cases/{number}/accept/", {}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_lists_are_scoped_per_hall_and_department(world, client) -> None:
    world.receive(world.hukou, now=at(MON), outcome="accept")
    world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    world.receive(
        world.licence, now=at(MON), outcome="accept", applicant=COMPANY, hall=world.tianhe, actor=world.tianhe_clerk
    )
    client.force_login(world.clerk)
    assert client.get("/api/v1/cases/").json()["count"] == 2
    assert client.get("/api/v1/cases/", {"hall": "TH"}).status_code == 403
    client.force_login(world.city_supervisor)
    assert client.get("/api/v1/cases/").json()["count"] == 3
    assert client.get("/api/v1/cases/", {"hall": "TH"}).json()["count"] == 1
    assert client.get("/api/v1/cases/", {"department": "GZSCJG"}).json()["count"] == 2
    client.force_login(world.supervisor)
    assert client.get("/api/v1/cases/").json()["count"] == 2
    # The inbox: the chief representative's department at their hall.
    client.force_login(world.market_chief)
    inbox = client.get("/api/v1/cases/inbox/").json()
    assert inbox["counts"]["to_review"] == 1 and inbox["to_review"][0]["item"] == "0100201000"
    client.force_login(world.clerk)
    assert client.get("/api/v1/cases/inbox/").status_code == 403


def test_the_deadline_lists_for_supervisors_and_chief_representatives(world, client) -> None:
    from cases.warnings import warnings_run

    late = world.receive(world.hukou, now=at(D(2026, 11, 9)), outcome="accept")  # due Mon 16 Nov
    world.receive(world.licence, now=at(D(2026, 11, 9)), outcome="accept", applicant=COMPANY)  # due Mon 23 Nov
    warnings_run(now=at(MON))
    client.force_login(world.city_supervisor)
    red = client.get("/api/v1/cases/deadlines/").json()
    assert [c["number"] for c in red["cases"]] == [late.number] and red["next"] is None
    assert {(s["department"], s["red"], s["yellow"]) for s in red["summary"]} == {("GZGA", 1, 0), ("GZSCJG", 0, 1)}
    yellow = client.get("/api/v1/cases/deadlines/", {"colour": "yellow"}).json()
    assert [c["item"] for c in yellow["cases"]] == ["0100201000"]
    client.force_login(world.market_chief)
    mine = client.get("/api/v1/cases/deadlines/", {"colour": "yellow"}).json()
    assert len(mine["cases"]) == 1 and [s["department"] for s in mine["summary"]] == ["GZSCJG"]
    assert client.get("/api/v1/cases/deadlines/").json()["cases"] == []
    client.force_login(world.clerk)
    assert client.get("/api/v1/cases/deadlines/").status_code == 403


# --- Public progress --------------------------------------------------------------------------


def test_progress_by_number_and_the_last_four_digits(world, client) -> None:
    case = world.receive(
        world.licence, now=at(MON), outcome="accept_deferred", applicant=COMPANY, states={"经营场所使用证明": "missing"}
    )
    for digits in (MOBILE[-4:], credit_code()[-4:].lower()):
        response = client.post(
            "/api/v1/case-progress/", {"number": case.number, "digits": digits}, content_type="application/json"
        )
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["status"] == "accepted" and data["due_on"] == "2026-12-07"
        assert data["owed"] == [{"name": "经营场所使用证明", "due_on": "2026-11-30", "supplied": False}]
        assert "示例餐饮" not in response.content.decode() and MOBILE not in response.content.decode()
    by_token = client.get(f"/api/v1/case-progress/{case.progress_token}/")
    assert by_token.status_code == 200 and by_token.json()["number"] == case.number
    assert client.get("/api/v1/case-progress/not-a-token-at-all-xyz/").status_code == 404


def test_wrong_digits_and_an_unknown_number_answer_alike(world, client) -> None:
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    wrong = client.post(
        "/api/v1/case-progress/", {"number": case.number, "digits": "0000"}, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/case-progress/",
        {"number": "0600102000202611239999", "digits": MOBILE[-4:]},
        content_type="application/json",
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    malformed = client.post("/api/v1/case-progress/", {"number": "12", "digits": "12"}, content_type="application/json")
    assert malformed.status_code == 400 and set(malformed.json()["errors"]) == {"number", "digits"}


def test_progress_look_ups_are_limited_per_case_number_and_per_address(world, client, settings) -> None:
    settings.THROTTLE_CASE_PROGRESS_NUMBER = "3/hour"
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    statuses = [
        client.post(
            "/api/v1/case-progress/",
            {"number": case.number, "digits": f"{k:04d}"},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.0.{k}",
        ).status_code
        for k in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]
    # Even the right digits wait now: the number's guesses are used up.
    right = client.post(
        "/api/v1/case-progress/", {"number": case.number, "digits": MOBILE[-4:]}, content_type="application/json"
    )
    assert right.status_code == 429
    settings.THROTTLE_CASE_PROGRESS_IP = "2/hour"
    other = [
        client.post(
            "/api/v1/case-progress/",
            {"number": f"0100201000202611239{k:03d}", "digits": "1234"},
            content_type="application/json",
            REMOTE_ADDR="10.9.9.9",
        ).status_code
        for k in range(3)
    ]
    assert other == [404, 404, 429]


def test_staff_operations_need_a_signed_in_user(world, client) -> None:
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert client.post("/api/v1/cases/", {}, content_type="application/json").status_code in (401, 403)


def test_the_private_progress_token_never_reaches_a_log_line(world) -> None:
    from servicehall.personal_data import scrub

    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    line = f'"GET /api/v1/case-progress/{case.progress_token}/ HTTP/1.1" 200'
    assert case.progress_token not in scrub(line) and "/case-progress/[redacted]/" in scrub(line)


def test_the_api_extension_is_held_to_the_guides_limit_on_the_field(world, client) -> None:
    """Issue 11: the serializer's bound is the most any guide allows (60); the case's own guide
    limit is the service's 422 on ``days``."""
    from catalog.models import EXTENSION_LIMIT_MAX_DAYS

    case = world.receive(world.licence, now=at(MON, 9), outcome="accept")
    client.force_login(world.market_chief)
    url = f"/api/v1/cases/{case.number}/extensions/"
    over = client.post(url, {"days": 11, "reason": "需现场核查"}, content_type="application/json")
    assert over.status_code == 422 and over.json()["code"] == "extension_limit"
    assert over.json()["errors"]["days"] == ["延期合计不得超过10个工作日（本件已延长0个工作日）。"]
    beyond = client.post(url, {"days": EXTENSION_LIMIT_MAX_DAYS + 1, "reason": "x"}, content_type="application/json")
    assert beyond.status_code == 400 and "days" in beyond.json()["errors"]
    assert client.post(url, {"days": 10, "reason": "需现场核查"}, content_type="application/json").status_code == 200
