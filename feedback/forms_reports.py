"""Forms of the “办不成事” report pages. They parse; the rules are the services'
(``feedback.reports``), whose refusals come back beside their fields (``add_report_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import HALL_ORDER, Department, Hall, ServiceItem
from feedback.models_reports import Report, ReportCategory
from feedback.reports import ReportInput, report_input_errors
from queueing.models import Window
from servicehall.errors import DomainError

_CHOOSE = gettext_lazy("请选择")


class _ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.display_name}"


class _HallChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class ReportForm(forms.Form):
    """What the person tried (hall, window, item, date), what went wrong, how to reach them.
    Presence and shape are checked by ``report_register``, once for the page and the API."""

    hall = _HallChoice(
        label=gettext_lazy("办事大厅"),
        queryset=Hall.objects.order_by(*HALL_ORDER),
        required=False,
        empty_label=_CHOOSE,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择办事大厅。")},
    )
    window_number = forms.IntegerField(
        label=gettext_lazy("办事窗口号（可选）"),
        required=False,
        min_value=1,
        max_value=999,
        error_messages={
            "invalid": gettext_lazy("窗口号应为数字。"),
            "min_value": gettext_lazy("窗口号应为 1 至 999 之间的整数。"),
            "max_value": gettext_lazy("窗口号应为 1 至 999 之间的整数。"),
        },
    )
    item = _ItemChoice(
        label=gettext_lazy("想办理的事项（可选）"),
        queryset=ServiceItem.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("不清楚或不在列表中"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择事项。")},
    )
    tried_on = forms.DateField(
        label=gettext_lazy("办事日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请按 年-月-日 填写办事日期。")},
    )
    category = _CategoryChoice(
        label=gettext_lazy("问题类别"),
        queryset=ReportCategory.objects.filter(is_active=True).order_by("order", "pk"),
        required=False,
        empty_label=_CHOOSE,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择问题类别。")},
    )
    problem = forms.CharField(
        label=gettext_lazy("遇到的问题"),
        required=False,
        max_length=2000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("哪件事没有办成、卡在哪里、窗口是怎么答复的。请勿填写身份证号码。"),
        error_messages={"max_length": gettext_lazy("问题描述最多2000个字。")},
    )
    contact_name = forms.CharField(
        label=gettext_lazy("联系人"),
        required=False,
        max_length=40,
        strip=False,
        error_messages={"max_length": gettext_lazy("联系人姓名最多40个字。")},
    )
    mobile = forms.CharField(
        label=gettext_lazy("手机号码"),
        required=False,
        max_length=20,
        strip=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        help_text=gettext_lazy("仅用于办结后回访，页面上始终脱敏显示。"),
    )

    def __init__(self, *args: Any, halls: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if halls is not None:
            field = self.fields["hall"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = halls

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("window_number")
        hall = data.get("hall")
        data["window"] = None
        if number and hall is not None:
            data["window"] = Window.objects.filter(hall=hall, number=number).first()
            if data["window"] is None:
                self.add_error("window_number", _("该大厅没有%(n)s号窗口，请核对或留空。") % {"n": number})
        if self.errors:
            # The view registers only a valid form, so the service's rules (mobile, date, …) would
            # not speak while one field fails to parse: every field's message at once instead.
            for name, messages in report_input_errors(self._input(data)).items():
                name = _FIELD_NAMES.get(name, name)
                if name in self.fields and name not in self.errors:
                    for message in messages:
                        self.add_error(name, message)
        return data

    def _input(self, data: dict[str, Any]) -> ReportInput:
        return ReportInput(
            hall=data.get("hall"),
            window=data.get("window"),
            item=data.get("item"),
            tried_on=data.get("tried_on"),
            problem=data.get("problem") or "",
            category=data.get("category"),
            contact_name=data.get("contact_name") or "",
            mobile=data.get("mobile") or "",
        )

    def report_input(self) -> ReportInput:
        return self._input(self.cleaned_data)


_FIELD_NAMES = {"window": "window_number"}


def add_report_error(form: forms.Form, exc: DomainError) -> None:
    """Put the service's messages beside their fields (the rest above the form)."""
    errors = getattr(exc, "errors", None) or {}
    placed = False
    for name, messages in errors.items():
        name = _FIELD_NAMES.get(name, name)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        field = _FIELD_NAMES.get(exc.field or "", exc.field)
        form.add_error(field if field in form.fields else None, str(exc.message))


class FindForm(forms.Form):
    """A lost private link: the reference and the mobile number given (checked by
    ``reports.report_find``)."""

    number = forms.CharField(
        label=gettext_lazy("受理编号"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("BC加12位数字，见受理回执或受理短信。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=gettext_lazy("反映时所留手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )


class AssignForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("责任部门"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("转派给所选部门派驻本大厅的首席事务代表；可选多个部门。"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择责任部门。")},
    )
    note = forms.CharField(
        label=gettext_lazy("转派说明（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("督办情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_check_on = forms.DateField(
        label=gettext_lazy("下一督办节点（可选）"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("请按 年-月-日 填写日期。")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重新转派原因"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例如：回访时反映人不满意、事项仍未办成。"),
    )
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("增加责任部门（可选）"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("已转派的部门继续办理；需要时可增加部门。"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择责任部门。")},
    )


_YES_NO = [("", gettext_lazy("请选择")), ("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))]


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("办理结果"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("做了什么、问题如何解决，将告知反映人。"),
    )
    matter_done = forms.ChoiceField(
        label=gettext_lazy("反映人的事项是否已办成"),
        choices=[("", gettext_lazy("请选择")), ("yes", gettext_lazy("已办成")), ("no", gettext_lazy("未能办成"))],
        required=False,
    )


class FollowUpForm(forms.Form):
    """回访 outcomes in words (not 是/否): reached or not, and, if reached, satisfied or not."""

    reached = forms.ChoiceField(
        label=gettext_lazy("回访电话是否接通"),
        choices=[
            ("", gettext_lazy("请选择")),
            ("yes", gettext_lazy("已接通，联系上反映人")),
            ("no", gettext_lazy("未接通，没有联系上反映人")),
        ],
        required=False,
    )
    satisfied = forms.ChoiceField(
        label=gettext_lazy("反映人对办理结果是否满意"),
        choices=[
            ("", gettext_lazy("（未接通时不填）")),
            ("yes", gettext_lazy("满意")),
            ("no", gettext_lazy("不满意")),
        ],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("回访记录（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ListFilterForm(forms.Form):
    hall = _HallChoice(
        label=gettext_lazy("大厅"),
        queryset=Hall.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), choices=[("", gettext_lazy("全部")), *Report.Status.choices], required=False
    )
    category = _CategoryChoice(
        label=gettext_lazy("问题类别"),
        queryset=ReportCategory.objects.order_by("order", "pk"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部"),
    )
    flag = forms.ChoiceField(
        label=gettext_lazy("预警"),
        choices=[
            ("", gettext_lazy("全部")),
            ("any", gettext_lazy("有预警")),
            ("yellow", gettext_lazy("临近答复期限")),
            ("red", gettext_lazy("已超答复期限")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, halls: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hall"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = halls
