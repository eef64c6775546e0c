"""Bundle applications (一件事, Art. 11, 13 ¶3): one form with the union of the members'
materials, one acceptance creating sub-cases in their departments, stages in order, the due
date by the stage rule across the 2026 holidays, one collection (统一出件), who sees what, and
the re-check of the bundle's promised limit against the sum of its members' promised limits."""

from __future__ import annotations

import pytest
import time_machine

from cases import bundles, services
from cases.bundles import LineCheck, material_key
from cases.models import BundleCase, Case, CaseMaterial, ClockStop
from catalog import services as catalog_services
from catalog.models import Bundle, CalendarDay, GuideVersion, Material
from servicehall import notifications, roles
from servicehall.notifications import MemoryBackend
from tests.cases.factories import COMPANY, MOBILE, D, at, guide_item
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

ACCEPTED = D(2026, 9, 23)  # Wed, the day before Mid-Autumn's eve week: 9/25 off, 10/1–7 off, 10/10 worked


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def setup(world):
    """开办餐饮店: stage 1 the food licence (market, 10 days) and the hukou move (police, 5 days)
    in parallel; stage 2 a seal filing at the tax bureau (3 days). Led by the market department."""
    tax = factories.department(code="GZSW", name="广州市税务局")
    seal = guide_item(
        code="1000401000",
        dept=tax,
        name="税务登记",
        halls=[world.city],
        materials=[
            {"name": "营业执照", "form": Material.Form.COPY},
            {"name": "户口簿", "form": Material.Form.ORIGINAL},
            {"name": "公章印模", "form": Material.Form.ORIGINAL},
        ],
        promised_limit_days=3,
    )
    bundle = catalog_services.bundle_save(
        bundle=Bundle(name="开办餐饮店一件事", lead_department=world.market, promised_limit_days=13),
        members=[
            catalog_services.BundleMemberSpec(stage=1, item=world.licence),
            catalog_services.BundleMemberSpec(stage=1, item=world.hukou),
            catalog_services.BundleMemberSpec(stage=2, item=seal),
        ],
        actor=None,
        today=D(2026, 9, 1),
    )
    tax_clerk = staff_user("tax-clerk", role=roles.WINDOW_STAFF, hall_=world.city, dept=tax)
    return {"bundle": bundle, "seal": seal, "tax": tax, "tax_clerk": tax_clerk}


def full_form(bundle: Bundle, **states: str) -> list[LineCheck]:
    return [
        LineCheck(line.key, states.get(line.name, CaseMaterial.State.ORIGINAL))
        for line in bundles.bundle_form(bundle=bundle, today=ACCEPTED)
    ]


def receive(world, bundle, *, outcome="accept", states=None, day=ACCEPTED, **extra) -> BundleCase:
    return bundles.bundle_case_receive(
        actor=extra.pop("actor", world.clerk),
        hall=world.city,
        bundle=bundle,
        channel=Case.Channel.WINDOW,
        window=world.window,
        applicant=COMPANY,
        mobile=MOBILE,
        checklist=full_form(bundle, **(states or {})),
        outcome=outcome,
        now=at(day),
        **extra,
    )


def test_the_form_asks_each_material_once(world, setup) -> None:
    lines = bundles.bundle_form(bundle=setup["bundle"], today=ACCEPTED)
    names = [line.name for line in lines]
    # licence 3 + hukou 2 + seal 3 materials, of which 营业执照 and 户口簿 twice: 6 lines.
    assert names == ["食品经营许可申请书", "营业执照", "经营场所使用证明", "居民身份证", "户口簿", "公章印模"]
    by_name = {line.name: line for line in lines}
    assert by_name["营业执照"].items == ["食品经营许可", "税务登记"]
    assert by_name["户口簿"].items == ["户口迁入登记", "税务登记"]
    # The rule: NFKC (full-width brackets) and no white space.
    assert material_key("法定代表人身份证（复印件）") == material_key("法定代表人 身份证(复印件)")
    assert material_key("营业执照") != material_key("营业执照副本")


def test_one_acceptance_creates_the_sub_cases_in_their_departments(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    assert bc.status == BundleCase.Status.ACCEPTED
    assert bc.materials.count() == 6
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    licence, hukou, seal = subs[world.licence.pk], subs[world.hukou.pk], subs[setup["seal"].pk]
    assert (licence.department, hukou.department, seal.department) == (world.market, world.police, setup["tax"])
    assert (licence.stage, hukou.stage, seal.stage) == (1, 1, 2)
    assert licence.status == hukou.status == Case.Status.ACCEPTED
    assert seal.status == Case.Status.WAITING and seal.accepted_on is None and seal.due_on is None
    # The form's one 营业执照 line became a checklist line of both cases that need it.
    assert {m.material.name for m in seal.materials.select_related("material")} == {"营业执照", "户口簿", "公章印模"}
    assert all(m.state == CaseMaterial.State.ORIGINAL for m in seal.materials.all())


def test_the_due_date_follows_the_stage_rule_across_the_holidays(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    # Stage 1 lasts 10 (the licence; the hukou's 5 runs in parallel), stage 2 lasts 3: 13.
    # Accepted Wed 23 Sep 2026: 9/24 1, 9/25 off (Mid-Autumn), 9/28 2, 9/29 3, 9/30 4, 10/1–7 off,
    # 10/8 5, 10/9 6, Sat 10/10 (make-up workday) 7, 10/12 8, 10/13 9, 10/14 10, 10/15 11,
    # 10/16 12, 10/19 13.
    assert bc.limit_days == 13
    assert bc.due_on == D(2026, 10, 19)
    assert [(w.stage, w.days, w.end) for w in bundles.stage_windows(bc)] == [
        (1, 10, D(2026, 10, 14)),
        (2, 3, D(2026, 10, 19)),
    ]
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    assert subs[world.licence.pk].due_on == D(2026, 10, 14)  # its own 10 days
    assert subs[world.hukou.pk].due_on == D(2026, 10, 8)  # 9/24, 9/28, 9/29, 9/30, 10/8


def test_stage_two_waits_for_stage_one_then_one_collection_collects_all(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    services.case_decide(case=subs[world.hukou.pk], actor=world.police_chief, approved=True, now=at(D(2026, 9, 29)))
    seal = Case.objects.get(pk=subs[setup["seal"].pk].pk)
    assert seal.status == Case.Status.WAITING  # the licence is not decided yet
    services.case_decide(case=subs[world.licence.pk], actor=world.market_clerk, approved=True, now=at(D(2026, 10, 9)))
    seal.refresh_from_db()
    # Its clock starts on Fri 9 Oct: Sat 10/10 (worked) 1, 10/12 2, 10/13 3.
    assert seal.status == Case.Status.ACCEPTED
    assert (seal.accepted_on, seal.due_on) == (D(2026, 10, 9), D(2026, 10, 13))
    bc.refresh_from_db()
    assert bc.current_stage == 2

    # A department cannot hand out its sub-case alone.
    services.case_result_ready(case=subs[world.hukou.pk], actor=world.police_chief, now=at(D(2026, 10, 9)))
    with pytest.raises(services.CaseError) as refused:
        services.case_collect(case=subs[world.hukou.pk], actor=world.clerk, method="window", now=at(D(2026, 10, 9)))
    assert refused.value.status == 409 and "统一出件" in str(refused.value.message)
    with pytest.raises(services.CaseError):
        bundles.bundle_case_collect(bundle_case=bc, actor=world.clerk, method="window", now=at(D(2026, 10, 9)))

    services.case_result_ready(case=subs[world.licence.pk], actor=world.market_clerk, now=at(D(2026, 10, 9)))
    services.case_decide(case=seal, actor=setup["tax_clerk"], approved=True, now=at(D(2026, 10, 12)))
    bc.refresh_from_db()
    assert bc.status == BundleCase.Status.ACCEPTED
    services.case_result_ready(case=seal, actor=setup["tax_clerk"], now=at(D(2026, 10, 12)))
    bc.refresh_from_db()
    assert bc.status == BundleCase.Status.RESULT_READY

    bundles.bundle_case_collect(bundle_case=bc, actor=world.clerk, method="window", now=at(D(2026, 10, 13)))
    bc.refresh_from_db()
    assert bc.status == BundleCase.Status.COLLECTED
    assert set(bc.sub_cases.values_list("status", flat=True)) == {Case.Status.COLLECTED}


def test_a_refusal_in_stage_one_closes_the_later_stages(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    services.case_decide(case=subs[world.hukou.pk], actor=world.police_chief, approved=True, now=at(D(2026, 9, 29)))
    services.case_decide(
        case=subs[world.licence.pk], actor=world.market_clerk, approved=False, reason="场所不符", now=at(D(2026, 9, 30))
    )
    seal = Case.objects.get(pk=subs[setup["seal"].pk].pk)
    assert seal.status == Case.Status.NOT_ACCEPTED
    assert "食品经营许可" in seal.not_accepted_reason


def test_one_notice_for_the_whole_application_then_acceptance(world, setup) -> None:
    bc = receive(world, setup["bundle"], outcome="correction", states={"营业执照": "missing"})
    assert bc.status == BundleCase.Status.CORRECTION and not bc.sub_cases.exists()
    with pytest.raises(services.CaseError) as refused:
        bundles.bundle_case_accept(bundle_case=bc, actor=world.clerk, now=at(ACCEPTED))
    assert refused.value.status == 409
    bundles.bundle_case_corrections(
        bundle_case=bc,
        actor=world.clerk,
        checklist=[LineCheck(material_key("营业执照"), "copy")],
        now=at(D(2026, 9, 24)),
    )
    bc.refresh_from_db()
    assert bc.status == BundleCase.Status.RECEIVED
    bundles.bundle_case_accept(bundle_case=bc, actor=world.clerk, now=at(D(2026, 9, 24)))
    assert bc.sub_cases.count() == 3


def test_accepting_with_a_material_missing_is_refused_and_saves_nothing(world, setup) -> None:
    with pytest.raises(services.CaseError) as refused:
        receive(world, setup["bundle"], states={"公章印模": "missing"})
    assert refused.value.code == "materials_incomplete" and "公章印模" in str(refused.value.message)
    assert not BundleCase.objects.exists() and not Case.objects.exists()


def test_each_department_sees_only_its_sub_cases_and_the_lead_sees_all(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    _bc, seen, whole = bundles.access_bundle_case(world.police_chief, bc.number)
    assert [c.item_id for c in seen] == [world.hukou.pk] and not whole
    _bc, seen, whole = bundles.access_bundle_case(setup["tax_clerk"], bc.number)
    assert [c.item_id for c in seen] == [setup["seal"].pk] and not whole
    _bc, seen, whole = bundles.access_bundle_case(world.market_chief, bc.number)  # the lead department
    assert len(seen) == 3 and whole
    _bc, seen, whole = bundles.access_bundle_case(world.supervisor, bc.number)
    assert len(seen) == 3 and whole
    assert not bundles.may_see_sub_case(world.police_chief, subs[world.licence.pk])
    assert bundles.may_see_sub_case(world.police_chief, subs[world.hukou.pk])
    assert bundles.may_see_sub_case(world.market_chief, subs[world.hukou.pk])
    # Acting stays the department's: another department is refused.
    with pytest.raises(services.CaseError) as refused:
        services.case_decide(case=subs[world.licence.pk], actor=world.police_chief, approved=True, now=at(ACCEPTED))
    assert refused.value.status == 403


def _revise(item, *, promised: int, effective, today) -> GuideVersion:
    draft = catalog_services.guide_draft_from_current(item=item, effective_from=effective, actor=None)
    GuideVersion.objects.filter(pk=draft.pk).update(promised_limit_days=promised)
    draft.refresh_from_db()
    return catalog_services.guide_publish(version=draft, actor=None, today=today)


def test_a_member_guide_published_flags_the_bundle_and_tells_once(
    world, setup, outbox, django_capture_on_commit_callbacks
) -> None:
    bundle = setup["bundle"]
    # A longer limit keeps the bound above the promise: nothing to flag.
    with django_capture_on_commit_callbacks(execute=True):
        _revise(world.hukou, promised=8, effective=D(2026, 9, 1), today=D(2026, 9, 1))
    bundle.refresh_from_db()
    assert bundle.limit_breached_since is None and outbox == []

    # The licence's promise drops to 6: stage 1 lasts 8 (the hukou), the bound is 8 + 3 = 11 < 13.
    with django_capture_on_commit_callbacks(execute=True):
        _revise(world.licence, promised=6, effective=D(2026, 9, 2), today=D(2026, 9, 2))
    bundle.refresh_from_db()
    assert bundle.limit_breached_since == D(2026, 9, 2)
    assert "各成员事项承诺时限之和" in bundle.limit_breach_note and "11" in bundle.limit_breach_note
    assert len(outbox) == 1
    assert {"city-centre-supervisor", "citywide-supervisor"} <= set(outbox[0].recipients)
    assert "承诺时限之和" in outbox[0].subject and "法定" not in outbox[0].subject + outbox[0].body

    # The daily job finds it still wrong: no second message.
    assert catalog_services.bundle_limits_recheck(today=D(2026, 9, 3)) == []
    assert catalog_services.bundle_limit_breaches_notify() == 0
    assert len(outbox) == 1


def test_the_daily_job_flags_a_version_taking_effect_later(world, setup, outbox) -> None:
    bundle = setup["bundle"]
    _revise(world.licence, promised=4, effective=D(2026, 10, 8), today=D(2026, 9, 2))
    bundle.refresh_from_db()
    assert bundle.limit_breached_since is None  # not in effect yet
    assert catalog_services.bundle_limits_recheck(today=D(2026, 10, 8)) == [bundle.pk]
    assert catalog_services.bundle_limit_breaches_notify() == 1
    assert catalog_services.bundle_limit_breaches_notify() == 0
    bundle.refresh_from_db()
    assert bundle.limit_breached_since == D(2026, 10, 8)
    # Fixed by an administrator (a promise within the bound): the flag clears.
    Bundle.objects.filter(pk=bundle.pk).update(promised_limit_days=8)
    catalog_services.bundle_limits_recheck(today=D(2026, 10, 9))
    bundle.refresh_from_db()
    assert bundle.limit_breached_since is None and bundle.limit_breach_note == ""


def test_pages_say_promised_limits_not_statutory(client, world, setup) -> None:
    member = setup["bundle"].members.get(item=world.hukou)
    member.duties = "公安机关负责户口迁入审核"
    member.save()
    body = client.get(f"/bundles/{setup['bundle'].pk}/").content.decode()
    assert "承诺时限之和" in body
    assert "依法" not in body and "法定上限" not in body
    assert "公安机关负责户口迁入审核" in body and "部门职责" in body


# --- API and pages ------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(at(ACCEPTED), tick=False):
        yield


def test_the_api_gives_the_form_receives_accepts_and_lists(client, world, setup, clock) -> None:
    bundle = setup["bundle"]
    client.force_login(world.clerk)
    form = client.get(f"/api/v1/bundle-cases/form/{bundle.pk}/").json()
    assert [line["name"] for line in form] == [
        "食品经营许可申请书",
        "营业执照",
        "经营场所使用证明",
        "居民身份证",
        "户口簿",
        "公章印模",
    ]
    body = {
        "bundle": bundle.pk,
        "channel": "mail",
        "applicant": {"kind": "organisation", "name": "广州市示例餐饮有限公司", "credit_code": COMPANY.credit_code},
        "mobile": MOBILE,
        "materials": [{"key": line["key"], "state": "original"} for line in form if line["name"] != "户口簿"],
        "outcome": "accept",
    }
    refused = client.post("/api/v1/bundle-cases/", body, content_type="application/json")
    assert refused.status_code == 422 and "户口簿" in refused.json()["detail"]
    assert not BundleCase.objects.exists()

    body["outcome"] = "correction"
    made = client.post("/api/v1/bundle-cases/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    number = made.json()["number"]
    assert made.json()["status"] == "correction" and made.json()["mobile"] == "138****8001"
    assert MOBILE not in made.content.decode()
    key = next(line["key"] for line in form if line["name"] == "户口簿")
    fixed = client.post(
        f"/api/v1/bundle-cases/{number}/corrections/",
        {"materials": [{"key": key, "state": "original"}]},
        content_type="application/json",
    )
    assert fixed.json()["status"] == "received"
    accepted = client.post(f"/api/v1/bundle-cases/{number}/accept/", {}, content_type="application/json")
    assert accepted.status_code == 200, accepted.json()
    data = accepted.json()
    assert data["status"] == "accepted" and data["due_on"] == "2026-10-19" and data["limit_days"] == 13
    assert sorted(s["department"] for s in data["sub_cases"]) == ["GZGA", "GZSCJG", "GZSW"]
    assert [b["number"] for b in client.get("/api/v1/bundle-cases/").json()] == [number]
    again = client.post(f"/api/v1/bundle-cases/{number}/accept/", {}, content_type="application/json")
    assert again.status_code == 409

    client.force_login(world.police_chief)
    data = client.get(f"/api/v1/bundle-cases/{number}/").json()
    assert [s["item"] for s in data["sub_cases"]] == [world.hukou.code] and not data["sees_all_sub_cases"]
    client.force_login(world.tianhe_clerk)
    assert client.get(f"/api/v1/bundle-cases/{number}/").status_code == 404


def test_the_pages_from_the_form_to_the_collected_result(client, world, setup, clock) -> None:
    bundle = setup["bundle"]
    client.force_login(world.clerk)
    page = client.get(f"/staff/bundle-cases/new/?bundle={bundle.pk}").content.decode()
    assert page.count('<th scope="row">营业执照') == 1  # one line, asked once
    assert page.count('<th scope="row">') == 6
    data = {
        "bundle": bundle.pk,
        "channel": "window",
        "applicant_kind": "organisation",
        "applicant_name": "广州市示例餐饮有限公司",
        "credit_code": COMPANY.credit_code,
        "mobile": MOBILE,
        "outcome": "accept",
    }
    data.update({f"state_{i}": "original" for i in range(6)})
    response = client.post("/staff/bundle-cases/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    bc = BundleCase.objects.get()
    assert bc.window == world.window
    page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    assert (
        "一件事承诺 13 个工作日办结（不超过各阶段最长承诺时限之和 13 个工作日）" in page
        and "2026-10-19" in page
        and "法定" not in page
    )
    assert page.count("/staff/cases/") >= 3  # every sub-case for the clerk who received it

    subs = {c.item_id: c for c in bc.sub_cases.all()}
    client.force_login(world.police_chief)
    page = client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    assert subs[world.hukou.pk].number in page and subs[world.licence.pk].number not in page
    assert client.get(f"/staff/cases/{subs[world.licence.pk].number}/").status_code == 404
    hukou_page = client.get(f"/staff/cases/{subs[world.hukou.pk].number}/").content.decode()
    assert bc.number in hukou_page and "结果统一出件" in hukou_page
    listed = client.get("/staff/cases/").content.decode()
    assert subs[world.hukou.pk].number in listed and subs[world.licence.pk].number not in listed
    api_listed = [c["number"] for c in client.get("/api/v1/cases/").json()["results"]]
    assert subs[world.hukou.pk].number in api_listed and subs[world.licence.pk].number not in api_listed
    client.force_login(world.market_chief)
    assert subs[world.hukou.pk].number in client.get("/staff/cases/").content.decode()
    assert client.get(f"/staff/cases/{subs[world.hukou.pk].number}/").status_code == 200

    for case, actor in ((subs[world.hukou.pk], world.police_chief), (subs[world.licence.pk], world.market_clerk)):
        services.case_decide(case=case, actor=actor, approved=True, now=at(D(2026, 10, 9)))
        services.case_result_ready(case=case, actor=actor, now=at(D(2026, 10, 9)))
    seal = Case.objects.get(pk=subs[setup["seal"].pk].pk)
    services.case_decide(case=seal, actor=setup["tax_clerk"], approved=True, now=at(D(2026, 10, 12)))
    services.case_result_ready(case=seal, actor=setup["tax_clerk"], now=at(D(2026, 10, 12)))
    client.force_login(world.clerk)
    assert "统一出件" in client.get(f"/staff/bundle-cases/{bc.number}/").content.decode()
    response = client.post(
        f"/staff/bundle-cases/{bc.number}/collect/", {"collect-method": "window", "collect-note": ""}
    )
    assert response.status_code == 302
    assert set(bc.sub_cases.values_list("status", flat=True)) == {Case.Status.COLLECTED}


def test_supervisors_see_the_flagged_bundles(client, world, setup) -> None:
    Bundle.objects.filter(pk=setup["bundle"].pk).update(
        limit_breached_since=D(2026, 9, 2), limit_breach_note="承诺办结时限13个工作日超过了各成员事项承诺时限之和"
    )
    client.force_login(world.city_supervisor)
    page = client.get("/supervisor/bundles/").content.decode()
    assert "开办餐饮店一件事" in page and "超过了各成员事项承诺时限之和" in page
    # The way back, as on the other supervisors' pages (walkthrough: it had none).
    assert 'class="breadcrumbs"' in page and 'href="/supervisor/"' in page
    client.force_login(world.clerk)
    assert client.get("/supervisor/bundles/").status_code == 403


def test_the_admin_shows_the_flag_and_the_applications(admin_client, world, setup) -> None:
    Bundle.objects.filter(pk=setup["bundle"].pk).update(
        limit_breached_since=D(2026, 9, 2), limit_breach_note="承诺办结时限13个工作日超过了各成员事项承诺时限之和"
    )
    listing = admin_client.get("/admin/catalog/bundle/").content.decode()
    assert "2026-09-02起超出承诺时限之和" in listing
    bc = receive(world, setup["bundle"])
    page = admin_client.get(f"/admin/cases/bundlecase/{bc.pk}/change/").content.decode()
    assert bc.number in page and "138****8001" in page and MOBILE not in page


def test_a_calendar_correction_moves_the_bundle_due_date(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    assert bc.due_on == D(2026, 10, 19)
    # Fri 16 Oct made a day off: the 12th working day is Mon 19 Oct, the 13th Tue 20 Oct.
    catalog_services.calendar_day_correct(
        day=CalendarDay(date=D(2026, 10, 16)), kind=CalendarDay.Kind.HOLIDAY, reason="测试", actor=None
    )
    assert bundles.bundle_deadlines_recompute(start=D(2026, 10, 16), end=D(2026, 10, 16)) == 1
    bc.refresh_from_db()
    assert bc.due_on == D(2026, 10, 20)


def test_a_member_in_a_special_step_stops_the_bundle_clock(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    licence = bc.sub_cases.get(item=world.licence)
    step = licence.guide_version.special_steps.get()  # 现场核查
    services.case_special_step_start(case=licence, actor=world.market_clerk, step_id=step.pk, now=at(D(2026, 9, 28)))
    bc.refresh_from_db()
    assert bc.due_on is None  # the clock stands while the inspection runs
    services.case_special_step_end(case=licence, actor=world.market_clerk, now=at(D(2026, 9, 30)))
    bc.refresh_from_db()
    licence.refresh_from_db()
    # Working days in (9/28, 9/30] not counted: 9/29, 9/30. From Wed 23 Sep: 9/24 1, 9/28 2,
    # 10/1–7 off, 10/8 3, 10/9 4, Sat 10/10 5, 10/12 6, 10/13 7, 10/14 8, 10/15 9, 10/16 10 (the
    # licence), 10/19 11, 10/20 12, 10/21 13 (the bundle).
    assert licence.due_on == D(2026, 10, 16)
    assert bc.due_on == D(2026, 10, 21)


def test_overlapping_special_steps_take_a_day_out_once(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    licence = bc.sub_cases.get(item=world.licence)
    hukou = bc.sub_cases.get(item=world.hukou)
    clerk = world.clerk
    ClockStop.objects.create(
        case=licence,
        kind="special_step",
        special_step=licence.guide_version.special_steps.get(),
        started_on=D(2026, 9, 24),
        started_at=at(D(2026, 9, 24)),
        started_by=clerk,
        ended_on=D(2026, 9, 29),
    )
    ClockStop.objects.create(
        case=hukou,
        kind="special_step",
        special_step=licence.guide_version.special_steps.get(),
        started_on=D(2026, 9, 28),
        started_at=at(D(2026, 9, 28)),
        started_by=clerk,
        ended_on=D(2026, 9, 30),
    )
    assert bundles.merged_special_steps(bc.pk) == [(D(2026, 9, 24), D(2026, 9, 30))]


def test_special_steps_begun_the_same_day_one_still_open_stand_the_bundle_clock(world, setup) -> None:
    """Found by tests/cases/test_properties.py (issue 14): a closed and an open step begun the
    same day were sorted as (date, date) against (date, None), and the bundle's due date raised
    TypeError instead of standing."""
    bc = receive(world, setup["bundle"])
    licence = bc.sub_cases.get(item=world.licence)
    hukou = bc.sub_cases.get(item=world.hukou)
    step = licence.guide_version.special_steps.get()
    for case, ended in ((licence, D(2026, 9, 29)), (hukou, None)):
        ClockStop.objects.create(
            case=case,
            kind="special_step",
            special_step=step,
            started_on=D(2026, 9, 24),
            started_at=at(D(2026, 9, 24)),
            started_by=world.clerk,
            ended_on=ended,
        )
    assert bundles.merged_special_steps(bc.pk) == [(D(2026, 9, 24), None)]
    bundles.bundle_due_refresh(bc.pk)
    bc.refresh_from_db()
    assert bc.due_on is None


def test_the_bundle_pages_warn_of_a_stage_without_a_chief_representative(client, world, setup) -> None:
    """Issue 11: the tax bureau (stage 2) has nobody deciding at the city centre: the staff are
    warned on the application and the bundle's page (urgent and extension approvals would be
    impossible); a chief representative appointed there, the warning goes."""
    from django.urls import reverse

    bc = receive(world, setup["bundle"])
    client.force_login(world.clerk)

    def warning(url: str) -> str:
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        if 'data-section="stages-without-chief"' not in body:
            return ""
        return body.split('data-section="stages-without-chief"')[1].split("</div>")[0]

    detail = f"/staff/bundle-cases/{bc.number}/"
    application = reverse("bundle-application") + f"?bundle={setup['bundle'].pk}"
    for url in (detail, application):
        shown = warning(url)
        assert "没有在岗的首席事务代表" in shown and "第 2 阶段：广州市税务局" in shown
        assert "第 1 阶段" not in shown  # the market and the police have their chiefs there
    staff_user("tax-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=world.city, dept=setup["tax"])
    assert warning(detail) == "" and warning(application) == ""
