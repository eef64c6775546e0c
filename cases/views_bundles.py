"""Pages of the bundle applications (一件事, cases/bundles.py): the one form at the comprehensive
window, the application's page (its form's lines, the stages and due dates, the sub-cases the
viewer may see, and the window's actions: corrections, accept, 统一出件), the hall's list, and the
supervisors' view of bundles whose promised limit no longer keeps within the sum of their
members' promised limits. Every write goes through ``cases.bundles``."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases import bundles, forms
from cases.models import BundleCase, BundleCaseMaterial, Case, CaseMaterial, NoticeItem
from catalog.models import Bundle, Hall
from queueing.models import Window
from queueing.qr import qr_data_uri
from servicehall import roles
from servicehall.access import staff_required, staff_scope, supervisor_required
from servicehall.clock import local_date
from servicehall.http import post_action
from servicehall.personal_data import mask_mobile

BUNDLE_ROLES = (*roles.COUNTER_ROLES, *roles.SUPERVISION_ROLES)
STATE_CHOICES = [(v, label) for v, label in CaseMaterial.State.choices]


class BundleApplicationForm(django_forms.Form):
    """The applicant (the fields of the one-item application) and one line per form material."""

    channel = django_forms.ChoiceField(label=gettext_lazy("收件渠道"), choices=Case.Channel.choices)
    applicant_kind = forms.ApplicationForm.base_fields["applicant_kind"]
    applicant_name = forms.ApplicationForm.base_fields["applicant_name"]
    id_number = forms.ApplicationForm.base_fields["id_number"]
    credit_code = forms.ApplicationForm.base_fields["credit_code"]
    mobile = forms.ApplicationForm.base_fields["mobile"]
    contact_name = forms.ApplicationForm.base_fields["contact_name"]
    requirements = forms.ApplicationForm.base_fields["requirements"]

    def __init__(self, *args: Any, lines: list[bundles.FormLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for position, line in enumerate(lines):
            # A line that may be 不适用 starts unanswered (not 缺失): the clerk confirms each one.
            choices: list[tuple[str, Any]] = [
                (v, label) for v, label in STATE_CHOICES if line.conditional or v != CaseMaterial.State.NOT_APPLICABLE
            ]
            self.fields[f"state_{position}"] = django_forms.ChoiceField(
                label=line.label,
                choices=[("", _("请确认"))] + choices if line.conditional else choices,
                initial="" if line.conditional else CaseMaterial.State.MISSING,
                error_messages={"required": gettext_lazy("请逐项确认：已提交、缺失或不适用。")},
            )
            self.fields[f"note_{position}"] = django_forms.CharField(
                label=gettext_lazy("“%(name)s”备注") % {"name": line.label}, max_length=200, required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"line": line, "state": self[f"state_{i}"], "note": self[f"note_{i}"]} for i, line in enumerate(self.lines)
        ]

    def checklist(self) -> list[bundles.LineCheck]:
        return [
            bundles.LineCheck(line.key, self.cleaned_data[f"state_{i}"], self.cleaned_data[f"note_{i}"])
            for i, line in enumerate(self.lines)
        ]

    def outcome(self) -> str:
        value = str(self.data.get("outcome", ""))
        return value if value in ("accept", "accept_deferred", "correction") else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.outcome():
            raise django_forms.ValidationError(_("请选择办理结果：受理、容缺受理或补正。"))
        return cleaned


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"cases/bundles/{template}", context, status=status)


def _own_window(user: Any, hall: Hall) -> Window | None:
    return Window.objects.filter(hall=hall, staff=user, is_open=True).first()


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员可以受理申请。"))
@require_http_methods(["GET", "HEAD", "POST"])
def bundle_application(request: HttpRequest) -> HttpResponse:
    """The one form of a bundle at the clerk's hall (?bundle=<id>)."""
    scope = staff_scope(request.user)
    if scope.hall_id is None:
        raise PermissionDenied(_("您没有所属大厅，不能受理申请。"))
    hall = Hall.objects.get(pk=scope.hall_id)
    now = timezone.now()
    today = local_date(now)
    choices = list(Bundle.objects.filter(is_published=True).order_by("pk"))
    raw = str(request.POST.get("bundle") or request.GET.get("bundle") or "")
    bundle = next((b for b in choices if str(b.pk) == raw), None)
    context: dict[str, Any] = {"hall": hall, "bundles": choices, "bundle": bundle}
    if bundle is None:
        if raw:
            context["bundle_error"] = _("没有找到该一件事。")
        return _render(request, "application.html", context, status=400 if raw else 200)
    try:
        lines = bundles.bundle_form(bundle=bundle, today=today)
    except bundles.CaseError as exc:
        context["bundle_error"] = exc.message
        return _render(request, "application.html", context, status=exc.status)
    context["lines"] = lines
    context["stages_without_chief"] = bundles.stages_without_chief(bundle_id=bundle.pk, hall_id=hall.pk)
    # Lines that may follow under 容缺受理 for every member that needs them (the service decides).
    context["deferrable"] = [
        line.label for line in lines if line.materials and all(m.may_follow_later for m in line.materials)
    ]
    status = 200
    window = _own_window(request.user, hall)
    if request.method == "POST":
        form = BundleApplicationForm(request.POST, lines=lines)
        if form.is_valid():
            channel = form.cleaned_data["channel"]
            try:
                bc = bundles.bundle_case_receive(
                    actor=request.user,
                    hall=hall,
                    bundle=bundle,
                    channel=channel,
                    window=window if channel == Case.Channel.WINDOW else None,
                    applicant=forms.ApplicationForm.applicant(form),  # type: ignore[arg-type]
                    mobile=form.cleaned_data["mobile"],
                    contact_name=form.cleaned_data["contact_name"],
                    checklist=form.checklist(),
                    outcome=form.outcome(),
                    requirements=form.cleaned_data["requirements"],
                    now=now,
                )
            except bundles.CaseError as exc:
                forms.add_case_error(form, exc)
                status = exc.status
            else:
                if bc.status == BundleCase.Status.CORRECTION:
                    messages.success(request, _("已出具一次性告知书：%(number)s。") % {"number": bc.number})
                elif bc.status == BundleCase.Status.RECEIVED:
                    messages.success(request, _("已收件：%(number)s。") % {"number": bc.number})
                else:
                    messages.success(request, _action_message("accept", bc))
                return redirect("bundle-case-detail", bc.number)
        else:
            status = 400
    else:
        form = BundleApplicationForm(
            lines=lines, initial={"channel": Case.Channel.WINDOW if window else Case.Channel.MAIL}
        )
    context["form"] = form
    return _render(request, "application.html", context, status=status)


class CorrectionsForm(django_forms.Form):
    keys = django_forms.MultipleChoiceField(
        label=gettext_lazy("本次补正的材料"), choices=(), widget=django_forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, bc: BundleCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lacking = [(row.key, row.label) for row in _labelled(bc) if row.is_lacking]  # type: ignore[attr-defined]
        self.fields["keys"].choices = lacking  # type: ignore[attr-defined]


class OwedForm(django_forms.Form):
    """Materials owed under 容缺受理 that the applicant brings now (the ticked ones)."""

    keys = django_forms.MultipleChoiceField(
        label=gettext_lazy("本次补齐的容缺材料"), choices=(), widget=django_forms.CheckboxSelectMultiple
    )
    state = django_forms.ChoiceField(
        label=gettext_lazy("提交形式"),
        choices=[(v, label) for v, label in CaseMaterial.State.choices if v in CaseMaterial.PRESENT],
        initial=CaseMaterial.State.ORIGINAL,
    )

    def __init__(self, *args: Any, owed: list[bundles.OwedLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(o.key, o.name) for o in owed if o.supplied_at is None]  # type: ignore[attr-defined]


class NoticeForm(django_forms.Form):
    """A later one-time notice before acceptance: the lines it cites (each once), their problem,
    and, where the rule is broken, a supervisor's reason."""

    keys = django_forms.MultipleChoiceField(
        label=gettext_lazy("需补正的材料"), choices=(), required=False, widget=django_forms.CheckboxSelectMultiple
    )
    problem = django_forms.ChoiceField(
        label=gettext_lazy("问题"), choices=NoticeItem.Problem.choices, initial=NoticeItem.Problem.DEFECTIVE
    )
    note = django_forms.CharField(label=gettext_lazy("补正要求"), max_length=300, required=False)
    requirements = django_forms.CharField(
        label=gettext_lazy("其他要求"), max_length=2000, required=False, widget=django_forms.Textarea(attrs={"rows": 2})
    )
    override_reason = django_forms.CharField(
        label=gettext_lazy("再次告知理由（政务服务管理部门填写）"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("只能列明第一次告知后重新提交的材料；其他情形须由监督人员填写理由。"),
    )

    def __init__(self, *args: Any, bc: BundleCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(row.key, row.label) for row in _labelled(bc)]  # type: ignore[attr-defined]

    def lines(self) -> list[bundles.LineNotice]:
        return [
            bundles.LineNotice(key, self.cleaned_data["problem"], self.cleaned_data["note"])
            for key in self.cleaned_data["keys"]
        ]


def _labelled(bc: BundleCase) -> list[BundleCaseMaterial]:
    """The application's lines, each with ``label``: its name in the interface's language, from
    the members' current guides (the stored Chinese name when the line is no longer in them)."""
    try:
        labels = {line.key: line.label for line in bundles.bundle_form(bundle=bc.bundle)}
    except bundles.CaseError:
        labels = {}
    rows = list(bc.materials.all())
    for row in rows:
        row.label = labels.get(row.key, row.name)  # type: ignore[attr-defined]
    return rows


def _progress_url(request: HttpRequest, bc: BundleCase) -> str:
    return request.build_absolute_uri(reverse("bundle-case-progress-token", args=[bc.progress_token]))


def _page(request: HttpRequest, number: str, bound: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    bc, subs, whole = bundles.access_bundle_case(request.user, number)
    scope = staff_scope(request.user)
    counter = scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(bc.hall_id)
    supervises = scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(bc.hall_id)
    bound = bound or {}
    owed = bundles.owed_lines(bc) if bc.deferred else []
    before_acceptance = bc.status in (BundleCase.Status.RECEIVED, BundleCase.Status.CORRECTION)
    progress_url = _progress_url(request, bc)
    rows = _labelled(bc)
    context = {
        "bc": bc,
        "subs": subs,
        "whole": whole,
        "windows": bundles.stage_windows(bc),
        "stages_without_chief": (
            bundles.stages_without_chief(bundle_id=bc.bundle_id, hall_id=bc.hall_id)
            if bc.status != BundleCase.Status.COLLECTED
            else []
        ),
        "limit_explanation": bundles.limit_explanation(bc),
        "materials": rows,
        "mobile_masked": mask_mobile(bc.contact_mobile),
        "can_act": counter,
        "corrections_form": bound.get("corrections")
        or (CorrectionsForm(bc=bc, prefix="corrections") if bc.status == BundleCase.Status.CORRECTION else None),
        "collect_form": bound.get("collect")
        or (forms.CollectForm(prefix="collect") if bc.status == BundleCase.Status.RESULT_READY else None),
        "accept_error": bound.get("accept"),
        "owed": owed,
        "owed_form": bound.get("owed")
        or (
            OwedForm(owed=owed, prefix="owed")
            if counter and bc.status == BundleCase.Status.ACCEPTED and any(o.supplied_at is None for o in owed)
            else None
        ),
        "notices": list(bc.notices.select_related("issued_by").prefetch_related("items__line")),
        "notice_form": bound.get("notice")
        or (NoticeForm(bc=bc, prefix="notice") if before_acceptance and (counter or supervises) else None),
        "supervises": supervises,
        "may_defer": bc.status == BundleCase.Status.RECEIVED and any(row.is_lacking for row in rows),
        "progress_url": progress_url,
        "progress_qr": qr_data_uri(progress_url),
    }
    return _render(request, "detail.html", context, status=status)


@staff_required(*BUNDLE_ROLES)
def bundle_case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, number)


@staff_required(*roles.COUNTER_ROLES, message=gettext_lazy("只有窗口工作人员可以办理一件事申请。"))
@post_action("bundle-case-detail", "number")
def bundle_case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ("corrections", "accept", "accept_deferred", "owed", "collect"):
        raise Http404(_("没有该操作。"))
    bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
    form: Any = None
    try:
        if action == "corrections":
            form = CorrectionsForm(request.POST, bc=bc, prefix="corrections")
            if not form.is_valid():
                return _page(request, number, {"corrections": form}, status=400)
            bundles.bundle_case_corrections(
                bundle_case=bc,
                actor=request.user,
                checklist=[bundles.LineCheck(key, CaseMaterial.State.ORIGINAL) for key in form.cleaned_data["keys"]],
            )
        elif action in ("accept", "accept_deferred"):
            bundles.bundle_case_accept(bundle_case=bc, actor=request.user, deferred=action == "accept_deferred")
        elif action == "owed":
            form = OwedForm(request.POST, owed=bundles.owed_lines(bc), prefix="owed")
            if not form.is_valid():
                return _page(request, number, {"owed": form}, status=400)
            bundles.bundle_case_owed_supply(
                bundle_case=bc,
                actor=request.user,
                checklist=[bundles.LineCheck(key, form.cleaned_data["state"]) for key in form.cleaned_data["keys"]],
            )
        else:
            form = forms.CollectForm(request.POST, prefix="collect")
            if not form.is_valid():
                return _page(request, number, {"collect": form}, status=400)
            bundles.bundle_case_collect(
                bundle_case=bc,
                actor=request.user,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
            )
    except bundles.CaseError as exc:
        if form is not None:
            forms.add_case_error(form, exc)
            return _page(request, number, {action: form}, status=exc.status)
        return _page(request, number, {"accept": exc.message}, status=exc.status)
    messages.success(request, _action_message(action, BundleCase.objects.get(pk=bc.pk)))
    return redirect("bundle-case-detail", number)


@staff_required(*BUNDLE_ROLES)
@post_action("bundle-case-detail", "number")
def bundle_case_notice(request: HttpRequest, number: str) -> HttpResponse:
    """A later one-time notice before acceptance (the window's clerk; a supervisor covering the
    hall when the one-time rule is overridden, with a reason)."""
    bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
    form = NoticeForm(request.POST, bc=bc, prefix="notice")
    if not form.is_valid():
        return _page(request, number, {"notice": form}, status=400)
    try:
        notice = bundles.bundle_case_notice(
            bundle_case=bc,
            actor=request.user,
            lines=form.lines(),
            requirements=form.cleaned_data["requirements"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except bundles.CaseError as exc:
        forms.add_case_error(form, exc)
        return _page(request, number, {"notice": form}, status=exc.status)
    url = reverse("bundle-case-print", args=[bc.number, "notice"])
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("已出具第 %(n)s 次一次性告知书。") % {"n": notice.sequence},
            url,
            _("打印一次性告知书"),
        ),
    )
    return redirect("bundle-case-detail", number)


@never_cache
def bundle_progress_token(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's private link (the QR code of the application's notices): the stage and
    each sub-case's state, what is owed; no personal data."""
    found = bundles.bundle_progress_by_token(token)
    if found is None:
        raise Http404(_("没有找到该一件事申请，请核对链接是否完整。"))
    response = TemplateResponse(request, "cases/progress.html", {"form": None, "bundle_progress": found})
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _action_message(action: str, bc: BundleCase) -> str:
    """What the flash message says after ``action`` on the application's page."""
    if action == "owed":
        return _("已登记补齐的容缺材料。")
    if action in ("accept", "accept_deferred"):
        departments = bc.sub_cases.values("department_id").distinct().count()
        url = reverse("bundle-case-print", args=[bc.number, "acceptance"])
        return format_html(
            '{} <a href="{}">{}</a>',
            _("已受理一件事申请 %(number)s，已分送 %(count)s 个部门。请打印受理通知书。")
            % {"number": bc.number, "count": departments},
            url,
            _("打印受理通知书"),
        )
    if action == "corrections":
        lacking = [row.name for row in bc.materials.all() if row.is_lacking]
        if lacking:
            return _("已登记补正材料；尚缺：%(names)s。") % {"names": "、".join(lacking)}
        return _("已登记补正材料，材料已补齐：请核对后受理并分送各部门。")
    return _("已统一出件：%(method)s。") % {"method": bc.get_collection_display()}


@staff_required(*BUNDLE_ROLES)
def bundle_case_print(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """The A4 acceptance notice (the sub-cases and the bundle's due date) or one-time notice of an
    application, laid out as a case's (cases/print.html), its QR code opening the public look-up
    with the application's number filled in."""
    bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
    if kind == "acceptance" and bc.accepted_on is None:
        raise Http404(_("本申请尚未受理，没有受理通知书。"))
    if kind == "notice" and bc.notice_issued_at is None:
        raise Http404(_("本申请没有一次性告知书。"))
    if kind not in ("acceptance", "notice"):
        raise Http404(_("没有该文书。"))
    # The QR code opens the application's private progress link (bundles.bundle_progress_by_token).
    progress_url = _progress_url(request, bc)
    staff = bc.accepted_by or bc.received_by
    notice_at = bc.notice_issued_at
    notices = list(bc.notices.select_related("issued_by").prefetch_related("items__line"))
    notice = notices[-1] if notices else None
    if kind == "notice" and notice is not None:
        staff = notice.issued_by
    context = {
        "bc": bc,
        "kind": kind,
        "subs": list(bc.sub_cases.select_related("item", "department").order_by("stage", "pk")),
        "notice": notice,
        "owed": bundles.owed_lines(bc) if bc.deferred else [],
        # An application noticed before notices were kept one by one (no BundleNotice).
        "noticed": [
            row
            for row in bc.materials.all()
            if row.is_lacking or (notice_at is not None and row.supplied_at is not None and row.supplied_at > notice_at)
        ],
        "staff_number": getattr(getattr(staff, "staff_profile", None), "staff_number", "") or staff.get_username(),
        "progress_url": progress_url,
        "qr": qr_data_uri(progress_url),
        "printed_on": local_date(),
    }
    response = _render(request, "print.html", context)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@staff_required(*BUNDLE_ROLES)
def bundle_case_list(request: HttpRequest) -> HttpResponse:
    return _render(request, "list.html", {"rows": bundles.bundle_cases_for(request.user)})


@supervisor_required
def bundle_supervision(request: HttpRequest) -> HttpResponse:
    """Bundles whose promised limit exceeds the sum of their members' promised limits, and the
    applications of the halls the supervisor covers."""
    flagged = list(
        Bundle.objects.filter(limit_breached_since__isnull=False).select_related("lead_department").order_by("pk")
    )
    return _render(request, "supervision.html", {"flagged": flagged, "rows": bundles.bundle_cases_for(request.user)})
