"""The chief representative's read of the dual management of their department's seconded staff
(Art. 8 ¶1–3), linked from /staff/department/: the replacement requests the hall's management
department addressed to the department, where the chief records the replacement put in post,
and the annual assessment proposals (read-only: the management department proposes them).

Only the recorded chief representative, and only their own department at their own hall: a
request or person of another department or hall is not found (404), like a surge flag that is
not theirs to know of. Supervisors use their own pages under /supervisor/staffing/."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from catalog.models import Department, Hall
from servicehall import roles
from servicehall.access import chief_department, chief_refusal, staff_required, staff_scope
from servicehall.clock import local_date
from servicehall.http import post_action
from servicehall.pagination import paginate, requested_page
from staffing import assessments, replacements
from staffing.forms_dual import DepartmentAssessmentFilterForm, DepartmentReplacementFilterForm, ReplacementCloseForm
from staffing.models import ReplacementRequest, Secondment
from staffing.services import StaffingError

PER_PAGE = 50
ASSESSMENTS_PER_PAGE = 100
_CHIEF_ONLY = gettext_lazy("本页面仅向登记在岗的首席事务代表开放；政务服务管理部门请在派驻人员管理中查看。")


def _own_department(request: HttpRequest) -> tuple[Hall, Department]:
    """The recorded chief representative's department and hall; 403 for anyone else (a deputy
    is told why)."""
    own = chief_department(request.user)
    if own is None:
        scope = staff_scope(request.user)
        raise PermissionDenied(chief_refusal(request.user, scope.hall_id, scope.department_id, _CHIEF_ONLY))
    return Hall.objects.get(pk=own[0]), Department.objects.get(pk=own[1])


def _render(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return TemplateResponse(request, f"staffing/{name}", {**context, "chief": True}, status=status)


@staff_required(roles.CHIEF_REPRESENTATIVE, message=_CHIEF_ONLY)
@require_safe
def replacement_list(request: HttpRequest) -> HttpResponse:
    """The replacement requests addressed to the department at the hall, overdue flagged."""
    hall, department = _own_department(request)
    form = DepartmentReplacementFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    rows = ReplacementRequest.objects.none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows = replacements.request_list(
            hall_ids=[hall.pk],
            today=local_date(),
            department_id=department.pk,
            status=data.get("status", ""),
            overdue=bool(data.get("overdue")),
        )
    context = {
        "form": form,
        "page": paginate(rows, page_number=page_number, per_page=PER_PAGE),
        "query": urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v]),
        "page_error": page_error,
        "hall": hall,
        "department": department,
    }
    return _render(request, "replacements.html", context, status=status)


def _access_request(request: HttpRequest, pk: int) -> ReplacementRequest:
    hall, department = _own_department(request)
    found = (
        replacements.request_list(hall_ids=[hall.pk], today=local_date(), department_id=department.pk)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("没有找到该更换要求。"))
    return found


def _detail(
    request: HttpRequest, item: ReplacementRequest, *, close_form: ReplacementCloseForm | None = None, status: int = 200
) -> HttpResponse:
    candidates = replacements.replacement_candidates(item)
    context = {
        "item": item,
        "close_form": close_form or ReplacementCloseForm(candidates=candidates),
        "has_candidates": candidates.exists() if item.status == ReplacementRequest.Status.OPEN else False,
    }
    return _render(request, "replacement.html", context, status=status)


@staff_required(roles.CHIEF_REPRESENTATIVE, message=_CHIEF_ONLY)
@require_safe
def replacement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _access_request(request, pk))


@staff_required(roles.CHIEF_REPRESENTATIVE, message=_CHIEF_ONLY)
@post_action("staffing-department-replacement", "pk")
def replacement_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The chief representative records the replacement the department put in post."""
    item = _access_request(request, pk)
    form = ReplacementCloseForm(request.POST, candidates=replacements.replacement_candidates(item))
    if not form.is_valid():
        return _detail(request, item, close_form=form, status=400)
    try:
        replacements.replacement_close(request=item, actor=request.user, replacement=form.cleaned_data["replacement"])
    except StaffingError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _detail(request, item, close_form=form, status=exc.status)
    messages.success(request, _("已确认接替人员到岗，更换要求办结，并告知政务服务管理部门。"))
    return redirect("staffing-department-replacement", item.pk)


@staff_required(roles.CHIEF_REPRESENTATIVE, message=_CHIEF_ONLY)
@require_safe
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The department's staff at the hall for a year (default: last year; this year in December) with their figures and
    the management department's proposal once submitted; a draft is the management department's
    own until then (Art. 8 ¶1)."""
    hall, department = _own_department(request)
    form = DepartmentAssessmentFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    today = local_date()
    year = None
    if not (form.is_bound and not form.is_valid()):
        year = (form.cleaned_data.get("year") if form.is_bound else None) or assessments.default_year(today)
        if year > today.year:
            form.add_error("year", _("考核年度不能晚于今年。"))
            year = None
    status = 400 if page_error or year is None else 200
    rows: Any = Secondment.objects.none()
    if year is not None:
        rows = assessments.assessment_rows(hall_ids=[hall.pk], year=year, hall_id=hall.pk, department_id=department.pk)
    page = paginate(rows, page_number=page_number, per_page=ASSESSMENTS_PER_PAGE)
    entries = []
    for row in page.object_list:
        submitted, drafting = assessments.submitted_proposal_of(row)
        entries.append({"s": row, "figures": assessments.figures_of(row), "proposal": submitted, "drafting": drafting})
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    if year is not None and not request.GET.get("year"):
        params.append(("year", str(year)))
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "year": year,
        "query": urlencode(params),
        "page_error": page_error,
        "hall": hall,
        "department": department,
    }
    return _render(request, "assessments.html", context, status=status)
