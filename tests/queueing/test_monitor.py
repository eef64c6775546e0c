"""The wait monitor: thresholds, one alert per queue, closing, notifications, query count, races."""

from __future__ import annotations

import datetime as dt
import importlib
import secrets
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CalendarDay, Hall
from queueing import monitor, services
from queueing.models import HallQueueSettings, QueueCategory, Ticket, WaitAlert, Window
from servicehall import notifications, roles
from servicehall.clock import SHANGHAI
from servicehall.notifications import MemoryBackend
from tests.catalog import factories
from tests.concurrency import in_threads
from tests.markers import needs_postgres
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def supervisors(qh) -> dict[str, object]:
    """A supervisor of the hall, a citywide one, and people who must not be told."""
    other = factories.hall(code="OTHER")
    return {
        "hall": staff_user("sup-qh", role=roles.SUPERVISOR, hall_=qh.hall),
        "city": staff_user("sup-city", role=roles.SUPERVISOR),
        "other_hall": staff_user("sup-other", role=roles.SUPERVISOR, hall_=other),
        "inactive": staff_user("sup-gone", role=roles.SUPERVISOR, hall_=qh.hall, is_active=False),
    }


def issue(qh, category=None, at=NOW, **kwargs) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk", now=at, **kwargs).ticket


def issue_many(qh, count: int, category=None, start=NOW) -> list[Ticket]:
    return [issue(qh, category, start + k * MIN) for k in range(count)]


def open_window(qh, window: Window, at=NOW) -> None:
    services.window_sign_in(window=window, staff=qh.staff[window.number], now=at)


def serve(qh, window: Window, *, called: dt.datetime, minutes: int) -> Ticket:
    staff = qh.staff[window.number]
    ticket = services.ticket_call_next(window=window, staff=staff, now=called)
    services.ticket_start(window=window, ticket=ticket, staff=staff, now=called)
    return services.ticket_finish(window=window, ticket=ticket, staff=staff, now=called + minutes * MIN)


# --- Raising ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_long_queue_raises_one_alert_with_its_figures_and_recommendation(qh, supervisors, outbox) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)  # NOW … NOW+9

    result = monitor.monitor_run(now=NOW + 20 * MIN)

    # Two halls open (the other supervisor's hall has no queues), two queues, A over.
    assert (result.halls_open, result.queues_evaluated, result.queues_over) == (2, 2, 1)
    assert (result.raised, result.notified, result.closed) == (1, 1, 0)
    alert = WaitAlert.objects.get()
    assert (alert.hall, alert.category, alert.reason) == (qh.hall, qh.a, WaitAlert.Reason.LONG_QUEUE)
    assert alert.run_id == result.run_id and alert.opened_at == NOW + 20 * MIN and alert.is_open
    assert alert.waiting == 10 and alert.open_windows == 1  # 10 > 8 per window
    assert alert.longest_wait_seconds == 20 * 60  # under 30 minutes: not a long wait
    assert alert.arrivals_per_hour == 20.0  # 10 in the last half hour
    assert alert.mean_service_seconds == 480.0  # no history yet: the 8-minute prior
    # λ = 1/3 per minute, s = 8 min → a = 2.67 Erlangs; W_q(3) = 19.1 min, W_q(4) = 2.3 min, so
    # Erlang C asks for 4 windows within the 15-minute target. The backlog rule asks for
    # ceil(10 × 8 / 15) = 6. Six needed, one open: open five more.
    assert alert.recommended_extra_windows == 5


@pytest.mark.django_db
def test_the_next_run_neither_raises_nor_notifies_again(qh, supervisors, outbox) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    monitor.monitor_run(now=NOW + 20 * MIN)
    first = WaitAlert.objects.get()

    again = monitor.monitor_run(now=NOW + 21 * MIN)
    later = monitor.monitor_run(now=NOW + 35 * MIN)  # now a long wait as well: still the same alert

    assert (again.queues_over, again.raised, again.notified) == (1, 0, 0)
    assert (later.queues_over, later.raised, later.notified) == (1, 0, 0)
    assert list(WaitAlert.objects.all()) == [first]
    assert len(outbox) == 1


@pytest.mark.django_db
def test_an_alert_closes_when_the_queue_is_back_under_and_a_later_surge_opens_a_new_one(qh, supervisors) -> None:
    open_window(qh, qh.window_a)
    tickets = issue_many(qh, 10)
    monitor.monitor_run(now=NOW + 20 * MIN)
    services.ticket_cancel(ticket=tickets[-1], now=NOW + 21 * MIN)
    services.ticket_cancel(ticket=tickets[-2], now=NOW + 21 * MIN)  # 8 waiting: not more than 8

    result = monitor.monitor_run(now=NOW + 22 * MIN)

    assert (result.queues_over, result.raised, result.closed) == (0, 0, 1)
    alert = WaitAlert.objects.get()
    assert alert.closed_at == NOW + 22 * MIN and not alert.is_open
    assert monitor.monitor_run(now=NOW + 23 * MIN).closed == 0  # closed once

    issue_many(qh, 2, start=NOW + 24 * MIN)
    assert monitor.monitor_run(now=NOW + 26 * MIN).raised == 1
    assert WaitAlert.objects.filter(closed_at__isnull=True).count() == 1
    assert WaitAlert.objects.count() == 2


@pytest.mark.django_db
def test_a_long_wait_raises_only_once_past_the_threshold(qh, supervisors) -> None:
    open_window(qh, qh.window_a)
    issue(qh, at=NOW)

    assert monitor.monitor_run(now=NOW + 30 * MIN).raised == 0  # 30 minutes is not past 30
    assert monitor.monitor_run(now=NOW + 31 * MIN).raised == 1

    alert = WaitAlert.objects.get()
    assert alert.reason == WaitAlert.Reason.LONG_WAIT
    assert (alert.waiting, alert.longest_wait_seconds) == (1, 31 * 60)
    # One person, arrivals 1 per half hour: one open window is enough.
    assert alert.recommended_extra_windows == 0


@pytest.mark.django_db
def test_long_wait_and_long_queue_together(qh, supervisors, outbox) -> None:
    issue_many(qh, 9)  # no window open: 9 waiting > 8 × max(0, 1)

    monitor.monitor_run(now=NOW + 40 * MIN)

    alert = WaitAlert.objects.get()
    assert alert.reason == WaitAlert.Reason.BOTH and alert.open_windows == 0
    assert "等候时间过长且排队人数过多" in outbox[0].subject


@pytest.mark.django_db
def test_hall_thresholds_override_the_defaults_and_category_thresholds_the_hall(qh, supervisors) -> None:
    HallQueueSettings.objects.create(hall=qh.hall, max_wait_minutes=10)
    QueueCategory.objects.filter(pk=qh.b.pk).update(max_wait_minutes=20, max_waiting_per_window=2)
    open_window(qh, qh.window_a)
    open_window(qh, qh.window_b)
    issue(qh, qh.a, at=NOW)
    issue_many(qh, 3, qh.b, start=NOW)

    result = monitor.monitor_run(now=NOW + 11 * MIN)

    # A: 11 minutes > the hall's 10. B: 11 minutes is within its own 20, but 3 waiting > 2.
    assert result.raised == 2
    reasons = dict(WaitAlert.objects.values_list("category__letter", "reason"))
    assert reasons == {"A": WaitAlert.Reason.LONG_WAIT, "B": WaitAlert.Reason.LONG_QUEUE}


@pytest.mark.django_db
def test_thresholds_are_per_hall(qh, supervisors) -> None:
    strict = make_queue_hall("ST")
    HallQueueSettings.objects.create(hall=strict.hall, max_waiting_per_window=1)
    for hall in (qh, strict):
        open_window(hall, hall.window_a)
        issue_many(hall, 2)

    assert monitor.monitor_run(now=NOW + 5 * MIN).raised == 1
    assert WaitAlert.objects.get().hall == strict.hall


@pytest.mark.django_db
def test_comprehensive_windows_serve_every_queue_green_channel_windows_their_own(qh, supervisors) -> None:
    qh.sign_in_all()
    qh.comprehensive.categories.add(qh.a)  # ticked by mistake: still counted once
    issue_many(qh, 25, qh.a)  # A: comprehensive + window 2 + green channel = 3 windows; 25 > 24
    issue_many(qh, 17, qh.b)  # B: comprehensive + window 3 = 2 windows; 17 > 16

    monitor.monitor_run(now=NOW + 26 * MIN)

    windows = dict(WaitAlert.objects.values_list("category__letter", "open_windows"))
    assert windows == {"A": 3, "B": 2}


@pytest.mark.django_db
def test_service_time_comes_from_recent_finished_tickets_shrunk_toward_the_prior(qh, supervisors) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 3, start=NOW - 5 * MIN)
    for k in range(3):
        serve(qh, qh.window_a, called=NOW + (5 * k) * MIN, minutes=4)
    issue_many(qh, 10, start=NOW + 15 * MIN)

    monitor.monitor_run(now=NOW + 30 * MIN)

    alert = WaitAlert.objects.get()
    # Three services of 4 minutes and three prior weights of 8: (3 × 240 + 3 × 480) / 6.
    assert alert.mean_service_seconds == 360.0
    assert alert.arrivals_per_hour == 20.0  # the 3 served were taken more than 30 minutes ago
    # λ = 1/3 per minute, s = 6 min → a = 2 Erlangs; W_q(3) = C(3, 2) · 6 / (3 − 2) = 4/9 · 6
    # = 2.7 min ≤ 15, so Erlang C asks for 3. The backlog rule: ceil(10 × 6 / 15) = 4. Four
    # needed, one open: three more.
    assert alert.recommended_extra_windows == 3


@pytest.mark.django_db
def test_an_appointment_checked_in_early_waits_from_its_slot(qh, supervisors) -> None:
    open_window(qh, qh.window_a)
    issue(qh, at=NOW, priority="appointment", not_before=NOW + 30 * MIN)

    assert monitor.monitor_run(now=NOW + 45 * MIN).raised == 0  # 15 minutes since the slot
    assert monitor.monitor_run(now=NOW + 61 * MIN).raised == 1
    assert WaitAlert.objects.get().longest_wait_seconds == 31 * 60


# --- Closed halls ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_hall_is_not_evaluated_and_its_alerts_close_at_closing_time(qh, supervisors) -> None:
    afternoon = dt.datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI)
    open_window(qh, qh.window_a, at=afternoon)
    issue_many(qh, 10, start=afternoon)
    assert monitor.monitor_run(now=afternoon + 20 * MIN).raised == 1

    at_closing = monitor.monitor_run(now=dt.datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI))

    assert (at_closing.halls_open, at_closing.queues_evaluated, at_closing.raised, at_closing.closed) == (0, 0, 0, 1)
    assert WaitAlert.objects.get().closed_at == dt.datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 26, 8, 30, tzinfo=SHANGHAI),  # before opening
        dt.datetime(2026, 11, 26, 19, 0, tzinfo=SHANGHAI),  # after closing
        dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI),  # a Saturday
        dt.datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI),  # National Day, a Thursday
    ],
)
def test_closed_halls_are_ignored(qh, moment) -> None:
    Ticket.objects.bulk_create(_tickets(qh.hall, qh.a, day=moment.date(), waiting=20, arrived=moment - 60 * MIN))

    result = monitor.monitor_run(now=moment)

    assert (result.halls_open, result.queues_evaluated, result.raised) == (0, 0, 0)
    assert not WaitAlert.objects.exists()


@pytest.mark.django_db
def test_a_make_up_workday_on_a_weekend_opens_with_monday_hours(qh) -> None:
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    CalendarDay.objects.create(date=saturday.date(), kind=CalendarDay.Kind.MAKEUP_WORKDAY)

    result = monitor.monitor_run(now=saturday)

    assert (result.halls_open, result.queues_evaluated) == (1, 2)


@pytest.mark.django_db
def test_the_lunch_break_neither_raises_nor_closes(qh, supervisors) -> None:
    open_window(qh, qh.window_a)
    tickets = issue_many(qh, 10, start=NOW + 100 * MIN)  # 11:40 …
    assert monitor.monitor_run(now=NOW + 115 * MIN).raised == 1  # 11:55
    for ticket in tickets:
        services.ticket_cancel(ticket=ticket, now=NOW + 125 * MIN)
    issue_many(qh, 10, qh.b, start=NOW + 126 * MIN)  # taken at lunch, for the afternoon

    lunch = monitor.monitor_run(now=NOW + 150 * MIN)  # 12:30

    assert (lunch.halls_open, lunch.queues_evaluated, lunch.raised, lunch.closed) == (0, 0, 0, 0)
    assert WaitAlert.objects.get().is_open
    afternoon = monitor.monitor_run(now=NOW + 181 * MIN)  # 13:01: A back under, B over
    assert (afternoon.raised, afternoon.closed) == (1, 1)


# --- Notifications ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_halls_and_the_citywide_supervisors_are_notified_once_in_chinese(qh, supervisors, outbox) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    monitor.monitor_run(now=NOW + 20 * MIN)
    monitor.monitor_run(now=NOW + 21 * MIN)

    assert len(outbox) == 1
    message = outbox[0]
    assert message.recipients == ["sup-city", "sup-qh"]  # not another hall's, not the inactive one
    assert qh.hall.name in message.subject and "A类（户政业务）" in message.subject
    assert "排队人数过多" in message.subject
    for figure in (
        "截至10:20，",
        "10人等候",
        "最长已等候20分钟",
        "开放窗口1个",
        "建议增开5个窗口",
        "每个开放窗口等候超过8人",
    ):
        assert figure in message.body
    alert = WaitAlert.objects.get()
    assert message.data == {
        "kind": "wait_alert",
        "alert": alert.pk,
        "hall": qh.hall.code,
        "category": "A",
        "reason": "long_queue",
        "recommended_extra_windows": 5,
    }
    assert alert.notified_at == NOW + 20 * MIN


@pytest.mark.django_db
def test_a_failed_notification_is_sent_by_the_next_run(qh, supervisors, outbox, monkeypatch) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    real_notify = notifications.notify

    def gateway_down(**_kwargs):
        raise ConnectionError("SMS gateway unreachable")

    monkeypatch.setattr(notifications, "notify", gateway_down)
    failed = monitor.monitor_run(now=NOW + 20 * MIN)
    assert (failed.raised, failed.notified, failed.notify_failed) == (1, 0, 1)
    assert WaitAlert.objects.get().notified_at is None

    monkeypatch.setattr(notifications, "notify", real_notify)
    retry = monitor.monitor_run(now=NOW + 21 * MIN)

    assert (retry.raised, retry.notified) == (0, 1)
    assert len(outbox) == 1 and WaitAlert.objects.get().notified_at == NOW + 21 * MIN
    assert monitor.monitor_run(now=NOW + 22 * MIN).notified == 0
    # Sent a minute late (and read perhaps much later): the figures say when they were taken, in
    # the past, never "现有" (now).
    body = outbox[0].body
    assert body.startswith("截至10:20，") and "现有" not in body and "近30分钟" not in body


@pytest.mark.django_db
def test_without_supervisors_the_alert_is_raised_and_not_retried(qh, outbox, caplog) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)

    first = monitor.monitor_run(now=NOW + 20 * MIN)
    second = monitor.monitor_run(now=NOW + 21 * MIN)

    assert (first.raised, first.notified, second.notified) == (1, 0, 0)
    assert outbox == [] and "no supervisor to notify" in caplog.text
    assert WaitAlert.objects.get().notified_at is not None


# --- Races -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_that_loses_the_insert_race_raises_and_notifies_nothing(qh, supervisors, outbox, monkeypatch) -> None:
    """Another worker inserts the queue's alert after this run read the open alerts."""
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    real_alert = monitor._alert

    def other_worker_first(state, *, run_id, now):
        WaitAlert.objects.get_or_create(
            hall=state.hall, category=state.category, closed_at=None, defaults=_alert_fields("other-run", now)
        )
        return real_alert(state, run_id=run_id, now=now)

    monkeypatch.setattr(monitor, "_alert", other_worker_first)
    result = monitor.monitor_run(now=NOW + 20 * MIN)

    assert (result.queues_over, result.raised, result.notified) == (1, 0, 0)
    assert WaitAlert.objects.get().run_id == "other-run"
    assert outbox == []  # the run that raised it tells the supervisors


@pytest.mark.django_db
def test_an_alert_another_run_has_claimed_is_not_notified_again(qh, supervisors) -> None:
    alert = WaitAlert.objects.create(hall=qh.hall, category=qh.a, **_alert_fields("r1", NOW))

    assert monitor._claim_for_notification([alert.pk], now=NOW) == {alert.pk}
    assert monitor._claim_for_notification([alert.pk], now=NOW + MIN) == set()
    alert.refresh_from_db()
    assert alert.notified_at == NOW


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_raise_one_alert(qh, supervisors, outbox, monkeypatch) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    real_alert = monitor._alert
    barrier = threading.Barrier(2)

    def together(state, *, run_id, now):
        barrier.wait(timeout=20)  # both runs have read "no open alert" and insert now
        return real_alert(state, run_id=run_id, now=now)

    monkeypatch.setattr(monitor, "_alert", together)
    for attempt in range(5):
        now = NOW + (20 + attempt) * MIN
        results = in_threads(2, lambda _k, now=now: monitor.monitor_run(now=now))
        assert sorted(r.raised for r in results) == [0, 1], f"attempt {attempt}"
        assert sum(r.notified for r in results) == 1
        assert WaitAlert.objects.filter(closed_at__isnull=True).count() == 1
        WaitAlert.objects.update(closed_at=now)  # next attempt races for a fresh alert
    assert WaitAlert.objects.count() == 5
    assert len(outbox) == 5


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_notify_an_unnotified_alert_once(qh, supervisors, outbox, monkeypatch) -> None:
    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    real_claim = monitor._claim_for_notification
    barrier = threading.Barrier(2)

    def together(alert_ids, *, now):
        barrier.wait(timeout=20)
        return real_claim(alert_ids, now=now)

    monkeypatch.setattr(monitor, "_claim_for_notification", together)
    for attempt in range(5):
        now = NOW + (20 + attempt) * MIN
        # Left by a run that died between its insert and its message.
        WaitAlert.objects.create(hall=qh.hall, category=qh.a, **_alert_fields(f"dead-{attempt}", now))
        results = in_threads(2, lambda _k, now=now: monitor.monitor_run(now=now))
        assert sorted(r.notified for r in results) == [0, 1], f"attempt {attempt}"
        WaitAlert.objects.update(closed_at=now)
    assert len(outbox) == 5


def _alert_fields(run_id: str, now: dt.datetime) -> dict[str, object]:
    return {
        "reason": WaitAlert.Reason.LONG_QUEUE,
        "opened_at": now,
        "run_id": run_id,
        "waiting": 10,
        "longest_wait_seconds": 600,
        "open_windows": 1,
        "arrivals_per_hour": 20.0,
        "mean_service_seconds": 480.0,
        "recommended_extra_windows": 5,
    }


# --- Query count -----------------------------------------------------------------------------

# One run reads: the day's calendar kind, the opening hours, the day's booked staggered slots
# (queueing.staggered), the categories with their halls and settings, the ticket aggregate, the
# open windows, the open alerts.
EVALUATION_QUERIES = 7
# Raising adds the insert, the read-back, the claim (SELECT … FOR UPDATE, UPDATE, and the
# savepoint pair the test's transaction puts around it) and the supervisors.
RAISING_QUERIES = EVALUATION_QUERIES + 7
CLOSING_QUERIES = EVALUATION_QUERIES + 1


def _tickets(hall: Hall, category: QueueCategory, *, day: dt.date, waiting: int, arrived: dt.datetime) -> list[Ticket]:
    base = Ticket.objects.filter(hall=hall, service_date=day).count()
    return [
        Ticket(
            hall=hall,
            category=category,
            service_date=day,
            sequence=base + k + 1,
            number=f"{category.letter}{base + k + 1:03d}",
            token=secrets.token_urlsafe(18),
            source=Ticket.Source.KIOSK,
            issued_at=arrived + k * MIN,
            arrived_at=arrived + k * MIN,
        )
        for k in range(waiting)
    ]


def _busy_halls(count: int) -> list[QueueCategory]:
    """``count`` halls with three queues each, every queue over its threshold: 20 waiting on two
    windows (its own and the comprehensive one), the oldest for 40 minutes, and 5 served."""
    staff_user("sup-city", role=roles.SUPERVISOR)
    categories: list[QueueCategory] = []
    tickets: list[Ticket] = []
    for n in range(count):
        hall = factories.hall(code=f"BUSY{n}")
        staff_user(f"sup-busy{n}", role=roles.SUPERVISOR, hall_=hall)
        mine = QueueCategory.objects.bulk_create(
            QueueCategory(hall=hall, letter=letter, name=f"业务{letter}", order=k) for k, letter in enumerate("ABC")
        )
        Window.objects.create(hall=hall, number=1, kind=Window.Kind.COMPREHENSIVE, is_open=True)
        for k, category in enumerate(mine):
            window = Window.objects.create(hall=hall, number=k + 2, kind=Window.Kind.SPECIALISED, is_open=True)
            window.categories.add(category)
            served = _tickets(hall, category, day=NOW.date(), waiting=5, arrived=NOW - 90 * MIN)
            for j, ticket in enumerate(served):
                ticket.number = f"{category.letter}{900 + j}"
                ticket.status = Ticket.Status.DONE
                ticket.called_at = ticket.started_at = NOW - (60 - 10 * j) * MIN
                ticket.finished_at = ticket.started_at + 6 * MIN
            tickets += served + _tickets(hall, category, day=NOW.date(), waiting=20, arrived=NOW - 40 * MIN)
        categories += mine
    Ticket.objects.bulk_create(tickets)
    return categories


@pytest.mark.django_db
@pytest.mark.parametrize("halls", [2, 20])
def test_one_run_costs_the_same_queries_for_2_halls_and_for_20(halls: int, outbox) -> None:
    categories = _busy_halls(halls)

    with CaptureQueriesContext(connection) as raising:
        raised = monitor.monitor_run(now=NOW)
    with CaptureQueriesContext(connection) as steady:
        unchanged = monitor.monitor_run(now=NOW + MIN)
    Ticket.objects.filter(category__letter="A", status=Ticket.Status.WAITING).update(status=Ticket.Status.CANCELLED)
    with CaptureQueriesContext(connection) as closing:
        recovered = monitor.monitor_run(now=NOW + 2 * MIN)

    assert (raised.queues_evaluated, raised.raised, raised.notified) == (3 * halls, 3 * halls, 3 * halls)
    assert (unchanged.raised, recovered.closed) == (0, halls)
    assert len(outbox) == 3 * halls and len(categories) == 3 * halls
    assert len(raising.captured_queries) == RAISING_QUERIES
    assert len(steady.captured_queries) == EVALUATION_QUERIES
    assert len(closing.captured_queries) == CLOSING_QUERIES


# --- Tasks -----------------------------------------------------------------------------------


def test_the_beat_schedule_names_the_queue_tasks_of_the_celery_app(settings) -> None:
    from servicehall.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    queue_tasks = {name for name in scheduled if name.startswith("queueing.")}
    assert queue_tasks == {
        "queueing.tasks.monitor_queues",
        "queueing.tasks.expire_tickets",
        "queueing.tasks.leave_windows_of_expired_sessions",
        "queueing.tasks.rollup_yesterday",
    }
    # A worker's autodiscovery imports each app's tasks module; a test run alone (or on another
    # xdist worker) may not have imported it yet.
    importlib.import_module("queueing.tasks")
    assert queue_tasks <= set(app.tasks)


@pytest.mark.django_db
def test_the_monitor_task_runs_one_pass_at_the_current_time(qh, supervisors, outbox, caplog) -> None:
    from queueing.tasks import monitor_queues

    open_window(qh, qh.window_a)
    issue_many(qh, 10)
    caplog.set_level("INFO", logger="queueing.tasks")
    with time_machine.travel(NOW + 20 * MIN, tick=False):
        summary = monitor_queues.delay().get()

    assert (summary["queues_over"], summary["raised"], summary["notified"]) == (1, 1, 1)
    assert WaitAlert.objects.get().opened_at == NOW + 20 * MIN
    assert f"wait monitor {summary['run_id']}: 2 halls open, 2 queues evaluated, 1 over, 1 raised" in caplog.text


@pytest.mark.django_db
def test_the_expiry_task_expires_what_was_left_at_closing(qh) -> None:
    from queueing.tasks import expire_tickets

    ticket = issue(qh, at=NOW)
    with time_machine.travel(dt.datetime(2026, 11, 26, 16, 59, tzinfo=SHANGHAI), tick=False):
        assert expire_tickets.delay().get() == 0
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, 5, tzinfo=SHANGHAI), tick=False):
        assert expire_tickets.delay().get() == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.EXPIRED
