"""Reads for the case pages and API, each with the joins its page needs, so no page runs a
query per case: the staff's case list, a case with its whole history, the chief
representative's inbox, the supervisors' overdue and due-soon lists and counts, the public
progress of a case, and waits and service times per item for the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, router
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from cases.forwarding import progress_collect, progress_steps, progress_transfers
from cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseWarningSummary,
    ClockStop,
    CorrectionNotice,
    Extension,
    OwedMaterial,
    TicketItem,
)
from cases.services import yellow_until
from catalog.english import localized
from catalog.models import ServiceItem
from queueing.models import QueueCategory, Ticket

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


def inbox_sections(*, hall_id: int, department_id: int, today: dt.date) -> dict[str, QuerySet[Case]]:
    """Each list of a department's inbox at a hall, in its order, with what a list row shows (the
    inbox shows the first rows of each; a section's own page pages through all of it)."""
    near = yellow_until(today)
    mine = Case.objects.filter(hall_id=hall_id, department_id=department_id).select_related(*LIST_RELATED)
    open_ = mine.filter(status__in=Case.OPEN)
    return {
        "to_review": mine.filter(status__in=[Case.Status.ACCEPTED, Case.Status.IN_REVIEW]).order_by("due_on", "pk"),
        "special_steps": mine.filter(status=Case.Status.SPECIAL_STEP).order_by("clock_stopped_on", "pk"),
        "corrections": mine.filter(status=Case.Status.CORRECTION, accepted_on__isnull=False).order_by(
            "clock_stopped_on", "pk"
        ),
        "due_soon": open_.filter(due_on__gte=today, due_on__lte=near).order_by("due_on", "pk"),
        "overdue": open_.filter(due_on__lt=today).order_by("due_on", "pk"),
        "owed_overdue": open_.filter(owed_overdue=True).order_by("accepted_on", "pk"),
        "to_finish": mine.filter(status=Case.Status.DECIDED).order_by("decided_on", "pk"),
    }


def department_inbox(*, hall_id: int, department_id: int, today: dt.date, limit: int = 20) -> Inbox:
    """What the chief representative of a department at a hall acts on (approvals, extensions,
    overdue): 9 queries whatever the number of cases."""
    near = yellow_until(today)
    mine = Case.objects.filter(hall_id=hall_id, department_id=department_id)
    sections = inbox_sections(hall_id=hall_id, department_id=department_id, today=today)

    def first(name: str) -> list[Case]:
        return list(sections[name][:limit])

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
        to_review=first("to_review"),
        special_steps=first("special_steps"),
        corrections=first("corrections"),
        due_soon=first("due_soon"),
        overdue=first("overdue"),
        owed_overdue=first("owed_overdue"),
        to_finish=first("to_finish"),
        counts={name: value or 0 for name, value in counts.items()},
    )


def deadline_cases(
    *,
    hall_ids: list[int] | None,
    today: dt.date,
    colour: str = "",
    department_id: int | None = None,
    item_code: str = "",
) -> QuerySet[Case]:
    """Open cases past their deadline (``red``), near it (``yellow``) or either (``""``), oldest
    deadline first (so the overdue ones come first), with what a list row shows: the supervisors'
    deadline view pages through it."""
    cases = Case.objects.filter(status__in=Case.OPEN).select_related(*LIST_RELATED)
    if colour == Case.Warning.RED:
        cases = cases.filter(due_on__lt=today)
    elif colour == Case.Warning.YELLOW:
        cases = cases.filter(due_on__gte=today, due_on__lte=yellow_until(today))
    else:
        cases = cases.filter(due_on__lte=yellow_until(today))
    if hall_ids is not None:
        cases = cases.filter(hall_id__in=hall_ids)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if item_code:
        cases = cases.filter(item__code=item_code)
    return cases.order_by("due_on", "pk")


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
    cases = deadline_cases(hall_ids=hall_ids, today=today, colour=colour, department_id=department_id)
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
    deemed_accepted: bool  # accepted by law from the receipt: no one-time notice in time
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
    # Forwarding (转办, cases/forwarding.py): where the case went, when, and what came of it.
    transfers: list[Any] = field(default_factory=list)
    # 急事急办 approved (cases/urgent.py).
    urgent: bool = False
    # A forwarded case: 收件 → 转办 → 受理 → 办结 → 出件 (``forwarding.ProgressStep``), and where the
    # applicant chose to collect the result (the address masked).
    steps: list[Any] = field(default_factory=list)
    collect_where: str = ""


def progress_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("item", "hall", "department").prefetch_related(
        "forwardings__from_hall",
        "forwardings__to_hall",
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
        deemed_accepted=case.deemed_accepted,
        due_on=case.due_on,
        due_provisional=case.due_provisional,
        clock_stopped=case.clock_stopped,
        owed=[OwedLine(localized(o.material, "name"), o.due_on, o.supplied_at is not None) for o in case.owed.all()],
        corrections=[
            CorrectionLine(localized(item.material, "name"), str(item.get_problem_display()), item.note)
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
        transfers=progress_transfers(case),
        urgent=case.urgent,
        steps=progress_steps(case),
        collect_where=progress_collect(case),
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
    item_name_en: str = ""

    @property
    def item_display_name(self) -> str:
        """The item's name in the page's language (its English where it has one)."""
        return localized({"name": self.item_name, "name_en": self.item_name_en}, "name")

    @property
    def average_wait_minutes(self) -> float | None:
        return None if self.average_wait_seconds is None else self.average_wait_seconds / 60

    @property
    def average_service_minutes(self) -> float | None:
        return None if self.average_service_seconds is None else self.average_service_seconds / 60


def _seconds_between(earlier: str, later: str) -> str:
    """SQL for the seconds from column ``earlier`` to column ``later`` on this database."""
    if connection.vendor == "sqlite":
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
    return f"EXTRACT(EPOCH FROM {later} - {earlier})"


def item_ticket_figures(*, hall_ids: list[int] | None, start: dt.date, end: dt.date) -> list[ItemFigures]:
    """Per item handled for a queue ticket between ``start`` and ``end`` (``TicketItem``: what the
    clerk recorded at the window, and the cases received from a ticket), how many tickets and
    cases, the average wait of those tickets (arrival to call) and their average service time
    (start to finish, finished tickets), each ticket counted once per item however many cases it
    brought. One aggregate query whatever the number of tickets."""
    ticket = Ticket._meta.db_table
    where = ["t.service_date BETWEEN %s AND %s"]
    params: list[Any] = [start, end]
    if hall_ids is not None:
        if not hall_ids:
            return []
        where.append(f"t.hall_id IN ({', '.join(['%s'] * len(hall_ids))})")
        params.extend(hall_ids)
    waited = _seconds_between("t.arrived_at", "t.called_at")
    served = _seconds_between("t.started_at", "t.finished_at")
    # Portable SQL (PostgreSQL in production, SQLite for `make run`): AVG over CASE, not FILTER.
    sql = f"""
        WITH handled AS (
            SELECT ti.item_id, ti.ticket_id, COUNT(ti.case_id) AS cases
            FROM {TicketItem._meta.db_table} ti JOIN {ticket} t ON t.id = ti.ticket_id
            WHERE {" AND ".join(where)}
            GROUP BY ti.item_id, ti.ticket_id
        )
        SELECT i.code, i.name, i.name_en, COUNT(*), SUM(h.cases),
            AVG(CASE WHEN t.called_at IS NOT NULL THEN {waited} END),
            AVG(CASE WHEN t.status = %s AND t.started_at IS NOT NULL AND t.finished_at IS NOT NULL
                THEN {served} END)
        FROM handled h
        JOIN {ticket} t ON t.id = h.ticket_id
        JOIN {ServiceItem._meta.db_table} i ON i.id = h.item_id
        GROUP BY i.id, i.code, i.name, i.name_en
        ORDER BY i.code
    """  # noqa: S608 - table and column names from the code, values as parameters
    # Raw SQL passes no router: ask it, so a dashboard marked for the replica reads it there.
    with connections[router.db_for_read(Ticket)].cursor() as cursor:
        cursor.execute(sql, [*params, Ticket.Status.DONE])
        rows = cursor.fetchall()
    return [
        ItemFigures(
            item_code=code,
            item_name=name,
            item_name_en=name_en,
            tickets=tickets,
            cases=int(cases),
            # Rounded to the millisecond: SQLite's julian days carry float noise in the microseconds.
            average_wait_seconds=round(float(wait), 3) if wait is not None else None,
            average_service_seconds=round(float(service), 3) if service is not None else None,
        )
        for code, name, name_en, tickets, cases, wait, service in rows
    ]


# --- The items handled for a queue ticket ---------------------------------------------------


def ticket_items(*, ticket_id: int) -> list[TicketItem]:
    """What was recorded as handled for the ticket, in the order recorded (one query)."""
    return list(
        TicketItem.objects.filter(ticket_id=ticket_id)
        .select_related("item", "case", "recorded_by__staff_profile")
        .order_by("recorded_at", "pk")
    )


@dataclass(frozen=True)
class TicketItemChoices:
    queue_items: list[ServiceItem]  # the items of the ticket's queue category, offered first
    other_items: list[ServiceItem]  # the hall's other items


def ticket_item_choices(*, ticket: Ticket) -> TicketItemChoices:
    """The items a clerk may record for ``ticket``: those its hall handles, its queue's first
    (one query)."""
    in_queue = QueueCategory.items.through.objects.filter(
        queuecategory_id=ticket.category_id, serviceitem_id=OuterRef("pk")
    )
    items = list(ServiceItem.objects.filter(halls=ticket.hall_id).annotate(in_queue=Exists(in_queue)).order_by("code"))
    return TicketItemChoices(
        queue_items=[i for i in items if i.in_queue],
        other_items=[i for i in items if not i.in_queue],
    )
