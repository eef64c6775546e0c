"""Case deadlines across the 2025 and 2026 holidays and make-up workdays (调休), with clock stops
and extensions. Every expected date is counted by hand from the State Council notices and written
here; the count is spelt out beside it (the code under test computes nothing in these tests).

2025: 1 Jan off; Spring Festival 28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked; May Day
1–5 May off, Sun 27 Apr worked; National Day and Mid-Autumn 1–8 Oct off, Sun 28 Sep and Sat 11 Oct
worked. 2026: 1–3 Jan off, Sun 4 Jan worked; Spring Festival 15–23 Feb off, Sat 14 Feb and
Sat 28 Feb worked; Mid-Autumn Fri 25 Sep off; National Day 1–7 Oct off, Sun 20 Sep and Sat 10 Oct
worked.

Convention (docs/cases.md): the day of acceptance is not counted; a clock stop from S to E takes
out the working days in (S, E]: the day it began was worked, the day it ended is a new start.
"""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, ClockStop
from tests.cases.factories import COMPANY, D, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar(world):
    """The calendar table of 2025 and 2026, seeded from the package (``world`` does it)."""


@pytest.mark.parametrize(
    ("accepted", "days", "stops", "expected"),
    [
        # 1/26 Sun (worked) 1, 1/27 2, 1/28–2/4 off, 2/5 3, 2/6 4, 2/7 5.
        (D(2025, 1, 24), 5, [], D(2025, 2, 7)),
        # 9/26 1, 9/28 Sun (worked) 2, 9/29 3, 9/30 4, 10/1–8 off, 10/9 5, 10/10 6, 10/11 Sat (worked) 7,
        # 10/13 8, 10/14 9, 10/15 10.
        (D(2025, 9, 25), 10, [], D(2025, 10, 15)),
        # Stopped 9/29 → 10/9 takes out 9/30 and 10/9: 9/26 1, 9/28 2, 9/29 3, 10/10 4, 10/11 5, 10/13 6,
        # 10/14 7, 10/15 8, 10/16 9, 10/17 10.
        (D(2025, 9, 25), 10, [(D(2025, 9, 29), D(2025, 10, 9))], D(2025, 10, 17)),
        # 4/27 Sun (worked) 1, 4/28 2, 4/29 3, 4/30 4.
        (D(2025, 4, 25), 4, [], D(2025, 4, 30)),
        # Stopped 4/28 → 5/6 takes out 4/29, 4/30, 5/6 (5/1–5 off): 4/27 1, 4/28 2, 5/7 3, 5/8 4.
        (D(2025, 4, 25), 4, [(D(2025, 4, 28), D(2025, 5, 6))], D(2025, 5, 8)),
        # Across New Year 2026: 12/30 1, 12/31 2, 1/1–3 off, 1/4 Sun (worked) 3.
        (D(2025, 12, 29), 3, [], D(2026, 1, 4)),
        # 2/10 1, 2/11 2, 2/12 3, 2/13 4, 2/14 Sat (worked) 5, 2/15–23 off, 2/24 6, 2/25 7, 2/26 8, 2/27 9,
        # 2/28 Sat (worked) 10.
        (D(2026, 2, 9), 10, [], D(2026, 2, 28)),
        # A special step 2/12 → 2/25 takes out 2/13, 2/14, 2/24, 2/25: 2/10 1, 2/11 2, 2/12 3, 2/26 4,
        # 2/27 5, 2/28 6, 3/2 7, 3/3 8, 3/4 9, 3/5 10; extended by 3: 3/6 11, 3/9 12, 3/10 13.
        (D(2026, 2, 9), 10, [(D(2026, 2, 12), D(2026, 2, 25))], D(2026, 3, 5)),
        (D(2026, 2, 9), 13, [(D(2026, 2, 12), D(2026, 2, 25))], D(2026, 3, 10)),
        # 9/20 Sun (worked) 1, 9/21 2, 9/22 3, 9/23 4, 9/24 5.
        (D(2026, 9, 18), 5, [], D(2026, 9, 24)),
        # Stopped 9/22 → 10/8 takes out 9/23, 9/24, 9/28, 9/29, 9/30, 10/8 (9/25 and 10/1–7 off):
        # 9/20 1, 9/21 2, 9/22 3, 10/9 4, 10/10 Sat (worked) 5; extended by 2: 10/12 6, 10/13 7.
        (D(2026, 9, 18), 5, [(D(2026, 9, 22), D(2026, 10, 8))], D(2026, 10, 10)),
        (D(2026, 9, 18), 7, [(D(2026, 9, 22), D(2026, 10, 8))], D(2026, 10, 13)),
        # Two stops: 9/21 → 9/22 takes out 9/22; 9/28 → 9/30 takes out 9/29, 9/30:
        # 9/20 1, 9/21 2, 9/23 3, 9/24 4, 9/28 5.
        (D(2026, 9, 18), 5, [(D(2026, 9, 21), D(2026, 9, 22)), (D(2026, 9, 28), D(2026, 9, 30))], D(2026, 9, 28)),
        # A stop that begins and ends the same day takes nothing out.
        (D(2026, 9, 18), 5, [(D(2026, 9, 21), D(2026, 9, 21))], D(2026, 9, 24)),
        # An instant item finishes the day it is accepted, a holiday included (urgent service).
        (D(2026, 2, 16), 0, [], D(2026, 2, 16)),
    ],
)
def test_deadline_counts_working_days_without_the_stopped_clock(accepted, days, stops, expected) -> None:
    assert services.due_from(accepted_on=accepted, days=days, stops=stops) == (expected, False)


def test_an_open_stop_leaves_the_deadline_unknown_unless_it_had_already_run_out() -> None:
    # Accepted 9/18/2026 for 5 days (due 9/24 as above). Stopped on 9/22: the clock stands.
    assert services.due_from(accepted_on=D(2026, 9, 18), days=5, stops=[(D(2026, 9, 22), None)]) == (None, False)
    # Stopped on the deadline itself: that day still counted, so the deadline stands.
    assert services.due_from(accepted_on=D(2026, 9, 18), days=5, stops=[(D(2026, 9, 24), None)]) == (
        D(2026, 9, 24),
        False,
    )
    # Stopped after the deadline passed: it stays overdue.
    assert services.due_from(accepted_on=D(2026, 9, 18), days=5, stops=[(D(2026, 9, 29), None)]) == (
        D(2026, 9, 24),
        False,
    )


def test_a_deadline_in_a_year_without_a_notice_is_provisional() -> None:
    # 2027 has no State Council notice in the package yet.
    due, provisional = services.due_from(accepted_on=D(2026, 12, 28), days=10, stops=[])
    assert due.year == 2027 and provisional


def test_a_case_through_national_day_2025_with_corrections_during_review(world) -> None:
    """Accepted Thu 25 Sep 2025 (10 working days: 15 Oct); a notice during review on Mon 29 Sep
    stops the clock; corrections on Thu 9 Oct restart it: 17 Oct (as counted above)."""
    case = world.receive(world.licence, now=at(D(2025, 9, 25)), outcome="accept", applicant=COMPANY)
    assert (case.accepted_on, case.due_on) == (D(2025, 9, 25), D(2025, 10, 15))
    case = services.case_review_start(case=case, actor=world.market_clerk, now=at(D(2025, 9, 26)))
    licence = world.materials(world.licence)
    services.case_notice(
        case=case,
        actor=world.market_clerk,
        notice=services.NoticeInput(lines=[services.NoticeLine(licence["营业执照"].pk, "defective", "复印件不清晰")]),
        now=at(D(2025, 9, 29)),
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    assert case.due_on is None and case.clock_stopped_on == D(2025, 9, 29)
    services.case_corrections_receive(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(licence["营业执照"].pk, "copy")],
        now=at(D(2025, 10, 9)),
    )
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.due_on == D(2025, 10, 17)
    stop = ClockStop.objects.get(case=case)
    assert (stop.kind, stop.started_on, stop.ended_on) == (ClockStop.Kind.CORRECTION, D(2025, 9, 29), D(2025, 10, 9))


def test_a_case_through_spring_festival_2026_with_a_special_step_and_an_extension(world) -> None:
    """Accepted Mon 9 Feb 2026 (10 working days: Sat 28 Feb, a make-up workday); the on-site
    inspection from Thu 12 Feb to Wed 25 Feb: 5 Mar; extended by 3 working days: 10 Mar."""
    case = world.receive(world.licence, now=at(D(2026, 2, 9)), outcome="accept", applicant=COMPANY)
    assert case.due_on == D(2026, 2, 28)
    step = case.guide_version.special_steps.get()
    services.case_review_start(case=case, actor=world.market_clerk, now=at(D(2026, 2, 10)))
    services.case_special_step_start(case=case, actor=world.market_clerk, step_id=step.pk, now=at(D(2026, 2, 12)))
    case.refresh_from_db()
    assert (case.status, case.due_on, case.clock.due_on) == (Case.Status.SPECIAL_STEP, None, None)
    services.case_special_step_end(case=case, actor=world.market_clerk, now=at(D(2026, 2, 25)))
    case.refresh_from_db()
    assert (case.status, case.due_on, case.clock.due_on) == (Case.Status.IN_REVIEW, D(2026, 3, 5), D(2026, 3, 5))
    extension = services.case_extend(
        case=case, actor=world.market_chief, days=3, reason="现场核查发现需补充检测", now=at(D(2026, 3, 2))
    )
    case.refresh_from_db()
    assert (extension.due_before, extension.due_after, case.due_on) == (D(2026, 3, 5), D(2026, 3, 10), D(2026, 3, 10))
    assert (case.limit_days, case.extension_days) == (10, 3)


def test_a_case_through_national_day_2026_with_an_extension(world) -> None:
    """Accepted Fri 18 Sep 2026 for 5 working days (Thu 24 Sep, counting Sun 20 Sep); stopped for
    corrections from Tue 22 Sep to Thu 8 Oct: Sat 10 Oct (a make-up workday); extended by 2: 13 Oct."""
    case = world.receive(world.hukou, now=at(D(2026, 9, 18)), outcome="accept")
    assert case.due_on == D(2026, 9, 24)
    hukou = world.materials(world.hukou)
    services.case_notice(
        case=case,
        actor=world.clerk,  # the police department's clerk: the item's department
        notice=services.NoticeInput(lines=[services.NoticeLine(hukou["户口簿"].pk, "defective", "页面缺损")]),
        now=at(D(2026, 9, 22)),
    )
    services.case_corrections_receive(
        case=case,
        actor=world.clerk,
        checklist=[services.MaterialCheck(hukou["户口簿"].pk, "original")],
        now=at(D(2026, 10, 8)),
    )
    case.refresh_from_db()
    assert case.due_on == D(2026, 10, 10)
    services.case_extend(case=case, actor=world.police_chief, days=2, reason="需向原籍核实", now=at(D(2026, 10, 9)))
    case.refresh_from_db()
    assert case.due_on == D(2026, 10, 13)


def test_an_instant_item_is_due_the_day_it_is_accepted(world) -> None:
    case = world.receive(world.stamp, now=at(D(2026, 2, 16)), outcome="accept", applicant=COMPANY)
    assert (case.accepted_on, case.due_on, case.due_provisional) == (D(2026, 2, 16), D(2026, 2, 16), False)


def test_the_case_keeps_the_guide_version_it_was_accepted_under(world) -> None:
    from catalog import services as catalog_services

    case = world.receive(world.licence, now=at(D(2026, 2, 9)), outcome="accept", applicant=COMPANY)
    revision = catalog_services.guide_draft_from_current(item=world.licence, effective_from=D(2026, 12, 31), actor=None)
    revision.promised_limit_days = 3
    revision.save()
    catalog_services.guide_publish(version=revision, actor=None, today=D(2026, 12, 2))
    case.refresh_from_db()
    assert case.guide_version.number == 1 and case.limit_days == 10
    step = case.guide_version.special_steps.get()
    services.case_special_step_start(case=case, actor=world.market_clerk, step_id=step.pk, now=at(D(2026, 2, 12)))
    services.case_special_step_end(case=case, actor=world.market_clerk, now=at(D(2026, 2, 25)))
    case.refresh_from_db()
    assert case.due_on == D(2026, 3, 5)  # still counted on 10 days


def test_the_provisional_mark_is_recomputed_when_the_calendar_changes(
    world, django_capture_on_commit_callbacks
) -> None:
    """A deadline counted into a year the package has no notice for is provisional; once the
    calendar of that year is written (here: an administrator's correction, which sends the same
    signal as the yearly refresh), the stored deadline is recomputed."""
    from catalog import services as catalog_services
    from catalog.models import CalendarDay

    catalog_services.calendar_fill_year(year=2027)
    case = world.receive(world.licence, now=at(D(2026, 12, 24)), outcome="accept", applicant=COMPANY)
    # 12/25 1, 12/28 2, 12/29 3, 12/30 4, 12/31 5, 1/1/2027 off (New Year, by rule), 1/4 6, 1/5 7,
    # 1/6 8, 1/7 9, 1/8 10.
    assert (case.due_on, case.due_provisional) == (D(2027, 1, 8), True)
    # The State Council's notice arrives: days of 2027 confirmed, and one more day off in the count.
    CalendarDay.objects.filter(date__year=2027).update(provisional=False)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.calendar_day_correct(
            day=CalendarDay.objects.get(date=D(2027, 1, 4)), kind=CalendarDay.Kind.HOLIDAY, reason="补休", actor=None
        )
    case.refresh_from_db()
    # 1/4 off now: 1/5 6, 1/6 7, 1/7 8, 1/8 9, 1/11 10.
    assert (case.due_on, case.due_provisional, case.clock.due_on) == (D(2027, 1, 11), False, D(2027, 1, 11))
    assert case.events.filter(kind="deadline").exists()
