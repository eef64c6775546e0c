"""Fetch queue objects and check the user may act on them, in one call (see servicehall.access)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from queueing.models import Ticket, WaitAlert, Window
from servicehall import roles
from servicehall.access import staff_scope

COUNTER_ROLES = (roles.WINDOW_STAFF, roles.CHIEF_REPRESENTATIVE)
SUPERVISION_ROLES = (roles.SUPERVISOR, roles.ADMINISTRATOR)


def access_window(user: Any, pk: int) -> Window:
    """A window of the user's own hall, for window staff and chief representatives."""
    window = Window.objects.select_related("hall").filter(pk=pk).first()
    if window is None:
        raise Http404(_("没有找到该窗口。"))
    scope = staff_scope(user)
    if not scope.has_role(*COUNTER_ROLES) or scope.hall is None or scope.hall.pk != window.hall_id:
        raise PermissionDenied(_("您只能在本人所属大厅的窗口办理。"))
    return window


def access_window_ticket(user: Any, window_pk: int, ticket_pk: int) -> tuple[Window, Ticket]:
    window = access_window(user, window_pk)
    ticket = Ticket.objects.select_related("category").filter(pk=ticket_pk, hall_id=window.hall_id).first()
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    return window, ticket


def access_alert(user: Any, pk: int) -> WaitAlert:
    """A wait alert of a hall the supervisor covers (their hall, or every hall if citywide)."""
    alert = WaitAlert.objects.select_related("hall", "category").filter(pk=pk).first()
    if alert is None:
        raise Http404(_("没有找到该预警。"))
    scope = staff_scope(user)
    if not scope.has_role(*SUPERVISION_ROLES) or not scope.covers_hall(alert.hall):
        raise PermissionDenied(_("您没有处理该大厅预警的权限。"))
    return alert
