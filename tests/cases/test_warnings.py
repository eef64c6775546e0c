"""The warning job: yellow within 2 working days of the deadline, red past it, the chief
representative and the supervisors told once per change of colour; owed materials reminded and
flagged; a fixed number of queries whatever the number of cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, CaseClock, CaseWarningSummary
from cases.warnings import warnings_run
from servicehall import notifications
from servicehall.notifications import MemoryBackend
from tests.cases.factories import COMPANY, MOBILE, D, at

pytestmark = pytest.mark.django_db

WED = D(2026, 9, 23)  # yellow until Mon 28 Sep: 9/24 1, 9/25 off (Mid-Autumn), 9/28 2


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def cases(world):
    """Four open cases at the city centre, deadlines counted by hand."""
    made = {
        # 9/16 1, 9/17 2, 9/18 3, 9/20 Sun (worked) 4, 9/21 5.
        "hukou_red": world.receive(world.hukou, now=at(D(2026, 9, 15)), outcome="accept"),
        # 9/20 1, 9/21 2, 9/22 3, 9/23 4, 9/24 5.
        "hukou_yellow": world.receive(world.hukou, now=at(D(2026, 9, 18)), outcome="accept"),
        # 9/20 1 … 9/24 5, 9/28 6, 9/29 7, 9/30 8, 10/1–7 off, 10/8 9, 10/9 10.
        "licence_later": world.receive(world.licence, now=at(D(2026, 9, 18)), outcome="accept", applicant=COMPANY),
        # 9/10 1, 9/11 2, 9/14 3, 9/15 4, 9/16 5, 9/17 6, 9/18 7, 9/20 8, 9/21 9, 9/22 10.
        "licence_red": world.receive(world.licence, now=at(D(2026, 9, 9)), outcome="accept", applicant=COMPANY),
    }
    assert [c.due_on for c in made.values()] == [D(2026, 9, 21), D(2026, 9, 24), D(2026, 10, 9), D(2026, 9, 22)]
    return made


def colours() -> dict[str, str]:
    return dict(CaseClock.objects.values_list("case__number", "warning"))


def test_colours_and_one_message_per_hall_department_and_colour(world, cases, outbox) -> None:
    result = warnings_run(now=at(WED))
    assert (result.turned_red, result.turned_yellow, result.messages) == (2, 1, 3)
    assert colours() == {
        cases["hukou_red"].number: "red",
        cases["hukou_yellow"].number: "yellow",
        cases["licence_later"].number: "",
        cases["licence_red"].number: "red",
    }
    by_subject = {n.subject: n for n in outbox}
    police_red = next(n for s, n in by_subject.items() if s.startswith("办件超期") and "公安" in s)
    assert set(police_red.recipients) == {"citywide-supervisor", "city-centre-supervisor", "police-chief"}
    assert cases["hukou_red"].number in police_red.body and "2026-09-21" in police_red.body
    market_red = next(n for s, n in by_subject.items() if s.startswith("办件超期") and "市场" in s)
    assert "market-chief" in market_red.recipients and "police-chief" not in market_red.recipients
    assert "tianhe-chief" not in market_red.recipients  # the same department at another hall
    police_yellow = next(n for s, n in by_subject.items() if s.startswith("办件临近期限"))
    assert cases["hukou_yellow"].number in police_yellow.body and "不足2个工作日" in police_yellow.body


def test_each_change_of_colour_is_told_once(world, cases, outbox) -> None:
    warnings_run(now=at(WED))
    outbox.clear()
    again = warnings_run(now=at(WED, 11))
    assert (again.turned_red, again.turned_yellow, again.messages) == (0, 0, 0) and outbox == []
    later = cases["licence_later"]
    # Wed 30 Sep: the yellow case (due Thu 24 Sep) is now overdue, and the licence due Fri 9 Oct is
    # within 2 working days (1–7 Oct off: 10/8 1, 10/9 2).
    result = warnings_run(now=at(D(2026, 9, 30)))
    assert (result.turned_red, result.turned_yellow, result.messages) == (1, 1, 2)
    assert later.number in next(n.body for n in outbox if n.subject.startswith("办件临近期限"))
    outbox.clear()
    assert warnings_run(now=at(D(2026, 10, 8))).messages == 0
    assert warnings_run(now=at(D(2026, 10, 9))).messages == 0  # due today: still yellow
    warnings_run(now=at(D(2026, 10, 12)))
    assert [n.subject.split("：")[0] for n in outbox] == ["办件超期"] and later.number in outbox[0].body
    assert warnings_run(now=at(D(2026, 10, 13))).messages == 0


def test_an_extension_lowers_the_colour_at_once_and_quietly(world, cases, outbox) -> None:
    warnings_run(now=at(WED))
    outbox.clear()
    case = cases["hukou_yellow"]
    services.case_extend(case=case, actor=world.police_chief, days=5, reason="需要外调核实", now=at(WED))
    case.refresh_from_db()
    assert case.clock.warning == "" and case.clock.due_on == case.due_on == D(
        2026, 10, 9
    )  # 9/24 + 9/28 9/29 9/30 10/8 10/9
    assert warnings_run(now=at(WED, 11)).messages == 0 and outbox == []


def test_a_stopped_clock_is_neither_yellow_nor_red(world, cases, outbox) -> None:
    case = cases["licence_red"]
    step = case.guide_version.special_steps.get()
    services.case_special_step_start(case=case, actor=world.market_clerk, step_id=step.pk, now=at(D(2026, 9, 16)))
    warnings_run(now=at(WED))
    case.refresh_from_db()
    assert (case.due_on, case.clock.due_on, case.clock.warning) == (None, None, "")


def test_a_decided_case_is_no_longer_watched(world, cases, outbox) -> None:
    warnings_run(now=at(WED))
    case = services.case_decide(case=cases["hukou_red"], actor=world.clerk, approved=True, now=at(WED))
    assert not CaseClock.objects.filter(case=case).exists() and case.finished_in_time is False
    summary = CaseWarningSummary.objects.get(hall=world.city, department=world.police)
    assert (summary.yellow, summary.red) == (1, 1)
    warnings_run(now=at(WED, 11))
    summary = CaseWarningSummary.objects.get(hall=world.city, department=world.police)
    assert (summary.yellow, summary.red) == (1, 0)


def test_a_message_that_failed_is_sent_by_a_later_run_after_the_lease(world, cases, outbox, monkeypatch) -> None:
    real = notifications.notify
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("gateway down")
        return real(**kwargs)

    monkeypatch.setattr(notifications, "notify", flaky)
    first = warnings_run(now=at(WED))
    assert (first.messages, first.failed) == (2, 1) and len(outbox) == 2
    assert warnings_run(now=at(WED).replace(minute=2)).messages == 0  # within the lease: left alone
    retry = warnings_run(now=at(WED).replace(minute=10))
    assert (retry.taken_over, retry.messages) == (1, 1) and len(outbox) == 3
    assert warnings_run(now=at(WED).replace(minute=20)).messages == 0


def test_owed_materials_are_reminded_once_then_flag_the_case_when_late(world, outbox) -> None:
    case = world.receive(
        world.licence,
        now=at(D(2026, 9, 17)),
        outcome="accept_deferred",
        applicant=COMPANY,
        states={"经营场所使用证明": "missing"},
    )
    owed = case.owed.get()
    assert owed.due_on == D(2026, 9, 23)  # 5 working days: 9/18 1, 9/20 Sun (worked) 2, 9/21 3, 9/22 4, 9/23 5
    first = warnings_run(now=at(WED))
    sms = [n for n in outbox if n.recipients == [MOBILE]]
    assert first.owed_reminded == 1 and len(sms) == 1 and "2026-09-23" in sms[0].body and case.number in sms[0].body
    assert warnings_run(now=at(WED, 11)).owed_reminded == 0
    late = warnings_run(now=at(D(2026, 9, 28)))
    case.refresh_from_db()
    assert late.owed_flagged == 1 and case.owed_overdue
    assert CaseWarningSummary.objects.get(hall=world.city, department=world.market).owed_overdue == 1
    services.case_owed_supply(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(owed.material_id, "copy")],
        now=at(D(2026, 9, 28), 15),
    )
    case.refresh_from_db()
    assert not case.owed_overdue


def test_the_job_runs_in_a_fixed_number_of_queries(world, outbox) -> None:
    def queries(count: int) -> int:
        Case.objects.all().delete()
        for k in range(count):
            world.receive(world.hukou if k % 2 else world.licence, now=at(D(2026, 9, 9 + k % 9)), outcome="accept")
        with CaptureQueriesContext(connection) as captured:
            warnings_run(now=at(WED))
        return len(captured.captured_queries)

    assert queries(3) == queries(30)
