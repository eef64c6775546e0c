"""The case pages (issue 10): the application at a window (from the console's called ticket) or by
post or online, a case's page for staff with the actions the viewer may take, the staff's case
list, the printable notices (A4, with a QR code to the public progress page), the chief
representative's inbox, the supervisors' deadline view, and the public progress look-up.

Every write goes through ``cases.services`` (one transaction each: a refused outcome leaves
nothing behind); a refusal comes back on the form beside its field, with its status (400 for a
shape, 403, 409, 422 for a rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases import bundles, forms, forwarding, selectors, services, urgent
from cases.access import access_case, access_case_scope, access_inbox, case_hall_ids
from cases.forwarding import chosen_collection, chosen_method, collect_text, forward_only_items
from cases.models import Case, CaseEvent, CaseMaterial, TicketItem
from catalog.access import access_hall
from catalog.models import Department, GuideVersion, Hall, ServiceItem
from queueing.access import access_window, window_hall_ticket
from queueing.console import console_action, console_panel
from queueing.models import Ticket, Window
from queueing.qr import qr_data_uri
from servicehall import extensions, roles
from servicehall.access import (
    AnyUser,
    acts_as_chief,
    chief_department,
    staff_required,
    staff_scope,
    supervisor_required,
)
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.http import client_address, post_action
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


@dataclass(frozen=True)
class ItemGroup:
    """An ``<optgroup>`` of the application form's item select."""

    label: str
    items: list[ServiceItem]


def item_groups(
    queue_items: list[ServiceItem], other_items: list[ServiceItem], forward_items: list[ServiceItem]
) -> list[ItemGroup]:
    """The item select's groups, empty ones left out: the ticket's queue's items, the hall's other
    items (one group per department when they come from several), the 通办 items received here
    to be forwarded. A single group is shown flat (the template): a header above every option of
    the list says nothing."""
    groups = [ItemGroup(_("本号码所排队列的事项"), queue_items)] if queue_items else []
    by_department: dict[int, list[ServiceItem]] = {}
    for item in other_items:
        by_department.setdefault(item.department_id, []).append(item)
    if len(by_department) > 1:
        groups += [
            ItemGroup(
                (_("本大厅其他事项 · %(department)s") if queue_items else _("本大厅事项 · %(department)s"))
                % {"department": items[0].department.display_name},
                items,
            )
            for items in by_department.values()
        ]
    elif other_items:
        groups.append(ItemGroup(_("本大厅办理的其他事项") if queue_items else _("本大厅办理的事项"), other_items))
    if forward_items:
        groups.append(ItemGroup(_("通办事项（本大厅收件后转办）"), forward_items))
    return groups


def _application(
    request: HttpRequest, *, hall: Hall, window: Window | None, ticket: Ticket | None, action: str
) -> HttpResponse:
    now = timezone.now()
    today = local_date(now)
    queue_items, other_items = _hall_items(hall, today, ticket)
    # 通办 items the hall does not handle itself: received here to be forwarded (cases/forwarding.py).
    forward_items = forward_only_items(hall, today)
    code = str(request.POST.get("item") or request.GET.get("item") or "").strip()
    offered = [*queue_items, *other_items, *forward_items]
    item = next((i for i in offered if i.code == code), None)
    # The applicant changes the item with the form filled in: the chooser posts the whole form
    # (``change_item``), so what was typed stays (never through a GET, which would put the ID
    # number in the URL), and the new item's checklist starts afresh.
    changing = request.method == "POST" and "change_item" in request.POST
    change_error, same_item = "", False
    if changing:
        new_code = str(request.POST.get("change_to") or "").strip()
        new_item = next((i for i in offered if i.code == new_code), None)
        if new_item is not None:
            same_item, item = new_item == item, new_item
        elif item is not None:  # nothing or an unknown item chosen: the current one stays
            change_error = _("请选择本大厅可受理的事项。")
    # For a ticket whose queue names its items, the select lists those, as 登记急事急办 does
    # (urgent.kiosk_items); the hall's other items stay a click away (?all_items=1), for a person
    # who queued in the wrong line. Any item of the hall is accepted all the same, and the item
    # chosen (changed to just now, too) is always listed.
    show_all = ticket is None or not queue_items or bool(request.POST.get("all_items") or request.GET.get("all_items"))
    show_all = show_all or (item is not None and item not in queue_items)
    listed_others, listed_forward = (other_items, forward_items) if show_all else ([], [])
    context: dict[str, Any] = {
        "hall": hall,
        "window": window,
        "ticket": ticket,
        "queue_items": queue_items,
        "other_items": other_items,
        "forward_items": forward_items,
        "item_groups": item_groups(queue_items, listed_others, listed_forward),
        "all_items": show_all and ticket is not None,
        "hidden_items": len(other_items) + len(forward_items) - len(listed_others) - len(listed_forward),
        "forward_only": item is not None and item in forward_items,
        "item": item,
        "action": action,
    }
    if item is None:
        # The chooser submitted with no item (?item=, or a post without one): say so, beside the
        # chooser and in the error summary, rather than reload silently.
        chose_nothing = ("item" in request.GET or request.method == "POST") and not code
        if code:
            context["item_error"] = _("本大厅没有该事项，或该事项没有现行有效的办事指南。")
        elif chose_nothing:
            context["item_error"] = _("请先选择申请事项，再打开该事项的材料清单。")
        return _render(request, "application.html", context, status=400 if code or chose_nothing else 200)
    version = GuideVersion.objects.current(today).filter(item=item).prefetch_related("materials").first()
    assert version is not None
    context["version"] = version
    # 急事急办 asked with the ticket (at the kiosk or with its booking): the case takes it on receipt.
    context["urgent_requests"] = urgent.decided_for_ticket(ticket) if ticket is not None else []
    status = 200
    if changing:
        # The same item again (or Enter in a field, which presses the chooser's button, the
        # form's first): the checklist as marked stays too.
        form = forms.ApplicationForm(
            initial=forms.ApplicationForm.typed(request.POST, checklist=same_item or bool(change_error)),
            version=version,
            with_window=window is not None,
        )
        context["item_error"] = change_error
        context["item_changed"] = not change_error and not same_item
        status = 400 if change_error else 200
    elif request.method == "POST":
        form = forms.ApplicationForm(request.POST, version=version, with_window=window is not None)
        if form.is_valid():
            outcome = form.outcome()
            received: dict[str, Any] = {
                "actor": request.user,
                "hall": hall,
                "item": item,
                "channel": Case.Channel.WINDOW if window is not None else form.cleaned_data["channel"],
                "applicant": form.applicant(),
                "mobile": form.cleaned_data["mobile"],
                "contact_name": form.cleaned_data["contact_name"],
                "checklist": form.checklist(),
                "window": window,
                "ticket": ticket,
                "now": now,
            }
            try:
                if outcome == "forward":
                    # 收件并转办: refused before the case exists when it could not be forwarded.
                    case = forwarding.case_receive_to_forward(**received)
                else:
                    case = services.case_receive(
                        **received,
                        outcome=outcome,
                        notice=form.notice() if outcome == "correction" else None,
                        reason=form.cleaned_data["reason"],
                        refer_to=form.cleaned_data["refer_to"],
                    )
            except services.CaseError as exc:
                forms.add_case_error(form, exc)
                status = exc.status
            else:
                if outcome == "forward":
                    message = _("已收件：%(number)s。请选择有管辖权的大厅转办。") % {"number": case.number}
                    messages.success(request, message)
                    return redirect("case-forward", case.number)
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
    if case.channel != Case.Channel.WINDOW or case.received_at_hall_id not in (None, case.hall_id):
        # Received by post or online, or at another hall and forwarded here: nobody to hand it to.
        return _("已受理：%(number)s。申请人不在本窗口：请打印受理通知书，邮寄或电子送达申请人。") % {
            "number": case.number
        }
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


# --- The items handled for a ticket (the console's "本次办理事项") ----------------------------


def _console_after(
    request: HttpRequest,
    window: Window,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    form: forms.TicketItemForm | None = None,
) -> HttpResponse:
    """htmx: the refreshed console panel, the form kept with its errors; plain form: back to the
    console with the message."""
    if getattr(request, "htmx", None):
        return console_panel(
            request, window, notice=notice, error=error, status=status, extra_context={"ticket_item_form": form}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("staff-home")


@console_action
@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("您只能在本人所属大厅的窗口办理。"))
@post_action("staff-home")
def ticket_item_record(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    """Record an item handled for the ticket at this window and its outcome (and, with
    ``finish``, finish the ticket in the same step)."""
    window = access_window(request.user, pk)
    ticket = window_hall_ticket(window, ticket_pk)
    form = forms.TicketItemForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        return _console_after(request, window, error=error, status=400, form=form)
    item = ServiceItem.objects.filter(code=form.cleaned_data["item"].strip()).first()
    finish = bool(request.POST.get("finish"))
    try:
        record = services.ticket_item_record(
            ticket=ticket, item=item, outcome=form.cleaned_data["outcome"], actor=request.user, finish=finish
        )
    except services.CaseError as exc:
        forms.add_case_error(form, exc)
        return _console_after(request, window, error=str(exc.message), status=exc.status, form=form)
    except DomainError as exc:  # finishing the ticket was refused (the queue's rules)
        return _console_after(request, window, error=str(exc.message), status=exc.status, form=form)
    values = {"number": ticket.number, "item": record.item.name, "outcome": record.get_outcome_display()}
    if finish:
        notice = _("已记录 %(number)s 办理事项：%(item)s（%(outcome)s），该号已办结。") % values
    else:
        notice = _("已记录 %(number)s 办理事项：%(item)s（%(outcome)s）。") % values
    return _console_after(request, window, notice=notice)


@console_action
@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("您只能在本人所属大厅的窗口办理。"))
@post_action("staff-home")
def ticket_item_remove(request: HttpRequest, pk: int, ticket_pk: int, record_pk: int) -> HttpResponse:
    """Take back an item recorded by mistake for the ticket at this window."""
    window = access_window(request.user, pk)
    ticket = window_hall_ticket(window, ticket_pk)
    record = TicketItem.objects.select_related("item").filter(pk=record_pk, ticket=ticket).first()
    if record is None:
        raise Http404(_("没有找到该办理事项记录。"))
    record.ticket = ticket
    try:
        services.ticket_item_remove(record=record, actor=request.user)
    except services.CaseError as exc:
        return _console_after(request, window, error=str(exc.message), status=exc.status)
    notice = _("已移除 %(number)s 的办理事项：%(item)s。") % {"number": ticket.number, "item": record.item.name}
    return _console_after(request, window, notice=notice)


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
    chief = department and acts_as_chief(user, case.hall_id, case.department_id)
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
    if chief and case.is_open and case.extension_days < case.guide_version.extension_limit_days:
        allowed.add("extend")  # not once the guide's extension limit is used up
    if department and status == Case.Status.DECIDED:
        allowed.add("result")
    collects = scope.works_at(case.collect_hall_id) if case.collect_hall_id else counter  # 转办: where chosen
    if collects and scope.has_role(*roles.COUNTER_ROLES) and status == Case.Status.RESULT_READY:
        allowed.add("collect")
    return allowed


NOTICE_STATUSES = (Case.Status.RECEIVED, Case.Status.CORRECTION, Case.Status.ACCEPTED, Case.Status.IN_REVIEW)


def notice_issuer(user: AnyUser, case: Case) -> str:
    """Who the viewer is to a one-time notice on ``case`` (the services decide again): "" when they
    may not issue one, "supervisor" for a supervisor covering the hall (who may override the
    one-time rule with a reason), else "staff" (the hall's counter staff before acceptance, the
    case's department at the hall after it)."""
    if case.status not in NOTICE_STATUSES:
        return ""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(case.hall_id):
        return "supervisor"
    counter = scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(case.hall_id)
    if counter and (case.accepted_on is None or scope.department_id == case.department_id):
        return "staff"
    return ""


def _supplied_materials(case: Case, action: str) -> list[Any]:
    if action == "owed":
        return [o.material for o in case.owed.all() if o.supplied_at is None]
    return [line.material for line in case.materials.all() if line.state in CaseMaterial.LACKING]


def _action_form(case: Case, action: str, data: Any = None) -> Any:
    """The form of ``action`` on ``case``, prefixed with the action (several on one page)."""
    if action == "accept":
        return forms.AcceptForm(
            data,
            materials=_supplied_materials(case, action),
            allows_deferred=case.guide_version.allows_deferred_acceptance,
            prefix=action,
        )
    if action in ("review", "step-end", "result"):
        return forms.ReasonForm(data, prefix=action)
    if action == "step-start":
        return forms.SpecialStepForm(data, case=case, prefix=action)
    if action == "extend":
        return forms.ExtendForm(data, case=case, prefix=action)
    if action == "decide":
        return forms.DecideForm(data, prefix=action)
    if action == "collect":
        form = forms.CollectForm(data, prefix=action)
        chosen = chosen_collection(case)
        if chosen is not None:
            # 转办: the applicant chose how to collect when the case was forwarded; only that way.
            method = chosen_method(case)
            field = form.fields["method"]
            assert isinstance(field, ChoiceField)
            field.choices = [(method, Case.Collection(method).label)]
            field.initial = method
            field.help_text = _("申请人转办时选择：%(where)s") % {"where": collect_text(chosen, public=False)}
        return form
    return forms.SuppliedForm(data, materials=_supplied_materials(case, action), prefix=action)


def _action_forms(case: Case, allowed: set[str], bound: dict[str, Any]) -> dict[str, Any]:
    return {name: bound.get(name) or _action_form(case, name) for name in ACTIONS if name in allowed}


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Any] | None = None,
    notice_form: forms.NoticeForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    allowed = allowed_actions(request.user, case)
    issuer = notice_issuer(request.user, case)
    if notice_form is None and issuer:
        notice_form = forms.NoticeForm(case=case, supervisor=issuer == "supervisor", prefix="notice")
    context = {
        "case": case,
        "mobile_masked": mask_mobile(case.contact_mobile),
        "forms": _action_forms(case, allowed, bound or {}),
        "notice_form": notice_form,
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
@post_action("case-detail", "number")
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
            result: Any = services.case_accept(
                case=case, actor=request.user, deferred=data.get("deferred", False), checklist=form.checklist()
            )
        elif action == "review":
            result = services.case_review_start(case=case, actor=request.user)
        elif action == "step-start":
            result = services.case_special_step_start(
                case=case, actor=request.user, step_id=data["step"], note=data["note"]
            )
        elif action == "step-end":
            result = services.case_special_step_end(case=case, actor=request.user, note=data["note"])
        elif action == "extend":
            result = services.case_extend(case=case, actor=request.user, days=data["days"], reason=data["reason"])
        elif action == "decide":
            result = services.case_decide(
                case=case,
                actor=request.user,
                approved=data["decision"] == Case.Decision.APPROVED,
                reason=data["reason"],
            )
        elif action == "result":
            result = services.case_result_ready(case=case, actor=request.user)
        elif action == "collect":
            result = services.case_collect(case=case, actor=request.user, method=data["method"], note=data["note"])
        elif action == "corrections":
            result = services.case_corrections_receive(case=case, actor=request.user, checklist=form.checklist())
        else:
            result = services.case_owed_supply(case=case, actor=request.user, checklist=form.checklist())
    except services.CaseError as exc:
        forms.add_case_error(form, exc)
        case = access_case(request.user, number)
        if action not in allowed_actions(request.user, case):
            # The case moved on (e.g. accepted by law meanwhile): the form is gone, say why here.
            messages.error(request, str(exc.message))
        return _case_page(request, case, bound={action: form}, status=exc.status)
    messages.success(request, _action_message(action, result))
    return redirect("case-detail", number)


def _action_message(action: str, result: Any) -> str:
    """What the flash message says after ``action`` on the case page (``result`` is what the
    service returned: the case, or the extension)."""
    if action == "extend":
        return _("已批准延期至 %(due)s。") % {"due": result.due_after.isoformat()}
    case: Case = result
    values = {"number": case.number, "due": case.due_on.isoformat() if case.due_on else "—"}
    if action == "accept":
        url = reverse("case-print", args=[case.number, "acceptance"])
        return format_html('{} <a href="{}">{}</a>', _outcome_message(case), url, _("打印受理通知书"))
    if action == "corrections":
        if case.status == Case.Status.CORRECTION:
            return _("已登记补正材料；一次性告知书所列材料尚未补齐，继续等待补正。")
        if case.accepted_on is None:
            return _("已登记补正材料，材料已补齐：请核对后受理。")
        return _("已登记补正材料，材料已补齐，恢复计时，办结期限 %(due)s。") % values
    messages_ = {
        "owed": _("已登记容缺后补材料。"),
        "review": _("已开始审查：%(number)s。") % values,
        "step-start": _("已进入特殊环节，暂停计时。"),
        "step-end": _("特殊环节已结束，恢复计时，办结期限 %(due)s。") % values,
        "decide": (_("已作出准予决定。") if case.decision == Case.Decision.APPROVED else _("已作出不予批准决定。"))
        + bundles.decision_note(case),
        "result": _("办理结果已生成，待出件。"),
        "collect": _("已出件：%(method)s。") % {"method": case.get_collection_display()},
    }
    return messages_[action]


@staff_required(
    *CASE_ROLES, message=gettext_lazy("只有窗口工作人员、首席事务代表和政务服务管理部门可以出具一次性告知书。")
)
@post_action("case-detail", "number")
def case_notice(request: HttpRequest, number: str) -> HttpResponse:
    """A one-time notice on a case already received: during review by the case's department (the
    clock stops), or a later or late one, which only a supervisor covering the hall may issue,
    with a reason. What was typed comes back with the refusal; nothing is saved then."""
    case = access_case(request.user, number)
    issuer = notice_issuer(request.user, case)
    form = forms.NoticeForm(request.POST, case=case, supervisor=issuer == "supervisor", prefix="notice")
    if not form.is_valid():
        return _case_page(request, case, notice_form=form, status=400)
    try:
        notice = services.case_notice(case=case, actor=request.user, notice=form.notice())
    except services.CaseError as exc:
        forms.add_case_error(form, exc)
        return _case_page(request, access_case(request.user, number), notice_form=form, status=exc.status)
    url = reverse("case-print", args=[number, "notice"]) + f"?n={notice.sequence}"
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("已出具第%(n)s次一次性告知书。") % {"n": notice.sequence},
            url,
            _("打印一次性告知书交申请人"),
        ),
    )
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
        # A bundle's sub-cases of other departments are not listed (cases/bundles.py).
        cases = bundles.visible_cases(request.user, cases)
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
        "is_chief": chief_department(request.user) is not None,
    }
    return _render(request, "case_list.html", context, status=status)


# --- Printable notices -----------------------------------------------------------------------

DOCUMENTS = {"acceptance", "notice", "not-accepted"}


def _print_window(case: Case, kind: str) -> Window | None:
    """The window a printed document names: for the acceptance notice, the one the accepting
    clerk was signed in at (recorded with the acceptance), else the receiving window; never a
    window of another hall (a forwarded case was received at the sending hall's)."""
    if kind == "acceptance":
        event = case.events.filter(kind=CaseEvent.Kind.ACCEPTED).order_by("-at", "-pk").first()
        window_id = (event.data or {}).get("window") if event is not None else None
        if window_id:
            return Window.objects.filter(pk=window_id, hall_id=case.hall_id).first()
    if case.window is not None and case.window.hall_id == case.hall_id:
        return case.window
    return None


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
        "window": _print_window(case, kind),
        "case": case,
        "kind": kind,
        "notice": notice,
        "staff_number": getattr(getattr(staff, "staff_profile", None), "staff_number", "") or staff.get_username(),
        "progress_url": progress_url,
        "qr": qr_data_uri(progress_url),
        "printed_on": local_date(),
        "owed": [o for o in case.owed.all() if o.supplied_at is None],
        "case_print_sections": extensions.sections(extensions.CASE_PRINT),
    }
    response = _render(request, "print.html", context)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- The chief representative's inbox --------------------------------------------------------


@staff_required(roles.CHIEF_REPRESENTATIVE, message=gettext_lazy("部门待办仅向派驻大厅的首席事务代表开放。"))
def inbox(request: HttpRequest) -> HttpResponse:
    """The first rows of each list; ``?section=`` pages through one list whole."""
    hall_id, department_id = access_inbox(request.user)
    today = local_date()
    titles = {
        "overdue": _("已超期"),
        "due_soon": _("临近期限"),
        "owed_overdue": _("容缺材料逾期未补"),
        "to_review": _("待审查、待决定"),
        "special_steps": _("特殊环节中"),
        "corrections": _("受理后等待补正"),
        "to_finish": _("已决定，待生成结果"),
    }
    context: dict[str, Any] = {
        "hall": Hall.objects.get(pk=hall_id),
        "department": Department.objects.get(pk=department_id),
        "today": today,
    }
    section = request.GET.get("section", "")
    if section:
        if section not in titles:
            raise Http404(_("没有该待办分类。"))
        page_number, page_error = requested_page(request)
        cases = selectors.inbox_sections(hall_id=hall_id, department_id=department_id, today=today)[section]
        context.update(
            section=section,
            section_title=titles[section],
            page=paginate(cases, page_number=page_number, per_page=PER_PAGE),
            query=urlencode({"section": section}),
            page_error=page_error,
        )
        return _render(request, "inbox.html", context, status=400 if page_error else 200)
    box = selectors.department_inbox(hall_id=hall_id, department_id=department_id, today=today)
    context["sections"] = [(key, title, getattr(box, key), box.counts.get(key, 0)) for key, title in titles.items()]
    return _render(request, "inbox.html", context)


# --- Supervisors -----------------------------------------------------------------------------


SUPERVISION_PER_PAGE = 20


def _supervision(request: HttpRequest, hall: Hall | None) -> HttpResponse:
    """The summary per hall and department, the overdue and due-soon cases (overdue first),
    filtered and paged with a fixed number of queries whatever the number of cases, and the
    figures per item."""
    today = local_date()
    hall_ids = [hall.pk] if hall is not None else case_hall_ids(request.user)
    start = today - dt.timedelta(days=29)
    form = forms.DeadlineFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    cases = Case.objects.none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        _, department_id = access_case_scope(request.user, department_code=data.get("department", ""))
        cases = selectors.deadline_cases(
            hall_ids=hall_ids,
            today=today,
            colour=data.get("warning", ""),
            department_id=department_id,
            item_code=data.get("item", "").strip(),
        )
    context = {
        "hall": hall,
        "today": today,
        "summary": selectors.warning_summary(hall_ids=hall_ids),
        "form": form,
        "page": paginate(cases, page_number=page_number, per_page=SUPERVISION_PER_PAGE),
        "query": urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v]),
        "page_error": page_error,
        "figures": selectors.item_ticket_figures(hall_ids=hall_ids, start=start, end=today),
        "start": start,
    }
    return _render(request, "supervision.html", context, status=status)


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
    found_bundle = None
    if request.method == "POST":
        form = forms.ProgressForm(request.POST)
        if form.is_valid() and bundles.BUNDLE_NUMBER_RE.fullmatch(form.cleaned_data["number"].strip().upper()):
            try:
                found_bundle = bundles.bundle_progress_lookup(
                    number=form.cleaned_data["number"],
                    digits=form.cleaned_data["digits"],
                    client_ip=client_address(request),
                )
            except services.CaseError as exc:
                forms.add_case_error(form, exc)
                status = exc.status
        elif form.is_valid():
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
        # The QR code of a bundle application's notice fills in its number (not personal data).
        form = forms.ProgressForm(initial={"number": request.GET.get("number", "")[:60]})
    context = {
        "form": form,
        "progress": found,
        "bundle_progress": found_bundle,
        "case_progress_sections": extensions.sections(extensions.CASE_PROGRESS),
    }
    return _private(_render(request, "progress.html", context, status=status))


@never_cache
def progress_token(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.case_progress_by_token(token)
    if found is None:
        raise Http404(_("没有找到该办件。"))
    context = {
        "form": None,
        "progress": found,
        "case_progress_sections": extensions.sections(extensions.CASE_PROGRESS),
    }
    return _private(_render(request, "progress.html", context))
