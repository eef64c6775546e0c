"""The kiosk form (自助取号): which queue, an optional ID number and an optional green channel.

The form only parses what was typed or pressed; whether the ID number is valid, whether the
person already has a ticket, whether the green channel applies and whether the hall is open are
decided by ``queueing.services.ticket_issue``, whose errors the view puts back on these fields.
A queue no open window serves takes a second, explicit press (``confirm_unstaffed``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from queueing.models import QueueCategory, Ticket
from servicehall.forms import form_field

# What a person may choose at the kiosk; "staff granted" is for window staff only.
KIOSK_PRIORITIES = (
    ("", _("不需要")),
    (Ticket.Priority.ELDERLY.value, Ticket.Priority.ELDERLY.label),
    (Ticket.Priority.DISABLED.value, Ticket.Priority.DISABLED.label),
    (Ticket.Priority.PREGNANT.value, Ticket.Priority.PREGNANT.label),
)


class KioskForm(forms.Form):
    # Every category is a submit button named "category" whose value is the queue letter.
    category = forms.ModelChoiceField(
        queryset=QueueCategory.objects.none(),
        to_field_name="letter",
        label=_("办理业务"),
        error_messages={
            "required": _("请按下要办理业务的按钮取号。"),
            "invalid_choice": _("该业务类别不存在或已停用，请重新选择。"),
        },
    )
    id_number = forms.CharField(
        label=_("身份证号码（选填）"),
        required=False,
        max_length=30,
        error_messages={"max_length": _("身份证号码应为18位，前17位为数字，最后一位为数字或X。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "maxlength": "30",
                "aria-describedby": "id-number-help",
                "class": "kiosk-input",
            }
        ),
    )
    priority = forms.ChoiceField(
        label=_("绿色通道"),
        required=False,
        choices=KIOSK_PRIORITIES,
        initial="",
        widget=forms.RadioSelect(attrs={"class": "kiosk-radio"}),
        error_messages={"invalid_choice": _("请选择有效的绿色通道类别。")},
    )
    # Pressed on the page that warns no window serves the queue now: take the ticket anyway.
    confirm_unstaffed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: QuerySet[QueueCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "category", forms.ModelChoiceField).queryset = categories

    def issue_kwargs(self) -> dict[str, Any]:
        """The arguments of ``ticket_issue`` taken from the form."""
        return {
            "category": self.cleaned_data["category"],
            "id_number": self.cleaned_data["id_number"],
            "priority": self.cleaned_data["priority"],
        }
