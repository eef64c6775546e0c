"""Forms of the 好差评 pages: the rating (link and tablet), the rectification steps, the public
statistics' filters. They check the shape of the input; the rules are in the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from catalog.models import Hall
from feedback import ratings
from feedback.models_ratings import Level, RectificationOrder
from feedback.ratings import RatingError

_LEVEL_CHOICES = Level.choices


def _level_field(label: Any, required_message: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=_LEVEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class RatingForm(forms.Form):
    # 整体满意度 is the overall level, asked once (the service stores it as ``overall`` too).
    level = _level_field(gettext_lazy("整体满意度"), gettext_lazy("请评价整体满意度。"))
    efficiency = _level_field(gettext_lazy("服务效率"), gettext_lazy("请评价服务效率。"))
    quality = _level_field(gettext_lazy("服务水平"), gettext_lazy("请评价服务水平。"))
    attitude = _level_field(gettext_lazy("服务态度"), gettext_lazy("请评价服务态度。"))
    comment = forms.CharField(
        label=gettext_lazy("评价内容（可选）"),
        required=False,
        max_length=ratings.COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("请勿填写姓名、证件号码、手机号码等个人信息。"),
        error_messages={"max_length": gettext_lazy("评价内容最多300个字。")},
    )

    INDICATORS = ratings.ASKED_INDICATORS

    def rating_input(self) -> ratings.RatingInput:
        return ratings.rating_input_clean(self.cleaned_data)


def add_error(form: forms.Form, exc: RatingError) -> None:
    placed = False
    for name, messages in (exc.errors or {}).items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


class VerifyForm(forms.Form):
    valid = forms.TypedChoiceField(
        label=gettext_lazy("核实结论"),
        choices=[("1", gettext_lazy("属实，需要整改")), ("0", gettext_lazy("不属实"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择核实结论。"),
            "invalid_choice": gettext_lazy("请选择核实结论。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("核实情况和理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明核实情况和理由。")},
    )


class RectifyForm(forms.Form):
    measures = forms.CharField(
        label=gettext_lazy("整改措施"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明整改措施。")},
    )


NO_CONTACT = "none"


class FollowUpForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=gettext_lazy("是否联系上评价人"),
        choices=[("1", gettext_lazy("已联系上")), ("0", gettext_lazy("未联系上"))],
        coerce=lambda v: {"1": True, "0": False}.get(v),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择是否联系上评价人。"),
            "invalid_choice": gettext_lazy("请选择是否联系上评价人。"),
        },
    )

    def __init__(self, *args: Any, contactable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not contactable:
            # An anonymous rating (tablet, link): no call is possible, and the form says so.
            field = self.fields["reached"]
            assert isinstance(field, forms.TypedChoiceField)
            field.label = gettext_lazy("回访情况")
            field.choices = [(NO_CONTACT, gettext_lazy("评价人未留联系方式（无法回访）"))]
            field.initial = NO_CONTACT
            field.error_messages["required"] = gettext_lazy("请选择回访情况。")
            field.error_messages["invalid_choice"] = gettext_lazy(
                "评价人未留联系方式，无法回访：请选择“评价人未留联系方式”。"
            )
            del self.fields["satisfied"]
            self.fields["note"].help_text = gettext_lazy("例如：整改措施已落实，评价人未留联系方式，无法回访。")

    satisfied = forms.TypedChoiceField(
        label=gettext_lazy("评价人对整改是否满意"),
        choices=[("", gettext_lazy("（未联系上时不填）")), ("1", gettext_lazy("满意")), ("0", gettext_lazy("不满意"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("回访记录"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请记录回访情况。")},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("申诉理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明申诉理由。")},
    )


class AppealDecisionForm(forms.Form):
    overturn = forms.TypedChoiceField(
        label=gettext_lazy("复核结论"),
        choices=[("0", gettext_lazy("维持差评")), ("1", gettext_lazy("撤销差评（不计入满意度）"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择复核结论。"),
            "invalid_choice": gettext_lazy("请选择复核结论。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("复核意见"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明复核意见。")},
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "verify": VerifyForm,
    "rectify": RectifyForm,
    "follow-up": FollowUpForm,
    "appeal": AppealForm,
    "decide-appeal": AppealDecisionForm,
}


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), ("open", gettext_lazy("未办结")), *RectificationOrder.Status.choices],
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅看逾期"), required=False)


# The months the statistics can be asked for (the API's schema states the same, 19xx-20xx): the
# page's previous and next links stay inside them, so no date arithmetic leaves the calendar.
MONTH_FIRST = dt.date(1900, 1, 1)
MONTH_LAST = dt.date(2099, 12, 1)
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
MONTH_FORMAT_MESSAGE = gettext_lazy("月份格式应为“年-月”，例如 2026-11。")


def month_or_error(raw: str) -> tuple[dt.date | None, str]:
    """``YYYY-MM`` (ASCII digits) as the month's first day and "", or None and why not: its
    shape, a month that is not 01-12, a year outside ``MONTH_FIRST``..``MONTH_LAST``."""
    found = _MONTH_RE.fullmatch(raw or "")
    if found is None or not 1 <= int(found[2]) <= 12:
        return None, str(MONTH_FORMAT_MESSAGE)
    year = int(found[1])
    if not MONTH_FIRST.year <= year <= MONTH_LAST.year:
        return None, gettext("只能查看 %(first)s 至 %(last)s 之间的月份。") % {
            "first": f"{MONTH_FIRST:%Y-%m}",
            "last": f"{MONTH_LAST:%Y-%m}",
        }
    return dt.date(year, int(found[2]), 1), ""


def parse_month(raw: str) -> dt.date | None:
    """``YYYY-MM`` as the month's first day, or None (see ``month_or_error``)."""
    return month_or_error(raw)[0]


def previous_month(month: dt.date) -> dt.date | None:
    """The month before, or None before ``MONTH_FIRST``."""
    return None if month <= MONTH_FIRST else (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def next_month(month: dt.date) -> dt.date | None:
    """The month after, or None past ``MONTH_LAST``."""
    return None if month >= MONTH_LAST else (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


SCOPES = [
    ("hall", gettext_lazy("按大厅")),
    ("department", gettext_lazy("按部门")),
    ("window", gettext_lazy("按窗口")),
]


class _HallChoice(forms.ModelChoiceField):
    """A hall by the name of the page's language (``Hall.display_name``)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class StatisticsFilterForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=gettext_lazy("格式：2026-11"),
    )
    hall = _HallChoice(
        label=gettext_lazy("大厅"),
        required=False,
        queryset=Hall.objects.order_by("code"),
        to_field_name="code",
        empty_label=gettext_lazy("全部大厅"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择大厅。")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("统计范围"),
        required=False,
        choices=SCOPES,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择统计范围。")},
    )

    def clean_month(self) -> dt.date | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        month, error = month_or_error(raw)
        if month is None:
            raise forms.ValidationError(error)
        return month
