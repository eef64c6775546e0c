"""Forms of the staffing pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import HALL_ORDER, Department, Hall
from queueing.models import QueueCategory
from staffing.models import ConductIncident, Secondment, SurgeFlag

# The planner's targets: a share of 100 % is never met by a queue (someone always waits a
# little), below half is no target; a wait beyond two hours is no service.
PLANNER_SHARE_RANGE = (50, 99)
PLANNER_WAIT_RANGE = (1, 120)
PLANNER_MIN_DATE = dt.date(2000, 1, 1)
PLANNER_MAX_DATE = dt.date(2099, 12, 31)


class DisplayNameChoice(forms.ModelChoiceField):
    """A hall or department chosen by its name in the page's language: the English name on an
    English page where one is entered (``display_name``), the Chinese otherwise."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


FLAG_CHOICES = [
    ("", gettext_lazy("全部")),
    ("short_tenure", gettext_lazy("派驻不足两年")),
    ("no_pre_job", gettext_lazy("未完成岗前教育")),
    ("open_replacement", gettext_lazy("待派出单位更换")),
    ("overdue_replacement", gettext_lazy("更换要求已超期")),
]


class RosterFilterForm(forms.Form):
    hall = DisplayNameChoice(
        label=gettext_lazy("大厅"),
        queryset=Hall.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部大厅"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择大厅。")},
    )
    department = DisplayNameChoice(
        label=gettext_lazy("派出单位"),
        queryset=Department.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("全部单位"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择派出单位。")},
    )
    flag = forms.ChoiceField(
        label=gettext_lazy("提示"),
        choices=FLAG_CHOICES,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择提示类型。")},
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("拟派驻和在岗")), *Secondment.Status.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )

    def __init__(self, *args: Any, hall_ids: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        halls = Hall.objects.order_by(*HALL_ORDER)
        field = self.fields["hall"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = halls if hall_ids is None else halls.filter(pk__in=hall_ids)


class IncidentForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("来源"),
        choices=[("", gettext_lazy("请选择")), *ConductIncident.Source.choices],
        error_messages={
            "required": gettext_lazy("请从列表中选择来源。"),
            "invalid_choice": gettext_lazy("请从列表中选择来源。"),
        },
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": gettext_lazy("请填写发生日期。"), "invalid": gettext_lazy("请填写有效的日期。")},
    )
    # No maxlength attribute in the page: a browser would cut a pasted reference silently; the
    # service refuses a reference that is too long with its length (staffing.services).
    reference = forms.CharField(
        label=gettext_lazy("关联编号"),
        required=False,
        help_text=gettext_lazy("投诉或评价的编号（如有）。"),
    )
    description = forms.CharField(
        label=gettext_lazy("情况描述"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请描述具体情况（至少10个字）。")},
    )


class PlannerForm(forms.Form):
    """The window planner's question: which hall and day, at what target (default the hall's:
    80 % called within 15 minutes), for the whole hall or one queue."""

    hall = DisplayNameChoice(
        label=gettext_lazy("大厅"),
        queryset=Hall.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("请选择大厅"),  # not Django's untranslated "- Select an option -"
        error_messages={
            "required": gettext_lazy("请选择大厅。"),
            "invalid_choice": gettext_lazy("请从列表中选择大厅。"),
        },
    )
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": gettext_lazy("请填写日期。"), "invalid": gettext_lazy("请填写有效的日期。")},
    )
    category = forms.CharField(
        label=gettext_lazy("排队类别"),
        required=False,
        max_length=1,
        help_text=gettext_lazy("类别字母，如 A；留空为全大厅。"),
        error_messages={"max_length": gettext_lazy("请填写一个类别字母，如 A。")},
    )
    target_share = forms.IntegerField(
        label=gettext_lazy("目标比例（%）"),
        min_value=PLANNER_SHARE_RANGE[0],
        max_value=PLANNER_SHARE_RANGE[1],
        required=False,
        help_text=gettext_lazy("在目标等候时间内被叫号的人数比例，50至99。"),
        error_messages={
            "invalid": gettext_lazy("目标比例须为整数（%）。"),
            "min_value": gettext_lazy("目标比例须在50%%至99%%之间。"),
            "max_value": gettext_lazy("目标比例须在50%%至99%%之间。"),
        },
    )
    target_wait_minutes = forms.IntegerField(
        label=gettext_lazy("目标等候时间（分钟）"),
        min_value=PLANNER_WAIT_RANGE[0],
        max_value=PLANNER_WAIT_RANGE[1],
        required=False,
        error_messages={
            "invalid": gettext_lazy("目标等候时间须为整数（分钟）。"),
            "min_value": gettext_lazy("目标等候时间须在1至120分钟之间。"),
            "max_value": gettext_lazy("目标等候时间须在1至120分钟之间。"),
        },
    )

    def __init__(self, *args: Any, hall_ids: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        halls = Hall.objects.order_by(*HALL_ORDER)
        field = self.fields["hall"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = halls if hall_ids is None else halls.filter(pk__in=hall_ids)

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if not PLANNER_MIN_DATE <= day <= PLANNER_MAX_DATE:
            raise forms.ValidationError(gettext_lazy("请填写2000年至2099年之间的日期。"))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        letter = (data.get("category") or "").strip().upper()
        data["queue"] = None
        if letter and data.get("hall") is not None:
            queue = QueueCategory.objects.filter(hall=data["hall"], letter=letter).first()
            if queue is None:
                self.add_error("category", gettext_lazy("该大厅没有这个排队类别。"))
            data["queue"] = queue
        return data


class SurgeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部")), *SurgeFlag.Status.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )


class SurgeHandleForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("处理结果"),
        choices=[("", gettext_lazy("请选择")), *SurgeFlag.Decision.choices],
        error_messages={
            "required": gettext_lazy("请选择处理结果。"),
            "invalid_choice": gettext_lazy("请选择处理结果。"),
        },
    )
    extra_staff = forms.IntegerField(
        label=gettext_lazy("增派人数"),
        required=False,
        error_messages={"invalid": gettext_lazy("增派人数须为整数。")},
    )
    note = forms.CharField(
        label=gettext_lazy("处理说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("无需增派的须写明理由。"),
    )


class DepartmentChoiceForm(forms.Form):
    """A supervisor picks the department (and, citywide, the hall) whose page to see."""

    hall = DisplayNameChoice(
        label=gettext_lazy("大厅"),
        queryset=Hall.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择大厅。"),
            "invalid_choice": gettext_lazy("请从列表中选择大厅。"),
        },
    )
    department = DisplayNameChoice(
        label=gettext_lazy("部门"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择部门。"),
            "invalid_choice": gettext_lazy("请从列表中选择部门。"),
        },
    )

    def __init__(self, *args: Any, hall_ids: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        halls = Hall.objects.order_by(*HALL_ORDER)
        field = self.fields["hall"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = halls if hall_ids is None else halls.filter(pk__in=hall_ids)


class LinkedIncidentForm(forms.Form):
    """A conduct incident recorded from a rectification order or a "办不成事" report: the source,
    reference and day come from it; the supervisor describes what happened (and, for a report,
    names the clerk concerned)."""

    secondment = forms.ModelChoiceField(
        label=gettext_lazy("被反映的工作人员"),
        queryset=Secondment.objects.none(),
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择被反映的工作人员。"),
            "invalid_choice": gettext_lazy("请从列表中选择被反映的工作人员。"),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("情况描述"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请描述具体情况（至少10个字）。")},
    )

    def __init__(self, *args: Any, hall_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hall_id is None:
            del self.fields["secondment"]  # from an order: the rated clerk
            return
        field = self.fields["secondment"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = (
            Secondment.objects.filter(hall_id=hall_id)
            .exclude(status=Secondment.Status.PLANNED)
            .select_related("user__staff_profile", "department")
            .order_by("department__code", "staff_number", "pk")
        )
        field.label_from_instance = _secondment_label  # type: ignore[method-assign,assignment]


def _secondment_label(secondment: Secondment) -> str:
    profile = getattr(secondment.user, "staff_profile", None)
    name = profile.display_name if profile is not None else secondment.user.get_username()
    return f"{secondment.staff_number} {name}（{secondment.department.display_name}）"
