"""Tasks asked for while the broker is away are kept and sent when it is back (issue 9: Redis is a
cache and a broker, never the truth). The outbox row is written in the transaction of the change,
so a change that committed always has its task, and one that rolled back never does."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicehall import outbox
from servicehall.celery import app
from servicehall.models import OutboxTask
from servicehall.notifications import MemoryBackend
from servicehall.tasks import outbox_drain
from tests.appointments.factories import NOW as BOOKING_NOW
from tests.appointments.factories import make_booking_hall, person
from tests.markers import needs_redis

DEAD_BROKER = "redis://127.0.0.1:6399/0"


@pytest.fixture
def broker_down():
    """Tasks go to a broker where nothing listens (not run in-process as the other tests do)."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=DEAD_BROKER)
    _forget_broker_connections()
    outbox.reset_state()
    yield
    app.conf.update(saved)
    _forget_broker_connections()
    outbox.reset_state()


def _forget_broker_connections() -> None:
    """Celery keeps its connection and producer pools, made for the broker URL of the moment:
    without this, a later test's task would still go to the dead address (or this test's to the
    live one)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def memory_notifications(settings):
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def _the_broker_is_back() -> None:
    """Back to running tasks in-process: what a worker would do with them once the broker is up."""
    app.conf.update(task_always_eager=True)
    outbox.reset_state()


@pytest.mark.django_db(transaction=True)
def test_a_code_asked_for_while_the_broker_is_down_is_kept_and_sent_when_it_is_back(
    client, broker_down, memory_notifications, caplog
) -> None:
    import time_machine

    with time_machine.travel(BOOKING_NOW, tick=False), caplog.at_level(logging.WARNING, logger="servicehall.outbox"):
        bh = make_booking_hall()
        started = time.monotonic()
        booked = client.post(
            "/api/v1/bookings/",
            {"slot": bh.slot(dt.date(2026, 11, 25), 10).pk, **person(1)},
            content_type="application/json",
        )
        assert booked.status_code == 201
        for _ in range(2):
            response = client.post(reverse_find(), {"id_number": person(1)["id_number"], "mobile": person(1)["mobile"]})
            assert response.status_code == 302  # on to the code form: the page does not know the broker is away
        assert time.monotonic() - started < 5  # a refused broker costs no retries in the requests
        assert memory_notifications == []
        rows = list(OutboxTask.objects.order_by("pk"))
        assert [r.task for r in rows] == ["appointments.tasks.send_lookup_code"] * 2
        # The booking's nudge found the broker away: the codes did not wait for it again.
        assert all(r.last_error == outbox.BROKER_AWAY and r.attempts == 0 for r in rows)
        assert len([r for r in caplog.records if r.name == "servicehall.outbox"]) == 1  # one warning

        outbox_drain()  # beat's run while the broker is still away: nothing sent, nothing lost
        assert OutboxTask.objects.count() == 2 and memory_notifications == []
        assert OutboxTask.objects.filter(attempts=1, last_error__contains="OperationalError").count() == 1

        _the_broker_is_back()
        assert outbox_drain() == 2
    assert OutboxTask.objects.count() == 0
    codes = [n for n in memory_notifications if n.subject == "预约查询验证码"]
    # Two lookups, each its own code (a person may ask twice).
    assert len(codes) == 2


def reverse_find() -> str:
    from django.urls import reverse

    return reverse("booking-find")


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_sends_nothing(monkeypatch) -> None:
    sent = []
    monkeypatch.setattr(outbox, "_publish", lambda task, args, kwargs, **_: sent.append((task, args)))
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("servicehall.tasks.heartbeat")
        raise RuntimeError("the change failed")
    assert OutboxTask.objects.count() == 0 and sent == []
    with transaction.atomic():
        outbox.enqueue("servicehall.tasks.heartbeat")
        assert sent == []  # not before the commit
    assert sent == [("servicehall.tasks.heartbeat", [])] and OutboxTask.objects.count() == 0


@pytest.mark.django_db
def test_the_drain_leaves_fresh_rows_to_their_sender_and_never_sends_a_claimed_row_twice(monkeypatch) -> None:
    sent = []
    monkeypatch.setattr(outbox, "_publish", lambda task, args, kwargs, **_: sent.append(args[0]))
    now = timezone.now()
    fresh = OutboxTask.objects.create(task="t.fresh", args=[1], created_at=now)  # its sender is on it
    failed = OutboxTask.objects.create(task="t.failed", args=[2], created_at=now, attempts=1)
    old = OutboxTask.objects.create(task="t.old", args=[3], created_at=now - outbox.GRACE * 2)
    sending = OutboxTask.objects.create(task="t.sending", args=[4], created_at=now - outbox.GRACE * 2, claimed_at=now)
    dead = OutboxTask.objects.create(
        task="t.dead", args=[5], created_at=now - outbox.GRACE * 2, claimed_at=now - outbox.LEASE * 2, attempts=1
    )
    assert outbox.drain(now=now) == 3
    assert sorted(sent) == [2, 3, 5]
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {fresh.pk, sending.pk}
    assert not outbox.send(sending.pk, now=now)  # claimed by another process a moment ago
    del failed, old, dead


@pytest.mark.django_db(transaction=True)
def test_a_booking_with_the_broker_down_is_booked_and_its_reminders_kept(client, broker_down) -> None:
    import time_machine

    from appointments.models import Booking, Reminder

    with time_machine.travel(BOOKING_NOW, tick=False):
        bh = make_booking_hall()
        slot = bh.slot(dt.date(2026, 11, 25), 10)
        for k in (1, 2):
            response = client.post("/api/v1/bookings/", {"slot": slot.pk, **person(k)}, content_type="application/json")
            assert response.status_code == 201, response.content
    assert Booking.objects.count() == 2
    # The reminders are rows of their own (the periodic run sends them): the nudge is not kept.
    assert Reminder.objects.filter(kind="confirmation", status="pending").count() == 2
    assert OutboxTask.objects.count() == 0


@pytest.mark.redis
@needs_redis
@pytest.mark.django_db(transaction=True)
def test_kept_tasks_reach_a_real_broker_once_it_answers(broker_down) -> None:
    import redis

    with transaction.atomic():
        row = outbox.enqueue("servicehall.tasks.heartbeat")
    assert OutboxTask.objects.filter(pk=row.pk, attempts=1).exists()

    server = redis.Redis.from_url(settings.REDIS_URL)
    before = server.llen("celery")
    app.conf.update(broker_url=settings.REDIS_URL)
    outbox.reset_state()
    assert outbox.drain(now=timezone.now()) == 1
    # Kept until a worker has run it: the broker may yet lose it (a restart without persistence).
    kept = OutboxTask.objects.get()
    assert kept.sent_at is not None and kept.claimed_at is None
    added = server.lrange("celery", 0, server.llen("celery") - before - 1)  # LPUSH: the newest first
    try:
        assert [json.loads(m)["headers"]["task"] for m in added] == ["servicehall.tasks.heartbeat"]
        assert json.loads(added[0])["headers"]["outbox_id"] == kept.pk
    finally:
        for message in added:
            server.lrem("celery", 1, message)


@pytest.mark.django_db
def test_the_row_goes_once_a_worker_has_run_the_task_and_a_lost_message_is_sent_again(monkeypatch, settings) -> None:
    sent = []
    monkeypatch.setattr(outbox, "_eager", lambda: False)
    monkeypatch.setattr(outbox, "_publish", lambda task, args, kwargs, outbox_id=None: sent.append(outbox_id))
    now = timezone.now()
    row = OutboxTask.objects.create(task="servicehall.tasks.heartbeat", created_at=now, attempts=1)
    assert outbox.drain(now=now) == 1 and sent == [row.pk]
    row.refresh_from_db()
    assert row.sent_at == now
    assert outbox.drain(now=now + dt.timedelta(seconds=settings.OUTBOX_RESEND_SECONDS - 1)) == 0  # in the queue
    # No worker ran it in all that time: the broker lost it, and it is sent again.
    assert outbox.drain(now=now + dt.timedelta(seconds=settings.OUTBOX_RESEND_SECONDS + 1)) == 1
    assert sent == [row.pk, row.pk]

    # A worker runs it (the message carries the row's id): the row is done with.
    app.tasks["servicehall.tasks.heartbeat"].apply(headers={outbox.OUTBOX_HEADER: row.pk})
    assert not OutboxTask.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_a_task_to_be_retried_keeps_its_row() -> None:
    from types import SimpleNamespace

    row = OutboxTask.objects.create(task="t", created_at=timezone.now(), sent_at=timezone.now())
    outbox.task_finished(SimpleNamespace(outbox_id=row.pk, headers=None), "RETRY")
    assert OutboxTask.objects.filter(pk=row.pk).exists()
    outbox.task_finished(SimpleNamespace(outbox_id=row.pk, headers=None), "FAILURE")  # its retries are spent
    assert not OutboxTask.objects.filter(pk=row.pk).exists()
