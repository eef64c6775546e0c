"""The staffing pages: staff's own page and the code of conduct (/staff/), the chief
representative's page for their department (/staff/department/), the supervisors' roster and a
person's record with the conduct incidents they record, there or from a rectification order or a
"办不成事" report (/supervisor/staffing/).

Every write goes through ``staffing.services``; a refusal comes back on the form beside its field
with its status."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from catalog.models import HALL_ORDER, Hall
from feedback import rectification, selectors_reports
from servicehall import roles
from servicehall.access import (
    acts_as_chief,
    signed_in,
    staff_required,
    staff_scope,
    supervised_hall_ids,
    supervisor_required,
)
from servicehall.clock import local_date
from servicehall.pagination import paginate, requested_page
from staffing import replacements, selectors, services, workload
from staffing.access import (
    DepartmentChoiceError,
    access_department_page,
    access_secondment,
    access_surge,
    surges_visible,
    workload_hall_ids,
)
from staffing.forms import (
    DepartmentChoiceForm,
    IncidentForm,
    LinkedIncidentForm,
    PlannerForm,
    RosterFilterForm,
    SurgeFilterForm,
    SurgeHandleForm,
)
from staffing.forms_dual import ReplacementRequestForm
from staffing.models import ConductIncident, Secondment, SurgeFlag

PER_PAGE = 50
ATTENDANCE_PER_PAGE = 30


def _render(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return TemplateResponse(request, f"staffing/{name}", context, status=status)


# --- Staff -----------------------------------------------------------------------------------


@staff_required()
def me(request: HttpRequest) -> HttpResponse:
    """The staff member's own record: secondment, training and skill level, attendance."""
    user = signed_in(request.user)
    page_number, page_error = requested_page(request)
    trainings = selectors.trainings_of(user.pk)
    context = {
        "secondment": selectors.current_secondment(user.pk),
        "trainings": trainings,
        "has_pre_job": any(row.kind == row.Kind.PRE_JOB for row in trainings),
        "skills": selectors.skills_of(user.pk),
        "attendance": paginate(selectors.attendance_of(user.pk), page_number=page_number, per_page=ATTENDANCE_PER_PAGE),
        "page_error": page_error,
        "code": selectors.published_code(),
    }
    return _render(request, "me.html", context, status=400 if page_error else 200)


@staff_required()
def conduct_code(request: HttpRequest) -> HttpResponse:
    return _render(request, "conduct_code.html", {"code": selectors.published_code()})


# --- Supervisors -----------------------------------------------------------------------------


@supervisor_required
def roster(request: HttpRequest) -> HttpResponse:
    """Seconded staff by hall and department with their flags (Art. 8 ¶2 tenure, Art. 7 ¶2
    pre-job education), filtered and paginated."""
    hall_ids = supervised_hall_ids(request.user)
    form = RosterFilterForm(request.GET or None, hall_ids=hall_ids)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    rows = Secondment.objects.none()
    counts: dict[str, Any] = {
        "total": 0,
        "short_tenure": 0,
        "no_pre_job": 0,
        "open_replacements": 0,
        "overdue_replacements": 0,
    }
    today = local_date()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        hall, department = data.get("hall"), data.get("department")
        base = selectors.roster(
            hall_ids=hall_ids,
            hall_id=hall.pk if hall else None,
            department_id=department.pk if department else None,
            status=data.get("status", ""),
            today=today,
        )
        counts = selectors.roster_counts(base)
        rows = selectors.roster(
            hall_ids=hall_ids,
            hall_id=hall.pk if hall else None,
            department_id=department.pk if department else None,
            status=data.get("status", ""),
            flag=data.get("flag", ""),
            today=today,
        )
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    now = timezone.now()
    context = {
        "form": form,
        "page": paginate(rows, page_number=page_number, per_page=PER_PAGE),
        "counts": counts,
        # The workload flags (Art. 6 ¶4): the surges not yet handled, as the surge list counts
        # them, and the windows the plan asks for in this hour against the windows open now.
        **_open_surges(request, today=local_date(now)),
        "windows_now": workload.windows_now(hall_ids=hall_ids, now=now),
        "query": query,
        "page_error": page_error,
    }
    return _render(request, "roster.html", context, status=status)


ROSTER_SURGE_LINKS = 10  # the flags named on the roster; the count covers them all


def _open_surges(request: HttpRequest, *, today: dt.date) -> dict[str, Any]:
    rows = selectors.open_surges(surges_visible(request.user))
    shown = list(rows[: ROSTER_SURGE_LINKS + 1])
    count = len(shown) if len(shown) <= ROSTER_SURGE_LINKS else rows.count()
    return {"open_surges": shown[:ROSTER_SURGE_LINKS], "open_surge_count": count, "today": today}


def _person(
    request: HttpRequest,
    secondment: Secondment,
    form: IncidentForm,
    *,
    status: int = 200,
    replacement_form: ReplacementRequestForm | None = None,
) -> HttpResponse:
    trainings = selectors.trainings_of(secondment.user_id)
    if replacement_form is None:
        deadline = replacements.default_deadline(local_date())
        replacement_form = ReplacementRequestForm(initial={"deadline": deadline.isoformat()})
    context = {
        "secondment": secondment,
        "trainings": trainings,
        "has_pre_job": any(row.kind == row.Kind.PRE_JOB for row in trainings),
        "skills": selectors.skills_of(secondment.user_id),
        "attendance": list(selectors.attendance_of(secondment.user_id)[:20]),
        "incidents": list(secondment.incidents.select_related("recorded_by__staff_profile")),
        "form": form,
        # Art. 8 ¶2: the open request to the sending department, or the form to make one.
        "replacement_open": replacements.open_request_of(secondment),
        "replacement_form": replacement_form,
    }
    return _render(request, "person.html", context, status=status)


@supervisor_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A seconded person's record; supervisors of the hall record a conduct incident here."""
    secondment = access_secondment(request.user, pk)
    if request.method != "POST":
        return _person(request, secondment, IncidentForm())
    form = IncidentForm(request.POST)
    if not form.is_valid():
        return _person(request, secondment, form, status=400)
    data = form.cleaned_data
    try:
        services.incident_record(
            secondment=secondment,
            actor=request.user,
            source=data["source"],
            occurred_on=data["occurred_on"],
            description=data["description"],
            reference=data["reference"],
        )
    except services.StaffingError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _person(request, secondment, form, status=exc.status)
    source = ConductIncident.Source(data["source"]).label
    messages.success(request, _("已记录违反行为规范情况（%(source)s）。") % {"source": source})
    return redirect("staffing-person", secondment.pk)


# --- The workload: window planner and surges (Art. 6 ¶4, Art. 8) -----------------------------

_WORKLOAD_ROLES = (*roles.SUPERVISION_ROLES, roles.CHIEF_REPRESENTATIVE)
_WORKLOAD_ONLY = gettext_lazy("此页面仅向政务服务管理部门、首席事务代表和系统管理员开放。")


def _render_workload(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    # A chief representative's breadcrumbs lead to their workbench, not to supervisors' pages.
    supervises = staff_scope(request.user).has_role(*roles.SUPERVISION_ROLES)
    return _render(request, name, {**context, "supervises": supervises}, status=status)


@staff_required(*_WORKLOAD_ROLES, message=_WORKLOAD_ONLY)
def planner(request: HttpRequest) -> HttpResponse:
    """Per opening hour of a day: windows needed for the target by Erlang C against windows open."""
    hall_ids = workload_hall_ids(request.user)
    now = timezone.now()
    data = request.GET.copy()
    if not data.get("hall"):
        default = Hall.objects.filter(pk__in=hall_ids) if hall_ids is not None else Hall.objects.all()
        # The city centre first (a citywide supervisor opening the planner), as in every list.
        first = default.order_by(*HALL_ORDER).values_list("code", flat=True).first()
        if first:
            data["hall"] = first
    data.setdefault("date", local_date(now).isoformat())
    form = PlannerForm(data, hall_ids=hall_ids)
    plan = None
    status = 200
    if not form.is_valid():
        status = 400 if request.GET else 200
    else:
        cleaned = form.cleaned_data
        share = cleaned.get("target_share")
        plan = workload.plan_day(
            hall=cleaned["hall"],
            day=cleaned["date"],
            category=cleaned["queue"],
            target_share=share / 100 if share else None,
            target_wait_minutes=cleaned.get("target_wait_minutes"),
            now=now,
        )
    return _render_workload(
        request, "planner.html", {"form": form, "plan": plan, "today": local_date(now)}, status=status
    )


@staff_required(*_WORKLOAD_ROLES, message=_WORKLOAD_ONLY)
def surges(request: HttpRequest) -> HttpResponse:
    """Surge flags of the halls the user covers (a chief representative: their department's)."""
    rows = surges_visible(request.user)
    form = SurgeFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    if form.is_bound and not form.is_valid():
        status, rows = 400, rows.none()
    elif form.is_bound and form.cleaned_data.get("status") == SurgeFlag.Status.OPEN:
        rows = selectors.open_surges(rows)  # the roster's count of 待处理 is this one
    elif form.is_bound and form.cleaned_data.get("status"):
        rows = rows.filter(status=form.cleaned_data["status"])
    rows = rows.select_related("hall", "category", "department", "handled_by__staff_profile").order_by(
        "status", "-date", "hall__code", "category__letter", "pk"
    )
    context = {
        "form": form,
        "page": paginate(rows, page_number=page_number, per_page=PER_PAGE),
        "page_error": page_error,
    }
    return _render_workload(request, "surges.html", context, status=status)


@staff_required(*_WORKLOAD_ROLES, message=_WORKLOAD_ONLY)
@require_http_methods(["GET", "POST"])
def surge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One surge flag; a supervisor of the hall or the department's chief representative records
    the decision (增派 N 人 / 无需增派)."""
    flag = access_surge(request.user, pk)
    if request.method != "POST":
        return _render_workload(request, "surge.html", {"flag": flag, "form": SurgeHandleForm()})
    form = SurgeHandleForm(request.POST)
    if not form.is_valid():
        return _render_workload(request, "surge.html", {"flag": flag, "form": form}, status=400)
    data = form.cleaned_data
    try:
        services.surge_handle(
            flag=flag,
            actor=request.user,
            decision=data["decision"],
            extra_staff=data.get("extra_staff"),
            note=data.get("note") or "",
        )
    except services.StaffingError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _render_workload(request, "surge.html", {"flag": flag, "form": form}, status=exc.status)
    messages.success(request, _("已登记处理结果。"))
    return redirect("staffing-surge", flag.pk)


# --- The chief representative's page for their department (Art. 8 ¶3) -----------------------


@staff_required(
    roles.CHIEF_REPRESENTATIVE,
    *roles.SUPERVISION_ROLES,
    message=gettext_lazy("本页面仅向首席事务代表和大厅管理人员开放。"),
)
@require_safe
def department(request: HttpRequest) -> HttpResponse:
    """The department at the hall, read-only with links to where things are decided: its
    seconded staff, items, cases owed, urgent requests, reports, orders and incidents. A
    supervisor picks the department (``?department=``, and ``?hall=`` when citywide)."""
    scope = staff_scope(request.user)
    supervisor = scope.has_role(*roles.SUPERVISION_ROLES)
    hall_code = request.GET.get("hall", "").strip()
    department_code = request.GET.get("department", "").strip()
    form = None
    if supervisor:
        initial = {"hall": hall_code or (scope.hall_id and Hall.objects.filter(pk=scope.hall_id).first())}
        form = DepartmentChoiceForm(
            request.GET if request.GET else None, hall_ids=supervised_hall_ids(request.user), initial=initial
        )
    try:
        hall, dept = access_department_page(request.user, hall_code=hall_code, department_code=department_code)
    except DepartmentChoiceError as exc:
        asked = bool(hall_code or department_code)
        if exc.field == "department" and "department" not in request.GET and form is not None:
            # A hall named and no department field (the hall dashboard's link "各部门情况"): the
            # picker with that hall chosen, not a refusal of a choice nobody has made yet.
            form = DepartmentChoiceForm(None, hall_ids=supervised_hall_ids(request.user), initial=initial)
            asked = False
        if form is not None and form.is_bound:
            form.is_valid()
            if exc.field in form.fields and not form.has_error(exc.field):
                form.add_error(exc.field, exc.message)
        return _render(
            request,
            "department.html",
            {"form": form, "summary": None, "supervisor": supervisor},
            status=400 if asked else 200,
        )
    summary = selectors.department_summary(hall=hall, department=dept, today=local_date())
    context = {
        "form": form,
        "summary": summary,
        "supervisor": supervisor,
        # Links to where things are decided, for the one who decides them there.
        "is_chief": acts_as_chief(request.user, hall.pk, dept.pk),
    }
    return _render(request, "department.html", context)


# --- Conduct incidents from feedback (Art. 7 ¶2) ---------------------------------------------


def _linked_page(
    request: HttpRequest, *, source: Any, form: LinkedIncidentForm, kind: str, status: int = 200
) -> HttpResponse:
    return _render(request, "incident_from.html", {"source": source, "form": form, "kind": kind}, status=status)


def _refused(form: LinkedIncidentForm, exc: services.StaffingError) -> int:
    if exc.status == 403:
        raise PermissionDenied(str(exc.message)) from exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return exc.status


@supervisor_required
@require_http_methods(["GET", "POST"])
def incident_from_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the rated clerk's conduct incident from a bad rating's order found valid."""
    order = rectification.access_order(request.user, pk)
    if request.method != "POST":
        return _linked_page(request, source=order, form=LinkedIncidentForm(), kind="order")
    form = LinkedIncidentForm(request.POST)
    if not form.is_valid():
        return _linked_page(request, source=order, form=form, kind="order", status=400)
    try:
        services.incident_from_order(order=order, actor=request.user, description=form.cleaned_data["description"])
    except services.StaffingError as exc:
        return _linked_page(request, source=order, form=form, kind="order", status=_refused(form, exc))
    messages.success(request, _("已记录行为问题（差评，整改单%(number)s）。") % {"number": order.number})
    return redirect("rectification-detail", order.pk)


@supervisor_required
@require_http_methods(["GET", "POST"])
def incident_from_report(request: HttpRequest, number: str) -> HttpResponse:
    """Record a clerk's conduct incident from a "办不成事" report or complaint about them."""
    report = selectors_reports.access_report(request.user, number)
    if request.method != "POST":
        return _linked_page(request, source=report, form=LinkedIncidentForm(hall_id=report.hall_id), kind="report")
    form = LinkedIncidentForm(request.POST, hall_id=report.hall_id)
    if not form.is_valid():
        return _linked_page(request, source=report, form=form, kind="report", status=400)
    try:
        services.incident_from_report(
            report=report,
            secondment=form.cleaned_data["secondment"],
            actor=request.user,
            description=form.cleaned_data["description"],
        )
    except services.StaffingError as exc:
        return _linked_page(request, source=report, form=form, kind="report", status=_refused(form, exc))
    messages.success(request, _("已记录行为问题（投诉，反映%(number)s）。") % {"number": report.number})
    return redirect("report-detail", report.number)
