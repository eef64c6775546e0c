from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from catalog import english

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    """``{{ version|localized:"conditions" }}``: the English text on an English page when it is
    filled, the Chinese otherwise (``catalog.english.localized``)."""
    return english.localized(obj, field)


@register.filter
def working_days(value: int) -> str:
    """ "5 个工作日" / "5 working days" (and "1 working day"); a limit of none is "即办" (instant),
    never "0 个工作日"."""
    if value == 0:
        return gettext("即办")
    return ngettext("%(days)s 个工作日", "%(days)s 个工作日", value) % {"days": value}


@register.simple_tag
def fast_select(field, options: list[tuple[str, str]]) -> str:
    """A <select> for a filter field with many options (a city has a couple of hundred halls),
    built in one pass instead of one widget template per option."""
    selected = str(field.value() or "")
    choices = [("", str(field.field.empty_label or ""))] + list(options)
    rendered = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if value == selected else "", label) for value, label in choices),  # noqa: S308 - a constant
    )
    invalid = mark_safe(' aria-invalid="true"') if field.errors else ""  # noqa: S308 - a constant
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>', field.html_name, field.id_for_label, invalid, rendered
    )
