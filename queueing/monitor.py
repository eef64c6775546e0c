"""The wait monitor (Art. 6 ¶4, Art. 8 ¶4; REQUIREMENTS §2, §4): once a minute, every queue of
every open hall is checked against its thresholds; a queue past them gets one wait alert with a
recommendation of how many windows to open (``queueing.erlang``), its supervisors are told once,
and the alert closes by itself when the queue is back under. docs/monitor.md has the rules.

One run reads everything it needs in a fixed number of set-based queries, whatever the number of
halls and queues (the calendar kind of the day, the opening hours, the queue categories with
their thresholds, one aggregate over today's tickets, the open windows, the open alerts), decides
in Python, then writes set-wise: one insert for every new alert, one claim for every alert to
notify, one update for every alert to close. Two runs at once never raise the same alert twice:
the partial unique constraint ``wait_alert_one_open_per_queue`` settles the insert, and each run
notifies only the alerts it claims with a conditional update (``notified_at IS NULL``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.hours import DayHours, hours_on
from catalog.models import Hall, HallOpeningHours
from queueing import erlang, estimator, snapshot, staggered
from queueing.config import QueueConfig, resolve
from queueing.models import QueueCategory, Ticket, WaitAlert, Window
from queueing.snapshot import SERVICE_LOOKBACK
from servicehall import notifications, roles
from servicehall.clock import local_date, local_now

logger = logging.getLogger(__name__)

# The arrival rate λ is measured over the last half hour: long enough to smooth out a burst of
# three people at the kiosk, short enough to follow the morning and afternoon peaks.
ARRIVAL_WINDOW = dt.timedelta(minutes=30)

QueueKey = tuple[int, int]  # (hall id, category id)


@dataclass(frozen=True)
class QueueState:
    """One queue as the monitor sees it at ``now``."""

    hall: Hall
    category: QueueCategory
    config: QueueConfig
    waiting: int
    longest_wait_seconds: int
    open_windows: int
    arrivals: int  # tickets taken in the last ARRIVAL_WINDOW
    mean_service_seconds: float

    @property
    def key(self) -> QueueKey:
        return (self.hall.pk, self.category.pk)

    @property
    def arrivals_per_minute(self) -> float:
        return self.arrivals / (ARRIVAL_WINDOW.total_seconds() / 60)

    @property
    def long_wait(self) -> bool:
        return self.longest_wait_seconds > self.config.max_wait_minutes * 60

    @property
    def long_queue(self) -> bool:
        # No open window counts as one: a crowd in front of closed windows is the worst case,
        # not a division by zero.
        return self.waiting > self.config.max_waiting_per_window * max(self.open_windows, 1)

    @property
    def reason(self) -> str | None:
        """The alert reason, or None when the queue is within its thresholds."""
        if self.long_wait and self.long_queue:
            return WaitAlert.Reason.BOTH
        if self.long_wait:
            return WaitAlert.Reason.LONG_WAIT
        if self.long_queue:
            return WaitAlert.Reason.LONG_QUEUE
        return None

    def recommended_extra_windows(self) -> int:
        return erlang.recommended_extra_windows(
            waiting=self.waiting,
            open_windows=self.open_windows,
            arrivals_per_minute=self.arrivals_per_minute,
            mean_service_minutes=self.mean_service_seconds / 60,
            # A hall that set its target to 0 asks for the impossible; one minute is the
            # strictest target the model can answer.
            target_wait_minutes=max(self.config.target_wait_minutes, 1),
        )


@dataclass(frozen=True)
class MonitorResult:
    run_id: str
    halls_open: int  # halls in service now (lunch breaks excluded)
    queues_evaluated: int
    queues_over: int
    raised: int  # new alerts this run created
    notified: int  # alerts whose supervisors this run told
    notify_failed: int  # notifications the backend refused; retried by the next run
    closed: int


def monitor_run(*, now: dt.datetime | None = None, hall_ids: Collection[int] | None = None) -> MonitorResult:
    """Check every queue of every open hall, raise, notify and close wait alerts. ``hall_ids``
    limits the run to those halls (the hall-day simulator, ``servicehall.simulator``)."""
    now = now or timezone.now()
    run_id = uuid.uuid4().hex
    today = local_date(now)

    in_service, paused = _halls_in_service(day=today, now=now)
    if hall_ids is not None:
        in_service = {pk: hours for pk, hours in in_service.items() if pk in hall_ids}
        paused = {pk for pk in paused if pk in hall_ids}
    active = QueueCategory.objects.filter(is_active=True)
    if hall_ids is not None:
        active = active.filter(hall_id__in=hall_ids)
    categories = list(active.select_related("hall", "hall__queue_settings").order_by("hall_id", "order", "letter"))
    configs = {(c.hall_id, c.pk): resolve(getattr(c.hall, "queue_settings", None), c) for c in categories}
    tickets = _ticket_figures(day=today, now=now)
    windows = _open_windows()
    states = [
        _state(
            category,
            configs[(category.hall_id, category.pk)],
            tickets.get((category.hall_id, category.pk)),
            windows,
            now,
        )
        for category in categories
        if category.hall_id in in_service
    ]
    over = {state.key: state for state in states if state.reason is not None}

    open_alerts = list(
        WaitAlert.objects.filter(closed_at__isnull=True)
        .filter(**({} if hall_ids is None else {"hall_id__in": hall_ids}))
        .values("pk", "hall_id", "category_id", "notified_at")
        .order_by()
    )
    alerted = {(a["hall_id"], a["category_id"]) for a in open_alerts}
    # Closed: the queue is back under (or its category was switched off) in a hall in service,
    # or the hall has closed for the day. During the lunch break nothing changes: the windows
    # are shut on purpose, and the afternoon shows whether the queue recovers.
    to_close = [
        a["pk"]
        for a in open_alerts
        if (a["hall_id"] in in_service and (a["hall_id"], a["category_id"]) not in over)
        or (a["hall_id"] not in in_service and a["hall_id"] not in paused)
    ]
    # An open alert no run has notified yet (its run failed between the insert and the message):
    # this run tries again; the claim below makes sure only one run sends it.
    closing = set(to_close)
    unnotified = [a["pk"] for a in open_alerts if a["notified_at"] is None and a["pk"] not in closing]

    new = [state for key, state in over.items() if key not in alerted]
    raised: list[WaitAlert] = []
    if new:
        # ignore_conflicts: a concurrent run that inserted the same queue's alert first wins
        # through the partial unique constraint; ours is silently dropped. Which rows are ours
        # is read back by this run's id, since a conflict-ignoring insert cannot say.
        WaitAlert.objects.bulk_create([_alert(state, run_id=run_id, now=now) for state in new], ignore_conflicts=True)
    to_notify: list[WaitAlert] = []
    if new or unnotified:
        to_notify = list(
            WaitAlert.objects.filter(Q(run_id=run_id) | Q(pk__in=unnotified))
            .select_related("hall", "category")
            .order_by("pk")
        )
        raised = [alert for alert in to_notify if alert.run_id == run_id]
    notified, failed = _notify(to_notify, configs=configs, now=now) if to_notify else (0, 0)

    closed = WaitAlert.objects.filter(pk__in=to_close, closed_at__isnull=True).update(closed_at=now) if to_close else 0
    # The supervisors' dashboards of the halls whose alerts were raised or closed render again
    # at their next poll (queueing.dashboard_poll).
    changed = {state.key[0] for state in new} | {a["hall_id"] for a in open_alerts if a["pk"] in closing}
    for changed_hall_id in sorted(changed):
        snapshot.console_changed_on_commit(changed_hall_id)
    return MonitorResult(
        run_id=run_id,
        halls_open=len(in_service),
        queues_evaluated=len(states),
        queues_over=len(over),
        raised=len(raised),
        notified=notified,
        notify_failed=failed,
        closed=closed,
    )


# --- Reading ---------------------------------------------------------------------------------


def _halls_in_service(*, day: dt.date, now: dt.datetime) -> tuple[dict[int, DayHours], set[int]]:
    """Halls serving at ``now`` (with their hours) and halls in their lunch break.

    Two queries: the calendar kind of the day, and the opening hours of every hall for the
    weekdays ``hours_on`` may read (today's, and Monday's, which a make-up workday on a
    weekend uses).
    """
    day_kind = catalog_selectors.day_kinds(start=day, end=day)
    weekly: dict[int, dict[int, HallOpeningHours]] = defaultdict(dict)
    for row in HallOpeningHours.objects.filter(weekday__in={day.weekday(), 0}):
        weekly[row.hall_id][row.weekday] = row
    in_service: dict[int, DayHours] = {}
    paused: set[int] = set()
    for hall_id, rows in weekly.items():
        hours = hours_on(day, weekly=rows, day_kind=day_kind) or _booking_only_hours(day, rows, day_kind)
        if hours is None or not hours.is_open_at(now):
            continue
        if hours.in_lunch_break(now):
            paused.add(hall_id)
        else:
            in_service[hall_id] = hours
    # A weekend or holiday with staggered slots booked (错时服务, Art. 10 ¶3; the slots are
    # appointments', registered in ``queueing.staggered``): within the slots' hours the bookings'
    # tickets are watched like any other day's. One more query.
    for hall_id, (starts, ends) in staggered.serving_at(day, now).items():
        if hall_id not in in_service:
            paused.discard(hall_id)
            in_service[hall_id] = _period_hours(day, starts, ends)
    return in_service, paused


def _period_hours(day: dt.date, starts: dt.datetime, ends: dt.datetime) -> DayHours:
    """A staggered-service period as a day's hours, without a lunch break."""
    opens, closes = local_now(starts).time(), local_now(ends).time()
    return DayHours(day, opens, closes, closes, closes, None)


def _booking_only_hours(
    day: dt.date, rows: Mapping[int, HallOpeningHours], day_kind: Callable[[dt.date], str]
) -> DayHours | None:
    """The hours of a staggered-service day (错时服务, a weekend day open by appointment only,
    Art. 10 ¶3): no walk-in tickets, but the bookings' tickets are watched like any other day's.
    A holiday has none: its staggered slots booked say when it serves (``_halls_in_service``)."""
    row = rows.get(day.weekday())
    if row is None or not row.appointment_only or day_kind(day) == "holiday":
        return None
    return DayHours(
        day, row.morning_opens, row.morning_closes, row.afternoon_opens, row.afternoon_closes, row.extended_until
    )


def _ticket_figures(*, day: dt.date, now: dt.datetime) -> dict[QueueKey, Mapping[str, Any]]:
    """Per (hall, category), one aggregate over the day's tickets: how many wait, since when
    the longest has waited, how many arrived lately, and the recent service times."""
    waiting = Q(status=Ticket.Status.WAITING)
    served = Q(status=Ticket.Status.DONE, started_at__isnull=False, finished_at__gte=now - SERVICE_LOOKBACK)
    rows = (
        Ticket.objects.filter(service_date=day)
        .values("hall_id", "category_id")
        .annotate(
            waiting=Count("pk", filter=waiting),
            # A checked-in appointment waits from its slot, not from checking in early: the
            # time before the slot is the applicant's choice, not the hall's delay.
            waiting_since=Min(Greatest("arrived_at", Coalesce("not_before", "arrived_at")), filter=waiting),
            arrivals=Count("pk", filter=Q(issued_at__gt=now - ARRIVAL_WINDOW, issued_at__lte=now)),
            served=Count("pk", filter=served),
            service_total=Sum(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField()), filter=served
            ),
        )
        .order_by()
    )
    return {(row["hall_id"], row["category_id"]): row for row in rows}


def _open_windows() -> dict[str, dict]:
    """Open windows: per hall the comprehensive ones (they serve every category, 无差别受理),
    per (hall, category) the others (specialised, green-channel...) ticked for it. One query
    listing the open windows with their categories; there are at most a few per hall."""
    comprehensive: dict[int, set[int]] = defaultdict(set)
    own: dict[QueueKey, set[int]] = defaultdict(set)
    rows = Window.objects.filter(is_open=True).values_list("pk", "hall_id", "kind", "categories").order_by()
    for window_id, hall_id, kind, category_id in rows:
        if kind == Window.Kind.COMPREHENSIVE:
            comprehensive[hall_id].add(window_id)
        elif category_id is not None:
            own[(hall_id, category_id)].add(window_id)
    return {"comprehensive": comprehensive, "own": own}


def _state(
    category: QueueCategory,
    config: QueueConfig,
    figures: Mapping[str, Any] | None,
    windows: dict[str, dict],
    now: dt.datetime,
) -> QueueState:
    figures = figures or {}
    since = figures.get("waiting_since")
    total = figures.get("service_total")
    key = (category.hall_id, category.pk)
    # A set union, so a comprehensive window that also has categories ticked counts once.
    serving = windows["comprehensive"].get(category.hall_id, set()) | windows["own"].get(key, set())
    return QueueState(
        hall=category.hall,
        category=category,
        config=config,
        waiting=figures.get("waiting", 0),
        longest_wait_seconds=max(0, int((now - since).total_seconds())) if since else 0,
        open_windows=len(serving),
        arrivals=figures.get("arrivals", 0),
        mean_service_seconds=estimator.mean_service_seconds(
            total_seconds=total.total_seconds() if total else 0.0,
            samples=figures.get("served", 0),
            prior_seconds=config.default_service_minutes * 60,
        ),
    )


# --- Writing ---------------------------------------------------------------------------------


def _alert(state: QueueState, *, run_id: str, now: dt.datetime) -> WaitAlert:
    reason = state.reason
    if reason is None:
        raise ValueError(f"queue {state.key} is within its thresholds: no alert to raise")
    return WaitAlert(
        hall=state.hall,
        category=state.category,
        reason=reason,
        opened_at=now,
        run_id=run_id,
        waiting=state.waiting,
        longest_wait_seconds=state.longest_wait_seconds,
        open_windows=state.open_windows,
        arrivals_per_hour=round(state.arrivals_per_minute * 60, 1),
        mean_service_seconds=round(state.mean_service_seconds, 1),
        recommended_extra_windows=state.recommended_extra_windows(),
    )


def _claim_for_notification(alert_ids: list[int], *, now: dt.datetime) -> set[int]:
    """Mark the alerts as notified and return those this run marked. Rows another run holds are
    skipped, rows another run already marked no longer match ``notified_at IS NULL``: each alert
    is claimed by exactly one run, which alone sends its message."""
    with transaction.atomic():
        claimable = _lock_unnotified_alerts(alert_ids)
        if claimable:
            WaitAlert.objects.filter(pk__in=claimable, notified_at__isnull=True).update(notified_at=now)
    return set(claimable)


def _lock_unnotified_alerts(alert_ids: list[int]) -> list[int]:
    """Those of the open, not yet notified alerts that no other run holds, locked in pk order;
    the ones another run is claiming are skipped, not waited for."""
    return list(
        WaitAlert.objects.select_for_update(skip_locked=True)
        .filter(pk__in=alert_ids, notified_at__isnull=True, closed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _release_claim(alert: WaitAlert, *, now: dt.datetime) -> None:
    """Undo a claim whose message could not be sent, so that the next run sends it."""
    WaitAlert.objects.filter(pk=alert.pk, notified_at=now).update(notified_at=None)


def _recipients(hall_ids: set[int]) -> dict[int | None, list[str]]:
    """Usernames of active supervisors per hall; the key None holds the citywide ones."""
    rows = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.SUPERVISOR, staff_profile__isnull=False)
        .filter(Q(staff_profile__hall__isnull=True) | Q(staff_profile__hall_id__in=hall_ids))
        .values_list("username", "staff_profile__hall_id")
        .order_by("username")
        .distinct()
    )
    by_hall: dict[int | None, list[str]] = defaultdict(list)
    for username, hall_id in rows:
        by_hall[hall_id].append(username)
    return by_hall


def _notify(alerts: list[WaitAlert], *, configs: dict[QueueKey, QueueConfig], now: dt.datetime) -> tuple[int, int]:
    """Tell the supervisors of each alert's hall and the citywide supervisors, once per alert.
    Returns (notified, failed)."""
    claimed = _claim_for_notification([alert.pk for alert in alerts], now=now)
    alerts = [alert for alert in alerts if alert.pk in claimed]
    if not alerts:
        return 0, 0
    recipients = _recipients({alert.hall_id for alert in alerts})
    notified = failed = 0
    # Supervisors read Chinese; a worker has no request to take a language from.
    with translation.override(settings.LANGUAGE_CODE):
        for alert in alerts:
            to = sorted(set(recipients.get(alert.hall_id, [])) | set(recipients.get(None, [])))
            if not to:
                # Nobody to tell: the alert stays on the dashboard, and is not retried every
                # minute until someone is appointed.
                logger.warning(
                    "wait alert %s (%s %s): no supervisor to notify", alert.pk, alert.hall.code, alert.category.letter
                )
                continue
            subject, body = _message(alert, configs.get((alert.hall_id, alert.category_id)))
            try:
                notifications.notify(
                    recipients=to,
                    subject=subject,
                    body=body,
                    data={
                        "kind": "wait_alert",
                        "alert": alert.pk,
                        "hall": alert.hall.code,
                        "category": alert.category.letter,
                        "reason": alert.reason,
                        "recommended_extra_windows": alert.recommended_extra_windows,
                    },
                )
            except Exception:
                # A failing gateway must not lose the alert nor stop the others: the claim is
                # released and the next run (a minute later) tries again.
                logger.exception("wait alert %s: notification failed, will retry", alert.pk)
                _release_claim(alert, now=now)
                failed += 1
            else:
                notified += 1
    return notified, failed


def _message(alert: WaitAlert, config: QueueConfig | None) -> tuple[str, str]:
    hall = alert.hall.display_name
    queue = _("%(letter)s类（%(name)s）") % {"letter": alert.category.letter, "name": alert.category.name}
    reason = alert.get_reason_display()
    subject = _("等候预警：%(hall)s %(queue)s%(reason)s") % {"hall": hall, "queue": queue, "reason": reason}
    # The figures are those of the run that opened the alert, and the message may be read (or,
    # after a failing gateway, sent) much later: say when they were taken, not "现有" (now).
    figures = _(
        "截至%(time)s，%(hall)s %(queue)s%(reason)s：%(waiting)s人等候，最长已等候%(longest)s分钟，"
        "开放窗口%(windows)s个；此前30分钟到达约%(rate)s人/小时，平均办理约%(service)s分钟。"
    ) % {
        "time": local_now(alert.opened_at).strftime("%H:%M"),
        "hall": hall,
        "queue": queue,
        "reason": reason,
        "waiting": alert.waiting,
        "longest": alert.longest_wait_seconds // 60,
        "windows": alert.open_windows,
        "rate": round(alert.arrivals_per_hour),
        "service": round(alert.mean_service_seconds / 60, 1),
    }
    parts = [figures]
    if config is not None:
        parts.append(
            _("预警标准：最长等候超过%(max_wait)s分钟或每个开放窗口等候超过%(per_window)s人。")
            % {"max_wait": config.max_wait_minutes, "per_window": config.max_waiting_per_window}
        )
    target = config.target_wait_minutes if config is not None else settings.QUEUE["target_wait_minutes"]
    if alert.recommended_extra_windows:
        parts.append(
            _("建议增开%(extra)s个窗口，使等候时间回到%(target)s分钟以内。")
            % {"extra": alert.recommended_extra_windows, "target": target}
        )
    else:
        parts.append(
            _("按当时的到达和办理速度，已开放的窗口可在%(target)s分钟内消化排队，无需增开窗口。") % {"target": target}
        )
    parts.append(_("请查明原因、督促改进，并在预警中登记原因分析和改进措施。"))
    return subject, "".join(parts)
