"""Forms of the staff and supervisor pages of the appointments: check-in at a window, the day and
date range of the statistics, a day's capacity, closing a slot, lifting a suspension.

They check the shape of the input; the rules (capacity not below what is booked, a reason to
close or lift, who is suspended) are the services' and come back as their messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.services import CODE_ALPHABET
from appointments.stats import RANGE_MAX_DAYS, CategorySeats
from servicehall.forms import form_field

CODE_LENGTH = 8
ID_NUMBER_LENGTH = 18


def _date_field(label: Any, *, required: Any, invalid: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": required, "invalid": invalid},
    )


class CheckInLookup(TypedDict, total=False):
    """The arguments of ``booking_check_in`` that find the booking: one of the two."""

    code: str
    id_number: str


class CheckInForm(forms.Form):
    """One box for what the applicant shows at the counter: the booking code or the ID card."""

    lookup = forms.CharField(
        label=gettext_lazy("预约码或身份证号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": gettext_lazy("请输入预约码或身份证号码。")},
    )

    def clean_lookup(self) -> str:
        value = "".join(self.cleaned_data["lookup"].split()).upper()
        if len(value) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in value):
            return value
        if len(value) == ID_NUMBER_LENGTH:
            return value  # the service checks the number (GB 11643 check character)
        raise forms.ValidationError(_("请输入8位预约码或18位身份证号码。"), code="shape")

    def service_kwargs(self) -> CheckInLookup:
        value = self.cleaned_data["lookup"]
        return {"id_number": value} if len(value) == ID_NUMBER_LENGTH else {"code": value}


class DayForm(forms.Form):
    date = _date_field(
        gettext_lazy("日期"),
        required=gettext_lazy("请填写日期。"),
        invalid=gettext_lazy("日期无效，请按“年-月-日”填写，例如 2026-11-23。"),
    )


def day_form(query: Any, *, today: dt.date) -> DayForm:
    """The form bound to the query; today when no date is given."""
    return DayForm({"date": query.get("date") or today.isoformat()})


class RangeForm(forms.Form):
    start = _date_field(
        gettext_lazy("起始日期"),
        required=gettext_lazy("请填写起始日期。"),
        invalid=gettext_lazy("起始日期无效，请按“年-月-日”填写，例如 2026-11-16。"),
    )
    end = _date_field(
        gettext_lazy("截止日期"),
        required=gettext_lazy("请填写截止日期。"),
        invalid=gettext_lazy("截止日期无效，请按“年-月-日”填写，例如 2026-11-30。"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if start > end:
            self.add_error("start", _("起始日期不能晚于截止日期。"))
        elif (end - start).days + 1 > RANGE_MAX_DAYS:
            self.add_error(
                "end", _("统计期间最长 %(days)s 天（含起止两天），请缩短日期范围。") % {"days": RANGE_MAX_DAYS}
            )
        return cleaned


def range_form(query: Any, *, around: dt.date) -> RangeForm:
    """The form bound to the query; without dates, the week before and the week after ``around``."""
    week = dt.timedelta(days=7)
    return RangeForm(
        {
            "start": query.get("start") or (around - week).isoformat(),
            "end": query.get("end") or (around + week).isoformat(),
        }
    )


class CapacityForm(forms.Form):
    """The seats of every slot of one queue on the day the page shows."""

    category = forms.TypedChoiceField(
        label=gettext_lazy("排队类别"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("请选择排队类别。"),
            "invalid_choice": gettext_lazy("该排队类别当天没有预约时段。"),
        },
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("每个时段名额"),
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("请填写名额。"),
            "invalid": gettext_lazy("名额须为整数。"),
            "min_value": gettext_lazy("名额须在1至500之间。"),
            "max_value": gettext_lazy("名额须在1至500之间。"),
        },
    )

    def __init__(
        self, *args: Any, categories: list[CategorySeats], day: dt.date, today: dt.date, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "capacity-%s")
        super().__init__(*args, **kwargs)
        self.day, self.today = day, today
        self.categories = {entry.category.pk: entry for entry in categories}
        form_field(self, "category", forms.TypedChoiceField).choices = [("", _("请选择"))] + [
            (entry.category.pk, _seats_label(entry)) for entry in categories
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.day < self.today:
            raise forms.ValidationError(_("已过去的日期不能调整名额。"), code="past")
        return cleaned

    def category_seats(self) -> CategorySeats:
        return self.categories[self.cleaned_data["category"]]


def _seats_label(entry: CategorySeats) -> str:
    seats = str(entry.smallest) if entry.smallest == entry.largest else f"{entry.smallest}–{entry.largest}"
    return _("%(letter)s %(name)s（当前每时段 %(seats)s 人，单时段最多已约 %(booked)s 人）") % {
        "letter": entry.category.letter,
        "name": entry.category.display_name,
        "seats": seats,
        "booked": entry.fullest,
    }


class ReasonForm(forms.Form):
    """A reason, required by the service (closing a slot, lifting a suspension); the browser is
    told so too, and the service's message comes back when it is missing."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"required": True, "maxlength": 200}),
        error_messages={"max_length": gettext_lazy("原因最多 200 字。")},
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label


def close_form(slot_pk: int, data: Any = None) -> ReasonForm:
    return ReasonForm(data, label=gettext_lazy("关闭原因"), auto_id=f"slot-{slot_pk}-%s")


def lift_form(person_pk: str, data: Any = None) -> ReasonForm:
    return ReasonForm(data, label=gettext_lazy("解除原因"), auto_id=f"lift-{person_pk[:12]}-%s")


class AdminReasonForm(forms.Form):
    """The reason asked for on the admin's intermediate page (required there, with the same message
    as the service's)."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
        error_messages={
            "required": gettext_lazy("请填写原因。"),
            "max_length": gettext_lazy("原因最多 200 字。"),
        },
    )

    def __init__(self, *args: Any, label: Any = None, required_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        if required_message is not None:
            self.fields["reason"].error_messages["required"] = required_message
