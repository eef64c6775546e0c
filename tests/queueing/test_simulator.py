"""The hall-day simulator (issue 14, docs/simulator.md): `manage.py simulate_day` drives the real
services through a day and leaves the database as they would, reproducibly."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q

from queueing.models import ServiceTimeProfile, Ticket, TicketEvent, Window
from servicehall import simulator
from tests.catalog import factories
from tests.queueing.factories import make_queue_hall

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 26)  # a Thursday, a working day


@pytest.fixture
def hall():
    return make_queue_hall("SIM").hall


def simulate(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("simulate_day", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_small_day_at_one_hall_goes_through_the_services_consistently(hall) -> None:
    [report] = simulate("--hall", "SIM", "--date", DAY.isoformat(), "--scale", "0.12", "--seed", "3")
    tickets = list(Ticket.objects.filter(hall=hall, service_date=DAY))
    assert len(tickets) == report["issued"] >= 20
    assert report["served"] > 0 and report["estimate"]["tickets"] > 0
    # Numbers are unique, and every ticket ended the day in a state a ticket can end in.
    assert len({t.number for t in tickets}) == len(tickets)
    assert {t.status for t in tickets} <= {Ticket.Status.DONE, Ticket.Status.NO_SHOW}
    events = {
        row["ticket_id"]: row
        for row in TicketEvent.objects.filter(ticket__in=tickets)
        .values("ticket_id")
        .annotate(
            issued=Count("pk", filter=Q(kind="issued")),
            called=Count("pk", filter=Q(kind="called")),
            finished=Count("pk", filter=Q(kind="finished")),
            no_show=Count("pk", filter=Q(kind="no_show")),
        )
    }
    for ticket in tickets:
        assert ticket.called_at is not None and ticket.arrived_at <= ticket.called_at, ticket.number
        assert ticket.wait_seconds(ticket.called_at) >= 0
        assert events[ticket.pk]["issued"] == 1 and events[ticket.pk]["called"] >= 1
        if ticket.status == Ticket.Status.DONE:
            assert ticket.called_at <= ticket.started_at <= ticket.finished_at, ticket.number
            assert events[ticket.pk]["finished"] == 1
        else:
            assert events[ticket.pk]["no_show"] == 1
    assert all(wait >= 0 for wait in [report["wait_minutes"]["mean"], report["wait_minutes"]["p50"]])
    # The simulated clerks have signed out; the day was rolled up and its service times learned.
    assert not Window.objects.filter(hall=hall, staff__isnull=False).exists()
    assert ServiceTimeProfile.objects.filter(category__hall=hall).exists()
    assert report["planner"] and all(h["windows_needed"] >= 0 for h in report["planner"])


def test_the_same_seed_gives_the_same_day_and_another_seed_another(hall) -> None:
    def day(seed: int) -> list[tuple]:
        with transaction.atomic():
            simulator.simulate_day(hall, DAY, simulator.Options(seed=seed, scale=0.08))
            rows = list(
                Ticket.objects.filter(hall=hall, service_date=DAY)
                .order_by("number")
                .values_list("number", "status", "priority", "called_at", "finished_at")
            )
            transaction.set_rollback(True)
        return rows

    first = day(5)
    assert first and day(5) == first
    assert day(6) != first


def test_a_day_already_simulated_is_not_simulated_again(hall) -> None:
    simulate("--hall", "SIM", "--date", DAY.isoformat(), "--scale", "0.05")
    count = Ticket.objects.filter(hall=hall).count()
    [again] = simulate("--hall", "SIM", "--date", DAY.isoformat(), "--scale", "0.05")
    assert again["skipped"] and Ticket.objects.filter(hall=hall).count() == count


def test_all_halls(hall) -> None:
    other = factories.hall(code="SIM2")
    from queueing.models import QueueCategory

    category = QueueCategory.objects.create(hall=other, letter="A", name="综合受理")
    Window.objects.create(hall=other, number=1, kind=Window.Kind.COMPREHENSIVE)
    reports = {r["hall"]: r for r in simulate("--all-halls", "--date", DAY.isoformat(), "--scale", "0.1")}
    assert set(reports) == {"SIM", "SIM2"}
    assert Ticket.objects.filter(hall=hall).exists() and Ticket.objects.filter(category=category).exists()


def test_a_closed_day_is_skipped(hall) -> None:
    [report] = simulate("--hall", "SIM", "--date", "2026-11-29")  # a Sunday
    assert report["skipped"] == "closed" and not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hall", "NOPE"], "未找到大厅"),
        (["--hall", "SIM", "--date", "2026-13-01"], "日期格式无效"),
        (["--hall", "SIM", "--date", "yesterday"], "日期格式无效"),
        ([], "--all-halls"),
        (["--hall", "SIM", "--all-halls"], "--all-halls"),
        (["--hall", "SIM", "--scale", "0"], "--scale"),
        (["--hall", "SIM", "--date", "2026-11-26", "--until-now"], "--until-now"),
    ],
)
def test_bad_arguments_are_refused_clearly(hall, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("simulate_day", *args, stdout=io.StringIO())
    assert not Ticket.objects.exists()


def test_the_text_report(hall) -> None:
    out = io.StringIO()
    call_command("simulate_day", "--hall", "SIM", "--date", DAY.isoformat(), "--scale", "0.05", stdout=out)
    text = out.getvalue()
    assert "Waits (min): mean" in text and "MAE" in text and "windows needed" in text


def test_the_monitor_limited_to_some_halls_leaves_the_others_alerts_alone(hall) -> None:
    from queueing import monitor
    from queueing.models import WaitAlert
    from servicehall.clock import SHANGHAI

    other = factories.hall(code="SIM3")
    evening = dt.datetime(2026, 11, 26, 21, 0, tzinfo=SHANGHAI)  # every hall closed: alerts close
    alert = WaitAlert.objects.create(
        hall=hall,
        category=hall.queue_categories.first(),
        reason=WaitAlert.Reason.LONG_WAIT,
        opened_at=evening - dt.timedelta(hours=5),
        notified_at=evening - dt.timedelta(hours=5),
        run_id="earlier",
        waiting=9,
        longest_wait_seconds=2400,
        open_windows=1,
        arrivals_per_hour=20,
        mean_service_seconds=480,
        recommended_extra_windows=1,
    )
    monitor.monitor_run(now=evening, hall_ids=[other.pk])
    alert.refresh_from_db()
    assert alert.closed_at is None
    monitor.monitor_run(now=evening, hall_ids=[hall.pk])
    alert.refresh_from_db()
    assert alert.closed_at == evening


def test_a_demo_run_stopped_before_closing_leaves_no_queue_without_an_open_window() -> None:
    """Walkthrough: the demo simulates today up to now with its clerks signed in; a minute later
    the job closing the windows of expired logins closed their windows (nobody is logged in) and
    the queue said "有人等候，但没有开放的窗口". Closing up, every clerk signs out through the
    services and the people still waiting give up their tickets."""
    import time_machine
    from django.utils import timezone

    from queueing import services

    queue_hall = make_queue_hall("SIM")
    opens = timezone.make_aware(dt.datetime.combine(DAY, dt.time(8, 55)))
    services.window_sign_in(window=queue_hall.comprehensive, staff=queue_hall.staff[1], now=opens)  # a demo clerk
    until = timezone.make_aware(dt.datetime.combine(DAY, dt.time(11, 0)))
    options = simulator.Options(seed=2, scale=0.4, staffing=0.5, until=until, estimates=False, close_up=True)
    with time_machine.travel(until, tick=False):  # today, up to now, as the demo runs
        report = simulator.simulate_day(queue_hall.hall, DAY, options)
    assert report.windows_staffed == 2 and not report.failures
    assert report.issued > 10 and report.still_waiting > 0
    assert report.gave_up == report.still_waiting
    assert not Window.objects.filter(staff__isnull=False).exists()
    assert not Ticket.objects.filter(status__in=Ticket.ACTIVE).exists()
    assert Ticket.objects.filter(status=Ticket.Status.CANCELLED).count() == report.gave_up
    assert services.windows_leave_expired_sessions(now=until + dt.timedelta(minutes=2)) == []


def test_the_simulated_clerks_are_named_as_people_not_after_windows() -> None:
    """Walkthrough: the simulated clerks were named "模拟N号窗口", shown untranslated on English
    pages beside the window's own (translated) name."""
    from queueing.models import QueueCategory
    from servicehall.models import StaffProfile

    other = factories.hall(code="SIM2")
    QueueCategory.objects.create(hall=other, letter="A", name="综合受理")
    for number in (1, 2):
        Window.objects.create(hall=other, number=number, kind=Window.Kind.COMPREHENSIVE)
    simulate("--hall", "SIM2", "--date", DAY.isoformat(), "--scale", "0.05")
    names = list(
        StaffProfile.objects.filter(user__username__startswith=simulator.SIM_USER_PREFIX).values_list(
            "display_name", flat=True
        )
    )
    assert len(names) == 2 and len(set(names)) == 2
    assert all(name in simulator.SIM_NAMES and "窗口" not in name for name in names)
