"""Reads of staffing built for the page or endpoint that shows them, with their joins, so no
view queries in a loop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan

from cases.models import Case as CaseRecord
from cases.models import Extension, UrgentRequest
from cases.selectors import deadline_cases
from cases.services import yellow_until
from catalog.models import Department, Hall, ServiceItem
from feedback.models import RectificationOrder, Report
from servicehall.clock import SHANGHAI, local_date
from staffing.models import (
    MIN_TENURE_YEARS,
    AttendanceRecord,
    ConductCode,
    ConductIncident,
    ReplacementRequest,
    Secondment,
    SkillCertification,
    SurgeFlag,
    TrainingRecord,
)

FLAGS = ("short_tenure", "no_pre_job", "open_replacement", "overdue_replacement")

# Planned or ended before two years at the hall (Art. 8 ¶2), computed by the database so the
# roster filters and counts on it; the same rule as ``Secondment.short_tenure`` (``add_years``).
# Portable ORM (PostgreSQL and the SQLite of ``make run``): a date as the number YYYYMMDD orders
# like the date, and two years later is +20000, except 29 February, which falls to 28 February.


def _date_number(field: str) -> Any:
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


_TENURE_DUE_NUMBER = (
    _date_number("seconded_from")
    + Value(MIN_TENURE_YEARS * 10000)
    - Case(When(seconded_from__month=2, seconded_from__day=29, then=Value(1)), default=Value(0))
)
_SHORT_TENURE = Case(
    When(Q(seconded_until__isnull=False) & LessThan(_date_number("seconded_until"), _TENURE_DUE_NUMBER), then=True),
    default=False,
    output_field=BooleanField(),
)


def _open_replacement() -> Exists:
    return Exists(
        ReplacementRequest.objects.filter(secondment_id=OuterRef("pk"), status=ReplacementRequest.Status.OPEN)
    )


def _overdue_replacement(today: dt.date) -> Exists:
    return Exists(
        ReplacementRequest.objects.filter(
            secondment_id=OuterRef("pk"), status=ReplacementRequest.Status.OPEN, deadline__lt=today
        )
    )


def roster(
    *,
    hall_ids: list[int] | None,
    hall_id: int | None = None,
    department_id: int | None = None,
    flag: str = "",
    status: str = "",
    today: dt.date | None = None,
) -> QuerySet[Secondment]:
    """The secondments of the halls covered (None: every hall), with the flags the roster shows:
    ``flag_short_tenure``, ``has_pre_job``, ``skill_level`` (latest), ``incident_count``,
    ``open_replacement`` (the sending department was asked to replace the person) and
    ``overdue_replacement`` (and the request is past its deadline day on ``today``, Beijing
    date by default). Ended secondments only when asked for by ``status``."""
    today = today or local_date()
    rows = Secondment.objects.select_related("user__staff_profile", "hall", "department")
    if hall_ids is not None:
        rows = rows.filter(hall_id__in=hall_ids)
    if hall_id is not None:
        rows = rows.filter(hall_id=hall_id)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    rows = rows.filter(status=status) if status else rows.exclude(status=Secondment.Status.ENDED)
    latest_level = SkillCertification.objects.filter(user_id=OuterRef("user_id")).order_by("-certified_on", "-pk")
    rows = rows.annotate(
        flag_short_tenure=_SHORT_TENURE,
        has_pre_job=Exists(
            TrainingRecord.objects.filter(user_id=OuterRef("user_id"), kind=TrainingRecord.Kind.PRE_JOB)
        ),
        skill_level=Subquery(latest_level.values("level")[:1]),
        # Art. 8 ¶2: the sending department has been asked to replace the person.
        open_replacement=_open_replacement(),
        overdue_replacement=_overdue_replacement(today),
        incident_count=Count("incidents", distinct=True),
    )
    if flag == "short_tenure":
        rows = rows.filter(flag_short_tenure=True)
    elif flag == "no_pre_job":
        rows = rows.filter(has_pre_job=False)
    elif flag == "open_replacement":
        rows = rows.filter(open_replacement=True)
    elif flag == "overdue_replacement":
        rows = rows.filter(overdue_replacement=True)
    return rows.order_by("hall__code", "department__code", "staff_number", "pk")


def roster_counts(rows: QuerySet[Secondment]) -> dict[str, Any]:
    """How many of ``rows`` carry each flag, in one query."""
    return rows.order_by().aggregate(
        total=Count("pk", distinct=True),
        short_tenure=Count("pk", filter=Q(flag_short_tenure=True), distinct=True),
        no_pre_job=Count("pk", filter=Q(has_pre_job=False), distinct=True),
        open_replacements=Count("pk", filter=Q(open_replacement=True), distinct=True),
        overdue_replacements=Count("pk", filter=Q(overdue_replacement=True), distinct=True),
    )


def published_code() -> ConductCode | None:
    return ConductCode.objects.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()


def current_secondment(user_id: int) -> Secondment | None:
    """The person's active (else planned, else latest) secondment."""
    rows = Secondment.objects.select_related("hall", "department").filter(user_id=user_id)
    order = {Secondment.Status.ACTIVE: 0, Secondment.Status.PLANNED: 1, Secondment.Status.ENDED: 2}
    return min(
        rows, key=lambda row: (order[Secondment.Status(row.status)], -row.seconded_from.toordinal()), default=None
    )


def trainings_of(user_id: int) -> list[TrainingRecord]:
    return list(TrainingRecord.objects.filter(user_id=user_id))


def skills_of(user_id: int) -> list[SkillCertification]:
    return list(SkillCertification.objects.filter(user_id=user_id))


def attendance_of(user_id: int) -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.filter(user_id=user_id).select_related("hall", "window")


def open_surges(visible: QuerySet[SurgeFlag]) -> QuerySet[SurgeFlag]:
    """Of the flags the user may see (``staffing.access.surges_visible``), those still waiting for
    a decision (待处理), whatever their day: a flag of yesterday nobody has handled is still to be
    handled. The roster's count and the surge list's 待处理 filter both read this."""
    return (
        visible.filter(status=SurgeFlag.Status.OPEN)
        .select_related("hall", "category", "department")
        .order_by("-date", "hall__code", "category__letter", "pk")
    )


# --- The chief representative's page for their department (Art. 8 ¶3) -----------------------

DEPARTMENT_ROWS = 10  # the first rows of each list on the page; the counts cover them all
DEPARTMENT_STAFF_LIMIT = 200  # a department's seconded staff at one hall: a few dozen at most


@dataclass
class DepartmentSummary:
    """What the department's chief representative supervises at the hall, read in a fixed
    number of queries whatever the numbers of staff, cases, reports and orders."""

    hall: Hall
    department: Department
    today: dt.date
    staff: list[Secondment]
    staff_counts: dict[str, int]
    items: list[ServiceItem]
    item_count: int
    case_counts: dict[str, int]
    cases_due: list[CaseRecord]
    urgent_pending: list[UrgentRequest]
    urgent_count: int
    extensions_recent: int
    reports_open: list[Report]
    report_count: int
    orders_open: list[RectificationOrder]
    order_count: int
    incidents: list[ConductIncident]
    incident_count_year: int
    replacement_counts: dict[str, int]


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=1)


def department_staff(*, hall_id: int, department_id: int, today: dt.date) -> QuerySet[Secondment]:
    """The department's planned and active secondments at the hall with the roster's flags and
    today's attendance (``signed_in_today``, ``at_window_now``)."""
    start, end = _day_bounds(today)
    spells = AttendanceRecord.objects.filter(user_id=OuterRef("user_id"), hall_id=hall_id)
    return roster(hall_ids=None, hall_id=hall_id, department_id=department_id, today=today).annotate(
        signed_in_today=Exists(spells.filter(signed_in_at__gte=start, signed_in_at__lt=end)),
        at_window_now=Exists(spells.filter(signed_out_at__isnull=True)),
    )


def department_summary(*, hall: Hall, department: Department, today: dt.date) -> DepartmentSummary:
    """The department at the hall: its seconded staff, items, cases owed, urgent requests and
    extensions, open "办不成事" reports and rectification orders, and its staff's conduct
    incidents, and the replacement requests addressed to it (14 queries)."""
    staff_rows = department_staff(hall_id=hall.pk, department_id=department.pk, today=today)
    staff = list(staff_rows[:DEPARTMENT_STAFF_LIMIT])
    # The annotations of ``department_staff`` (read through getattr: the model does not declare them).
    staff_counts = {
        "total": len(staff),
        "short_tenure": sum(1 for s in staff if getattr(s, "flag_short_tenure", False)),
        "no_pre_job": sum(1 for s in staff if not getattr(s, "has_pre_job", True)),
        "signed_in_today": sum(1 for s in staff if getattr(s, "signed_in_today", False)),
    }
    items = ServiceItem.objects.filter(halls=hall, department=department).order_by("code")
    item_list = list(items[:DEPARTMENT_ROWS])
    item_count = len(item_list) if len(item_list) < DEPARTMENT_ROWS else items.count()

    near = yellow_until(today)
    mine = CaseRecord.objects.filter(hall=hall, department=department)
    case_counts = mine.aggregate(
        overdue=Count("pk", filter=Q(status__in=CaseRecord.OPEN, due_on__lt=today)),
        due_soon=Count("pk", filter=Q(status__in=CaseRecord.OPEN, due_on__gte=today, due_on__lte=near)),
        open=Count("pk", filter=Q(status__in=CaseRecord.OPEN)),
        owed_overdue=Count("pk", filter=Q(status__in=CaseRecord.OPEN, owed_overdue=True)),
    )
    cases_due = list(deadline_cases(hall_ids=[hall.pk], today=today, department_id=department.pk)[:DEPARTMENT_ROWS])

    urgent = UrgentRequest.objects.filter(
        hall=hall, department=department, status=UrgentRequest.Status.REQUESTED
    ).select_related("item", "case")
    urgent_pending = list(urgent.order_by("requested_at", "pk")[:DEPARTMENT_ROWS])
    urgent_count = len(urgent_pending) if len(urgent_pending) < DEPARTMENT_ROWS else urgent.count()
    extensions_recent = Extension.objects.filter(
        case__hall=hall, case__department=department, approved_at__gte=_day_bounds(today)[0] - dt.timedelta(days=30)
    ).count()

    reports = (
        Report.objects.filter(hall=hall, status__in=Report.OPEN, assignments__department=department)
        .select_related("category")
        .distinct()
    )
    reports_open = list(reports.order_by("due_on", "pk")[:DEPARTMENT_ROWS])
    report_count = len(reports_open) if len(reports_open) < DEPARTMENT_ROWS else reports.count()

    orders = RectificationOrder.objects.filter(
        hall=hall, department=department, status__in=RectificationOrder.OPEN
    ).select_related("rating__staff__staff_profile")
    orders_open = list(orders.order_by("opened_at", "pk")[:DEPARTMENT_ROWS])
    order_count = len(orders_open) if len(orders_open) < DEPARTMENT_ROWS else orders.count()

    incidents = ConductIncident.objects.filter(secondment__hall=hall, secondment__department=department).select_related(
        "secondment__user__staff_profile", "rectification_order", "report"
    )
    incident_list = list(incidents.order_by("-occurred_on", "-pk")[:DEPARTMENT_ROWS])
    year_count = incidents.filter(occurred_on__year=today.year).count()
    # Art. 8 ¶2: what the management department asked the department to replace (one query).
    replacement_counts = ReplacementRequest.objects.filter(
        secondment__hall=hall, secondment__department=department, status=ReplacementRequest.Status.OPEN
    ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))
    return DepartmentSummary(
        hall=hall,
        department=department,
        today=today,
        staff=staff,
        staff_counts=staff_counts,
        items=item_list,
        item_count=item_count,
        case_counts={name: value or 0 for name, value in case_counts.items()},
        cases_due=cases_due,
        urgent_pending=urgent_pending,
        urgent_count=urgent_count,
        extensions_recent=extensions_recent,
        reports_open=reports_open,
        report_count=report_count,
        orders_open=orders_open,
        order_count=order_count,
        incidents=incident_list,
        incident_count_year=year_count,
        replacement_counts={name: value or 0 for name, value in replacement_counts.items()},
    )


# --- Conduct incidents for the annual assessment ----------------------------------------------


def incident_counts(*, year: int, secondment_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Conduct incidents per secondment in ``year`` (by the day they occurred), total and by
    source, in one query: what the annual assessment reads as evidence."""
    rows = ConductIncident.objects.filter(occurred_on__year=year)
    if secondment_ids is not None:
        rows = rows.filter(secondment_id__in=secondment_ids)
    counts: dict[int, dict[str, int]] = {}
    for secondment_id, source, n in (
        rows.order_by()
        .values_list("secondment_id", "source")
        .annotate(n=Count("pk"))
        .values_list("secondment_id", "source", "n")
    ):
        entry = counts.setdefault(secondment_id, {"total": 0})
        entry[source] = n
        entry["total"] += n
    return counts


def incident_for_order(order_id: int) -> ConductIncident | None:
    return (
        ConductIncident.objects.select_related("secondment__user__staff_profile")
        .filter(rectification_order_id=order_id)
        .first()
    )


def incidents_for_report(report_id: int) -> list[ConductIncident]:
    return list(
        ConductIncident.objects.select_related("secondment__user__staff_profile")
        .filter(report_id=report_id)
        .order_by("pk")
    )
