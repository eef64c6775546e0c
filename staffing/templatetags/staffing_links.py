"""What staffing adds to pages other apps draw (servicehall/extensions.py): the staff workbench's
link to the department's page, and the conduct incidents recorded from a rectification order or
a "办不成事" report, shown on their pages to the supervisors of the hall (one query each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from feedback.models import RectificationOrder, Report
from servicehall import roles
from servicehall.access import chief_department, staff_scope
from staffing import selectors
from staffing.models import ConductIncident

register = template.Library()


@dataclass(frozen=True)
class OrderIncident:
    incident: ConductIncident | None
    may_record: bool


@dataclass(frozen=True)
class ReportIncidents:
    incidents: list[ConductIncident]


def _supervises(context: dict[str, Any], hall_id: int) -> bool:
    scope = staff_scope(context["request"].user)
    return scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(hall_id)


@register.simple_tag(takes_context=True)
def order_incident(context: dict[str, Any], order: RectificationOrder) -> OrderIncident | None:
    """For a supervisor of the order's hall: the incident recorded from the order, or whether
    one may be recorded (found valid, not overturned, a rated clerk); None for anyone else."""
    if not _supervises(context, order.hall_id):
        return None
    incident = selectors.incident_for_order(order.pk)
    may_record = (
        incident is None
        and order.verification_valid is True
        and order.status != RectificationOrder.Status.OVERTURNED
        and order.rating.staff_id is not None
    )
    return OrderIncident(incident=incident, may_record=may_record)


@register.simple_tag(takes_context=True)
def report_incidents(context: dict[str, Any], report: Report) -> ReportIncidents | None:
    """For a supervisor of the report's hall: the incidents recorded from it; None otherwise."""
    if not _supervises(context, report.hall_id):
        return None
    return ReportIncidents(incidents=selectors.incidents_for_report(report.pk))


@register.simple_tag(takes_context=True)
def department_page_for(context: dict[str, Any]) -> str:
    """Who the department's page is for on the workbench: "chief" (the recorded chief
    representative), "supervisor", or "" (no link)."""
    user = context["request"].user
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        return "supervisor"
    if scope.has_role(roles.CHIEF_REPRESENTATIVE) and chief_department(user) is not None:
        return "chief"
    return ""
