"""Forms of the dual-management pages: replacement requests (Art. 8 ¶2) and annual assessment
proposals (Art. 8 ¶1). The rules are the services'; these only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import HALL_ORDER, Department, Hall
from staffing.forms import DisplayNameChoice
from staffing.models import AssessmentProposal, ReplacementRequest, Secondment


def _hall_field() -> forms.ModelChoiceField:
    return DisplayNameChoice(
        label=gettext_lazy("大厅"),
        queryset=Hall.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部大厅"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择大厅。")},
    )


def _department_field() -> forms.ModelChoiceField:
    return DisplayNameChoice(
        label=gettext_lazy("派出单位"),
        queryset=Department.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部单位"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择派出单位。")},
    )


class _HallScoped(forms.Form):
    def __init__(self, *args: Any, hall_ids: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        halls = Hall.objects.order_by(*HALL_ORDER)
        field = self.fields["hall"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = halls if hall_ids is None else halls.filter(pk__in=hall_ids)


class ReplacementFilterForm(_HallScoped):
    hall = _hall_field()
    department = _department_field()
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部")), *ReplacementRequest.Status.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅显示已超期"), required=False)


class ReplacementRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("更换理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请写明要求更换的理由（至少10个字）。")},
    )
    deadline = forms.DateField(
        label=gettext_lazy("更换期限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("派出单位须在此日前派员接替；默认30天。"),
        error_messages={"required": gettext_lazy("请填写更换期限。"), "invalid": gettext_lazy("请填写有效的日期。")},
    )


class _SecondmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj.user, "staff_profile", None)
        name = profile.display_name if profile else obj.user.get_username()
        return f"{obj.staff_number} {name}（{obj.seconded_from:%Y-%m-%d}）"


class ReplacementCloseForm(forms.Form):
    replacement = _SecondmentChoice(
        label=gettext_lazy("接替人员"),
        queryset=Secondment.objects.none(),
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择已到岗的接替人员。"),
            "invalid_choice": gettext_lazy("请从列表中选择接替人员。"),
        },
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = candidates


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请写明撤回的理由（至少10个字）。")},
    )


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("考核年度"),
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={
            "invalid": gettext_lazy("请填写年份，如2025。"),
            "min_value": gettext_lazy("请填写年份，如2025。"),
            "max_value": gettext_lazy("请填写年份，如2025。"),
        },
    )


class AssessmentFilterForm(_HallScoped):
    year = _year_field()
    hall = _hall_field()
    department = _department_field()


class ProposalForm(forms.Form):
    grade = forms.ChoiceField(
        label=gettext_lazy("建议等次"),
        choices=[("", gettext_lazy("请选择")), *AssessmentProposal.Grade.choices],
        error_messages={
            "required": gettext_lazy("请从列表中选择建议等次。"),
            "invalid_choice": gettext_lazy("请从列表中选择建议等次。"),
        },
    )
    justification = forms.CharField(
        label=gettext_lazy("考核意见"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=gettext_lazy("结合上列数据写明理由；评为优秀或不称职的须写明具体事实（至少50个字）。"),
        error_messages={"required": gettext_lazy("请写明考核意见（至少10个字）。")},
    )


# --- The chief representative's read of their department (Art. 8 ¶3) -------------------------


class DepartmentReplacementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部")), *ReplacementRequest.Status.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅显示已超期"), required=False)


class DepartmentAssessmentFilterForm(forms.Form):
    year = _year_field()
