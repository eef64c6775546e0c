"""The booking rules in words, for templates that other apps render.

The window console (``templates/queueing/console/console.html``) is rendered by queueing code,
which does not import appointments; its check-in form still has to state the hall's own check-in
window. A template tag answers wherever the console is drawn (the page, its polls, after any
action, after a check-in), where context passed by the check-in view would reach only the last.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from appointments.config import rules_for
from catalog.models import Hall

register = template.Library()


@register.simple_tag
def checkin_window_text(hall: Hall | int) -> str:
    """When a booking is checked in for a priority ticket at ``hall`` (its rules, remembered per
    process: no query on the console's polls)."""
    rules = rules_for(hall)
    return _("预约时段开始前%(before)s分钟至开始后%(after)s分钟内签到取优先号（Y），迟到取普通号。") % {
        "before": rules.checkin_before_minutes,
        "after": rules.checkin_after_minutes,
    }
