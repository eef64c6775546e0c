"""The pages that finish a staff login and keep an account safe: the second factor (code,
enrolment, recovery codes), the password change, and the administrators' audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from servicehall import audit_actions, login, passwords, roles, twofactor
from servicehall.access import _login_response, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.models import AuditEvent
from servicehall.pagination import paginate, requested_page


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _step_url(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _state(request: HttpRequest) -> str:
    return str(request.session.get(twofactor.SESSION_KEY, twofactor.VERIFIED))


def _finish_step(request: HttpRequest) -> HttpResponse:
    """The second factor is done: on to the password change when it has expired, else ``next``."""
    request.session[twofactor.SESSION_KEY] = twofactor.VERIFIED
    request.session.cycle_key()  # a new session id for the now fully signed-in session
    if request.session.get(passwords.EXPIRED_SESSION_KEY):
        return redirect(_step_url("password-change", request))
    return HttpResponseRedirect(_next_url(request))


def _locked_out(request: HttpRequest) -> HttpResponse:
    user = request.user
    audit_record(
        actor=user, action=twofactor.LOCKED, target=signed_in(user), summary=_("双因素验证失败次数过多，已退出登录")
    )
    logout(request)
    messages.error(
        request,
        _("验证码错误次数过多，账户已临时锁定，请%(minutes)s分钟后再试或联系系统管理员。")
        % {"minutes": settings.LOGIN_LOCK_MINUTES},
    )
    return redirect("login")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=20,
        strip=True,
        error_messages={"required": gettext_lazy("请输入验证码。")},
    )


@never_cache
@sensitive_post_parameters("code")
@sensitive_variables("code")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The login's second step: a code from the authenticator app, or a recovery code."""
    if not request.user.is_authenticated:
        return _login_response(request)
    if _state(request) != twofactor.PENDING_CODE:
        return HttpResponseRedirect(_next_url(request))
    if twofactor.is_locked(request.user):
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            code = form.cleaned_data["code"]
            unavailable = False
            try:
                if twofactor.verify_login(user=request.user, code=code) is not None:
                    return _finish_step(request)
            except twofactor.SecretUnavailable:
                unavailable = True
            if twofactor.is_locked(request.user):
                return _locked_out(request)
            left = settings.LOGIN_FAILURES_PER_ACCOUNT - twofactor.recent_failures(request.user)
            form.add_error(
                "code",
                _(
                    "暂时无法核对认证器验证码（系统密钥配置有误，已记录）。请输入一个未用过的恢复码，"
                    "或联系系统管理员重置双因素认证。"
                )
                if unavailable
                else ngettext(
                    "验证码不正确或已使用过，请输入认证器当前显示的6位数字或未用过的恢复码。还可尝试 %(left)d 次，之后账户将临时锁定。",
                    "验证码不正确或已使用过，请输入认证器当前显示的6位数字或未用过的恢复码。还可尝试 %(left)d 次，之后账户将临时锁定。",
                    left,
                )
                % {"left": left},
            )
        status = 422
    return TemplateResponse(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}, status=status
    )


@never_cache
@sensitive_post_parameters("code")
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator: scan the QR code (or type the secret), then confirm one code.

    Required users come here straight from the password; optional users from their account
    page, once their login is finished."""
    if not request.user.is_authenticated:
        return _login_response(request)
    state = _state(request)
    if state == twofactor.PENDING_CODE:
        return redirect(_step_url("two-factor-verify", request))
    if state == twofactor.VERIFIED and twofactor.confirmed_device(request.user) is not None:
        return redirect("two-factor-manage")
    if twofactor.is_locked(request.user):
        return _locked_out(request)
    device = twofactor.enrolment_device(user=request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            codes = twofactor.enrolment_confirm(user=request.user, code=form.cleaned_data["code"])
            if codes is not None:
                request.session[twofactor.SESSION_KEY] = twofactor.VERIFIED
                request.session.cycle_key()
                return TemplateResponse(
                    request,
                    "registration/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request), "enrolled": True},
                )
            if twofactor.is_locked(request.user):
                return _locked_out(request)
            form.add_error("code", _("验证码不正确，请确认手机时间准确后输入认证器上当前显示的6位数字。"))
        status = 422
    secret = device.secret  # readable: enrolment_device replaces a pending one that is not
    uri = twofactor.provisioning_uri(secret, request.user.get_username())
    secret_groups = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return TemplateResponse(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_data_uri(uri),
            "secret": secret_groups,
            "required": state == twofactor.PENDING_ENROLMENT,
            "next": _next_url(request),
        },
        status=status,
    )


@never_cache
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """The account's security page: two-factor status, new recovery codes, password change."""
    if not request.user.is_authenticated:
        return _login_response(request)
    if _state(request) != twofactor.VERIFIED:
        # Under /accounts/ like the login's own steps, but only for a finished login: new
        # recovery codes for a session that has only the password would be a way round the code.
        return redirect(_step_url("two-factor-verify", request))
    device = twofactor.confirmed_device(request.user)
    if request.method == "POST" and request.POST.get("action") == "recovery":
        if device is None:
            raise PermissionDenied(_("尚未启用双因素认证。"))
        codes = twofactor.recovery_codes_issue(user=request.user)
        return TemplateResponse(
            request, "registration/recovery_codes.html", {"codes": codes, "next": reverse("two-factor-manage")}
        )
    remaining = request.user.recovery_codes.filter(used_at__isnull=True).count() if device else 0
    return TemplateResponse(
        request,
        "registration/two_factor_manage.html",
        {"device": device, "required": twofactor.is_required(request.user), "remaining": remaining},
    )


@never_cache
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's password (forced at login once it is ``PASSWORD_EXPIRY_DAYS`` old)."""
    if not request.user.is_authenticated:
        return _login_response(request)
    if _state(request) != twofactor.VERIFIED:
        return redirect(_step_url("two-factor-verify", request))
    form = PasswordChangeForm(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            update_session_auth_hash(request, user)
            request.session.pop(passwords.EXPIRED_SESSION_KEY, None)
            audit_record(actor=user, action=passwords.CHANGED, target=user, summary=_("修改密码"))
            messages.success(request, _("密码已修改。"))
            return HttpResponseRedirect(_next_url(request))
        status = 422
    return TemplateResponse(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "expired": bool(request.session.get(passwords.EXPIRED_SESSION_KEY)),
            "next": _next_url(request),
            "expiry_days": settings.PASSWORD_EXPIRY_DAYS,
        },
        status=status,
    )


# --- The audit trail (administrators only) ---------------------------------------------------
AUDIT_PAGE_SIZE = 50
_ADMINISTRATORS_ONLY = gettext_lazy("操作日志仅向系统管理员开放。")


class AuditActionField(forms.ChoiceField):
    """The action filter: a select of the labelled codes, grouped (servicehall/audit_actions.py).
    A code typed into the query string is accepted whether or not it has a label (a record
    older than its label is still found), as long as it reads like a code."""

    CODE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": gettext_lazy("请从列表中选择操作。")})
        super().__init__(choices=self.grouped_choices, **kwargs)

    @staticmethod
    def grouped_choices() -> list[Any]:
        return [("", _("全部操作")), *audit_actions.action_choices()]

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(value) or (len(str(value)) <= 60 and self.CODE.fullmatch(str(value)) is not None)


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        label=gettext_lazy("操作人用户名"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("也列出针对该账户的登录失败和登录被拒绝记录。"),
    )
    action = AuditActionField(label=gettext_lazy("操作"), required=False)
    ip = forms.GenericIPAddressField(
        label=gettext_lazy("来源地址"),
        required=False,
        error_messages={"invalid": gettext_lazy("请输入有效的IPv4或IPv6地址。")},
    )
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请输入有效日期，格式为 2026-01-31。")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请输入有效日期，格式为 2026-01-31。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = self.data.get("action", "") if self.is_bound else ""
        field = self.fields["action"]
        assert isinstance(field, AuditActionField)
        if asked and asked not in audit_actions.LABELS and field.valid_value(asked):
            # A code with no label stays selected, as itself, in the select.
            field.choices = [*field.grouped_choices(), (asked, asked)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


def _audit_events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-pk")
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read (a date 2026-13-45) shows its message and no rows, not the
        # whole trail as if nothing had been asked.
        return events.none()
    data = form.cleaned_data if form.is_bound else {}
    if data.get("user"):
        # What the account did, and the failed or refused logins against it (walkthrough
        # finding 4): those have no actor, and name the account in their details.
        by_user = Q(actor__username=data["user"])
        account = get_user_model()._default_manager.filter(username=data["user"]).values_list("pk", flat=True).first()
        if account is not None:
            by_user |= Q(
                action__in=login.ATTEMPTS, target_type=login.LOGIN_TARGET, **{f"details__{login.ACCOUNT_KEY}": account}
            )
        events = events.filter(by_user)
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("ip"):
        events = events.filter(ip_address=data["ip"])
    zone = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(created_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone))
    if data.get("date_to"):
        end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        events = events.filter(created_at__lt=end)
    return events


def _administrators_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return _login_response(request)
    if not staff_scope(request.user).has_role(roles.ADMINISTRATOR):
        raise PermissionDenied(str(_ADMINISTRATORS_ONLY))
    return None


@never_cache
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filtered by user, action, dates and address, 50 a page."""
    refused = _administrators_only(request)
    if refused is not None:
        return refused
    form = AuditFilterForm(request.GET or None)
    number, page_error = requested_page(request)
    page = paginate(_audit_events(form), page_number=number, per_page=AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if (request.GET and not form.is_valid()) or page_error else 200
    return TemplateResponse(
        request,
        "servicehall/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "page_error": page_error},
        status=status,
    )


# New columns come last (the label, then the account a failed or refused login was against), so
# the columns readers already use keep their places. The headers are in the reader's language,
# as the queue statistics' export (queueing.exports).
CSV_HEADER = (
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("操作代码"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("摘要"),
    gettext_lazy("来源地址"),
    gettext_lazy("客户端"),
    gettext_lazy("操作"),
    gettext_lazy("登录账户"),
)


@never_cache
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered audit trail as CSV (UTF-8 with BOM, for Excel), streamed; the export itself
    is audited."""
    refused = _administrators_only(request)
    if refused is not None:
        return refused
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return audit_list(request)
    events = _audit_events(form)
    audit_record(
        actor=request.user,
        action="audit.exported",
        target_type="audit",
        target_id="",
        summary=_("导出操作日志"),
        details={key: str(value) for key, value in (form.cleaned_data if form.is_bound else {}).items() if value},
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    zone = timezone.get_current_timezone()
    # The body is written after the view returns, when the request's language is no longer
    # active: the headers now, the labels in the request's language.
    header = [str(text) for text in CSV_HEADER]
    language = translation.get_language()

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                (
                    event.created_at.astimezone(zone).isoformat(timespec="seconds"),
                    event.actor.get_username() if event.actor else "",
                    event.action,
                    event.target_type,
                    event.target_id,
                    _csv_safe(event.summary),
                    event.ip_address or "",
                    _csv_safe(event.user_agent),
                    audit_actions.action_label(event.action, language=language),
                    event.attempted_account,
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
