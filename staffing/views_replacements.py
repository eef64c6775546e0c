"""The pages of replacement requests (要求派出单位更换, Art. 8 ¶2) under /supervisor/staffing/:
the request made from a person's page, the list with its filters, and a request's page where it
is closed (the replacement in post) or withdrawn. Every write goes through
``staffing.replacements``; a refusal comes back on the form beside its field with its status."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from servicehall.access import supervised_hall_ids, supervisor_required
from servicehall.clock import local_date
from servicehall.http import post_action
from servicehall.pagination import paginate, requested_page
from staffing import replacements
from staffing.access import access_secondment
from staffing.forms import IncidentForm
from staffing.forms_dual import ReplacementCloseForm, ReplacementFilterForm, ReplacementRequestForm, WithdrawForm
from staffing.models import ReplacementRequest
from staffing.services import StaffingError
from staffing.views import _person

PER_PAGE = 50


def _refused(form: Any, exc: StaffingError) -> int:
    if exc.status == 403:
        raise PermissionDenied(str(exc.message)) from exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return exc.status


@supervisor_required
@post_action("staffing-person", "pk")
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """要求派出单位更换, from the person's page."""
    secondment = access_secondment(request.user, pk)
    form = ReplacementRequestForm(request.POST)
    if not form.is_valid():
        return _person(request, secondment, IncidentForm(), replacement_form=form, status=400)
    try:
        replacements.replacement_request(
            secondment=secondment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            deadline=form.cleaned_data["deadline"],
        )
    except StaffingError as exc:
        status = _refused(form, exc)
        return _person(request, secondment, IncidentForm(), replacement_form=form, status=status)
    messages.success(request, _("已要求派出单位更换该人员，并通知其首席事务代表。"))
    return redirect("staffing-person", secondment.pk)


@supervisor_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests at the halls the supervisor covers, filtered and paginated; overdue flagged."""
    hall_ids = supervised_hall_ids(request.user)
    form = ReplacementFilterForm(request.GET or None, hall_ids=hall_ids)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    rows = ReplacementRequest.objects.none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        hall, department = data.get("hall"), data.get("department")
        rows = replacements.request_list(
            hall_ids=hall_ids,
            today=local_date(),
            hall_id=hall.pk if hall else None,
            department_id=department.pk if department else None,
            status=data.get("status", ""),
            overdue=bool(data.get("overdue")),
        )
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "form": form,
        "page": paginate(rows, page_number=page_number, per_page=PER_PAGE),
        "query": query,
        "page_error": page_error,
    }
    return TemplateResponse(request, "staffing/replacements.html", context, status=status)


def _access_request(request: HttpRequest, pk: int) -> ReplacementRequest:
    """The request, if it concerns a hall the user supervises (404 / 403 otherwise)."""
    hall_ids = supervised_hall_ids(request.user)
    found = replacements.request_list(hall_ids=None, today=local_date()).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该更换要求。"))
    if hall_ids is not None and found.secondment.hall_id not in hall_ids:
        raise PermissionDenied(_("您只能查看本大厅的派驻人员。"))
    return found


def _detail(
    request: HttpRequest,
    item: ReplacementRequest,
    *,
    close_form: ReplacementCloseForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    candidates = replacements.replacement_candidates(item)
    context = {
        "item": item,
        "close_form": close_form or ReplacementCloseForm(candidates=candidates),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "has_candidates": candidates.exists() if item.status == ReplacementRequest.Status.OPEN else False,
    }
    return TemplateResponse(request, "staffing/replacement.html", context, status=status)


@supervisor_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _access_request(request, pk))


@supervisor_required
@post_action("staffing-replacement", "pk")
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _access_request(request, pk)
    form = ReplacementCloseForm(request.POST, candidates=replacements.replacement_candidates(item))
    if not form.is_valid():
        return _detail(request, item, close_form=form, status=400)
    try:
        replacements.replacement_close(request=item, actor=request.user, replacement=form.cleaned_data["replacement"])
    except StaffingError as exc:
        status = _refused(form, exc)
        return _detail(request, item, close_form=form, status=status)
    messages.success(request, _("已确认接替人员到岗，更换要求办结。"))
    return redirect("staffing-replacement", item.pk)


@supervisor_required
@post_action("staffing-replacement", "pk")
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _access_request(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, item, withdraw_form=form, status=400)
    try:
        replacements.replacement_withdraw(request=item, actor=request.user, reason=form.cleaned_data["reason"])
    except StaffingError as exc:
        status = _refused(form, exc)
        return _detail(request, item, withdraw_form=form, status=status)
    messages.success(request, _("已撤回更换要求。"))
    return redirect("staffing-replacement", item.pk)
