"""The demo staffing: the demo staff have secondments and pre-job education (so they sign in at
the windows as before), one planned under two years with its reason; the code is published; a
second load adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Department, Hall
from queueing.models import Window
from servicehall.clock import SHANGHAI
from staffing import demo, selectors, services, workload
from staffing.models import (
    AssessmentProposal,
    ConductIncident,
    ReplacementRequest,
    Secondment,
    SurgeFlag,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)


def test_the_demo_staff_have_records_and_may_sign_in() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        assert Secondment.objects.filter(status="active").count() == 16
        chiefs = Secondment.objects.filter(role="chief")
        assert chiefs.get(department__code="GZGA").user.username == "chief_ga"
        # Every department with items at the city centre has its chief there (issue 11).
        assert set(chiefs.values_list("department__code", flat=True)) == set(
            Department.objects.filter(items__halls__code="GZ-CITY").values_list("code", flat=True)
        )
        assert {c.hall.code for c in chiefs} == {"GZ-CITY"}
        for secondment in Secondment.objects.all():
            assert TrainingRecord.objects.filter(user=secondment.user, kind="pre_job").exists()
        short = [s.user.username for s in Secondment.objects.all() if s.short_tenure]
        assert short == ["window_th01"]
        assert selectors.published_code() is not None
        window = Window.objects.filter(hall__code="GZ-CITY").first()
        for user in get_user_model().objects.filter(secondments__isnull=False):
            assert services.sign_in_refusal(staff=user, window=window) is None
        # Dual management: one open replacement request, last year's proposals (drafts).
        assert [r.secondment.staff_number for r in ReplacementRequest.objects.filter(status="open")] == ["GZ-W001"]
        assert sorted(AssessmentProposal.objects.filter(year=2025).values_list("grade", flat=True)) == [
            "basic",
            "competent",
        ]
        assert demo.load(now=MORNING) == {
            "secondments": 0,
            "replacements": 0,
            "proposals": 0,
            "history_tickets": 0,
            "incidents": 0,
            "surges": 0,
        }
        assert ReplacementRequest.objects.count() == 1 and AssessmentProposal.objects.count() == 2

        incident = ConductIncident.objects.get()
        assert incident.source == "bad_rating" and incident.rectification_order is not None
        assert incident.reference == incident.rectification_order.number
        assert incident.secondment.user_id == incident.rectification_order.rating.staff_id
        assert ConductIncident.objects.count() == 1


def test_the_demo_has_history_for_the_planner_and_one_surge() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        city = Hall.objects.get(code="GZ-CITY")
        # Queue A (the police's) took about three times its usual number this morning.
        [flag] = SurgeFlag.objects.all()
        assert (flag.hall, flag.category.letter, flag.department.code, flag.date) == (city, "A", "GZGA", MORNING.date())
        assert flag.ratio > 0.3
        # Next Thursday is planned from the last four Thursdays; yesterday from its own tickets,
        # against the windows signed in.
        ahead = workload.plan_day(hall=city, day=MORNING.date() + dt.timedelta(days=7), now=MORNING)
        assert {row.source for row in ahead.hours} == {"forecast"} and all(row.arrivals > 5 for row in ahead.hours)
        past = workload.plan_day(hall=city, day=MORNING.date() - dt.timedelta(days=1), now=MORNING)
        assert {row.verdict for row in past.hours} & {"under", "over", "ok"}
        assert any(row.windows_open for row in past.hours)
        assert demo.load(now=MORNING)["history_tickets"] == 0


def test_the_demo_started_in_the_evening_sends_the_latest_working_days_surge_by_its_date(settings) -> None:
    """Walkthrough finding 13: `make run` in the evening judged the latest working day at 11:00
    and sent it as "今日…截至11:00". It is told now, as that day's."""
    from servicehall.notifications import MemoryBackend

    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    evening = dt.datetime(2026, 11, 28, 20, 0, tzinfo=SHANGHAI)  # a Saturday: Friday is judged
    try:
        with time_machine.travel(evening, tick=False):
            call_command("load_demo", "--no-calendar", verbosity=0)
        [flag] = SurgeFlag.objects.all()
        assert flag.date == dt.date(2026, 11, 27) and flag.checked_until == dt.time(11)
        messages = [m for m in MemoryBackend.outbox if m.data.get("kind") in ("surge_flag", "surge_digest")]
        assert messages
        for message in messages:
            assert "今日" not in message.subject + message.body and "11月27日" in message.subject
    finally:
        MemoryBackend.outbox.clear()
