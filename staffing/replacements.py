"""Replacement requests (要求派出单位更换, Art. 8 ¶2): the services that file, close and withdraw
them, the reads of the list and the person page, and the message to the sending department.

A request is open until a replacement is in post: the new active secondment of the same sending
department at the same hall, started on or after the day the request was made. Open after its
deadline day, it is overdue (``ReplacementRequest.is_overdue``, and ``overdue`` on the list).
One open request per secondment: checked here with a clear message, and held by a partial unique
index when two requests race. Every step is audited; the chief representative of the department
at the hall is told through the outbox once the step has committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicehall import notifications, outbox, roles
from servicehall.access import AnyUser, acts_as_chief, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date
from staffing.models import ReplacementRequest, Secondment
from staffing.models_replacements import DEFAULT_DEADLINE_DAYS
from staffing.services import StaffingError, _require_manager

logger = logging.getLogger(__name__)

REASON_MIN_CHARS = 10
NOTIFY_TASK = "staffing.tasks.replacement_notify"


def default_deadline(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)


# --- Reads ---------------------------------------------------------------------------------------


def overdue_expression(today: dt.date) -> Case:
    return Case(
        When(Q(status=ReplacementRequest.Status.OPEN, deadline__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def open_request_exists() -> Exists:
    """For a roster of secondments: whether the person has an open replacement request."""
    return Exists(
        ReplacementRequest.objects.filter(secondment_id=OuterRef("pk"), status=ReplacementRequest.Status.OPEN)
    )


def request_list(
    *,
    hall_ids: list[int] | None,
    today: dt.date,
    hall_id: int | None = None,
    department_id: int | None = None,
    status: str = "",
    overdue: bool = False,
) -> QuerySet[ReplacementRequest]:
    """Requests about secondments at the halls covered (None: every hall), newest first, with
    ``overdue`` computed for ``today``; one query for the page whatever its length."""
    rows = ReplacementRequest.objects.select_related(
        "secondment__user__staff_profile",
        "secondment__hall",
        "secondment__department",
        "requested_by__staff_profile",
        "replacement__user__staff_profile",
    )
    if hall_ids is not None:
        rows = rows.filter(secondment__hall_id__in=hall_ids)
    if hall_id is not None:
        rows = rows.filter(secondment__hall_id=hall_id)
    if department_id is not None:
        rows = rows.filter(secondment__department_id=department_id)
    if status:
        rows = rows.filter(status=status)
    rows = rows.annotate(overdue=overdue_expression(today))
    if overdue:
        rows = rows.filter(overdue=True)
    return rows.order_by("-requested_at", "-pk")


def replacement_candidates(request: ReplacementRequest) -> QuerySet[Secondment]:
    """Secondments that may close ``request``: active, same department and hall, begun on or after
    the day of the request, not the person to be replaced."""
    secondment = request.secondment
    return (
        Secondment.objects.select_related("user__staff_profile")
        .filter(
            hall_id=secondment.hall_id,
            department_id=secondment.department_id,
            status=Secondment.Status.ACTIVE,
            seconded_from__gte=request.requested_on,
        )
        .exclude(pk=secondment.pk)
        .order_by("-seconded_from", "staff_number", "pk")
    )


def open_request_of(secondment: Secondment) -> ReplacementRequest | None:
    return (
        ReplacementRequest.objects.select_related("requested_by__staff_profile")
        .filter(secondment=secondment, status=ReplacementRequest.Status.OPEN)
        .first()
    )


# --- Writes --------------------------------------------------------------------------------------


def _lock(request: ReplacementRequest) -> ReplacementRequest:
    return (
        ReplacementRequest.objects.select_for_update()
        .select_related("secondment__hall", "secondment__department")
        .get(pk=request.pk)
    )


def replacement_request(
    *,
    secondment: Secondment,
    actor: AnyUser,
    reason: str,
    deadline: dt.date,
    now: dt.datetime | None = None,
) -> ReplacementRequest:
    """The hall's management department asks the sending department to replace ``secondment``."""
    _require_manager(actor, secondment.hall)
    now = now or timezone.now()
    today = local_date(now)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_CHARS:
        raise StaffingError(
            _("请写明要求更换的理由（至少%(count)s个字）。") % {"count": REASON_MIN_CHARS}, field="reason"
        )
    if deadline < today:
        raise StaffingError(_("更换期限不能早于今天。"), field="deadline")
    if secondment.status == Secondment.Status.ENDED:
        raise StaffingError(_("该人员的派驻已结束，无需要求更换。"), code="ended", status=409)
    duplicate = StaffingError(_("该人员已有未办结的更换要求：请先办结或撤回原要求。"), code="duplicate", status=409)
    if ReplacementRequest.objects.filter(secondment=secondment, status=ReplacementRequest.Status.OPEN).exists():
        raise duplicate
    try:
        with transaction.atomic():
            request = ReplacementRequest.objects.create(
                secondment=secondment,
                reason=reason,
                deadline=deadline,
                requested_by=signed_in(actor),
                requested_at=now,
                requested_on=today,
            )
            audit_record(
                actor=actor,
                action="replacement.request",
                target=request,
                summary=_("要求派出单位更换：%(number)s") % {"number": secondment.staff_number},
                details={"secondment": secondment.pk, "deadline": deadline.isoformat()},
            )
            outbox.enqueue(NOTIFY_TASK, request.pk, "requested")
    except IntegrityError as exc:
        # Lost a race: another request for the same person committed first.
        raise duplicate from exc
    return request


def may_close(actor: AnyUser, request: ReplacementRequest) -> bool:
    """Who records the replacement in post: the hall's management department, or the sending
    department's recorded chief representative at the hall, who manages its seconded staff there
    (Art. 8 ¶3) and is the one who sends the replacement. Withdrawing stays the management
    department's: it made the request."""
    secondment = request.secondment
    scope = staff_scope(actor)
    if scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(secondment.hall_id):
        return True
    return acts_as_chief(actor, secondment.hall_id, secondment.department_id)


def replacement_close(
    *,
    request: ReplacementRequest,
    actor: AnyUser,
    replacement: Secondment,
    now: dt.datetime | None = None,
) -> ReplacementRequest:
    """The replacement is in post: name their secondment and close the request."""
    if not may_close(actor, request):
        raise StaffingError(
            _("只有该大厅的政务服务管理部门或该派出单位的首席事务代表可以确认接替人员到岗。"),
            code="permission_denied",
            status=403,
        )
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        if request.status != ReplacementRequest.Status.OPEN:
            raise StaffingError(_("该更换要求已办结或撤回。"), code="closed", status=409)
        original = request.secondment
        if (
            replacement.pk == original.pk
            or replacement.hall_id != original.hall_id
            or replacement.department_id != original.department_id
        ):
            raise StaffingError(_("接替人员须是同一派出单位派驻本大厅的其他人员。"), field="replacement")
        if replacement.status != Secondment.Status.ACTIVE:
            raise StaffingError(_("接替人员须已在岗。"), field="replacement")
        if replacement.seconded_from < request.requested_on:
            raise StaffingError(
                _("接替人员的派驻起始日须不早于提出更换要求之日（%(date)s）。")
                % {"date": request.requested_on.isoformat()},
                field="replacement",
            )
        request.status = ReplacementRequest.Status.REPLACED
        request.replacement = replacement
        request.closed_by = signed_in(actor)
        request.closed_at = now
        request.save(update_fields=["status", "replacement", "closed_by", "closed_at"])
        audit_record(
            actor=actor,
            action="replacement.close",
            target=request,
            summary=_("更换到位：%(old)s 由 %(new)s 接替")
            % {"old": original.staff_number, "new": replacement.staff_number},
            details={"secondment": original.pk, "replacement": replacement.pk},
        )
        outbox.enqueue(NOTIFY_TASK, request.pk, "replaced")
    return request


def replacement_withdraw(
    *, request: ReplacementRequest, actor: AnyUser, reason: str, now: dt.datetime | None = None
) -> ReplacementRequest:
    """The management department withdraws its request, saying why."""
    _require_manager(actor, request.secondment.hall)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_CHARS:
        raise StaffingError(_("请写明撤回的理由（至少%(count)s个字）。") % {"count": REASON_MIN_CHARS}, field="reason")
    with transaction.atomic():
        request = _lock(request)
        if request.status != ReplacementRequest.Status.OPEN:
            raise StaffingError(_("该更换要求已办结或撤回。"), code="closed", status=409)
        request.status = ReplacementRequest.Status.WITHDRAWN
        request.withdraw_reason = reason
        request.closed_by = signed_in(actor)
        request.closed_at = now
        request.save(update_fields=["status", "withdraw_reason", "closed_by", "closed_at"])
        audit_record(
            actor=actor,
            action="replacement.withdraw",
            target=request,
            summary=_("撤回更换要求：%(number)s") % {"number": request.secondment.staff_number},
            details={"secondment": request.secondment_id},
        )
        outbox.enqueue(NOTIFY_TASK, request.pk, "withdrawn")
    return request


# --- The message to the sending department ------------------------------------------------------


def department_recipients(*, hall_id: int, department_id: int) -> list[str]:
    """The department's chief representatives at the hall (首席事务代表, who manages its seconded
    staff there, Art. 8 ¶3)."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.CHIEF_REPRESENTATIVE,
            staff_profile__hall_id=hall_id,
            staff_profile__department_id=department_id,
        )
        .values_list("username", flat=True)
        .order_by("username")
        .distinct()
    )


def replacement_notify(request_id: int, kind: str) -> int:
    """Tell the sending department (its chief representative at the hall) that a request was
    made, met or withdrawn; once per request and kind (idempotency key). No personal data beyond
    the staff number."""
    request = (
        ReplacementRequest.objects.select_related("secondment__hall", "secondment__department", "replacement")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    secondment = request.secondment
    to = department_recipients(hall_id=secondment.hall_id, department_id=secondment.department_id)
    if kind == "replaced" and request.closed_by_id not in (None, request.requested_by_id):
        # The chief representative recorded the replacement: the management department that
        # asked hears of it too.
        requester = get_user_model().objects.filter(pk=request.requested_by_id, is_active=True).first()
        if requester is not None and requester.get_username() not in to:
            to.append(requester.get_username())
    if not to:
        logger.warning("replacement request %s (%s): no chief representative to notify", request.pk, kind)
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "hall": secondment.hall.name,
            "department": secondment.department.name,
            "number": secondment.staff_number,
            "deadline": request.deadline.isoformat(),
        }
        if kind == "requested":
            subject = _("要求更换派驻人员：%(number)s") % values
            body = (
                _("%(hall)s要求%(department)s更换派驻人员 %(number)s，请于 %(deadline)s 前派员接替。理由：") % values
                + request.reason
            )
        elif kind == "replaced":
            subject = _("更换到位：%(number)s") % values
            replacement = request.replacement.staff_number if request.replacement else ""
            body = _("%(hall)s确认派驻人员 %(number)s 已由 %(new)s 接替，更换要求办结。") % {
                **values,
                "new": replacement,
            }
        elif kind == "withdrawn":
            subject = _("撤回更换要求：%(number)s") % values
            body = _("%(hall)s撤回了更换派驻人员 %(number)s 的要求。理由：") % values + request.withdraw_reason
        else:
            raise ValueError(kind)
        notifications.notify(
            recipients=to,
            subject=subject,
            body=body,
            data={"kind": f"replacement_{kind}", "idempotency_key": f"replacement-{request.pk}-{kind}"},
        )
    return len(to)


# --- Overdue requests: the management department is told once (Art. 8 ¶2) ----------------------


@dataclass
class OverdueRun:
    claimed: int = 0
    notified: int = 0
    failed: int = 0


def _claim_overdue(*, today: dt.date, now: dt.datetime) -> list[ReplacementRequest]:
    """Open requests past their deadline day nobody has been told about, marked as told by this
    run (a conditional update from "not told"): rows another run holds are skipped, so each
    request is sent by one run only. Reads the partial index of open requests by deadline."""
    with transaction.atomic():
        ids = list(
            ReplacementRequest.objects.select_for_update(skip_locked=True)
            .filter(status=ReplacementRequest.Status.OPEN, deadline__lt=today, overdue_notified_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        ReplacementRequest.objects.filter(
            pk__in=ids, status=ReplacementRequest.Status.OPEN, overdue_notified_at__isnull=True
        ).update(overdue_notified_at=now)
    return list(
        ReplacementRequest.objects.filter(pk__in=ids, overdue_notified_at=now)
        .select_related("secondment__hall", "secondment__department", "requested_by")
        .order_by("pk")
    )


def _hall_supervisors(hall_ids: set[int]) -> dict[int, list[str]]:
    """Usernames of the active supervisors of each hall (the management department), one query."""
    by_hall: dict[int, list[str]] = defaultdict(list)
    rows = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.SUPERVISOR, staff_profile__hall_id__in=hall_ids)
        .values_list("staff_profile__hall_id", "username")
        .order_by("username")
        .distinct()
    )
    for hall_id, username in rows:
        by_hall[hall_id].append(username)
    return by_hall


def replacement_overdue_notify(*, now: dt.datetime | None = None) -> OverdueRun:
    """Tell the hall's management department (its supervisors, and whoever made the request) of
    each request still open after its deadline day, once per request: the claim is a
    conditional update, and the message carries the key ``replacement-<id>-overdue`` so that a
    retry after a worker died half-way does not send it twice. A refused message releases the
    claim and the next run tries again. Constant queries whatever the number of requests, besides
    each message's own record in the notification log."""
    now = now or timezone.now()
    claimed = _claim_overdue(today=local_date(now), now=now)
    run = OverdueRun(claimed=len(claimed))
    if not claimed:
        return run
    supervisors = _hall_supervisors({request.secondment.hall_id for request in claimed})
    with translation.override(settings.LANGUAGE_CODE):
        for request in claimed:
            secondment = request.secondment
            to = set(supervisors.get(secondment.hall_id, []))
            if request.requested_by.is_active:
                to.add(request.requested_by.get_username())
            if not to:
                logger.warning("replacement request %s overdue: nobody to notify", request.pk)
                continue
            values = {
                "hall": secondment.hall.name,
                "department": secondment.department.name,
                "number": secondment.staff_number,
                "deadline": request.deadline.isoformat(),
            }
            subject = _("更换要求已超期：%(number)s") % values
            body = (
                _(
                    "%(hall)s要求%(department)s更换派驻人员 %(number)s，期限 %(deadline)s 已过，接替人员尚未到岗。"
                    "请督促派出单位派员接替，或在“更换派驻人员要求”中撤回（《广州市政务服务条例》第八条第二款）。"
                )
                % values
            )
            try:
                notifications.notify(
                    recipients=sorted(to),
                    subject=subject,
                    body=body,
                    data={"kind": "replacement_overdue", "idempotency_key": f"replacement-{request.pk}-overdue"},
                )
            except Exception:
                logger.exception("replacement request %s overdue: notification failed, will retry", request.pk)
                ReplacementRequest.objects.filter(pk=request.pk, overdue_notified_at=now).update(
                    overdue_notified_at=None
                )
                run.failed += 1
            else:
                run.notified += 1
    return run
