"""Staff login that resists guessing, and sessions that end when left alone (issue 9 §5).

Failed logins are recorded in the audit log (``login.failed``, by user name and client address);
the database is the truth, so a lockout holds whatever the cache does. An account is locked
after ``LOGIN_FAILURES_PER_ACCOUNT`` failures within ``LOGIN_LOCK_MINUTES`` — even the right
password is refused until the window has passed — and a client address is refused after
``LOGIN_FAILURES_PER_ADDRESS`` failures in the same window (guessing many accounts from one
place). Staff sessions expire after ``STAFF_SESSION_IDLE_MINUTES`` without a request
(``SessionIdleMiddleware``).

After the password, a login is finished by the second factor (``servicehall.twofactor``) and,
for a password older than ``PASSWORD_EXPIRY_DAYS``, by a new password
(``servicehall.passwords``): ``LoginCompletionMiddleware`` holds the session at those pages
until then. Logins, logouts, failures and refusals are all in the audit log.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.audit import audit_record
from servicehall.http import JsonAnswer, client_address
from servicehall.models import AuditEvent

FAILED = "login.failed"
SUCCEEDED = "login.succeeded"
REFUSED = "login.locked"
LOGGED_OUT = "logout"
LOGIN_TARGET = "login"  # AuditEvent.target_type of login records; target_id is the user name
# A failure or refusal for a name that is an account names that account in its details (its id
# and its name then), so that an administrator filtering the trail by the account finds the
# attempts against it (walkthrough finding 4). Only the audit trail says so: the login page
# answers the same whether the account exists or not.
ACCOUNT_KEY = "account_id"
ACCOUNT_NAME_KEY = "account"
ATTEMPTS = (FAILED, REFUSED)


def _attempt_details(username: str, address: str) -> dict[str, Any]:
    details: dict[str, Any] = {"address": address}
    account = get_user_model()._default_manager.filter(username=username).values_list("pk", "username").first()
    if account is not None:
        details[ACCOUNT_KEY], details[ACCOUNT_NAME_KEY] = account
    return details


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
                details=_attempt_details(username, address),
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
                details=_attempt_details(username, address),
            )
            raise


def _record_login(sender: object, request: HttpRequest | None, user: Any, **_kwargs: object) -> None:
    from servicehall import passwords, twofactor

    address = client_address(request) if request is not None else ""
    if request is not None and hasattr(request, "session"):
        # The idle clock starts at login (saved with the login itself), not at the next request.
        request.session[SessionIdleMiddleware.TOUCHED] = int(time.time())
        # What is left to finish the login, decided once here so that no request pays a query.
        request.session[twofactor.SESSION_KEY] = twofactor.login_state(user)
        if passwords.password_expired(user):
            request.session[passwords.EXPIRED_SESSION_KEY] = True
    audit_record(actor=user, action=SUCCEEDED, target=user, summary=_("登录成功"), details={"address": address})


def _record_logout(sender: object, request: HttpRequest | None, user: Any, **_kwargs: object) -> None:
    if user is not None:
        audit_record(actor=user, action=LOGGED_OUT, target=user, summary=_("退出登录"))


def connect() -> None:
    user_logged_in.connect(_record_login, dispatch_uid="servicehall.login.record")
    user_logged_out.connect(_record_logout, dispatch_uid="servicehall.login.record_logout")


class LoginCompletionMiddleware:
    """A signed-in session that has not finished its login reaches only the pages that finish
    it: the second factor (code or enrolment) first, then a new password when it has expired.

    Every other page is redirected there and every API call refused (403, ``two_factor_required``
    or ``password_expired``): session authentication is how staff call the API, so an unfinished
    session is no way round it. The state is in the session (set at the password login), so
    this costs no query; a session without it (from before this check existed) is asked once.
    """

    OPEN_PREFIXES = ("/accounts/", "/i18n/", "/preferences/", "/healthz", "/readyz", "/favicon.ico")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        from servicehall import passwords, twofactor

        state = request.session.get(twofactor.SESSION_KEY)
        if state is None:
            state = twofactor.login_state(user)
            request.session[twofactor.SESSION_KEY] = state
        if state == twofactor.VERIFIED and not request.session.get(passwords.EXPIRED_SESSION_KEY):
            return self.get_response(request)
        path = request.path_info
        if path.startswith(self.OPEN_PREFIXES) or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        return self.refuse(request, state)

    @staticmethod
    def refuse(request: HttpRequest, state: str) -> HttpResponse:
        from urllib.parse import urlencode

        from django.urls import reverse

        from servicehall import twofactor
        from servicehall.errors import error_body

        if state == twofactor.PENDING_CODE:
            target, code, message = "two-factor-verify", "two_factor_required", _("请先完成双因素验证。")
        elif state == twofactor.PENDING_ENROLMENT:
            target, code, message = (
                "two-factor-enrol",
                "two_factor_required",
                _("您的角色必须启用双因素认证，请先完成绑定。"),
            )
        else:
            target, code, message = "password-change", "password_expired", _("密码已过期，请先修改密码。")
        if request.path_info.startswith("/api/"):
            return JsonAnswer(error_body(message, code), status=403)
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", None) or request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)


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
