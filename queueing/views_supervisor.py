"""The supervisors' dashboard (/supervisor/): live waiting times per hall and across the city
with a status against each queue's targets, wait alerts to acknowledge, windows to open or close
and a message for the hall's board, history and exports (REQUIREMENTS §4 last bullet, Art. 6 ¶4,
Art. 8 ¶4).

Only supervisors (政务服务管理部门) and administrators see it: a supervisor tied to a hall sees that
hall, a citywide one every hall (``servicehall.access.supervised_hall_ids``). Live parts poll a
template partial every ``POLL_SECONDS`` with htmx; everything works as plain pages and forms
without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalog.access import access_hall
from catalog.models import Hall
from queueing import dashboard, dashboard_poll, exports, selectors, services
from queueing.access import access_board_message, access_supervised_window
from queueing.dashboard import HourRow
from queueing.dashboard_poll import unchanged_poll
from queueing.models import WaitAlert
from queueing.services import BOARD_MESSAGE_MAX_LENGTH, QueueError
from servicehall import extensions
from servicehall.access import staff_scope, supervised_hall_ids, supervisor_required
from servicehall.clock import local_date, local_now
from servicehall.dbrouter import replica_view
from servicehall.http import HtmxHttpRequest, post_action
from servicehall.roles import SUPERVISION_ROLES

POLL_SECONDS = 15
HISTORY_DEFAULT_DAYS = 7
HISTORY_MAX_DAYS = 366

OVERVIEW = "queueing/supervisor/overview.html"
HALL = "queueing/supervisor/hall.html"
HISTORY = "queueing/supervisor/history.html"
# htmx polls name the region they refresh (HX-Target); each maps to a partial of the page.
OVERVIEW_LIVE_TARGET, HALL_LIVE_TARGET, HALL_ALERTS_TARGET = "overview-live", "hall-live", "hall-alerts"
HALL_CONTROLS_TARGET = "hall-controls"
# Sent with every answer to a window or board change, so the live figures refresh at once.
CHANGED_EVENT = "dashboard-changed"


# The refusal other staff see. Every page here is guarded by ``supervisor_required``, which also
# sends an htmx poll whose session ended to the login page instead of swapping the form in.
MONITOR_ONLY = gettext_lazy("等候监测仅向政务服务管理部门和系统管理员开放。")


# --- Forms -------------------------------------------------------------------------------------


class HistoryForm(forms.Form):
    """A date range for history and exports: both dates, start ≤ end ≤ today, at most a year."""

    start = forms.DateField(
        label=gettext_lazy("起始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写起始日期。"),
            "invalid": gettext_lazy("起始日期无效，请按“年-月-日”填写，例如 2026-11-01。"),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写截止日期。"),
            "invalid": gettext_lazy("截止日期无效，请按“年-月-日”填写，例如 2026-11-30。"),
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if start > end:
            self.add_error("start", _("起始日期不能晚于截止日期。"))
        elif end > self.today:
            self.add_error("end", _("截止日期不能晚于今天（%(today)s）。") % {"today": self.today.isoformat()})
        elif (end - start).days + 1 > HISTORY_MAX_DAYS:
            self.add_error(
                "end", _("查询期间最长 %(days)s 天（含起止两天），请缩短日期范围。") % {"days": HISTORY_MAX_DAYS}
            )
        return cleaned


def history_form(query: QueryDict, *, today: dt.date, defaults: bool) -> HistoryForm:
    """The form bound to the query; with ``defaults`` and no dates given, the last week up to
    yesterday (today's figures are rolled up tonight)."""
    if defaults and "start" not in query and "end" not in query:
        data: Any = {
            "start": (today - dt.timedelta(days=HISTORY_DEFAULT_DAYS)).isoformat(),
            "end": (today - dt.timedelta(days=1)).isoformat(),
        }
    else:
        data = query
    return HistoryForm(data, today=today)


class AcknowledgeForm(forms.Form):
    """Cause and action for a wait alert. That both are required is the service's rule
    (``services.alert_acknowledge``); the browser is told so too."""

    cause = forms.CharField(
        label=gettext_lazy("原因分析"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "required": True, "maxlength": 300}),
        error_messages={"max_length": gettext_lazy("原因分析最多 300 字。")},
    )
    action = forms.CharField(
        label=gettext_lazy("改进措施"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "required": True, "maxlength": 300}),
        error_messages={"max_length": gettext_lazy("改进措施最多 300 字。")},
    )


def _acknowledge_form(alert: WaitAlert, data: QueryDict | None = None) -> AcknowledgeForm:
    initial = {"cause": alert.cause, "action": alert.action}
    return AcknowledgeForm(data, initial=initial, auto_id=f"alert-{alert.pk}-%s")


class OpenWindowForm(forms.Form):
    """Who works at the window being opened: a clerk of the hall (the page renders the select
    from the staff it already read; this form only checks the choice)."""

    clerk: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("工作人员"),
        error_messages={
            "required": gettext_lazy("请选择到该窗口办理的工作人员。"),
            "invalid_choice": gettext_lazy("请选择本大厅的窗口工作人员。"),
        },
    )

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clerk"].queryset = dashboard.counter_staff(hall)  # type: ignore[attr-defined]


BOARD_MESSAGE_MINUTES = [
    (15, gettext_lazy("15 分钟")),
    (30, gettext_lazy("30 分钟")),
    (60, gettext_lazy("1 小时")),
    (120, gettext_lazy("2 小时")),
    (240, gettext_lazy("4 小时")),
    (480, gettext_lazy("8 小时")),
]


class BoardMessageForm(forms.Form):
    """A short notice for the hall's display board and how long it stays."""

    text = forms.CharField(
        label=gettext_lazy("通知内容"),
        max_length=BOARD_MESSAGE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"maxlength": BOARD_MESSAGE_MAX_LENGTH, "autocomplete": "off"}),
        help_text=gettext_lazy("最多 120 字，显示在大厅叫号显示屏上，例如“系统维护，社保业务暂停 30 分钟”。"),
        error_messages={
            "required": gettext_lazy("请填写通知内容。"),
            "max_length": gettext_lazy("通知内容最多 120 字。"),
        },
    )
    minutes = forms.TypedChoiceField(
        label=gettext_lazy("显示时长"),
        choices=BOARD_MESSAGE_MINUTES,
        coerce=int,
        initial=30,
        error_messages={
            "required": gettext_lazy("请选择显示时长。"),
            "invalid_choice": gettext_lazy("请选择显示时长。"),
        },
    )


def _board_form(data: QueryDict | None = None) -> BoardMessageForm:
    return BoardMessageForm(data, auto_id="board-%s")


# --- Hourly chart (server-rendered SVG; attributes only, the CSP forbids style) -----------------


@dataclass(frozen=True)
class Chart:
    """Coordinates of the hourly chart, as strings ready for SVG attributes (never localised)."""

    width: int
    height: int
    left: int
    right: int
    bottom: int
    left_label_x: int
    right_label_x: int
    hour_label_y: int
    bars: list[dict[str, Any]]
    count_ticks: list[dict[str, str]]
    wait_ticks: list[dict[str, str]]
    hour_labels: list[dict[str, str]]
    wait_points: str
    wait_dots: list[dict[str, Any]]


def _nice_ceiling(value: float, *, minimum: float) -> tuple[float, float]:
    """An axis maximum ≥ ``value`` divided into four steps of 1, 2 or 5 × 10ⁿ."""
    raw = max(value, minimum) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step * 4, step


def _coord(value: float) -> str:
    return f"{value:.1f}"


def hourly_chart(hours: list[HourRow]) -> Chart | None:
    """Bars of arrivals and finished tickets per hour (left axis) and a line of the average wait
    in minutes (right axis)."""
    if not hours:
        return None
    width, height, left, right, top, bottom = 720, 280, 48, 672, 16, 240
    plot_w, plot_h = right - left, bottom - top
    count_max, count_step = _nice_ceiling(max(max(h.arrivals, h.served) for h in hours), minimum=4)
    waits = [h.average_wait_minutes for h in hours if h.average_wait_minutes is not None]
    wait_max, wait_step = _nice_ceiling(max(waits, default=0), minimum=20)
    slot = plot_w / len(hours)
    bar_w = slot * 0.34

    def y_count(n: float) -> float:
        return bottom - n / count_max * plot_h

    def y_wait(minutes: float) -> float:
        return bottom - minutes / wait_max * plot_h

    bars, labels, dots = [], [], []
    for index, hour in enumerate(hours):
        centre = left + index * slot + slot / 2
        for x, kind, value in ((centre - bar_w, "arrivals", hour.arrivals), (centre, "served", hour.served)):
            y = y_count(value)
            bars.append(
                {
                    "kind": kind,
                    "x": _coord(x),
                    "y": _coord(y),
                    "width": _coord(bar_w),
                    "height": _coord(bottom - y),
                    "value": value,
                    "hour": hour,
                }
            )
        labels.append({"x": _coord(centre), "text": f"{hour.hour}:00"})
        if hour.average_wait_minutes is not None:
            dots.append({"x": _coord(centre), "y": _coord(y_wait(hour.average_wait_minutes)), "hour": hour})
    ticks = range(5)
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        bottom=bottom,
        left_label_x=left - 6,
        right_label_x=right + 6,
        hour_label_y=bottom + 18,
        bars=bars,
        count_ticks=[{"y": _coord(y_count(k * count_step)), "label": f"{k * count_step:g}"} for k in ticks],
        wait_ticks=[{"y": _coord(y_wait(k * wait_step)), "label": f"{k * wait_step:g}"} for k in ticks],
        hour_labels=labels,
        wait_points=" ".join(f"{dot['x']},{dot['y']}" for dot in dots),
        wait_dots=dots,
    )


# --- Pages -------------------------------------------------------------------------------------


def _htmx_target(request: HtmxHttpRequest) -> str | None:
    return request.htmx.target if request.htmx and not request.htmx.boosted else None


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


@never_cache
def overview(request: HtmxHttpRequest) -> HttpResponse:
    """Every hall in the user's scope, today, refreshed by itself: a poll of the live region
    whose version still stands is answered 204 before anything else is read
    (``queueing.dashboard_poll``)."""
    if unchanged_poll(request, OVERVIEW_LIVE_TARGET):
        return HttpResponse(status=204)
    return _overview(request)


@require_safe
@supervisor_required(message=MONITOR_ONLY)
@replica_view
def _overview(request: HtmxHttpRequest) -> TemplateResponse:
    scope = staff_scope(request.user)
    halls = list(dashboard.halls_in_scope(supervised_hall_ids(request.user)))
    now = timezone.now()
    hall_ids = [hall.pk for hall in halls]
    # Read before the figures: a change committing meanwhile replaces one, and the next poll renders.
    seen = dashboard_poll.generations(hall_ids, request.user.pk)
    data = dashboard.city_overview(halls=halls, now=now)
    live = _htmx_target(request) == OVERVIEW_LIVE_TARGET
    return TemplateResponse(
        request,
        f"{OVERVIEW}#live" if live else OVERVIEW,
        {
            "overview": data,
            "scope": scope,
            "poll_seconds": POLL_SECONDS,
            "poll_version": dashboard_poll.poll_version(request, OVERVIEW_LIVE_TARGET, hall_ids, seen, now=now),
            "link_sections": extensions.sections(extensions.SUPERVISOR_LINKS),
        },
    )


def _hall_version(request: HttpRequest, target: str, hall: Hall, seen: list[str] | None, now: dt.datetime) -> str:
    return dashboard_poll.poll_version(request, target, [hall.pk], seen, now=now, dashboard=True)


def _live_context(request: HttpRequest, hall: Hall, now: dt.datetime) -> dict[str, Any]:
    # Read before the figures (and the sections the apps above add, which the hall's dashboard
    # generation covers): a change committing meanwhile replaces one, and the next poll renders.
    seen = dashboard_poll.generations([hall.pk], request.user.pk, dashboard=True)
    live = dashboard.hall_live(hall=hall, now=now)
    return {
        "live": live,
        "chart": hourly_chart(live.hours),
        "hall_live_sections": extensions.sections(extensions.SUPERVISOR_HALL_LIVE),
        "assistance_today": selectors.assistance_counts(hall_id=hall.pk, now=now),
        "live_poll_version": _hall_version(request, HALL_LIVE_TARGET, hall, seen, now),
    }


@dataclass(frozen=True)
class Notice:
    """The outcome of a change made from the dashboard, said where the change was made."""

    text: str
    error: bool = False


def _controls_context(
    request: HttpRequest,
    hall: Hall,
    now: dt.datetime,
    *,
    board_form: BoardMessageForm | None = None,
    notice: Notice | None = None,
) -> dict[str, Any]:
    seen = dashboard_poll.generations([hall.pk], request.user.pk, dashboard=True)
    return {
        "controls": dashboard.hall_controls(hall=hall, now=now),
        "board_form": board_form or _board_form(),
        "notice": notice,
        # The outcome of a change, or a message form with mistakes, is said until the next poll
        # renders the controls again (a refusal holds the poll: data-poll-hold): no version.
        "controls_poll_version": ""
        if notice is not None or board_form is not None
        else _hall_version(request, HALL_CONTROLS_TARGET, hall, seen, now),
    }


@dataclass(frozen=True)
class AlertItem:
    alert: WaitAlert
    form: AcknowledgeForm | None  # None: closed and explained, nothing left to record

    @property
    def longest_wait_minutes(self) -> float:
        return self.alert.longest_wait_seconds / 60


def _alerts_context(
    request: HttpRequest, hall: Hall, now: dt.datetime, failed: tuple[int, AcknowledgeForm] | None = None
) -> dict[str, Any]:
    # Read before the alerts: a change committing meanwhile replaces it, and the next poll renders.
    seen = dashboard_poll.generations([hall.pk], request.user.pk)
    alerts = dashboard.hall_alerts(hall=hall, now=now)

    def item(alert: WaitAlert) -> AlertItem:
        # Open alerts take a cause and an action; a closed one that nobody explained still can.
        if alert.closed_at is not None and alert.acknowledged_at is not None:
            return AlertItem(alert, None)
        if failed is not None and failed[0] == alert.pk:
            return AlertItem(alert, failed[1])
        return AlertItem(alert, _acknowledge_form(alert))

    return {
        "open_alerts": [item(alert) for alert in alerts.open],
        "closed_alerts": [item(alert) for alert in alerts.recent_closed],
        # A form with mistakes stays until the supervisor acts on it: no version, the poll holds.
        "alerts_poll_version": ""
        if failed is not None
        else dashboard_poll.poll_version(request, HALL_ALERTS_TARGET, [hall.pk], seen, now=now),
    }


def _hall_page(
    request: HttpRequest,
    hall: Hall,
    *,
    now: dt.datetime,
    failed: tuple[int, AcknowledgeForm] | None = None,
    board_form: BoardMessageForm | None = None,
) -> TemplateResponse:
    today = local_date(now)
    form = history_form(request.GET, today=today, defaults=True)
    valid = form.is_valid()
    history = (
        dashboard.hall_history(hall=hall, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        if valid
        else None
    )
    context = {
        "hall": hall,
        "now": now,
        "today": today,
        "poll_seconds": POLL_SECONDS,
        "hall_link_sections": extensions.sections(extensions.SUPERVISOR_HALL_LINKS),
        "history_form": form,
        "history": history,
        "export_query": urlencode({"hall": hall.code, **_range_params(form)}) if valid else "",
        **_live_context(request, hall, now),
        **_controls_context(request, hall, now, board_form=board_form),
        **_alerts_context(request, hall, now, failed),
    }
    status = 400 if failed is not None or board_form is not None or not valid else 200
    return TemplateResponse(request, HALL, context, status=status)


def _range_params(form: HistoryForm) -> dict[str, str]:
    return {"start": form.cleaned_data["start"].isoformat(), "end": form.cleaned_data["end"].isoformat()}


@never_cache
def hall_dashboard(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """One hall: today per category, window and hour; its window controls; its wait alerts; its
    history. A poll of the live figures, the controls or the alerts whose version still stands is
    answered 204 before anything else is read (``queueing.dashboard_poll``)."""
    if unchanged_poll(request, HALL_LIVE_TARGET, HALL_CONTROLS_TARGET, HALL_ALERTS_TARGET):
        return HttpResponse(status=204)
    return _hall_dashboard(request, code)


@require_safe
@supervisor_required(message=MONITOR_ONLY)
@replica_view
def _hall_dashboard(request: HtmxHttpRequest, code: str) -> TemplateResponse:
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    now = timezone.now()
    target = _htmx_target(request)
    if target == HALL_LIVE_TARGET:
        context = {"hall": hall, "poll_seconds": POLL_SECONDS, **_live_context(request, hall, now)}
        return TemplateResponse(request, f"{HALL}#live", context)
    if target == HALL_ALERTS_TARGET:
        return TemplateResponse(
            request, f"{HALL}#alerts", {"hall": hall, "now": now, **_alerts_context(request, hall, now)}
        )
    if target == HALL_CONTROLS_TARGET:
        context = {"hall": hall, "now": now, "poll_seconds": POLL_SECONDS, **_controls_context(request, hall, now)}
        return TemplateResponse(request, f"{HALL}#controls", context)
    return _hall_page(request, hall, now=now)


def _after_change(
    request: HttpRequest,
    hall: Hall,
    notice: Notice,
    *,
    status: int = 200,
    board_form: BoardMessageForm | None = None,
) -> HttpResponse:
    """The answer to a window or board change: with htmx, the refreshed controls with the
    outcome said in them (and an event that refreshes the live figures); without, back to the
    page with the outcome as a message (or, for a message form with mistakes, the page with the
    form and its errors)."""
    now = timezone.now()
    if _is_htmx(request):
        context = {
            "hall": hall,
            "now": now,
            "poll_seconds": POLL_SECONDS,
            **_controls_context(request, hall, now, board_form=board_form, notice=notice),
        }
        response = TemplateResponse(request, f"{HALL}#controls", context, status=status)
        response.headers["HX-Trigger"] = CHANGED_EVENT
        return response
    if board_form is not None:
        messages.error(request, notice.text)
        return _hall_page(request, hall, now=now, board_form=board_form)
    (messages.error if notice.error else messages.success)(request, notice.text)
    return redirect(reverse("supervisor-hall", args=[hall.code]) + "#controls")


@supervisor_required(message=MONITOR_ONLY)
@post_action("supervisor-hall", "code")
def window_open(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Open a window with a clerk of the hall at it (Art. 6 ¶4: add windows when many wait)."""
    window = access_supervised_window(request.user, code, pk)
    form = OpenWindowForm(request.POST, hall=window.hall)
    if not form.is_valid():
        return _after_change(
            request, window.hall, Notice(" ".join(str(error) for error in form.errors["clerk"]), error=True), status=400
        )
    clerk = form.cleaned_data["clerk"]
    try:
        opened = services.window_open(window=window, clerk=clerk, user=request.user)
    except QueueError as exc:
        return _after_change(request, window.hall, Notice(str(exc.message), error=True), status=exc.status)
    name = dashboard.staff_display_name(clerk)
    text = _("已开放%(window)s，由%(name)s办理。") % {"window": opened.window, "name": name}
    if opened.moved_from is not None:
        # Moving a clerk closes the window they were at: say so, it changes that window's queue too.
        text += _("%(name)s已从%(old)s移至%(new)s，%(old)s已关闭。") % {
            "name": name,
            "old": opened.moved_from,
            "new": opened.window,
        }
    if opened.released:
        text += _("转至%(window)s的 %(numbers)s 已回到原排队类别，保留原排队时间。") % {
            "window": opened.moved_from,
            "numbers": "、".join(opened.released),
        }
    return _after_change(request, window.hall, Notice(text))


@supervisor_required(message=MONITOR_ONLY)
@post_action("supervisor-hall", "code")
def window_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Close a window (its clerk is signed out); refused while a ticket is at its counter."""
    window = access_supervised_window(request.user, code, pk)
    try:
        closed = services.window_close(window=window, user=request.user)
    except QueueError as exc:
        return _after_change(request, window.hall, Notice(str(exc.message), error=True), status=exc.status)
    text = _("已关闭%(window)s。") % {"window": closed.window}
    if closed.signed_out:
        text += _("%(name)s已从该窗口签退。") % {"name": closed.signed_out}
    if closed.released:
        text += _("转至该窗口的 %(numbers)s 已回到原排队类别，保留原排队时间。") % {
            "numbers": "、".join(closed.released)
        }
    return _after_change(request, window.hall, Notice(text))


@supervisor_required(message=MONITOR_ONLY)
@post_action("supervisor-hall", "code")
def board_message_post(request: HttpRequest, code: str) -> HttpResponse:
    """Put a short notice on the hall's display board until it expires."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    form = _board_form(request.POST)
    if form.is_valid():
        try:
            message = services.board_message_post(
                hall=hall, user=request.user, text=form.cleaned_data["text"], minutes=form.cleaned_data["minutes"]
            )
        except QueueError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            until = local_now(message.expires_at).strftime("%H:%M")
            return _after_change(request, hall, Notice(_("通知已发布到显示屏，显示至 %(time)s。") % {"time": until}))
    return _after_change(
        request, hall, Notice(_("通知未发布，请按提示修改。"), error=True), status=400, board_form=form
    )


@supervisor_required(message=MONITOR_ONLY)
@post_action("supervisor-hall", "code")
def board_message_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Take the notice off the board before it expires."""
    message = access_board_message(request.user, code, pk)
    try:
        services.board_message_withdraw(message=message, user=request.user)
    except QueueError as exc:
        return _after_change(request, message.hall, Notice(str(exc.message), error=True), status=exc.status)
    return _after_change(request, message.hall, Notice(_("通知已从显示屏撤下。")))


@supervisor_required(message=MONITOR_ONLY)
@post_action("supervisor-hall", "code")
def alert_acknowledge(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Record the cause of a wait alert and what was done about it (Art. 8 ¶4)."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    alert = WaitAlert.objects.select_related("category").filter(hall=hall, pk=pk).first()
    if alert is None:
        raise Http404(_("没有找到该预警。"))
    form = _acknowledge_form(alert, request.POST)
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(
                alert=alert, user=request.user, cause=form.cleaned_data["cause"], action=form.cleaned_data["action"]
            )
        except QueueError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(
                request,
                _("已记录%(letter)s类（%(name)s）等候预警的原因分析和改进措施。")
                % {"letter": alert.category.letter, "name": alert.category.name},
            )
            return redirect(reverse("supervisor-hall", args=[hall.code]) + "#alerts")
    return _hall_page(request, hall, now=timezone.now(), failed=(alert.pk, form))


@require_safe
@supervisor_required(message=MONITOR_ONLY)
@replica_view
def history(request: HttpRequest) -> TemplateResponse:
    """Every hall in scope over a date range, from the daily roll-ups."""
    today = local_date()
    return _history_page(request, history_form(request.GET, today=today, defaults=True))


def _history_page(request: HttpRequest, form: HistoryForm) -> TemplateResponse:
    scope = staff_scope(request.user)
    valid = form.is_valid()
    data = None
    if valid:
        halls = list(dashboard.halls_in_scope(supervised_hall_ids(request.user)))
        data = dashboard.city_history(halls=halls, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    return TemplateResponse(
        request,
        HISTORY,
        {
            "scope": scope,
            "history_form": form,
            "history": data,
            "today": form.today,
            "export_query": urlencode(_range_params(form)) if valid else "",
        },
        status=200 if valid else 400,
    )


def _export(
    request: HttpRequest, render: Callable[..., HttpResponseBase], *, max_rows: int | None = None
) -> HttpResponseBase:
    code = request.GET.get("hall", "").strip()
    halls = [access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)] if code else None
    form = history_form(request.GET, today=local_date(), defaults=False)
    if not form.is_valid():
        return _history_page(request, form)
    if halls is None:
        halls = list(dashboard.halls_in_scope(supervised_hall_ids(request.user)))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    ids = [h.pk for h in halls]
    if max_rows is not None:
        count = dashboard.export_row_count(hall_ids=ids, start=start, end=end)
        if count > max_rows:
            form.add_error(
                None,
                _("所选期间共有 %(count)s 行数据，超过 Excel 的行数上限；请缩短统计期间、按大厅导出，或导出 CSV。")
                % {"count": count},
            )
            return _history_page(request, form)
    rows = dashboard.export_rows(hall_ids=ids, start=start, end=end)
    return render(rows, hall=halls[0] if code else None, start=start, end=end)


@require_safe
@supervisor_required(message=MONITOR_ONLY)
@replica_view
def export_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, exports.csv_response)


@require_safe
@supervisor_required(message=MONITOR_ONLY)
@replica_view
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, exports.xlsx_response, max_rows=exports.XLSX_MAX_ROWS)
