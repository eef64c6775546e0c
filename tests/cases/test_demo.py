"""The demo cases: every state the pages show, made through the services; a second load adds none."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from cases import demo
from cases.models import Case, CaseClock, CaseWarningSummary
from servicehall.clock import SHANGHAI

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)  # a Thursday


def test_demo_cases_cover_the_states_and_a_second_load_adds_none() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        states = set(Case.objects.values_list("status", flat=True))
        assert states >= {
            "in_review",
            "accepted",
            "correction",
            "result_ready",
            "collected",
            "not_accepted",
            "special_step",
        }
        colours = set(CaseClock.objects.values_list("warning", flat=True))
        assert {"red", "yellow"} <= colours
        assert Case.objects.filter(deferred=True, owed__isnull=False).exists()
        assert Case.objects.filter(extensions__isnull=False).exists()
        assert CaseWarningSummary.objects.exists()
        count = Case.objects.count()
        assert demo.load(now=MORNING) == {"cases": 0}
        assert Case.objects.count() == count
