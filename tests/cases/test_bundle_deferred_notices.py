"""Bundle applications, the rest of issue 11 (Art. 11, 13): 容缺受理 for a bundle (only where every
member that lacks a material allows exactly that material to follow, owed on the sub-cases so the
reminders and the overdue flag work, received as an action), the one-time notice rule shared with
single cases (a later notice cites only lines supplied after the first, else a supervisor's
override with a reason, audited), the private progress link, and identity cards under other
names asked once."""

from __future__ import annotations

import pytest

from cases import bundles, services, warnings
from cases.bundles import LineCheck, LineNotice, material_key
from cases.models import BundleCase, BundleNotice, Case, CaseMaterial, OwedMaterial
from catalog import services as catalog_services
from catalog.models import Bundle, Material
from servicehall import notifications
from servicehall.models import AuditEvent
from servicehall.notifications import MemoryBackend
from tests.cases.factories import COMPANY, MOBILE, D, at, guide_item
from tests.catalog import factories

pytestmark = pytest.mark.django_db

ACCEPTED = D(2026, 9, 23)  # Wed; 9/25 and 10/1–7 off, Sat 10/10 worked
# Working days after it: 9/24 1, 9/28 2, 9/29 3, 9/30 4, 10/8 5, 10/9 6.
ORIGINAL, MISSING, DEFECTIVE = CaseMaterial.State.ORIGINAL, CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def setup(world):
    """Stage 1 the food licence (market; 经营场所使用证明 may follow within 5 days) and the hukou move
    (police; no 容缺); stage 2 a tax registration (tax; 经营场所使用证明 may follow within 3 days; it
    names the identity card 申请人身份证明)."""
    tax = factories.department(code="GZSW", name="广州市税务局")
    seal = guide_item(
        code="1000401000",
        dept=tax,
        name="税务登记",
        halls=[world.city],
        materials=[
            {"name": "营业执照", "form": Material.Form.COPY},
            {"name": "申请人身份证明", "form": Material.Form.ORIGINAL},
            {"name": "经营场所使用证明", "form": Material.Form.COPY, "may_follow_later": True, "follow_within_days": 3},
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
    return {"bundle": bundle, "seal": seal, "tax": tax}


def form(bundle: Bundle, **states: str) -> list[LineCheck]:
    return [
        LineCheck(line.key, states.get(line.name, ORIGINAL))
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
        checklist=form(bundle, **(states or {})),
        outcome=outcome,
        now=at(day),
        **extra,
    )


def key(name: str) -> str:
    return material_key(name)


# --- Identity cards under other names ------------------------------------------------------------


def test_identity_cards_under_other_names_are_one_line(world, setup) -> None:
    assert key("身份证") == key("居民身份证") == key("申请人身份证明") == key("申请人 身份证件")
    assert key("法定代表人身份证（复印件）") != key("居民身份证")  # another person's card stays apart
    lines = bundles.bundle_form(bundle=setup["bundle"], today=ACCEPTED)
    ids = [line for line in lines if line.key == key("居民身份证")]
    assert len(ids) == 1 and ids[0].items == ["户口迁入登记", "税务登记"]
    assert [line.name for line in lines] == [
        "食品经营许可申请书",
        "营业执照",
        "经营场所使用证明",
        "居民身份证",
        "户口簿",
    ]
    # Accepting maps the one line to both sub-cases' own materials.
    bc = receive(world, setup["bundle"])
    seal = bc.sub_cases.get(item=setup["seal"])
    assert seal.materials.get(material__name="申请人身份证明").state == ORIGINAL


# --- 容缺受理 ----------------------------------------------------------------------------------------


def test_deferred_acceptance_owes_on_each_sub_case_that_needs_the_material(world, setup) -> None:
    bc = receive(world, setup["bundle"], outcome="accept_deferred", states={"经营场所使用证明": MISSING})
    assert bc.status == BundleCase.Status.ACCEPTED and bc.deferred
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    licence, hukou, seal = subs[world.licence.pk], subs[world.hukou.pk], subs[setup["seal"].pk]
    assert licence.status == Case.Status.ACCEPTED and licence.deferred
    assert licence.owed.get().due_on == D(2026, 10, 8)  # 5 working days
    assert not hukou.deferred and not hukou.owed.exists()
    assert seal.status == Case.Status.WAITING and seal.deferred
    assert seal.owed.get().due_on == D(2026, 9, 29)  # 3 working days, from the bundle's acceptance
    [line] = bundles.owed_lines(bc, today=ACCEPTED)
    assert (line.name, line.due_on, line.items, line.supplied_at) == (
        "经营场所使用证明",
        D(2026, 9, 29),  # the earliest
        ("食品经营许可", "税务登记"),
        None,
    )
    progress = bundles.bundle_progress(bc)
    assert [(o.name, o.due_on, o.supplied) for o in progress.owed] == [("经营场所使用证明", D(2026, 9, 29), False)]


@pytest.mark.parametrize(
    ("states", "code", "words"),
    [
        ({"户口簿": MISSING}, "deferral_not_allowed", "“户口迁入登记”的办事指南不允许容缺受理"),
        ({"营业执照": MISSING}, "main_materials_missing", "主要材料不齐全"),
        # 居民身份证 / 申请人身份证明: hukou does not allow 容缺, and for tax it is a main material.
        ({"居民身份证": MISSING}, "deferral_not_allowed", "“居民身份证”（税务登记）"),
    ],
)
def test_deferred_acceptance_is_refused_and_nothing_is_saved(world, setup, states, code, words) -> None:
    with pytest.raises(services.CaseError) as caught:
        receive(world, setup["bundle"], outcome="accept_deferred", states=states)
    assert caught.value.code == code and words in caught.value.message
    assert not BundleCase.objects.exists() and not Case.objects.exists() and not OwedMaterial.objects.exists()


def test_plain_acceptance_with_a_missing_line_still_refused(world, setup) -> None:
    with pytest.raises(services.CaseError) as caught:
        receive(world, setup["bundle"], states={"经营场所使用证明": MISSING})
    assert caught.value.code == "materials_incomplete"
    assert not BundleCase.objects.exists()


def test_reminders_overdue_flag_and_receiving_the_owed_material(world, setup, outbox) -> None:
    bc = receive(world, setup["bundle"], outcome="accept_deferred", states={"经营场所使用证明": MISSING})
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    licence, seal = subs[world.licence.pk], subs[setup["seal"].pk]
    # The day before the seal's date (9/29): one reminder for the bundle's line, by its number.
    warnings.warnings_run(now=at(D(2026, 9, 28), 8))
    reminders = [n for n in outbox if (n.data or {}).get("kind") == "case_owed_material"]
    assert len(reminders) == 1 and bc.number in reminders[0].body
    # Past it: the waiting sub-case is flagged (the licence's own date is 10/8).
    warnings.warnings_run(now=at(D(2026, 9, 30), 8))
    assert Case.objects.get(pk=seal.pk).owed_overdue and not Case.objects.get(pk=licence.pk).owed_overdue
    with pytest.raises(services.CaseError) as caught:
        services.case_decide(case=licence, actor=world.market_clerk, approved=True, now=at(D(2026, 9, 30)))
    assert caught.value.code == "materials_owed"

    bundles.bundle_case_owed_supply(
        bundle_case=bc,
        actor=world.clerk,
        checklist=[LineCheck(key("经营场所使用证明"), CaseMaterial.State.COPY)],
        now=at(D(2026, 9, 30), 11),
    )
    assert not OwedMaterial.objects.filter(supplied_at__isnull=True).exists()
    assert not Case.objects.filter(owed_overdue=True).exists()
    assert {m.state for m in CaseMaterial.objects.filter(material__name="经营场所使用证明")} == {"copy"}
    assert bc.materials.get(key=key("经营场所使用证明")).state == "copy"
    [line] = bundles.owed_lines(bc)
    assert line.supplied_at is not None
    services.case_decide(case=licence, actor=world.market_clerk, approved=True, now=at(D(2026, 9, 30), 12))
    assert AuditEvent.objects.filter(action="bundle_case.owed_supplied").exists()


@pytest.mark.parametrize(
    ("checks", "words"),
    [
        ([LineCheck(key("营业执照"), ORIGINAL)], "不是本申请待补齐的容缺材料"),
        ([LineCheck(key("经营场所使用证明"), MISSING)], "须为原件、复印件或电子材料"),
        ([LineCheck("无此材料", ORIGINAL)], "不是本申请待补齐的容缺材料"),
        ([], "请登记补齐的容缺材料"),
    ],
)
def test_owed_supply_bad_input_saves_nothing(world, setup, checks, words) -> None:
    bc = receive(world, setup["bundle"], outcome="accept_deferred", states={"经营场所使用证明": MISSING})
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_owed_supply(bundle_case=bc, actor=world.clerk, checklist=checks, now=at(ACCEPTED, 11))
    assert words in str(caught.value.message) + str(caught.value.errors)
    assert OwedMaterial.objects.filter(supplied_at__isnull=True).count() == 2
    assert bc.materials.get(key=key("经营场所使用证明")).state == MISSING


# --- The one-time notice -------------------------------------------------------------------------


def test_the_first_notice_cites_each_line_once(world, setup) -> None:
    bc = receive(world, setup["bundle"], outcome="correction", states={"营业执照": MISSING, "居民身份证": DEFECTIVE})
    [notice] = bc.notices.all()
    cited = [(i.line.name, i.problem) for i in notice.items.select_related("line")]
    # 营业执照 is needed by two items, the identity card by two (under two names): each once.
    assert sorted(cited) == [("居民身份证", "defective"), ("营业执照", "missing")]
    assert bc.status == BundleCase.Status.CORRECTION and notice.sequence == 1


def _noticed_then_corrected(world, setup) -> BundleCase:
    bc = receive(world, setup["bundle"], outcome="correction", states={"营业执照": MISSING})
    return bundles.bundle_case_corrections(
        bundle_case=bc, actor=world.clerk, checklist=[LineCheck(key("营业执照"), ORIGINAL)], now=at(D(2026, 9, 24))
    )


def test_a_second_notice_may_cite_what_was_supplied_after_the_first(world, setup) -> None:
    bc = _noticed_then_corrected(world, setup)
    assert bc.status == BundleCase.Status.RECEIVED
    assert bc.notices.get().answered_at is not None
    notice = bundles.bundle_case_notice(
        bundle_case=bc,
        actor=world.clerk,
        lines=[LineNotice(key("营业执照"), DEFECTIVE, "复印件不清晰")],
        now=at(D(2026, 9, 25)),
    )
    assert notice.sequence == 2 and notice.override_reason == ""
    bc.refresh_from_db()
    assert bc.status == BundleCase.Status.CORRECTION
    assert bc.materials.get(key=key("营业执照")).state == DEFECTIVE


def test_a_second_notice_citing_old_materials_needs_a_supervisors_override(world, setup) -> None:
    bc = _noticed_then_corrected(world, setup)
    old = [LineNotice(key("户口簿"), DEFECTIVE)]
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_notice(bundle_case=bc, actor=world.clerk, lines=old, now=at(D(2026, 9, 25)))
    assert caught.value.code == "one_time" and caught.value.status == 422 and "户口簿" in caught.value.message
    # A clerk cannot override, even with a reason.
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_notice(
            bundle_case=bc, actor=world.clerk, lines=old, override_reason="原件存疑", now=at(D(2026, 9, 25))
        )
    assert caught.value.status == 403
    # Nor add a requirement the first did not make.
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_notice(
            bundle_case=bc, actor=world.clerk, lines=[], requirements="另需提交租赁合同", now=at(D(2026, 9, 25))
        )
    assert caught.value.code == "one_time"
    assert bc.notices.count() == 1 and BundleCase.objects.get(pk=bc.pk).status == BundleCase.Status.RECEIVED
    notice = bundles.bundle_case_notice(
        bundle_case=bc,
        actor=world.supervisor,
        lines=old,
        override_reason="户口簿原件经核查存疑，需重新提交",
        now=at(D(2026, 9, 25)),
    )
    assert notice.sequence == 2 and notice.override_reason == "户口簿原件经核查存疑，需重新提交"
    audit = AuditEvent.objects.get(action="bundle_case.notice_override")
    assert "户口簿原件经核查存疑" in audit.summary


@pytest.mark.parametrize(
    ("lines", "requirements", "words"),
    [
        ([], "", "一次性告知书须列明"),
        ([LineNotice("无此材料", MISSING)], "", "不是本一件事所需的材料"),
        ([LineNotice(key("营业执照"), "lost")], "", "须为缺失或不符合要求"),
        ([LineNotice(key("营业执照"), MISSING), LineNotice(key("营业执照"), MISSING)], "", "列了两次"),
    ],
)
def test_a_notice_with_bad_lines_is_refused(world, setup, lines, requirements, words) -> None:
    bc = receive(world, setup["bundle"], outcome="")
    with pytest.raises(services.CaseError) as caught:
        # On the day of receipt (months later it would be deemed accepted: tests/cases/test_bundle_deemed.py).
        bundles.bundle_case_notice(
            bundle_case=bc, actor=world.clerk, lines=lines, requirements=requirements, now=at(ACCEPTED, 11)
        )
    assert words in str(caught.value.message) + str(caught.value.errors)
    assert not BundleNotice.objects.exists()


def test_no_bundle_notice_after_acceptance(world, setup) -> None:
    bc = receive(world, setup["bundle"])
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_notice(bundle_case=bc, actor=world.clerk, lines=[LineNotice(key("户口簿"), DEFECTIVE)])
    assert caught.value.status == 409


def test_another_halls_clerk_may_not_notice(world, setup) -> None:
    bc = receive(world, setup["bundle"], outcome="")
    with pytest.raises(services.CaseError) as caught:
        bundles.bundle_case_notice(bundle_case=bc, actor=world.tianhe_clerk, lines=[LineNotice(key("户口簿"), MISSING)])
    assert caught.value.status == 403
    assert not BundleNotice.objects.exists()


# --- The private progress link -----------------------------------------------------------------------


def test_each_application_has_its_own_private_link(world, setup) -> None:
    first = receive(world, setup["bundle"])
    second = receive(world, setup["bundle"])
    assert first.progress_token and second.progress_token and first.progress_token != second.progress_token
    assert len(first.progress_token) >= 20
    progress = bundles.bundle_progress_by_token(first.progress_token)
    assert progress is not None and progress.number == first.number and progress.current_stage == 1
    assert progress.stages == 2
    assert bundles.bundle_progress_by_token("nope") is None and bundles.bundle_progress_by_token("") is None


def test_a_sub_cases_notice_after_acceptance_knows_the_bundles_first_notice(world, setup) -> None:
    bc = _noticed_then_corrected(world, setup)  # noticed 9/23 (营业执照), corrected 9/24
    bundles.bundle_case_accept(bundle_case=bc, actor=world.clerk, now=at(D(2026, 9, 24), 11))
    licence = bc.sub_cases.get(item=world.licence)
    lines = world.materials(world.licence)
    # 食品经营许可申请书 came with the application, before the bundle's notice: it was due then.
    with pytest.raises(services.CaseError) as caught:
        services.case_notice(
            case=licence,
            actor=world.market_clerk,
            notice=services.NoticeInput(lines=[services.NoticeLine(lines["食品经营许可申请书"].pk, DEFECTIVE)]),
            now=at(D(2026, 9, 25)),
        )
    assert caught.value.code == "one_time" and "在第一次告知后没有重新提交" in caught.value.message
    # 营业执照 was brought after it: a later notice may cite it.
    notice = services.case_notice(
        case=licence,
        actor=world.market_clerk,
        notice=services.NoticeInput(lines=[services.NoticeLine(lines["营业执照"].pk, DEFECTIVE)]),
        now=at(D(2026, 9, 25)),
    )
    assert notice.sequence == 1 and notice.override_reason == ""
