"""Check-in of a booking at a window (预约签到): the console's "预约签到" form.

The window's staff type the booking code or the applicant's ID number; the booking turns into a
priority ticket (Y) within the hall's check-in window around its slot's start (by default from
30 minutes before to 15 minutes after), into a normal ticket later (``booking_check_in``). With
htmx the console panel comes back refreshed (``queueing.console.console_panel``) with the message
and its status; without JavaScript the form redirects to the console with the message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy

from appointments import services
from appointments.forms_staff import CheckInForm
from queueing import services as queue_services
from queueing.access import access_window
from queueing.console import console_action, console_panel
from queueing.models import Window
from servicehall.access import staff_required
from servicehall.errors import DomainError
from servicehall.http import HtmxHttpRequest, post_action
from servicehall.roles import COUNTER_ROLES

# What a user without a counter role is told (the words of the console's own actions).
COUNTER_ONLY = gettext_lazy("您只能在本人所属大厅的窗口办理。")


def _after(
    request: HtmxHttpRequest,
    window: Window,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    invalid: bool = False,
) -> HttpResponse:
    """htmx: the refreshed console panel; plain form: back to /staff/ with the message."""
    if request.htmx:
        return console_panel(
            request, window, notice=notice, error=error, status=status, extra_context={"checkin_invalid": invalid}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("staff-home")


@console_action
@staff_required(*COUNTER_ROLES, message=COUNTER_ONLY)
@post_action("staff-home")
def check_in(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    try:
        # A check-in is a window action: only the clerk signed in at this very window.
        queue_services.window_clerk_check(window=window, staff=request.user)
    except DomainError as exc:
        return _after(request, window, error=str(exc.message), status=exc.status)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _after(
            request, window, error=" ".join(str(message) for message in form.errors["lookup"]), status=400, invalid=True
        )
    try:
        result = services.booking_check_in(hall=window.hall, via="window", staff=request.user, **form.service_kwargs())
    except DomainError as exc:
        # The console swaps a panel that comes with 2xx, 400, 409 or 429 (htmx config in
        # base.html); a booking that is not found is a wrong code typed at the counter: 400.
        status = 400 if exc.status == 404 else exc.status
        invalid = exc.field in ("code", "id_number")
        return _after(request, window, error=str(exc.message), status=status, invalid=invalid)
    return _after(request, window, notice=result.message)
