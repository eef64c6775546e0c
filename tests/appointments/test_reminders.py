"""Reminders: the confirmation, the day-before and hour-before reminders at their time (time
passed in), cancellation and slot-closure notices; each sent once, whether the job runs twice,
two runs race (threads on PostgreSQL), a worker dies after claiming, or a real Celery worker on
Redis runs the task twice; reminders made obsolete by a reschedule or a cancellation are skipped."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from appointments import services
from appointments.models import Booking, HallBookingSettings, Reminder, Slot
from servicehall import memo
from servicehall.clock import SHANGHAI
from servicehall.notifications import MemoryBackend
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.concurrency import in_threads, private_queue, start_worker, worker_env
from tests.markers import needs_postgres, needs_redis
from tests.servicehall.test_notifications import FakeGateway

ROOT = Path(__file__).resolve().parents[2]
D = dt.date
MIN = dt.timedelta(minutes=1)


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "10000/hour"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def book(slot: Slot, k: int = 1, now: dt.datetime = NOW) -> Booking:
    return services.booking_create(slot=slot, now=now, **person(k))


def sent(outbox) -> list[tuple[str, str]]:
    """(kind, booking code) of each message sent, in order."""
    return [(n.data["kind"], n.data["booking"]) for n in outbox]


def keys(outbox) -> Counter:
    return Counter(n.data["idempotency_key"] for n in outbox)


# --- At their time ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirmation_now_then_the_day_before_and_the_hour_before(bh, outbox) -> None:
    wednesday = D(2026, 11, 25)
    booking = book(bh.slot(wednesday, 10), 1)
    assert services.reminders_send_due(now=NOW) == 1
    (confirmation,) = outbox
    assert confirmation.recipients == [person(1)["mobile"]] and confirmation.subject == "预约成功"
    assert booking.code in confirmation.body and "2026年11月25日 10:00" in confirmation.body
    assert f"{settings.PORTAL_BASE_URL}/book/manage/{booking.manage_token}/" in confirmation.body
    assert confirmation.body.startswith("【广州政务服务】")

    tuesday = D(2026, 11, 24)
    assert services.reminders_send_due(now=at(tuesday, 9, 59)) == 0
    assert services.reminders_send_due(now=at(tuesday, 10)) == 1
    assert sent(outbox)[-1] == ("day_before", booking.code) and "明天 10:00" in outbox[-1].body
    assert services.reminders_send_due(now=at(wednesday, 8, 59)) == 0
    assert services.reminders_send_due(now=at(wednesday, 9)) == 1
    assert sent(outbox)[-1] == ("hour_before", booking.code) and "将于 10:00 开始" in outbox[-1].body
    assert services.reminders_send_due(now=at(wednesday, 9, 30)) == 0

    reminders = Reminder.objects.filter(booking=booking)
    assert set(reminders.values_list("status", flat=True)) == {"sent"}
    assert set(reminders.values_list("attempts", flat=True)) == {1}
    assert set(keys(outbox)) == {f"reminder-{pk}" for pk in reminders.values_list("pk", flat=True)}


@pytest.mark.django_db
def test_the_confirmation_states_the_halls_own_check_in_window(bh, outbox) -> None:
    book(bh.slot(D(2026, 11, 25), 10), 1)
    assert services.reminders_send_due(now=NOW) == 1
    assert "于开始前30分钟至开始后15分钟内到大厅签到" in outbox[-1].body

    HallBookingSettings.objects.create(hall=bh.hall, checkin_before_minutes=20, checkin_after_minutes=10)
    memo.forget()
    book(bh.slot(D(2026, 11, 26), 10), 2)
    assert services.reminders_send_due(now=NOW) == 1
    assert "于开始前20分钟至开始后10分钟内到大厅签到" in outbox[-1].body


@pytest.mark.django_db
def test_a_booking_for_later_today_gets_only_what_is_still_ahead(bh, outbox) -> None:
    booking = book(bh.slot(D(2026, 11, 23), 10, 30), 1)
    assert set(Reminder.objects.filter(booking=booking).values_list("kind", flat=True)) == {"confirmation"}
    booking = book(bh.slot(D(2026, 11, 23), 15), 2)
    assert set(Reminder.objects.filter(booking=booking).values_list("kind", flat=True)) == {
        "confirmation",
        "hour_before",
    }


@pytest.mark.django_db
def test_running_twice_sends_nothing_twice(bh, outbox) -> None:
    for k in (1, 2, 3):
        book(bh.slot(D(2026, 11, 25), 9), k)
    later = at(D(2026, 11, 25), 8, 30)  # confirmations, day-before and hour-before all due
    assert services.reminders_send_due(now=later) == 9
    assert services.reminders_send_due(now=later) == 0
    assert services.reminders_send_due(now=later + dt.timedelta(hours=3)) == 0
    assert len(outbox) == 9 and set(keys(outbox).values()) == {1}


# --- Cancellation, closure, reschedule --------------------------------------------------------


@pytest.mark.django_db
def test_a_cancellation_notice_and_no_reminder_afterwards(bh, outbox) -> None:
    booking = book(bh.slot(D(2026, 11, 25), 10), 1)
    services.reminders_send_due(now=NOW)
    services.booking_cancel(booking=booking, now=NOW + 5 * MIN)
    assert services.reminders_send_due(now=NOW + 5 * MIN) == 1
    assert sent(outbox) == [("confirmation", booking.code), ("cancellation", booking.code)]
    assert "已取消" in outbox[-1].body and booking.code in outbox[-1].body
    assert services.reminders_send_due(now=at(D(2026, 11, 25), 9, 30)) == 0
    assert set(
        Reminder.objects.filter(booking=booking, kind__in=["day_before", "hour_before"]).values_list(
            "status", flat=True
        )
    ) == {"skipped"}


@pytest.mark.django_db
def test_a_slot_closure_tells_everyone_booked_with_the_reason_and_the_manage_link(bh, outbox, admin_user) -> None:
    slot = bh.slot(D(2026, 11, 25), 10)
    first, second = book(slot, 1), book(slot, 2)
    services.reminders_send_due(now=NOW)
    services.slot_close(slot=slot, reason="系统升级维护", actor=admin_user, now=NOW + MIN)
    assert services.reminders_send_due(now=NOW + MIN) == 2
    closure = {n.data["booking"]: n for n in outbox if n.data["kind"] == "slot_closed"}
    assert set(closure) == {first.code, second.code}
    assert "系统升级维护" in closure[first.code].body
    assert f"/book/manage/{first.manage_token}/" in closure[first.code].body
    assert services.reminders_send_due(now=at(D(2026, 11, 25), 9, 30)) == 0
    assert len(outbox) == 4


@pytest.mark.django_db
def test_after_a_reschedule_only_the_new_slot_is_reminded(bh, outbox) -> None:
    old, new = bh.slot(D(2026, 11, 25), 10), bh.slot(D(2026, 11, 26), 14)
    booking = book(old, 1)
    services.reminders_send_due(now=NOW)
    services.booking_reschedule(booking=booking, new_slot=new, now=NOW + MIN)
    assert services.reminders_send_due(now=NOW + MIN) == 1
    assert sent(outbox)[-1] == ("rescheduled", booking.code) and "2026年11月26日 14:00" in outbox[-1].body
    assert services.reminders_send_due(now=at(D(2026, 11, 25), 10)) == 0  # the old slot's day
    assert services.reminders_send_due(now=at(D(2026, 11, 25), 14)) == 1
    assert sent(outbox)[-1] == ("day_before", booking.code) and "明天 14:00" in outbox[-1].body
    assert services.reminders_send_due(now=at(D(2026, 11, 26), 13)) == 1
    assert [kind for kind, _code in sent(outbox)] == [
        "confirmation",
        "rescheduled",
        "day_before",
        "hour_before",
    ]
    old_reminders = Reminder.objects.filter(booking=booking, slot=old, kind__in=["day_before", "hour_before"])
    assert set(old_reminders.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.django_db
def test_a_reminder_claimed_before_a_reschedule_is_skipped_when_retried(bh, outbox) -> None:
    old, new = bh.slot(D(2026, 11, 25), 10), bh.slot(D(2026, 11, 26), 14)
    booking = book(old, 1)
    # A worker claimed the old slot's day-before reminder and died; then the applicant moved.
    stuck = Reminder.objects.get(booking=booking, kind="day_before", slot=old)
    claimed = at(D(2026, 11, 24), 10)
    Reminder.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=claimed, attempts=1)
    services.booking_reschedule(booking=booking, new_slot=new, now=claimed + MIN)
    services.reminders_send_due(now=claimed + 10 * MIN)
    stuck.refresh_from_db()
    assert stuck.status == "skipped" and stuck.sent_at is None
    assert [kind for kind, _code in sent(outbox)] == ["confirmation", "rescheduled"]


# --- A worker that died -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_retried_once_after_the_lease(bh, outbox) -> None:
    booking = book(bh.slot(D(2026, 11, 25), 10), 1)
    confirmation = Reminder.objects.get(booking=booking, kind="confirmation")
    Reminder.objects.filter(pk=confirmation.pk).update(status="sending", claimed_at=NOW, attempts=1)
    lease = dt.timedelta(minutes=settings.APPOINTMENTS["reminder_lease_minutes"])
    assert services.reminders_send_due(now=NOW + lease - MIN) == 0  # still held by its worker
    assert services.reminders_send_due(now=NOW + lease + MIN) == 1
    assert services.reminders_send_due(now=NOW + lease + 2 * MIN) == 0
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == ("sent", 2)
    assert keys(outbox) == Counter({f"reminder-{confirmation.pk}": 1})


@pytest.mark.django_db
def test_a_gateway_failure_is_retried_with_the_same_idempotency_key(bh, settings) -> None:
    booking = book(bh.slot(D(2026, 11, 25), 10), 1)
    confirmation = Reminder.objects.get(booking=booking, kind="confirmation")
    with FakeGateway() as gateway:
        settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = gateway.url, "t0ken"
        gateway.status = 503
        assert services.reminders_send_due(now=NOW) == 0
        confirmation.refresh_from_db()
        assert (confirmation.status, confirmation.attempts) == ("pending", 1)
        assert "503" in confirmation.last_error and confirmation.due_at == NOW + 2 * MIN
        assert services.reminders_send_due(now=NOW + MIN) == 0  # not before the back-off
        gateway.status = 200
        assert services.reminders_send_due(now=NOW + 2 * MIN) == 1
    confirmation.refresh_from_db()
    assert confirmation.status == "sent"
    assert [r["headers"]["Idempotency-Key"] for r in gateway.requests] == [f"reminder-{confirmation.pk}"] * 2
    assert gateway.requests[-1]["json"]["recipients"] == [person(1)["mobile"]]


# --- Races ------------------------------------------------------------------------------------


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(outbox, monkeypatch) -> None:
    # The bookings commit here: no eager run of the task on the real clock when they do.
    monkeypatch.setattr(services, "_kick_reminders", lambda: None)
    bh = make_booking_hall()
    slots = list(Slot.objects.filter(category=bh.a, date=D(2026, 11, 25), kind="regular").order_by("starts_at"))
    for k in range(20):
        book(slots[k // 3], k + 1)
    due = Reminder.objects.count()
    assert due == 60
    later = at(D(2026, 11, 25), 8, 30)
    Reminder.objects.update(due_at=later)  # all due at once, as after a pause of the job
    counts = in_threads(4, lambda _k: services.reminders_send_due(now=later))
    assert sum(counts) == due == len(outbox)
    assert len(keys(outbox)) == due and set(keys(outbox).values()) == {1}
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


# --- A real Celery worker on Redis ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@needs_postgres
@needs_redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_real_celery_workers_send_each_due_reminder_exactly_once(tmp_path, monkeypatch, settings) -> None:
    from servicehall.celery import app

    # The test queues the task itself: no eager run from here when the bookings commit.
    monkeypatch.setattr(services, "_kick_reminders", lambda: None)
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "10000/hour"
    bh = make_booking_hall("RW")
    # The worker runs on the real clock: bookings for a slot more than a day ahead of it.
    now = timezone.now()
    services.slots_ensure_horizon(now=now)
    slot = (
        Slot.objects.filter(category=bh.a, kind="regular", starts_at__gt=now + dt.timedelta(hours=26))
        .order_by("starts_at")
        .first()
    )
    assert slot is not None
    bookings = [book(slot, k, now=now) for k in (1, 2, 3)]
    # Every reminder due now, as when the day-before and hour-before times have come.
    Reminder.objects.update(due_at=now - MIN)
    expected = {f"reminder-{pk}" for pk in Reminder.objects.values_list("pk", flat=True)}
    assert len(expected) == 9

    outbox = tmp_path / "sms.jsonl"
    env = worker_env(NOTIFICATION_BACKEND="servicehall.notifications.FileBackend", NOTIFICATION_FILE=str(outbox))
    queue = private_queue()
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    # Two workers on the queue: the two runs may well overlap, as two workers would in production.
    workers = [
        start_worker(queue, env=env, name=f"reminders{n}-{queue}", output=log.open("w"))
        for n, log in enumerate(logs, start=1)
    ]
    results: list[int] = []
    try:
        for _ in range(2):
            app.send_task("appointments.tasks.send_due_reminders", queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text = "".join(log.read_text() for log in logs if log.exists())
            results = [int(n) for n in re.findall(r"send_due_reminders\[[^\]]+\] succeeded in [\d.]+s: (\d+)", text)]
            if len(results) == 2:
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    output = "".join(log.read_text() for log in logs)
    assert len(results) == 2, f"the workers did not run both tasks:\n{output[-3000:]}"
    assert sum(results) == 9
    lines = [json.loads(line) for line in outbox.read_text().splitlines()]
    sent_keys = Counter(line["data"]["idempotency_key"] for line in lines)
    assert set(sent_keys) == expected and set(sent_keys.values()) == {1}
    assert {line["data"]["booking"] for line in lines} == {b.code for b in bookings}
    assert person(1)["mobile"] not in outbox.read_text()  # masked like the log
    assert set(Reminder.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_the_sms_writes_the_date_as_the_pages_do(bh, outbox) -> None:
    # "2026年12月1日 09:00", as the pages and printed documents: no zero before a single digit of
    # the month or day (walkthrough: "12月01日" beside the pages' "12月1日"), the hour's kept.
    book(bh.slot(D(2026, 12, 1), 9), 1)
    assert services.reminders_send_due(now=NOW) == 1
    assert "预约成功：2026年12月1日 09:00 " in outbox[0].body
