"""好差评 ratings (REQUIREMENTS §9; the national 政务服务“好差评”制度): services and reads.

- **Who rates what.** The person served rates once: a queue ticket once it is done (一次一评,
  ``rating_submit_ticket``) and a case once it is completed (一事一评, ``rating_submit_case``).
  A case is completed when the hall has concluded it: not accepted (不予受理), decided (准予 or
  不予批准), its result ready or handed out (``cases.Case.FINISHED``); a case still being
  received, reviewed or forwarded is refused. The database holds one rating per ticket and one
  per case; a second attempt is refused with a message and nothing is saved.
- **Access.** No account: the link carries the ticket's own token (the one of its public page,
  ``/t/<token>/``) or the case's progress token (the one on its notices' QR code), both random
  and unguessable; no name, ID or mobile is ever in a URL. At the counter the window's tablet
  (``feedback/views_ratings.py``) shows the form for the ticket just served there.
- **What it records.** The hall, window, staff member and department of the service, read from
  the ticket or case when it is rated: a ticket's department is the one the clerk who served it
  is seconded from (``StaffProfile.department``), or else the department of the first item
  recorded for the ticket; a case's is its own department and its clerk the one who received it.
- **No rating.** ``ratings_record_defaults`` (a daily job) records, for each service completed
  more than ``RatingPolicy.default_after_days`` days ago (15 by default, the national rule's
  默认好评) and never rated, a default rating of 满意 flagged ``is_default``. Whether defaults
  count in the published satisfaction is ``RatingPolicy.defaults_in_statistics``: off by
  default, because a default is not the person's voice; the public page lists their number
  apart either way. The job looks back a week past the cutoff only, so enabling the policy never
  rates years of history, and a missed run is caught up within the week.
- **Bad ratings.** 不满意 and 非常不满意 open a rectification order in the same transaction
  (``feedback/rectification.py``).

Every write is one transaction and raises ``RatingError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, TicketItem
from feedback.models_ratings import BAD_LEVELS, Level, Rating, RatingPolicy
from queueing.models import Ticket, Window
from servicehall.access import AnyUser, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.personal_data import mask_free_text

COMMENT_MAX_CHARS = 300
INDICATORS = ("overall", "efficiency", "quality", "attitude")
# The indicators asked beside the level: 整体满意度 (``overall``) IS the level, asked once and
# stored in both (the national scheme's four hall indicators stay whole in the data).
ASKED_INDICATORS = ("efficiency", "quality", "attitude")
# A missed run of the default job is caught up if it runs again within this many days.
DEFAULT_LOOKBACK_DAYS = 7
# Completed cases (一事一评): concluded by the hall, whatever the outcome.
COMPLETED_CASE_STATUSES = tuple(Case.FINISHED)
_COMPLETING_EVENTS = (CaseEvent.Kind.NOT_ACCEPTED, CaseEvent.Kind.DECIDED)


class RatingError(DomainError):
    """A rating refused; ``errors`` holds every field's messages."""

    def __init__(self, message: Any, *, errors: dict[str, list[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors or ({self.field: [str(message)]} if self.field else {})

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.errors:
            body["errors"] = {name: [str(m) for m in messages] for name, messages in self.errors.items()}
        return body


def policy() -> RatingPolicy:
    """The rules in force: the admin's row, or the defaults while none was saved."""
    return RatingPolicy.objects.order_by("pk").first() or RatingPolicy()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- What is rated ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    level: str
    overall: str
    efficiency: str
    quality: str
    attitude: str
    comment: str = ""


def rating_input_clean(data: dict[str, Any]) -> RatingInput:
    """The level (整体满意度), the three other indicators and the comment, checked; every field's
    message at once. ``overall`` is the level: asked once, stored in both; an ``overall`` sent
    apart (older API clients) must agree with it."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    labels = {
        "level": _("请评价整体满意度。"),
        "efficiency": _("请评价服务效率。"),
        "quality": _("请评价服务水平。"),
        "attitude": _("请评价服务态度。"),
    }
    for name, message in labels.items():
        value = str(data.get(name) or "").strip()
        if value not in Level.values:
            errors[name] = [message]
        values[name] = value
    sent_overall = str(data.get("overall") or "").strip()
    if sent_overall and values["level"] in Level.values and sent_overall != values["level"]:
        errors["overall"] = [_("整体满意度即总体评价，无需另填；如填写须与总体评价一致。")]
    values["overall"] = values["level"]
    comment = " ".join(str(data.get("comment") or "").split())
    if len(comment) > COMMENT_MAX_CHARS:
        errors["comment"] = [_("评价内容最多%(n)s个字。") % {"n": COMMENT_MAX_CHARS}]
    if errors:
        field, messages = next(iter(errors.items()))
        raise RatingError(messages[0], field=field, errors=errors)
    # Stored masked: a phone or ID number written into the comment is never kept in full.
    return RatingInput(comment=mask_free_text(comment), **values)


def _ticket_item_department() -> Subquery:
    return Subquery(
        TicketItem.objects.filter(ticket_id=OuterRef("pk"))
        .order_by("recorded_at", "pk")
        .values("item__department_id")[:1]
    )


def _ticket_rows(tickets: QuerySet[Ticket]) -> QuerySet[Any]:
    """Tickets with what a rating records (``rating_department``), one query for many."""
    return tickets.annotate(
        rating_department=Coalesce(
            F("staff__staff_profile__department_id"), _ticket_item_department(), output_field=BigIntegerField()
        )
    )


def _case_completed_at() -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind__in=_COMPLETING_EVENTS)
        .order_by("at", "pk")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def _case_rows(cases: QuerySet[Case]) -> QuerySet[Any]:
    return cases.annotate(
        completed_at=Coalesce(
            _case_completed_at(), F("result_ready_at"), F("collected_at"), output_field=DateTimeField()
        )
    )


def ticket_by_token(token: str) -> Ticket | None:
    if not token or len(token) > 64:
        return None
    return _ticket_rows(Ticket.objects.select_related("hall", "window", "category")).filter(token=token).first()


def case_by_token(token: str) -> Case | None:
    if not token or len(token) > 64:
        return None
    return (
        _case_rows(Case.objects.select_related("hall", "department", "item", "window"))
        .filter(progress_token=token)
        .first()
    )


def ticket_refusal(ticket: Ticket) -> str:
    """Why ``ticket`` cannot be rated now ('' when it can)."""
    if ticket.status != Ticket.Status.DONE:
        if ticket.status in Ticket.ACTIVE:
            return _("该号码尚未办理完毕，办理完毕后才能评价。")
        return _("该号码没有在窗口办理（%(status)s），无法评价。") % {"status": ticket.get_status_display()}
    if Rating.objects.filter(ticket_id=ticket.pk).exists():
        return _("该号码已经评价过了，每次服务只能评价一次。")
    return ""


def case_refusal(case: Case) -> str:
    if case.status not in COMPLETED_CASE_STATUSES:
        return _("该办件尚未办结（%(status)s），办结后才能评价。") % {"status": case.get_status_display()}
    if Rating.objects.filter(case_id=case.pk).exists():
        return _("该办件已经评价过了，每件事只能评价一次。")
    return ""


def _already(kind: str) -> RatingError:
    message = (
        _("该号码已经评价过了，每次服务只能评价一次。")
        if kind == Rating.Kind.TICKET
        else _("该办件已经评价过了，每件事只能评价一次。")
    )
    return RatingError(message, code="already_rated", status=409)


def _save(rating: Rating, *, actor: AnyUser | None, now: dt.datetime) -> Rating:
    from feedback import rectification

    try:
        with transaction.atomic():
            rating.save()
            audit_record(
                actor=actor,
                action="rating.submitted",
                target=rating,
                summary=_("%(kind)s评价：%(level)s")
                % {"kind": rating.get_kind_display(), "level": rating.get_level_display()},
                details={"source": rating.source, "level": rating.level},
            )
            if rating.level in BAD_LEVELS:
                rectification.order_open(rating=rating, now=now)
    except IntegrityError as exc:  # the unique ticket / case: rated twice at the same moment
        raise _already(rating.kind) from exc
    return rating


def rating_submit_ticket(
    *,
    ticket: Ticket,
    data: RatingInput,
    source: str = Rating.Source.LINK,
    actor: AnyUser | None = None,
    submission_key: str | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Rate a served ticket (一次一评). Refused for a ticket not done, or rated already.
    ``submission_key``: the rating form's one-time token (feedback/form_tokens.py)."""
    now = now or timezone.now()
    # A done ticket never changes status again, and the unique constraint settles two ratings
    # at the same moment: no lock is needed.
    refusal = ticket_refusal(ticket)
    if refusal:
        code = "already_rated" if ticket.status == Ticket.Status.DONE else "not_served"
        raise RatingError(refusal, code=code, status=409)
    department_id = getattr(ticket, "rating_department", None)
    if not hasattr(ticket, "rating_department"):
        department_id = (
            _ticket_rows(Ticket.objects.filter(pk=ticket.pk)).values_list("rating_department", flat=True).get()
        )
    served_at = ticket.finished_at or now
    rating = Rating(
        kind=Rating.Kind.TICKET,
        ticket=ticket,
        hall_id=ticket.hall_id,
        window_id=ticket.window_id,
        department_id=department_id,
        staff_id=ticket.staff_id,
        source=source,
        served_at=served_at,
        served_month=month_start(local_date(served_at)),
        rated_at=now,
        level=data.level,
        overall=data.overall,
        efficiency=data.efficiency,
        quality=data.quality,
        attitude=data.attitude,
        comment=data.comment,
        submission_key=submission_key or None,
    )
    return _save(rating, actor=actor, now=now)


def rating_submit_case(
    *,
    case: Case,
    data: RatingInput,
    actor: AnyUser | None = None,
    submission_key: str | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Rate a completed case (一事一评). Refused for a case not completed, or rated already."""
    now = now or timezone.now()
    refusal = case_refusal(case)
    if refusal:
        code = "already_rated" if case.status in COMPLETED_CASE_STATUSES else "not_completed"
        raise RatingError(refusal, code=code, status=409)
    completed_at = getattr(case, "completed_at", None)
    if not hasattr(case, "completed_at"):
        completed_at = _case_rows(Case.objects.filter(pk=case.pk)).values_list("completed_at", flat=True).get()
    served_at = completed_at or now
    rating = Rating(
        kind=Rating.Kind.CASE,
        case=case,
        hall_id=case.hall_id,
        window_id=case.window_id,
        department_id=case.department_id,
        staff_id=case.received_by_id,
        source=Rating.Source.LINK,
        served_at=served_at,
        served_month=month_start(local_date(served_at)),
        rated_at=now,
        level=data.level,
        overall=data.overall,
        efficiency=data.efficiency,
        quality=data.quality,
        attitude=data.attitude,
        comment=data.comment,
        submission_key=submission_key or None,
    )
    return _save(rating, actor=actor, now=now)


# --- Default ratings (默认好评) ----------------------------------------------------------------


def ratings_record_defaults(*, now: dt.datetime | None = None) -> int:
    """Record a default 满意 for every ticket done and case completed between
    ``default_after_days + DEFAULT_LOOKBACK_DAYS`` and ``default_after_days`` days ago and never
    rated. Set-based: one read per kind and one bulk insert; a rating made meanwhile wins (the
    unique constraint; ``ignore_conflicts``). Returns how many were recorded."""
    now = now or timezone.now()
    rules = policy()
    if not rules.default_ratings_enabled:
        return 0
    cutoff = now - dt.timedelta(days=rules.default_after_days)
    since = cutoff - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS)
    rows: list[Rating] = []

    def default(**fields: Any) -> Rating:
        served_at = fields["served_at"]
        return Rating(
            level=Level.SATISFIED,
            source=Rating.Source.DEFAULT,
            is_default=True,
            rated_at=now,
            served_month=month_start(local_date(served_at)),
            **fields,
        )

    tickets = _ticket_rows(
        Ticket.objects.filter(
            status=Ticket.Status.DONE, finished_at__gte=since, finished_at__lt=cutoff, rating__isnull=True
        )
    ).values("pk", "hall_id", "window_id", "staff_id", "finished_at", "rating_department")
    for t in tickets:
        rows.append(
            default(
                kind=Rating.Kind.TICKET,
                ticket_id=t["pk"],
                hall_id=t["hall_id"],
                window_id=t["window_id"],
                staff_id=t["staff_id"],
                department_id=t["rating_department"],
                served_at=t["finished_at"],
            )
        )
    cases = (
        _case_rows(Case.objects.filter(status__in=COMPLETED_CASE_STATUSES, rating__isnull=True))
        .filter(completed_at__gte=since, completed_at__lt=cutoff)
        .values("pk", "hall_id", "window_id", "received_by_id", "department_id", "completed_at")
    )
    for c in cases:
        rows.append(
            default(
                kind=Rating.Kind.CASE,
                case_id=c["pk"],
                hall_id=c["hall_id"],
                window_id=c["window_id"],
                staff_id=c["received_by_id"],
                department_id=c["department_id"],
                served_at=c["completed_at"],
            )
        )
    if not rows:
        return 0
    with transaction.atomic():
        created = Rating.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        audit_record(
            actor=None,
            action="rating.defaults",
            target_type="feedback.rating",
            summary=_("记录默认好评%(n)s条") % {"n": len(created)},
            details={"cutoff": cutoff.isoformat()},
        )
    return len(rows)


# --- The window's tablet ---------------------------------------------------------------------


def tablet_ticket(*, window: Window, now: dt.datetime | None = None) -> Ticket | None:
    """The ticket the citizen at ``window`` may rate on the counter's tablet: the last one done
    there within ``RatingPolicy.tablet_minutes``, not rated yet."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=policy().tablet_minutes)
    return (
        _ticket_rows(Ticket.objects.select_related("hall", "window", "category"))
        .filter(window=window, status=Ticket.Status.DONE, finished_at__gte=since, rating__isnull=True)
        .order_by("-finished_at", "-pk")
        .first()
    )


def may_use_tablet(user: AnyUser, window: Window) -> bool:
    """Staff of the window's hall (a counter role or a supervisor of that hall)."""
    scope = staff_scope(user)
    return scope.works_at(window.hall_id) or (scope.is_superuser and user.is_authenticated)
