"""Forms of the window console."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from queueing.models import AssistanceRequest, QueueCategory, Window
from servicehall.forms import form_field


class _CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: QueueCategory) -> str:
        return f"{obj.letter} {obj.display_name}"


def error_summary(form: forms.Form, lead: str) -> str:
    """The panel's top message for a refused form: ``lead`` and every message, in the order of
    the fields, so it says what the fields say (each error is also shown beside its field)."""
    found = [str(m) for m in form.non_field_errors()]
    found += [str(m) for name in form.fields if name in form.errors for m in form.errors[name]]
    return lead + "；".join(message.rstrip("。") for message in found) + "。" if found else lead


class TransferForm(forms.Form):
    """Transfer the current ticket to another category or another window, with a reason.

    Its ids start with ``transfer-`` (the green-channel form has a "reason" too, and the page
    must not hold two ``id_reason``); the posted names stay as they were. ``unserved``: the
    service asked whether to transfer into a queue no open window serves; the form then shows
    the "transfer anyway" box (``confirm_unserved``, posted as it is, not a field)."""

    unserved = False

    category = _CategoryChoiceField(
        label=_("转至类别"),
        queryset=QueueCategory.objects.none(),
        required=False,
        empty_label=_("（不转类别）"),
        help_text=_("与“转至窗口”二选一：选其中一项，另一项留空。"),
        error_messages={"invalid_choice": _("所选类别不存在或已停用，请重新选择。")},
    )
    target_window = forms.ModelChoiceField(
        label=_("转至窗口"),
        queryset=Window.objects.none(),
        required=False,
        empty_label=_("（不指定窗口）"),
        help_text=_("与“转至类别”二选一：选其中一项，另一项留空。"),
        error_messages={"invalid_choice": _("所选窗口不属于本大厅，请重新选择。")},
    )
    reason = forms.CharField(
        label=_("转办原因（必填）"),
        max_length=200,
        error_messages={
            "required": _("请填写转办原因。"),
            "max_length": _("转办原因最多200个字（已填写 %(show_value)d 个字）。"),
        },
    )

    def __init__(self, *args, window: Window, **kwargs) -> None:
        kwargs.setdefault("auto_id", "transfer-%s")
        super().__init__(*args, **kwargs)
        form_field(self, "category", forms.ModelChoiceField).queryset = QueueCategory.objects.filter(
            hall_id=window.hall_id, is_active=True
        ).order_by("order", "letter")
        form_field(self, "target_window", forms.ModelChoiceField).queryset = Window.objects.filter(
            hall_id=window.hall_id
        ).exclude(pk=window.pk)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if "category" in self.errors or "target_window" in self.errors:
            return cleaned
        if not cleaned.get("category") and not cleaned.get("target_window"):
            self.add_error("category", _("请选择转至的类别或窗口（二选一）。"))
        elif cleaned.get("category") and cleaned.get("target_window"):
            self.add_error("target_window", _("转至类别和转至窗口只能选一项：请把另一项留空。"))
        return cleaned


class GrantForm(forms.Form):
    """Put a waiting ticket on the green channel: which number, and why (ids ``grant-``)."""

    number = forms.RegexField(
        label=_("号码"),
        regex=r"^[A-Za-z]{1,2}\d{3,4}$",
        max_length=8,
        error_messages={
            "required": _("请填写号码。"),
            "invalid": _("请输入号码，例如 A012。"),
            "max_length": _("请输入号码，例如 A012。"),
        },
    )
    reason = forms.CharField(
        label=_("认定原因"),
        max_length=200,
        error_messages={
            "required": _("请填写认定原因。"),
            "max_length": _("认定原因最多200个字（已填写 %(show_value)d 个字）。"),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "grant-%s")
        super().__init__(*args, **kwargs)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].upper()


class AssistanceForm(forms.Form):
    """Open an assistance request (帮办代办、陪同办, Art. 10 ¶1) for the walk-in at the window."""

    prefix = "assist"  # the console's other forms have a "reason" too: distinct names and ids

    kind = forms.ChoiceField(
        label=_("服务类型"),
        choices=AssistanceRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择服务类型：陪同办或帮办代办。"),
            "invalid_choice": _("请选择服务类型：陪同办或帮办代办。"),
        },
    )
    reason = forms.ChoiceField(
        label=_("原因"),
        choices=AssistanceRequest.Reason.choices,
        error_messages={
            "required": _("请选择原因：高龄、残疾、行动不便或其他。"),
            "invalid_choice": _("请选择原因：高龄、残疾、行动不便或其他。"),
        },
    )
    note = forms.CharField(
        label=_("说明（原因为“其他”时必填）"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("说明最多200个字。")},
    )
