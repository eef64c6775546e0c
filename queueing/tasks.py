"""Celery tasks of the queues: thin wrappers, scheduled in ``settings.CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from queueing import learning, monitor, rollup, services
from servicehall.clock import local_date

logger = logging.getLogger(__name__)


# Runs every minute: a retry is only worth it for a passing database hiccup, and must be over
# before the next scheduled run, which would do the same work anyway. The time limit keeps a
# stuck run from piling up behind the next ones.
@shared_task(autoretry_for=(Exception,), retry_backoff=5, max_retries=2, time_limit=55, soft_time_limit=45)
def monitor_queues() -> dict[str, object]:
    """Check every open queue against its thresholds; raise, notify and close wait alerts."""
    result = monitor.monitor_run()
    logger.info(
        "wait monitor %s: %s halls open, %s queues evaluated, %s over, %s raised, %s notified, %s failed, %s closed",
        result.run_id,
        result.halls_open,
        result.queues_evaluated,
        result.queues_over,
        result.raised,
        result.notified,
        result.notify_failed,
        result.closed,
    )
    return vars(result)


@shared_task(autoretry_for=(Exception,), retry_backoff=5, max_retries=2, time_limit=55, soft_time_limit=45)
def leave_windows_of_expired_sessions() -> int:
    """Close the windows of clerks whose login has expired (every minute)."""
    left = services.windows_leave_expired_sessions()
    if left:
        logger.info("closed %s windows of expired logins: %s", len(left), ", ".join(str(x.window) for x in left))
    return len(left)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=3, time_limit=240, soft_time_limit=200)
def expire_tickets() -> int:
    """At closing time (every five minutes): expire the tickets left unserved, then close the
    windows still open with nobody at their counter (``services.windows_close_after_hours``)."""
    expired = services.tickets_expire()
    logger.info("expired %s unserved tickets", expired)
    closed = services.windows_close_after_hours()
    if closed:
        logger.info("closed %s windows after hours: %s", len(closed), ", ".join(str(x.window.pk) for x in closed))
    return expired


# Nightly and idempotent: retries may be generous, a rerun rewrites the same rows.
@shared_task(autoretry_for=(Exception,), retry_backoff=300, max_retries=5, time_limit=900, soft_time_limit=840)
def rollup_yesterday() -> dict[str, object]:
    """Roll up yesterday (Asia/Shanghai) into DailyStat rows, and learn its service times per
    queue and hour (the estimator's priors, ``queueing.learning``)."""
    day = local_date() - dt.timedelta(days=1)
    rows = rollup.rollup_day(day=day)
    learned = learning.learn_day(day=day)
    logger.info("daily statistics for %s: %s rows; %s service-time profiles learned", day.isoformat(), rows, learned)
    return {"day": day.isoformat(), "rows": rows, "learned": learned}
