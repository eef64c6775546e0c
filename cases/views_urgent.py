"""Pages of urgent matters (急事急办, Art. 10 ¶3; ``cases/urgent.py``): the window records a
request on a case; the department's chief representative sees the requests of the department at
the hall (a section of the inbox), approves (a shorter promised limit, then perhaps a staggered
slot reserved for urgent matters) or refuses with a reason; the supervisors covering the hall see
and print the written reports (书面报告) refusals produce.

Every write goes through ``cases.urgent``; a refusal comes back on the form beside its field with
its status (400 for a shape, 403, 409, 422 for a rule)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appointments.models import Slot
from cases import urgent
from cases.access import access_case
from cases.models import UrgentRequest
from cases.services import CaseError
from queueing.access import access_window, window_hall_ticket
from queueing.models import Ticket
from servicehall import roles
from servicehall.access import (
    AnyUser,
    chief_department,
    chief_refusal,
    staff_required,
    staff_scope,
    supervisor_required,
)
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.http import post_action
from servicehall.pagination import paginate, paginate_uncounted, requested_page
from servicehall.personal_data import mask_mobile

PER_PAGE = 50


# --- Forms -----------------------------------------------------------------------------------


class UrgentRequestForm(forms.Form):
    reason_category = forms.ChoiceField(
        label=gettext_lazy("急办事由"),
        choices=[("", gettext_lazy("请选择")), *UrgentRequest.Reason.choices],
        error_messages={
            "required": gettext_lazy("请从列表中选择急办事由。"),
            "invalid_choice": gettext_lazy("请从列表中选择急办事由。"),
        },
    )
    reason_text = forms.CharField(
        label=gettext_lazy("具体情况"),
        max_length=urgent.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "写明需要紧急办理的原因，例如就医、出行的日期；选择“其他”时须说明具体事由（至少10个字）。"
        ),
        error_messages={"required": gettext_lazy("请写明需要紧急办理的具体情况。")},
    )


class BookingUrgentForm(forms.Form):
    """The optional block of the online booking form (appointments, ``_booking_form``): ask for
    urgent handling with the booking. Checked with the same rules as at the window; the request
    is saved with the booking, in its transaction (``attach``)."""

    wanted = forms.BooleanField(label=gettext_lazy("申请急事急办"), required=False)
    reason_category = forms.ChoiceField(
        label=gettext_lazy("急办事由"),
        required=False,
        choices=[("", gettext_lazy("请选择")), *UrgentRequest.Reason.choices],
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择急办事由。")},
    )
    reason_text = forms.CharField(
        label=gettext_lazy("具体情况"),
        required=False,
        max_length=urgent.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, item: Any = None, **kwargs: Any) -> None:
        kwargs["prefix"] = "urgent"
        super().__init__(*args, **kwargs)
        self.item = item

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("wanted"):
            return data
        if self.item is None:
            self.add_error("wanted", _("申请急事急办须先选择办理事项，请返回选择事项后再预约。"))
            return data
        try:
            data["reason_category"], data["reason_text"] = urgent.urgent_reason_clean(
                data.get("reason_category", ""), data.get("reason_text", "")
            )
        except CaseError as exc:
            for name, messages_ in exc.errors.items():
                for message in messages_:
                    self.add_error(name, message)
        return data

    def attach(self, booking: Any) -> UrgentRequest | None:
        if not self.cleaned_data.get("wanted"):
            return None
        return urgent.urgent_request_booking(
            booking=booking, category=self.cleaned_data["reason_category"], text=self.cleaned_data["reason_text"]
        )


class ApproveForm(forms.Form):
    promised_days = forms.IntegerField(
        label=gettext_lazy("急办承诺时限（工作日）"),
        min_value=0,
        help_text=gettext_lazy("已受理的办件自今日起计（今日不计），须少于剩余工作日；尚未受理的自受理之日起计。"),
        error_messages={
            "required": gettext_lazy("请填写急办承诺时限。"),
            "invalid": gettext_lazy("承诺办结时限须为整数个工作日。"),
            "min_value": gettext_lazy("承诺办结时限不能为负数。"),
        },
    )
    reason = forms.CharField(label=gettext_lazy("审批意见（可选）"), required=False, max_length=urgent.REASON_MAX_CHARS)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予急办理由"),
        max_length=urgent.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("理由将告知申请人，并以书面报告报送政务服务管理部门。"),
        error_messages={"required": gettext_lazy("不予急办须写明理由。")},
    )


class StaggeredForm(forms.Form):
    slot = forms.TypedChoiceField(label=gettext_lazy("错时服务时段"), coerce=int)
    name = forms.CharField(label=gettext_lazy("申请人姓名"), max_length=40)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    mobile = forms.CharField(label=gettext_lazy("手机号码"), max_length=11)

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone()
        self.slots = {s.pk: s for s in slots}
        field = self.fields["slot"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                s.pk,
                f"{s.starts_at.astimezone(zone):%Y-%m-%d %H:%M}–{s.ends_at.astimezone(zone):%H:%M} "
                f"{s.category.name}（{_('余%(n)s个') % {'n': s.seats_left}}）",
            )
            for s in slots
        ]


def _request_for_ticket(ticket: Ticket, data: dict, *, channel: str, actor: AnyUser | None = None) -> None:
    """The ticket's urgent request from a request form's cleaned data (kiosk, phone or console)."""
    urgent.urgent_request_ticket(
        ticket=ticket,
        item_code=data["item"],
        category=data["reason_category"],
        text=data["reason_text"],
        name=data["name"],
        mobile=data["mobile"],
        channel=channel,
        actor=actor,
    )


def _add_error(form: forms.Form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or {}
    placed = False
    for name, messages_ in errors.items():
        if name in form.fields:
            for message in messages_:
                form.add_error(name, message)
            placed = True
    if not placed:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"cases/urgent/{template}", context, status=status)


# --- At the window ---------------------------------------------------------------------------


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员和首席事务代表可以登记急事急办申请。"))
@require_http_methods(["GET", "HEAD", "POST"])
def case_request(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(request.user, number)
    status = 200
    if request.method == "POST":
        form = UrgentRequestForm(request.POST)
        if form.is_valid():
            try:
                urgent.urgent_request_case(
                    case=case,
                    actor=request.user,
                    category=form.cleaned_data["reason_category"],
                    text=form.cleaned_data["reason_text"],
                )
            except CaseError as exc:
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("已登记急事急办申请，等待首席事务代表审批。"))
                return redirect("case-detail", number)
        else:
            status = 400
    else:
        form = UrgentRequestForm()
    return _render(request, "request.html", {"case": case, "form": form}, status=status)


# --- At the kiosk ----------------------------------------------------------------------------


class KioskUrgentForm(forms.Form):
    """急事急办 asked at the kiosk with the ticket just taken. Every rule is the service's
    (``urgent.urgent_request_ticket``), which gives each field its message; the form only draws."""

    item = forms.ChoiceField(
        label=gettext_lazy("办理事项"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择要办理的事项。")},
    )
    reason_category = forms.ChoiceField(
        label=gettext_lazy("急办事由"),
        required=False,
        choices=UrgentRequest.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择急办事由。")},
    )
    reason_text = forms.CharField(
        label=gettext_lazy("具体情况"),
        required=False,
        max_length=urgent.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写明需要紧急办理的原因，例如就医、出行的日期（至少5个字；选择“其他”时至少10个字）。"),
    )
    name = forms.CharField(
        label=gettext_lazy("姓名"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("审批时只显示姓氏。"),
    )
    mobile = forms.CharField(
        label=gettext_lazy("手机号码"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("审批结果以短信告知。"),
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("请选择")),
            *((i.code, f"{i.display_name}（{i.department.display_name}）") for i in items),
        ]
        if len(items) == 1 and not self.is_bound:
            self.initial["item"] = items[0].code


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_request(request: HttpRequest, token: str) -> HttpResponse:
    """At the kiosk, below the slip of a ticket still waiting: ask for 急事急办 with a reason. The
    department's chief representative decides it as a window's request; approved, the ticket is
    called first. Bad input is answered beside its field and saves nothing."""
    ticket = Ticket.objects.select_related("hall", "category").filter(token=token).first()
    if ticket is None:
        raise Http404(_("没有找到该排队号，请核对二维码或链接是否完整。"))
    # Opened from the ticket's page on the applicant's phone (?from=phone): a phone's page, not
    # the kiosk's (no idle return to the kiosk's start), and back to that page afterwards.
    from_phone = (request.POST.get("from") or request.GET.get("from")) == "phone"
    items = urgent.kiosk_items(ticket)
    asked = urgent.request_of_ticket(ticket)
    status = 200
    form = KioskUrgentForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and asked is None and form.is_valid():
        data = form.cleaned_data
        try:
            _request_for_ticket(
                ticket,
                data,
                channel=UrgentRequest.TicketChannel.PHONE if from_phone else UrgentRequest.TicketChannel.KIOSK,
            )
        except CaseError as exc:
            _add_error(form, exc)
            status = exc.status
        else:
            return redirect("queue-ticket" if from_phone else "queue-slip", ticket.token)
    elif request.method == "POST" and asked is None:
        status = 400
    response = TemplateResponse(
        request,
        "cases/urgent/kiosk.html",
        {
            "ticket": ticket,
            "hall": ticket.hall,
            "form": form,
            "asked": asked,
            "care_mode": True,
            "from_phone": from_phone,
            "base_template": "base.html" if from_phone else "queueing/public/kiosk_base.html",
        },
        status=status,
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- At the window console, for the ticket called there ----------------------------------------


class WindowTicketUrgentForm(KioskUrgentForm):
    """The window's registration for the ticket called at it (before any case is opened): the
    kiosk's fields, the reason chosen from a list as on a case's page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_category"]
        assert isinstance(field, forms.ChoiceField)
        field.widget = forms.Select()
        field.choices = [("", _("请选择")), *UrgentRequest.Reason.choices]
        self.fields["name"].help_text = _("申请人姓名；审批时只显示姓氏。")
        self.fields["mobile"].help_text = _("审批结果以短信告知申请人。")


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员和首席事务代表可以登记急事急办申请。"))
@require_http_methods(["GET", "HEAD", "POST"])
def window_ticket_request(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    """ "登记急事急办" from the window console's current ticket: the case page's registration for
    a ticket called or being served at this window, prefilled from its case or booking. The
    service (``urgent.urgent_request_ticket``, channel ``window``) applies every rule."""
    window = access_window(request.user, pk)
    ticket = window_hall_ticket(window, ticket_pk)
    items = urgent.kiosk_items(ticket)
    asked = urgent.request_of_ticket(ticket)
    refusal = ""
    if asked is None and not (
        ticket.window_id == window.pk and ticket.status in (Ticket.Status.CALLED, Ticket.Status.SERVING)
    ):
        refusal = _("%(number)s 号不在本窗口办理中，不能为其登记急事急办；请在叫号后登记。") % {"number": ticket.number}
    status = 409 if refusal or (asked is not None and request.method == "POST") else 200
    initial = urgent.window_ticket_prefill(ticket) if request.method != "POST" and not refusal and asked is None else {}
    initial = {key: value for key, value in initial.items() if value}
    form = WindowTicketUrgentForm(
        request.POST if request.method == "POST" else None, items=items, initial=initial or None
    )
    if request.method == "POST" and status == 200:
        if form.is_valid():
            data = form.cleaned_data
            try:
                _request_for_ticket(ticket, data, channel=UrgentRequest.TicketChannel.WINDOW, actor=request.user)
            except CaseError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已为 %(number)s 登记急事急办申请，等待首席事务代表审批；获批准后该号优先叫号。")
                    % {"number": ticket.number},
                )
                return redirect("staff-home")
        else:
            status = 400
    context = {"ticket": ticket, "window": window, "form": form, "asked": asked, "refusal": refusal}
    return _render(request, "request.html", context, status=status)


# --- The chief representative ----------------------------------------------------------------


@staff_required(roles.CHIEF_REPRESENTATIVE, message=gettext_lazy("急事急办审批仅向派驻大厅的首席事务代表开放。"))
def inbox(request: HttpRequest) -> HttpResponse:
    if chief_department(request.user) is None:
        # A deputy holding the role while the staffing records name another chief is told so.
        scope = staff_scope(request.user)
        default = _("急事急办审批仅向派驻大厅的首席事务代表开放。")
        raise PermissionDenied(chief_refusal(request.user, scope.hall_id, scope.department_id, default))
    rows = urgent.pending_for(request.user)
    page_number, page_error = requested_page(request)
    context = {
        "pending": list(rows.filter(status=UrgentRequest.Status.REQUESTED).order_by("requested_at", "pk")[:200]),
        # Decided requests only grow: the page reads urgent_decided_idx in order, and is not
        # counted (the COUNT(*) read them all on every view: bench/README.md, "Joined-up handling").
        "page": paginate_uncounted(
            rows.exclude(status=UrgentRequest.Status.REQUESTED), page_number=page_number, per_page=PER_PAGE
        ),
        "page_error": page_error,
    }
    return _render(request, "inbox.html", context, status=400 if page_error else 200)


def _detail(request: HttpRequest, item: UrgentRequest, *, status: int = 200, **bound: Any) -> TemplateResponse:
    now = timezone.now()
    may_decide = urgent.may_decide(request.user, item)
    slots = urgent.urgent_slots(item, now=now) if may_decide and item.status == UrgentRequest.Status.APPROVED else []
    context = {
        "item": item,
        "may_decide": may_decide,
        "mobile": mask_mobile(item.mobile),
        "approve_form": bound.get("approve") or ApproveForm(prefix="approve"),
        "refuse_form": bound.get("refuse") or RefuseForm(prefix="refuse"),
        "staggered_form": bound.get("book") or StaggeredForm(prefix="book", slots=slots),
        "slots": slots,
        "report": getattr(item, "report", None) if item.status == UrgentRequest.Status.REFUSED else None,
        # The chief who refused (or the department's chief, a supervisor) opens and prints it.
        "report_readable": urgent.may_read_report(request.user, item),
        # What an approval would shorten ("剩余 N 个工作日，截止 …"), while it waits for a decision.
        "remaining": urgent.working_days_left(item.case, local_date(now))
        if item.status == UrgentRequest.Status.REQUESTED
        else None,
    }
    return _render(request, "detail.html", context, status=status)


@staff_required(
    *roles.COUNTER_ROLES, *roles.SUPERVISION_ROLES, message=gettext_lazy("只有工作人员可以查看急事急办申请。")
)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, urgent.request_for_decider(request.user, pk))


@staff_required(roles.CHIEF_REPRESENTATIVE, message=gettext_lazy("急事急办须由本部门派驻大厅的首席事务代表审批。"))
@post_action("urgent-detail", "pk")
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "refuse", "book"):
        raise Http404(_("没有该操作。"))
    item = urgent.request_for_decider(request.user, pk)
    form: forms.Form
    try:
        if action == "approve":
            form = ApproveForm(request.POST, prefix="approve")
            if not form.is_valid():
                return _detail(request, item, status=400, approve=form)
            urgent.urgent_approve(
                request=item,
                actor=request.user,
                promised_days=form.cleaned_data["promised_days"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已批准急事急办，并已通知申请人。"))
        elif action == "refuse":
            form = RefuseForm(request.POST, prefix="refuse")
            if not form.is_valid():
                return _detail(request, item, status=400, refuse=form)
            report = urgent.urgent_refuse(request=item, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("已不予急办，已通知申请人，并生成书面报告%(number)s报送政务服务管理部门。")
                    % {"number": report.number},
                    reverse("urgent-report", args=[item.pk]),
                    _("查看并打印书面报告"),
                ),
            )
        else:
            form = StaggeredForm(request.POST, prefix="book", slots=urgent.urgent_slots(item, now=timezone.now()))
            if not form.is_valid():
                return _detail(request, item, status=400, book=form)
            booking = urgent.urgent_book_staggered(
                request=item,
                actor=request.user,
                slot=form.slots[form.cleaned_data["slot"]],
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                mobile=form.cleaned_data["mobile"],
            )
            messages.success(request, _("已预约错时服务时段，预约码%(code)s。") % {"code": booking.code})
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        _add_error(form, exc)
        fresh = urgent.request_for_decider(request.user, pk)
        key = {"approve": "approve", "refuse": "refuse"}.get(action, "book")
        return _detail(request, fresh, status=exc.status, **{key: form})
    return redirect("urgent-detail", pk)


# --- Supervisors: the written reports --------------------------------------------------------


@supervisor_required
def reports(request: HttpRequest) -> HttpResponse:
    page_number, page_error = requested_page(request)
    rows = urgent.reports_for(request.user)
    context = {
        "page": paginate(rows, page_number=page_number, per_page=PER_PAGE),
        "unread": rows.filter(read_at__isnull=True).count(),
        "page_error": page_error,
    }
    return _render(request, "reports.html", context, status=400 if page_error else 200)


@supervisor_required
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = urgent.report_or_404(request.user, pk)
    context = {"report": report, "item": report.request, "back_url": reverse("urgent-reports")}
    context["back_to_reports"] = True
    return _render(request, "report_print.html", context)


@staff_required(
    roles.CHIEF_REPRESENTATIVE,
    *roles.SUPERVISION_ROLES,
    message=gettext_lazy("书面报告仅向作出决定的首席事务代表、本部门首席事务代表和政务服务管理部门开放。"),
)
def request_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The written report of a refused request, opened from the request's page by the chief
    representative who refused it (or the department's chief there, or a supervisor)."""
    report = urgent.report_of_request_or_404(request.user, pk)
    context = {"report": report, "item": report.request, "back_url": reverse("urgent-detail", args=[pk])}
    return _render(request, "report_print.html", context)


@supervisor_required
@post_action("urgent-reports")
def report_read(request: HttpRequest, pk: int) -> HttpResponse:
    report = urgent.report_or_404(request.user, pk)
    urgent.urgent_report_read(report=report, actor=request.user)
    messages.success(request, _("已阅知书面报告%(number)s。") % {"number": report.number})
    return redirect("urgent-reports")


public_patterns = [
    path("t/<slug:token>/urgent/", kiosk_request, name="urgent-kiosk"),
]

staff_patterns = [
    path("urgent/", inbox, name="urgent-inbox"),
    path("urgent/cases/<str:number>/", case_request, name="urgent-case-request"),
    path("urgent/windows/<int:pk>/tickets/<int:ticket_pk>/", window_ticket_request, name="urgent-window-ticket"),
    path("urgent/<int:pk>/", detail, name="urgent-detail"),
    path("urgent/<int:pk>/report/", request_report, name="urgent-report"),
    path("urgent/<int:pk>/<str:action>/", decide, name="urgent-decide"),
]

supervisor_patterns = [
    path("urgent-reports/", reports, name="urgent-reports"),
    path("urgent-reports/<int:pk>/", report_print, name="urgent-report-print"),
    path("urgent-reports/<int:pk>/read/", report_read, name="urgent-report-read"),
]
