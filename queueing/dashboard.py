"""Reads for the supervisors' dashboard (等候监测; REQUIREMENTS §4 last bullet, Art. 8 ¶4).

Live figures come from **today's** tickets only: every ticket query filters on the hall and
``service_date = today`` (answered by the index ``ticket_day_idx`` on hall, service_date, status)
and groups in the database, so a page costs the same number of queries, and reads the same rows,
however long the history is. History never touches tickets: it sums the ``DailyStat`` rows that
the nightly roll-up writes.

Definitions (the pages say them too):

- waiting now: tickets with status "waiting"; longest wait now: ``now`` − the earliest arrival
  among them;
- average wait: ``called_at − arrived_at`` over today's tickets that have been called (a transfer
  clears ``called_at`` and keeps ``arrived_at``, so a transferred ticket counts once it is called
  again, with its whole wait);
- average service time: ``finished_at − started_at`` over today's finished ("done") tickets;
- no-show rate: no-shows ÷ (finished + no-shows), of the people called who reached an outcome;
- idle window: open, with no ticket at the counter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext as _

from catalog.models import Hall
from queueing.config import QueueConfig, resolve
from queueing.models import DailyStat, HallQueueSettings, QueueCategory, Ticket, WaitAlert, Window
from servicehall.clock import SHANGHAI, local_date

HALL_SCOPE = "hall"
# Closed alerts listed under the open ones on a hall's page.
RECENT_ALERTS_DAYS = 7
RECENT_ALERTS_SHOWN = 10
# The hourly chart spans at least the default opening hours (9:00–17:00) and stretches to any
# hour with tickets (early openings, extended hours).
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 9, 16

_WAIT = ExpressionWrapper(F("called_at") - F("arrived_at"), output_field=DurationField())
_SERVICE = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
_LEVEL_ORDER = Case(
    *(When(level=level, then=Value(rank)) for rank, level in enumerate(Hall.Level.values)),
    default=Value(len(Hall.Level.values)),
    output_field=IntegerField(),
)


def _today_aggregates() -> dict[str, Any]:
    """Figures of a group of today's tickets, in one grouped query."""
    called = Q(called_at__isnull=False)
    done = Q(status=Ticket.Status.DONE)
    return {
        "issued": Count("pk"),
        "waiting": Count("pk", filter=Q(status=Ticket.Status.WAITING)),
        "oldest_arrived_at": Min("arrived_at", filter=Q(status=Ticket.Status.WAITING)),
        "waited": Count("pk", filter=called),
        "wait_total": Sum(_WAIT, filter=called),
        "served": Count("pk", filter=done),
        "service_total": Sum(_SERVICE, filter=done & Q(started_at__isnull=False)),
        "no_show": Count("pk", filter=Q(status=Ticket.Status.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(status=Ticket.Status.CANCELLED)),
        "expired": Count("pk", filter=Q(status=Ticket.Status.EXPIRED)),
    }


_STAT_SUMS = {
    "issued": Sum("issued"),
    "served": Sum("served"),
    "no_show": Sum("no_show"),
    "cancelled": Sum("cancelled"),
    "expired": Sum("expired"),
    "waited": Sum("waited"),
    "wait_total": Sum("wait_seconds_total"),
    "max_wait": Max("max_wait_seconds"),
    "service_total": Sum("service_seconds_total"),
}


def _seconds(value: dt.timedelta | float | None) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


@dataclass
class Figures:
    """Counts and time totals of a hall, queue, window, hour or day; averages are derived so
    that totals add up correctly (a weighted mean, never a mean of means)."""

    issued: int = 0
    waiting: int = 0
    longest_wait_seconds: float | None = None  # live: the longest current wait; history: the day's longest
    waited: int = 0
    wait_seconds_total: float = 0.0
    served: int = 0
    service_seconds_total: float = 0.0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0

    @classmethod
    def from_tickets(cls, row: Mapping[str, Any] | None, *, now: dt.datetime) -> Figures:
        if not row:
            return cls()
        oldest = row.get("oldest_arrived_at")
        return cls(
            issued=row["issued"],
            waiting=row["waiting"],
            longest_wait_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
            waited=row["waited"],
            wait_seconds_total=_seconds(row["wait_total"]),
            served=row["served"],
            service_seconds_total=_seconds(row["service_total"]),
            no_show=row["no_show"],
            cancelled=row["cancelled"],
            expired=row["expired"],
        )

    @classmethod
    def from_stats(cls, row: Mapping[str, Any] | None) -> Figures:
        if not row:
            return cls()
        return cls(
            issued=row["issued"] or 0,
            longest_wait_seconds=float(row["max_wait"]) if row["max_wait"] is not None else None,
            waited=row["waited"] or 0,
            wait_seconds_total=_seconds(row["wait_total"]),
            served=row["served"] or 0,
            service_seconds_total=_seconds(row["service_total"]),
            no_show=row["no_show"] or 0,
            cancelled=row["cancelled"] or 0,
            expired=row["expired"] or 0,
        )

    def __add__(self, other: Figures) -> Figures:
        merged = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "longest_wait_seconds"
        }
        longest = [v for v in (self.longest_wait_seconds, other.longest_wait_seconds) if v is not None]
        return Figures(**merged, longest_wait_seconds=max(longest) if longest else None)

    @property
    def longest_wait_minutes(self) -> float | None:
        return None if self.longest_wait_seconds is None else self.longest_wait_seconds / 60

    @property
    def average_wait_minutes(self) -> float | None:
        return self.wait_seconds_total / self.waited / 60 if self.waited else None

    @property
    def average_service_minutes(self) -> float | None:
        return self.service_seconds_total / self.served / 60 if self.served else None

    @property
    def no_show_rate(self) -> float | None:
        """Percentage of the called people who did not come (None when nobody was called yet)."""
        outcomes = self.served + self.no_show
        return 100 * self.no_show / outcomes if outcomes else None


def _total(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


# --- Scope -------------------------------------------------------------------------------------


def halls_in_scope(hall_ids: list[int] | None) -> QuerySet[Hall]:
    """Those of ``hall_ids`` (every hall when None: ``servicehall.access.supervised_hall_ids``)
    that run a queue. City centre first, then districts, streets, stations."""
    halls = Hall.objects.all() if hall_ids is None else Hall.objects.filter(pk__in=hall_ids)
    return halls.filter(Exists(QueueCategory.objects.filter(hall=OuterRef("pk")))).order_by(_LEVEL_ORDER, "code")


# --- City overview -----------------------------------------------------------------------------


@dataclass
class HallRow:
    hall: Hall | None  # None for the totals row
    figures: Figures
    open_windows: int = 0
    idle_windows: int = 0
    open_alerts: int = 0
    unacknowledged_alerts: int = 0

    def __add__(self, other: HallRow) -> HallRow:
        return HallRow(
            hall=None,
            figures=self.figures + other.figures,
            open_windows=self.open_windows + other.open_windows,
            idle_windows=self.idle_windows + other.idle_windows,
            open_alerts=self.open_alerts + other.open_alerts,
            unacknowledged_alerts=self.unacknowledged_alerts + other.unacknowledged_alerts,
        )


@dataclass
class Overview:
    now: dt.datetime
    today: dt.date
    rows: list[HallRow]
    totals: HallRow


def city_overview(*, halls: QuerySet[Hall], now: dt.datetime) -> Overview:
    """One row per hall with today's figures: four queries whatever the number of halls or tickets
    (halls; tickets grouped by hall; windows grouped by hall; open alerts grouped by hall)."""
    today = local_date(now)
    hall_list = list(halls)
    ids = [hall.pk for hall in hall_list]
    tickets = {
        row["hall_id"]: row
        for row in Ticket.objects.filter(hall_id__in=ids, service_date=today)
        .order_by()
        .values("hall_id")
        .annotate(**_today_aggregates())
    }
    at_counter = Ticket.objects.filter(window=OuterRef("pk"), service_date=today, status__in=Ticket.AT_WINDOW)
    windows: dict[int, Mapping[str, Any]] = {
        row["hall_id"]: row
        for row in Window.objects.filter(hall_id__in=ids)
        .order_by()
        .values("hall_id")
        .annotate(
            open=Count("pk", filter=Q(is_open=True)),
            idle=Count("pk", filter=Q(is_open=True) & ~Q(Exists(at_counter))),
        )
    }
    alerts: dict[int, Mapping[str, Any]] = {
        row["hall_id"]: row
        for row in WaitAlert.objects.filter(hall_id__in=ids, closed_at__isnull=True)
        .order_by()
        .values("hall_id")
        .annotate(open=Count("pk"), unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)))
    }
    rows = [
        HallRow(
            hall=hall,
            figures=Figures.from_tickets(tickets.get(hall.pk), now=now),
            open_windows=windows.get(hall.pk, {}).get("open", 0),
            idle_windows=windows.get(hall.pk, {}).get("idle", 0),
            open_alerts=alerts.get(hall.pk, {}).get("open", 0),
            unacknowledged_alerts=alerts.get(hall.pk, {}).get("unacknowledged", 0),
        )
        for hall in hall_list
    ]
    return Overview(now=now, today=today, rows=rows, totals=sum(rows, HallRow(hall=None, figures=Figures())))


# --- One hall, today ---------------------------------------------------------------------------


@dataclass
class CategoryRow:
    category: QueueCategory
    figures: Figures
    open_windows: int
    config: QueueConfig
    alert_open: bool

    @property
    def over_wait_threshold(self) -> bool:
        longest = self.figures.longest_wait_minutes
        return longest is not None and longest > self.config.max_wait_minutes

    @property
    def over_length_threshold(self) -> bool:
        return self.figures.waiting > self.config.max_waiting_per_window * max(self.open_windows, 1)


@dataclass
class WindowRow:
    window: Window
    figures: Figures
    current_number: str | None
    current_status: str | None
    category_letters: list[str]

    @property
    def is_idle(self) -> bool:
        return self.window.is_open and self.current_number is None

    @property
    def current_status_label(self) -> str:
        return str(Ticket.Status(self.current_status).label) if self.current_status else ""


@dataclass
class HourRow:
    hour: int
    arrivals: int = 0
    served: int = 0
    waited: int = 0
    wait_seconds_total: float = 0.0

    @property
    def average_wait_minutes(self) -> float | None:
        return self.wait_seconds_total / self.waited / 60 if self.waited else None

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00–{self.hour + 1:02d}:00"


@dataclass
class HallLive:
    hall: Hall
    now: dt.datetime
    today: dt.date
    totals: HallRow
    categories: list[CategoryRow]
    windows: list[WindowRow]
    hours: list[HourRow] = field(default_factory=list)


def hall_live(*, hall: Hall, now: dt.datetime) -> HallLive:
    """Today's figures of one hall per queue category, per window and per hour: ten queries
    whatever the number of tickets, categories or windows."""
    today = local_date(now)
    hall_settings = HallQueueSettings.objects.filter(hall=hall).first()
    categories = list(QueueCategory.objects.filter(hall=hall).order_by("order", "letter"))
    windows = list(Window.objects.filter(hall=hall).prefetch_related("categories").order_by("number"))
    today_tickets = Ticket.objects.filter(hall=hall, service_date=today).order_by()
    by_category = {
        row["category_id"]: row for row in today_tickets.values("category_id").annotate(**_today_aggregates())
    }
    by_window = {
        row["window_id"]: row
        # Grouped over all of today's tickets (the NULL group, tickets never called, is ignored):
        # a "window_id IS NOT NULL" condition could tempt the planner into the window index,
        # which covers every ticket ever served.
        for row in today_tickets.values("window_id").annotate(
            **_today_aggregates(),
            # A window has at most one ticket at the counter (constraint
            # ticket_one_current_per_window), so the maximum is that ticket.
            current_number=Max("number", filter=Q(status__in=Ticket.AT_WINDOW)),
            current_status=Max("status", filter=Q(status__in=Ticket.AT_WINDOW)),
        )
    }
    open_alerts = dict(
        WaitAlert.objects.filter(hall=hall, closed_at__isnull=True).values_list("category_id", "acknowledged_at")
    )

    open_windows = [w for w in windows if w.is_open]
    category_rows = [
        CategoryRow(
            category=category,
            figures=Figures.from_tickets(by_category.get(category.pk), now=now),
            open_windows=sum(1 for w in open_windows if w.serves_every_category or category in w.categories.all()),
            config=resolve(hall_settings, category),
            alert_open=category.pk in open_alerts,
        )
        for category in categories
    ]
    window_rows = []
    for window in windows:
        row = by_window.get(window.pk)
        window_rows.append(
            WindowRow(
                window=window,
                figures=Figures.from_tickets(row, now=now),
                current_number=row["current_number"] if row else None,
                current_status=row["current_status"] if row else None,
                category_letters=[] if window.serves_every_category else [c.letter for c in window.categories.all()],
            )
        )
    totals = HallRow(
        hall=hall,
        figures=_total(row.figures for row in category_rows),
        open_windows=len(open_windows),
        idle_windows=sum(1 for row in window_rows if row.is_idle),
        open_alerts=len(open_alerts),
        unacknowledged_alerts=sum(1 for acknowledged in open_alerts.values() if acknowledged is None),
    )
    return HallLive(
        hall=hall,
        now=now,
        today=today,
        totals=totals,
        # An inactive queue is listed only if it still had tickets today.
        categories=[row for row in category_rows if row.category.is_active or row.figures.issued],
        windows=window_rows,
        hours=_hours(today_tickets),
    )


def _hours(today_tickets: QuerySet[Ticket]) -> list[HourRow]:
    """Arrivals by the hour of arrival, finished tickets by the hour they finished, and the
    average wait by the hour of the call (the waits that ended in that hour): three queries."""
    arrivals = (
        today_tickets.annotate(hour=ExtractHour("arrived_at", tzinfo=SHANGHAI)).values("hour").annotate(n=Count("pk"))
    )
    served = (
        today_tickets.filter(status=Ticket.Status.DONE, finished_at__isnull=False)
        .annotate(hour=ExtractHour("finished_at", tzinfo=SHANGHAI))
        .values("hour")
        .annotate(n=Count("pk"))
    )
    waits = (
        today_tickets.filter(called_at__isnull=False)
        .annotate(hour=ExtractHour("called_at", tzinfo=SHANGHAI))
        .values("hour")
        .annotate(n=Count("pk"), total=Sum(_WAIT))
    )
    rows: dict[int, HourRow] = {}
    for row in arrivals:
        rows.setdefault(row["hour"], HourRow(row["hour"])).arrivals = row["n"]
    for row in served:
        rows.setdefault(row["hour"], HourRow(row["hour"])).served = row["n"]
    for row in waits:
        hour = rows.setdefault(row["hour"], HourRow(row["hour"]))
        hour.waited, hour.wait_seconds_total = row["n"], _seconds(row["total"])
    if not rows:
        return []
    first, last = min(DEFAULT_FIRST_HOUR, *rows), max(DEFAULT_LAST_HOUR, *rows)
    return [rows.get(hour, HourRow(hour)) for hour in range(first, last + 1)]


# --- Wait alerts of a hall ---------------------------------------------------------------------


@dataclass
class HallAlerts:
    open: list[WaitAlert]
    recent_closed: list[WaitAlert]


def hall_alerts(*, hall: Hall, now: dt.datetime) -> HallAlerts:
    """Open alerts (oldest first: the longest-standing problem on top), then those closed in the
    last days (newest first). Two queries; both lists are short (one open alert per queue)."""
    alerts = WaitAlert.objects.filter(hall=hall).select_related("category")
    return HallAlerts(
        open=list(alerts.filter(closed_at__isnull=True).order_by("opened_at", "pk")),
        recent_closed=list(
            alerts.filter(closed_at__isnull=False, opened_at__gte=now - dt.timedelta(days=RECENT_ALERTS_DAYS)).order_by(
                "-opened_at", "-pk"
            )[:RECENT_ALERTS_SHOWN]
        ),
    )


# --- History (DailyStat only) ------------------------------------------------------------------


@dataclass
class DayRow:
    date: dt.date
    figures: Figures


@dataclass
class QueueHistoryRow:
    label: str
    figures: Figures


@dataclass
class History:
    start: dt.date
    end: dt.date
    days: list[DayRow]
    totals: Figures
    halls: list[HallRow] = field(default_factory=list)  # city history: one row per hall
    categories: list[QueueHistoryRow] = field(default_factory=list)  # hall history
    windows: list[QueueHistoryRow] = field(default_factory=list)  # hall history


def _hall_stats(hall_ids: list[int], start: dt.date, end: dt.date) -> QuerySet[DailyStat]:
    return DailyStat.objects.filter(hall_id__in=hall_ids, scope=HALL_SCOPE, date__range=(start, end)).order_by()


def _days(hall_ids: list[int], start: dt.date, end: dt.date) -> list[DayRow]:
    return [
        DayRow(date=row["date"], figures=Figures.from_stats(row))
        for row in _hall_stats(hall_ids, start, end).values("date").annotate(**_STAT_SUMS).order_by("date")
    ]


def hall_history(*, hall: Hall, start: dt.date, end: dt.date) -> History:
    """A hall's days in the range, and its queues and windows over the whole range: two queries."""
    days = _days([hall.pk], start, end)
    queue_rows = (
        DailyStat.objects.filter(hall=hall, date__range=(start, end))
        .exclude(scope=HALL_SCOPE)
        .order_by()
        .values("scope", "category__order", "category__letter", "category__name", "window__number")
        .annotate(**_STAT_SUMS)
    )
    categories: list[tuple[tuple[int, str], QueueHistoryRow]] = []
    windows: list[tuple[int, QueueHistoryRow]] = []
    for row in queue_rows:
        if row["category__letter"] is not None:
            label = _("%(letter)s类 %(name)s") % {"letter": row["category__letter"], "name": row["category__name"]}
            categories.append(
                ((row["category__order"], row["category__letter"]), QueueHistoryRow(label, Figures.from_stats(row)))
            )
        elif row["window__number"] is not None:
            label = _("%(number)s号窗口") % {"number": row["window__number"]}
            windows.append((row["window__number"], QueueHistoryRow(label, Figures.from_stats(row))))
    return History(
        start=start,
        end=end,
        days=days,
        totals=_total(day.figures for day in days),
        categories=[row for _key, row in sorted(categories, key=lambda pair: pair[0])],
        windows=[row for _key, row in sorted(windows, key=lambda pair: pair[0])],
    )


def city_history(*, halls: list[Hall], start: dt.date, end: dt.date) -> History:
    """The halls' days added up, and each hall over the whole range: two queries."""
    ids = [hall.pk for hall in halls]
    by_hall = {
        row["hall_id"]: Figures.from_stats(row)
        for row in _hall_stats(ids, start, end).values("hall_id").annotate(**_STAT_SUMS)
    }
    days = _days(ids, start, end)
    return History(
        start=start,
        end=end,
        days=days,
        totals=_total(day.figures for day in days),
        halls=[HallRow(hall=hall, figures=by_hall.get(hall.pk, Figures())) for hall in halls],
    )


def export_rows(*, hall_ids: list[int], start: dt.date, end: dt.date, detail: bool) -> Iterator[DailyStat]:
    """DailyStat rows of the range, hall by hall and day by day, streamed from the database.
    ``detail`` adds each queue category and window under its hall's row."""
    stats = DailyStat.objects.filter(hall_id__in=hall_ids, date__range=(start, end)).select_related(
        "hall", "category", "window"
    )
    if not detail:
        stats = stats.filter(scope=HALL_SCOPE)
    scope_rank = Case(
        When(scope=HALL_SCOPE, then=Value(0)),
        When(category__isnull=False, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        stats.annotate(scope_rank=scope_rank)
        .order_by("date", "hall__code", "scope_rank", "category__order", "category__letter", "window__number", "pk")
        .iterator(chunk_size=2000)
    )
