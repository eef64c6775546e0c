"""No ID number, mobile number or secret token in any log line of the processes that handle them
(issue 9 §2): a real gunicorn serves booking, the manage page, check-in and the ticket page; a
real Celery worker sends the reminders; every captured line of both is scanned."""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from appointments import services
from appointments.models import Booking, Reminder, Slot
from tests.appointments.factories import make_booking_hall, person
from tests.concurrency import ROOT, private_queue, start_worker, worker_env
from tests.markers import needs_postgres, needs_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    needs_postgres,
    needs_redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, path: str, body: bytes | None = None) -> int:
    request = urllib.request.Request(
        base + path, data=body, headers={"Content-Type": "application/json"} if body else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_personal_data_or_token_in_the_web_and_worker_logs(tmp_path: Path, monkeypatch) -> None:
    from servicehall.celery import app

    monkeypatch.setattr(services, "_kick_reminders", lambda: None)
    bh = make_booking_hall("LG")
    now = timezone.now()
    services.slots_ensure_horizon(now=now)
    slot = (
        Slot.objects.filter(category=bh.a, kind="regular", starts_at__gt=now + dt.timedelta(hours=26))
        .order_by("starts_at")
        .first()
    )
    assert slot is not None
    env = worker_env(LOG_LEVEL="INFO", NOTIFICATION_BACKEND="servicehall.notifications.LogBackend")
    port = _free_port()
    web_log = tmp_path / "web.log"
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "servicehall.wsgi:application",
            "--config",
            "python:servicehall.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        stdout=web_log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip  (test settings: static files without a collected manifest)
    base = f"http://127.0.0.1:{port}"
    people = [person(k) for k in (1, 2)]
    try:
        for _ in range(100):
            try:
                if _call(base, "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        import json

        for who in people:
            body = json.dumps({"slot": slot.pk, **who}).encode()
            assert _call(base, "/api/v1/bookings/", body) == 201
        bookings = list(Booking.objects.order_by("pk"))
        for booking in bookings:
            assert _call(base, f"/book/manage/{booking.manage_token}/") == 200
            assert _call(base, f"/api/v1/bookings/{booking.manage_token}/") == 200
            # Check-in on the wrong day is refused, and logged as a refusal.
            code = _call(base, f"/api/v1/halls/{bh.hall.code}/check-in/", json.dumps({"code": booking.code}).encode())
            assert code >= 400
        assert _call(base, "/t/NoSuchTicketTokenAtAll123/") == 404
    finally:
        web.terminate()
        web.wait(timeout=30)

    Reminder.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    queue = private_queue()
    worker_log = tmp_path / "worker.log"
    worker = start_worker(queue, env=env, output=worker_log.open("w"))
    try:
        app.send_task("appointments.tasks.send_due_reminders", queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and Reminder.objects.exclude(status="sent").exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    web_text, worker_text = web_log.read_text(), worker_log.read_text()
    assert not Reminder.objects.exclude(status="sent").exists(), worker_text[-3000:]
    assert "notify 138****" in worker_text, "the reminders were logged, masked"
    assert '"POST /api/v1/bookings/ HTTP/1.1" 201' in web_text, "the access log was captured"
    secrets = [*(p["id_number"] for p in people), *(p["mobile"] for p in people)]
    secrets += [b.manage_token for b in bookings] + ["NoSuchTicketTokenAtAll123"]
    for text, name in ((web_text, "web"), (worker_text, "worker")):
        leaked = [s for s in secrets if s in text]
        assert leaked == [], f"{name} log carries {leaked}"
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), f"{name} log carries a mobile number"
