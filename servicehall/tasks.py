"""The kernel's periodic job: a heartbeat that proves beat, the broker and a worker are alive."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import task_postrun
from django.utils import timezone

from servicehall.models import Heartbeat

BEAT = "beat"


@shared_task(name="servicehall.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"beat_at": timezone.now()})


@shared_task(name="servicehall.tasks.prune_sent_notifications", ignore_result=True)
def prune_sent_notifications() -> int:
    """Forget the idempotency keys of messages long sent (``servicehall.notifications``)."""
    from servicehall import notifications

    return notifications.sent_notifications_prune()


@shared_task(name="servicehall.tasks.prune_audit_events", ignore_result=True)
def prune_audit_events() -> int:
    """Drop audit records older than ``AUDIT_RETENTION_DAYS`` (``servicehall.audit``)."""
    from servicehall import audit

    return audit.audit_events_prune()


@shared_task(name="servicehall.tasks.outbox_drain", ignore_result=True, time_limit=110, soft_time_limit=100)
def outbox_drain() -> int:
    """Send the tasks kept while the broker was away (``servicehall.outbox``)."""
    from servicehall import outbox

    return outbox.drain()


@task_postrun.connect
def _outbox_task_finished(
    sender: Any = None, task_id: str = "", task: Any = None, state: str | None = None, **_: Any
) -> None:
    """The worker ran a task: its outbox row, if it came through the outbox, is done with."""
    from servicehall import outbox

    if task is not None:
        outbox.task_finished(task.request, state)
