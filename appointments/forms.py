"""Forms of the booking pages. They only parse what was typed or chosen; whether the person may
book and whether a seat is left are decided by ``appointments.services``, whose errors the views
put back on these fields. The booking form checks the shape of the ID and mobile numbers with the
kernel's validators (which the service runs again), so that a wrong one is shown together with a
missing name, not after it (walkthrough finding 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import District
from queueing.forms import AssistanceForm
from servicehall.clock import local_date
from servicehall.personal_data import validate_id_number, validate_mobile

ITEM_CODE_PATTERN = r"^[0-9]{10}$"


class DistrictFilterForm(forms.Form):
    district = forms.ChoiceField(
        label=_("所在区"),
        required=False,
        choices=[("", _("全部区"))] + list(District.choices),
        error_messages={"invalid_choice": _("请选择广州市的一个区。")},
    )


class ItemChoiceForm(forms.Form):
    """The optional item kept along the booking pages (its code, never personal data)."""

    item = forms.RegexField(
        label=_("办理事项"),
        regex=ITEM_CODE_PATTERN,
        required=False,
        error_messages={"invalid": _("事项编码应为10位数字，请重新选择事项。")},
    )


class DayChoiceForm(forms.Form):
    day = forms.DateField(
        label=_("日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期格式不正确，请从列表中选择日期。")},
    )


class SlotChoiceForm(forms.Form):
    """A slot picked from the radio group of a day's slots (reschedule)."""

    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    slot = forms.IntegerField(
        label=pgettext_lazy("booking", "时段"),
        min_value=1,
        error_messages={
            "required": _("请选择一个时段。"),
            "invalid": _("请选择一个时段。"),
            "min_value": _("请选择一个时段。"),
        },
    )


class BookingForm(AssistanceForm):
    name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名最多40个字。")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": "40"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        error_messages={
            "required": _("请填写身份证号码。"),
            "max_length": _("身份证号码应为18位，前17位为数字，最后一位为数字或X。"),
        },
        help_text=_("仅用于实名预约和签到核验；系统只保存脱敏号码（如 4401**********123X）和不可逆摘要。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": "30"}
        ),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages={"required": _("请填写手机号码。"), "max_length": _("请输入11位中国大陆手机号码。")},
        help_text=_("用于接收预约成功、前一天和开始前一小时的提醒短信；页面上脱敏显示。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel", "maxlength": "20"}),
    )
    item = forms.RegexField(
        regex=ITEM_CODE_PATTERN,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("事项编码应为10位数字，请重新选择事项。")},
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上述个人信息使用说明"),
        error_messages={"required": _("请阅读个人信息使用说明并勾选同意，才能提交预约。")},
    )

    def __init__(self, *args: Any, shared_screen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if shared_screen:
            # A kiosk: the browser must not offer the last person's name or number to the next.
            for field in self.fields.values():
                field.widget.attrs["autocomplete"] = "off"

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        try:
            validate_id_number(value, today=local_date(timezone.now()))
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code="invalid") from exc
        return value

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"]
        try:
            validate_mobile(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code="invalid") from exc
        return value

    def create_kwargs(self) -> dict[str, Any]:
        """The personal data for ``booking_create``, as typed: the service validates it."""
        return {
            "name": self.cleaned_data["name"],
            "id_number": self.cleaned_data["id_number"],
            "mobile": self.cleaned_data["mobile"],
            "assistance": self.assistance_wish(),
        }


class CheckInForm(forms.Form):
    """Kiosk check-in: the booking code (typed or scanned from the QR code) or the ID number."""

    code = forms.CharField(
        label=_("预约码"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("预约码为8位字母和数字，请核对后重新输入。")},
        help_text=_("见预约成功短信或预约页面；也可以把预约页面上的二维码对准扫码口。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": "20"}
        ),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=30,
        error_messages={"max_length": _("身份证号码应为18位，前17位为数字，最后一位为数字或X。")},
        help_text=_("没有预约码时，输入预约时填写的身份证号码或刷身份证。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": "30"}
        ),
    )
    mobile_last4 = forms.CharField(
        label=_("预约手机号码后四位"),
        required=False,
        max_length=4,
        help_text=_("凭身份证号码签到时填写，用预约码签到无需填写。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": "4"}),
    )
    # From a normal ticket's slip: the ticket the kiosk issued with the ID number stands for it.
    ticket = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


def parse_day(value: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` query parameter, or None when it is not one."""
    form = DayChoiceForm({"day": value})
    return form.cleaned_data["day"] if form.is_valid() else None


class LookupForm(forms.Form):
    """Find my bookings: the ID and mobile number given when booking (checked by the service)."""

    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        error_messages={
            "required": _("请填写身份证号码。"),
            "max_length": _("身份证号码应为18位，前17位为数字，最后一位为数字或X。"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": "30"}
        ),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages={"required": _("请填写手机号码。"), "max_length": _("请输入11位中国大陆手机号码。")},
        help_text=_("预约时填写的手机号码；验证码将发送到该号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel", "maxlength": "20"}),
    )


class CodeInput(forms.TextInput):
    """Empty again after a refusal: a wrong code is typed anew, not corrected."""

    def format_value(self, value: Any) -> str | None:
        return None


class LookupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        error_messages={
            "required": _("请输入短信中的6位数字验证码。"),
            "max_length": _("请输入短信中的6位数字验证码。"),
        },
        widget=CodeInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "maxlength": "6",
                "spellcheck": "false",
            }
        ),
    )
