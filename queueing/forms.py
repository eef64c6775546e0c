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

from queueing import services
from queueing.models import AssistanceRequest, QueueCategory, Ticket
from servicehall.forms import form_field

# What a person may choose at the kiosk; "staff granted" is for window staff only.
KIOSK_PRIORITIES = (
    ("", _("不需要")),
    (Ticket.Priority.ELDERLY.value, Ticket.Priority.ELDERLY.label),
    (Ticket.Priority.DISABLED.value, Ticket.Priority.DISABLED.label),
    (Ticket.Priority.PREGNANT.value, Ticket.Priority.PREGNANT.label),
)


class AssistanceForm(forms.Form):
    """Asking for accompanied (陪同办) or assisted (帮办代办) handling (Art. 10 ¶1): a tick, the
    kind and the reason. The kiosk form and the booking form (``appointments.forms``) share it;
    ``queueing.services.assistance_wish`` checks what was asked."""

    assistance = forms.BooleanField(label=_("需要帮办/陪同"), required=False)
    assistance_kind = forms.ChoiceField(
        label=_("服务类型"),
        required=False,
        choices=AssistanceRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择服务类型：陪同办或帮办代办。")},
    )
    assistance_reason = forms.ChoiceField(
        label=_("原因"),
        required=False,
        choices=AssistanceRequest.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择原因：高龄、残疾、行动不便或其他。")},
    )
    assistance_note = forms.CharField(
        label=_("说明（原因为“其他”时必填）"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("说明最多200个字。")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("assistance")
            and not self.has_error("assistance_kind")
            and not self.has_error("assistance_reason")
        ):
            try:
                cleaned["assistance_wish"] = services.assistance_wish(
                    kind=cleaned.get("assistance_kind") or "",
                    reason=cleaned.get("assistance_reason") or "",
                    note=cleaned.get("assistance_note") or "",
                )
            except services.QueueError as exc:
                self.add_error(f"assistance_{exc.field}", str(exc.message))
        return cleaned

    def assistance_wish(self) -> services.AssistanceWish | None:
        """What was asked for, or None when the box was not ticked."""
        return self.cleaned_data.get("assistance_wish")


def _category_field(required: Any, **kwargs: Any) -> forms.ModelChoiceField:
    """A queue chosen by its letter among the form's categories (set by the form)."""
    return forms.ModelChoiceField(
        queryset=QueueCategory.objects.none(),
        to_field_name="letter",
        label=_("办理业务"),
        error_messages={"required": required, "invalid_choice": _("该业务类别不存在或已停用，请重新选择。")},
        **kwargs,
    )


def _id_number_field(**kwargs: Any) -> forms.CharField:
    """The optional ID number of a ticket (``ticket_issue`` checks it)."""
    return forms.CharField(
        label=_("身份证号码（选填）"),
        required=False,
        max_length=30,
        error_messages={"max_length": _("身份证号码应为18位，前17位为数字，最后一位为数字或X。")},
        **kwargs,
    )


def _priority_field(widget: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("绿色通道"),
        required=False,
        choices=KIOSK_PRIORITIES,
        initial="",
        widget=widget,
        error_messages={"invalid_choice": _("请选择有效的绿色通道类别。")},
    )


class _IssueForm(forms.Form):
    """What the kiosk's and the online form share: the hall's queues offered, and the arguments
    of ``ticket_issue`` taken from the form."""

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


class KioskForm(_IssueForm, AssistanceForm):
    # Every category is a submit button named "category" whose value is the queue letter.
    category = _category_field(_("请按下要办理业务的按钮取号。"))
    id_number = _id_number_field(
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
    priority = _priority_field(forms.RadioSelect(attrs={"class": "kiosk-radio"}))
    # Pressed on the page that warns no window serves the queue now: take the ticket anyway.
    confirm_unstaffed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The form's first submit button, visually hidden: the Enter of an ID card reader (or of a
    # person typing) presses it (implicit submission), and it reads the ID number, no ticket.
    read_id = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Beside an ID number read and shown masked: type another one.
    clear_id = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.reads_id_number() or self.clears_id_number():
            form_field(self, "category", forms.ModelChoiceField).required = False

    def _pressed(self, name: str) -> bool:
        # A queue's button sends the queue's letter and no other button's name; a request with
        # both is a queue pressed.
        return self.is_bound and bool(self.data.get(name)) and not self.data.get("category")

    def reads_id_number(self) -> bool:
        """Enter was pressed (the hidden first button), not a queue's button."""
        return self._pressed("read_id")

    def clears_id_number(self) -> bool:
        """The button beside the masked ID number was pressed."""
        return self._pressed("clear_id")

    def choices_kept(self, **changes: Any) -> dict[str, Any]:
        """What the person chose, as the initial values of the next page's form."""
        names = ("id_number", "priority", "assistance", "assistance_kind", "assistance_reason", "assistance_note")
        source = self.cleaned_data if hasattr(self, "cleaned_data") else self.data
        return {name: source.get(name) for name in names} | changes


class OnlineTicketForm(_IssueForm):
    """Taking a ticket online (线上取号) from the hall's page: one queue (a radio button each),
    an optional ID number and an optional green channel. As at the kiosk, ``ticket_issue``
    decides everything else; the queues offered are any of the hall's, so that a queue stopped
    meanwhile is refused by the service, with its message, not by the form."""

    category = _category_field(_("请选择要办理的业务。"), widget=forms.RadioSelect)
    id_number = _id_number_field()
    priority = _priority_field(forms.RadioSelect)
    # As at the kiosk: a queue no open window serves takes a second, explicit confirmation.
    confirm_unstaffed = forms.BooleanField(required=False, widget=forms.HiddenInput)
