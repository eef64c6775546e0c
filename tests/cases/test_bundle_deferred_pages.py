"""The pages and API of the rest of issue 11's bundles: 容缺受理 from the one form and the
application's page, receiving the owed materials, a later one-time notice (refused for old lines,
a supervisor's override), the private progress link on the page and the notices, and the public
page and API behind it (no personal data)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases.bundles import material_key
from cases.models import BundleCase, BundleNotice, OwedMaterial
from tests.cases.factories import COMPANY, MOBILE, D, at
from tests.cases.test_bundle_deferred_notices import ACCEPTED, receive, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

OWED = "经营场所使用证明"


@pytest.fixture
def clock():
    with time_machine.travel(at(ACCEPTED), tick=False):
        yield


def _form_data(bundle, outcome: str, **states: str) -> dict:
    names = ["食品经营许可申请书", "营业执照", OWED, "居民身份证", "户口簿"]
    data = {
        "bundle": bundle.pk,
        "channel": "window",
        "applicant_kind": "organisation",
        "applicant_name": COMPANY.name,
        "credit_code": COMPANY.credit_code,
        "mobile": MOBILE,
        "outcome": outcome,
    }
    data.update({f"state_{i}": states.get(name, "original") for i, name in enumerate(names)})
    return data


def test_deferred_acceptance_from_the_form_and_the_owed_material_received_on_the_page(
    client,
    world,
    setup,  # noqa: F811
    clock,
) -> None:
    bundle = setup["bundle"]
    client.force_login(world.clerk)
    page = client.get(f"/staff/bundle-cases/new/?bundle={bundle.pk}").content.decode()
    assert 'value="accept_deferred"' in page and "可容缺后补：经营场所使用证明" in page
    # The identity card, named 居民身份证 and 申请人身份证明 by the two items, is one line.
    assert page.count('<th scope="row">') == 5

    refused = client.post("/staff/bundle-cases/new/", _form_data(bundle, "accept_deferred", 户口簿="missing"))
    assert refused.status_code == 422 and "不允许容缺受理" in refused.content.decode()
    assert not BundleCase.objects.exists()

    response = client.post("/staff/bundle-cases/new/", _form_data(bundle, "accept_deferred", **{OWED: "missing"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    bc = BundleCase.objects.get()
    assert bc.deferred
    page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    assert "容缺受理后须补齐的材料" in page and "2026-09-29" in page and "待补齐" in page
    assert bc.progress_token in page and 'src="data:image/' in page  # the link to hand over
    notice = client.get(reverse("bundle-case-print", args=[bc.number, "acceptance"])).content.decode()
    assert "容缺受理：须补齐的材料" in notice and OWED in notice and "2026年9月29日" in notice
    # Issue 11: it says it is a 容缺受理 (not "材料齐全"), and what follows a late material.
    assert "主要材料齐全、符合法定形式，其余材料经你（单位）承诺后补，予以容缺受理" in notice
    assert "材料齐全、符合法定形式，予以受理" not in notice
    assert "逾期未补齐的，将依法作出不予许可的决定" in notice.split("</table>")[-2] + notice.split("</table>")[-1]
    assert f"/cases/progress/b/{bc.progress_token}/" in notice

    empty = client.post(f"/staff/bundle-cases/{bc.number}/owed/", {"owed-state": "original"})
    assert empty.status_code == 400 and OwedMaterial.objects.filter(supplied_at__isnull=True).count() == 2
    done = client.post(
        f"/staff/bundle-cases/{bc.number}/owed/", {"owed-keys": [material_key(OWED)], "owed-state": "copy"}
    )
    assert done.status_code == 302
    assert not OwedMaterial.objects.filter(supplied_at__isnull=True).exists()
    assert "已于 2026-09-23 补齐" in client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()


def test_a_later_notice_on_the_page_and_a_supervisors_override(client, world, setup) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="correction", states={"营业执照": "missing"})
    client.force_login(world.clerk)
    with time_machine.travel(at(D(2026, 9, 24)), tick=False):
        client.post(f"/staff/bundle-cases/{bc.number}/corrections/", {"corrections-keys": [material_key("营业执照")]})
        body = {"notice-keys": [material_key("户口簿")], "notice-problem": "defective", "notice-note": ""}
        refused = client.post(f"/staff/bundle-cases/{bc.number}/notice/", body)
        assert refused.status_code == 422
        assert "在第一次告知后没有重新提交" in refused.content.decode()
        assert BundleNotice.objects.count() == 1
        client.force_login(world.supervisor)
        page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
        assert "再次告知理由" in page
        done = client.post(
            f"/staff/bundle-cases/{bc.number}/notice/", {**body, "notice-override_reason": "原件经核查存疑"}
        )
        assert done.status_code == 302, done.content.decode()[:2000]
        assert BundleNotice.objects.get(sequence=2).override_reason == "原件经核查存疑"
        page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
        assert "经批准再次告知" in page
        printed = client.get(reverse("bundle-case-print", args=[bc.number, "notice"])).content.decode()
        assert "第 2 次" in printed and "户口簿" in printed and "原件经核查存疑" in printed


def test_the_private_link_shows_stages_and_sub_cases_without_personal_data(client, world, setup) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="accept_deferred", states={OWED: "missing"})
    response = client.get(f"/cases/progress/b/{bc.progress_token}/")
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    assert bc.number in page and "第 1 阶段，共 2 个阶段" in page
    assert "户口迁入登记" in page and "税务登记" in page and "待前一阶段办结" in page
    assert OWED in page and "2026-09-29" in page
    for secret in (COMPANY.name, MOBILE, COMPANY.credit_code, MOBILE[-4:]):
        assert secret not in page
    assert client.get("/cases/progress/b/not-a-token/").status_code == 404

    api = client.get(f"/api/v1/bundle-case-progress/{bc.progress_token}/")
    assert api.status_code == 200 and "no-store" in api.headers.get("Cache-Control", "")
    data = api.json()
    assert data["kind"] == "bundle" and data["current_stage"] == 1 and data["stages"] == 2
    assert data["owed"] == [{"name": OWED, "due_on": "2026-09-29", "supplied": False}]
    assert COMPANY.name not in api.content.decode() and MOBILE not in api.content.decode()
    assert client.get("/api/v1/bundle-case-progress/nope/").status_code == 404


def test_the_api_defers_notices_and_receives_owed_materials(client, world, setup, clock) -> None:  # noqa: F811
    bundle = setup["bundle"]
    client.force_login(world.clerk)
    form = client.get(f"/api/v1/bundle-cases/form/{bundle.pk}/").json()
    keys = {line["name"]: line["key"] for line in form}
    body = {
        "bundle": bundle.pk,
        "channel": "mail",
        "applicant": {"kind": "organisation", "name": COMPANY.name, "credit_code": COMPANY.credit_code},
        "mobile": MOBILE,
        "materials": [{"key": k, "state": "original"} for name, k in keys.items() if name != OWED],
        "outcome": "accept_deferred",
    }
    made = client.post("/api/v1/bundle-cases/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    data = made.json()
    assert data["deferred"] and data["status"] == "accepted" and data["progress_token"]
    assert [(o["name"], o["due_on"]) for o in data["owed"]] == [(OWED, "2026-09-29")]
    number = data["number"]

    bad = client.post(
        f"/api/v1/bundle-cases/{number}/owed/",
        {"materials": [{"key": keys["营业执照"], "state": "original"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "materials" in bad.json()["errors"]
    invalid = client.post(f"/api/v1/bundle-cases/{number}/owed/", {"materials": "x"}, content_type="application/json")
    assert invalid.status_code == 400
    ok = client.post(
        f"/api/v1/bundle-cases/{number}/owed/",
        {"materials": [{"key": keys[OWED], "state": "electronic"}]},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["owed"][0]["supplied_at"] is not None
    late = client.post(
        f"/api/v1/bundle-cases/{number}/notice/",
        {"materials": [{"key": keys["户口簿"], "problem": "defective"}]},
        content_type="application/json",
    )
    assert late.status_code == 409  # accepted: corrections go to the sub-cases

    body["outcome"] = "correction"
    noticed = client.post("/api/v1/bundle-cases/", body, content_type="application/json").json()
    assert [(n["sequence"], [i["name"] for i in n["items"]]) for n in noticed["notices"]] == [(1, [OWED])]
    second = client.post(
        f"/api/v1/bundle-cases/{noticed['number']}/notice/",
        {"materials": [{"key": keys["户口簿"], "problem": "defective"}], "override_reason": "理由"},
        content_type="application/json",
    )
    assert second.status_code == 403  # a clerk cannot override
    wrong = client.post(
        f"/api/v1/bundle-cases/{noticed['number']}/notice/",
        {"materials": [{"key": keys["户口簿"], "problem": "lost"}]},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    deferred = client.post(
        f"/api/v1/bundle-cases/{noticed['number']}/accept/", {"deferred": True}, content_type="application/json"
    )
    assert deferred.status_code == 409  # waiting for corrections
