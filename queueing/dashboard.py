"""Reads for the supervisors' dashboard (等候监测; REQUIREMENTS §4 last bullet, Art. 8 ¶4).

Live figures come from **today's** tickets only: every ticket query filters on the hall and
``service_date = today`` (answered by the index ``ticket_day_idx`` on hall, service_date, status)
and groups in the database, so a page costs the same number of queries, and reads the same rows,
however long the history is. History never touches tickets: it sums the ``DailyStat`` rows that
the nightly roll-up writes; so does the comparison with the same weekday last week.

Definitions (the pages say them too, docs/monitor.md has the reasons):

- waiting now: tickets with status "waiting". Of those, the people the hall keeps waiting are the
  ones who may be called now (a checked-in appointment only from its slot): their **waiting
  since** is the arrival time, or the slot start when later, as the wait monitor counts it;
- longest wait now: ``now`` − the earliest "waiting since"; **current average wait**
  (当前等候平均): the mean of ``now`` − "waiting since" over those people;
- **average wait of the called** (今日已叫号平均等候): ``called_at − arrived_at`` over today's
  tickets that have been called (a transfer clears ``called_at`` and keeps ``arrived_at``, so a
  transferred ticket counts once it is called again, with its whole wait);
- **within target**: called tickets whose wait (as above) was at most their queue's target wait;
  the share is of the people called (``queueing.targets``). People still waiting past the target
  are counted apart ("overdue"), so a good share never hides a crowd that is waiting now;
- average service time: ``finished_at − started_at`` over today's finished ("done") tickets;
- no-show rate: no-shows ÷ (finished + no-shows), of the people called who reached an outcome;
- idle window: open, with no ticket at the counter; flagged when a queue it serves has people
  who may be called now.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DateTimeField,
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
from django.db.models.functions import Coalesce, ExtractHour, Greatest
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.english import localized
from catalog.hours import DayHours, hours_on
from catalog.models import HALL_ORDER, Hall, HallOpeningHours
from queueing.config import QueueConfig, resolve
from queueing.models import (
    BoardMessage,
    DailyStat,
    HallQueueSettings,
    QueueCategory,
    Ticket,
    TicketEvent,
    WaitAlert,
    Window,
)
from queueing.selectors import AssistanceCounts, assistance_counts_by_hall
from queueing.services import hours_today
from queueing.targets import MIN_CALLED_FOR_SHARE, within_aggregates, within_of
from servicehall import roles, sessions
from servicehall.clock import SHANGHAI, local_date, local_now

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HALL_SCOPE = "hall"
# Closed alerts listed under the open ones on a hall's page.
RECENT_ALERTS_DAYS = 7
RECENT_ALERTS_SHOWN = 10
# The hourly chart spans the hall's hours that day, extended hours (延时服务) included, and
# stretches to any hour with tickets (a ticket taken before closing, served after it); a day the
# hall has no walk-in hours (staggered service by booking) spans the default 9:00–17:00.
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 9, 16
# Today is compared with the same weekday a week earlier: same opening hours, same kind of day.
COMPARE_DAYS_BACK = 7

_WAIT = ExpressionWrapper(F("called_at") - F("arrived_at"), output_field=DurationField())
_SERVICE = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
# Waiting since: the arrival, or a checked-in appointment's slot start when later (the monitor's rule).
_SINCE = Greatest("arrived_at", Coalesce("not_before", "arrived_at"))


def _overdue_key(minutes: int) -> str:
    return f"overdue_{minutes}"


def _today_aggregates(*, now: dt.datetime, targets: Iterable[int] = ()) -> dict[str, Any]:
    """Figures of a group of today's tickets, in one grouped query; with ``targets`` (the target
    waits of the categories involved) also the counts within and past each target."""
    waiting = Q(status=Ticket.Status.WAITING)
    ready = waiting & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    called = Q(called_at__isnull=False)
    done = Q(status=Ticket.Status.DONE)
    targets = sorted(set(targets))
    return {
        "issued": Count("pk"),
        "waiting": Count("pk", filter=waiting),
        "ready_waiting": Count("pk", filter=ready),
        "green_ready_waiting": Count("pk", filter=ready & Q(priority__in=Ticket.GREEN_CHANNEL)),
        "oldest_since": Min(_SINCE, filter=ready),
        "waiting_total": Sum(
            ExpressionWrapper(Value(now, output_field=DateTimeField()) - _SINCE, output_field=DurationField()),
            filter=ready,
        ),
        "waited": Count("pk", filter=called),
        "wait_total": Sum(_WAIT, filter=called),
        "served": Count("pk", filter=done),
        "service_total": Sum(_SERVICE, filter=done & Q(started_at__isnull=False)),
        "no_show": Count("pk", filter=Q(status=Ticket.Status.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(status=Ticket.Status.CANCELLED)),
        "expired": Count("pk", filter=Q(status=Ticket.Status.EXPIRED)),
        **within_aggregates(targets),
        **{
            # Waiting since before now − target: the arrival and any slot start both before it.
            _overdue_key(target): Count(
                "pk",
                filter=ready
                & Q(arrived_at__lt=now - dt.timedelta(minutes=target))
                & (Q(not_before__isnull=True) | Q(not_before__lt=now - dt.timedelta(minutes=target))),
            )
            for target in targets
        },
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
    "within": Sum("waited_within_target"),
}


_TENTH = Decimal("0.1")


def shown_minutes(minutes: float | None) -> Decimal | None:
    """Minutes with one decimal, as the history pages and the CSV and Excel exports all show them:
    rounded half up on the decimal value, so 2,853 s = 47.55 min is 47.6 everywhere. ``round()``
    would round half to even on the binary float (47.549999… gives 47.5), which is why the exports
    once disagreed with the pages. The value goes through ``repr`` (the shortest decimal that reads
    back as the same float), the way Django's ``floatformat`` reads it."""
    if minutes is None:
        return None
    return Decimal(repr(float(minutes))).quantize(_TENTH, rounding=ROUND_HALF_UP)


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
    ready_waiting: int = 0  # live: waiting people who may be called now
    green_ready_waiting: int = 0  # live: of those, on the green channel
    longest_wait_seconds: float | None = None  # live: the longest current wait; history: the day's longest
    waiting_seconds_total: float = 0.0  # live: how long the people waiting now have waited, together
    overdue_waiting: int = 0  # live: people waiting now longer than their queue's target wait
    calls: int = 0  # live, windows and staff: calls made there (``_Calls``), whatever came of them
    waited: int = 0
    wait_seconds_total: float = 0.0
    within_target: int = 0
    served: int = 0
    service_seconds_total: float = 0.0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0

    @classmethod
    def from_tickets(
        cls, row: Mapping[str, Any] | None, *, now: dt.datetime, target_minutes: int | None = None
    ) -> Figures:
        """A row of ``_today_aggregates``; ``target_minutes`` picks the row's own target counts."""
        if not row:
            return cls()
        oldest = row.get("oldest_since")
        return cls(
            issued=row["issued"],
            waiting=row["waiting"],
            ready_waiting=row["ready_waiting"],
            green_ready_waiting=row["green_ready_waiting"],
            longest_wait_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
            waiting_seconds_total=max(0.0, _seconds(row["waiting_total"])),
            overdue_waiting=row.get(_overdue_key(target_minutes), 0) if target_minutes is not None else 0,
            waited=row["waited"],
            wait_seconds_total=_seconds(row["wait_total"]),
            within_target=within_of(row, target_minutes) if target_minutes is not None else 0,
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
            within_target=row["within"] or 0,
            served=row["served"] or 0,
            service_seconds_total=_seconds(row["service_total"]),
            no_show=row["no_show"] or 0,
            cancelled=row["cancelled"] or 0,
            expired=row["expired"] or 0,
        )

    @classmethod
    def from_stat(cls, stat: DailyStat) -> Figures:
        return cls(
            issued=stat.issued,
            longest_wait_seconds=float(stat.max_wait_seconds) if stat.waited else None,
            waited=stat.waited,
            wait_seconds_total=float(stat.wait_seconds_total),
            within_target=stat.waited_within_target,
            served=stat.served,
            service_seconds_total=float(stat.service_seconds_total),
            no_show=stat.no_show,
            cancelled=stat.cancelled,
            expired=stat.expired,
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
    def current_average_wait_minutes(self) -> float | None:
        """当前等候平均: how long the people who may be called now have waited, on average."""
        return self.waiting_seconds_total / self.ready_waiting / 60 if self.ready_waiting else None

    @property
    def average_wait_minutes(self) -> float | None:
        """今日已叫号平均等候: the wait of the people already called."""
        return self.wait_seconds_total / self.waited / 60 if self.waited else None

    @property
    def within_target_share(self) -> float | None:
        """Percentage of the called people whose wait stayed within their queue's target."""
        return 100 * self.within_target / self.waited if self.waited else None

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


# --- Traffic lights ----------------------------------------------------------------------------


class Level(enum.IntEnum):
    GREEN = 0
    AMBER = 1
    RED = 2


@dataclass(frozen=True)
class Light:
    """A status against the targets, said in words and with a shape as well as a colour (WCAG
    1.4.1: colour is never the only cue)."""

    level: Level
    reasons: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.level.name.lower()

    @property
    def label(self) -> str:
        return {Level.GREEN: _("正常"), Level.AMBER: _("关注"), Level.RED: _("超标")}[self.level]

    @property
    def symbol(self) -> str:
        return {Level.GREEN: "●", Level.AMBER: "▲", Level.RED: "■"}[self.level]


def queue_light(figures: Figures, config: QueueConfig, *, open_windows: int) -> Light:
    """Red: past an alert threshold (the wait monitor's rule, docs/monitor.md). Amber: someone
    has waited past the target wait, people wait and no window serves the queue, or fewer than the
    target share of the people called (once at least ``MIN_CALLED_FOR_SHARE``) were called within
    the target. Green otherwise."""
    red, amber = [], []
    longest = figures.longest_wait_minutes
    if longest is not None and longest > config.max_wait_minutes:
        red.append(
            _("最长等候 %(longest)s 分钟，超过预警线 %(limit)s 分钟")
            % {"longest": f"{longest:.0f}", "limit": config.max_wait_minutes}
        )
    if figures.waiting > config.max_waiting_per_window * max(open_windows, 1):
        red.append(
            _("%(waiting)s 人等候，超过每个开放窗口 %(limit)s 人")
            % {"waiting": figures.waiting, "limit": config.max_waiting_per_window}
        )
    if figures.ready_waiting and not open_windows:
        amber.append(_("有人等候，但没有开放的窗口"))
    if figures.overdue_waiting:
        amber.append(
            _("%(count)s 人已等候超过目标 %(target)s 分钟")
            % {"count": figures.overdue_waiting, "target": config.target_wait_minutes}
        )
    share = figures.within_target_share
    if share is not None and figures.waited >= MIN_CALLED_FOR_SHARE and share < config.target_share_percent:
        amber.append(
            _("目标时间内叫号 %(share)s%%，低于目标 %(target)s%%")
            % {"share": f"{share:.0f}", "target": config.target_share_percent}
        )
    level = Level.RED if red else Level.AMBER if amber else Level.GREEN
    return Light(level, tuple(red + amber))


def hall_light(queues: Iterable[tuple[str, Light]], *, idle_beside_waiting: int) -> Light:
    """The worst of the hall's queues, naming the queues that are not green; an idle window
    beside people waiting makes it at least amber."""
    level = Level.GREEN
    letters: dict[Level, list[str]] = {}
    for letter, light in queues:
        level = max(level, light.level)
        letters.setdefault(light.level, []).append(letter)
    reasons = [
        _("%(letters)s类%(label)s") % {"letters": "、".join(letters[worse]), "label": Light(worse).label}
        for worse in (Level.RED, Level.AMBER)
        if worse in letters
    ]
    if idle_beside_waiting:
        level = max(level, Level.AMBER)
        reasons.append(
            _("%(count)s 个空闲窗口旁有人等候") % {"count": idle_beside_waiting},
        )
    return Light(level, tuple(reasons))


# --- Scope -------------------------------------------------------------------------------------


def halls_in_scope(hall_ids: list[int] | None) -> QuerySet[Hall]:
    """Those of ``hall_ids`` (every hall when None: ``servicehall.access.supervised_hall_ids``)
    that run a queue. City centre first, then districts, streets, stations."""
    halls = Hall.objects.all() if hall_ids is None else Hall.objects.filter(pk__in=hall_ids)
    return (
        halls.filter(Exists(QueueCategory.objects.filter(hall=OuterRef("pk"))))
        .select_related("queue_settings")
        .order_by(*HALL_ORDER)
    )


# --- The same weekday last week (DailyStat) ----------------------------------------------------


def _so_far(stat: DailyStat, now: dt.datetime) -> Figures:
    """A past day's figures up to the time of day of ``now``, from its hourly roll-up: whole hours
    before, and the current hour pro rata (arrivals by the hour taken, finished tickets by the
    hour finished, waits by the hour called, as today's figures are counted)."""
    local = local_now(now)
    elapsed = (local.minute * 60 + local.second) / 3600
    sums = {"arrivals": 0.0, "served": 0.0, "waited": 0.0, "wait_total": 0.0, "within": 0.0}
    for hour, values in (stat.hourly or {}).items():
        weight = 1.0 if int(hour) < local.hour else elapsed if int(hour) == local.hour else 0.0
        if weight:
            for name in sums:
                sums[name] += weight * float(values.get(name, 0) or 0)
    return Figures(
        issued=round(sums["arrivals"]),
        served=round(sums["served"]),
        waited=round(sums["waited"]),
        wait_seconds_total=sums["wait_total"],
        within_target=round(sums["within"]),
    )


@dataclass
class LastWeek:
    """The same weekday a week before: up to the same time of day, and the whole day."""

    date: dt.date
    so_far: Figures
    whole_day: Figures


def _last_week(stats: Iterable[DailyStat], now: dt.datetime) -> dict[tuple[int, str], LastWeek]:
    return {
        (stat.hall_id, stat.scope): LastWeek(
            date=stat.date, so_far=_so_far(stat, now), whole_day=Figures.from_stat(stat)
        )
        for stat in stats
    }


def change_percent(today: float, before: float | None) -> float | None:
    """Relative change in percent (None when there is nothing to compare with)."""
    if before is None or not before:
        return None
    return 100 * (today - before) / before


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    unit: str  # "count", "minutes" or "percent": how the template formats the values
    today: float | None
    last_week_so_far: float | None
    last_week_day: float | None
    # The hall does not open today (HallRow.closed_today): no change against a day it opened.
    closed_today: bool = False

    @property
    def change(self) -> float | None:
        """Counts: relative change in %; minutes: the difference in minutes; percentages: the
        difference in percentage points. None on a day the hall does not open."""
        if self.today is None or self.last_week_so_far is None or self.closed_today:
            return None
        if self.unit == "count":
            return change_percent(self.today, self.last_week_so_far)
        return self.today - self.last_week_so_far


def comparison_rows(today: Figures, last: LastWeek | None, *, closed_today: bool = False) -> list[ComparisonRow]:
    so_far = last.so_far if last else None
    day = last.whole_day if last else None

    def pick(figures: Figures | None, name: str) -> float | None:
        return None if figures is None else getattr(figures, name)

    return [
        ComparisonRow(_("取号"), "count", today.issued, pick(so_far, "issued"), pick(day, "issued"), closed_today),
        ComparisonRow(_("已办结"), "count", today.served, pick(so_far, "served"), pick(day, "served"), closed_today),
        ComparisonRow(
            _("已叫号平均等候（分钟）"),
            "minutes",
            today.average_wait_minutes,
            pick(so_far, "average_wait_minutes"),
            pick(day, "average_wait_minutes"),
            closed_today,
        ),
        ComparisonRow(
            _("目标时间内叫号占比"),
            "percent",
            today.within_target_share,
            pick(so_far, "within_target_share"),
            pick(day, "within_target_share"),
            closed_today,
        ),
    ]


# --- City overview -----------------------------------------------------------------------------


@dataclass
class HallRow:
    hall: Hall | None  # None for the totals row
    figures: Figures
    open_windows: int = 0
    idle_windows: int = 0
    idle_beside_waiting: int = 0
    open_alerts: int = 0
    unacknowledged_alerts: int = 0
    light: Light = field(default_factory=lambda: Light(Level.GREEN))
    last_week: LastWeek | None = None
    # Within the hall's opening hours now (the overview: outside them a signed-in window with
    # nobody waiting for it is getting ready, not idle).
    open_now: bool = True
    # Not open for walk-ins today (a holiday, a weekend, an appointment-only day) and no ticket
    # taken: last week's figures are no yardstick for a day the hall does not open.
    closed_today: bool = False
    # Today's assistance requests (帮办代办, Art. 10 ¶1): waiting for a helper / helped now / done.
    assistance: AssistanceCounts = field(default_factory=lambda: AssistanceCounts(open=0, taken=0, done=0))

    def __add__(self, other: HallRow) -> HallRow:
        return HallRow(
            assistance=AssistanceCounts(
                open=self.assistance.open + other.assistance.open,
                taken=self.assistance.taken + other.assistance.taken,
                done=self.assistance.done + other.assistance.done,
            ),
            hall=None,
            figures=self.figures + other.figures,
            open_windows=self.open_windows + other.open_windows,
            idle_windows=self.idle_windows + other.idle_windows,
            idle_beside_waiting=self.idle_beside_waiting + other.idle_beside_waiting,
            open_alerts=self.open_alerts + other.open_alerts,
            unacknowledged_alerts=self.unacknowledged_alerts + other.unacknowledged_alerts,
            light=Light(max(self.light.level, other.light.level)),
        )

    @property
    def issued_change(self) -> float | None:
        """Tickets taken today against the same weekday last week by the same time, in %. None on
        a day the hall does not open: a hall open today with no ticket against last week's 120 is
        −100 %, and that is meant to alarm."""
        if self.last_week is None or self.closed_today:
            return None
        return change_percent(self.figures.issued, self.last_week.so_far.issued)


@dataclass
class Overview:
    now: dt.datetime
    today: dt.date
    rows: list[HallRow]
    totals: HallRow
    compared_with: dt.date

    @property
    def lights(self) -> dict[str, int]:
        """How many halls are green, amber and red."""
        counts = {level.name.lower(): 0 for level in Level}
        for row in self.rows:
            counts[row.light.name] += 1
        return counts


@dataclass
class _WindowFacts:
    """An open window, as the lights need it: which queues it serves and whether it is idle."""

    kind: str
    categories: set[int]
    idle: bool


def _serves(window: _WindowFacts, category_id: int) -> bool:
    return window.kind == Window.Kind.COMPREHENSIVE or category_id in window.categories


def _waiting_for(window: _WindowFacts, figures_by_category: Mapping[int, Figures]) -> int:
    """People who may be called now that this window could call (ignoring tickets sent to one
    given window, which are few): every queue for a comprehensive window, its own queues
    otherwise, and the green channel of every queue for a green-channel window."""
    total = 0
    for category_id, figures in figures_by_category.items():
        if _serves(window, category_id):
            total += figures.ready_waiting
        elif window.kind == Window.Kind.GREEN_CHANNEL:
            total += figures.green_ready_waiting
    return total


def _categories_with_config(halls: list[Hall]) -> list[tuple[QueueCategory, QueueConfig]]:
    """The halls' queue categories with their targets. The halls' settings come with the halls
    (``halls_in_scope``) when they were read with them, else in one query: not a copy of the hall
    and its settings per category (a city of 200 halls has 1,600 categories)."""
    ids = [hall.pk for hall in halls]
    if all(Hall.queue_settings.is_cached(hall) for hall in halls):
        settings_of = {hall.pk: getattr(hall, "queue_settings", None) for hall in halls}
    else:
        settings_of = {row.hall_id: row for row in HallQueueSettings.objects.filter(hall_id__in=ids)}
    categories = QueueCategory.objects.filter(hall_id__in=ids).order_by("hall_id", "order", "letter")
    return [(category, resolve(settings_of.get(category.hall_id), category)) for category in categories]


def city_overview(*, halls: Iterable[Hall], now: dt.datetime) -> Overview:
    """One row per hall with today's figures, status and last week's comparison: nine queries
    whatever the number of halls or tickets (halls; queue categories with their settings; tickets
    grouped by queue; windows with their queues; open alerts grouped by hall; last week's roll-ups;
    the halls' opening hours and today's calendar kind; today's assistance requests by hall)."""
    today = local_date(now)
    hall_list = list(halls)
    ids = [hall.pk for hall in hall_list]
    weekly: dict[int, dict[int, HallOpeningHours]] = {}
    for hours_row in HallOpeningHours.objects.filter(hall_id__in=ids).order_by():
        weekly.setdefault(hours_row.hall_id, {})[hours_row.weekday] = hours_row
    day_kind = catalog_selectors.day_kinds(start=today, end=today)
    categories = _categories_with_config(hall_list)
    tickets = {
        (row["hall_id"], row["category_id"]): row
        for row in Ticket.objects.filter(hall_id__in=ids, service_date=today)
        .order_by()
        .values("hall_id", "category_id")
        .annotate(**_today_aggregates(now=now, targets=(config.target_wait_minutes for _c, config in categories)))
    }
    at_counter = Ticket.objects.filter(window=OuterRef("pk"), service_date=today, status__in=Ticket.AT_WINDOW)
    windows: dict[int, dict[int, _WindowFacts]] = {}
    for window_id, hall_id, kind, busy, category_id in (
        Window.objects.filter(hall_id__in=ids, is_open=True)
        .annotate(busy=Exists(at_counter))
        .values_list("pk", "hall_id", "kind", "busy", "categories")
        .order_by()
    ):
        facts = windows.setdefault(hall_id, {}).setdefault(window_id, _WindowFacts(kind, set(), not busy))
        if category_id is not None:
            facts.categories.add(category_id)
    alerts: dict[int, Mapping[str, Any]] = {
        row["hall_id"]: row
        for row in WaitAlert.objects.filter(hall_id__in=ids, closed_at__isnull=True)
        .order_by()
        .values("hall_id")
        .annotate(open=Count("pk"), unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)))
    }
    assistance = assistance_counts_by_hall(hall_ids=ids, now=now)
    compared_with = today - dt.timedelta(days=COMPARE_DAYS_BACK)
    last_week = _last_week(
        DailyStat.objects.filter(hall_id__in=ids, date=compared_with, scope=HALL_SCOPE).order_by(), now
    )

    by_hall: dict[int, list[tuple[QueueCategory, QueueConfig]]] = {}
    for category, config in categories:
        by_hall.setdefault(category.hall_id, []).append((category, config))
    rows = []
    for hall in hall_list:
        queues = by_hall.get(hall.pk, [])
        figures = {
            category.pk: Figures.from_tickets(
                tickets.get((hall.pk, category.pk)), now=now, target_minutes=config.target_wait_minutes
            )
            for category, config in queues
        }
        open_here = list(windows.get(hall.pk, {}).values())
        idle_beside = sum(1 for w in open_here if w.idle and _waiting_for(w, figures))
        hours = hours_on(today, weekly=weekly.get(hall.pk, {}), day_kind=day_kind)
        open_now = hours is not None and hours.is_open_at(now)
        lights = [
            (
                category.letter,
                queue_light(
                    figures[category.pk], config, open_windows=sum(1 for w in open_here if _serves(w, category.pk))
                ),
            )
            for category, config in queues
            if category.is_active or figures[category.pk].issued
        ]
        rows.append(
            HallRow(
                hall=hall,
                figures=_total(figures.values()),
                open_windows=len(open_here),
                # Outside opening hours only a window that people wait for counts as idle
                # (the last tickets after closing), not one signed in to get ready.
                idle_windows=sum(1 for w in open_here if w.idle) if open_now else idle_beside,
                idle_beside_waiting=idle_beside,
                open_alerts=alerts.get(hall.pk, {}).get("open", 0),
                unacknowledged_alerts=alerts.get(hall.pk, {}).get("unacknowledged", 0),
                light=hall_light(lights, idle_beside_waiting=idle_beside),
                last_week=last_week.get((hall.pk, HALL_SCOPE)),
                open_now=open_now,
                closed_today=hours is None and not any(f.issued for f in figures.values()),
                assistance=assistance.get(hall.pk, AssistanceCounts(open=0, taken=0, done=0)),
            )
        )
    totals = sum(rows, HallRow(hall=None, figures=Figures()))
    # The city's total compares the halls open today with the same halls last week.
    compared = [row.last_week for row in rows if row.last_week and not row.closed_today]
    if compared:
        totals.last_week = LastWeek(
            date=compared_with,
            so_far=_total(last.so_far for last in compared),
            whole_day=_total(last.whole_day for last in compared),
        )
    return Overview(now=now, today=today, rows=rows, totals=totals, compared_with=compared_with)


# --- One hall, today ---------------------------------------------------------------------------


@dataclass
class CategoryRow:
    category: QueueCategory
    figures: Figures
    open_windows: int
    config: QueueConfig
    alert_open: bool
    idle_windows: int = 0  # open, idle windows that serve this queue
    light: Light = field(default_factory=lambda: Light(Level.GREEN))

    @property
    def over_wait_threshold(self) -> bool:
        longest = self.figures.longest_wait_minutes
        return longest is not None and longest > self.config.max_wait_minutes

    @property
    def over_length_threshold(self) -> bool:
        return self.figures.waiting > self.config.max_waiting_per_window * max(self.open_windows, 1)

    @property
    def below_target_share(self) -> bool:
        share = self.figures.within_target_share
        return share is not None and share < self.config.target_share_percent


@dataclass
class WindowRow:
    window: Window
    figures: Figures
    current_number: str | None
    current_status: str | None
    category_letters: list[str]
    waiting_for_it: int = 0  # people who may be called now that this window could call

    @property
    def is_idle(self) -> bool:
        return self.window.is_open and self.current_number is None

    @property
    def idle_beside_waiting(self) -> bool:
        return self.is_idle and self.waiting_for_it > 0

    @property
    def current_status_label(self) -> str:
        return str(Ticket.Status(self.current_status).label) if self.current_status else ""

    @property
    def staff_name(self) -> str:
        return staff_display_name(self.window.staff) if self.window.staff_id else ""


@dataclass
class ClerkRow:
    """One staff member's day at the windows: the tickets they called and what came of them."""

    user_id: int
    name: str
    window: Window | None  # where they are signed in now
    figures: Figures  # calls: the calls they made (``_Calls``); served, service time, no-shows


@dataclass
class HourRow:
    hour: int
    arrivals: int = 0
    served: int = 0
    calls: int = 0  # calls made in the hour (``_Calls``)
    waited: int = 0  # tickets whose wait ended in the hour: their last call was in it
    wait_seconds_total: float = 0.0
    within_target: int = 0

    @property
    def average_wait_minutes(self) -> float | None:
        return self.wait_seconds_total / self.waited / 60 if self.waited else None

    @property
    def within_target_share(self) -> float | None:
        return 100 * self.within_target / self.waited if self.waited else None

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
    clerks: list[ClerkRow] = field(default_factory=list)
    config: QueueConfig | None = None  # the hall's own targets (without a category's)
    comparison: list[ComparisonRow] = field(default_factory=list)
    compared_with: dt.date | None = None

    @property
    def light(self) -> Light:
        return self.totals.light

    @property
    def idle_beside_waiting(self) -> list[WindowRow]:
        return [row for row in self.windows if row.idle_beside_waiting]


def staff_display_name(user: User | None) -> str:
    """The name on the staff profile, else the user name."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile is not None else "") or user.get_username()


def hall_live(*, hall: Hall, now: dt.datetime) -> HallLive:
    """Today's figures of one hall per queue category, per window, per staff member and per hour,
    its status and last week's comparison: thirteen queries whatever the number of tickets,
    categories or windows (two more for the hall's hours today on a day with no ticket taken and
    last week's roll-up to compare with)."""
    today = local_date(now)
    hall_settings = HallQueueSettings.objects.filter(hall=hall).first()
    categories = list(QueueCategory.objects.filter(hall=hall).order_by("order", "letter"))
    configs = {category.pk: resolve(hall_settings, category) for category in categories}
    windows = list(
        Window.objects.filter(hall=hall)
        .select_related("staff__staff_profile")
        .prefetch_related("categories")
        .order_by("number")
    )
    today_tickets = Ticket.objects.filter(hall=hall, service_date=today).order_by()
    targets = [config.target_wait_minutes for config in configs.values()]
    by_category = {
        row["category_id"]: row
        for row in today_tickets.values("category_id").annotate(**_today_aggregates(now=now, targets=targets))
    }
    by_window = {
        row["window_id"]: row
        # Grouped over all of today's tickets (the NULL group, tickets never called, is ignored):
        # a "window_id IS NOT NULL" condition could tempt the planner into the window index,
        # which covers every ticket ever served.
        for row in today_tickets.values("window_id").annotate(
            **_today_aggregates(now=now),
            # A window has at most one ticket at the counter (constraint
            # ticket_one_current_per_window), so the maximum is that ticket.
            current_number=Max("number", filter=Q(status__in=Ticket.AT_WINDOW)),
            current_status=Max("status", filter=Q(status__in=Ticket.AT_WINDOW)),
        )
    }
    calls = _calls(hall=hall, today=today)
    open_alerts = dict(
        WaitAlert.objects.filter(hall=hall, closed_at__isnull=True).values_list("category_id", "acknowledged_at")
    )
    compared_with = today - dt.timedelta(days=COMPARE_DAYS_BACK)
    last_week = _last_week(DailyStat.objects.filter(hall=hall, date=compared_with, scope=HALL_SCOPE).order_by(), now)

    figures = {
        category.pk: Figures.from_tickets(
            by_category.get(category.pk), now=now, target_minutes=configs[category.pk].target_wait_minutes
        )
        for category in categories
    }
    window_rows = []
    facts = {}
    for window in windows:
        row = by_window.get(window.pk)
        current = row["current_number"] if row else None
        facts[window.pk] = _WindowFacts(
            window.kind, {c.pk for c in window.categories.all()}, window.is_open and current is None
        )
        window_figures = Figures.from_tickets(row, now=now)
        window_figures.calls = calls.by_window.get(window.pk, 0)
        window_rows.append(
            WindowRow(
                window=window,
                figures=window_figures,
                current_number=current,
                current_status=row["current_status"] if row else None,
                category_letters=[] if window.serves_every_category else [c.letter for c in window.categories.all()],
                waiting_for_it=_waiting_for(facts[window.pk], figures) if window.is_open else 0,
            )
        )
    open_windows = [w for w in windows if w.is_open]
    category_rows = []
    for category in categories:
        serving = [w for w in open_windows if _serves(facts[w.pk], category.pk)]
        category_rows.append(
            CategoryRow(
                category=category,
                figures=figures[category.pk],
                open_windows=len(serving),
                config=configs[category.pk],
                alert_open=category.pk in open_alerts,
                idle_windows=sum(1 for w in serving if facts[w.pk].idle),
                light=queue_light(figures[category.pk], configs[category.pk], open_windows=len(serving)),
            )
        )
    # An inactive queue is listed only if it still had tickets today.
    shown = [row for row in category_rows if row.category.is_active or row.figures.issued]
    idle_beside = sum(1 for row in window_rows if row.idle_beside_waiting)
    today_figures = _total(row.figures for row in category_rows)
    compared = last_week.get((hall.pk, HALL_SCOPE))
    # As on the city overview: a day the hall does not open for walk-ins, with no ticket taken,
    # is not compared with last week's (a red −100 % on a Sunday). The hours are read (two
    # queries) only when it could be: a roll-up to compare with and no ticket today.
    closed_today = (
        compared is not None and not today_figures.issued and catalog_selectors.hall_hours(hall=hall, day=today) is None
    )
    totals = HallRow(
        hall=hall,
        figures=today_figures,
        open_windows=len(open_windows),
        idle_windows=sum(1 for row in window_rows if row.is_idle),
        idle_beside_waiting=idle_beside,
        open_alerts=len(open_alerts),
        unacknowledged_alerts=sum(1 for acknowledged in open_alerts.values() if acknowledged is None),
        light=hall_light(((row.category.letter, row.light) for row in shown), idle_beside_waiting=idle_beside),
        last_week=compared,
        closed_today=closed_today,
    )
    return HallLive(
        hall=hall,
        now=now,
        today=today,
        totals=totals,
        categories=shown,
        windows=window_rows,
        hours=_hours(
            today_tickets,
            targets={category.pk: configs[category.pk].target_wait_minutes for category in categories},
            day_hours=lambda: hours_today(hall, today),
            calls=calls,
        ),
        clerks=_clerks(today_tickets, windows, calls),
        config=resolve(hall_settings),
        comparison=comparison_rows(totals.figures, totals.last_week, closed_today=closed_today),
        compared_with=compared_with,
    )


@dataclass
class _Calls:
    """Today's calls (叫号数) at a hall: each time a ticket was called to a window (a "called"
    event: the first call, and the call after each transfer), counted at the window, for the staff
    member and in the Shanghai hour where it happened, whatever became of the ticket afterwards (a
    transferred ticket's call stays where it was made). Announcing the same ticket again at the
    counter (重新叫号) is not another call."""

    by_window: dict[int, int] = field(default_factory=dict)
    by_staff: dict[int, int] = field(default_factory=dict)
    by_hour: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # the staff members who called


def _calls(*, hall: Hall, today: dt.date) -> _Calls:
    """One query: today's "called" events of the hall's tickets by window, staff member and hour."""
    rows = (
        TicketEvent.objects.filter(kind=TicketEvent.Kind.CALLED, ticket__hall=hall, ticket__service_date=today)
        .order_by()
        .annotate(hour=ExtractHour("at", tzinfo=SHANGHAI))
        .values("window_id", "staff_id", "staff__username", "staff__staff_profile__display_name", "hour")
        .annotate(n=Count("pk"))
    )
    calls = _Calls()
    for row in rows:
        if row["window_id"] is not None:
            calls.by_window[row["window_id"]] = calls.by_window.get(row["window_id"], 0) + row["n"]
        if row["staff_id"] is not None:
            calls.by_staff[row["staff_id"]] = calls.by_staff.get(row["staff_id"], 0) + row["n"]
            calls.names[row["staff_id"]] = row["staff__staff_profile__display_name"] or row["staff__username"]
        calls.by_hour[row["hour"]] = calls.by_hour.get(row["hour"], 0) + row["n"]
    return calls


def _clerks(today_tickets: QuerySet[Ticket], windows: list[Window], calls: _Calls) -> list[ClerkRow]:
    """Per staff member, the calls they made today (``_Calls``) and what came of the tickets they
    have now (a transfer hands the ticket on and the next call records the next person): one
    query. Staff signed in at a window who have called nobody yet are listed too."""
    done = Q(status=Ticket.Status.DONE)
    rows = (
        today_tickets.filter(staff__isnull=False, status__in=(Ticket.Status.DONE, Ticket.Status.NO_SHOW))
        .values("staff_id", "staff__username", "staff__staff_profile__display_name")
        .annotate(
            served=Count("pk", filter=done),
            service_total=Sum(_SERVICE, filter=done & Q(started_at__isnull=False)),
            no_show=Count("pk", filter=Q(status=Ticket.Status.NO_SHOW)),
        )
    )
    at_window = {w.staff_id: w for w in windows if w.staff_id is not None}
    clerks = {
        user_id: ClerkRow(user_id, name, at_window.get(user_id), Figures(calls=calls.by_staff[user_id]))
        for user_id, name in calls.names.items()
    }
    for row in rows:
        clerk = clerks.setdefault(
            row["staff_id"],
            ClerkRow(
                row["staff_id"],
                row["staff__staff_profile__display_name"] or row["staff__username"],
                at_window.get(row["staff_id"]),
                Figures(),
            ),
        )
        clerk.figures.served = row["served"]
        clerk.figures.service_seconds_total = _seconds(row["service_total"])
        clerk.figures.no_show = row["no_show"]
    for user_id, window in at_window.items():
        if user_id not in clerks:
            clerks[user_id] = ClerkRow(user_id, staff_display_name(window.staff), window, Figures())
    return sorted(
        clerks.values(), key=lambda c: (c.window is None, c.window.number if c.window else 0, -c.figures.served, c.name)
    )


def _hours(
    today_tickets: QuerySet[Ticket],
    *,
    targets: Mapping[int, int],
    day_hours: Callable[[], DayHours | None],
    calls: _Calls,
) -> list[HourRow]:
    """Arrivals by the hour of arrival, finished tickets by the hour they finished, the calls made
    in the hour (``_Calls``), and the average wait and the share within target by the hour of the
    ticket's last call (the waits that ended in that hour): three queries, and the hall's hours
    that day (``day_hours``, asked only when a ticket was taken; remembered per process as for
    ticket issue)."""
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
        .values("hour", "category_id")
        .annotate(n=Count("pk"), total=Sum(_WAIT), **within_aggregates(targets.values()))
    )
    rows: dict[int, HourRow] = {}
    for row in arrivals:
        rows.setdefault(row["hour"], HourRow(row["hour"])).arrivals = row["n"]
    for row in served:
        rows.setdefault(row["hour"], HourRow(row["hour"])).served = row["n"]
    for hour_of_call, n in calls.by_hour.items():
        rows.setdefault(hour_of_call, HourRow(hour_of_call)).calls = n
    for row in waits:
        hour = rows.setdefault(row["hour"], HourRow(row["hour"]))
        hour.waited += row["n"]
        hour.wait_seconds_total += _seconds(row["total"])
        target = targets.get(row["category_id"])
        hour.within_target += within_of(row, target) if target is not None else 0
    if not rows:
        return []
    hours = day_hours()
    if hours is None:
        first, last = DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR
    else:
        # The hour of the last minute served: open until 19:00 is the 18:00–19:00 row's last.
        first, last = hours.opens.hour, (hours.closes - dt.timedelta(minutes=1)).hour
    first, last = min(first, *rows), max(last, *rows)
    return [rows.get(hour, HourRow(hour)) for hour in range(first, last + 1)]


# --- Window controls and the board message of a hall -------------------------------------------


def counter_staff(hall: Hall) -> QuerySet[User]:
    """Active window staff and chief representatives of the hall, who may be put at a window."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles.COUNTER_ROLES, staff_profile__hall=hall)
        .select_related("staff_profile")
        .order_by("staff_profile__display_name", "username")
        .distinct()
    )


@dataclass
class WindowControl:
    window: Window
    current_number: str | None  # the ticket at the counter (a window with one cannot be closed)
    # Its status: "called" (已叫号, the person is on the way to the window) or "serving" (正在办理).
    current_status: str | None = None

    @property
    def serving(self) -> bool:
        return self.current_status == Ticket.Status.SERVING


@dataclass
class StaffChoice:
    """A clerk who may be put at a window, and where they are signed in now."""

    pk: int
    name: str
    window: Window | None
    logged_in: bool  # only a clerk logged in now may be put at a window


@dataclass
class HallControls:
    windows: list[WindowControl]
    staff: list[StaffChoice]
    message: BoardMessage | None


def hall_controls(*, hall: Hall, now: dt.datetime) -> HallControls:
    """What the supervisor may change from the dashboard: the windows (with their staff and any
    ticket at the counter), the staff who may be put at one and whether they are logged in, the
    message on the board: five queries."""
    windows = list(Window.objects.filter(hall=hall).select_related("staff__staff_profile").order_by("number"))
    at_counter = {
        window_id: (number, status)
        for window_id, number, status in Ticket.objects.filter(
            hall=hall, service_date=local_date(now), status__in=Ticket.AT_WINDOW
        )
        .order_by()
        .values_list("window_id", "number", "status")
    }
    at_window = {window.staff_id: window for window in windows if window.staff_id is not None}
    staff = list(counter_staff(hall))
    logged_in = sessions.logged_in_user_ids((user.pk for user in staff), now=now)
    return HallControls(
        windows=[WindowControl(window, *at_counter.get(window.pk, (None, None))) for window in windows],
        staff=[
            StaffChoice(user.pk, staff_display_name(user), at_window.get(user.pk), user.pk in logged_in)
            for user in staff
        ],
        message=board_message_shown(hall=hall, now=now),
    )


def board_message_shown(*, hall: Hall, now: dt.datetime) -> BoardMessage | None:
    """The message on the hall's board now: the latest posted, not withdrawn, not expired."""
    return (
        BoardMessage.objects.filter(hall=hall, withdrawn_at__isnull=True, posted_at__lte=now, expires_at__gt=now)
        .select_related("posted_by__staff_profile")
        .order_by("-posted_at", "-pk")
        .first()
    )


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
        .values("scope", "category__order", "category__letter", "category__name", "category__name_en", "window__number")
        .annotate(**_STAT_SUMS)
    )
    categories: list[tuple[tuple[int, str], QueueHistoryRow]] = []
    windows: list[tuple[int, QueueHistoryRow]] = []
    for row in queue_rows:
        if row["category__letter"] is not None:
            name = localized({"name": row["category__name"], "name_en": row["category__name_en"]}, "name")
            label = _("%(letter)s类 %(name)s") % {"letter": row["category__letter"], "name": name}
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


def _export_stats(hall_ids: list[int], start: dt.date, end: dt.date) -> QuerySet[DailyStat]:
    return DailyStat.objects.filter(hall_id__in=hall_ids, date__range=(start, end))


def export_row_count(*, hall_ids: list[int], start: dt.date, end: dt.date) -> int:
    return _export_stats(hall_ids, start, end).count()


def export_rows(*, hall_ids: list[int], start: dt.date, end: dt.date) -> Iterator[DailyStat]:
    """Every ``DailyStat`` row of the range, streamed from the database: day by day and hall by
    hall, the hall's own row, then each of its queue categories, then each of its windows (what
    the history pages promise the files hold)."""
    scope_rank = Case(
        When(scope=HALL_SCOPE, then=Value(0)),
        When(category__isnull=False, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        _export_stats(hall_ids, start, end)
        .select_related("hall", "category", "window")
        .annotate(scope_rank=scope_rank)
        .order_by("date", "hall__code", "scope_rank", "category__order", "category__letter", "window__number", "pk")
        .iterator(chunk_size=2000)
    )
