"""Notifications to people: supervisors (wait alerts) and applicants (booking reminders).

The backend is a class named by ``settings.NOTIFICATION_BACKEND``: ``LogBackend`` (default)
writes each message to the log (ID and mobile numbers masked by the log filter);
``MemoryBackend`` keeps them in a list for tests; ``FileBackend`` appends them as JSON lines to a
file (development, and tests that read what another process sent); ``SmsGatewayBackend`` posts
them to the SMS gateway (production).

A backend raises when a message did not go out, so that the caller retries it later.
"""

from __future__ import annotations

import json
import logging
import os
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from servicehall.personal_data import scrub

logger = logging.getLogger("servicehall.notifications")


@dataclass
class Notification:
    recipients: list[str]
    subject: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


class BaseBackend(ABC):
    @abstractmethod
    def send(self, notification: Notification) -> None: ...


# A booking's private manage link is a secret: logs show that there was one, not which.
_MANAGE_LINK = re.compile(r"(/book/manage/)[\w-]+")


class LogBackend(BaseBackend):
    """Writes each message to the log (mobile and ID numbers masked by the log filter, manage
    links shortened)."""

    def send(self, notification: Notification) -> None:
        body = _MANAGE_LINK.sub(r"\1…", notification.body)
        logger.info("notify %s: %s — %s", ",".join(notification.recipients), notification.subject, body)


class MemoryBackend(BaseBackend):
    outbox: list[Notification] = []

    def send(self, notification: Notification) -> None:
        MemoryBackend.outbox.append(notification)


class FileBackend(BaseBackend):
    """Append each message as one JSON line to the file named by the environment variable
    ``NOTIFICATION_FILE`` (default ``var/notifications.jsonl``), ID and mobile numbers masked as
    in the log. Each line is written with a single ``write`` on a file opened for appending, so
    lines of several worker processes do not interleave."""

    def path(self) -> Path:
        return Path(os.environ.get("NOTIFICATION_FILE") or Path(settings.VAR_DIR) / "notifications.jsonl")

    def send(self, notification: Notification) -> None:
        record = {
            "at": timezone.now().isoformat(),
            "recipients": [scrub(r) for r in notification.recipients],
            "subject": scrub(notification.subject),
            "body": scrub(notification.body),
            "data": notification.data,
        }
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


class SmsGatewayError(RuntimeError):
    """The gateway did not accept a message (the reminder is retried later)."""


class _NoRedirect(HTTPRedirectHandler):
    """A redirect is an answer other than "accepted", not a reason to post the message again
    elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class SmsGatewayBackend(BaseBackend):
    """Post each message as JSON to ``settings.SMS_GATEWAY_URL``::

        {"recipients": ["13800138000"], "subject": "...", "body": "...", "data": {...}}

    with ``Authorization: Bearer <SMS_GATEWAY_TOKEN>`` when a token is set, and the message's
    ``data["idempotency_key"]`` (a reminder's own id) in an ``Idempotency-Key`` header, so a
    gateway drops the repeat of a message that went out although we did not hear back. Any
    answer other than 2xx, a timeout or a refused connection raises ``SmsGatewayError``: the
    caller keeps the message and retries it.
    """

    timeout_seconds = 5  # a reminder run sends hundreds: a stuck gateway must not hold the worker

    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        if not self.url:
            raise ImproperlyConfigured(
                "SmsGatewayBackend needs SMS_GATEWAY_URL (the gateway's http(s) address) in the environment; "
                "set it, or choose another NOTIFICATION_BACKEND."
            )
        self.token = settings.SMS_GATEWAY_TOKEN
        self.opener = build_opener(_NoRedirect)

    def send(self, notification: Notification) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        key = notification.data.get("idempotency_key")
        if key:
            headers["Idempotency-Key"] = str(key)
        body = json.dumps(asdict(notification), ensure_ascii=False, default=str).encode()
        # The URL's scheme is checked to be http(s) when the setting is read (servicehall.env.env_url).
        request = Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout_seconds) as response:
                code = response.status
                response.read()
        except HTTPError as exc:
            raise SmsGatewayError(f"SMS gateway answered {exc.code} {exc.reason}") from exc
        except (URLError, TimeoutError, OSError) as exc:
            raise SmsGatewayError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= code < 300:
            raise SmsGatewayError(f"SMS gateway answered {code}")


def notify(*, recipients: list[str], subject: str, body: str, data: dict[str, Any] | None = None) -> None:
    backend: BaseBackend = import_string(settings.NOTIFICATION_BACKEND)()
    backend.send(Notification(recipients=recipients, subject=subject, body=body, data=data or {}))
