"""Case numbers raced with real threads on PostgreSQL: 64 windows receiving the same item at the
same moment get 64 distinct consecutive numbers; a refused application gives its number back.
(SQLite serialises writers, so these run where it matters: CI on PostgreSQL.)"""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, CaseSequence
from servicehall import roles
from tests.cases.factories import PERSON, D, at, make_world
from tests.concurrency import in_threads
from tests.markers import needs_postgres
from tests.servicehall.factories import staff_user

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]

MON = D(2026, 11, 23)


def test_64_concurrent_receipts_get_64_distinct_consecutive_numbers() -> None:
    world = make_world()
    clerks = [staff_user(f"race{k}", role=roles.WINDOW_STAFF, hall_=world.city) for k in range(64)]
    checklist = world.checklist(world.hukou)

    def receive(k: int) -> str:
        return services.case_receive(
            actor=clerks[k],
            hall=world.city,
            item=world.hukou,
            channel="mail",
            applicant=PERSON,
            mobile="13800138001",
            checklist=checklist,
            outcome="accept",
            now=at(MON),
        ).number

    numbers = in_threads(64, receive)
    assert len(set(numbers)) == 64
    assert sorted(numbers) == [f"060010200020261123{n:04d}" for n in range(1, 65)]
    assert Case.objects.count() == 64
    assert CaseSequence.objects.get(item=world.hukou, day=MON).last == 64


def test_refused_receipts_racing_accepted_ones_leave_no_gap() -> None:
    world = make_world()
    clerks = [staff_user(f"mix{k}", role=roles.WINDOW_STAFF, hall_=world.city) for k in range(16)]
    complete = world.checklist(world.hukou)
    incomplete = world.checklist(world.hukou, 户口簿="missing")

    def receive(k: int) -> str:
        try:
            return services.case_receive(
                actor=clerks[k],
                hall=world.city,
                item=world.hukou,
                channel="mail",
                applicant=PERSON,
                mobile="13800138001",
                checklist=complete if k % 2 else incomplete,
                outcome="accept",
                now=at(MON),
            ).number
        except services.CaseError:
            return ""

    numbers = sorted(n for n in in_threads(16, receive) if n)
    assert numbers == [f"060010200020261123{n:04d}" for n in range(1, 9)]


def test_the_deeming_job_racing_actions_deems_each_case_once() -> None:
    """Art. 32 (docs/cases.md, "Deemed acceptance"): jobs and actions on the same late cases at
    once. A job skips the cases an action holds and the action deems them; every case ends accepted
    from its receipt with one event, and every late action is refused as such."""
    from cases.models import CaseEvent
    from cases.services import CaseError

    world = make_world()
    cases = [
        services.case_receive(
            actor=world.clerk,
            hall=world.city,
            item=world.hukou,
            channel="mail",
            applicant=PERSON,
            mobile="13800138001",
            checklist=world.checklist(world.hukou),
            now=at(D(2026, 9, 25)),
        )
        for _ in range(12)
    ]
    late = at(D(2026, 10, 10))  # received on the holiday 9/25, its last day for a notice was 10/9

    def work(k: int) -> str:
        if k % 4 == 0:
            return f"job {services.cases_deem_accepted(now=late)}"
        try:
            services.case_accept(case=cases[k], actor=world.clerk, now=late)
        except CaseError as exc:
            return exc.code
        return "accepted"

    outcomes = in_threads(12, work)
    assert all(o == "deemed_accepted" for k, o in enumerate(outcomes) if k % 4)
    assert Case.objects.filter(deemed_accepted=True, accepted_on=D(2026, 9, 25)).count() == 12
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).count() == 12
