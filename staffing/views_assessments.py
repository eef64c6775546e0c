"""The pages of annual assessment proposals (年度考核建议, Art. 8 ¶1) under
/supervisor/staffing/assessments/: everybody to assess in a year with their figures and their
proposal (or "missing"), a person's proposal (save, revise, submit), and the exports for the
sending department (CSV, and a printable A4 page per hall and department)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from servicehall.access import supervised_hall_ids, supervisor_required
from servicehall.clock import local_date
from servicehall.pagination import paginate, requested_page
from staffing import assessments
from staffing.access import access_secondment
from staffing.forms_dual import AssessmentFilterForm, ProposalForm
from staffing.models import AssessmentProposal, Secondment
from staffing.services import StaffingError

PER_PAGE = 100


def _filters(request: HttpRequest) -> tuple[AssessmentFilterForm, dict[str, Any] | None]:
    """The filter form and, when valid, (year, hall_id, department_id, hall, department)."""
    hall_ids = supervised_hall_ids(request.user)
    form = AssessmentFilterForm(request.GET or None, hall_ids=hall_ids)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    today = local_date()
    year = data.get("year") or assessments.default_year(today)
    if year > today.year:
        form.add_error("year", _("考核年度不能晚于今年。"))
        return form, None
    hall, department = data.get("hall"), data.get("department")
    return form, {"year": year, "hall_ids": hall_ids, "hall": hall, "department": department}


def _rows(chosen: dict[str, Any]) -> Any:
    return assessments.assessment_rows(
        hall_ids=chosen["hall_ids"],
        year=chosen["year"],
        hall_id=chosen["hall"].pk if chosen["hall"] else None,
        department_id=chosen["department"].pk if chosen["department"] else None,
    )


@supervisor_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    page_number, page_error = requested_page(request)
    status = 400 if page_error or chosen is None else 200
    rows: Any = Secondment.objects.none()
    if chosen is not None:
        rows = _rows(chosen)
    page = paginate(rows, page_number=page_number, per_page=PER_PAGE)
    entries = [
        {"s": row, "figures": assessments.figures_of(row), "proposal": assessments.proposal_of(row)}
        for row in page.object_list
    ]
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    if chosen is not None and not request.GET.get("year"):
        params.append(("year", str(chosen["year"])))
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "year": chosen["year"] if chosen else None,
        "query": urlencode(params),
        "page_error": page_error,
    }
    return TemplateResponse(request, "staffing/assessments.html", context, status=status)


def _proposal_page(
    request: HttpRequest,
    secondment: Secondment,
    year: int,
    form: ProposalForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    proposal = AssessmentProposal.objects.filter(secondment=secondment, year=year).first()
    context = {
        "secondment": secondment,
        "year": year,
        "figures": assessments.figures_for(secondment, year),
        "proposal": proposal,
        "form": form,
        "error": error,
    }
    return TemplateResponse(request, "staffing/assessment.html", context, status=status)


@supervisor_required
@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A person's proposal for a year: save or revise (``action=save``) or submit (``action=submit``)."""
    secondment = access_secondment(request.user, pk)
    try:
        assessments.check_year(year, today=local_date())
    except StaffingError as exc:
        return TemplateResponse(request, "400.html", {"message": exc.message}, status=400)
    if request.method != "POST":
        existing = AssessmentProposal.objects.filter(secondment=secondment, year=year).first()
        initial = {"grade": existing.grade, "justification": existing.justification} if existing else {}
        return _proposal_page(request, secondment, year, ProposalForm(initial=initial))
    if request.POST.get("action") == "submit":
        existing = AssessmentProposal.objects.filter(secondment=secondment, year=year).first()
        if existing is None:
            return _proposal_page(
                request, secondment, year, ProposalForm(), error=_("请先保存考核建议，再提交。"), status=400
            )
        try:
            assessments.proposal_submit(proposal=existing, actor=request.user)
        except StaffingError as exc:
            if exc.status == 403:
                raise PermissionDenied(str(exc.message)) from exc
            return _proposal_page(request, secondment, year, ProposalForm(), error=str(exc.message), status=exc.status)
        messages.success(request, _("考核建议已提交，不能再修改。"))
        return redirect("staffing-assessment", secondment.pk, year)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _proposal_page(request, secondment, year, form, status=400)
    try:
        assessments.proposal_save(
            secondment=secondment,
            actor=request.user,
            year=year,
            grade=form.cleaned_data["grade"],
            justification=form.cleaned_data["justification"],
        )
    except StaffingError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _proposal_page(request, secondment, year, form, status=exc.status)
    messages.success(request, _("考核建议已保存（依据数据已同时保存）。"))
    return redirect("staffing-assessment", secondment.pk, year)


def _filename(chosen: dict[str, Any], extension: str) -> str:
    parts = [str(chosen["year"])]
    if chosen["hall"]:
        parts.append(chosen["hall"].code)
    if chosen["department"]:
        parts.append(chosen["department"].code)
    plain = "assessment-" + "-".join(parts)
    readable = _("年度考核建议") + "-" + "-".join(parts)
    return f"attachment; filename=\"{plain}.{extension}\"; filename*=UTF-8''{quote(readable + '.' + extension)}"


@supervisor_required
def export_csv(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    if chosen is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    body = assessments.csv_text(assessments.export_rows(_rows(chosen)), year=chosen["year"])
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(chosen, "csv")
    response["Cache-Control"] = "no-store"
    return response


@supervisor_required
def print_sheets(request: HttpRequest) -> HttpResponse:
    """One A4 sheet per hall and department: the figures, the grades and signature lines."""
    form, chosen = _filters(request)
    if chosen is None:
        return TemplateResponse(request, "staffing/assessments_print.html", {"form": form, "sheets": []}, status=400)
    sheets: list[dict[str, Any]] = []
    for entry in assessments.export_rows(_rows(chosen)):
        row = entry["secondment"]
        if not sheets or sheets[-1]["key"] != (row.hall_id, row.department_id):
            sheets.append(
                {"key": (row.hall_id, row.department_id), "hall": row.hall, "department": row.department, "rows": []}
            )
        sheets[-1]["rows"].append(entry)
    context = {
        "form": form,
        "sheets": sheets,
        "year": chosen["year"],
        "printed_on": local_date(),
        "query": urlencode([(k, v) for k, v in request.GET.items() if v]),
    }
    return TemplateResponse(request, "staffing/assessments_print.html", context)
