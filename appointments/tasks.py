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


# A code is valid for ten minutes: retry a failed send soon, or not at all.
@shared_task(autoretry_for=(Exception,), retry_backoff=5, max_retries=2, time_limit=60, soft_time_limit=50)
def send_lookup_code(lookup_id: int) -> None:
    # Returns nothing: the worker's log must not tell whose lookup found bookings.
    services.booking_lookup_send_code(lookup_id=lookup_id)
