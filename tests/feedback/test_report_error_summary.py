"""The "办不成事" report form shares the error summary of the application page
(templates/_error_summary.html): its entries name their fields too (walkthrough 2026-12, walk C)."""

from __future__ import annotations

import re

import pytest
import time_machine

from feedback.models_reports import Report
from tests.feedback.reports_world import report_world
from tests.feedback.test_free_text import _form
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        yield report_world()


def test_the_report_forms_summary_names_each_field(client, world) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client.post("/report/", _form(world, mobile="12345"))

    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S).group(0)
    assert re.search(r'<a href="#id_mobile">手机号码：[^<]+</a>', summary)
    assert Report.objects.count() == 0
