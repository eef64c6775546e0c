"""Notifications to people: supervisors (wait alerts) and applicants (booking reminders).

The backend is a class named by ``settings.NOTIFICATION_BACKEND``: ``LogBackend`` (default)
writes each message to the log (ID and mobile numbers masked by the log filter);
``MemoryBackend`` keeps them in a list for tests; ``FileBackend`` appends them as JSON lines to a
file (development, and tests that read what another process sent); ``SmsGatewayBackend`` posts
them to the SMS gateway (production).

A backend raises when a message did not go out, so that the caller retries it later.

A message with an idempotency key (``data["idempotency_key"]``, such as ``reminder-42``) goes out
at most once per key, even when the worker sending it dies half-way and the message is tried
again: ``notify`` commits the key to ``SentNotification`` before the backend is called, marks it
sent when the backend returns, and forgets it when the backend raises. A second attempt finds
the key: sent, it is not sent again; unfinished (its worker died during the send), it is posted
again *under the same key* by a backend that deduplicates (``SmsGatewayBackend``: the gateway
drops the repeat, so the phone gets it once and it is never lost), and not sent again by one
that cannot (``LogBackend``, ``FileBackend``, ``MemoryBackend``: at most once, and such a message
is reported "in doubt" rather than risk a duplicate).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from servicehall.models import SentNotification
from servicehall.personal_data import scrub

logger = logging.getLogger("servicehall.notifications")


@dataclass
class Notification:
    recipients: list[str]
    subject: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


class BaseBackend(ABC):
    # Whether the receiving end drops a repeat of a message by its idempotency key: if so, a
    # message whose earlier attempt never finished is sent again under the same key.
    deduplicates_by_key = False

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
    deduplicates_by_key = True  # the gateway's contract: one delivery per Idempotency-Key

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


class Delivery(StrEnum):
    """What ``notify`` did with a message."""

    SENT = "sent"  # handed to the backend now
    ALREADY_SENT = "already_sent"  # its key went out before: not sent again
    # An earlier attempt with its key never finished (its worker died during the send), and the
    # backend cannot drop a repeat: not sent again, for it may have gone out.
    IN_DOUBT = "in_doubt"


def notify(*, recipients: list[str], subject: str, body: str, data: dict[str, Any] | None = None) -> Delivery:
    """Send a message through ``settings.NOTIFICATION_BACKEND``; raises when it did not go out.

    With ``data["idempotency_key"]`` the message goes out at most once per key (see the module's
    docstring). The key is committed before the backend is called, so ``notify`` must not run
    inside a transaction (a durable block says so loudly): a key that rolled back with its
    caller's transaction would let a retry send the message twice."""
    backend: BaseBackend = import_string(settings.NOTIFICATION_BACKEND)()
    notification = Notification(recipients=recipients, subject=subject, body=body, data=data or {})
    key = str(notification.data.get("idempotency_key") or "")
    if not key:
        backend.send(notification)
        return Delivery.SENT
    earlier = _record_key(key, backend)
    if earlier is not None:
        if earlier.state == SentNotification.State.SENT:
            logger.info("notify %s: sent before, not sent again", key)
            return Delivery.ALREADY_SENT
        if not backend.deduplicates_by_key:
            logger.warning("notify %s: an earlier attempt did not finish and may have gone out; not sent again", key)
            return Delivery.IN_DOUBT
        logger.info("notify %s: an earlier attempt did not finish; sent again under the same key", key)
    try:
        backend.send(notification)
    except Exception:
        # The backend says it did not go out: a retry may send it (under the same key).
        SentNotification.objects.filter(key=key, state=SentNotification.State.SENDING).delete()
        raise
    SentNotification.objects.filter(key=key).update(state=SentNotification.State.SENT, sent_at=timezone.now())
    return Delivery.SENT


def _record_key(key: str, backend: BaseBackend) -> SentNotification | None:
    """Record ``key`` as being sent, committed before anything goes out; or return the record of
    an earlier attempt (the unique key settles two attempts at once: one of them records it)."""
    with transaction.atomic(durable=True):
        record, created = SentNotification.objects.get_or_create(
            key=key, defaults={"backend": type(backend).__name__, "created_at": timezone.now()}
        )
        if not created:
            SentNotification.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
    return None if created else record


def sent_notifications_prune(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Forget keys long past any retry (a reminder is retried within the hour); returns how many."""
    deleted, _by_model = SentNotification.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
