"""Celery tasks of the “办不成事” reports: thin wrappers, scheduled in ``settings.CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

import logging

from celery import shared_task

from feedback import reports

logger = logging.getLogger(__name__)


# Every fifteen minutes (see settings): a retry helps only with a passing database hiccup and must
# be over before the next run, which would do the same work anyway.
@shared_task(autoretry_for=(Exception,), retry_backoff=10, max_retries=2, time_limit=240, soft_time_limit=200)
def report_flags() -> dict[str, object]:
    """Flag open reports near (yellow) and past (red) their reply deadline; tell supervisors once
    per colour."""
    result = reports.report_flags_run()
    logger.info(
        "report flags %s: %s red, %s yellow, %s settled, %s taken over, %s messages (%s failed)",
        result.run_id,
        result.turned_red,
        result.turned_yellow,
        result.settled,
        result.taken_over,
        result.messages,
        result.failed,
    )
    return vars(result)


# Queued through the outbox with the assignment; at most once per report and departments (key).
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5, time_limit=60, soft_time_limit=50)
def report_assigned_notify(report_id: int, department_codes: list[str], reopened: str = "") -> int:
    return reports.report_assigned_notify(report_id, department_codes, reopened=reopened)
