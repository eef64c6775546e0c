"""Celery tasks of the 好差评 ratings: thin wrappers, scheduled in ``settings.CELERY_BEAT_SCHEDULE``
(imported by ``feedback.wiring`` so that the worker registers them)."""

from __future__ import annotations

import logging

from celery import shared_task

from feedback import ratings as rating_services
from feedback import rectification, rollup_ratings

logger = logging.getLogger(__name__)


# Idempotent (the unique rating per ticket and case): a retry or a rerun records nothing twice.
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=3, time_limit=600, soft_time_limit=540)
def ratings_record_defaults() -> int:
    """Record the default 满意 (默认好评) of services left unrated past the policy's days."""
    recorded = rating_services.ratings_record_defaults()
    logger.info("default ratings recorded: %s", recorded)
    return recorded


# Conditional update: two runs never flag the same order twice.
@shared_task(autoretry_for=(Exception,), retry_backoff=10, max_retries=2, time_limit=240, soft_time_limit=200)
def rectifications_flag_overdue() -> int:
    flagged = rectification.orders_flag_overdue()
    logger.info("rectification orders flagged overdue: %s", flagged)
    return flagged


# Idempotent: a rerun of a month writes the same rows.
@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=2, time_limit=600, soft_time_limit=540)
def satisfaction_rollup_recent() -> int:
    rows = rollup_ratings.satisfaction_rollup_recent()
    logger.info("satisfaction rollup: %s rows", rows)
    return rows
