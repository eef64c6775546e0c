"""Fetch queue objects *and* check the user may act on them, in one call (Zulip's ``access_*``).

Who the user is and where they work comes from ``servicehall.access.staff_scope`` (ids only);
the roles from ``servicehall.roles``. Views and API views call these instead of
``get_object_or_404``, so none of them can forget the check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.access import access_hall
from queueing.models import BoardMessage, Ticket, WaitAlert, Window
from servicehall.access import AnyUser, staff_scope
from servicehall.roles import COUNTER_ROLES, SUPERVISION_ROLES


def access_window(user: AnyUser, pk: int) -> Window:
    """A window of the user's own hall, for window staff and chief representatives (a counter
    role is never citywide: a supervisor does not call tickets)."""
    window = Window.objects.select_related("hall").filter(pk=pk).first()
    if window is None:
        raise Http404(_("没有找到该窗口。"))
    scope = staff_scope(user)
    if not scope.has_role(*COUNTER_ROLES) or not scope.works_at(window.hall_id):
        raise PermissionDenied(_("您只能在本人所属大厅的窗口办理。"))
    return window


def access_window_ticket(user: AnyUser, window_pk: int, ticket_pk: int) -> tuple[Window, Ticket]:
    """The window (as ``access_window``) and a ticket of the same hall."""
    window = access_window(user, window_pk)
    return window, window_hall_ticket(window, ticket_pk)


def window_hall_ticket(window: Window, ticket_pk: int) -> Ticket:
    """A ticket of the hall of ``window``, which the caller got from ``access_window``."""
    ticket = Ticket.objects.select_related("category").filter(pk=ticket_pk, hall_id=window.hall_id).first()
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    return ticket


def access_alert(user: AnyUser, pk: int) -> WaitAlert:
    """A wait alert of a hall the supervisor covers (their hall, or every hall if citywide)."""
    alert = WaitAlert.objects.select_related("hall", "category").filter(pk=pk).first()
    if alert is None:
        raise Http404(_("没有找到该预警。"))
    scope = staff_scope(user)
    if not scope.has_role(*SUPERVISION_ROLES) or not scope.covers_hall(alert.hall_id):
        raise PermissionDenied(_("您没有处理该大厅预警的权限。"))
    return alert


def access_supervised_window(user: AnyUser, hall_code: str, pk: int) -> Window:
    """A window of a hall the supervisor covers, to open or close it from the dashboard."""
    hall = access_hall(user, hall_code, roles_allowed=SUPERVISION_ROLES)
    window = Window.objects.select_related("hall", "staff__staff_profile").filter(hall=hall, pk=pk).first()
    if window is None:
        raise Http404(_("没有找到该窗口。"))
    return window


def access_board_message(user: AnyUser, hall_code: str, pk: int) -> BoardMessage:
    """A board message of a hall the supervisor covers."""
    hall = access_hall(user, hall_code, roles_allowed=SUPERVISION_ROLES)
    message = BoardMessage.objects.select_related("hall").filter(hall=hall, pk=pk).first()
    if message is None:
        raise Http404(_("没有找到该通知。"))
    return message
