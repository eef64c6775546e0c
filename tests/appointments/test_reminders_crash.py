"""A reminder whose worker dies mid-send is never delivered twice (issue 9, "At most once,
really"): the worker claims it, sends it and dies before marking it sent; after the lease the
batch runs again, and the recipient still has one message.

``notify`` commits the message's idempotency key before the backend is called. On the retry a
key marked sent is not sent again; a key whose send was cut short is posted again under the same
key by the SMS gateway backend (the gateway drops the repeat: one delivery, nothing lost), and
not sent again by the log, file and memory backends (at most once: the reminder is marked
failed "in doubt", and a message cut short before it went out is lost, not duplicated).

In-process the death is an exception nothing catches (``WorkerKilled``); on PostgreSQL a real
process is killed with SIGKILL in the middle of the batch."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from appointments import services
from appointments.models import Reminder
from servicehall import notifications
from servicehall.models import SentNotification
from servicehall.notifications import FileBackend, LogBackend, MemoryBackend, SmsGatewayBackend
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.concurrency import worker_env
from tests.markers import needs_postgres
from tests.servicehall.test_notifications import FakeGateway

ROOT = Path(__file__).resolve().parents[2]
D = dt.date
MIN = dt.timedelta(minutes=1)
LEASE = dt.timedelta(minutes=settings.APPOINTMENTS["reminder_lease_minutes"])


class WorkerKilled(BaseException):  # noqa: N818 - it is the event, not an error
    """The worker process dying: no ``except Exception`` of the service catches it."""


class Recipient:
    """What reached the recipient through one backend: the keys of the messages delivered."""

    def __init__(self, backend: str, *, tmp_path: Path, caplog, gateway: FakeGateway | None) -> None:
        self.backend, self.tmp_path, self.caplog, self.gateway = backend, tmp_path, caplog, gateway

    def delivered(self) -> Counter:
        if self.backend == "memory":
            return Counter(n.data["idempotency_key"] for n in MemoryBackend.outbox)
        if self.backend == "file":
            path = self.tmp_path / "sms.jsonl"
            lines = path.read_text().splitlines() if path.exists() else []
            return Counter(json.loads(line)["data"]["idempotency_key"] for line in lines)
        if self.backend == "log":
            # The log backend's line names no key: count its lines per booking code.
            lines = [r.getMessage() for r in self.caplog.records if r.name == "servicehall.notifications"]
            return Counter(line.split("预约码 ")[1][:8] for line in lines if "预约码 " in line)
        # A gateway honouring Idempotency-Key delivers each key once, however often it is posted.
        assert self.gateway is not None
        return Counter({key: 1 for key in {r["headers"]["Idempotency-Key"] for r in self.gateway.requests}})

    def posted(self) -> Counter:
        assert self.gateway is not None
        return Counter(r["headers"]["Idempotency-Key"] for r in self.gateway.requests)


BACKENDS = {
    "memory": MemoryBackend,
    "file": FileBackend,
    "log": LogBackend,
    "gateway": SmsGatewayBackend,
}


@pytest.fixture(params=list(BACKENDS))
def recipient(request, settings, monkeypatch, tmp_path, caplog):
    backend = request.param
    settings.NOTIFICATION_BACKEND = f"servicehall.notifications.{BACKENDS[backend].__name__}"
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "10000/hour"
    monkeypatch.setenv("NOTIFICATION_FILE", str(tmp_path / "sms.jsonl"))
    MemoryBackend.outbox.clear()
    caplog.set_level(logging.INFO, logger="servicehall.notifications")
    if backend == "gateway":
        with FakeGateway() as gateway:
            settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = gateway.url, ""
            yield Recipient(backend, tmp_path=tmp_path, caplog=caplog, gateway=gateway)
    else:
        yield Recipient(backend, tmp_path=tmp_path, caplog=caplog, gateway=None)
    MemoryBackend.outbox.clear()


def die(monkeypatch, point: str, backend: type) -> None:
    """Kill the (simulated) worker at ``point`` of the next send."""
    real_send, real_notify = backend.send, services.notify

    def send_then_die(self, notification) -> None:
        real_send(self, notification)
        raise WorkerKilled

    def die_before_send(self, notification) -> None:
        raise WorkerKilled

    def notify_then_die(**kwargs):
        real_notify(**kwargs)
        raise WorkerKilled

    if point == "before_send":
        monkeypatch.setattr(backend, "send", die_before_send)
    elif point == "during_send":
        monkeypatch.setattr(backend, "send", send_then_die)
    else:
        monkeypatch.setattr(services, "notify", notify_then_die)


# What the recipient has after the crash and the retry, and how the reminder ends, per backend
# kind: those that cannot drop a repeat never send a key twice; the gateway's gets it once.
EXPECTED = {
    ("local", "before_send"): (0, "failed"),  # lost, not duplicated: at most once
    ("local", "during_send"): (1, "failed"),  # out, but nobody heard back: "in doubt"
    ("local", "after_send"): (1, "sent"),  # the case: sent, not marked
    ("gateway", "before_send"): (1, "sent"),  # posted again under the key: nothing lost
    ("gateway", "during_send"): (1, "sent"),  # posted twice, one key: the gateway drops the repeat
    ("gateway", "after_send"): (1, "sent"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("point", ["before_send", "during_send", "after_send"])
def test_a_worker_killed_mid_send_never_delivers_a_reminder_twice(bh, recipient, point, monkeypatch) -> None:
    booking = services.booking_create(slot=bh.slot(D(2026, 11, 25), 10), now=NOW, **person(1))
    confirmation = Reminder.objects.get(booking=booking, kind="confirmation")
    key = f"reminder-{confirmation.pk}"
    label = booking.code if recipient.backend == "log" else key

    with monkeypatch.context() as crash:
        die(crash, point, BACKENDS[recipient.backend])
        with pytest.raises(WorkerKilled):
            services.reminders_send_due(now=NOW)
    confirmation.refresh_from_db()
    assert confirmation.status == "sending"  # claimed, never marked

    assert services.reminders_send_due(now=NOW + LEASE - MIN) == 0  # still within the lease
    services.reminders_send_due(now=NOW + LEASE + MIN)  # the next batch after the lease
    services.reminders_send_due(now=NOW + LEASE + 5 * MIN)  # and another, for good measure

    kind = "gateway" if recipient.backend == "gateway" else "local"
    messages, status = EXPECTED[(kind, point)]
    assert recipient.delivered()[label] == messages
    confirmation.refresh_from_db()
    assert confirmation.status == status
    if status == "failed":
        assert "may have gone out" in confirmation.last_error
    if kind == "gateway":
        # Died before posting: posted once, by the retry; died after posting: posted again.
        assert recipient.posted() == Counter({key: 2 if point == "during_send" else 1})
    record = SentNotification.objects.get(key=key)
    assert record.state == ("sending" if status == "failed" else "sent")


@pytest.mark.django_db
def test_a_key_sent_once_is_not_sent_again_by_any_caller(settings) -> None:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    message = {"recipients": ["13800138000"], "subject": "预约成功", "body": "x", "data": {"idempotency_key": "k-1"}}
    assert notifications.notify(**message) == notifications.Delivery.SENT
    assert notifications.notify(**message) == notifications.Delivery.ALREADY_SENT
    assert len(MemoryBackend.outbox) == 1
    record = SentNotification.objects.get(key="k-1")
    assert (record.state, record.attempts, record.backend) == ("sent", 2, "MemoryBackend")
    MemoryBackend.outbox.clear()


@pytest.mark.django_db
def test_a_backend_failure_forgets_the_key_so_the_retry_sends(settings) -> None:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
    with FakeGateway() as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        gateway.status = 503
        with pytest.raises(notifications.SmsGatewayError):
            notifications.notify(recipients=["13800138000"], subject="s", body="b", data={"idempotency_key": "k-2"})
        assert not SentNotification.objects.filter(key="k-2").exists()
        gateway.status = 200
        notifications.notify(recipients=["13800138000"], subject="s", body="b", data={"idempotency_key": "k-2"})
    assert [r["headers"]["Idempotency-Key"] for r in gateway.requests] == ["k-2", "k-2"]
    assert SentNotification.objects.get(key="k-2").state == "sent"


@pytest.mark.django_db
def test_old_keys_are_pruned(settings) -> None:
    from django.utils import timezone

    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    now = timezone.now()
    SentNotification.objects.create(key="old", backend="x", created_at=now - dt.timedelta(days=31))
    SentNotification.objects.create(key="new", backend="x", created_at=now - dt.timedelta(days=29))
    assert notifications.sent_notifications_prune() == 1
    assert list(SentNotification.objects.values_list("key", flat=True)) == ["new"]


# --- A real process killed with SIGKILL, on PostgreSQL ------------------------------------------

# Run one reminder batch on the test database, the file backend writing to NOTIFICATION_FILE,
# and kill this very process with SIGKILL at CRASH_POINT: inside the backend right after the
# message was written, or after ``notify`` returned and before the reminder is marked sent.
CRASHING_BATCH = """
import datetime as dt, os, signal
import django
django.setup()
from appointments import services
from servicehall import notifications

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

real_send, real_notify = notifications.FileBackend.send, services.notify
if os.environ["CRASH_POINT"] == "during_send":
    def send(self, notification):
        real_send(self, notification)
        kill()
    notifications.FileBackend.send = send
else:
    def notify(**kwargs):
        real_notify(**kwargs)
        kill()
    services.notify = notify
services.reminders_send_due(now=dt.datetime.fromisoformat(os.environ["BATCH_NOW"]))
"""


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["during_send", "after_send"])
def test_a_worker_process_killed_mid_batch_sends_each_reminder_once(tmp_path, monkeypatch, settings, point) -> None:
    # The bookings commit here: no eager run of the task on the real clock when they do.
    monkeypatch.setattr(services, "_kick_reminders", lambda: None)
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "10000/hour"
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.FileBackend"
    outbox = tmp_path / "sms.jsonl"
    monkeypatch.setenv("NOTIFICATION_FILE", str(outbox))
    bh = make_booking_hall("KILL")
    bookings = [services.booking_create(slot=bh.slot(D(2026, 11, 25), 10), now=NOW, **person(k)) for k in (1, 2, 3)]
    keys = {f"reminder-{pk}" for pk in Reminder.objects.filter(kind="confirmation").values_list("pk", flat=True)}

    env = worker_env(
        NOTIFICATION_BACKEND="servicehall.notifications.FileBackend",
        NOTIFICATION_FILE=str(outbox),
        CRASH_POINT=point,
        BATCH_NOW=NOW.isoformat(),
    )
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_BATCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    first = [json.loads(line)["data"]["idempotency_key"] for line in outbox.read_text().splitlines()]
    assert len(first) == 1 and first[0] in keys  # one message went out, then the worker died
    died_on = Reminder.objects.get(pk=int(first[0].removeprefix("reminder-")))
    assert died_on.status == "sending"

    # After the lease the next batch (here, in-process on the same database) sends the rest.
    services.reminders_send_due(now=NOW + LEASE + MIN)
    services.reminders_send_due(now=NOW + LEASE + 2 * MIN)
    sent = Counter(json.loads(line)["data"]["idempotency_key"] for line in outbox.read_text().splitlines())
    assert set(sent) == keys and set(sent.values()) == {1}
    assert {json.loads(line)["data"]["booking"] for line in outbox.read_text().splitlines()} == {
        b.code for b in bookings
    }
    died_on.refresh_from_db()
    assert died_on.status == ("failed" if point == "during_send" else "sent")
    others = Reminder.objects.filter(kind="confirmation").exclude(pk=died_on.pk)
    assert set(others.values_list("status", flat=True)) == {"sent"}
