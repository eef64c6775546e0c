"""Forwarding (转办, cases/forwarding.py) on pages drawn elsewhere: the case page's panel, and the
supervisors' figures (the live hall dashboard, the supervisors' cases page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from cases import forwarding
from cases.access import case_hall_ids
from cases.models import Case, Forwarding
from catalog.models import Hall

register = template.Library()

FIGURES_DAYS = 30


@dataclass(frozen=True)
class CasePanel:
    forwardings: list[Forwarding]
    may_forward: bool
    scope_display: str
    handle: Forwarding | None  # the forwarding in transit the viewer may take over or return
    current: Forwarding | None  # in transit or taken over
    collect_where: str  # the applicant's choice, the postal address in full for the handling hall


@register.simple_tag(takes_context=True)
def case_forwarding(context: dict[str, Any], case: Case) -> CasePanel:
    """What the case page shows of forwarding: the history, the "转办" link for the receiving
    hall's staff, the accept / return forms for the hall it is on its way to. One query."""
    user = context["request"].user
    rows = forwarding.case_forwardings(case)
    current = next((f for f in reversed(rows) if f.status in Forwarding.LIVE), None)
    handle = current if current is not None and forwarding.may_handle(user, current) else None
    scope = forwarding.forwarding_scope(case.guide_version)
    return CasePanel(
        forwardings=rows,
        may_forward=forwarding.may_forward(user, case),
        scope_display=str(Forwarding.Scope(scope).label) if scope else "",
        handle=handle,
        current=current,
        collect_where=(
            forwarding.collect_text(current, public=not forwarding.sees_post_address(user, current))
            if current is not None
            else ""
        ),
    )


@register.simple_tag(takes_context=True)
def forwarding_figures(context: dict[str, Any], hall: Hall | None) -> forwarding.ForwardingFigures:
    """In transit now and the last 30 days' transfers to or from ``hall`` (or, without one, the
    halls the viewer sees: every hall for a citywide supervisor): one aggregate query."""
    since = timezone.now() - dt.timedelta(days=FIGURES_DAYS)
    hall_ids = [hall.pk] if hall is not None else case_hall_ids(context["request"].user)
    return forwarding.forwarding_figures(hall_ids=hall_ids, since=since)


@register.filter
def transfer_time(value: dt.timedelta | float | None) -> str:
    """A transfer time (a duration, or seconds) as days, hours and minutes; "—" when unknown."""
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, dt.timedelta) else value)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分钟") % {"h": hours, "m": minutes}
    return _("%(m)s分钟") % {"m": minutes}
