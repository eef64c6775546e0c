"""Races against PostgreSQL: eight supervisors asking at once for the same person's replacement
leave one open request; eight first proposals for the same person and year leave one; eight
submissions of one proposal submit it once."""

from __future__ import annotations

import datetime as dt

import pytest

from servicehall.clock import SHANGHAI
from servicehall.models import AuditEvent
from staffing import assessments, replacements
from staffing.models import AssessmentProposal, ReplacementRequest
from staffing.services import StaffingError
from tests.concurrency import in_threads
from tests.markers import needs_postgres
from tests.staffing.factories import make_world, seconded

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


def test_eight_requests_for_one_person_at_once_leave_one_open() -> None:
    world = make_world()
    person = seconded("clerk", hall=world.city, department=world.police)

    def ask(_k: int) -> str:
        try:
            replacements.replacement_request(
                secondment=person,
                actor=world.supervisor,
                reason="多次未一次性告知所缺材料，约谈后仍未改进。",
                deadline=dt.date(2026, 12, 26),
                now=NOW,
            )
        except StaffingError as exc:
            return exc.code
        return "made"

    results = in_threads(8, ask)
    assert results.count("made") == 1 and results.count("duplicate") == 7
    assert ReplacementRequest.objects.filter(status="open").count() == 1
    assert AuditEvent.objects.filter(action="replacement.request").count() == 1


def test_eight_first_proposals_and_submissions_at_once() -> None:
    world = make_world()
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))

    def propose(k: int) -> str:
        try:
            assessments.proposal_save(
                secondment=person,
                actor=world.supervisor,
                year=2025,
                grade="competent" if k % 2 else "basic",
                justification="工作认真，服务规范，全年无违规。",
                now=NOW,
            )
        except StaffingError as exc:
            return exc.code
        return "saved"

    results = in_threads(8, propose)
    # Each either made the one proposal, revised it, or lost the race for the first one (409).
    assert set(results) <= {"saved", "duplicate"} and "saved" in results
    assert AssessmentProposal.objects.count() == 1
    proposal = AssessmentProposal.objects.get()

    def submit(_k: int) -> str:
        try:
            assessments.proposal_submit(proposal=proposal, actor=world.supervisor, now=NOW)
        except StaffingError as exc:
            return exc.code  # "submitted": already
        return "ok"

    outcomes = in_threads(8, submit)
    assert outcomes.count("ok") == 1 and outcomes.count("submitted") == 7
    assert AuditEvent.objects.filter(action="assessment.submit").count() == 1
