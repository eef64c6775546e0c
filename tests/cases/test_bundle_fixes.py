"""Bundle applications after the walkthrough: the due date is the bundle's published promise (the
stage plan and the sub-cases never end after it), the printable acceptance notice, the public
look-up by bundle number, the flash messages, the checklist's name key and defaults, and English."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import bundles, services, views
from cases.bundles import material_key
from cases.models import BundleCase, Case, CaseMaterial
from catalog import services as catalog_services
from catalog.models import Bundle, GuideVersion, Material, ServiceItem
from servicehall import roles
from tests.cases.factories import COMPANY, MOBILE, D, at, guide_item
from tests.cases.test_bundle_cases import full_form
from tests.cases.test_page_fixes import english, translated
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

ACCEPTED = D(2026, 9, 23)
# Working days after Wed 23 Sep 2026 (9/25 and 10/1–7 off, Sat 10/10 worked):
# 9/24 1, 9/28 2, 9/29 3, 9/30 4, 10/8 5, 10/9 6, 10/10 7, 10/12 8, 10/13 9, 10/14 10.


@pytest.fixture
def staged(world):
    """Stage 1 the hukou move (police, 5 days), stage 2 an instant filing (tax, 即办), stage 3 a tax
    registration (tax, 7 days): the stages add up to 12; the bundle promises 9."""
    tax = factories.department(code="GZSW", name="广州市税务局")
    filing = guide_item(
        code="1000402000",
        dept=tax,
        name="备案登记",
        halls=[world.city],
        materials=[{"name": "《职工退休（职）审批表》", "form": Material.Form.ORIGINAL}],
        handling_kind=GuideVersion.HandlingKind.INSTANT,
        promised_limit_days=0,
    )
    seal = guide_item(
        code="1000401000",
        dept=tax,
        name="税务登记",
        halls=[world.city],
        materials=[
            {"name": "职工退休（职）审批表", "form": Material.Form.ORIGINAL},
            {"name": "补充说明", "form": Material.Form.ORIGINAL, "conditional": True},
        ],
        promised_limit_days=7,
    )
    bundle = catalog_services.bundle_save(
        bundle=Bundle(name="退休一件事", lead_department=world.police, promised_limit_days=9),
        members=[
            catalog_services.BundleMemberSpec(stage=1, item=world.hukou),
            catalog_services.BundleMemberSpec(stage=2, item=filing),
            catalog_services.BundleMemberSpec(stage=3, item=seal),
        ],
        actor=None,
        today=D(2026, 9, 1),
    )
    tax_clerk = staff_user("tax-clerk", role=roles.WINDOW_STAFF, hall_=world.city, dept=tax)
    return {"bundle": bundle, "filing": filing, "seal": seal, "tax_clerk": tax_clerk}


def receive(world, bundle, *, outcome="accept", states=None) -> BundleCase:
    return bundles.bundle_case_receive(
        actor=world.clerk,
        hall=world.city,
        bundle=bundle,
        channel=Case.Channel.WINDOW,
        window=world.window,
        applicant=COMPANY,
        mobile=MOBILE,
        checklist=full_form(bundle, **(states or {})),
        outcome=outcome,
        now=at(ACCEPTED),
    )


def plan(bc: BundleCase) -> list[tuple[int, int, object, bool, bool]]:
    return [(w.stage, w.days, w.end, w.capped, w.finished) for w in bundles.stage_windows(bc)]


def test_the_due_date_is_the_published_promise_and_the_plan_keeps_within_it(world, staged) -> None:
    bc = receive(world, staged["bundle"])
    assert bc.limit_days == 9 and bc.due_on == D(2026, 10, 13)
    # Stage 1: 5 days to 10/8; stage 2 instant, 10/8; stage 3: 7 days from 10/8 would be 10/16,
    # after the bundle's 10/13: capped.
    assert plan(bc) == [
        (1, 5, D(2026, 10, 8), False, False),
        (2, 0, D(2026, 10, 8), False, False),
        (3, 7, D(2026, 10, 13), True, False),
    ]
    assert bundles.limit_explanation(bc) == "一件事承诺 9 个工作日办结（不超过各阶段最长承诺时限之和 12 个工作日）"

    subs = {c.item_id: c for c in bc.sub_cases.all()}
    services.case_decide(case=subs[world.hukou.pk], actor=world.police_chief, approved=True, now=at(D(2026, 10, 8)))
    filing = Case.objects.get(pk=subs[staged["filing"].pk].pk)
    assert (filing.accepted_on, filing.due_on) == (D(2026, 10, 8), D(2026, 10, 8))
    services.case_decide(case=filing, actor=staged["tax_clerk"], approved=True, now=at(D(2026, 10, 8)))
    seal = Case.objects.get(pk=subs[staged["seal"].pk].pk)
    # Its own 7 days from 10/8 would end 10/16; the bundle is due 10/13: 10/9, 10/10, 10/12, 10/13.
    assert (seal.accepted_on, seal.limit_days, seal.due_on) == (D(2026, 10, 8), 4, D(2026, 10, 13))


def test_a_stage_ending_early_moves_the_later_stages_forward(world, staged) -> None:
    bc = receive(world, staged["bundle"])
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    services.case_decide(case=subs[world.hukou.pk], actor=world.police_chief, approved=True, now=at(D(2026, 9, 24)))
    bc.refresh_from_db()
    # Stage 1 over on 9/24; stage 2 started that day; stage 3: 9/28 … 10/12, within 10/13.
    assert plan(bc) == [
        (1, 5, D(2026, 9, 24), False, True),
        (2, 0, D(2026, 9, 24), False, False),
        (3, 7, D(2026, 10, 12), False, False),
    ]
    services.case_decide(
        case=Case.objects.get(pk=subs[staged["filing"].pk].pk),
        actor=staged["tax_clerk"],
        approved=True,
        now=at(D(2026, 9, 24)),
    )
    seal = Case.objects.get(pk=subs[staged["seal"].pk].pk)
    assert (seal.limit_days, seal.due_on) == (7, D(2026, 10, 12))  # not capped


def test_the_bundle_page_explains_the_due_date_and_says_instant(client, world, staged) -> None:
    bc = receive(world, staged["bundle"])
    client.force_login(world.clerk)
    page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    assert "一件事承诺 9 个工作日办结（不超过各阶段最长承诺时限之和 12 个工作日）" in page
    assert "第 2 阶段：即办" in page and "最长 0 个工作日" not in page
    assert "计划于 2026-10-13 前完成" in page and "2026-10-16" not in page
    assert "以办结期限为准" in page


# --- The printable notices and the public look-up -----------------------------------------------


def test_the_acceptance_notice_lists_the_sub_cases_and_the_due_date(client, world, staged) -> None:
    bc = receive(world, staged["bundle"])
    client.force_login(world.clerk)
    page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    url = reverse("bundle-case-print", args=[bc.number, "acceptance"])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    notice = response.content.decode()
    assert "一件事受理通知书" in notice and "2026年10月13日" in notice and "9 个工作日" in notice
    for sub in bc.sub_cases.all():
        assert sub.number in notice
    # The QR code is the application's private progress link (no longer the look-up form).
    assert 'src="data:image/' in notice and f"/cases/progress/b/{bc.progress_token}/" in notice
    assert MOBILE not in notice
    assert client.get(reverse("bundle-case-print", args=[bc.number, "notice"])).status_code == 404
    client.force_login(world.tianhe_clerk)
    assert client.get(url).status_code == 404


def test_the_notice_of_a_bundle_prints_before_acceptance(client, world, staged) -> None:
    bc = receive(world, staged["bundle"], outcome="correction", states={"居民身份证": "missing"})
    client.force_login(world.clerk)
    assert client.get(reverse("bundle-case-print", args=[bc.number, "acceptance"])).status_code == 404
    notice = client.get(reverse("bundle-case-print", args=[bc.number, "notice"])).content.decode()
    assert "一次性告知书" in notice and "居民身份证" in notice


def test_the_public_look_up_takes_a_bundle_number(client, world, staged, settings) -> None:
    bc = receive(world, staged["bundle"])
    url = reverse("case-progress")
    assert f'value="{bc.number}"' in client.get(url, {"number": bc.number}).content.decode()
    found = client.post(url, {"number": bc.number.lower(), "digits": MOBILE[-4:]})
    assert found.status_code == 200, found.content.decode()[:2000]
    page = found.content.decode()
    assert "退休一件事" in page and "2026-10-13" in page
    assert "户口迁入登记" in page and "税务登记" in page and "广州市税务局" in page
    assert MOBILE not in page and COMPANY.name not in page and COMPANY.credit_code not in page
    wrong = client.post(url, {"number": bc.number, "digits": "0000"})
    unknown = client.post(url, {"number": "YJS0001202609239999", "digits": MOBILE[-4:]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["form"].errors == unknown.context["form"].errors
    settings.THROTTLE_CASE_PROGRESS_NUMBER = "2/h"  # two look-ups of the number so far
    refused = client.post(url, {"number": bc.number, "digits": MOBILE[-4:]})
    assert refused.status_code == 429 and "查询过于频繁" in refused.content.decode()


# --- Flash messages -----------------------------------------------------------------------------


def test_the_window_actions_say_what_happened(client, world, staged) -> None:
    bc = receive(world, staged["bundle"], outcome="correction", states={"居民身份证": "missing"})
    client.force_login(world.clerk)
    key = material_key("居民身份证")
    done = client.post(f"/staff/bundle-cases/{bc.number}/corrections/", {"corrections-keys": [key]}, follow=True)
    assert "材料已补齐：请核对后受理并分送各部门" in done.content.decode()
    done = client.post(f"/staff/bundle-cases/{bc.number}/accept/", follow=True).content.decode()
    assert f"已受理一件事申请 {bc.number}，已分送 2 个部门。请打印受理通知书。" in done
    assert reverse("bundle-case-print", args=[bc.number, "acceptance"]) in done
    assert "已保存。" not in done


def test_deciding_a_stage_says_when_the_next_starts(world, staged) -> None:
    bc = receive(world, staged["bundle"])
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    decided = services.case_decide(
        case=subs[world.hukou.pk], actor=world.police_chief, approved=True, now=at(D(2026, 9, 28))
    )
    assert (
        views._action_message("decide", decided)
        == "已作出准予决定。本阶段已全部作出决定，第 2 阶段自 2026-09-28 起计时。"
    )


# --- The checklist ------------------------------------------------------------------------------


def test_book_title_marks_do_not_make_another_document(world, staged) -> None:
    assert material_key("《职工退休（职）审批表》") == material_key("职工退休（职）审批表")
    assert material_key("“营业执照”") == material_key("营业执照")
    lines = bundles.bundle_form(bundle=staged["bundle"], today=ACCEPTED)
    table = [line for line in lines if "审批表" in line.name]
    assert len(table) == 1 and table[0].items == ["备案登记", "税务登记"]


def test_a_line_that_may_not_apply_starts_unanswered(client, world, staged) -> None:
    lines = bundles.bundle_form(bundle=staged["bundle"], today=ACCEPTED)
    position = next(i for i, line in enumerate(lines) if line.name == "补充说明")
    client.force_login(world.clerk)
    with time_machine.travel(at(ACCEPTED), tick=False):
        form = client.get(f"/staff/bundle-cases/new/?bundle={staged['bundle'].pk}").context["form"]
        assert form[f"state_{position}"].value() in ("", None)
        assert form["state_0"].value() == CaseMaterial.State.MISSING
        data = {
            "bundle": staged["bundle"].pk,
            "channel": "window",
            "applicant_kind": "organisation",
            "applicant_name": COMPANY.name,
            "credit_code": COMPANY.credit_code,
            "mobile": MOBILE,
            "outcome": "accept",
        }
        data.update({f"state_{i}": "original" for i in range(len(lines)) if i != position})
        response = client.post("/staff/bundle-cases/new/", data)
    assert response.status_code == 400
    assert "请逐项确认" in response.content.decode() and not BundleCase.objects.exists()
    # The service too: an unanswered conditional line is asked about, not taken for missing.
    checks = [c for c in full_form(staged["bundle"]) if c.key != material_key("补充说明")]
    with pytest.raises(services.CaseError) as refused:
        bundles.bundle_case_receive(
            actor=world.clerk,
            hall=world.city,
            bundle=staged["bundle"],
            channel=Case.Channel.WINDOW,
            window=world.window,
            applicant=COMPANY,
            mobile=MOBILE,
            checklist=checks,
            outcome="accept",
            now=at(ACCEPTED),
        )
    assert "请逐项确认" in str(refused.value.message) and "补充说明" in str(refused.value.message)


# --- English --------------------------------------------------------------------------------------


def test_english_bundle_pages_use_english_names_and_statuses(client, world, staged) -> None:
    ServiceItem.objects.filter(pk=world.hukou.pk).update(name_en="Hukou transfer")
    Material.objects.filter(version__item=world.hukou, name="户口簿").update(name_en="Household register")
    bc = receive(world, staged["bundle"])
    english(client)
    client.force_login(world.clerk)
    with translated({"bundle case status\x04办理中": "In progress"}):
        page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
        with time_machine.travel(at(ACCEPTED), tick=False):
            form = client.get(f"/staff/bundle-cases/new/?bundle={staged['bundle'].pk}").content.decode()
    assert "Household register" in page and "户口簿" not in page
    assert "In progress" in page and "Being served" not in page
    assert "Household register" in form and "Hukou transfer" in form
    assert "户口簿" not in form and "户口迁入登记" not in form
