"""The window console's panel, for every app whose action ends at the counter.

A window's staff act from one panel (``templates/queueing/console/console.html``): the current
ticket, the queue it calls next, the forms of transfer and green channel, and the sections apps
higher up register for it (``servicehall.extensions.CONSOLE_PANEL``: appointments' booking
check-in). Any view that acts at a window answers an htmx request with
``console_panel``, so the panel comes back refreshed with the view's message and status whatever
app the action belongs to.

Every answer of an action says what happened in the panel's status region, whatever its status:
htmx swaps only 2xx, 400, 409 and 429 answers (``templates/base.html``), so the console's own
answers carry ``X-Console-Panel`` and the console's script swaps them whatever their status
(403 "not signed in at this window", 404 "ticket not found"); a view wrapped in
``console_action`` answers a refusal of access (the window of another hall, a role taken away)
with a panel that says so instead of the error page. Anything else that fails (a stale CSRF
token, the network) is reported there by the script.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from queueing import selectors
from queueing.forms_console import AssistanceForm, GrantForm, TransferForm
from queueing.models import Window
from servicehall import extensions

PAGE = "queueing/console/console.html"
# Partials of the page that htmx swaps: the whole panel after an action, the queue when polled.
PANEL = f"{PAGE}#panel"
QUEUE = f"{PAGE}#queue"
REFUSED = "queueing/console/refused.html"
# Marks an answer that carries the panel with the outcome of an action: static/js/console.js
# swaps it whatever its status.
PANEL_HEADER = "X-Console-Panel"


def console_panel(
    request: HttpRequest,
    window: Window,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
    transfer_form: TransferForm | None = None,
    grant_form: GrantForm | None = None,
    template: str = PANEL,
    extra_context: dict[str, Any] | None = None,
) -> TemplateResponse:
    """The console of ``window``: the partial ``template`` for htmx, the whole page otherwise.

    ``error`` or ``notice`` is the outcome of the action just taken, answered with ``status``
    (the console swaps 2xx, 400, 409 and 429 answers); a form that failed validation comes back
    bound, with its errors. ``extra_context`` adds what another app's part of the panel needs
    (``checkin_invalid`` for the booking check-in form).

    The caller has checked access (``queueing.access.access_window``).
    """
    context: dict[str, Any] = {
        "console": selectors.console(window=window, now=timezone.now()),
        "window": window,
        "error": error,
        "notice": notice,
        "transfer_form": transfer_form or TransferForm(window=window),
        "grant_form": grant_form or GrantForm(),
        "assistance_form": AssistanceForm(),
        "console_sections": extensions.sections(extensions.CONSOLE_PANEL),
        **(extra_context or {}),
    }
    if not getattr(request, "htmx", None):
        # The whole page (not a poll of the panel) keeps the rest of the workbench in reach.
        context["staff_home_sections"] = extensions.sections(extensions.STAFF_HOME)
    htmx = getattr(request, "htmx", None)
    response = TemplateResponse(request, template if htmx else PAGE, context, status=status)
    if htmx:
        response[PANEL_HEADER] = "1"
    return response


def console_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a console action (outside its access decorator): with htmx, a refusal of access
    (403) or an unknown window (404) comes back as a panel holding the message, with its status,
    instead of an error page htmx would not show. Without htmx the error page says it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, Http404) as exc:
            if not getattr(request, "htmx", None):
                raise
            if isinstance(exc, PermissionDenied):
                status, error = 403, str(exc) or _("您没有在该窗口办理的权限。")
            else:
                status, error = 404, str(exc) or _("没有找到该窗口或号码。")
            response = TemplateResponse(request, REFUSED, {"error": error}, status=status)
            response[PANEL_HEADER] = "1"
            return response

    return wrapped
