"""The demo queues: categories and windows for every demo hall, today simulated up to now, history."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from catalog.models import Hall
from queueing import dashboard
from queueing import demo as queue_demo
from queueing.models import DailyStat, QueueCategory, Ticket, Window
from servicehall import simulator
from servicehall.clock import SHANGHAI

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI)


def test_demo_queues_for_every_hall_and_a_morning_at_the_busy_halls() -> None:
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        first = (
            QueueCategory.objects.count(),
            Window.objects.count(),
            Ticket.objects.count(),
            DailyStat.objects.count(),
        )
        call_command("load_demo", "--no-calendar", verbosity=0)
        again = (
            QueueCategory.objects.count(),
            Window.objects.count(),
            Ticket.objects.count(),
            DailyStat.objects.count(),
        )
    assert first == again
    for hall in Hall.objects.all():
        assert hall.queue_categories.exists() and hall.windows.exists(), hall.code
    city = Hall.objects.get(code="GZ-CITY")
    assert city.windows.filter(kind=Window.Kind.CANNOT_HANDLE).exists()
    assert city.windows.filter(kind=Window.Kind.COMPREHENSIVE).count() == 3
    assert city.queue_categories.get(letter="A").items.filter(department__code="GZGA").exists()
    tickets = Ticket.objects.filter(hall=city)
    assert tickets.filter(status="done", window__number=4, staff__username="window01").exists()
    # Closed up at the stop (docs/simulator.md): nobody logged in keeps a window, nobody waits
    # without one (the expired-login job would otherwise close the windows under a queue).
    assert tickets.filter(status="cancelled").exists() and not tickets.filter(status__in=Ticket.ACTIVE).exists()
    assert not Window.objects.filter(staff__isnull=False).exists()
    assert DailyStat.objects.filter(hall=city, scope="hall").count() >= 15
    # The history pages and their exports have each queue and window of those days too.
    day = DailyStat.objects.filter(hall=city, scope="hall").latest("date").date
    scopes = set(DailyStat.objects.filter(hall=city, date=day).values_list("scope", flat=True))
    assert {f"category:{c.pk}" for c in city.queue_categories.all()} <= scopes
    assert {f"window:{w.pk}" for w in city.windows.all()} <= scopes
    assert DailyStat.objects.filter(hall=city, scope="hall", waited_within_target__gt=0).exists()


def test_after_closing_the_whole_day_has_happened_and_before_opening_nothing_yet() -> None:
    """Issue 14: the demo's dashboards are alive during and after the halls' hours. `make run` in the evening finds
    the busy halls' whole day simulated (servicehall.simulator), everyone served or gone; early in
    the morning there is nothing today yet; a second run the same day adds nothing."""
    assert simulator.demo_today(now=MORNING.replace(hour=7)) == 0
    evening = MORNING.replace(hour=21)
    with time_machine.travel(evening, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
    today = Ticket.objects.filter(service_date=evening.date())
    assert today.filter(hall__code="GZ-CITY", status="done").count() > 20
    assert today.filter(hall__code="TH", status="done").exists()
    assert not today.filter(status__in=Ticket.ACTIVE).exists()
    count = today.count()
    assert simulator.demo_today(now=evening) == 0 and today.count() == count


def test_before_opening_make_run_says_when_today_begins() -> None:
    """Walkthrough finding 2: a demo started after midnight had no "today" and said nothing of
    it; `load_demo` now says that the halls have not opened and when they will."""
    from servicehall.management.commands.load_demo import not_open_yet

    call_command("load_demo_catalog", "--no-calendar", verbosity=0)
    with time_machine.travel(MORNING.replace(hour=0, minute=10), tick=False):
        said = not_open_yet()
    assert "have not opened yet today" in said and "2026-11-26 09:00 (Asia/Shanghai)" in said


def test_the_demo_windows_differ_from_one_another() -> None:
    """Issue 8: the history had the same row for every window of a day. Windows share the day by
    their kind and work at their own pace: comprehensive windows take more people than the green
    channel, and the average service time differs from window to window."""
    with time_machine.travel(MORNING, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
    city = Hall.objects.get(code="GZ-CITY")
    day = DailyStat.objects.filter(hall=city, scope="hall").latest("date").date
    rows = {stat.window: stat for stat in DailyStat.objects.filter(hall=city, date=day, window__isnull=False)}
    assert len(rows) == city.windows.count()
    issued = {stat.issued for stat in rows.values()}
    service = {round(stat.service_seconds_total / stat.served) for stat in rows.values() if stat.served}
    assert len(issued) > len(rows) // 2 and len(service) > len(rows) // 2
    by_kind = {kind: [s.issued for w, s in rows.items() if w.kind == kind] for kind in Window.Kind.values}
    assert min(by_kind[Window.Kind.COMPREHENSIVE]) > max(by_kind[Window.Kind.GREEN_CHANNEL])
    hall_row = DailyStat.objects.get(hall=city, date=day, scope="hall")
    assert abs(sum(stat.issued for stat in rows.values()) - hall_row.issued) <= len(rows)

    # Today's simulated morning: the two clerks signed in at the city centre work at their own pace.
    minutes = {}
    for number in (4, 6):
        done = Ticket.objects.filter(hall=city, window__number=number, status="done")
        spans = [(t.finished_at - t.started_at).total_seconds() / 60 for t in done]
        minutes[number] = sum(spans) / len(spans)
    assert abs(minutes[4] - minutes[6]) > 1


@pytest.mark.parametrize("hour", [11, 15, 21])
def test_the_demo_compares_today_with_a_like_day_last_week(hour) -> None:
    """Walkthrough finding 14: the overview read −100 % at every district centre the demo does
    not simulate today (they had a history) and −88 % at the city centre (its history was eight
    times the simulated day). Only the busy halls have a history, as busy as their simulated day."""
    now = MORNING.replace(hour=hour)
    with time_machine.travel(now, tick=False):
        call_command("load_demo", "--no-calendar", verbosity=0)
        overview = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=now)
    changes = {row.hall.code: row.issued_change for row in overview.rows}
    assert {code for code, change in changes.items() if change is not None} == set(queue_demo.BUSY_HALLS)
    # Like days, give or take a few dozen people's chance; the city centre's queue A has the
    # staffing demo's surge on top (staffing.demo).
    for code in queue_demo.BUSY_HALLS:
        assert -50 < changes[code] < 120, (code, changes[code])


def test_the_demo_history_is_as_busy_as_the_simulated_day() -> None:
    for level, per_day in queue_demo.HISTORY_PER_DAY.items():
        # The simulated walk-ins (the demo's simulated day books nobody ahead: appointments=False).
        assert per_day == round(
            simulator.DAILY_ARRIVALS[level] * queue_demo.DEMO_SCALE * (1 - simulator.APPOINTMENT_SHARE)
        )
    assert queue_demo.HISTORY_PROFILE == {h: simulator.HOURLY_PROFILE[h] for h in queue_demo.HISTORY_PROFILE}
