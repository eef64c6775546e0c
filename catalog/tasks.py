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
