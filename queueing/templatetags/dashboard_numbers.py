"""Numbers of the dashboard pages, rounded the way the exports round them."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

from queueing.dashboard import shown_minutes

register = template.Library()


@register.filter
def minutes(value: float | None) -> str:
    """Minutes with one decimal (``dashboard.shown_minutes``, as in the CSV and Excel files); an
    empty string when there is nothing to show, so that ``|default:"—"`` applies."""
    shown = shown_minutes(value)
    return "" if shown is None else floatformat(shown, 1)
