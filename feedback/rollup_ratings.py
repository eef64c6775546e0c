"""The monthly satisfaction roll-up (评价公开, REQUIREMENTS §9): one ``SatisfactionMonth`` row per
hall, department and window for a month, so that the public page reads a page of rows instead
of counting ratings.

A rating belongs to the month of the service it rates (``Rating.served_month``: the ticket done
or the case completed, Asia/Shanghai), not of the moment it was given, so a month's figures may
still move while its ratings and default ratings come in; the periodic job recomputes the
current and the two previous months (a default comes ``default_after_days`` after the service).

Counted: every rating not ``excluded`` (an appeal overturned it), and default ratings only when
``RatingPolicy.defaults_in_statistics`` (their number is stored apart either way).

    满意度 (satisfaction) = (非常满意 + 满意 + 基本满意) / (all counted ratings)

Three aggregate queries (GROUP BY hall, department, window) do the counting in the database; the
write is an upsert on (month, hall, scope) plus the removal of scopes with no rating left, in one
transaction: rerunning a month gives exactly the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from feedback import statistics_cache
from feedback.models_ratings import Level, Rating, SatisfactionMonth
from feedback.ratings import month_start, policy
from queueing import dashboard_poll
from servicehall.clock import local_date

HALL_SCOPE = "hall"
_LEVEL_FIELDS = {
    Level.VERY_SATISFIED: "very_satisfied",
    Level.SATISFIED: "satisfied",
    Level.BASIC: "basic",
    Level.DISSATISFIED: "dissatisfied",
    Level.VERY_DISSATISFIED: "very_dissatisfied",
}
_COUNTS = (*_LEVEL_FIELDS.values(), "defaults", "excluded")


def department_scope(pk: int) -> str:
    return f"department:{pk}"


def window_scope(pk: int) -> str:
    return f"window:{pk}"


def _aggregates(defaults_counted: bool) -> dict[str, Count]:
    counted = Q(excluded=False) if defaults_counted else Q(excluded=False, is_default=False)
    figures = {name: Count("pk", filter=counted & Q(level=level)) for level, name in _LEVEL_FIELDS.items()}
    figures["defaults"] = Count("pk", filter=Q(is_default=True, excluded=False))
    figures["excluded"] = Count("pk", filter=Q(excluded=True))
    return figures


def _dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


def satisfaction_rollup(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Recompute ``month``'s rows (any day of it). Returns how many rows it holds now."""
    now = now or timezone.now()
    month = month_start(month)
    figures = _aggregates(policy().defaults_in_statistics)
    ratings = Rating.objects.filter(served_month=month)
    rows: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
    for row in _dicts(ratings.values("hall_id").annotate(**figures).order_by()):
        rows[(row["hall_id"], HALL_SCOPE)] = {name: row[name] for name in _COUNTS}
    for row in _dicts(
        ratings.filter(department__isnull=False).values("hall_id", "department_id").annotate(**figures).order_by()
    ):
        rows[(row["hall_id"], department_scope(row["department_id"]))] = {
            "department_id": row["department_id"],
            **{name: row[name] for name in _COUNTS},
        }
    for row in _dicts(
        ratings.filter(window__isnull=False).values("hall_id", "window_id").annotate(**figures).order_by()
    ):
        rows[(row["hall_id"], window_scope(row["window_id"]))] = {
            "window_id": row["window_id"],
            **{name: row[name] for name in _COUNTS},
        }
    objects = [
        SatisfactionMonth(month=month, hall_id=hall_id, scope=scope, computed_at=now, **values)
        for (hall_id, scope), values in rows.items()
    ]
    with transaction.atomic():
        keep = Q()
        for hall_id, scope in rows:
            keep |= Q(hall_id=hall_id, scope=scope)
        stale = SatisfactionMonth.objects.filter(month=month)
        if rows:
            stale = stale.exclude(keep)
        gone = set(stale.filter(scope=HALL_SCOPE).values_list("hall_id", flat=True))
        stale.delete()
        SatisfactionMonth.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["month", "hall", "scope"],
            update_fields=[*_COUNTS, "department", "window", "computed_at"],
        )
        # The published page shows the rollup: a new generation, now and once committed.
        statistics_cache.bump()
        # So do the halls' live dashboards (this month's and last month's satisfaction).
        dashboard_poll.dashboard_changed_on_commit(*gone, *(hall_id for hall_id, scope in rows if scope == HALL_SCOPE))
    return len(objects)


def months_to_refresh(today: dt.date, count: int = 3) -> list[dt.date]:
    """The current month and the ``count - 1`` before it, newest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - dt.timedelta(days=1)))
    return months


def satisfaction_rollup_recent(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(satisfaction_rollup(month=m, now=now) for m in months_to_refresh(local_date(now)))


# --- Reads -----------------------------------------------------------------------------------


def satisfaction_rows(
    *, month: dt.date, scope: str = HALL_SCOPE, hall_id: int | None = None
) -> QuerySet[SatisfactionMonth]:
    """The month's rows of one scope kind ("hall", "department" or "window"), with their hall,
    department and window joined (one query per page, however many rows)."""
    rows = SatisfactionMonth.objects.filter(month=month_start(month)).select_related("hall", "department", "window")
    if scope == HALL_SCOPE:
        rows = rows.filter(scope=HALL_SCOPE).order_by("hall__code")
    else:
        rows = rows.filter(scope__startswith=f"{scope}:").order_by("hall__code", "department__code", "window__number")
    if hall_id is not None:
        rows = rows.filter(hall_id=hall_id)
    return rows


def hall_satisfaction(*, hall_id: int, months: list[dt.date]) -> dict[dt.date, SatisfactionMonth]:
    """The hall rows of ``months`` (one query), by month."""
    rows = SatisfactionMonth.objects.filter(hall_id=hall_id, scope=HALL_SCOPE, month__in=months)
    return {row.month: row for row in rows}
