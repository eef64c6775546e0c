"""The window console (/staff/): sign in at a window, call and serve tickets without reloading.

Pages work as plain forms (post, redirect, message); with htmx the console panel is swapped in
place and polled every few seconds (``queueing.console``). Every window page is for the counter
roles (``staff_required``, which also sends a poll whose session ended to the login page); each
action goes through ``queueing.access`` (the user's hall) and one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from queueing import selectors, services
from queueing.access import access_window, window_hall_ticket
from queueing.console import PANEL, PANEL_HEADER, QUEUE, console_action, console_panel, unchanged_poll
from queueing.forms_console import AssistanceForm, GrantForm, TransferForm, error_summary
from queueing.models import Ticket, Window
from queueing.services import QueueError
from servicehall import extensions
from servicehall.access import staff_required, staff_scope
from servicehall.http import post_action
from servicehall.roles import COUNTER_ROLES, SUPERVISION_ROLES

# What a user without a counter role is told (the same words as a window of another hall).
COUNTER_ONLY = gettext_lazy("您只能在本人所属大厅的窗口办理。")
counter_staff_required = staff_required(*COUNTER_ROLES, message=COUNTER_ONLY)
NOT_SIGNED_IN = "queueing/console/not_signed_in.html"


def _after(
    request: HttpRequest,
    window: Window,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    transfer_form: TransferForm | None = None,
    grant_form: GrantForm | None = None,
    after_closing: str = "",
) -> HttpResponse:
    """htmx: the refreshed panel (with the error and its status); plain form: back to /staff/.
    After the hall's closing time the outcome of a call or a finish (``after_closing``) says
    what it now means (``services.after_closing_note``)."""
    if notice and after_closing:
        closing = services.after_closing_note(window.hall, timezone.now(), action=after_closing)
        notice = f"{notice} {closing}" if closing else notice
    # A question (transfer anyway?) is the console with the form, with JavaScript or without.
    if getattr(request, "htmx", None) or (transfer_form is not None and transfer_form.unserved):
        return console_panel(
            request,
            window,
            notice=notice,
            error=error,
            status=status,
            transfer_form=transfer_form,
            grant_form=grant_form,
        )
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect("staff-home")


# Any signed-in user, not only the staff roles: the page tells someone without a role to ask an
# administrator for one (and shows a superuser what they may reach).
@never_cache
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The console at the window the user is signed in at; otherwise the windows to choose from."""
    scope = staff_scope(request.user)
    counter = scope.has_role(*COUNTER_ROLES)
    window = selectors.window_of(request.user) if counter else None
    if window is not None:
        return console_panel(request, window)
    # The scope holds ids; the page names the hall and department (one query for both).
    profile = selectors.staff_profile(request.user)
    windows = list(selectors.hall_windows(hall_id=scope.hall_id)) if scope.hall_id is not None and counter else []
    return TemplateResponse(
        request,
        "queueing/console/home.html",
        {
            "scope": scope,
            "profile": profile,
            "hall": profile.hall if profile else None,
            "department": profile.department if profile else None,
            "windows": windows,
            "closed_at_closing": selectors.closed_at_closing(request.user, now=timezone.now()) if counter else None,
            "can_supervise": scope.has_role(*SUPERVISION_ROLES),
            "staff_home_sections": extensions.sections(extensions.STAFF_HOME),
        },
    )


@never_cache
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The console's panel, or its queue (``?part=queue``): a poll of the queue whose version
    still stands is answered 204 before anything else is read (``queueing.console.unchanged_poll``)."""
    if unchanged_poll(request, pk):
        return HttpResponse(status=204)
    return _panel(request, pk)


@counter_staff_required
@require_GET
def _panel(request: HttpRequest, pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    if not (window.is_open and window.staff_id == request.user.pk):
        return _not_signed_in(request, window)
    part = QUEUE if request.GET.get("part") == "queue" else PANEL
    return console_panel(request, window, template=part)


def _not_signed_in(request: HttpRequest, window: Window) -> HttpResponse:
    """A window the clerk is not signed in at (a typed address, a tab left open after signing
    out): no console whose every button would be refused, but what to do — sign in here if the
    window is free and they are at no other window, or go back to the workbench."""
    elsewhere = selectors.window_of(request.user)
    context: dict[str, Any] = {
        "window": window,
        "elsewhere": elsewhere if elsewhere is not None and elsewhere.pk != window.pk else None,
        "taken": window.staff_id is not None and window.staff_id != request.user.pk,
    }
    context["can_sign_in"] = not context["taken"] and context["elsewhere"] is None
    context["closed_at_closing"] = (
        selectors.closed_at_closing(request.user, now=timezone.now()) if context["elsewhere"] is None else None
    )
    if not getattr(request, "htmx", None):
        return TemplateResponse(request, NOT_SIGNED_IN, context)
    # A poll of the panel or of its queue: the notice takes the whole panel's place (and has
    # no polling of its own, so the old tab stops asking).
    response = TemplateResponse(request, f"{NOT_SIGNED_IN}#panel", context)
    response["HX-Retarget"] = "#console-panel"
    response["HX-Reswap"] = "outerHTML"
    response[PANEL_HEADER] = "1"
    return response


@console_action
@counter_staff_required
@post_action("staff-home")
def sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign in at the window, which opens. Outside the hall's hours it opens all the same (a
    clerk gets ready before opening), with a warning: nobody can take a ticket now, and after
    closing a window with nobody at its counter is closed by the closing job."""
    window = access_window(request.user, pk)
    now = timezone.now()
    try:
        services.window_sign_in(window=window, staff=request.user, now=now)
    except QueueError as exc:
        messages.error(request, str(exc.message))
        return redirect("staff-home")
    closed = services.hall_closed_warning(window.hall, now)
    if closed:
        messages.warning(
            request,
            _("已在%(window)s签到。%(closed)s闭厅后，没有号码在办的窗口会自动关闭。")
            % {"window": window, "closed": closed},
        )
    return redirect("staff-home")


def _confirm_leaving(request: HttpRequest, window: Window, *, leaving: str) -> HttpResponse:
    """Signing out or logging out with a ticket at the counter: the console says what will
    happen to it and asks again (409: nothing was done yet) — that other windows go on calling
    it only if an open one serves its queue."""
    current = Ticket.objects.filter(window=window, status__in=Ticket.AT_WINDOW).first()
    others = current is not None and selectors.windows_serving(ticket=current, besides=window) > 0
    return console_panel(request, window, status=409, extra_context={"leaving": leaving, "others_serve": others})


@console_action
@counter_staff_required
@post_action("staff-home")
def sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out of the window, which closes. A ticket at the counter goes back to its queue
    (keeping its arrival time) once the clerk confirms it, as when they log out."""
    window = access_window(request.user, pk)
    try:
        left = services.window_sign_out(
            window=window, staff=request.user, return_current=request.POST.get("confirm") == "1"
        )
    except QueueError as exc:
        if exc.code == "window_busy":
            return _confirm_leaving(request, window, leaving="sign_out")
        return _after(request, window, error=str(exc.message), status=exc.status)
    text = _("已从%(window)s签退。") % {"window": window}
    if left.returned is not None:
        text += _("%(number)s 已回到队列，保留原取号时间。") % {"number": left.returned.number}
    messages.success(request, text)
    return redirect("staff-home")


@never_cache
@login_required
@post_action("staff-home")
def log_out(request: HttpRequest) -> HttpResponse:
    """The console's "log out": with a ticket at the counter it first says that the ticket will
    go back to its queue and asks again; then it logs out, which signs the clerk out of their
    window (``queueing.apps.leave_window_on_logout`` says what happened on the next page)."""
    window = selectors.window_of(request.user)
    if (
        window is not None
        and request.POST.get("confirm") != "1"
        and Ticket.objects.filter(window=window, status__in=Ticket.AT_WINDOW).exists()
    ):
        return _confirm_leaving(request, window, leaving="logout")
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _unserved_warning(ticket: Ticket, target_window: Window | None) -> str:
    """A transfer into a queue (or to a window) no open window serves goes ahead, but the clerk
    is told, so the person can be sent elsewhere or a window opened."""
    if target_window is not None:
        return _("注意：%(window)s当前未开放，%(number)s 要等该窗口开放后才会被叫号。") % {
            "window": target_window,
            "number": ticket.number,
        }
    return _("注意：当前没有开放的窗口办理%(letter)s类（%(name)s），%(number)s 要等有窗口开放后才会被叫号。") % {
        "letter": ticket.category.letter,
        "name": ticket.category.display_name,
        "number": ticket.number,
    }


@console_action
@counter_staff_required
@post_action("staff-home")
def call_next(request: HttpRequest, pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    try:
        ticket = services.ticket_call_next(window=window, staff=request.user)
    except QueueError as exc:
        return _after(request, window, error=str(exc.message), status=exc.status)
    return _after(request, window, notice=_("已叫号：%(number)s") % {"number": ticket.number}, after_closing="call")


_SIMPLE_ACTIONS: dict[str, tuple[Callable[..., Ticket], str]] = {
    "recall": (services.ticket_recall, gettext_noop("已重新叫号：%(number)s")),
    "start": (services.ticket_start, gettext_noop("开始办理：%(number)s")),
    "finish": (services.ticket_finish, gettext_noop("已办结：%(number)s")),
}


def _no_show(request: HttpRequest, window: Window, ticket: Ticket) -> HttpResponse:
    """过号 cannot be undone: refused within the wait after the call (the service checks it again
    under the window's lock), and asked again unless the request confirms (``confirm=1``: the
    button's hx-confirm with JavaScript, the confirmation the console shows without). A refusal
    is raised as the QueueError the caller answers."""
    if ticket.window_id == window.pk and ticket.status == Ticket.Status.CALLED:
        # Only a no-show the service would do is asked about; any other is refused by it below.
        services.window_clerk_check(window=window, staff=request.user)
        refusal = services.no_show_too_early(ticket, timezone.now())
        if refusal is not None:
            raise refusal
        if request.POST.get("confirm") != "1":
            return console_panel(request, window, status=409, extra_context={"confirm_no_show": ticket})
    ticket = services.ticket_no_show(window=window, ticket=ticket, staff=request.user)
    return _after(request, window, notice=_("已标记过号：%(number)s") % {"number": ticket.number})


@console_action
@counter_staff_required
@post_action("staff-home")
def ticket_action(request: HttpRequest, pk: int, ticket_pk: int, action: str) -> HttpResponse:
    window = access_window(request.user, pk)
    try:
        ticket = window_hall_ticket(window, ticket_pk)
    except Http404 as exc:
        # The page showed a ticket that is no longer there: say so in the refreshed panel.
        return _after(request, window, error=str(exc), status=404)
    try:
        if action in _SIMPLE_ACTIONS:
            service, message = _SIMPLE_ACTIONS[action]
            ticket = service(window=window, ticket=ticket, staff=request.user)
            notice = _(message) % {"number": ticket.number}
        elif action == "no-show":
            return _no_show(request, window, ticket)
        elif action == "call":
            ticket = services.ticket_call_specific(window=window, ticket=ticket, staff=request.user)
            notice = _("已叫号：%(number)s") % {"number": ticket.number}
        elif action == "transfer":
            form = TransferForm(request.POST, window=window)
            if not form.is_valid():
                error = error_summary(form, _("未能转办，请按提示修改："))
                return _after(request, window, error=error, status=400, transfer_form=form)
            try:
                ticket = services.ticket_transfer(
                    window=window,
                    ticket=ticket,
                    staff=request.user,
                    reason=form.cleaned_data["reason"],
                    category=form.cleaned_data["category"],
                    target_window=form.cleaned_data["target_window"],
                    unserved_ok=request.POST.get("confirm_unserved") == "1",
                )
            except QueueError as exc:
                # The form stays open with what was chosen, the refusal beside the field (and,
                # for a queue no open window serves, the box to transfer anyway).
                form.unserved = exc.code == "unserved"
                if exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                return _after(request, window, error=str(exc.message), status=exc.status, transfer_form=form)
            notice = _("已转办：%(number)s") % {"number": ticket.number}
            if not selectors.windows_serving(ticket=ticket):
                notice = f"{notice} {_unserved_warning(ticket, form.cleaned_data['target_window'])}"
        else:
            return _after(request, window, error=_("未知的操作。"), status=400)
    except QueueError as exc:
        return _after(request, window, error=str(exc.message), status=exc.status)
    after_closing = {"call": "call", "finish": "finish"}.get(action, "")
    return _after(request, window, notice=notice, after_closing=after_closing)


@console_action
@counter_staff_required
@post_action("staff-home")
def grant_priority(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a waiting ticket of this hall, given by its number, on the green channel."""
    window = access_window(request.user, pk)
    form = GrantForm(request.POST)
    if not form.is_valid():
        # The top message says what the fields say (not "fill in" for a number badly written).
        error = error_summary(form, _("未能认定绿色通道，请按提示修改："))
        return _after(request, window, error=error, status=400, grant_form=form)
    ticket = (
        selectors.waiting_today(hall_id=window.hall_id, now=timezone.now())
        .filter(number=form.cleaned_data["number"])
        .first()
    )
    if ticket is None:
        form.add_error("number", _("今天本大厅没有这个等候中的号码。"))
        return _after(request, window, error=_("没有找到该号码。"), status=400, grant_form=form)
    try:
        ticket = services.ticket_grant_priority(
            window=window, ticket=ticket, staff=request.user, reason=form.cleaned_data["reason"]
        )
    except QueueError as exc:
        return _after(request, window, error=str(exc.message), status=exc.status, grant_form=form)
    return _after(request, window, notice=_("已将 %(number)s 认定为绿色通道。") % {"number": ticket.number})


@console_action
@counter_staff_required
@post_action("staff-home")
def request_assistance(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    """Open an assistance request (帮办代办、陪同办, Art. 10 ¶1) for the walk-in called or served
    at this window; the service checks the clerk and refuses a second open request."""
    window = access_window(request.user, pk)
    try:
        ticket = window_hall_ticket(window, ticket_pk)
    except Http404 as exc:
        return _after(request, window, error=str(exc), status=404)
    form = AssistanceForm(request.POST)
    error, status = "", 400
    if form.is_valid():
        try:
            wish = services.assistance_wish(**form.cleaned_data)
            assistance = services.assistance_request_at_window(
                window=window, ticket=ticket, staff=request.user, wish=wish
            )
        except QueueError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            error, status = str(exc.message), exc.status
        else:
            notice = _("已为 %(number)s 申请%(kind)s，帮办代办台将安排人员协助。") % {
                "number": ticket.number,
                "kind": assistance.get_kind_display(),
            }
            return _after(request, window, notice=notice)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    if getattr(request, "htmx", None):
        return console_panel(request, window, error=error, status=status, extra_context={"assistance_form": form})
    messages.error(request, error)
    return redirect("staff-home")
