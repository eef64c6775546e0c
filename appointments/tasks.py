"""Celery tasks of the appointments: thin wrappers that call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from appointments import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=3, time_limit=110, soft_time_limit=100)
def send_due_reminders() -> int:
    sent = services.reminders_send_due()
    if sent:
        logger.info("reminders: %s sent", sent)
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3, time_limit=300, soft_time_limit=280)
def ensure_slots() -> dict[str, int]:
    result = services.slots_ensure_horizon()
    logger.info("slots: %s created, %s removed, %s closed", result.created, result.removed, result.closed)
    return vars(result)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=3, time_limit=110, soft_time_limit=100)
def mark_no_shows() -> dict[str, int]:
    result = services.bookings_mark_no_shows()
    if result.marked:
        logger.info("bookings: %s no-shows, %s suspended", result.marked, result.suspended)
    return vars(result)
