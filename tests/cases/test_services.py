"""Receiving and settling applications (Art. 13 ¶1–2), the steps of a case and who may take them;
every bad input of issue 10 refused with a clear message and nothing half-saved."""

from __future__ import annotations

import pytest
import time_machine

from cases import services
from cases.models import Applicant, Case, CaseEvent, CaseMaterial, CaseSequence, CorrectionNotice, OwedMaterial
from cases.services import CaseError, NoticeInput, NoticeLine
from queueing import services as queue_services
from queueing.models import QueueCategory
from servicehall.models import AuditEvent
from servicehall.personal_data import mask_id_number
from tests.cases.factories import COMPANY, PERSON, D, at, credit_code, id_number

pytestmark = pytest.mark.django_db

MON = D(2026, 11, 23)  # a plain working week: Mon 23 – Fri 27 November 2026


def nothing_saved() -> None:
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0 and CorrectionNotice.objects.count() == 0
    assert CaseEvent.objects.count() == 0 and OwedMaterial.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()
    assert list(CaseSequence.objects.values_list("last", flat=True)) in ([], [0])


# --- Outcomes --------------------------------------------------------------------------------


def test_accepted_with_every_material_gets_a_number_a_deadline_and_a_history(world) -> None:
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    assert case.number == "0600102000" + "20261123" + "0001"
    assert case.status == Case.Status.ACCEPTED
    # Mon 23 Nov + 5 working days, the day itself not counted: Mon 30 Nov.
    assert (case.received_on, case.accepted_on, case.due_on) == (MON, MON, D(2026, 11, 30))
    assert case.guide_version.item == world.hukou and case.limit_days == 5
    assert case.applicant.kind == Applicant.Kind.PERSON
    assert case.applicant.id_masked == mask_id_number(id_number())
    assert id_number() not in str(list(Applicant.objects.values_list())) + str(list(Case.objects.values_list()))
    assert [e.kind for e in case.events.all()] == ["received", "accepted"]
    assert set(
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).values_list("action", flat=True)
    ) == {
        "case.received",
        "case.accepted",
    }
    second = world.receive(world.hukou, now=at(MON), outcome="accept")
    assert second.number.endswith("0002")


def test_accepting_without_a_main_material_is_refused_and_nothing_is_saved(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), outcome="accept", states={"户口簿": "missing"})
    assert refused.value.field == "materials"
    assert "“户口簿”" in str(refused.value.message) and "一次性告知书" in str(refused.value.message)
    nothing_saved()


def test_deferred_acceptance_for_an_item_that_does_not_allow_it_is_refused(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), outcome="accept_deferred", states={"户口簿": "missing"})
    assert refused.value.code == "deferral_not_allowed"
    assert "不允许容缺受理" in str(refused.value.message)
    nothing_saved()


def test_deferred_acceptance_needs_every_main_material(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(
            world.licence,
            now=at(MON),
            outcome="accept_deferred",
            applicant=COMPANY,
            states={"营业执照": "defective", "经营场所使用证明": "missing"},
        )
    assert refused.value.code == "main_materials_missing"
    assert "“营业执照”" in str(refused.value.message)
    nothing_saved()


def test_deferred_acceptance_owes_the_material_with_its_own_date(world) -> None:
    case = world.receive(
        world.licence, now=at(MON), outcome="accept_deferred", applicant=COMPANY, states={"经营场所使用证明": "missing"}
    )
    assert case.deferred and case.status == Case.Status.ACCEPTED
    owed = case.owed.get()
    # 5 working days after Mon 23 Nov: Mon 30 Nov.
    assert (owed.material.name, owed.due_on, owed.supplied_at) == ("经营场所使用证明", D(2026, 11, 30), None)
    # An approval waits for it.
    services.case_review_start(case=case, actor=world.market_clerk, now=at(D(2026, 11, 24)))
    with pytest.raises(CaseError) as refused:
        services.case_decide(case=case, actor=world.market_clerk, approved=True, now=at(D(2026, 11, 25)))
    assert refused.value.code == "materials_owed"
    services.case_owed_supply(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(owed.material_id, "copy")],
        now=at(D(2026, 11, 25)),
    )
    case = services.case_decide(case=case, actor=world.market_clerk, approved=True, now=at(D(2026, 11, 26)))
    assert case.decision == Case.Decision.APPROVED and case.finished_in_time


def test_not_accepted_needs_a_reason_and_keeps_where_to_apply(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), outcome="not_accepted", reason="  ")
    assert refused.value.field == "reason" and "理由" in str(refused.value.message)
    nothing_saved()
    case = world.receive(
        world.hukou, now=at(MON), outcome="not_accepted", reason="不属于本市户籍管辖", refer_to="户籍所在地派出所"
    )
    assert (case.status, case.refer_to, case.due_on) == (Case.Status.NOT_ACCEPTED, "户籍所在地派出所", None)


def test_an_invalid_credit_code_is_refused_beside_the_other_wrong_fields(world) -> None:
    bad = services.ApplicantInput(kind="organisation", name="", credit_code=credit_code()[:17] + "0")
    with pytest.raises(CaseError) as refused:
        world.receive(world.licence, now=at(MON), applicant=bad, mobile="12345")
    errors = refused.value.as_dict()["errors"]
    assert "校验位" in errors["applicant.credit_code"][0]
    assert errors["applicant.name"] and errors["mobile"]
    nothing_saved()


def test_a_bad_id_number_and_unknown_materials_are_refused(world) -> None:
    with pytest.raises(CaseError) as refused:
        services.case_receive(
            actor=world.clerk,
            hall=world.city,
            item=world.hukou,
            channel="mail",
            applicant=services.ApplicantInput(kind="person", name="王五", id_number="440106199003070021"),
            mobile="13800138001",
            checklist=[services.MaterialCheck(999_999, "original")],
            now=at(MON),
        )
    errors = refused.value.as_dict()["errors"]
    assert "校验位" in errors["applicant.id_number"][0]
    assert "不是本事项办事指南所列的材料" in errors["materials"][0]
    nothing_saved()


def test_a_hall_that_does_not_offer_the_item_cannot_receive_it(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), actor=world.tianhe_clerk, hall=world.tianhe)
    assert refused.value.field == "item"


def test_a_window_case_records_the_called_ticket_and_so_the_item_handled(world) -> None:
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合")
    with time_machine.travel(at(MON), tick=False):
        ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=at(MON)).ticket
        queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=at(MON))
    ticket.refresh_from_db()
    case = world.receive(
        world.hukou, now=at(MON), outcome="accept", channel="window", window=world.window, ticket=ticket
    )
    assert case.ticket == ticket and case.window == world.window
    assert list(ticket.cases.values_list("item__code", "status")) == [("0600102000", "accepted")]


def test_a_window_case_needs_the_clerk_signed_in_at_that_window(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), actor=world.market_clerk, channel="window", window=world.window)
    assert refused.value.field == "window"
    nothing_saved()


# --- The one-time notice ---------------------------------------------------------------------


def test_a_notice_with_nothing_in_it_is_refused(world) -> None:
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), outcome="correction", notice=NoticeInput())
    assert "不能为空" in str(refused.value.message)
    nothing_saved()


def test_the_first_notice_must_list_every_missing_material_at_once(world) -> None:
    hukou = world.materials(world.hukou)
    with pytest.raises(CaseError) as refused:
        world.receive(
            world.hukou,
            now=at(MON),
            outcome="correction",
            states={"居民身份证": "missing", "户口簿": "defective"},
            notice=NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "defective", "页面缺损")]),
        )
    assert refused.value.code == "notice_incomplete" and "“居民身份证”" in str(refused.value.message)
    nothing_saved()


def _first_notice(world):
    hukou = world.materials(world.hukou)
    case = world.receive(
        world.hukou,
        now=at(MON),
        outcome="correction",
        states={"户口簿": "defective"},
        notice=NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "defective", "页面缺损")], requirements="须本人到场"),
    )
    return case, hukou


def test_a_second_notice_may_cite_only_materials_supplied_after_the_first(world) -> None:
    case, hukou = _first_notice(world)
    assert case.status == Case.Status.CORRECTION and case.due_on is None
    # The applicant brings a new household register; the ID card, accepted the first time, was
    # not brought again.
    services.case_corrections_receive(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(hukou["户口簿"].pk, "original")],
        now=at(D(2026, 11, 25)),
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED  # answered: back to be accepted
    stale = NoticeInput(lines=[NoticeLine(hukou["居民身份证"].pk, "defective", "已过期")])
    with pytest.raises(CaseError) as refused:
        services.case_notice(case=case, actor=world.clerk, notice=stale, now=at(D(2026, 11, 26)))
    assert refused.value.code == "one_time"
    assert "“居民身份证”在第一次告知后没有重新提交" in str(refused.value.message)
    assert case.notices.count() == 1
    # A clerk cannot override, even with a reason.
    with pytest.raises(CaseError) as refused:
        services.case_notice(
            case=case,
            actor=world.clerk,
            notice=NoticeInput(lines=stale.lines, override_reason="证件过期未发现"),
            now=at(D(2026, 11, 26)),
        )
    assert refused.value.status == 403
    # The newly brought register may be cited again (it is new, and defective).
    second = services.case_notice(
        case=case,
        actor=world.clerk,
        notice=NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "defective", "新户口簿缺少迁入页")]),
        now=at(D(2026, 11, 26)),
    )
    assert second.sequence == 2 and second.override_reason == ""


def test_a_supervisor_overrides_the_one_time_rule_with_a_reason_and_it_is_audited(world) -> None:
    case, hukou = _first_notice(world)
    services.case_corrections_receive(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(hukou["户口簿"].pk, "original")],
        now=at(D(2026, 11, 25)),
    )
    with pytest.raises(CaseError):  # no reason, no override
        services.case_notice(
            case=case,
            actor=world.supervisor,
            notice=NoticeInput(lines=[NoticeLine(hukou["居民身份证"].pk, "defective", "已过期")]),
            now=at(D(2026, 11, 26)),
        )
    notice = services.case_notice(
        case=case,
        actor=world.supervisor,
        notice=NoticeInput(
            lines=[NoticeLine(hukou["居民身份证"].pk, "defective", "已过期")], override_reason="首次核验遗漏证件有效期"
        ),
        now=at(D(2026, 11, 26)),
    )
    assert notice.override_reason == "首次核验遗漏证件有效期"
    audit = AuditEvent.objects.get(action="case.notice_override")
    assert audit.actor == world.supervisor and "首次核验遗漏证件有效期" in audit.summary


def test_the_first_notice_is_due_within_5_working_days_of_receipt(world) -> None:
    # Received Fri 26 Sep 2025; 9/28 Sun (worked) 1, 9/29 2, 9/30 3, 10/1–8 off, 10/9 4, 10/10 5.
    case = world.receive(world.hukou, now=at(D(2025, 9, 26)), states={"户口簿": "missing"})
    hukou = world.materials(world.hukou)
    late = NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "missing")])
    with pytest.raises(CaseError) as refused:
        services.case_notice(case=case, actor=world.clerk, notice=late, now=at(D(2025, 10, 11)))
    assert "5个工作日内（2025-10-10前）" in str(refused.value.message)
    # Too late, the case is accepted by law from its receipt (tests/cases/test_deemed_acceptance.py).
    case.refresh_from_db()
    assert case.deemed_accepted and case.accepted_on == D(2025, 9, 26)
    in_time = world.receive(world.hukou, now=at(D(2025, 9, 26)), states={"户口簿": "missing"})
    notice = services.case_notice(case=in_time, actor=world.clerk, notice=late, now=at(D(2025, 10, 10)))
    assert notice.sequence == 1 and notice.before_acceptance


# --- Extensions, decisions and the result ----------------------------------------------------


def test_an_extension_needs_the_chief_representative_a_reason_and_stays_within_the_limit(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    with pytest.raises(CaseError) as refused:
        services.case_extend(case=case, actor=world.market_clerk, days=3, reason="需要", now=at(MON))
    assert refused.value.status == 403 and "首席事务代表" in str(refused.value.message)
    with pytest.raises(CaseError) as refused:
        services.case_extend(case=case, actor=world.police_chief, days=3, reason="需要", now=at(MON))
    assert refused.value.status == 403  # another department's chief
    with pytest.raises(CaseError) as refused:
        services.case_extend(case=case, actor=world.tianhe_market_chief, days=3, reason="需要", now=at(MON))
    assert refused.value.status == 403  # the same department at another hall
    with pytest.raises(CaseError) as refused:
        services.case_extend(case=case, actor=world.market_chief, days=3, reason=" ", now=at(MON))
    assert refused.value.field == "reason" and "理由" in str(refused.value.message)
    services.case_extend(case=case, actor=world.market_chief, days=8, reason="需组织专家论证", now=at(MON))
    with pytest.raises(CaseError) as refused:
        services.case_extend(case=case, actor=world.market_chief, days=3, reason="再延", now=at(MON))
    assert refused.value.code == "extension_limit" and "不得超过10个工作日" in str(refused.value.message)
    case.refresh_from_db()
    assert case.extension_days == 8 and case.extensions.count() == 1


def test_a_decision_by_someone_outside_the_department_or_hall_is_refused(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    for outsider in (world.clerk, world.police_chief, world.tianhe_clerk, world.supervisor):
        with pytest.raises(CaseError) as refused:
            services.case_decide(case=case, actor=outsider, approved=True, now=at(MON))
        assert refused.value.status == 403 and "广州市市场监督管理局" in str(refused.value.message)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.decision == ""


def test_a_refusal_needs_its_reasons(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    with pytest.raises(CaseError) as refused:
        services.case_decide(case=case, actor=world.market_clerk, approved=False, reason="", now=at(MON))
    assert refused.value.field == "reason"
    case = services.case_decide(
        case=case, actor=world.market_chief, approved=False, reason="经营场所不符合卫生要求", now=at(MON)
    )
    assert (case.decision, case.decision_reason) == ("refused", "经营场所不符合卫生要求")


def test_the_lifecycle_to_the_unified_return_of_the_result(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    services.case_review_start(case=case, actor=world.market_clerk, now=at(MON))
    services.case_decide(case=case, actor=world.market_clerk, approved=True, now=at(D(2026, 11, 24)))
    services.case_result_ready(case=case, actor=world.market_clerk, now=at(D(2026, 11, 24)))
    with pytest.raises(CaseError) as refused:
        services.case_collect(case=case, actor=world.clerk, method="post", note="", now=at(D(2026, 11, 25)))
    assert refused.value.field == "note"
    with pytest.raises(CaseError) as refused:
        services.case_collect(case=case, actor=world.tianhe_clerk, method="window", now=at(D(2026, 11, 25)))
    assert refused.value.status == 403
    # Any counter of the hall hands it out (统一出件), whatever their department.
    case = services.case_collect(
        case=case, actor=world.clerk, method="post", note="EMS1234567890", now=at(D(2026, 11, 25))
    )
    assert case.status == Case.Status.COLLECTED
    assert [e.kind for e in case.events.all()] == [
        "received",
        "accepted",
        "review",
        "decided",
        "result_ready",
        "collected",
    ]
    assert all(e.actor is not None for e in case.events.all())


def test_a_step_out_of_order_is_refused_as_stale(world) -> None:
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    with pytest.raises(CaseError) as refused:
        services.case_accept(case=case, actor=world.clerk, now=at(MON))
    assert refused.value.status == 409 and "已受理" in str(refused.value.message)
    with pytest.raises(CaseError) as refused:
        services.case_result_ready(case=case, actor=world.clerk, now=at(MON))
    assert refused.value.status == 409


def test_a_special_step_must_be_one_of_the_guide(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept", applicant=COMPANY)
    with pytest.raises(CaseError) as refused:
        services.case_special_step_start(case=case, actor=world.market_clerk, step_id=999_999, now=at(MON))
    assert refused.value.field == "step"


def test_people_and_companies_are_identified_once(world) -> None:
    world.receive(world.hukou, now=at(MON))
    world.receive(world.hukou, now=at(MON), applicant=PERSON)
    world.receive(world.licence, now=at(MON), applicant=COMPANY)
    assert Applicant.objects.count() == 2
    assert Applicant.objects.get(kind="organisation").credit_code == credit_code()


def test_a_notice_during_review_need_not_cite_what_is_owed_under_deferred_acceptance(world) -> None:
    case = world.receive(
        world.licence, now=at(MON), outcome="accept_deferred", applicant=COMPANY, states={"经营场所使用证明": "missing"}
    )
    licence = world.materials(world.licence)
    notice = services.case_notice(
        case=case,
        actor=world.market_clerk,
        notice=NoticeInput(lines=[NoticeLine(licence["营业执照"].pk, "defective", "经营范围不符")]),
        now=at(D(2026, 11, 24)),
    )
    assert [i.material.name for i in notice.items.all()] == ["营业执照"]
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.clock_stopped_on == D(2026, 11, 24)


# --- Conditional materials: 不适用 -------------------------------------------------------------


def _with_guardian_papers(world) -> None:
    """The hukou guide gets a conditional material, needed only for a minor applicant."""
    version = world.materials(world.hukou)["户口簿"].version
    version.materials.create(name="监护人身份证件", form="original", order=9, conditional=True)


def test_a_conditional_material_marked_not_applicable_does_not_block_acceptance(world) -> None:
    _with_guardian_papers(world)
    case = world.receive(world.hukou, now=at(MON), outcome="accept", states={"监护人身份证件": "inapplicable"})
    assert case.status == Case.Status.ACCEPTED and not case.deferred and not case.owed.exists()
    line = case.materials.get(material__name="监护人身份证件")
    assert line.get_state_display() == "不适用" and not line.is_lacking


def test_a_required_material_cannot_be_marked_not_applicable(world) -> None:
    _with_guardian_papers(world)
    with pytest.raises(CaseError) as refused:
        world.receive(world.hukou, now=at(MON), outcome="accept", states={"户口簿": "inapplicable"})
    assert refused.value.field == "materials"
    assert "“户口簿”是必须提交的材料，不能标记为不适用" in str(refused.value.message)
    nothing_saved()
