"""Forms of the case pages: the application at a window (or by post or online), the actions on a
case, the staff's case list filters, and the public progress look-up.

The forms check shapes; the rules (materials complete, 容缺 allowed, one-time notices, who may
act) are the services' (``cases.services``), whose ``CaseError`` the views put back on the form
beside the field it concerns (``add_case_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import services
from cases.models import Applicant, Case, CaseMaterial, NoticeItem, TicketItem
from catalog.english import localized
from catalog.models import Department, GuideVersion, Material, ServiceItem
from servicehall.forms import form_field

# The services name fields by their API names; the forms by theirs.
SERVICE_FIELDS = {
    "applicant.name": "applicant_name",
    "applicant.kind": "applicant_kind",
    "applicant.id_number": "id_number",
    "applicant.credit_code": "credit_code",
    "mobile": "mobile",
    "contact_name": "contact_name",
    "reason": "reason",
    "refer_to": "refer_to",
    "channel": "channel",
    "days": "days",
    "note": "note",
    "step": "step",
    "method": "method",
    "digits": "digits",
    "number": "number",
    "override_reason": "override_reason",
    "item": "item",
    "outcome": "outcome",
}


def add_case_error(form: forms.Form, exc: services.CaseError) -> None:
    """Put a refusal of the services on ``form``: each message beside its field, or above the
    form when it concerns no field of it (the checklist as a whole, the window, the case's
    state)."""
    errors = exc.errors or {exc.field or "": [str(exc.message)]}
    for name, messages in errors.items():
        field = SERVICE_FIELDS.get(name)
        if name == "applicant.id":
            field = "credit_code" if form.data.get("applicant_kind") == Applicant.Kind.ORGANISATION else "id_number"
        if field not in form.fields:
            field = None
        for message in messages:
            form.add_error(field, message)


class ApplicationForm(forms.Form):
    """An application for one item under its current guide version: the applicant, the checklist
    of the version's materials (``state_<id>``, ``note_<id>``) and what the outcome needs."""

    channel = forms.ChoiceField(
        label=_("收件渠道"),
        choices=[(Case.Channel.MAIL, _("邮寄")), (Case.Channel.ONLINE, _("网上"))],
        initial=Case.Channel.MAIL,
    )
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"), choices=Applicant.Kind.choices, initial=Applicant.Kind.PERSON, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(label=_("申请人姓名或单位名称"), max_length=100)
    id_number = forms.CharField(
        label=_("居民身份证号码（自然人）"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码（法人或其他组织）"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=_("联系手机"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(label=_("经办人（选填）"), max_length=40, required=False)
    requirements = forms.CharField(
        label=_("其他补正要求（补正时填写）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("不予受理理由（不予受理时填写）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    refer_to = forms.CharField(label=_("告知向何处申请（选填）"), max_length=200, required=False)

    # What the clerk typed that does not depend on the item: kept when the item changes
    # (the checklist is the new item's own).
    TYPED = (
        "channel",
        "applicant_kind",
        "applicant_name",
        "id_number",
        "credit_code",
        "mobile",
        "contact_name",
        "requirements",
        "reason",
        "refer_to",
    )

    # "forward": received only, to be forwarded to the hall of jurisdiction (转办, 通办 items).
    OUTCOMES = ("accept", "accept_deferred", "correction", "not_accepted", "forward")

    def __init__(self, *args: Any, version: GuideVersion, with_window: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.materials: list[Material] = list(version.materials.all())
        if with_window:
            del self.fields["channel"]
        for material in self.materials:
            # 不适用 is offered only for a conditional material; a required one cannot be waived.
            self.fields[f"state_{material.pk}"] = forms.ChoiceField(
                label=localized(material, "name"),
                choices=[
                    (value, label)
                    for value, label in CaseMaterial.State.choices
                    if material.conditional or value != CaseMaterial.State.NOT_APPLICABLE
                ],
                initial=CaseMaterial.State.MISSING,
                error_messages={
                    "invalid_choice": _("材料“%(name)s”是必须提交的材料，不能标记为不适用。")
                    % {"name": localized(material, "name")}
                },
            )
            self.fields[f"note_{material.pk}"] = forms.CharField(
                label=_("“%(name)s”备注") % {"name": localized(material, "name")}, max_length=200, required=False
            )

    @classmethod
    def typed(cls, data: Any, *, checklist: bool = False) -> dict[str, str]:
        """The initial values of the form drawn again after the item chooser was pressed: what was
        typed in ``data`` (this form's POST), with the checklist's marks when the item is the same
        (another item's checklist has materials of its own)."""
        kept = {name: str(data[name]) for name in cls.TYPED if name in data}
        if checklist:
            kept.update({name: str(value) for name, value in data.items() if name.startswith(("state_", "note_"))})
        return kept

    def checklist_rows(self) -> list[dict[str, Any]]:
        """The checklist as the template draws it: one row per material with its two fields."""
        return [{"material": m, "state": self[f"state_{m.pk}"], "note": self[f"note_{m.pk}"]} for m in self.materials]

    def outcome(self) -> str:
        value = str(self.data.get("outcome", ""))
        return value if value in self.OUTCOMES else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = self.outcome()
        if not outcome:
            raise forms.ValidationError(_("请选择办理结果：受理、容缺受理、补正或不予受理。"))
        if outcome == "accept_deferred" and not self.version.allows_deferred_acceptance:
            raise forms.ValidationError(_("该事项的办事指南不允许容缺受理。"))
        version = self.version
        if outcome == "forward" and not (version.citywide or version.cross_region or version.cross_border):
            raise forms.ValidationError(_("该事项不在全市通办、跨域通办或跨境通办事项清单上，不能收件转办。"))
        if outcome == "not_accepted" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不予受理须写明理由。"))
        # The applicant's number, required by kind, is named with the other missing fields in
        # one answer (walkthrough 2026-12-03: it came only on the second submit, from the service).
        kind = cleaned.get("applicant_kind")
        if kind == Applicant.Kind.PERSON and not (cleaned.get("id_number") or "").strip():
            self.add_error("id_number", _("自然人申请须填写居民身份证号码。"))
        elif kind == Applicant.Kind.ORGANISATION and not (cleaned.get("credit_code") or "").strip():
            self.add_error("credit_code", _("法人或其他组织申请须填写统一社会信用代码。"))
        return cleaned

    def checklist(self) -> list[services.MaterialCheck]:
        return [
            services.MaterialCheck(m.pk, self.cleaned_data[f"state_{m.pk}"], self.cleaned_data[f"note_{m.pk}"])
            for m in self.materials
        ]

    def notice(self) -> services.NoticeInput:
        """The one-time notice of a correction: every material checked missing or defective, with
        its note, and the other requirements."""
        lines = [
            services.NoticeLine(check.material_id, check.state, check.note)
            for check in self.checklist()
            if check.state in CaseMaterial.LACKING
        ]
        return services.NoticeInput(lines=lines, requirements=self.cleaned_data["requirements"])

    def applicant(self) -> services.ApplicantInput:
        data = self.cleaned_data
        return services.ApplicantInput(
            kind=data["applicant_kind"],
            name=data["applicant_name"],
            id_number=data["id_number"] if data["applicant_kind"] == Applicant.Kind.PERSON else "",
            credit_code=data["credit_code"] if data["applicant_kind"] == Applicant.Kind.ORGANISATION else "",
        )


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("说明（选填）"), max_length=300, required=False)


class AcceptForm(ReasonForm):
    """受理 on the case page (a case received by post, taken over from a forwarding, or corrected):
    where materials are still recorded as lacking, the clerk ticks those checked and received now
    (the file a forwarding brought), and may accept with the rest to follow (容缺受理) where the
    guide allows it. Without lacking materials it is the note alone."""

    materials = forms.TypedMultipleChoiceField(
        label=_("核对后已收到的材料"),
        coerce=int,
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选现已收到且符合要求的材料（例如随转办送达的材料）；未勾选的仍按缺失处理。"),
    )
    deferred = forms.BooleanField(label=_("容缺受理：未收到的非主要材料由申请人后补"), required=False)

    def __init__(self, *args: Any, materials: list[Material], allows_deferred: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_id = {m.pk: m for m in materials}
        if not materials:
            del self.fields["materials"]
            del self.fields["deferred"]
            return
        form_field(self, "materials", forms.TypedMultipleChoiceField).choices = [
            (m.pk, localized(m, "name")) for m in materials
        ]
        if not allows_deferred:
            del self.fields["deferred"]

    def checklist(self) -> list[services.MaterialCheck]:
        return [
            services.MaterialCheck(pk, received_state(self.by_id[pk])) for pk in self.cleaned_data.get("materials", [])
        ]


class SpecialStepForm(forms.Form):
    step = forms.TypedChoiceField(label=_("特殊环节"), coerce=int, choices=())
    note = forms.CharField(label=_("说明（选填）"), max_length=300, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "step", forms.TypedChoiceField).choices = [
            (s.pk, localized(s, "name")) for s in case.guide_version.special_steps.all()
        ]


class ExtendForm(forms.Form):
    """延期 on the case page: the days are held to what the case's guide version still allows
    (its ``extension_limit_days`` less the extensions already granted), shown and enforced here
    as the service enforces it (``case_extend``)."""

    days = forms.IntegerField(
        label=_("延长工作日数"),
        min_value=1,
        error_messages={
            "required": _("请填写延长的工作日数。"),
            "invalid": _("延长天数须为正整数。"),
            "min_value": _("延长天数须为正整数。"),
        },
    )
    reason = forms.CharField(label=_("延期理由"), max_length=300, error_messages={"required": _("延期须填写理由。")})

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = case.guide_version.extension_limit_days
        used = case.extension_days
        left = max(limit - used, 0)
        field = self.fields["days"]
        assert isinstance(field, forms.IntegerField)
        field.max_value = left
        field.widget.attrs["max"] = str(left)
        field.validators.append(
            MaxValueValidator(
                left,
                message=_("延期合计不得超过%(limit)s个工作日（本件已延长%(used)s个工作日）。")
                % {"limit": limit, "used": used},
            )
        )
        field.help_text = _(
            "办事指南规定延期合计不超过%(limit)s个工作日；本件已延长%(used)s个工作日，最多还可延长%(left)s个工作日。"
        ) % {"limit": limit, "used": used, "left": left}


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[(Case.Decision.APPROVED, _("准予")), (Case.Decision.REFUSED, _("不予批准"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由（不予批准时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CollectForm(forms.Form):
    method = forms.ChoiceField(
        label=_("出件方式"),
        choices=[
            (Case.Collection.WINDOW, _("窗口领取")),
            (Case.Collection.POST, _("邮寄送达")),
            (Case.Collection.ELECTRONIC, _("电子送达")),
        ],
    )
    note = forms.CharField(label=_("出件说明（邮寄须填单号）"), max_length=200, required=False)


class SuppliedForm(forms.Form):
    """Materials brought now (corrections, or materials owed under 容缺受理): the ticked ones."""

    materials = forms.TypedMultipleChoiceField(
        label=_("本次提交的材料"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, materials: list[Material], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_id = {m.pk: m for m in materials}
        form_field(self, "materials", forms.TypedMultipleChoiceField).choices = [
            (m.pk, localized(m, "name")) for m in materials
        ]

    def checklist(self) -> list[services.MaterialCheck]:
        return [services.MaterialCheck(pk, received_state(self.by_id[pk])) for pk in self.cleaned_data["materials"]]


class NoticeForm(forms.Form):
    """A one-time notice of corrections on a case already received (during review, or a later
    notice): per line of the case's checklist, whether the notice cites it (missing or defective)
    and what is required (``problem_<id>``, ``note_<id>``, as the application's checklist), the
    other requirements and, for a supervisor covering the hall, the reason for overriding the
    one-time rule. Whether the notice may be issued is the services' rule."""

    requirements = forms.CharField(
        label=_("其他补正要求（选填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("再次告知理由（政务服务管理部门填写）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, case: Case, supervisor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[CaseMaterial] = list(case.materials.all())
        if supervisor:
            form_field(self, "override_reason", forms.CharField).help_text = _(
                "仅在不符合一次性告知规则时填写：本件已出具过一次性告知书，本次又列明第一次告知后申请人"
                "没有重新提交的材料或提出其他要求；或者距收到材料已超过%(days)s个工作日。"
                "填写理由后方可出具，理由记入告知书和审计日志。其他情形请留空。"
            ) % {"days": services.rules()["notice_within_working_days"]}
        else:
            del self.fields["override_reason"]
        # The first notice must cite every lacking line (those owed under 容缺受理 aside): offer
        # them ticked; a later notice cites only what was supplied since, the clerk's choice.
        owed = {o.material_id for o in case.owed.all() if o.supplied_at is None}
        first = not case.notices.all()
        for line in self.lines:
            material = line.material
            lacking = first and line.state in CaseMaterial.LACKING and material.pk not in owed
            self.fields[f"problem_{material.pk}"] = forms.ChoiceField(
                label=_("“%(name)s”是否需要补正") % {"name": localized(material, "name")},
                choices=[("", _("无需补正")), *NoticeItem.Problem.choices],
                required=False,
                initial=line.state if lacking else "",
            )
            self.fields[f"note_{material.pk}"] = forms.CharField(
                label=_("“%(name)s”补正要求") % {"name": localized(material, "name")},
                max_length=300,
                required=False,
                initial=line.note if lacking else "",
            )

    def checklist_rows(self) -> list[dict[str, Any]]:
        """One row per line of the case's checklist with its two fields."""
        return [
            {"line": line, "problem": self[f"problem_{line.material_id}"], "note": self[f"note_{line.material_id}"]}
            for line in self.lines
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for line in self.lines:
            pk = line.material_id
            if cleaned.get(f"note_{pk}", "").strip() and not cleaned.get(f"problem_{pk}"):
                self.add_error(f"problem_{pk}", _("写了补正要求的材料须选择缺失或不符合要求。"))
        return cleaned

    def notice(self) -> services.NoticeInput:
        data = self.cleaned_data
        lines = [
            services.NoticeLine(line.material_id, data[f"problem_{line.material_id}"], data[f"note_{line.material_id}"])
            for line in self.lines
            if data[f"problem_{line.material_id}"]
        ]
        return services.NoticeInput(
            lines=lines, requirements=data["requirements"], override_reason=data.get("override_reason", "")
        )


def received_state(material: Material) -> str:
    """The checklist state of a material brought in the form its guide asks for."""
    if material.form == Material.Form.COPY:
        return CaseMaterial.State.COPY
    if material.form == Material.Form.ELECTRONIC:
        return CaseMaterial.State.ELECTRONIC
    return CaseMaterial.State.ORIGINAL


class CodeFilters(forms.Form):
    """The free-text department and item codes of the case lists: any letter case, and an unknown
    code is an error beside its box (the list stays on the page), never a 404."""

    def clean_department(self) -> str:
        code = self.cleaned_data["department"].strip().upper()
        if code and not Department.objects.filter(code=code).exists():
            raise forms.ValidationError(_("没有编码为 %(code)s 的部门。") % {"code": code})
        return code

    def clean_item(self) -> str:
        code = self.cleaned_data["item"].strip().upper()
        if code and not ServiceItem.objects.filter(code=code).exists():
            raise forms.ValidationError(_("没有编码为 %(code)s 的事项。") % {"code": code})
        return code


DEPARTMENT_CODE_HELP = _("如 GZGA（市公安局），不区分大小写；留空为全部部门。")
ITEM_CODE_HELP = _("10 位事项编码，如 0600101000；留空为全部事项。")


class CaseFilterForm(CodeFilters):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + list(Case.Status.choices), required=False)
    warning = forms.ChoiceField(
        label=_("预警"),
        choices=[("", _("全部")), (Case.Warning.YELLOW, _("临近期限")), (Case.Warning.RED, _("已超期"))],
        required=False,
    )
    item = forms.CharField(label=_("事项编码"), max_length=40, required=False, help_text=ITEM_CODE_HELP)
    department = forms.CharField(label=_("部门编码"), max_length=40, required=False, help_text=DEPARTMENT_CODE_HELP)


class DeadlineFilterForm(CodeFilters):
    """The supervisors' deadline view: overdue, due soon, or both (overdue first)."""

    warning = forms.ChoiceField(
        label=_("预警"),
        choices=[("", _("全部")), (Case.Warning.RED, _("已超期")), (Case.Warning.YELLOW, _("临近期限"))],
        required=False,
    )
    department = forms.CharField(label=_("部门编码"), max_length=40, required=False, help_text=DEPARTMENT_CODE_HELP)
    item = forms.CharField(label=_("事项编码"), max_length=40, required=False, help_text=ITEM_CODE_HELP)


class ProgressForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=60,
        # Digits and capitals: a number starts with the item's implementation code (实施编码).
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    digits = forms.CharField(
        # A context of its own: "characters", not "digits", in English (an ID number may end with X).
        label=pgettext_lazy("case progress", "手机号码或证件号码后四位"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class TicketItemForm(forms.Form):
    """The console's "本次办理事项": an item of the hall (by code) and the outcome; the service
    checks that the hall handles the item."""

    item = forms.CharField(
        label=_("办理事项"),
        max_length=10,
        error_messages={"required": _("请选择本大厅办理的事项。")},
    )
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[(value, label) for value, label in TicketItem.Outcome.choices if value in TicketItem.MANUAL],
        error_messages={"required": _("请选择办理结果。"), "invalid_choice": _("请选择办理结果。")},
    )
