"""Notifications to people (supervisors now; applicants with appointments later).

The backend is a class named by ``settings.NOTIFICATION_BACKEND``: ``LogBackend`` (default)
writes each message to the log (ID and mobile numbers masked by the log filter);
``MemoryBackend`` keeps them in a list for tests; an SMS gateway backend plugs in the same way.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

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


class LogBackend(BaseBackend):
    def send(self, notification: Notification) -> None:
        logger.info("notify %s: %s — %s", ",".join(notification.recipients), notification.subject, notification.body)


class MemoryBackend(BaseBackend):
    outbox: list[Notification] = []

    def send(self, notification: Notification) -> None:
        MemoryBackend.outbox.append(notification)


def notify(*, recipients: list[str], subject: str, body: str, data: dict[str, Any] | None = None) -> None:
    backend: BaseBackend = import_string(settings.NOTIFICATION_BACKEND)()
    backend.send(Notification(recipients=recipients, subject=subject, body=body, data=data or {}))
