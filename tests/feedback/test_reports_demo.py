"""The demo “办不成事” reports: every stage of the loop, flags of both colours, a demo that passes the
hall rule's system check; a second load adds none."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from feedback import demo_reports
from feedback.checks_reports import check_report_windows
from feedback.models_reports import Report
from servicehall.clock import SHANGHAI

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)  # a Thursday


def test_demo_reports_cover_the_loop_and_the_demo_passes_the_check() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        assert check_report_windows(databases=["default"]) == []
        statuses = set(Report.objects.values_list("status", flat=True))
        assert statuses == {"registered", "assigned", "resolved", "followed_up"}
        assert {"red", "yellow"} <= set(Report.objects.values_list("flag", flat=True))
        assert Report.objects.filter(assignments__isnull=False, events__kind="note").exists()
        assert not Report.objects.filter(status="followed_up").exclude(contact_mobile="").exists()
        count = Report.objects.count()
        assert demo_reports.load(now=MORNING) == {"reports": 0}
        assert Report.objects.count() == count


def test_a_demo_loaded_before_ten_has_nothing_in_the_future() -> None:
    # Walkthrough: loaded at 02:39, today's report read "受理时间 10:00".
    early = MORNING.replace(hour=2, minute=39)
    with time_machine.travel(early, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
    assert Report.objects.exists()
    assert not Report.objects.filter(registered_at__gt=early).exists()
