"""Annual assessment proposals (年度考核建议, Art. 8 ¶1): the figures every proposal rests on, the
services that save, revise and submit a proposal, and the export for the sending department.

The figures of a year, for every seconded person listed, come from one query (one correlated
subquery per figure), so the page, the API and the export cost the same however many people
there are:

- tickets served: queue tickets the person finished (``done``) at the hall in the year;
- average service time: from start to finish of those tickets;
- ratings (好差评) of the person's services in the year: counted ratings, the satisfied share
  (非常满意/满意/基本满意 of those counted), bad ratings, and of those the appeals upheld
  (维持差评) and overturned (撤销差评, no longer counted);
- "办不成事" reports: a report names the hall's window, not a person, so it is attributed to
  the person who was signed in at that window on the day the citizen tried (their attendance);
  the reports assigned to their department at the hall in the year are shown beside it;
- conduct incidents recorded against the secondment that year, and days of attendance.

A proposal stores the figures as they were when it was last saved (``evidence``), so what the
sending department receives does not move afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from io import StringIO
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Rating, Report, ReportAssignment
from feedback.models_ratings import BAD_LEVELS, SATISFIED_LEVELS
from queueing.models import Ticket
from servicehall.access import AnyUser, signed_in
from servicehall.audit import audit_record
from servicehall.clock import SHANGHAI, local_date
from staffing.models import AssessmentProposal, AttendanceRecord, ConductIncident, Secondment
from staffing.services import StaffingError, _require_manager

JUSTIFICATION_MIN_CHARS = 10
# 优秀 and 不称职 weigh on the person's career: the reasons must be spelt out.
SUBSTANTIAL_MIN_CHARS = 50
SUBSTANTIAL_GRADES = (AssessmentProposal.Grade.EXCELLENT, AssessmentProposal.Grade.INCOMPETENT)
FIRST_YEAR = 2000

FIGURES = (
    "tickets_served",
    "avg_service_minutes",
    "ratings",
    "satisfied",
    "satisfaction_pct",
    "bad_ratings",
    "bad_upheld",
    "bad_overturned",
    "reports_attributed",
    "reports_department",
    "incidents",
    "attendance_days",
)


def default_year(today: dt.date) -> int:
    """The year the assessment pages open on: last year, except in December, when this year's
    assessment is being prepared (the year is all but over)."""
    return today.year if today.month == 12 else today.year - 1


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year as Beijing time: [1 January 00:00, next 1 January 00:00)."""
    return dt.datetime(year, 1, 1, tzinfo=SHANGHAI), dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def _count(rows: QuerySet[Any], group: str, *, distinct: Any = None) -> Coalesce:
    """The number of ``rows`` (correlated to the outer secondment) as a subquery."""
    counted = Count(distinct, distinct=True) if distinct is not None else Count("pk")
    return Coalesce(
        Subquery(rows.order_by().values(group).annotate(n=counted).values("n")[:1], output_field=IntegerField()),
        0,
    )


def with_figures(rows: QuerySet[Secondment], year: int) -> QuerySet[Secondment]:
    """``rows`` annotated with the figures of ``year`` (see the module docstring)."""
    start, end = year_bounds(year)
    person = {"staff_id": OuterRef("user_id"), "hall_id": OuterRef("hall_id")}
    tickets = Ticket.objects.filter(**person, status=Ticket.Status.DONE, finished_at__gte=start, finished_at__lt=end)
    service = tickets.filter(started_at__isnull=False).annotate(
        took=ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    )
    ratings = Rating.objects.filter(**person, served_at__gte=start, served_at__lt=end)
    bad = ratings.filter(level__in=BAD_LEVELS)
    attended = AttendanceRecord.objects.filter(
        user_id=OuterRef(OuterRef("user_id")),
        window_id=OuterRef("window_id"),
        signed_in_at__date=OuterRef("tried_on"),
    )
    reports_attributed = Report.objects.filter(
        hall_id=OuterRef("hall_id"), window__isnull=False, tried_on__year=year
    ).filter(Exists(attended))
    reports_department = ReportAssignment.objects.filter(
        department_id=OuterRef("department_id"),
        report__hall_id=OuterRef("hall_id"),
        report__registered_on__year=year,
    )
    attendance = AttendanceRecord.objects.filter(
        user_id=OuterRef("user_id"), hall_id=OuterRef("hall_id"), signed_in_at__gte=start, signed_in_at__lt=end
    )
    return rows.annotate(
        tickets_served=_count(tickets, "staff_id"),
        avg_service=Subquery(
            service.order_by().values("staff_id").annotate(avg=Avg("took")).values("avg")[:1],
            output_field=DurationField(),
        ),
        ratings_counted=_count(ratings.filter(excluded=False), "staff_id"),
        ratings_satisfied=_count(ratings.filter(excluded=False, level__in=SATISFIED_LEVELS), "staff_id"),
        bad_ratings=_count(bad, "staff_id"),
        bad_upheld=_count(bad.filter(rectification__appeal__decision="upheld"), "staff_id"),
        bad_overturned=_count(bad.filter(rectification__appeal__decision="overturned"), "staff_id"),
        reports_attributed=_count(reports_attributed, "hall_id"),
        reports_department=_count(reports_department, "department_id", distinct="report_id"),
        incident_count_year=_count(
            ConductIncident.objects.filter(secondment_id=OuterRef("pk"), occurred_on__year=year), "secondment_id"
        ),
        attendance_days=_count(attendance, "user_id", distinct=TruncDate("signed_in_at", tzinfo=SHANGHAI)),
    )


def figures_of(row: Secondment) -> dict[str, Any]:
    """The figures annotated by ``with_figures`` as the JSON the proposal stores."""
    avg = getattr(row, "avg_service", None)
    counted = row.ratings_counted  # type: ignore[attr-defined]
    satisfied = row.ratings_satisfied  # type: ignore[attr-defined]
    return {
        "tickets_served": row.tickets_served,  # type: ignore[attr-defined]
        "avg_service_minutes": round(avg.total_seconds() / 60, 1) if avg is not None else None,
        "ratings": counted,
        "satisfied": satisfied,
        "satisfaction_pct": round(100 * satisfied / counted, 1) if counted else None,
        "bad_ratings": row.bad_ratings,  # type: ignore[attr-defined]
        "bad_upheld": row.bad_upheld,  # type: ignore[attr-defined]
        "bad_overturned": row.bad_overturned,  # type: ignore[attr-defined]
        "reports_attributed": row.reports_attributed,  # type: ignore[attr-defined]
        "reports_department": row.reports_department,  # type: ignore[attr-defined]
        "incidents": row.incident_count_year,  # type: ignore[attr-defined]
        "attendance_days": row.attendance_days,  # type: ignore[attr-defined]
    }


def in_post_during(year: int) -> Q:
    """Secondments that were in post at some time in ``year`` (not merely planned)."""
    return (
        Q(seconded_from__lte=dt.date(year, 12, 31))
        & (Q(seconded_until__isnull=True) | Q(seconded_until__gte=dt.date(year, 1, 1)))
        & ~Q(status=Secondment.Status.PLANNED)
    )


def assessment_rows(
    *, hall_ids: list[int] | None, year: int, hall_id: int | None = None, department_id: int | None = None
) -> QuerySet[Secondment]:
    """Everybody to assess for ``year`` at the halls covered, with their figures and their
    proposal of that year (``year_proposals``: a list of at most one), by hall, department and
    staff number. Two queries (three on a page: the count)."""
    rows = Secondment.objects.select_related("user__staff_profile", "hall", "department").filter(in_post_during(year))
    if hall_ids is not None:
        rows = rows.filter(hall_id__in=hall_ids)
    if hall_id is not None:
        rows = rows.filter(hall_id=hall_id)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    rows = rows.prefetch_related(
        Prefetch(
            "assessment_proposals",
            queryset=AssessmentProposal.objects.filter(year=year).select_related("submitted_by__staff_profile"),
            to_attr="year_proposals",
        )
    )
    return with_figures(rows, year).order_by("hall__code", "department__code", "staff_number", "pk")


def proposal_of(row: Secondment) -> AssessmentProposal | None:
    found = getattr(row, "year_proposals", None)
    return found[0] if found else None


def submitted_proposal_of(row: Secondment) -> tuple[AssessmentProposal | None, bool]:
    """What the sending department's chief representative sees of ``row``'s proposal: the
    proposal once submitted, and whether a draft is being written (the management department's
    own until it submits it, Art. 8 ¶1)."""
    proposal = proposal_of(row)
    if proposal is not None and proposal.status == AssessmentProposal.Status.SUBMITTED:
        return proposal, False
    return None, proposal is not None


def figures_for(secondment: Secondment, year: int) -> dict[str, Any]:
    row = with_figures(Secondment.objects.filter(pk=secondment.pk), year).get()
    return figures_of(row)


def check_year(year: int, *, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year:
        raise StaffingError(
            _("考核年度须在%(first)s年至%(last)s年之间。") % {"first": FIRST_YEAR, "last": today.year}, field="year"
        )


# --- Writes --------------------------------------------------------------------------------------


def _check_proposal(*, grade: str, justification: str, figures: dict[str, Any]) -> None:
    if grade not in AssessmentProposal.Grade.values:
        raise StaffingError(_("请从列表中选择建议等次。"), field="grade")
    if grade == AssessmentProposal.Grade.EXCELLENT and not (figures["tickets_served"] or figures["attendance_days"]):
        raise StaffingError(
            _("该人员本年度没有办件和考勤数据，不能无依据地评为优秀。"), field="grade", code="no_evidence"
        )
    needed = SUBSTANTIAL_MIN_CHARS if grade in SUBSTANTIAL_GRADES else JUSTIFICATION_MIN_CHARS
    if len(justification) < needed:
        if grade in SUBSTANTIAL_GRADES:
            message = _("建议评为“%(grade)s”的，须结合考核数据写明具体事实和理由（至少%(count)s个字）。") % {
                "grade": AssessmentProposal.Grade(grade).label,
                "count": needed,
            }
        else:
            message = _("请写明考核意见（至少%(count)s个字）。") % {"count": needed}
        raise StaffingError(message, field="justification", code="no_evidence")


def proposal_save(
    *,
    secondment: Secondment,
    actor: AnyUser,
    year: int,
    grade: str,
    justification: str,
    now: dt.datetime | None = None,
) -> AssessmentProposal:
    """Propose (or revise, until submitted) ``secondment``'s grade for ``year``, with the figures
    of that year snapshotted as its evidence."""
    _require_manager(actor, secondment.hall)
    now = now or timezone.now()
    check_year(year, today=local_date(now))
    if not Secondment.objects.filter(in_post_during(year), pk=secondment.pk).exists():
        raise StaffingError(_("该人员该年度不在本大厅派驻，不能提出考核建议。"), field="year")
    justification = (justification or "").strip()
    figures = figures_for(secondment, year)
    _check_proposal(grade=grade, justification=justification, figures=figures)
    locked = StaffingError(_("该考核建议已提交，不能再修改。"), code="submitted", status=409)
    try:
        with transaction.atomic():
            proposal = AssessmentProposal.objects.select_for_update().filter(secondment=secondment, year=year).first()
            if proposal is not None and proposal.locked:
                raise locked
            created = proposal is None
            if proposal is None:
                proposal = AssessmentProposal(
                    secondment=secondment, year=year, proposed_by=signed_in(actor), proposed_at=now
                )
            proposal.grade = grade
            proposal.justification = justification
            proposal.evidence = figures
            proposal.revised_at = now
            proposal.save()
            audit_record(
                actor=actor,
                action="assessment.propose" if created else "assessment.revise",
                target=proposal,
                summary=_("%(year)s年度考核建议：%(number)s %(grade)s")
                % {"year": year, "number": secondment.staff_number, "grade": proposal.get_grade_display()},
                details={"secondment": secondment.pk, "year": year, "grade": grade, "evidence": figures},
            )
    except IntegrityError as exc:
        # Two first proposals raced: the other one is there now; revise it.
        raise StaffingError(_("该人员本年度已有考核建议：请修改原建议。"), code="duplicate", status=409) from exc
    return proposal


def proposal_submit(
    *, proposal: AssessmentProposal, actor: AnyUser, now: dt.datetime | None = None
) -> AssessmentProposal:
    """Submit the proposal to the sending department: from now on it is locked."""
    _require_manager(actor, proposal.secondment.hall)
    now = now or timezone.now()
    with transaction.atomic():
        proposal = AssessmentProposal.objects.select_for_update().select_related("secondment").get(pk=proposal.pk)
        if proposal.locked:
            raise StaffingError(_("该考核建议已提交。"), code="submitted", status=409)
        proposal.status = AssessmentProposal.Status.SUBMITTED
        proposal.submitted_by = signed_in(actor)
        proposal.submitted_at = now
        proposal.save(update_fields=["status", "submitted_by", "submitted_at"])
        audit_record(
            actor=actor,
            action="assessment.submit",
            target=proposal,
            summary=_("提交%(year)s年度考核建议：%(number)s %(grade)s")
            % {
                "year": proposal.year,
                "number": proposal.secondment.staff_number,
                "grade": proposal.get_grade_display(),
            },
            details={"secondment": proposal.secondment_id, "year": proposal.year, "grade": proposal.grade},
        )
    return proposal


# --- Export --------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula gets an apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return "" if value is None else value


def export_rows(rows: Iterable[Secondment]) -> list[dict[str, Any]]:
    """Per person: who, the figures (the proposal's snapshot when there is one, else today's) and
    the proposal."""
    out = []
    for row in rows:
        proposal = proposal_of(row)
        out.append(
            {
                "secondment": row,
                "figures": proposal.evidence if proposal is not None else figures_of(row),
                "proposal": proposal,
            }
        )
    return out


def csv_text(rows: Iterable[dict[str, Any]], *, year: int) -> str:
    """The proposals as CSV: UTF-8 with a byte-order mark, so Excel opens the Chinese text."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("考核年度"),
            _("大厅"),
            _("派出单位"),
            _("工号"),
            _("姓名"),
            _("岗位"),
            _("办结排队号"),
            _("平均办理时长（分钟）"),
            _("评价数"),
            _("满意率（%）"),
            _("差评数"),
            _("差评申诉维持"),
            _("差评申诉撤销"),
            _("“办不成事”反映（本人窗口）"),
            _("“办不成事”反映（本单位）"),
            _("违反行为规范次数"),
            _("出勤天数"),
            _("建议等次"),
            _("考核意见"),
            _("状态"),
            _("提交时间"),
        ]
    )
    for entry in rows:
        row, figures, proposal = entry["secondment"], entry["figures"], entry["proposal"]
        profile = getattr(row.user, "staff_profile", None)
        writer.writerow(
            [
                _cell(value)
                for value in [
                    year,
                    row.hall.name,
                    row.department.name,
                    row.staff_number,
                    (profile.display_name if profile else "") or row.user.get_username(),
                    row.get_role_display(),
                    *(figures.get(name) for name in FIGURES if name != "satisfied"),
                    proposal.get_grade_display() if proposal else _("未提出"),
                    proposal.justification if proposal else "",
                    proposal.get_status_display() if proposal else "",
                    timezone.localtime(proposal.submitted_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")
                    if proposal and proposal.submitted_at
                    else "",
                ]
            ]
        )
    return "\ufeff" + buffer.getvalue()
