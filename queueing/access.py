"""Fetch queue objects *and* check the user may act on them, in one call (Zulip's ``access_*``).

Who the user is and where they work comes from ``servicehall.access.staff_scope`` (ids only);
the roles from ``servicehall.roles``. Views and API views call these instead of
``get_object_or_404``, so none of them can forget the check.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from catalog.access import access_hall
from queueing.models import AssistanceRequest, BoardMessage, KioskDevice, Ticket, WaitAlert, Window
from servicehall.access import AnyUser, staff_scope
from servicehall.roles import ALL_ROLES, COUNTER_ROLES, SUPERVISION_ROLES


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


def access_desk_hall(user: AnyUser) -> int:
    """The hall whose assistance desk (帮办代办台) the user works: their own hall, for any staff
    role; a citywide account or one without a hall has no desk."""
    scope = staff_scope(user)
    if scope.hall_id is None or not scope.has_role(*ALL_ROLES):
        raise PermissionDenied(_("只有本大厅的工作人员可以处理帮办代办请求。"))
    return scope.hall_id


def access_assistance(user: AnyUser, pk: int) -> AssistanceRequest:
    """An assistance request of the user's own hall."""
    hall_id = access_desk_hall(user)
    request = AssistanceRequest.objects.select_related("hall", "ticket").filter(pk=pk).first()
    if request is None:
        raise Http404(_("没有找到该帮办代办请求。"))
    if request.hall_id != hall_id:
        raise PermissionDenied(_("只有本大厅的工作人员可以处理帮办代办请求。"))
    return request


# --- Kiosk devices ----------------------------------------------------------------------------

# A kiosk program sends its credential in this header; a kiosk browser carries it in a signed
# cookie set when an administrator paired it (``queueing.views_devices.kiosk_pair``).
KIOSK_HEADER = "X-Kiosk-Device"
KIOSK_COOKIE = "kiosk_device"
KIOSK_COOKIE_SALT = "queueing.kiosk_device"


# Browsers keep a cookie at most 400 days; the kiosk start page renews it on every visit.
KIOSK_COOKIE_DAYS = 400


def kiosk_cookie_path(hall_code: str) -> str:
    """The cookie goes only with the hall's own pages (kiosk, check-in, booking at the kiosk)."""
    return f"/halls/{hall_code}/"


def set_kiosk_cookie(response: HttpResponse, *, hall_code: str, credential: str) -> None:
    """Carry the kiosk's credential in its browser: signed, HTTP-only, only to the hall's pages."""
    response.set_signed_cookie(
        KIOSK_COOKIE,
        credential,
        salt=KIOSK_COOKIE_SALT,
        max_age=KIOSK_COOKIE_DAYS * 24 * 3600,
        path=kiosk_cookie_path(hall_code),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def renew_kiosk_cookie(request: HttpRequest, response: HttpResponse, *, hall_code: str) -> None:
    """Push the paired kiosk's cookie another 400 days ahead (a kiosk runs for years)."""
    device = kiosk_device_of(request)
    credential = request.get_signed_cookie(KIOSK_COOKIE, default="", salt=KIOSK_COOKIE_SALT)
    if device is not None and credential and device.hall.code == hall_code:
        set_kiosk_cookie(response, hall_code=hall_code, credential=credential)


def kiosk_device_of(request: HttpRequest) -> KioskDevice | None:
    """The active registered kiosk whose credential the request carries (header first, then the
    paired browser's cookie), of any hall; None without one. Read once per request."""
    if hasattr(request, "_kiosk_device"):
        return request._kiosk_device
    from queueing import services

    credential = request.headers.get(KIOSK_HEADER, "").strip() or request.get_signed_cookie(
        KIOSK_COOKIE, default="", salt=KIOSK_COOKIE_SALT
    )
    device = None
    if credential:
        device = (
            KioskDevice.objects.select_related("hall")
            .filter(credential_hash=services.kiosk_credential_hash(credential), is_active=True)
            .first()
        )
        if device is not None:
            services.kiosk_device_seen(device=device)
    request._kiosk_device = device  # type: ignore[attr-defined]
    return device


def access_kiosk_device(request: HttpRequest, hall_id: int) -> KioskDevice | None:
    """The registered kiosk of hall ``hall_id`` the request comes from, or None (a browser that
    is not a paired kiosk: the page then offers what anyone may do). A kiosk program that sends
    a credential which names no active kiosk of this hall is refused (403), so that a revoked or
    misconfigured kiosk says so instead of quietly losing its rights."""
    device = kiosk_device_of(request)
    if device is not None and device.hall_id == hall_id:
        return device
    if request.headers.get(KIOSK_HEADER, "").strip():
        raise PermissionDenied(_("该自助终端未在本大厅登记或已停用，请联系系统管理员。"))
    return None
