"""Notification backends: the SMS gateway backend against a local HTTP server, and the file
backend that writes JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from servicehall import notifications
from servicehall.notifications import FileBackend, Notification, SmsGatewayBackend, SmsGatewayError

ROOT = Path(__file__).resolve().parents[2]


class FakeGateway:
    """An SMS gateway on a free local port: records each request (path, headers, JSON body)
    and answers with ``status`` (after ``delay`` seconds)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.location = ""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "json": json.loads(self.rfile.read(length) or b"null"),
                    }
                )
                time.sleep(gateway.delay)
                body = json.dumps({"ok": 200 <= gateway.status < 300}).encode()
                try:
                    self.send_response(gateway.status)
                    if gateway.location:
                        self.send_header("Location", gateway.location)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_TOKEN = ""
        settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
        yield fake


def message(**data: object) -> Notification:
    return Notification(
        recipients=["13800138000"],
        subject="预约成功",
        body="【广州政务服务】预约成功：2026年11月25日 09:00",
        data={"idempotency_key": "reminder-42", "kind": "confirmation", **data},
    )


@pytest.mark.django_db
def test_posts_the_message_as_json_with_the_idempotency_key(gateway) -> None:
    notifications.notify(
        recipients=["13800138000"],
        subject="预约成功",
        body="【广州政务服务】预约成功",
        data={"idempotency_key": "reminder-42", "booking": "ABCD2345"},
    )
    (request,) = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Idempotency-Key"] == "reminder-42"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert "Authorization" not in request["headers"]
    assert request["json"] == {
        "recipients": ["13800138000"],
        "subject": "预约成功",
        "body": "【广州政务服务】预约成功",
        "data": {"idempotency_key": "reminder-42", "booking": "ABCD2345"},
    }


def test_sends_the_bearer_token_when_set_and_no_key_header_without_a_key(gateway, settings) -> None:
    settings.SMS_GATEWAY_TOKEN = "gateway-secret"
    SmsGatewayBackend().send(Notification(recipients=["sup-city"], subject="等候预警", body="A类等候过长"))
    (request,) = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert "Idempotency-Key" not in request["headers"]


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_an_answer_other_than_2xx_raises_so_the_message_is_retried(gateway, status) -> None:
    gateway.status = status
    with pytest.raises(SmsGatewayError, match=str(status)):
        SmsGatewayBackend().send(message())
    assert len(gateway.requests) == 1


def test_a_redirect_is_not_followed(gateway) -> None:
    gateway.status, gateway.location = 307, gateway.url + "/elsewhere"
    with pytest.raises(SmsGatewayError, match="307"):
        SmsGatewayBackend().send(message())
    assert [r["path"] for r in gateway.requests] == ["/sms/send"]


def test_202_accepted_is_success(gateway) -> None:
    gateway.status = 202
    SmsGatewayBackend().send(message())
    assert len(gateway.requests) == 1


def test_a_slow_gateway_times_out(gateway, monkeypatch) -> None:
    monkeypatch.setattr(SmsGatewayBackend, "timeout_seconds", 0.2)
    gateway.delay = 1.0
    started = time.monotonic()
    with pytest.raises(SmsGatewayError, match="unreachable"):
        SmsGatewayBackend().send(message())
    assert time.monotonic() - started < 0.9


def test_an_unreachable_gateway_raises(settings) -> None:
    with FakeGateway() as fake:
        url = fake.url
    settings.SMS_GATEWAY_URL = url  # the server is gone: connection refused
    with pytest.raises(SmsGatewayError, match="unreachable"):
        SmsGatewayBackend().send(message())


def test_refuses_to_run_without_a_gateway_url(settings) -> None:
    settings.SMS_GATEWAY_URL = ""
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY_URL"):
        notifications.notify(recipients=["13800138000"], subject="x", body="y")


def test_a_gateway_url_that_is_not_http_stops_start_up() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_DEBUG="1", SMS_GATEWAY_URL="ftp://sms.example", SERVICEHALL_VAR_DIR=str(ROOT / "var" / "test-settings")
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SMS_GATEWAY_URL" in result.stderr


def test_file_backend_appends_json_lines_with_numbers_masked(tmp_path, monkeypatch) -> None:
    path = tmp_path / "out" / "notifications.jsonl"
    monkeypatch.setenv("NOTIFICATION_FILE", str(path))
    FileBackend().send(message())
    FileBackend().send(message(idempotency_key="reminder-43"))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["data"]["idempotency_key"] for line in lines] == ["reminder-42", "reminder-43"]
    assert lines[0]["recipients"] == ["138****8000"] and lines[0]["subject"] == "预约成功"
    assert "13800138000" not in path.read_text()


def test_the_log_backend_never_writes_a_manage_link_or_a_whole_mobile_number(caplog) -> None:
    import logging

    from servicehall.notifications import LogBackend, Notification
    from servicehall.personal_data import MaskPersonalDataFilter

    caplog.handler.addFilter(MaskPersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="servicehall.notifications"):
        LogBackend().send(
            Notification(
                recipients=["13800138000"],
                subject="预约成功",
                body="查看：http://x/book/manage/AbC-123_xyz/ 预约码 K7M2",
            )
        )
    text = caplog.text
    assert "AbC-123_xyz" not in text and "/book/manage/…/" in text
    assert "13800138000" not in text and "138****8000" in text
