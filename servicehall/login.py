"""Staff login that resists guessing, and sessions that end when left alone (issue 9 §5).

Failed logins are recorded in the audit log (``login.failed``, by user name and client address);
the database is the truth, so a lockout holds whatever the cache does. An account is locked
after ``LOGIN_FAILURES_PER_ACCOUNT`` failures within ``LOGIN_LOCK_MINUTES`` — even the right
password is refused until the window has passed — and a client address is refused after
``LOGIN_FAILURES_PER_ADDRESS`` failures in the same window (guessing many accounts from one
place). Staff sessions expire after ``STAFF_SESSION_IDLE_MINUTES`` without a request
(``SessionIdleMiddleware``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.audit import audit_record
from servicehall.http import client_address
from servicehall.models import AuditEvent

FAILED = "login.failed"
SUCCEEDED = "login.succeeded"
REFUSED = "login.locked"
LOGIN_TARGET = "login"  # AuditEvent.target_type of login records; target_id is the user name


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def recent_failures(*, username: str, address: str) -> tuple[int, int]:
    """Failures within the lock window for this user name and from this address (one query)."""
    from django.db.models import Count, Q

    counts = AuditEvent.objects.filter(action=FAILED, created_at__gte=_window_start()).aggregate(
        account=Count("pk", filter=Q(target_type=LOGIN_TARGET, target_id=username[:100])),
        address=Count("pk", filter=Q(details__address=address)),
    )
    return counts["account"], counts["address"]


class LoginForm(AuthenticationForm):
    """Django's login form, refusing locked accounts and addresses before it checks the password."""

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request) if self.request is not None else ""
        account, from_address = recent_failures(username=username, address=address)
        if account >= settings.LOGIN_FAILURES_PER_ACCOUNT or from_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            audit_record(
                actor=None,
                action=REFUSED,
                target_type=LOGIN_TARGET,
                target_id=username[:100],
                summary=_("登录被拒绝：失败次数过多"),
                details={"address": address},
            )
            raise ValidationError(
                _("登录失败次数过多，账户已临时锁定，请%(minutes)s分钟后再试或联系系统管理员。")
                % {"minutes": settings.LOGIN_LOCK_MINUTES},
                code="locked",
            )
        try:
            return super().clean()
        except ValidationError:
            audit_record(
                actor=None,
                action=FAILED,
                target_type=LOGIN_TARGET,
                target_id=username[:100],
                summary=_("登录失败"),
                details={"address": address},
            )
            raise


def _record_login(sender: object, request: HttpRequest | None, user: Any, **_kwargs: object) -> None:
    address = client_address(request) if request is not None else ""
    if request is not None and hasattr(request, "session"):
        # The idle clock starts at login (saved with the login itself), not at the next request.
        request.session[SessionIdleMiddleware.TOUCHED] = int(time.time())
    audit_record(actor=user, action=SUCCEEDED, target=user, summary=_("登录成功"), details={"address": address})


def connect() -> None:
    user_logged_in.connect(_record_login, dispatch_uid="servicehall.login.record")


class SessionIdleMiddleware:
    """A signed-in session lives ``STAFF_SESSION_IDLE_MINUTES`` after its last request.

    ``SESSION_COOKIE_AGE`` is the idle time; the expiry restarts when the session is saved, which
    this middleware does at most once a minute (a console polling every few seconds must not
    write the session each time). Polls count as use: a console left open stays signed in.
    """

    TOUCH_SECONDS = 60
    TOUCHED = "_touched"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get(self.TOUCHED, 0)) >= self.TOUCH_SECONDS:
                request.session[self.TOUCHED] = now
        return self.get_response(request)
