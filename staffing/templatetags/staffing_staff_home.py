"""What staffing adds to the staff workbench beside the user's own record: the window planner and
the surge flags for the roles that may open them (a chief representative has no supervisors'
overview to find them from). No query: the user's scope is read once per request."""

from __future__ import annotations

from typing import Any

from django import template

from servicehall import roles
from servicehall.access import staff_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def staffing_workload_links(context: dict[str, Any]) -> bool:
    scope = staff_scope(context["request"].user)
    return scope.has_role(roles.CHIEF_REPRESENTATIVE, *roles.SUPERVISION_ROLES)
