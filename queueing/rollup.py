"""The daily roll-up: one ``DailyStat`` row per hall, queue category and window for a day, so
that history pages and exports read a few rows instead of rescanning tickets (REQUIREMENTS §4).

Each scope is a set of the day's tickets (``service_date``): the hall's, a category's (where the
ticket ended up after any transfer) and a window's (the window that last had the ticket), and
every figure is computed the same way over that set:

* ``issued``: tickets in the set; ``served`` (done), ``no_show``, ``cancelled``, ``expired``;
* waits, for tickets that were called: ``called_at − arrived_at`` (total, count, maximum); a
  transfer keeps the arrival time, so a transferred ticket's wait runs to its last call;
* service, for done tickets: ``finished_at − started_at``;
* ``waited_within_target``: called tickets whose wait stayed within their category's target
  wait (``queueing.targets``; the target in force when the day is rolled up);
* ``hourly``, by Asia/Shanghai hour: ``arrivals`` by the hour the ticket was taken, ``served``
  by the hour it was finished, ``wait_total``/``waited``/``within`` by the hour it was called.

Four aggregate queries (GROUP BY hall, category, window, and the hour for the hourly figures) do
the counting in the database (a fifth reads the categories' targets), on SQLite and PostgreSQL alike; Python only folds the groups into
scopes. The write is an upsert on (date, hall, scope) plus the removal of scopes that no longer
have tickets, in one transaction: rerunning a day gives exactly the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import ExtractHour

from queueing.config import resolve
from queueing.models import DailyStat, QueueCategory, Ticket
from queueing.targets import within_aggregates, within_of
from servicehall.clock import SHANGHAI

HALL_SCOPE = "hall"

_COUNTED = ("issued", "served", "no_show", "cancelled", "expired", "waited")
_WRITTEN = (
    "category",
    "window",
    "issued",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "wait_seconds_total",
    "waited",
    "max_wait_seconds",
    "service_seconds_total",
    "waited_within_target",
    "hourly",
)

ScopeKey = tuple[int, str]  # (hall id, scope)


def category_scope(category_id: int) -> str:
    return f"category:{category_id}"


def window_scope(window_id: int) -> str:
    return f"window:{window_id}"


@dataclass
class _Figures:
    category_id: int | None = None
    window_id: int | None = None
    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    waited: int = 0
    wait_total: dt.timedelta = dt.timedelta(0)
    wait_max: dt.timedelta = dt.timedelta(0)
    service_total: dt.timedelta = dt.timedelta(0)
    within: int = 0
    hourly: dict[int, dict[str, float]] = field(
        default_factory=lambda: defaultdict(
            lambda: {"arrivals": 0, "served": 0, "wait_total": 0.0, "waited": 0, "within": 0}
        )
    )

    def add_totals(self, row: dict, *, within: int) -> None:
        for name in _COUNTED:
            setattr(self, name, getattr(self, name) + row[name])
        self.within += within
        self.wait_total += row["wait_total"] or dt.timedelta(0)
        self.wait_max = max(self.wait_max, row["wait_max"] or dt.timedelta(0))
        self.service_total += row["service_total"] or dt.timedelta(0)

    def stat(self, *, day: dt.date, hall_id: int, scope: str) -> DailyStat:
        return DailyStat(
            date=day,
            hall_id=hall_id,
            scope=scope,
            category_id=self.category_id,
            window_id=self.window_id,
            issued=self.issued,
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            expired=self.expired,
            wait_seconds_total=_seconds(self.wait_total),
            waited=self.waited,
            max_wait_seconds=_seconds(self.wait_max),
            service_seconds_total=_seconds(self.service_total),
            waited_within_target=self.within,
            hourly={
                str(hour): {**values, "wait_total": round(values["wait_total"])}
                for hour, values in sorted(self.hourly.items())
            },
        )


def _seconds(value: dt.timedelta) -> int:
    return max(0, round(value.total_seconds()))


def rollup_day(*, day: dt.date) -> int:
    """Write the ``DailyStat`` rows of ``day`` (idempotent); returns how many rows it wrote."""
    tickets = Ticket.objects.filter(service_date=day).order_by()
    wait = ExpressionWrapper(F("called_at") - F("arrived_at"), output_field=DurationField())
    service = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    called = Q(called_at__isnull=False)
    done = Q(status=Ticket.Status.DONE)
    timed = done & Q(started_at__isnull=False, finished_at__isnull=False)
    group = ("hall_id", "category_id", "window_id")
    target_minutes = {
        category.pk: resolve(getattr(category.hall, "queue_settings", None), category).target_wait_minutes
        for category in QueueCategory.objects.filter(pk__in=tickets.values("category_id")).select_related(
            "hall__queue_settings"
        )
    }
    within = within_aggregates(target_minutes.values())

    scopes: dict[ScopeKey, _Figures] = {}

    def targets(row: dict) -> list[_Figures]:
        """The scopes a group of tickets counts in: its hall, its category, its window."""
        hall_id, category_id, window_id = row["hall_id"], row["category_id"], row["window_id"]
        found = [
            scopes.setdefault((hall_id, HALL_SCOPE), _Figures()),
            scopes.setdefault((hall_id, category_scope(category_id)), _Figures(category_id=category_id)),
        ]
        if window_id is not None:
            found.append(scopes.setdefault((hall_id, window_scope(window_id)), _Figures(window_id=window_id)))
        return found

    totals = tickets.values(*group).annotate(
        issued=Count("pk"),
        served=Count("pk", filter=done),
        no_show=Count("pk", filter=Q(status=Ticket.Status.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=Ticket.Status.CANCELLED)),
        expired=Count("pk", filter=Q(status=Ticket.Status.EXPIRED)),
        waited=Count("pk", filter=called),
        wait_total=Sum(wait, filter=called),
        wait_max=Max(wait, filter=called),
        service_total=Sum(service, filter=timed),
        **within,
    )
    for row in totals:
        counted = within_of(row, target_minutes[row["category_id"]])
        for figures in targets(row):
            figures.add_totals(row, within=counted)

    def hourly(queryset, moment: str, **aggregates):
        return (
            queryset.annotate(hour=ExtractHour(moment, tzinfo=SHANGHAI)).values(*group, "hour").annotate(**aggregates)
        )

    for row in hourly(tickets, "issued_at", n=Count("pk")):
        for figures in targets(row):
            figures.hourly[row["hour"]]["arrivals"] += row["n"]
    for row in hourly(tickets.filter(done, finished_at__isnull=False), "finished_at", n=Count("pk")):
        for figures in targets(row):
            figures.hourly[row["hour"]]["served"] += row["n"]
    for row in hourly(tickets.filter(called), "called_at", n=Count("pk"), total=Sum(wait), **within):
        counted = within_of(row, target_minutes[row["category_id"]])
        for figures in targets(row):
            figures.hourly[row["hour"]]["waited"] += row["n"]
            figures.hourly[row["hour"]]["within"] += counted
            figures.hourly[row["hour"]]["wait_total"] += (row["total"] or dt.timedelta(0)).total_seconds()

    rows = [figures.stat(day=day, hall_id=hall_id, scope=scope) for (hall_id, scope), figures in sorted(scopes.items())]
    with transaction.atomic():
        if rows:
            DailyStat.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["date", "hall", "scope"], update_fields=list(_WRITTEN)
            )
        # A scope written by an earlier run that has no tickets now (a ticket corrected since)
        # would otherwise linger beside the fresh rows.
        stale = [
            pk
            for pk, hall_id, scope in DailyStat.objects.filter(date=day).values_list("pk", "hall_id", "scope")
            if (hall_id, scope) not in scopes
        ]
        if stale:
            DailyStat.objects.filter(pk__in=stale).delete()
    return len(rows)
