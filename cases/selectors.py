"""Reads for the case pages and API, each with the joins its page needs, so no page runs a
query per case: the staff's case list, a case with its whole history, the chief
representative's inbox, the supervisors' overdue and due-soon lists and counts, the public
progress of a case, and waits and service times per item for the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum

from cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseWarningSummary,
    ClockStop,
    CorrectionNotice,
    Extension,
    OwedMaterial,
)
from cases.services import yellow_until

# "clock": the colour of an open case (none once decided).
LIST_RELATED = ("hall", "department", "item", "applicant", "window", "clock")


def cases_list(
    *,
    hall_ids: list[int] | None,
    department_id: int | None = None,
    status: str = "",
    warning: str = "",
    item_code: str = "",
) -> QuerySet[Case]:
    """Cases of the halls ``hall_ids`` (None: every hall), newest first, with what a list row shows."""
    cases = Case.objects.select_related(*LIST_RELATED)
    if hall_ids is not None:
        cases = cases.filter(hall_id__in=hall_ids)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if status:
        cases = cases.filter(status=status)
    if warning:
        cases = cases.filter(clock__warning=warning)
    if item_code:
        cases = cases.filter(item__code=item_code)
    return cases.order_by("-received_at", "-pk")


def case_detail_queryset() -> QuerySet[Case]:
    """A case with its checklist, notices and their items, owed materials, clock stops,
    extensions and history, in a fixed number of queries."""
    # Staff are named with their staff number (工号), as on the printed notices.
    return Case.objects.select_related(
        *LIST_RELATED,
        "guide_version",
        "ticket",
        "received_by__staff_profile",
        "accepted_by__staff_profile",
        "decided_by__staff_profile",
    ).prefetch_related(
        Prefetch("materials", queryset=CaseMaterial.objects.select_related("material")),
        Prefetch(
            "notices",
            queryset=CorrectionNotice.objects.select_related("issued_by__staff_profile").prefetch_related(
                "items__material"
            ),
        ),
        Prefetch("owed", queryset=OwedMaterial.objects.select_related("material")),
        Prefetch("clock_stops", queryset=ClockStop.objects.select_related("special_step")),
        Prefetch("extensions", queryset=Extension.objects.select_related("approved_by__staff_profile")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor__staff_profile")),
        "guide_version__special_steps",
    )


def case_by_number(number: str) -> Case | None:
    return case_detail_queryset().filter(number=number).first()


# --- The chief representative's inbox and the supervisors' lists ------------------------------


@dataclass
class Inbox:
    """A department's open work at one hall, each list oldest deadline first and cut at
    ``limit``; ``counts`` are the full numbers."""

    to_review: list[Case]
    special_steps: list[Case]
    corrections: list[Case]
    due_soon: list[Case]
    overdue: list[Case]
    owed_overdue: list[Case]
    to_finish: list[Case]  # decided, result not yet ready
    counts: dict[str, int] = field(default_factory=dict)


def department_inbox(*, hall_id: int, department_id: int, today: dt.date, limit: int = 20) -> Inbox:
    """What the chief representative of a department at a hall acts on (approvals, extensions,
    overdue): 9 queries whatever the number of cases."""
    near = yellow_until(today)
    mine = Case.objects.filter(hall_id=hall_id, department_id=department_id).select_related(*LIST_RELATED)
    open_ = mine.filter(status__in=Case.OPEN)

    def first(cases: QuerySet[Case], *order: str) -> list[Case]:
        return list(cases.order_by(*(order or ("due_on", "pk")))[:limit])

    counts = mine.aggregate(
        to_review=Count("pk", filter=Q(status__in=[Case.Status.ACCEPTED, Case.Status.IN_REVIEW])),
        special_steps=Count("pk", filter=Q(status=Case.Status.SPECIAL_STEP)),
        corrections=Count("pk", filter=Q(status=Case.Status.CORRECTION, accepted_on__isnull=False)),
        due_soon=Count("pk", filter=Q(status__in=Case.OPEN, due_on__gte=today, due_on__lte=near)),
        overdue=Count("pk", filter=Q(status__in=Case.OPEN, due_on__lt=today)),
        owed_overdue=Count("pk", filter=Q(status__in=Case.OPEN, owed_overdue=True)),
        to_finish=Count("pk", filter=Q(status=Case.Status.DECIDED)),
    )
    return Inbox(
        to_review=first(mine.filter(status__in=[Case.Status.ACCEPTED, Case.Status.IN_REVIEW])),
        special_steps=first(mine.filter(status=Case.Status.SPECIAL_STEP), "clock_stopped_on", "pk"),
        corrections=first(
            mine.filter(status=Case.Status.CORRECTION, accepted_on__isnull=False), "clock_stopped_on", "pk"
        ),
        due_soon=first(open_.filter(due_on__gte=today, due_on__lte=near)),
        overdue=first(open_.filter(due_on__lt=today)),
        owed_overdue=first(open_.filter(owed_overdue=True), "accepted_on", "pk"),
        to_finish=first(mine.filter(status=Case.Status.DECIDED), "decided_on", "pk"),
        counts={name: value or 0 for name, value in counts.items()},
    )


def deadline_list(
    *,
    hall_ids: list[int] | None,
    today: dt.date,
    colour: str = Case.Warning.RED,
    department_id: int | None = None,
    limit: int = 50,
    after: tuple[dt.date, int] | None = None,
) -> list[Case]:
    """Open cases past their deadline (``red``) or near it (``yellow``), oldest deadline first,
    read from the stored deadlines through the partial indexes on open cases: the first page
    costs the same with ten thousand cases or a million. ``after`` is the (deadline, id) of the
    last row of the previous page."""
    cases = Case.objects.filter(status__in=Case.OPEN).select_related(*LIST_RELATED)
    if colour == Case.Warning.RED:
        cases = cases.filter(due_on__lt=today)
    else:
        cases = cases.filter(due_on__gte=today, due_on__lte=yellow_until(today))
    if hall_ids is not None:
        cases = cases.filter(hall_id__in=hall_ids)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if after is not None:
        cases = cases.filter(Q(due_on__gt=after[0]) | Q(due_on=after[0], pk__gt=after[1]))
    return list(cases.order_by("due_on", "pk")[:limit])


def warning_summary(*, hall_ids: list[int] | None, department_id: int | None = None) -> list[CaseWarningSummary]:
    """Due-soon, overdue and owed-overdue counts per hall and department, as of the warning job's
    last run (one row per hall and department, whatever the number of cases)."""
    rows = CaseWarningSummary.objects.select_related("hall", "department")
    if hall_ids is not None:
        rows = rows.filter(hall_id__in=hall_ids)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return list(rows.order_by("hall__code", "department__code"))


# --- Public progress -------------------------------------------------------------------------


@dataclass(frozen=True)
class OwedLine:
    name: str
    due_on: dt.date
    supplied: bool


@dataclass(frozen=True)
class CorrectionLine:
    name: str
    problem: str
    note: str


@dataclass(frozen=True)
class CaseProgress:
    """What the applicant may see of their case (no personal data: they proved to know the number
    and the last digits; the person's name, ID and mobile are not repeated)."""

    number: str
    item_code: str
    item_name: str
    hall_name: str
    department_name: str
    status: str
    status_display: str
    received_on: dt.date
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_provisional: bool
    clock_stopped: bool
    owed: list[OwedLine]
    corrections: list[CorrectionLine]
    requirements: list[str]
    not_accepted_reason: str
    refer_to: str
    decision: str
    decision_display: str
    decision_reason: str
    collection: str
    collection_display: str


def progress_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("item", "hall", "department").prefetch_related(
        Prefetch("owed", queryset=OwedMaterial.objects.select_related("material")),
        Prefetch(
            "notices",
            queryset=CorrectionNotice.objects.filter(answered_at__isnull=True).prefetch_related("items__material"),
            to_attr="open_notices",
        ),
    )


def case_progress(case: Case) -> CaseProgress:
    """The applicant's view of a case fetched with ``progress_queryset``."""
    notices = getattr(case, "open_notices", None)
    if notices is None:
        notices = list(case.notices.filter(answered_at__isnull=True).prefetch_related("items__material"))
    return CaseProgress(
        number=case.number,
        item_code=case.item.code,
        item_name=case.item.display_name,
        hall_name=case.hall.display_name,
        department_name=case.department.display_name,
        status=case.status,
        status_display=str(case.get_status_display()),
        received_on=case.received_on,
        accepted_on=case.accepted_on,
        due_on=case.due_on,
        due_provisional=case.due_provisional,
        clock_stopped=case.clock_stopped,
        owed=[OwedLine(o.material.name, o.due_on, o.supplied_at is not None) for o in case.owed.all()],
        corrections=[
            CorrectionLine(item.material.name, str(item.get_problem_display()), item.note)
            for notice in notices
            for item in notice.items.all()
        ],
        requirements=[notice.requirements for notice in notices if notice.requirements],
        not_accepted_reason=case.not_accepted_reason,
        refer_to=case.refer_to,
        decision=case.decision,
        decision_display=str(case.get_decision_display()) if case.decision else "",
        decision_reason=case.decision_reason if case.decision == Case.Decision.REFUSED else "",
        collection=case.collection,
        collection_display=str(case.get_collection_display()) if case.collection else "",
    )


def case_progress_by_token(token: str) -> CaseProgress | None:
    """The progress of the case whose private link (on its notices) carries ``token``."""
    case = progress_queryset().filter(progress_token=token).first() if token else None
    return None if case is None else case_progress(case)


# --- The dashboard: waits and service times per item -----------------------------------------


@dataclass(frozen=True)
class ItemFigures:
    item_code: str
    item_name: str
    tickets: int
    cases: int
    average_wait_seconds: float | None
    average_service_seconds: float | None


def item_ticket_figures(*, hall_ids: list[int] | None, start: dt.date, end: dt.date) -> list[ItemFigures]:
    """Per item handled at a window from a called ticket (the ticket's cases record the items),
    how many tickets and cases, and the average wait and service time of those tickets (one
    aggregate query)."""
    cases = Case.objects.filter(ticket__isnull=False, ticket__service_date__range=(start, end))
    if hall_ids is not None:
        cases = cases.filter(hall_id__in=hall_ids)
    waited = Q(ticket__called_at__isnull=False)
    served = Q(ticket__started_at__isnull=False, ticket__finished_at__isnull=False)
    rows = (
        cases.values("item__code", "item__name")
        .annotate(
            tickets=Count("ticket", distinct=True),
            cases=Count("pk"),
            waited=Count("pk", filter=waited),
            wait_total=Sum(
                ExpressionWrapper(F("ticket__called_at") - F("ticket__arrived_at"), output_field=DurationField()),
                filter=waited,
            ),
            served=Count("pk", filter=served),
            service_total=Sum(
                ExpressionWrapper(F("ticket__finished_at") - F("ticket__started_at"), output_field=DurationField()),
                filter=served,
            ),
        )
        .order_by("item__code")
    )
    return [
        ItemFigures(
            item_code=row["item__code"],
            item_name=row["item__name"],
            tickets=row["tickets"],
            cases=row["cases"],
            average_wait_seconds=row["wait_total"].total_seconds() / row["waited"] if row["waited"] else None,
            average_service_seconds=row["service_total"].total_seconds() / row["served"] if row["served"] else None,
        )
        for row in rows
    ]
