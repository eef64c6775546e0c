"""Staff matched to the workload (Art. 6 ¶4, Art. 8 ¶1): the window planner and the figures
surge detection and the roster read. Reads only, in a fixed number of set-based queries whatever
the number of hours, tickets and halls (one aggregate over the tickets grouped by local hour, one
list of the day's attendance spells); the model is ``queueing.erlang``, the one the wait monitor
uses. docs/staffing-workload.md explains the figures.

A module of its own rather than more of ``selectors.py``: the planner is arithmetic over a few
aggregates (dataclasses, no querysets handed to templates), and its tests read it on its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate

from cases.models import Case
from catalog import selectors as catalog_selectors
from catalog.hours import DayHours, hours_on
from catalog.models import HALL_ORDER, Hall, HallOpeningHours
from queueing import erlang, estimator
from queueing.config import QueueConfig, resolve
from queueing.models import HallQueueSettings, QueueCategory, Ticket, Window
from servicehall.clock import SHANGHAI, local_date, local_now
from staffing.models import AttendanceRecord

# "The same weekday over the last four weeks" (issue 13): the baseline of a future day's plan
# and of today's surge check.
BASELINE_WEEKS = 4


def baseline_days(day: dt.date, *, today: dt.date) -> list[dt.date]:
    """The four latest days before ``today`` on ``day``'s weekday, newest first."""
    back = (today.weekday() - day.weekday()) % 7 or 7
    latest = today - dt.timedelta(days=back)
    return [latest - dt.timedelta(weeks=k) for k in range(BASELINE_WEEKS)]


# How far back the surge check looks for four comparable days: a run of holidays (Spring
# Festival, National Day) takes at most one or two of a weekday's weeks.
BASELINE_LOOKBACK_WEEKS = 10


def comparable_days(day: dt.date, *, today: dt.date, day_kind: Callable[[dt.date], str]) -> list[dt.date]:
    """Up to four latest days before ``today`` that compare with ``day`` in the working-day
    calendar (``catalog.CalendarDay``), newest first: the same weekday and the same kind of day,
    within ``BASELINE_LOOKBACK_WEEKS``.

    - An ordinary working day compares with that weekday's working days: a holiday on that
      weekday (a closed hall, or a festival's crowd) is skipped, and the next week back is taken.
    - A make-up workday (调休上班, a weekend day worked) runs on Monday's hours
      (``catalog.hours.hours_on``), so it compares with the last working Mondays.
    - A weekend day (a hall open on Saturdays) compares with ordinary weekend days of that weekday:
      a make-up workday or a holiday falling on it is skipped.
    - A holiday has no comparable days: it is not judged.

    Fewer than four when the look-back holds fewer (a new calendar); the caller divides by how
    many were found and says so."""
    kind = day_kind(day)
    if kind == "holiday":
        return []
    weekday, wanted = day.weekday(), kind
    if kind == "makeup_workday":
        wanted = "workday"
        if weekday >= 5:
            weekday = 0
    back = (today.weekday() - weekday) % 7 or 7
    latest = today - dt.timedelta(days=back)
    found = []
    for k in range(BASELINE_LOOKBACK_WEEKS):
        candidate = latest - dt.timedelta(weeks=k)
        if day_kind(candidate) == wanted:
            found.append(candidate)
            if len(found) == BASELINE_WEEKS:
                break
    return found


def comparable_days_for(day: dt.date, *, today: dt.date) -> list[dt.date]:
    """``comparable_days`` with the calendar table read once (one query) for the look-back."""
    start = today - dt.timedelta(weeks=BASELINE_LOOKBACK_WEEKS + 1)
    day_kind = catalog_selectors.day_kinds(start=min(start, day), end=max(today, day))
    return comparable_days(day, today=today, day_kind=day_kind)


def surge_settings() -> dict[str, Any]:
    values = {"threshold": 0.30, "min_arrivals": 10}
    values.update(getattr(settings, "STAFFING_SURGE", {}))
    return values


# --- The window planner -------------------------------------------------------------------------


class Source:
    OBSERVED = "observed"  # tickets taken that day
    FORECAST = "forecast"  # mean of the last four comparable days on the same weekday (holidays skipped)


class Verdict:
    UNDER = "under"  # fewer windows open than needed
    OK = "ok"
    OVER = "over"  # at least one window more than needed
    PLANNED = "planned"  # a future hour: nothing open yet to compare


@dataclass(frozen=True)
class PlannerHour:
    hour: int
    open_minutes: int  # of the hall in this hour (a lunch break or a half hour cut it)
    source: str
    arrivals: float  # people in the hour (a mean for a forecast)
    mean_service_minutes: float
    service_samples: int
    windows_needed: int
    windows_open: float | None  # time-weighted mean of windows staffed; None for a future hour
    service_level: float | None  # the share the open windows would call in time
    # Information beside the plan, not in it: the applications accepted at the hall's windows in
    # the hour (the day's, or the mean of the same four days for a forecast). The Erlang C demand
    # is the queue tickets only: a case is one of the services a ticket's visit already counts.
    cases_received: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00–{self.hour + 1:02d}:00"

    @property
    def arrivals_per_hour(self) -> float:
        return self.arrivals * 60 / self.open_minutes if self.open_minutes else 0.0

    @property
    def verdict(self) -> str:
        if self.windows_open is None:
            return Verdict.PLANNED
        # A tenth of a window is rounding of a sign-in at 9:03, not a missing window.
        open_windows = round(self.windows_open, 1)
        if open_windows < self.windows_needed:
            return Verdict.UNDER
        if open_windows >= self.windows_needed + 1:
            return Verdict.OVER
        return Verdict.OK


@dataclass(frozen=True)
class Plan:
    hall: Hall
    day: dt.date
    category: QueueCategory | None
    target_share: float
    target_wait_minutes: int
    prior_service_minutes: float
    baseline: list[dt.date]
    hours: list[PlannerHour] = field(default_factory=list)
    closed: bool = False

    @property
    def target_percent(self) -> int:
        return round(self.target_share * 100)

    @property
    def sources(self) -> set[str]:
        return {row.source for row in self.hours}

    @property
    def under(self) -> int:
        return sum(1 for row in self.hours if row.verdict == Verdict.UNDER)

    @property
    def over(self) -> int:
        return sum(1 for row in self.hours if row.verdict == Verdict.OVER)


def open_periods(hours: DayHours) -> list[tuple[dt.datetime, dt.datetime]]:
    """The day's walk-in periods as aware datetimes: morning, and afternoon up to extended hours."""

    def at(time: dt.time) -> dt.datetime:
        return dt.datetime.combine(hours.day, time, tzinfo=SHANGHAI)

    afternoon_closes = max(hours.afternoon_closes, hours.extended_until or hours.afternoon_closes)
    periods = [(at(hours.morning_opens), at(hours.morning_closes)), (at(hours.afternoon_opens), at(afternoon_closes))]
    return [(start, end) for start, end in periods if end > start]


def _overlap(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> float:
    """Minutes two intervals share."""
    return max(0.0, (min(a[1], b[1]) - max(a[0], b[0])).total_seconds() / 60)


def _hour_slots(day: dt.date, periods: list[tuple[dt.datetime, dt.datetime]]) -> dict[int, list]:
    """Each local hour the hall is open in, with its open sub-intervals."""
    slots: dict[int, list] = {}
    for hour in range(24):
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
        slot = (start, start + dt.timedelta(hours=1))
        parts = [(max(p[0], slot[0]), min(p[1], slot[1])) for p in periods if _overlap(p, slot) > 0]
        if parts:
            slots[hour] = parts
    return slots


def day_hours(hall: Hall, day: dt.date) -> DayHours | None:
    """The hall's walk-in hours on ``day`` (two queries: the weekday rows and the calendar)."""
    weekly = {row.weekday: row for row in HallOpeningHours.objects.filter(hall=hall, weekday__in={day.weekday(), 0})}
    return hours_on(day, weekly=weekly, day_kind=catalog_selectors.day_kinds(start=day, end=day))


def hall_queue_config(hall: Hall, category: QueueCategory | None = None) -> QueueConfig:
    """The hall's targets and service-time prior (one query, never a process memo, so the planner
    reads what the admin saved a moment ago)."""
    return resolve(HallQueueSettings.objects.filter(hall=hall).first(), category)


def _hourly_tickets(
    *,
    hall_ids: Iterable[int],
    days: list[dt.date],
    category: QueueCategory | None = None,
    hour: int | None = None,
    by_day: bool = False,
) -> QuerySet:
    """One aggregate: per hall (and day, with ``by_day``) and local hour of issue, the tickets
    taken on ``days`` and the service time of those served."""
    served = Q(status=Ticket.Status.DONE, started_at__isnull=False, finished_at__isnull=False)
    rows = Ticket.objects.filter(hall_id__in=list(hall_ids), service_date__in=days).annotate(
        hour=ExtractHour("issued_at", tzinfo=SHANGHAI)
    )
    if category is not None:
        rows = rows.filter(category=category)
    if hour is not None:
        rows = rows.filter(hour=hour)
    return (
        rows.values("hall_id", "hour", *(["service_date"] if by_day else []))
        .annotate(
            arrivals=Count("pk"),
            served=Count("pk", filter=served),
            service_total=Sum(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField()), filter=served
            ),
        )
        .order_by()
    )


def _hourly_cases(hall: Hall, days: list[dt.date], category: QueueCategory | None) -> dict[tuple[dt.date, int], int]:
    """One aggregate: the cases received at the hall on ``days`` per local day and hour (for one
    queue, those received for one of its tickets)."""
    if not days:
        return {}
    spans = Q()
    for day in days:
        start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
        spans |= Q(received_at__gte=start, received_at__lt=start + dt.timedelta(days=1))
    rows = Case.objects.filter(spans, hall=hall)
    if category is not None:
        rows = rows.filter(ticket__category=category)
    return {
        (row["day"], row["hour"]): row["n"]
        for row in rows.annotate(
            day=TruncDate("received_at", tzinfo=SHANGHAI), hour=ExtractHour("received_at", tzinfo=SHANGHAI)
        )
        .values("day", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _spells(hall: Hall, day: dt.date, category: QueueCategory | None) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The day's attendance spells at the hall's windows (those serving ``category``: the
    comprehensive ones and those with it ticked, as the wait monitor counts them)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
    end = start + dt.timedelta(days=1)
    rows = AttendanceRecord.objects.filter(hall=hall, signed_in_at__lt=end).filter(
        Q(signed_out_at__isnull=True) | Q(signed_out_at__gt=start)
    )
    if category is not None:
        rows = rows.filter(Q(window__kind=Window.Kind.COMPREHENSIVE) | Q(window__categories=category)).distinct()
    return [(start, end) for _pk, start, end in rows.values_list("pk", "signed_in_at", "signed_out_at").order_by()]


def plan_day(
    *,
    hall: Hall,
    day: dt.date,
    target_share: float | None = None,
    target_wait_minutes: int | None = None,
    category: QueueCategory | None = None,
    now: dt.datetime,
) -> Plan:
    """Per opening hour of ``day``: arrivals, mean service time, windows needed for the target
    (``erlang.windows_for_service_level``) and windows open (attendance). Hours already begun
    use the day's own tickets; hours to come (a future day, the rest of today) the mean of the
    last four comparable days (``comparable_days``: the same weekday and kind of day in the
    working-day calendar, holidays skipped). The target defaults to the hall's (queue's) own,
    80 % within 15 minutes unless set in the admin. Beside it, as information only, the cases
    received in each hour (``cases_received``). At most eight queries."""
    today = local_date(now)
    config = hall_queue_config(hall, category)
    if target_share is None:
        target_share = config.target_share_percent / 100
    if target_wait_minutes is None:
        target_wait_minutes = config.target_wait_minutes
    prior = float(config.default_service_minutes)
    # Comparable days only (``comparable_days``): a holiday or a closed day on that weekday would
    # pull the forecast down (or a festival's crowd up); the next week back is taken instead.
    baseline = comparable_days_for(day, today=today) if day >= today else []
    plan_args = {
        "hall": hall,
        "day": day,
        "category": category,
        "target_share": target_share,
        "target_wait_minutes": target_wait_minutes,
        "prior_service_minutes": prior,
        "baseline": baseline,
    }
    hours = day_hours(hall, day)
    if hours is None:
        return Plan(**plan_args, closed=True)  # type: ignore[arg-type]
    slots = _hour_slots(day, open_periods(hours))

    observed: dict[int, dict] = {}
    forecast: dict[int, dict] = defaultdict(lambda: {"arrivals": 0, "served": 0, "service_seconds": 0.0})
    wanted = ([day] if day <= today else []) + baseline
    rows = _hourly_tickets(hall_ids=[hall.pk], days=wanted, category=category, by_day=True) if wanted else []
    for row in rows:
        seconds = row["service_total"].total_seconds() if row["service_total"] else 0.0
        if row["service_date"] == day:
            observed[row["hour"]] = {"arrivals": row["arrivals"], "served": row["served"], "service_seconds": seconds}
        else:
            into = forecast[row["hour"]]
            into["arrivals"] += row["arrivals"]
            into["served"] += row["served"]
            into["service_seconds"] += seconds

    # The day's (or the weeks') own mean service time is the prior of each hour's, itself shrunk
    # toward the hall's figure, so an hour with two people served does not swing the plan.
    def pooled(figures: Iterable[dict]) -> float:
        figures = list(figures)
        return estimator.mean_service_seconds(
            total_seconds=sum(f["service_seconds"] for f in figures),
            samples=sum(f["served"] for f in figures),
            prior_seconds=prior * 60,
        )

    day_prior = {Source.OBSERVED: pooled(observed.values()), Source.FORECAST: pooled(forecast.values())}
    spells = _spells(hall, day, category) if day <= today else []
    cases = _hourly_cases(hall, wanted, category)
    now_local = local_now(now)
    result = []
    for hour, parts in slots.items():
        slot_start = parts[0][0]
        begun = day < today or (day == today and slot_start <= now_local)
        source = Source.OBSERVED if begun else Source.FORECAST
        if source == Source.OBSERVED:
            figures = observed.get(hour, {"arrivals": 0, "served": 0, "service_seconds": 0.0})
            arrivals: float = figures["arrivals"]
        else:
            figures = forecast.get(hour, {"arrivals": 0, "served": 0, "service_seconds": 0.0})
            arrivals = figures["arrivals"] / len(baseline) if baseline else 0.0
        open_minutes = round(sum(_overlap(p, p) for p in parts))
        service_seconds = estimator.mean_service_seconds(
            total_seconds=figures["service_seconds"], samples=figures["served"], prior_seconds=day_prior[source]
        )
        rate = arrivals / open_minutes if open_minutes else 0.0
        needed = erlang.windows_for_service_level(rate, service_seconds / 60, target_share, target_wait_minutes)
        windows_open = level = None
        if begun:
            # For today's current hour, up to now only: the rest of it has not happened.
            counted = [(a, min(b, now)) for a, b in parts if a < now] if day == today else parts
            minutes = sum(_overlap(p, p) for p in counted)
            staffed = sum(_overlap((s, e or now), p) for s, e in spells for p in counted)
            windows_open = staffed / minutes if minutes else 0.0
            servers = math.floor(windows_open + 0.05)
            level = erlang.service_level(
                servers, rate * service_seconds / 60, service_seconds / 60, target_wait_minutes
            )
        if source == Source.OBSERVED:
            cases_received = float(cases.get((day, hour), 0))
        else:
            cases_received = sum(cases.get((d, hour), 0) for d in baseline) / len(baseline) if baseline else 0.0
        result.append(
            PlannerHour(
                hour=hour,
                open_minutes=open_minutes,
                source=source,
                arrivals=round(arrivals, 2),
                mean_service_minutes=round(service_seconds / 60, 1),
                service_samples=figures["served"],
                windows_needed=needed,
                windows_open=None if windows_open is None else round(windows_open, 1),
                service_level=level,
                cases_received=round(cases_received, 2),
            )
        )
    return Plan(**plan_args, hours=result)  # type: ignore[arg-type]


# --- Planned against open windows now, for the roster --------------------------------------------


@dataclass(frozen=True)
class HallNow:
    hall: Hall
    hour: int
    expected_arrivals: float  # in this hour, mean of the last four comparable days (holidays skipped)
    windows_planned: int
    windows_open: int

    @property
    def short(self) -> int:
        return max(0, self.windows_planned - self.windows_open)


def windows_now(*, hall_ids: list[int] | None, now: dt.datetime) -> list[HallNow]:
    """Per hall covered, the windows the plan asks for in the current hour (from the same
    weekday's last four comparable days, at the hall's target) against the windows open now. Halls
    where neither is above zero are left out. Five queries, whatever the number of halls."""
    today = local_date(now)
    hour = local_now(now).hour
    halls = Hall.objects.select_related("queue_settings").order_by(*HALL_ORDER)
    if hall_ids is not None:
        halls = halls.filter(pk__in=hall_ids)
    halls_by_id = {hall.pk: hall for hall in halls}
    if not halls_by_id:
        return []
    # Comparable days only (``comparable_days``: holidays skipped); a holiday compares with none,
    # and the windows open are shown against a plan of none.
    days = comparable_days_for(today, today=today)
    figures = (
        {row["hall_id"]: row for row in _hourly_tickets(hall_ids=halls_by_id, days=days, hour=hour)} if days else {}
    )
    open_counts = dict(
        Window.objects.filter(hall_id__in=list(halls_by_id), is_open=True)
        .values("hall_id")
        .annotate(n=Count("pk"))
        .values_list("hall_id", "n")
        .order_by()
    )
    rows = []
    for hall_id, hall in halls_by_id.items():
        config = resolve(getattr(hall, "queue_settings", None))
        row = figures.get(hall_id) or {}
        arrivals = row.get("arrivals", 0) / len(days) if days else 0.0
        total = row.get("service_total")
        service = estimator.mean_service_seconds(
            total_seconds=total.total_seconds() if total else 0.0,
            samples=row.get("served", 0),
            prior_seconds=config.default_service_minutes * 60,
        )
        planned = erlang.windows_for_service_level(
            arrivals / 60, service / 60, config.target_share_percent / 100, config.target_wait_minutes
        )
        opened = open_counts.get(hall_id, 0)
        if planned or opened:
            rows.append(HallNow(hall, hour, round(arrivals, 1), planned, opened))
    return rows
