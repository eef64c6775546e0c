"""Celery tasks of the cases: thin wrappers, scheduled in ``settings.CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from cases import services, warnings

logger = logging.getLogger(__name__)


# Every few minutes (see settings): a retry is worth it only for a passing database hiccup, and
# must be over before the next run, which would do the same work anyway.
@shared_task(autoretry_for=(Exception,), retry_backoff=10, max_retries=2, time_limit=240, soft_time_limit=200)
def case_warnings() -> dict[str, object]:
    """Flag cases near (yellow) and past (red) their deadline, tell people once per colour, remind
    applicants of owed materials and flag those past their date."""
    result = warnings.warnings_run()
    logger.info(
        "case warnings %s: %s red, %s yellow, %s settled, %s taken over, %s messages (%s failed), "
        "%s owed reminders, %s cases owe past their date",
        result.run_id,
        result.turned_red,
        result.turned_yellow,
        result.settled,
        result.taken_over,
        result.messages,
        result.failed,
        result.owed_reminded,
        result.owed_flagged,
    )
    return vars(result)


# Idempotent: a rerun recomputes the same deadlines to the same dates.
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=1800, soft_time_limit=1700)
def recompute_deadlines(start: str | None = None, end: str | None = None) -> int:
    """Recompute the stored deadlines after the calendar changed between ``start`` and ``end``
    (ISO dates), and every provisional one; nightly with no dates, after the calendar refresh."""
    moved = services.case_deadlines_recompute(
        start=dt.date.fromisoformat(start) if start else None, end=dt.date.fromisoformat(end) if end else None
    )
    logger.info("case deadlines recomputed (%s to %s): %s moved", start or "-", end or "-", moved)
    return moved
