"""Celery tasks of the catalog: thin wrappers that call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from catalog import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=120, soft_time_limit=100)
def calendar_ensure_years() -> list[dict[str, object]]:
    """Keep the working-day calendar filled for this year and the next (daily, see settings)."""
    results = services.calendar_ensure_years()
    for result in results:
        logger.info(
            "calendar %s: %s created, %s updated, %s manual kept%s",
            result.year,
            result.created,
            result.updated,
            result.kept_manual,
            " (provisional)" if result.provisional else "",
        )
    return [vars(result) for result in results]


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=600, soft_time_limit=540)
def search_documents_rebuild() -> int:
    """Rewrite every guide's search document (nightly, see settings): drops those of versions
    superseded since, and catches guides written outside the catalog services."""
    written = services.search_documents_rebuild()
    logger.info("search: %s documents written", written)
    return written


# Idempotent: a rerun flags nothing new and tells no one twice (``limit_breach_notified_at``).
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=300, soft_time_limit=270)
def bundle_limits_recheck() -> dict[str, int]:
    """Re-check every bundle's promised limit against its members' current promised limits
    (daily, after midnight, when new guide versions take effect) and tell administrators and
    supervisors once of each bundle that no longer keeps within them."""
    flagged = services.bundle_limits_recheck()
    sent = services.bundle_limit_breaches_notify()
    logger.info("bundle limits: %s newly flagged, %s messages", len(flagged), sent)
    return {"flagged": len(flagged), "messages": sent}


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5, time_limit=120, soft_time_limit=100)
def bundle_limit_breaches_notify() -> int:
    """Tell administrators and supervisors of bundles just flagged (queued when a guide is published)."""
    return services.bundle_limit_breaches_notify()
