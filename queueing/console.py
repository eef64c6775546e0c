"""The window console's panel, for every app whose action ends at the counter.

A window's staff act from one panel (``templates/queueing/console/console.html``): the current
ticket, the queue it calls next, the forms of transfer and green channel, and the sections apps
higher up register for it (``servicehall.extensions.CONSOLE_PANEL``: appointments' booking
check-in). Any view that acts at a window answers an htmx request with
``console_panel``, so the panel comes back refreshed with the view's message and status whatever
app the action belongs to.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from queueing import selectors
from queueing.forms_console import GrantForm, TransferForm
from queueing.models import Window
from servicehall import extensions

PAGE = "queueing/console/console.html"
# Partials of the page that htmx swaps: the whole panel after an action, the queue when polled.
PANEL = f"{PAGE}#panel"
QUEUE = f"{PAGE}#queue"


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
        "console_sections": extensions.sections(extensions.CONSOLE_PANEL),
        **(extra_context or {}),
    }
    htmx = getattr(request, "htmx", None)
    return TemplateResponse(request, template if htmx else PAGE, context, status=status)
