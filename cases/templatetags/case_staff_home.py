"""What cases adds to the staff workbench (/staff/, servicehall/extensions.py ``STAFF_HOME``): the
case pages each role may open, with the counts waiting for the user where they are cheap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import forwarding, urgent
from cases.models import UrgentRequest
from servicehall import roles
from servicehall.access import chief_department, staff_scope

register = template.Library()


@dataclass(frozen=True)
class StaffLink:
    url: str
    title: str
    help: str
    count: int | None = None
    count_label: str = ""


@register.simple_tag(takes_context=True)
def case_staff_links(context: dict[str, Any]) -> list[StaffLink]:
    """The links the user's roles open (the same roles as the pages' own checks), in at most two
    queries: the forwardings waiting at their hall and the urgent requests waiting for them."""
    user = context["request"].user
    scope = staff_scope(user)
    counter = scope.has_role(*roles.COUNTER_ROLES)
    links: list[StaffLink] = []
    if counter or scope.has_role(*roles.SUPERVISION_ROLES):
        links.append(StaffLink(reverse("case-list"), _("办件"), _("本大厅办件的查询、办理与打印。")))
        links.append(StaffLink(reverse("bundle-case-list"), _("一件事申请"), _("“一件事”联办申请及其各事项的进度。")))
    if scope.has_role(roles.CHIEF_REPRESENTATIVE) and chief_department(user) is not None:
        links.append(
            StaffLink(reverse("case-inbox"), _("部门待办"), _("本部门在本大厅的超期、临期、待审查和待决定办件。"))
        )
        waiting = urgent.pending_for(user).filter(status=UrgentRequest.Status.REQUESTED).count()
        links.append(
            StaffLink(
                reverse("urgent-inbox"), _("急事急办审批"), _("审批本部门的急事急办申请。"), waiting, _("待审批急办")
            )
        )
    if counter and scope.hall_id is not None:
        waiting = forwarding.incoming(hall_id=scope.hall_id).count()
        links.append(
            StaffLink(
                reverse("case-forwarding-inbox"),
                _("转办收件箱"),
                _("其他大厅转来本大厅的办件：接收或退回；本大厅转出的办件。"),
                waiting,
                _("待接收转办"),
            )
        )
    return links


@register.simple_tag
def console_forwardings_waiting(window: Any) -> int:
    """Forwardings in transit to the hall of the window console (one count query): a clerk at
    the counter sees them without opening "工作台的其他功能" (issue 11's walkthrough)."""
    return forwarding.incoming(hall_id=window.hall_id).order_by().count()
