"""The kernel's periodic job: a heartbeat that proves beat, the broker and a worker are alive."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from servicehall.models import Heartbeat

BEAT = "beat"


@shared_task(name="servicehall.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"beat_at": timezone.now()})
