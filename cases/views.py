"""The case pages (issue 10): the application at a window (from the console's called ticket) or by
post or online, a case's page for staff with the actions the viewer may take, the staff's case
list, the printable notices (A4, with a QR code to the public progress page), the chief
representative's inbox, the supervisors' deadline view, and the public progress look-up.

Every write goes through ``cases.services`` (one transaction each: a refused outcome leaves
nothing behind); a refusal comes back on the form beside its field, with its status (400 for a
shape, 403, 409, 422 for a rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import forms, selectors, services
from cases.access import access_case, access_case_scope, access_inbox, case_hall_ids
from cases.models import Case, CaseMaterial
from catalog.access import access_hall
from catalog.models import GuideVersion, Hall, ServiceItem
from queueing.access import access_window, window_hall_ticket
from queueing.models import Ticket, Window
from queueing.qr import qr_data_uri
from servicehall import roles
from servicehall.access import AnyUser, staff_required, staff_scope, supervisor_required
from servicehall.clock import local_date
from servicehall.http import client_address
from servicehall.pagination import paginate, requested_page
from servicehall.personal_data import mask_mobile

CASE_ROLES = (*roles.COUNTER_ROLES, *roles.SUPERVISION_ROLES)
PER_PAGE = 50


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"cases/{template}", context, status=status)


# --- The application -------------------------------------------------------------------------


def _hall_items(hall: Hall, today: dt.date, ticket: Ticket | None) -> tuple[list[ServiceItem], list[ServiceItem]]:
    """(the ticket's queue's items, the hall's other items), each with a current guide."""
    current = GuideVersion.objects.current(today).values("item_id")
    items = list(hall.items.filter(pk__in=current).select_related("department").order_by("code"))
    queue_ids: set[int] = set()
    if ticket is not None:
        queue_ids = set(ticket.category.items.values_list("pk", flat=True))
    return [i for i in items if i.pk in queue_ids], [i for i in items if i.pk not in queue_ids]


def _application(
    request: HttpRequest, *, hall: Hall, window: Window | None, ticket: Ticket | None, action: str
) -> HttpResponse:
    now = timezone.now()
    today = local_date(now)
    queue_items, other_items = _hall_items(hall, today, ticket)
    code = str(request.POST.get("item") or request.GET.get("item") or "").strip()
    item = next((i for i in [*queue_items, *other_items] if i.code == code), None)
    context: dict[str, Any] = {
        "hall": hall,
        "window": window,
        "ticket": ticket,
        "queue_items": queue_items,
        "other_items": other_items,
        "item": item,
        "action": action,
    }
    if item is None:
        if code:
            context["item_error"] = _("本大厅没有该事项，或该事项没有现行有效的办事指南。")
        return _render(request, "application.html", context, status=400 if code else 200)
    version = GuideVersion.objects.current(today).filter(item=item).prefetch_related("materials").first()
    assert version is not None
    context["version"] = version
    status = 200
    if request.method == "POST":
        form = forms.ApplicationForm(request.POST, version=version, with_window=window is not None)
        if form.is_valid():
            outcome = form.outcome()
            try:
                case = services.case_receive(
                    actor=request.user,
                    hall=hall,
                    item=item,
                    channel=Case.Channel.WINDOW if window is not None else form.cleaned_data["channel"],
                    applicant=form.applicant(),
                    mobile=form.cleaned_data["mobile"],
                    contact_name=form.cleaned_data["contact_name"],
                    checklist=form.checklist(),
                    window=window,
                    ticket=ticket,
                    outcome=outcome,
                    notice=form.notice() if outcome == "correction" else None,
                    reason=form.cleaned_data["reason"],
                    refer_to=form.cleaned_data["refer_to"],
                    now=now,
                )
            except services.CaseError as exc:
                forms.add_case_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _outcome_message(case))
                return redirect("case-detail", case.number)
        else:
            status = 400
    else:
        form = forms.ApplicationForm(version=version, with_window=window is not None)
    context["form"] = form
    return _render(request, "application.html", context, status=status)


def _outcome_message(case: Case) -> str:
    if case.status == Case.Status.NOT_ACCEPTED:
        return _("已作出不予受理决定：%(number)s。请打印不予受理通知书交申请人。") % {"number": case.number}
    if case.status == Case.Status.CORRECTION:
        return _("已出具一次性告知书：%(number)s。请打印交申请人。") % {"number": case.number}
    if case.deferred:
        return _("已容缺受理：%(number)s。请打印受理通知书，告知待补材料及期限。") % {"number": case.number}
    return _("已受理：%(number)s。请打印受理通知书交申请人。") % {"number": case.number}


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员可以受理申请。"))
@require_http_methods(["GET", "HEAD", "POST"])
def window_application(request: HttpRequest, pk: int) -> HttpResponse:
    """An application at a window, for the ticket called or served there (``?ticket=``)."""
    window = access_window(request.user, pk)
    ticket = None
    raw = str(request.POST.get("ticket") or request.GET.get("ticket") or "")
    if raw:
        if not raw.isdigit():
            raise Http404(_("没有找到该号码。"))
        ticket = window_hall_ticket(window, int(raw))
    action = reverse("case-window-application", args=[window.pk])
    return _application(request, hall=window.hall, window=window, ticket=ticket, action=action)


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员可以受理申请。"))
@require_http_methods(["GET", "HEAD", "POST"])
def remote_application(request: HttpRequest) -> HttpResponse:
    """An application received by post or online, at the clerk's own hall."""
    scope = staff_scope(request.user)
    if scope.hall_id is None:
        raise PermissionDenied(_("您没有所属大厅，不能受理申请。"))
    hall = Hall.objects.get(pk=scope.hall_id)
    return _application(request, hall=hall, window=None, ticket=None, action=reverse("case-remote-application"))


# --- A case for staff ------------------------------------------------------------------------

ACTIONS = (
    "accept",
    "review",
    "step-start",
    "step-end",
    "extend",
    "decide",
    "result",
    "collect",
    "corrections",
    "owed",
)


def allowed_actions(user: AnyUser, case: Case) -> set[str]:
    """What the page offers the viewer (the services decide again when they act)."""
    scope = staff_scope(user)
    counter = scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(case.hall_id)
    department = counter and scope.department_id == case.department_id
    chief = department and scope.has_role(roles.CHIEF_REPRESENTATIVE)
    status = case.status
    allowed: set[str] = set()
    if counter and status == Case.Status.RECEIVED:
        allowed.add("accept")
    if counter and status == Case.Status.CORRECTION:
        allowed.add("corrections")
    if counter and case.is_open and any(o.supplied_at is None for o in case.owed.all()):
        allowed.add("owed")
    if department and status == Case.Status.ACCEPTED:
        allowed.add("review")
    if department and status in (Case.Status.ACCEPTED, Case.Status.IN_REVIEW):
        allowed.add("decide")
        if case.guide_version.special_steps.all():
            allowed.add("step-start")
    if department and status == Case.Status.SPECIAL_STEP:
        allowed.add("step-end")
    if chief and case.is_open:
        allowed.add("extend")
    if department and status == Case.Status.DECIDED:
        allowed.add("result")
    if counter and status == Case.Status.RESULT_READY:
        allowed.add("collect")
    return allowed


def _supplied_materials(case: Case, action: str) -> list[Any]:
    if action == "owed":
        return [o.material for o in case.owed.all() if o.supplied_at is None]
    return [line.material for line in case.materials.all() if line.state in CaseMaterial.LACKING]


def _action_form(case: Case, action: str, data: Any = None) -> Any:
    """The form of ``action`` on ``case``, prefixed with the action (several on one page)."""
    if action in ("review", "step-end", "result", "accept"):
        return forms.ReasonForm(data, prefix=action)
    if action == "step-start":
        return forms.SpecialStepForm(data, case=case, prefix=action)
    if action == "extend":
        return forms.ExtendForm(data, prefix=action)
    if action == "decide":
        return forms.DecideForm(data, prefix=action)
    if action == "collect":
        return forms.CollectForm(data, prefix=action)
    return forms.SuppliedForm(data, materials=_supplied_materials(case, action), prefix=action)


def _action_forms(case: Case, allowed: set[str], bound: dict[str, Any]) -> dict[str, Any]:
    return {name: bound.get(name) or _action_form(case, name) for name in ACTIONS if name in allowed}


def _case_page(
    request: HttpRequest, case: Case, *, bound: dict[str, Any] | None = None, status: int = 200
) -> TemplateResponse:
    allowed = allowed_actions(request.user, case)
    context = {
        "case": case,
        "mobile_masked": mask_mobile(case.contact_mobile),
        "forms": _action_forms(case, allowed, bound or {}),
        "documents": _documents(case),
        "today": local_date(),
    }
    return _render(request, "case_detail.html", context, status=status)


def _documents(case: Case) -> list[tuple[str, str]]:
    """(label, url) of the case's printable notices."""
    documents = []
    if case.accepted_on is not None:
        documents.append((_("受理通知书"), reverse("case-print", args=[case.number, "acceptance"])))
    for notice in case.notices.all():
        documents.append(
            (
                _("一次性告知书（第%(n)s次）") % {"n": notice.sequence},
                reverse("case-print", args=[case.number, "notice"]) + f"?n={notice.sequence}",
            )
        )
    if case.status == Case.Status.NOT_ACCEPTED:
        documents.append((_("不予受理通知书"), reverse("case-print", args=[case.number, "not-accepted"])))
    return documents


@staff_required(*CASE_ROLES)
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, access_case(request.user, number))


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员和首席事务代表可以办理办件。"))
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(_("没有该操作。"))
    case = access_case(request.user, number)
    form = _action_form(case, action, request.POST)
    if not form.is_valid():
        return _case_page(request, case, bound={action: form}, status=400)
    data = form.cleaned_data
    try:
        if action == "accept":
            services.case_accept(case=case, actor=request.user)
        elif action == "review":
            services.case_review_start(case=case, actor=request.user)
        elif action == "step-start":
            services.case_special_step_start(case=case, actor=request.user, step_id=data["step"], note=data["note"])
        elif action == "step-end":
            services.case_special_step_end(case=case, actor=request.user, note=data["note"])
        elif action == "extend":
            services.case_extend(case=case, actor=request.user, days=data["days"], reason=data["reason"])
        elif action == "decide":
            services.case_decide(
                case=case,
                actor=request.user,
                approved=data["decision"] == Case.Decision.APPROVED,
                reason=data["reason"],
            )
        elif action == "result":
            services.case_result_ready(case=case, actor=request.user)
        elif action == "collect":
            services.case_collect(case=case, actor=request.user, method=data["method"], note=data["note"])
        elif action == "corrections":
            services.case_corrections_receive(case=case, actor=request.user, checklist=form.checklist())
        else:
            services.case_owed_supply(case=case, actor=request.user, checklist=form.checklist())
    except services.CaseError as exc:
        forms.add_case_error(form, exc)
        return _case_page(request, access_case(request.user, number), bound={action: form}, status=exc.status)
    messages.success(request, _("已办理。"))
    return redirect("case-detail", number)


# --- The staff's case list -------------------------------------------------------------------


@staff_required(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    status = 200
    cases = Case.objects.none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        hall_ids, department_id = access_case_scope(request.user, department_code=data.get("department", ""))
        cases = selectors.cases_list(
            hall_ids=hall_ids,
            department_id=department_id,
            status=data.get("status", ""),
            warning=data.get("warning", ""),
            item_code=data.get("item", "").strip(),
        )
    if page_error:
        status = 400
    page = paginate(cases, page_number=page_number, per_page=PER_PAGE)
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    scope = staff_scope(request.user)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "page_error": page_error,
        "can_receive": scope.has_role(*roles.COUNTER_ROLES),
        "is_chief": scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.department_id is not None,
    }
    return _render(request, "case_list.html", context, status=status)


# --- Printable notices -----------------------------------------------------------------------

DOCUMENTS = {"acceptance", "notice", "not-accepted"}


@staff_required(*CASE_ROLES)
def case_print(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    if kind not in DOCUMENTS:
        raise Http404(_("没有该文书。"))
    case = access_case(request.user, number)
    notice = None
    if kind == "acceptance" and case.accepted_on is None:
        raise Http404(_("本件尚未受理，没有受理通知书。"))
    if kind == "not-accepted" and case.status != Case.Status.NOT_ACCEPTED:
        raise Http404(_("本件没有不予受理通知书。"))
    if kind == "notice":
        notices = list(case.notices.all())
        raw = request.GET.get("n", "")
        notice = next((n for n in notices if str(n.sequence) == raw), notices[-1] if notices and not raw else None)
        if notice is None:
            raise Http404(_("没有找到该一次性告知书。"))
    progress_url = request.build_absolute_uri(reverse("case-progress-token", args=[case.progress_token]))
    staff = case.accepted_by or case.received_by
    if notice is not None:
        staff = notice.issued_by
    context = {
        "case": case,
        "kind": kind,
        "notice": notice,
        "staff_number": getattr(getattr(staff, "staff_profile", None), "staff_number", "") or staff.get_username(),
        "progress_url": progress_url,
        "qr": qr_data_uri(progress_url),
        "printed_on": local_date(),
        "owed": [o for o in case.owed.all() if o.supplied_at is None],
    }
    response = _render(request, "print.html", context)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- The chief representative's inbox --------------------------------------------------------


@staff_required(roles.CHIEF_REPRESENTATIVE, message=gettext_lazy("部门待办仅向派驻大厅的首席事务代表开放。"))
def inbox(request: HttpRequest) -> HttpResponse:
    hall_id, department_id = access_inbox(request.user)
    today = local_date()
    box = selectors.department_inbox(hall_id=hall_id, department_id=department_id, today=today)
    sections = [
        ("overdue", _("已超期"), box.overdue),
        ("due_soon", _("临近期限"), box.due_soon),
        ("owed_overdue", _("容缺材料逾期未补"), box.owed_overdue),
        ("to_review", _("待审查、待决定"), box.to_review),
        ("special_steps", _("特殊环节中"), box.special_steps),
        ("corrections", _("受理后等待补正"), box.corrections),
        ("to_finish", _("已决定，待生成结果"), box.to_finish),
    ]
    context = {
        "sections": [(key, title, rows, box.counts.get(key, 0)) for key, title, rows in sections],
        "hall": Hall.objects.get(pk=hall_id),
        "today": today,
    }
    return _render(request, "inbox.html", context)


# --- Supervisors -----------------------------------------------------------------------------


def _supervision(request: HttpRequest, hall: Hall | None) -> HttpResponse:
    today = local_date()
    hall_ids = [hall.pk] if hall is not None else case_hall_ids(request.user)
    start = today - dt.timedelta(days=29)
    context = {
        "hall": hall,
        "today": today,
        "summary": selectors.warning_summary(hall_ids=hall_ids),
        "overdue": selectors.deadline_list(hall_ids=hall_ids, today=today, colour=Case.Warning.RED, limit=20),
        "due_soon": selectors.deadline_list(hall_ids=hall_ids, today=today, colour=Case.Warning.YELLOW, limit=20),
        "figures": selectors.item_ticket_figures(hall_ids=hall_ids, start=start, end=today),
        "start": start,
    }
    return _render(request, "supervision.html", context)


@supervisor_required
def supervision(request: HttpRequest) -> HttpResponse:
    return _supervision(request, None)


@supervisor_required
def supervision_hall(request: HttpRequest, code: str) -> HttpResponse:
    return _supervision(request, access_hall(request.user, code, roles_allowed=roles.SUPERVISION_ROLES))


# --- Public progress -------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Case number and the last four digits of the mobile or ID number; a wrong pair and an
    unknown number are answered alike, and the look-ups are rate-limited."""
    status = 200
    found = None
    if request.method == "POST":
        form = forms.ProgressForm(request.POST)
        if form.is_valid():
            try:
                case = services.case_progress_lookup(
                    number=form.cleaned_data["number"],
                    digits=form.cleaned_data["digits"],
                    client_ip=client_address(request),
                )
            except services.CaseError as exc:
                forms.add_case_error(form, exc)
                status = exc.status
            else:
                found = selectors.case_progress(selectors.progress_queryset().get(pk=case.pk))
        else:
            status = 400
    else:
        form = forms.ProgressForm()
    return _private(_render(request, "progress.html", {"form": form, "progress": found}, status=status))


@never_cache
def progress_token(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.case_progress_by_token(token)
    if found is None:
        raise Http404(_("没有找到该办件。"))
    return _private(_render(request, "progress.html", {"form": None, "progress": found}))
