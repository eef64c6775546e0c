"""The demo ratings: two months rated at the busy centres, orders at several steps, the months
rolled up; a second load adds none."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from feedback import demo_ratings
from feedback.models_ratings import Rating, RectificationOrder, SatisfactionMonth
from servicehall.clock import SHANGHAI

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)


def test_demo_ratings_span_two_months_with_orders_and_a_second_load_adds_none() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        months = set(Rating.objects.values_list("served_month", flat=True))
        assert {dt.date(2026, 10, 1), dt.date(2026, 11, 1)} <= months
        assert Rating.objects.filter(case__isnull=False).exists()
        statuses = set(RectificationOrder.objects.values_list("status", flat=True))
        assert {"verifying", "follow_up", "rectifying", "appealed"} <= statuses
        assert SatisfactionMonth.objects.filter(month=dt.date(2026, 10, 1), scope="hall").count() == 2
        count = Rating.objects.count()
        assert demo_ratings.load(now=MORNING) == {"ratings": 0, "orders": 0}
        assert Rating.objects.count() == count
