"""What the “办不成事” reports add to the pages of the apps below (servicehall/extensions.py): the
QR code of the report form on slips and boards, the staff workbench's links, and a hall's open
reports on the supervisors' live dashboard. Each costs at most one query."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from feedback import selectors_reports
from feedback.models_reports import Report
from queueing.qr import qr_data_uri
from servicehall import roles
from servicehall.access import staff_scope

register = template.Library()


@lru_cache(maxsize=512)
def _qr(url: str) -> str:
    return qr_data_uri(url)


@dataclass(frozen=True)
class FormLink:
    url: str
    qr: str


@register.simple_tag(takes_context=True)
def report_form_link(context: dict[str, Any], hall_code: str = "") -> FormLink:
    """The public report form's absolute address (with the hall chosen) and its QR code, drawn
    once per address and kept: no query."""
    request = context.get("request")
    path = reverse("report-form") + (f"?{urlencode({'hall': hall_code})}" if hall_code else "")
    url = request.build_absolute_uri(path) if request is not None else path
    return FormLink(url, _qr(url))


@dataclass(frozen=True)
class StaffLink:
    url: str
    title: str
    help: str
    count: int | None = None
    count_label: str = ""


@register.simple_tag(takes_context=True)
def report_staff_links(context: dict[str, Any]) -> list[StaffLink]:
    """The report pages the user's roles open; for a chief representative, how many reports
    assigned to their department wait for a resolution (one query)."""
    user = context["request"].user
    scope = staff_scope(user)
    links: list[StaffLink] = []
    if scope.has_role(*roles.COUNTER_ROLES, *roles.SUPERVISION_ROLES):
        links.append(
            StaffLink(reverse("report-new"), _("登记“办不成事”反映"), _("在“办不成事”反映窗口登记群众反映的问题。"))
        )
    if scope.has_role(*roles.SUPERVISION_ROLES):
        links.append(
            StaffLink(reverse("supervisor-reports"), _("“办不成事”反映"), _("转派、督办、回访和各类问题统计。"))
        )
    elif scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None and scope.department_id:
        # Waiting for this department's own answer (部门答复), not for another department's.
        waiting = Report.objects.filter(
            hall_id=scope.hall_id,
            status=Report.Status.ASSIGNED,
            assignments__department_id=scope.department_id,
            assignments__answered_at__isnull=True,
        ).count()
        links.append(
            StaffLink(
                reverse("report-list"),
                _("转派本部门的“办不成事”反映"),
                _("本部门在本大厅须办结答复的反映。"),
                waiting,
                _("待办结"),
            )
        )
    elif scope.has_role(roles.WINDOW_STAFF) and scope.hall_id is not None:
        links.append(
            StaffLink(
                reverse("report-list"),
                _("本大厅的“办不成事”反映"),
                _("查看本大厅反映的办理进度（只读），以便答复来询问的群众。"),
            )
        )
    return links


@register.simple_tag
def report_hall_counts(hall: Any) -> dict[str, int]:
    """A hall's open reports and their flags: one aggregate query."""
    return selectors_reports.hall_open_counts(hall.pk)
