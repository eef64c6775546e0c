"""The roll-up's rows agree with one another whatever the tickets (hypothesis): a scope's longest
wait is never shorter than its average, the queue categories add up to the hall (each ticket counts
in the category it ended up in), the windows add up to the hall's called tickets (each in the
window that last called it; tickets never called are in no window's row). And the demo's history
(walkthrough: max < average in 71 of 95 rows, no-shows 0 by queue beside 11 for the hall, sums
that did not match) is the roll-up of tickets, so it has the same properties and a rerun of the
roll-up writes the same rows."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from catalog.models import Hall
from queueing import demo as queue_demo
from queueing import rollup
from queueing.models import DailyStat, Ticket
from servicehall.clock import SHANGHAI
from tests.queueing.factories import NOW, QueueHall

pytestmark = pytest.mark.django_db

DB = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
DAY = NOW.date()
COUNTS = ("issued", "served", "no_show", "cancelled", "expired", "waited", "wait_seconds_total", "waited_within_target")
_serial = itertools.count(1)

# (issued in A?, ends in A?, window index or None, outcome, minutes from 08:30, wait, service)
TICKET = st.tuples(
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from(["done", "done", "no_show", "cancelled", "expired", "waiting"]),
    st.integers(0, 480),
    st.integers(0, 120),
    st.integers(1, 40),
)


def _tickets(qh: QueueHall, specs) -> list[Ticket]:
    windows = [qh.comprehensive, qh.window_a, qh.window_b, qh.green]
    made = []
    for issued_in_a, ends_in_a, window_index, outcome, offset, wait, service in specs:
        arrived = dt.datetime.combine(DAY, dt.time(8, 30), tzinfo=SHANGHAI) + dt.timedelta(minutes=offset)
        issued_in = qh.a if issued_in_a else qh.b
        n = next(_serial)
        ticket = Ticket(
            hall=qh.hall,
            category=qh.a if ends_in_a else qh.b,
            service_date=DAY,
            sequence=n,
            number=f"{issued_in.letter}{n:03d}",
            token=uuid.uuid4().hex,
            source=Ticket.Source.KIOSK,
            status=outcome,
            issued_at=arrived,
            arrived_at=arrived,
            transfer_count=int(issued_in_a != ends_in_a),
        )
        # Called (and so at a window) when it got that far; a transferred ticket waiting again or
        # expired has no window and no call (services.ticket_transfer clears both).
        if outcome in ("done", "no_show") and window_index is not None:
            ticket.window = windows[window_index]
            ticket.called_at = arrived + dt.timedelta(minutes=wait)
            ticket.call_count = 1
            if outcome == "done":
                ticket.started_at = ticket.called_at + dt.timedelta(minutes=1)
                ticket.finished_at = ticket.started_at + dt.timedelta(minutes=service)
            else:
                ticket.finished_at = ticket.called_at + dt.timedelta(minutes=3)
        elif outcome in ("done", "no_show"):
            ticket.status = Ticket.Status.CANCELLED
        made.append(ticket)
    return made


def adds_up(rows: list[DailyStat], name: str, expected: int) -> bool:
    """Counts add up exactly; time totals (each row's rounded to the second) within a second a row."""
    total = sum(getattr(row, name) for row in rows)
    return abs(total - expected) <= len(rows) if name.endswith("seconds_total") else total == expected


def assert_consistent(rows: list[DailyStat]) -> None:
    """The rows of one hall and day agree with one another."""
    [hall_row] = [row for row in rows if row.scope == rollup.HALL_SCOPE]
    categories = [row for row in rows if row.category_id is not None]
    windows = [row for row in rows if row.window_id is not None]
    assert len(categories) + len(windows) + 1 == len(rows)
    for row in rows:
        assert row.waited_within_target <= row.waited <= row.issued, row.scope
        assert row.served + row.no_show + row.cancelled + row.expired <= row.issued, row.scope
        if row.waited:
            # Seconds are rounded per total: the longest is at least the average, give or take that.
            assert row.max_wait_seconds * row.waited >= row.wait_seconds_total - row.waited, row.scope
            assert row.max_wait_seconds <= hall_row.max_wait_seconds
        else:
            assert row.max_wait_seconds == 0 and row.wait_seconds_total == 0, row.scope
    for name in COUNTS:
        assert adds_up(categories, name, getattr(hall_row, name)), name
    # Windows: every called ticket is in the row of the window that called it last; those never
    # called (cancelled, expired, waiting) are in none.
    for name in ("served", "no_show", "waited", "wait_seconds_total", "waited_within_target", "service_seconds_total"):
        assert adds_up(windows, name, getattr(hall_row, name)), name
    assert sum(row.issued for row in windows) == hall_row.waited
    assert max((row.max_wait_seconds for row in categories), default=0) == hall_row.max_wait_seconds


@DB
@given(specs=st.lists(TICKET, min_size=1, max_size=25))
def test_any_day_rolls_up_into_rows_that_agree(qh, specs) -> None:
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create(_tickets(qh, specs))
        rollup.rollup_day(day=DAY)
        rows = list(DailyStat.objects.filter(hall=qh.hall, date=DAY))
        assert_consistent(rows)
        hall_row = next(row for row in rows if row.scope == rollup.HALL_SCOPE)
        assert hall_row.issued == len(tickets)
        assert hall_row.no_show == sum(1 for t in tickets if t.status == Ticket.Status.NO_SHOW)
        transaction.set_rollback(True)


# The walkthrough's demo: a Thursday morning, the history's last week 2026-11-27..12-03 before it.
DEMO_NOW = dt.datetime(2026, 12, 4, 11, 0, tzinfo=SHANGHAI)


def test_the_demo_history_is_the_rollup_of_its_tickets() -> None:
    with time_machine.travel(DEMO_NOW, tick=False):
        call_command("load_demo_catalog", "--no-calendar", verbosity=0)
        queue_demo.load(now=DEMO_NOW)
    city = Hall.objects.get(code="GZ-CITY")
    week = DailyStat.objects.filter(hall=city, date__range=(dt.date(2026, 11, 27), dt.date(2026, 12, 3)))
    days = sorted(set(week.values_list("date", flat=True)))
    assert len(days) >= 5
    for day in days:
        assert_consistent(list(week.filter(date=day)))
    # No-shows by queue: those of the hall, not rounded away.
    period = week.exclude(scope=rollup.HALL_SCOPE)
    hall_no_shows = sum(week.filter(scope=rollup.HALL_SCOPE).values_list("no_show", flat=True))
    assert hall_no_shows > 0
    assert sum(period.filter(category__isnull=False).values_list("no_show", flat=True)) == hall_no_shows
    assert sum(period.filter(window__isnull=False).values_list("no_show", flat=True)) == hall_no_shows
    # The stored rows are what the nightly roll-up writes from the tickets: a rerun changes nothing.
    before = {(row.date, row.scope): row.hourly | {"figures": _figures(row)} for row in week}
    for day in days:
        rollup.rollup_day(day=day)
    after = {(row.date, row.scope): row.hourly | {"figures": _figures(row)} for row in week.all()}
    assert after == before
    # A second load adds no tickets and no rows.
    tickets = Ticket.objects.count()
    with time_machine.travel(DEMO_NOW, tick=False):
        assert queue_demo.load(now=DEMO_NOW)["daily_stats"] == 0
    assert Ticket.objects.count() == tickets


def test_rows_an_earlier_demo_wrote_directly_are_replaced() -> None:
    """A database loaded before the fix has history rows without tickets: the next load writes
    the tickets and rolls the days up again, which replaces the impossible rows."""
    with time_machine.travel(DEMO_NOW, tick=False):
        call_command("load_demo_catalog", "--no-calendar", verbosity=0)
        queue_demo.load(now=DEMO_NOW)
        city = Hall.objects.get(code="GZ-CITY")
        day = dt.date(2026, 12, 3)
        category = DailyStat.objects.filter(hall=city, date=day, category__isnull=False).first()
        Ticket.objects.filter(hall=city, service_date=day).delete()
        DailyStat.objects.filter(pk=category.pk).update(max_wait_seconds=1, no_show=0)
        queue_demo.load(now=DEMO_NOW)
    assert_consistent(list(DailyStat.objects.filter(hall=city, date=day)))
    assert Ticket.objects.filter(hall=city, service_date=day).exists()


def _figures(row: DailyStat) -> tuple[int, ...]:
    return tuple(getattr(row, name) for name in (*COUNTS, "max_wait_seconds", "service_seconds_total"))
