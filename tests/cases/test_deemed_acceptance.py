"""Deemed acceptance (行政许可法 Art. 32, "逾期不告知的，自收到申请材料之日起即为受理"): a case
received and left 5 working days (the receipt day not counted) without acceptance, refusal or a
one-time notice is accepted as of its receipt, by the warning job for all such cases at once and
by any action on one of them first.

Every date is counted by hand from the 2026 calendar the ``world`` seeds (the State Council
notice): Mid-Autumn Fri 25 Sep off, National Day 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, CaseClock, CaseEvent, ClockStop, OwedMaterial
from cases.services import CaseError, NoticeInput, NoticeLine
from cases.warnings import warnings_run
from catalog import selectors as catalog_selectors
from servicehall import notifications
from servicehall.models import AuditEvent
from servicehall.notifications import MemoryBackend
from tests.cases.factories import COMPANY, D, at

pytestmark = pytest.mark.django_db

HOLIDAY_FRI = D(2026, 9, 25)  # Mid-Autumn: received by post on a day off
# Received 9/25: 9/28 1, 9/29 2, 9/30 3, 10/1–7 off, 10/8 4, 10/9 5: the last day for a notice.
LAST_NOTICE_DAY = D(2026, 10, 9)
MAKEUP_SAT = D(2026, 10, 10)  # a make-up workday, the first day the case counts as accepted
DEEMED = "逾期未告知，自收到材料之日起视为受理"


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def received(world, item=None, day=HOLIDAY_FRI, **kwargs) -> Case:
    item = item or world.hukou
    if item == world.licence:
        kwargs.setdefault("applicant", COMPANY)
    return world.receive(item, now=at(day), **kwargs)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- The dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receipt", "last_day"),
    [
        (HOLIDAY_FRI, LAST_NOTICE_DAY),
        # 9/28 1, 9/30 … : 9/29 1, 9/30 2, 10/8 3, 10/9 4, 10/10 Sat (make-up) 5.
        (D(2026, 9, 28), MAKEUP_SAT),
        # 9/20 Sun (make-up) 1, 9/21 2, 9/22 3, 9/23 4, 9/24 5.
        (D(2026, 9, 18), D(2026, 9, 24)),
        # 9/24 1, 9/28 2, 9/29 3, 9/30 4, 10/8 5.
        (D(2026, 9, 23), D(2026, 10, 8)),
    ],
)
def test_the_notice_period_counts_working_days_across_the_holidays(world, receipt, last_day) -> None:
    assert services.notice_last_day(receipt) == last_day


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        # Working days before Sat 10/10: 10/9, 10/8, 9/30, 9/29, 9/28 (the 5th): received by Sun 9/27.
        (MAKEUP_SAT, D(2026, 9, 27)),
        # Before Mon 10/12: 10/10 (make-up), 10/9, 10/8, 9/30, 9/29 (the 5th): by Mon 9/28.
        (D(2026, 10, 12), D(2026, 9, 28)),
        # Before Fri 10/9: 10/8, 9/30, 9/29, 9/28, 9/24 (the 5th; 9/25 off): by Wed 9/23.
        (LAST_NOTICE_DAY, D(2026, 9, 23)),
        # Before the holiday Fri 9/25: 9/24, 9/23, 9/22, 9/21, 9/20 (Sun, make-up): by Sat 9/19.
        (HOLIDAY_FRI, D(2026, 9, 19)),
    ],
)
def test_the_cutoff_is_the_latest_receipt_whose_period_is_over(world, today, cutoff) -> None:
    assert services.deemed_cutoff(today) == cutoff


def test_the_cutoff_agrees_with_the_notice_period_on_every_day(world) -> None:
    """One calendar read for the job's cut-off, one deadline per case for an action: the same line."""
    for offset in range(0, 60, 3):
        today = D(2026, 9, 1) + dt.timedelta(days=offset)
        receipts = [today - dt.timedelta(days=back) for back in range(1, 25)]
        last_days = catalog_selectors.deadlines_after([(r, 5, ()) for r in receipts])
        cutoff = services.deemed_cutoff(today)
        assert [r <= cutoff for r in receipts] == [last < today for last, _p in last_days], today


# --- The job -----------------------------------------------------------------------------------


def test_the_job_deems_exactly_the_overdue_received_cases(world, outbox) -> None:
    hukou = world.materials(world.hukou)
    overdue = received(world, states={"户口簿": "missing"})  # by post on the holiday
    boundary = received(world, world.licence, day=D(2026, 9, 27))  # online on a Sunday: the cut-off
    in_time = received(world, day=D(2026, 9, 28))  # its last day is today
    missing = {"states": {"户口簿": "missing"}, "outcome": "correction"}
    missing["notice"] = NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "missing")])
    notified = received(world, day=D(2026, 9, 24), **missing)
    answered = received(world, day=D(2026, 9, 24), **missing)
    services.case_corrections_receive(
        case=answered,
        actor=world.clerk,
        checklist=[services.MaterialCheck(hukou["户口簿"].pk, "original")],
        now=at(D(2026, 9, 28)),
    )
    assert fresh(answered).status == Case.Status.RECEIVED  # back to be accepted: it was told in time
    accepted = received(world, day=D(2026, 9, 24), outcome="accept")
    refused = received(world, day=D(2026, 9, 24), outcome="not_accepted", reason="不属于本机关职权范围")

    result = warnings_run(now=at(MAKEUP_SAT))

    assert result.deemed_accepted == 2
    assert set(Case.objects.filter(deemed_accepted=True).values_list("pk", flat=True)) == {overdue.pk, boundary.pk}
    case = fresh(overdue)
    assert (case.status, case.accepted_on, case.accepted_by, case.limit_days) == (
        Case.Status.ACCEPTED,
        HOLIDAY_FRI,
        None,
        5,
    )
    # 5 working days from 9/25: 9/28 1, 9/29 2, 9/30 3, 10/8 4, 10/9 5; already past: red in the same run.
    assert case.due_on == D(2026, 10, 9)
    assert CaseClock.objects.get(pk=case.pk).warning == "red"
    # The missing material stays recorded as it was; nothing is owed (no 容缺).
    assert case.materials.get(material=hukou["户口簿"]).state == "missing"
    assert not case.deferred and not OwedMaterial.objects.filter(case=case).exists()
    event = case.events.get(kind=CaseEvent.Kind.DEEMED_ACCEPTED)
    assert event.actor is None and event.note == "逾期未出具一次性告知书，自收到材料之日（2026-09-25）起视为受理"
    assert event.data["due_on"] == "2026-10-09"
    audit = AuditEvent.objects.get(action="case.deemed", target_id=str(case.pk))
    assert audit.actor is None and case.number in audit.summary and "2026-09-25" in audit.summary
    # 10 working days from Sun 9/27: 9/28 1, 9/29 2, 9/30 3, 10/8 4, 10/9 5, 10/10 6, 10/12 7, 10/13 8,
    # 10/14 9, 10/15 10.
    case = fresh(boundary)
    assert (case.accepted_on, case.due_on, case.limit_days) == (D(2026, 9, 27), D(2026, 10, 15), 10)
    assert CaseClock.objects.get(pk=case.pk).warning == ""
    for untouched, status in (
        (in_time, Case.Status.RECEIVED),
        (notified, Case.Status.CORRECTION),
        (answered, Case.Status.RECEIVED),
        (accepted, Case.Status.ACCEPTED),
        (refused, Case.Status.NOT_ACCEPTED),
    ):
        case = fresh(untouched)
        assert case.status == status and not case.deemed_accepted
        assert not case.events.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).exists()
    assert fresh(accepted).accepted_on == D(2026, 9, 24)

    # Run again the same day: nothing more. On Monday the case received on 9/28 is past its period
    # (its last day was Sat 10/10): 9/29 1, 9/30 2, 10/8 3, 10/9 4, 10/10 5, due 10/10, red.
    assert warnings_run(now=at(MAKEUP_SAT, 15)).deemed_accepted == 0
    assert warnings_run(now=at(D(2026, 10, 12))).deemed_accepted == 1
    case = fresh(in_time)
    assert (case.deemed_accepted, case.accepted_on, case.due_on) == (True, D(2026, 9, 28), MAKEUP_SAT)
    assert CaseClock.objects.get(pk=case.pk).warning == "red"
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).count() == 3


def test_the_job_runs_in_a_fixed_number_of_queries(world, outbox) -> None:
    def queries(count: int) -> tuple[int, int]:
        Case.objects.all().delete()
        for k in range(count):
            received(world, world.hukou if k % 2 else world.licence, day=D(2026, 9, 21 + k % 7))
        with CaptureQueriesContext(connection) as captured:
            deemed = services.cases_deem_accepted(now=at(MAKEUP_SAT))
        assert deemed == count
        deem_queries = len(captured.captured_queries)
        Case.objects.filter(deemed_accepted=True).update(
            status=Case.Status.RECEIVED, accepted_on=None, deemed_accepted=False, due_on=None, limit_days=None
        )
        CaseClock.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert warnings_run(now=at(MAKEUP_SAT)).deemed_accepted == count
        return deem_queries, len(captured.captured_queries)

    assert queries(5) == queries(50)


def test_a_run_deems_a_batch_oldest_receipt_first_and_the_next_run_the_rest(world) -> None:
    newer = received(world, world.licence)
    older = received(world, day=D(2026, 9, 21))
    assert services.cases_deem_accepted(now=at(MAKEUP_SAT), batch=1) == 1
    assert (fresh(older).deemed_accepted, fresh(newer).deemed_accepted) == (True, False)
    assert services.cases_deem_accepted(now=at(MAKEUP_SAT), batch=1) == 1
    assert fresh(newer).deemed_accepted
    assert services.cases_deem_accepted(now=at(MAKEUP_SAT), batch=1) == 0


# --- Lazily, before an action ------------------------------------------------------------------


def test_accepting_in_time_is_an_ordinary_acceptance(world) -> None:
    case = received(world)
    services.case_accept(case=case, actor=world.clerk, now=at(LAST_NOTICE_DAY))
    case = fresh(case)
    assert (case.accepted_on, case.deemed_accepted, case.accepted_by) == (LAST_NOTICE_DAY, False, world.clerk)


def test_accepting_after_the_period_records_the_deemed_acceptance_and_refuses(world) -> None:
    case = received(world)
    with pytest.raises(CaseError) as refused:
        services.case_accept(case=case, actor=world.clerk, now=at(MAKEUP_SAT))
    assert refused.value.status == 409 and refused.value.code == "deemed_accepted"
    assert "已自收到材料之日（2026-09-25）起视为受理" in str(refused.value.message)
    # Kept although the acceptance was refused: the same state as if the job had run first.
    case = fresh(case)
    assert (case.status, case.deemed_accepted, case.accepted_on, case.due_on, case.accepted_by) == (
        Case.Status.ACCEPTED,
        True,
        HOLIDAY_FRI,
        D(2026, 10, 9),
        None,
    )
    assert CaseClock.objects.get(pk=case.pk).due_on == D(2026, 10, 9)
    # Again: refused the same way, recorded once; and the job finds nothing left to do.
    with pytest.raises(CaseError) as again:
        services.case_accept(case=case, actor=world.clerk, now=at(D(2026, 10, 12)))
    assert again.value.code == "deemed_accepted"
    assert case.events.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).count() == 1
    assert services.cases_deem_accepted(now=at(D(2026, 10, 12))) == 0


def test_the_action_and_the_job_record_the_same_state(world) -> None:
    by_job = received(world, world.licence, states={"营业执照": "missing"})
    by_action = received(world, world.licence, states={"营业执照": "missing"})
    services.cases_deem_accepted(now=at(MAKEUP_SAT))
    # The job took both; undo one and let the action do it.
    Case.objects.filter(pk=by_action.pk).update(
        status=Case.Status.RECEIVED, accepted_on=None, deemed_accepted=False, due_on=None, limit_days=None
    )
    CaseClock.objects.filter(pk=by_action.pk).delete()
    CaseEvent.objects.filter(case=by_action, kind=CaseEvent.Kind.DEEMED_ACCEPTED).delete()
    with pytest.raises(CaseError):
        services.case_accept(case=by_action, actor=world.clerk, now=at(MAKEUP_SAT))
    fields = ["status", "accepted_on", "accepted_by", "deemed_accepted", "limit_days", "due_on", "due_provisional"]
    rows = Case.objects.filter(pk__in=[by_job.pk, by_action.pk]).values_list(*fields)
    assert len(set(rows)) == 1
    # 10 working days from 9/25: 9/28 1, 9/29 2, 9/30 3, 10/8 4, 10/9 5, 10/10 6, 10/12 7, 10/13 8,
    # 10/14 9, 10/15 10.
    assert set(CaseClock.objects.values_list("due_on", "warning")) == {(D(2026, 10, 15), "")}
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).values_list("note", "actor", "data")
    assert len(set((note, actor, tuple(sorted(data.items()))) for note, actor, data in events)) == 1


def test_not_accepting_after_the_period_is_refused(world) -> None:
    case = received(world)
    # Someone who may not act on the case records nothing.
    with pytest.raises(CaseError) as denied:
        services.case_not_accept(case=case, actor=world.tianhe_clerk, reason="材料不符合要求", now=at(MAKEUP_SAT))
    assert denied.value.status == 403 and not fresh(case).deemed_accepted
    with pytest.raises(CaseError) as refused:
        services.case_not_accept(case=case, actor=world.clerk, reason="材料不符合要求", now=at(MAKEUP_SAT))
    assert refused.value.status == 409 and refused.value.code == "deemed_accepted"
    assert "不能再不予受理" in str(refused.value.message)
    case = fresh(case)
    assert case.status == Case.Status.ACCEPTED and case.deemed_accepted and case.not_accepted_reason == ""
    # In time it is an ordinary refusal.
    other = received(world, day=D(2026, 9, 28))
    services.case_not_accept(case=other, actor=world.clerk, reason="材料不符合要求", now=at(MAKEUP_SAT))
    assert fresh(other).status == Case.Status.NOT_ACCEPTED


def test_a_notice_after_the_period_is_a_late_notice_during_review(world) -> None:
    licence = world.materials(world.licence)
    case = received(world, world.licence, states={"营业执照": "missing"})
    notice = NoticeInput(lines=[NoticeLine(licence["营业执照"].pk, "missing", "请提交营业执照复印件")])
    # A clerk may not issue it any more: late (and now during review, for the department).
    with pytest.raises(CaseError) as refused:
        services.case_notice(case=case, actor=world.market_clerk, notice=notice, now=at(D(2026, 10, 12)))
    message = str(refused.value.message)
    assert refused.value.code == "one_time" and refused.value.status == 422
    assert "已自收到材料之日（2026-09-25）起视为受理" in message and "（2026-10-09前）" in message
    case = fresh(case)
    assert case.status == Case.Status.ACCEPTED and case.deemed_accepted and not case.notices.exists()
    # 10 working days from 9/25: 9/28 1, 9/29 2, 9/30 3, 10/8 4, 10/9 5, 10/10 6, 10/12 7, 10/13 8,
    # 10/14 9, 10/15 10.
    assert case.due_on == D(2026, 10, 15)
    # The supervisor overrides, with a reason: a notice during review, the clock stops.
    late = NoticeInput(lines=notice.lines, override_reason="申请人材料经邮寄遗失，需重新告知")
    issued = services.case_notice(case=case, actor=world.supervisor, notice=late, now=at(D(2026, 10, 12)))
    assert issued.sequence == 1 and not issued.before_acceptance and issued.override_reason
    case = fresh(case)
    assert case.status == Case.Status.CORRECTION and case.due_on is None and case.clock_stopped_on == D(2026, 10, 12)
    assert ClockStop.objects.get(case=case).notice == issued
    assert case.events.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).count() == 1


def test_a_supervisors_late_notice_deems_the_case_accepted_first(world) -> None:
    hukou = world.materials(world.hukou)
    case = received(world, states={"户口簿": "missing"})
    late = NoticeInput(lines=[NoticeLine(hukou["户口簿"].pk, "missing")], override_reason="邮件分拣延误")
    issued = services.case_notice(case=case, actor=world.supervisor, notice=late, now=at(MAKEUP_SAT))
    case = fresh(case)
    assert not issued.before_acceptance and case.deemed_accepted and case.accepted_on == HOLIDAY_FRI
    # The limit ran out on 10/9, before the stop began on 10/10: the case stays due (overdue) on 10/9.
    assert case.due_on == D(2026, 10, 9) and case.status == Case.Status.CORRECTION
    kinds = list(case.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[-2:] == [CaseEvent.Kind.DEEMED_ACCEPTED, CaseEvent.Kind.NOTICE]


# --- What people see ---------------------------------------------------------------------------


def test_the_api_the_case_page_and_the_progress_page_say_so(world, client) -> None:
    case = received(world)
    ordinary = received(world, day=D(2026, 9, 28))
    services.cases_deem_accepted(now=at(MAKEUP_SAT))
    with time_machine.travel(at(MAKEUP_SAT), tick=False):
        client.force_login(world.clerk)
        data = client.get(f"/api/v1/cases/{case.number}/").json()
        assert data["deemed_accepted"] is True and data["accepted_on"] == "2026-09-25"
        assert data["status"] == "accepted" and data["due_on"] == "2026-10-09"
        assert client.get(f"/api/v1/cases/{ordinary.number}/").json()["deemed_accepted"] is False
        refused = client.post(f"/api/v1/cases/{ordinary.number}/accept/", {}, content_type="application/json")
        assert refused.status_code == 200, refused.json()  # in time on 10/10: an ordinary acceptance
        page = client.get(reverse("case-detail", args=[case.number])).content.decode()
        assert DEEMED in page and "逾期未告知视为受理" in page  # the badge, and the event in the history
        assert DEEMED not in client.get(reverse("case-detail", args=[ordinary.number])).content.decode()
        client.logout()
        progress = client.get(f"/api/v1/case-progress/{case.progress_token}/").json()
        assert progress["deemed_accepted"] is True and progress["accepted_on"] == "2026-09-25"
        public = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
        assert DEEMED in public and "2026-09-25" in public
        printed = client.get(reverse("case-print", args=[case.number, "acceptance"]))
        assert printed.status_code in (302, 403, 404)  # staff only
        client.force_login(world.clerk)
        printed = client.get(reverse("case-print", args=[case.number, "acceptance"])).content.decode()
        assert "第三十二条" in printed and "材料齐全" not in printed


def test_accepting_late_through_the_api_is_a_409_that_leaves_the_case_accepted(world, client) -> None:
    case = received(world)
    with time_machine.travel(at(MAKEUP_SAT), tick=False):
        client.force_login(world.clerk)
        response = client.post(f"/api/v1/cases/{case.number}/accept/", {}, content_type="application/json")
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "deemed_accepted" and "2026-09-25" in response.json()["detail"]
        data = client.get(f"/api/v1/cases/{case.number}/").json()
        assert data["deemed_accepted"] is True and data["status"] == "accepted"


def test_accepting_late_from_the_case_page_says_why_and_shows_the_deemed_acceptance(world, client) -> None:
    case = received(world)
    with time_machine.travel(at(MAKEUP_SAT), tick=False):
        client.force_login(world.clerk)
        response = client.post(reverse("case-action", args=[case.number, "accept"]), {})
        page = response.content.decode()
        assert response.status_code == 409
        assert "已自收到材料之日（2026-09-25）起视为受理，无须再受理" in page and DEEMED in page


def test_a_late_notice_from_the_case_page_says_the_case_was_deemed_accepted(world, client) -> None:
    from tests.cases.test_pages import notice_data

    case = received(world, world.licence, states={"营业执照": "missing"})
    with time_machine.travel(at(MAKEUP_SAT), tick=False):
        client.force_login(world.clerk)  # the comprehensive window (police): before acceptance, yes
        data = notice_data(world, 营业执照=("missing", "请提交营业执照复印件"))
        response = client.post(reverse("case-notice", args=[case.number]), data)
        page = response.content.decode()
        # Deemed accepted first: a notice during review, for the market department or a supervisor.
        assert response.status_code == 403
        assert "已自收到材料之日（2026-09-25）起视为受理" in page and DEEMED in page
    assert fresh(case).deemed_accepted and not fresh(case).notices.exists()
