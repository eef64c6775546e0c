"""Forwarding pages (转办, Art. 12; cases/forwarding.py): the "转办" form of a received case (the
receiving hall's counter staff), the forwarding inbox of a hall (incoming forwardings to take over
or return with a reason, and those the hall sent, with what came of them). Every write goes
through ``cases.forwarding``; a refusal comes back on its form with its status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases import forwarding as services
from cases.access import access_case
from cases.models import Case, Forwarding
from cases.services import CaseError
from catalog.models import Hall
from servicehall import roles
from servicehall.access import staff_required, staff_scope
from servicehall.http import post_action

NO_FORWARDING = gettext_lazy("只有大厅窗口工作人员和首席事务代表可以办理转办。")
INBOX_ROWS = 50


class ForwardForm(forms.Form):
    to_hall = forms.ChoiceField(label=gettext_lazy("转至（有管辖权的大厅）"))
    collect_at = forms.ChoiceField(
        label=gettext_lazy("申请人选择的结果领取方式"),
        choices=Forwarding.CollectAt.choices,
        initial=Forwarding.CollectAt.RECEIVED_HALL,
        widget=forms.RadioSelect,
    )
    post_address = forms.CharField(
        label=gettext_lazy("邮寄地址（选择邮寄送达时必填）"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("结果由办理大厅寄出；请写明省市区、街道门牌和收件人。"),
    )
    note = forms.CharField(label=gettext_lazy("转办说明"), max_length=300, required=False)

    def __init__(self, *args: Any, halls: list[Hall], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.halls = {str(h.pk): h for h in halls}
        to_hall = self.fields["to_hall"]
        assert isinstance(to_hall, forms.ChoiceField)
        to_hall.choices = [("", _("请选择")), *((str(h.pk), h.display_name) for h in halls)]

    def hall(self) -> Hall | None:
        return self.halls.get(self.cleaned_data.get("to_hall", ""))


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回理由"),
        max_length=300,
        error_messages={"required": gettext_lazy("退回转办须写明理由。")},
    )


def _add_error(form: forms.Form, exc: CaseError) -> None:
    for name, texts in (exc.errors or {exc.field or "": [str(exc.message)]}).items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"cases/forwarding/{template}", context, status=status)


# --- Forwarding a case -----------------------------------------------------------------------


@staff_required(*roles.COUNTER_ROLES, message=NO_FORWARDING)
@require_http_methods(["GET", "HEAD", "POST"])
def forward(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(request.user, number, queryset=Case.objects.select_related("hall", "item", "guide_version"))
    refusal = services.forward_refusal(case)
    if refusal:
        # Taken over already, accepted, not on a list, no hall to receive it: the reason, no form.
        context = {"case": case, "refusal": refusal, "scope": services.forwarding_scope(case.guide_version)}
        return _render(request, "forward.html", context, status=409 if request.method == "POST" else 200)
    halls = list(services.jurisdiction_halls(case))
    status = 200
    if request.method == "POST":
        form = ForwardForm(request.POST, halls=halls)
        if form.is_valid():
            try:
                sent = services.case_forward(
                    case=case,
                    actor=request.user,
                    to_hall=form.hall(),
                    collect_at=form.cleaned_data["collect_at"],
                    post_address=form.cleaned_data["post_address"],
                    note=form.cleaned_data["note"],
                )
            except CaseError as exc:
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("已转办至%(hall)s，待其接收。") % {"hall": sent.to_hall.display_name})
                return redirect("case-detail", case.number)
        else:
            status = 400
    else:
        form = ForwardForm(halls=halls)
    context = {
        "case": case,
        "form": form,
        "scope": services.forwarding_scope(case.guide_version),
        "may_forward": services.may_forward(request.user, case),
    }
    return _render(request, "forward.html", context, status=status)


# --- The hall's forwarding inbox -------------------------------------------------------------


def _inbox(request: HttpRequest, *, bound: dict[int, ReturnForm] | None = None, status: int = 200) -> TemplateResponse:
    try:
        hall_id = services.counter_hall_id(request.user)
    except CaseError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    bound = bound or {}
    waiting = list(services.incoming(hall_id=hall_id)[:INBOX_ROWS])
    context = {
        "hall": Hall.objects.get(pk=hall_id),
        "waiting": [(f, bound.get(f.pk) or ReturnForm(prefix=f"return-{f.pk}")) for f in waiting],
        "handled": list(services.handled_in(hall_id=hall_id)[:20]),
        "sent": list(services.outgoing(hall_id=hall_id)[:INBOX_ROWS]),
        "to_hand_out": list(services.to_hand_out(hall_id=hall_id)[:INBOX_ROWS]),
    }
    return _render(request, "inbox.html", context, status=status)


@staff_required(*roles.COUNTER_ROLES, message=NO_FORWARDING)
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request)


def _forwarding_of(request: HttpRequest, pk: int) -> Forwarding:
    """A forwarding of the user's hall (to or from it); 404 for another hall's, as for cases."""
    scope = staff_scope(request.user)
    found = Forwarding.objects.select_related("case", "to_hall", "from_hall").filter(pk=pk).first()
    if found is None or scope.hall_id not in (found.to_hall_id, found.from_hall_id):
        raise Http404(_("没有找到该转办。"))
    return found


@staff_required(*roles.COUNTER_ROLES, message=NO_FORWARDING)
@post_action("case-forwarding-inbox")
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    found = _forwarding_of(request, pk)
    try:
        services.forwarding_accept(forwarding=found, actor=request.user)
    except CaseError as exc:
        messages.error(request, str(exc.message))
        return _inbox(request, status=exc.status)
    messages.success(request, _("已接收办件 %(number)s，请核对材料后受理。") % {"number": found.case.number})
    return redirect("case-detail", found.case.number)


@staff_required(*roles.COUNTER_ROLES, message=NO_FORWARDING)
@post_action("case-forwarding-inbox")
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    found = _forwarding_of(request, pk)
    form = ReturnForm(request.POST, prefix=f"return-{pk}")
    if not form.is_valid():
        return _inbox(request, bound={pk: form}, status=400)
    try:
        services.forwarding_return(forwarding=found, actor=request.user, reason=form.cleaned_data["reason"])
    except CaseError as exc:
        _add_error(form, exc)
        return _inbox(request, bound={pk: form}, status=exc.status)
    messages.success(
        request,
        _("已将办件 %(number)s 退回%(hall)s。") % {"number": found.case.number, "hall": found.from_hall.display_name},
    )
    return redirect("case-forwarding-inbox")
