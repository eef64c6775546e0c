"""Forms of the case pages: the application at a window (or by post or online), the actions on a
case, the staff's case list filters, and the public progress look-up.

The forms check shapes; the rules (materials complete, 容缺 allowed, one-time notices, who may
act) are the services' (``cases.services``), whose ``CaseError`` the views put back on the form
beside the field it concerns (``add_case_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import Applicant, Case, CaseMaterial
from catalog.models import GuideVersion, Material
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

    OUTCOMES = ("accept", "accept_deferred", "correction", "not_accepted")

    def __init__(self, *args: Any, version: GuideVersion, with_window: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.materials: list[Material] = list(version.materials.all())
        if with_window:
            del self.fields["channel"]
        for material in self.materials:
            # 不适用 is offered only for a conditional material; a required one cannot be waived.
            self.fields[f"state_{material.pk}"] = forms.ChoiceField(
                label=material.name,
                choices=[
                    (value, label)
                    for value, label in CaseMaterial.State.choices
                    if material.conditional or value != CaseMaterial.State.NOT_APPLICABLE
                ],
                initial=CaseMaterial.State.MISSING,
                error_messages={
                    "invalid_choice": _("材料“%(name)s”是必须提交的材料，不能标记为不适用。") % {"name": material.name}
                },
            )
            self.fields[f"note_{material.pk}"] = forms.CharField(
                label=_("“%(name)s”备注") % {"name": material.name}, max_length=200, required=False
            )

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
        if outcome == "not_accepted" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不予受理须写明理由。"))
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


class SpecialStepForm(forms.Form):
    step = forms.TypedChoiceField(label=_("特殊环节"), coerce=int, choices=())
    note = forms.CharField(label=_("说明（选填）"), max_length=300, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "step", forms.TypedChoiceField).choices = [
            (s.pk, s.name) for s in case.guide_version.special_steps.all()
        ]


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), max_length=300)


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
        form_field(self, "materials", forms.TypedMultipleChoiceField).choices = [(m.pk, m.name) for m in materials]

    def checklist(self) -> list[services.MaterialCheck]:
        return [services.MaterialCheck(pk, received_state(self.by_id[pk])) for pk in self.cleaned_data["materials"]]


def received_state(material: Material) -> str:
    """The checklist state of a material brought in the form its guide asks for."""
    if material.form == Material.Form.COPY:
        return CaseMaterial.State.COPY
    if material.form == Material.Form.ELECTRONIC:
        return CaseMaterial.State.ELECTRONIC
    return CaseMaterial.State.ORIGINAL


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + list(Case.Status.choices), required=False)
    warning = forms.ChoiceField(
        label=_("预警"),
        choices=[("", _("全部")), (Case.Warning.YELLOW, _("临近期限")), (Case.Warning.RED, _("已超期"))],
        required=False,
    )
    item = forms.CharField(label=_("事项编码"), max_length=40, required=False)
    department = forms.CharField(label=_("部门编码"), max_length=40, required=False)


class ProgressForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    digits = forms.CharField(
        label=_("手机号码或证件号码后四位"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
