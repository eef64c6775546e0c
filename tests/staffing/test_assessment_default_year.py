"""The assessment pages open on last year, except in December, when this year's assessment is
being prepared (issue 11's walkthrough: they opened on last year even in December)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from servicehall.clock import SHANGHAI
from staffing.assessments import default_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 1, 5), 2025),
        (dt.date(2026, 11, 30), 2025),
        (dt.date(2026, 12, 1), 2026),
        (dt.date(2026, 12, 31), 2026),
    ],
)
def test_the_default_year(today, year) -> None:
    assert default_year(today) == year


@pytest.mark.parametrize(("moment", "year"), [((2026, 11, 30), 2025), ((2026, 12, 3), 2026)])
def test_the_page_opens_on_the_default_year(client, world, moment, year) -> None:
    with time_machine.travel(dt.datetime(*moment, 10, tzinfo=SHANGHAI), tick=False):
        client.force_login(world.supervisor)
        page = client.get(reverse("staffing-assessments")).content.decode()
        assert f"{year}年度考核建议" in page
