"""The staffing app's Celery tasks (``servicehall.celery`` imports each app's ``tasks`` module):
thin wrappers; the periodic ones are scheduled in ``settings.CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

import logging

from celery import shared_task

from staffing import services

logger = logging.getLogger(__name__)


# Replacement requests (staffing/replacements.py): queued through the outbox with each step; at
# most once per request and step (idempotency key).
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5, time_limit=60, soft_time_limit=50)
def replacement_notify(request_id: int, kind: str) -> int:
    from staffing.replacements import replacement_notify as notify

    return notify(request_id, kind)


# Hourly in office hours: a retry is for a database hiccup (each request is told once anyway).
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3, time_limit=300, soft_time_limit=240)
def notify_overdue_replacements() -> dict[str, int]:
    """Tell the management department of replacement requests past their deadline (once each)."""
    from staffing.replacements import replacement_overdue_notify

    result = replacement_overdue_notify()
    logger.info(
        "overdue replacements: %s claimed, %s notified, %s failed", result.claimed, result.notified, result.failed
    )
    return vars(result)


# Every ten minutes: a retry is only worth it for a passing database hiccup and must be over
# before the next run, which does the same work anyway (the job is idempotent).
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=2, time_limit=300, soft_time_limit=240)
def detect_surges() -> dict[str, object]:
    """Flag queues taking markedly more tickets than on the same weekday of the last four weeks."""
    result = services.surge_detect()
    logger.info(
        "surge check: %s queues checked, %s over, %s raised, %s notified, %s failed",
        result.queues_checked,
        result.over,
        result.raised,
        result.notified,
        result.notify_failed,
    )
    return vars(result)
