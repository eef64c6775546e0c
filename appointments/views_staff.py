"""Check-in of a booking at a window (预约签到): the console's "预约签到" form.

The window's staff type the booking code or the applicant's ID number; the booking turns into a
priority ticket (Y) from 30 minutes before to 15 minutes after its slot starts, into a normal
ticket later (``booking_check_in``). With htmx the console panel comes back refreshed (the same
partial as ``queueing.views_console``) with the message and its status; without JavaScript the
form redirects to the console with the message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from appointments import services
from appointments.forms_staff import CheckInForm
from queueing.access import access_window
from queueing.models import Window
from queueing.views_console import _panel
from servicehall.errors import DomainError


def _after(
    request: HttpRequest, window: Window, *, notice: str = "", error: str = "", status: int = 200, invalid: bool = False
) -> HttpResponse:
    """htmx: the refreshed console panel; plain form: back to /staff/ with the message."""
    if request.htmx:
        response = _panel(request, window, notice=notice, error=error, status=status)
        response.context_data["checkin_invalid"] = invalid
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("staff-home")


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _after(request, window, error=" ".join(form.errors["lookup"]), status=400, invalid=True)
    try:
        result = services.booking_check_in(hall=window.hall, via="window", staff=request.user, **form.service_kwargs())
    except DomainError as exc:
        # The console swaps a panel that comes with 2xx, 400, 409 or 429 (htmx config in
        # base.html); a booking that is not found is a wrong code typed at the counter: 400.
        status = 400 if exc.status == 404 else exc.status
        invalid = exc.field in ("code", "id_number")
        return _after(request, window, error=str(exc.message), status=status, invalid=invalid)
    return _after(request, window, notice=result.message)
