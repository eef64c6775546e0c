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
    """Accept by law the cases left without a one-time notice in time (Art. 32), flag cases near
    (yellow) and past (red) their deadline, tell people once per colour, remind applicants of owed
    materials and flag those past their date."""
    result = warnings.warnings_run()
    logger.info(
        "case warnings %s: %s red, %s yellow, %s settled, %s taken over, %s messages (%s failed), "
        "%s owed reminders, %s cases owe past their date, %s deemed accepted (%s bundle applications)",
        result.run_id,
        result.turned_red,
        result.turned_yellow,
        result.settled,
        result.taken_over,
        result.messages,
        result.failed,
        result.owed_reminded,
        result.owed_flagged,
        result.deemed_accepted,
        result.bundles_deemed_accepted,
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
    # And the due dates of the bundle applications in progress (cases/bundles.py).
    from cases import bundles

    bundles.bundle_deadlines_recompute(
        start=dt.date.fromisoformat(start) if start else None, end=dt.date.fromisoformat(end) if end else None
    )
    return moved


# Forwarding (转办, cases/forwarding.py): tell the other hall; at most once per forwarding and kind.
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5, time_limit=60, soft_time_limit=50)
def forwarding_notify(forwarding_id: int, kind: str) -> int:
    from cases.forwarding import forwarding_notify as notify

    return notify(forwarding_id, kind)


# Urgent matters (cases/urgent.py): the applicant is told of the decision, once (idempotency key).
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5, time_limit=60, soft_time_limit=50)
def urgent_notify(request_id: int) -> bool:
    from cases.urgent import urgent_notify_send

    return urgent_notify_send(request_id=request_id)


# Urgent matters: the chief representative hears of a request waiting for them, once (its key).
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5, time_limit=60, soft_time_limit=50)
def urgent_chief_notify(request_id: int) -> int:
    from cases.urgent import urgent_chief_notify_send

    return urgent_chief_notify_send(request_id=request_id)
