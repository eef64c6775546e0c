"""Fetch queue objects *and* check the user may act on them, in one call (Zulip's ``access_*``).

Who the user is and where they work comes from ``servicehall.access.staff_scope`` (ids only);
the roles from ``servicehall.roles``. Views and API views call these instead of
``get_object_or_404``, so none of them can forget the check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from queueing.models import Ticket, WaitAlert, Window
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
    ticket = Ticket.objects.select_related("category").filter(pk=ticket_pk, hall_id=window.hall_id).first()
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    return window, ticket


def access_alert(user: AnyUser, pk: int) -> WaitAlert:
    """A wait alert of a hall the supervisor covers (their hall, or every hall if citywide)."""
    alert = WaitAlert.objects.select_related("hall", "category").filter(pk=pk).first()
    if alert is None:
        raise Http404(_("没有找到该预警。"))
    scope = staff_scope(user)
    if not scope.has_role(*SUPERVISION_ROLES) or not scope.covers_hall(alert.hall_id):
        raise PermissionDenied(_("您没有处理该大厅预警的权限。"))
    return alert
