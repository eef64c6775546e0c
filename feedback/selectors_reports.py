"""Reads of the “办不成事” reports: the lists with their joins, the counts per category and per
hall, the reporter's progress by token, the halls that lack the window the regulation requires,
and the fetch-and-check helpers (Zulip's ``access_*``) the pages and the API call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import Department, Hall
from feedback.models_reports import Report, ReportAssignment, ReportCategory, ReportEvent
from queueing.models import Window
from servicehall import roles
from servicehall.access import AnyUser, chief_by_record, staff_scope

# Art. 6 ¶1: 市、区政务服务中心应当设置“办不成事”反映窗口.
LEVELS_REQUIRING_WINDOW = (Hall.Level.CITY, Hall.Level.DISTRICT)


def halls_without_report_window() -> QuerySet[Hall]:
    """City and district halls with no “办不成事” window (one query)."""
    window = Window.objects.filter(hall=OuterRef("pk"), kind=Window.Kind.CANNOT_HANDLE)
    return Hall.objects.filter(level__in=LEVELS_REQUIRING_WINDOW).filter(~Exists(window)).order_by("code")


# --- Who sees what -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """The reports a user sees: every report of ``hall_ids`` (None: every hall) as a supervisor,
    or those assigned to ``department_id`` at ``chief_hall_id`` as its chief representative."""

    hall_ids: list[int] | None = None
    supervisor: bool = False
    chief_hall_id: int | None = None
    department_id: int | None = None
    # A window clerk's hall: every report there, read-only (the steps are the supervisors' and
    # the chiefs'), so the clerk who registered one can tell the person where it stands.
    clerk_hall_id: int | None = None

    def filter(self, reports: QuerySet[Report]) -> QuerySet[Report]:
        if self.supervisor and self.hall_ids is None:
            return reports  # citywide
        which = Q(pk__in=[])
        if self.supervisor and self.hall_ids is not None:
            which = Q(hall_id__in=self.hall_ids)
        if self.clerk_hall_id is not None:
            which |= Q(hall_id=self.clerk_hall_id)
        if self.chief_hall_id is not None and self.department_id is not None:
            assigned = ReportAssignment.objects.filter(report=OuterRef("pk"), department_id=self.department_id)
            which |= Q(hall_id=self.chief_hall_id) & Q(Exists(assigned))
        return reports.filter(which)


def report_scope(user: AnyUser) -> ReportScope:
    """403 for a user who sees no report (no supervision role, not a chief representative nor a
    window clerk of a hall)."""
    scope = staff_scope(user)
    supervisor = scope.has_role(*roles.SUPERVISION_ROLES)
    chief = scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None and scope.department_id
    clerk = scope.has_role(roles.WINDOW_STAFF) and scope.hall_id is not None
    if not supervisor and not chief and not clerk:
        raise PermissionDenied(
            _("“办不成事”反映仅向政务服务管理部门、被转派部门的首席事务代表和本大厅的窗口工作人员开放。")
        )
    return ReportScope(
        hall_ids=scope.hall_ids() if supervisor else [],
        supervisor=supervisor,
        chief_hall_id=scope.hall_id if chief else None,
        department_id=scope.department_id if chief else None,
        clerk_hall_id=scope.hall_id if clerk else None,
    )


def report_list_queryset(*, answers: bool = False) -> QuerySet[Report]:
    """The reports with what a row shows; ``answers``: also who answered for each department."""
    joins = ["department", "answered_by", "answered_by__staff_profile"] if answers else ["department"]
    return Report.objects.select_related("hall", "category", "item", "window").prefetch_related(
        Prefetch("assignments", queryset=ReportAssignment.objects.select_related(*joins))
    )


def report_detail_queryset() -> QuerySet[Report]:
    return report_list_queryset(answers=True).prefetch_related(
        Prefetch(
            "events",
            queryset=ReportEvent.objects.select_related("actor", "actor__staff_profile").order_by("at", "pk"),
        )
    )


def access_report(user: AnyUser, number: str) -> Report:
    """The report ``number`` if the user may see it; 404 alike when it does not exist or is out of
    their scope, so nobody can probe another hall's numbers."""
    scope = report_scope(user)
    report = scope.filter(report_detail_queryset()).filter(number=number).first()
    if report is None:
        raise Http404(_("没有找到该反映。"))
    return report


@dataclass(frozen=True)
class ReportFilters:
    hall: Hall | None = None
    status: str = ""
    category: ReportCategory | None = None
    flag: str = ""  # "", "yellow", "red", or "any" (flagged)


def report_rows(user: AnyUser, filters: ReportFilters) -> QuerySet[Report]:
    rows = report_scope(user).filter(report_list_queryset())
    if filters.hall is not None:
        rows = rows.filter(hall=filters.hall)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.category is not None:
        rows = rows.filter(category=filters.category)
    if filters.flag == "any":
        rows = rows.exclude(flag="")
    elif filters.flag:
        rows = rows.filter(flag=filters.flag)
    return rows.order_by("-registered_at", "-pk")


def category_counts(rows: QuerySet[Report]) -> list[dict[str, Any]]:
    """Per category of ``rows``: all, still open, overdue and not got done (one aggregate query),
    most frequent first: what keeps going wrong."""
    counted = (
        rows.order_by()
        .values("category_id", "category__name", "category__name_en")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=Report.OPEN)),
            red=Count("pk", filter=Q(flag=Report.Flag.RED)),
            not_done=Count("pk", filter=Q(matter_done=False)),
        )
        .order_by("-total", "category__name")
    )
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    return [
        {
            "category_id": row["category_id"],
            "name": (row["category__name_en"] if english and row["category__name_en"] else row["category__name"]),
            "total": row["total"],
            "open": row["open"],
            "red": row["red"],
            "not_done": row["not_done"],
        }
        for row in counted
    ]


def hall_open_counts(hall_id: int) -> dict[str, int]:
    """A hall's open reports with their flags, for the live dashboard: one aggregate query."""
    return Report.objects.filter(hall_id=hall_id, status__in=Report.OPEN).aggregate(
        open=Count("pk"),
        yellow=Count("pk", filter=Q(flag=Report.Flag.YELLOW)),
        red=Count("pk", filter=Q(flag=Report.Flag.RED)),
    )


def progress_by_token(token: str) -> Report | None:
    """The report behind a private progress link, or None."""
    if not token or len(token) > 64:
        return None
    return (
        Report.objects.select_related("hall", "category", "item")
        .prefetch_related(Prefetch("assignments", queryset=ReportAssignment.objects.select_related("department")))
        .filter(progress_token=token)
        .first()
    )


def public_progress(report: Report) -> dict[str, Any]:
    """What the reporter's private page and the API show: the steps and their dates, never the
    reporter's name or number, nor staff names."""
    return {
        "number": report.number,
        "hall": report.hall.display_name,
        "category": report.category.display_name,
        "item": report.item.display_name if report.item else "",
        "status": report.status,
        "status_display": report.get_status_display(),
        "registered_on": report.registered_on,
        "due_on": report.due_on,
        "departments": [a.department.display_name for a in report.assignments.all()],
        "resolved_at": report.resolved_at,
        "resolution": report.resolution if report.status in (Report.Status.RESOLVED, Report.Status.FOLLOWED_UP) else "",
        "matter_done": report.matter_done,
        "followed_up_at": report.followed_up_at,
    }


def departments_at(hall_id: int) -> QuerySet[Department]:
    """The departments a report at the hall may go to: those with an item there or staff there."""
    return (
        Department.objects.filter(Q(items__halls__pk=hall_id) | Q(staff_profiles__hall_id=hall_id))
        .distinct()
        .order_by("code")
    )


def chiefs_at(hall_id: int, department_ids: Iterable[int]) -> dict[int, list[str]]:
    """Who answers a report at the hall for each department (Art. 8 ¶3): the usernames of its
    active chief representatives there (the role, an active account, a profile at that hall and
    department, and no registered chief secondment naming somebody else), by department id. A
    department without one is missing from the answer. One query for the candidates, plus what
    the registered record's check reads for each (usually one chief per department)."""
    wanted = set(department_ids)
    if not wanted:
        return {}
    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.CHIEF_REPRESENTATIVE,
            staff_profile__hall_id=hall_id,
            staff_profile__department_id__in=wanted,
        )
        .values_list("pk", "username", "staff_profile__department_id")
        .order_by("username")
        .distinct()
    )
    found: dict[int, list[str]] = {}
    for user_id, username, department_id in candidates:
        if chief_by_record(user_id, hall_id, department_id):
            found.setdefault(department_id, []).append(username)
    return found


def active_categories() -> QuerySet[ReportCategory]:
    return ReportCategory.objects.filter(is_active=True).order_by("order", "pk")
