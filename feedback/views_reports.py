"""Pages of the “办不成事” reports (Art. 6 ¶1; feedback/reports.py): the public form at
``/report/`` (no login, CSRF, rate-limited) with its thank-you page showing the reference and the
private progress link once, the private progress page; the staff entry at the window; the list
(filters, per-category counts, pagination) and each report's page with the loop's steps.

Every write goes through ``feedback.reports``; a refusal comes back on the form beside its field
with its status (400 for a shape, 403, 409 for the report's state, 429)."""

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
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog.models import HALL_ORDER, Hall
from feedback import form_tokens, reports, selectors_reports
from feedback.forms_reports import (
    AssignForm,
    FindForm,
    FollowUpForm,
    ListFilterForm,
    NoteForm,
    ReopenForm,
    ReportForm,
    ResolveForm,
    add_report_error,
    yes_no,
)
from feedback.models_reports import Report
from queueing.models import Window
from queueing.qr import qr_data_uri
from servicehall import extensions, roles
from servicehall.access import staff_required, staff_scope
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.http import client_address, post_action, vary_on_htmx, wants_fragment
from servicehall.pagination import paginate, requested_page

PER_PAGE = 30
# The reference and the private link, kept in the session for the one page that shows them.
RECEIPT_KEY = "feedback_report_receipt"
REPORT_ROLES = (*roles.COUNTER_ROLES, *roles.SUPERVISION_ROLES)


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"feedback/reports/{template}", context, status=status)


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _progress_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("report-progress", args=[token]))


def _receipt(request: HttpRequest) -> dict[str, Any] | None:
    """The reference and the private link of the report just registered, once: a reload or a
    shared screen shows them no more."""
    data = request.session.pop(RECEIPT_KEY, None)
    if not isinstance(data, dict) or "token" not in data:
        return None
    url = _progress_url(request, data["token"])
    return {"number": data["number"], "url": url, "qr": qr_data_uri(url), "due_on": data.get("due_on", "")}


# --- Public ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        token = form_tokens.checked(request.POST.get(form_tokens.FIELD))
        first = reports.report_by_submission(token)
        if first is not None:
            # The same form again (a double click, back and submit): the report it registered.
            messages.info(
                request, _("该反映已经提交并受理（受理编号 %(number)s），没有重复登记。") % {"number": first.number}
            )
            return redirect(reverse("report-progress", args=[first.progress_token]))
        if token is None:
            form.is_valid()
            form.add_error(None, _("表单已过期，请核对内容后重新提交。"))
            status = 400
        elif form.is_valid():
            try:
                report = reports.report_register(
                    data=form.report_input(),
                    channel=Report.Channel.ONLINE,
                    client_ip=client_address(request),
                    submission_key=token,
                )
            except DomainError as exc:
                add_report_error(form, exc)
                status = exc.status
            else:
                request.session[RECEIPT_KEY] = {
                    "number": report.number,
                    "token": report.progress_token,
                    "due_on": report.due_on.isoformat(),
                }
                return redirect("report-thanks")
        else:
            status = 400
    else:
        initial: dict[str, Any] = {"tried_on": local_date()}
        hall_code = request.GET.get("hall", "")
        if hall_code:
            initial["hall"] = Hall.objects.filter(code=hall_code).first()
        form = ReportForm(initial=initial)
    # A fresh one-time token on every rendering (feedback/form_tokens.py).
    return _render(request, "form.html", {"form": form, "form_token": form_tokens.issue()}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_find(request: HttpRequest) -> HttpResponse:
    """A reporter who lost the private link finds the report by its reference and the mobile
    number they gave: POST only (nothing personal in a URL), rate-limited, and then the private
    progress page."""
    status = 200
    if request.method == "POST":
        form = FindForm(request.POST)
        form.is_valid()
        try:
            report = reports.report_find(
                number=form.cleaned_data.get("number", ""),
                mobile=form.cleaned_data.get("mobile", ""),
                client_ip=client_address(request),
            )
        except DomainError as exc:
            add_report_error(form, exc)
            status = exc.status
        else:
            return redirect(reverse("report-progress", args=[report.progress_token]))
    else:
        form = FindForm()
    return _private(_render(request, "find.html", {"form": form}, status=status))


@never_cache
def report_thanks(request: HttpRequest) -> HttpResponse:
    return _private(_render(request, "thanks.html", {"receipt": _receipt(request)}))


@never_cache
def report_progress(request: HttpRequest, token: str) -> HttpResponse:
    report = selectors_reports.progress_by_token(token)
    if report is None:
        raise Http404(_("没有找到该反映，请核对进度查询链接。"))
    context = {"progress": selectors_reports.public_progress(report), "steps": progress_steps(report.status)}
    return _private(_render(request, "progress.html", context))


def progress_steps(status: str) -> list[tuple[str, str]]:
    """The loop's steps (受理 → 转派 → 办结 → 回访) as (label, state): ``done`` before the report's
    status, ``current`` at it, ``todo`` after. The loop runs in that order only (a report is
    resolved once assigned), so each step before the current one happened."""
    codes = [code for code, _label in Report.Status.choices]
    at = codes.index(status)
    return [
        (str(label), "done" if k < at else "current" if k == at else "todo")
        for k, (_code, label) in enumerate(Report.Status.choices)
    ]


# --- Staff: entry at the window -----------------------------------------------------------------


def _entry_halls(request: HttpRequest) -> Any:
    scope = staff_scope(request.user)
    halls = Hall.objects.order_by(*HALL_ORDER)
    ids = scope.hall_ids()
    if ids is None:
        return halls
    return halls.filter(pk__in=ids)


@staff_required(*REPORT_ROLES, message=gettext_lazy("只有工作人员可以登记“办不成事”反映。"))
@require_http_methods(["GET", "HEAD", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    halls = _entry_halls(request)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, halls=halls)
        if form.is_valid():
            try:
                report = reports.report_register(
                    data=form.report_input(), channel=Report.Channel.WINDOW, actor=request.user
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                add_report_error(form, exc)
                status = exc.status
            else:
                request.session[RECEIPT_KEY] = {
                    "number": report.number,
                    "token": report.progress_token,
                    "due_on": report.due_on.isoformat(),
                }
                messages.success(request, _("已受理反映 %(number)s。") % {"number": report.number})
                return redirect("report-receipt")
        else:
            status = 400
    else:
        scope = staff_scope(request.user)
        form = ReportForm(
            initial={
                "tried_on": local_date(),
                "hall": halls.filter(pk=scope.hall_id).first() if scope.hall_id else None,
            },
            halls=halls,
        )
    windows = Window.objects.filter(hall__in=halls, kind=Window.Kind.CANNOT_HANDLE).select_related("hall")
    return _render(request, "new.html", {"form": form, "report_windows": windows}, status=status)


@staff_required(*REPORT_ROLES)
def report_receipt(request: HttpRequest) -> HttpResponse:
    """The reference and the private link to hand to the person (printable), shown once."""
    return _private(_render(request, "receipt.html", {"receipt": _receipt(request)}))


# --- Staff and supervisors: the list and the loop ---------------------------------------------


@staff_required(*REPORT_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    scope = selectors_reports.report_scope(request.user)
    halls = Hall.objects.order_by(*HALL_ORDER)
    if scope.supervisor and scope.hall_ids is not None:
        halls = halls.filter(pk__in=scope.hall_ids)
    elif not scope.supervisor:
        halls = halls.filter(pk__in=[h for h in (scope.chief_hall_id, scope.clerk_hall_id) if h])
    form = ListFilterForm(request.GET or None, halls=halls)
    page_number, page_error = requested_page(request)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        rows = Report.objects.none()
        counts: list[dict[str, Any]] = []
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = selectors_reports.ReportFilters(
            hall=data.get("hall"),
            status=data.get("status", ""),
            category=data.get("category"),
            flag=data.get("flag", ""),
        )
        rows = selectors_reports.report_rows(request.user, filters)
        # The counts per category ignore the category filter: what keeps going wrong, side by side.
        counts = selectors_reports.category_counts(
            selectors_reports.report_rows(
                request.user,
                selectors_reports.ReportFilters(hall=filters.hall, status=filters.status, flag=filters.flag),
            )
        )
    if page_error:
        status = 400
    page = paginate(rows, page_number=page_number, per_page=PER_PAGE)
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "form": form,
        "page": page,
        "query": query,
        "page_error": page_error,
        "counts": counts,
        "is_supervisor": scope.supervisor,
        "today": local_date(),
    }
    template = "list.html#rows" if wants_fragment(request) else "list.html"
    return vary_on_htmx(_render(request, template, context, status=status))


def _detail(request: HttpRequest, report: Report, *, status: int = 200, **bound: Any) -> TemplateResponse:
    steps = reports.allowed_steps(request.user, report)
    assigned = {a.department_id for a in report.assignments.all()}
    assign_form = bound.get("assign") or AssignForm(prefix="assign")
    if "assign" in steps:
        field = assign_form.fields["departments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = selectors_reports.departments_at(report.hall_id).exclude(pk__in=assigned)
    reopen_form = bound.get("reopen") or ReopenForm(prefix="reopen")
    if "reopen" in steps:
        field = reopen_form.fields["departments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = selectors_reports.departments_at(report.hall_id).exclude(pk__in=assigned)
    context = {
        "reopen_form": reopen_form,
        "report": report,
        "steps": steps,
        "assign_form": assign_form,
        "note_form": bound.get("note") or NoteForm(prefix="note"),
        "resolve_form": bound.get("resolve") or ResolveForm(prefix="resolve"),
        # A department's chief answers for its part; a supervisor closes the whole report.
        "resolve_as": reports.resolve_role(request.user, report),
        "follow_up_form": bound.get("follow_up") or FollowUpForm(prefix="follow_up"),
        # The whole number only to whoever makes the follow-up call, only until it is recorded.
        "call_number": report.contact_mobile if "follow_up" in steps else "",
        "today": local_date(),
        "report_sections": extensions.sections(extensions.REPORT_PAGE),
    }
    return _private(_render(request, "detail.html", context, status=status))  # type: ignore[return-value]


@staff_required(*REPORT_ROLES)
def report_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors_reports.access_report(request.user, number))


ACTIONS = ("assign", "note", "resolve", "follow_up", "reopen")


@staff_required(roles.CHIEF_REPRESENTATIVE, *roles.SUPERVISION_ROLES)
@post_action("report-detail", "number")
def report_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(_("没有该操作。"))
    report = selectors_reports.access_report(request.user, number)
    now = timezone.now()
    form: Any
    try:
        if action == "assign":
            form = AssignForm(request.POST, prefix="assign")
            if not form.is_valid():
                return _detail(request, report, status=400, assign=form)
            reports.report_assign(
                report=report,
                actor=request.user,
                departments=list(form.cleaned_data["departments"]),
                note=form.cleaned_data["note"],
                now=now,
            )
            done = _("已转派。")
        elif action == "note":
            form = NoteForm(request.POST, prefix="note")
            if not form.is_valid():
                return _detail(request, report, status=400, note=form)
            reports.report_note(
                report=report,
                actor=request.user,
                note=form.cleaned_data["note"],
                next_check_on=form.cleaned_data["next_check_on"],
                now=now,
            )
            done = _("已记录督办情况。")
        elif action == "resolve":
            form = ResolveForm(request.POST, prefix="resolve")
            if not form.is_valid():
                return _detail(request, report, status=400, resolve=form)
            reports.report_resolve(
                report=report,
                actor=request.user,
                resolution=form.cleaned_data["resolution"],
                matter_done=yes_no(form.cleaned_data["matter_done"]),
                now=now,
            )
            done = _("已办结。")
        elif action == "reopen":
            form = ReopenForm(request.POST, prefix="reopen")
            if not form.is_valid():
                return _detail(request, report, status=400, reopen=form)
            reports.report_reopen(
                report=report,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                departments=list(form.cleaned_data["departments"]),
                now=now,
            )
            done = _("已重新转派，责任部门将再次办理。")
        else:
            form = FollowUpForm(request.POST, prefix="follow_up")
            if not form.is_valid():
                return _detail(request, report, status=400, follow_up=form)
            reports.report_follow_up(
                report=report,
                actor=request.user,
                reached=yes_no(form.cleaned_data["reached"]),
                satisfied=yes_no(form.cleaned_data["satisfied"]),
                note=form.cleaned_data["note"],
                now=now,
            )
            done = _("已记录回访，反映办理完毕。")
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        add_report_error(form, exc)
        fresh = selectors_reports.access_report(request.user, number)
        return _detail(request, fresh, status=exc.status, **{action: form})
    messages.success(request, done)
    return redirect("report-detail", number)


public_patterns = [
    path("report/", report_form, name="report-form"),
    path("report/thanks/", report_thanks, name="report-thanks"),
    path("report/find/", report_find, name="report-find"),
    # "/t/<token>/": the log filter redacts the token (servicehall.personal_data).
    path("report/t/<str:token>/", report_progress, name="report-progress"),
]

staff_patterns = [
    path("reports/", report_list, name="report-list"),
    path("reports/new/", report_new, name="report-new"),
    path("reports/receipt/", report_receipt, name="report-receipt"),
    path("reports/<str:number>/", report_detail, name="report-detail"),
    path("reports/<str:number>/<str:action>/", report_action, name="report-action"),
]

supervisor_patterns = [path("reports/", report_list, name="supervisor-reports")]
