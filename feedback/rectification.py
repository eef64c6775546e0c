"""Rectification of bad ratings (差评整改, REQUIREMENTS §9): services, access and reads.

A rating of 不满意 or 非常不满意 opens an order (``order_open``, in the rating's transaction) for
the department of the window or case at that hall. Then, each step one transaction with an
event (who, when) and an audit record:

1. **核实** (``order_verify``): the department's chief representative at the hall, or a
   supervisor covering the hall, finds the complaint valid or not, with reasons. Valid: the
   order is to be rectified within ``RatingPolicy.rectify_working_days`` working days (5 by
   default), counted from the day of verification (not counted) on the working-day calendar
   (``catalog.selectors.deadline_after``). Not valid: the order ends there (核实不属实).
2. **整改** (``order_rectify``): the same people record the measures taken.
3. **回访** (``order_follow_up``): they record the follow-up call: reached or not, satisfied or
   not, and what was said. The order is closed.

The rated staff member may **appeal** (``order_appeal``) while the order is being verified or
rectified, or after it was found not valid, once; a supervisor covering the hall decides
(``appeal_decide``, 复核): **upheld**, the order goes back to where it was (the rectification
deadline is unchanged); **overturned**, the order ends and the rating is excluded from the
statistics (``Rating.excluded``; the next rollup drops it).

``orders_flag_overdue`` (a periodic job) flags orders still being rectified after their deadline:
one indexed read of the candidates and a conditional ``UPDATE ... WHERE overdue = false``, so two
workers never flag (nor record the event for) the same order twice.

A wrong role or a step the order's state does not allow raises ``RatingError`` (403 or 409).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from feedback.models_ratings import (
    Rating,
    RatingAppeal,
    RectificationEvent,
    RectificationOrder,
)
from feedback.ratings import RatingError, policy
from queueing import dashboard_poll
from servicehall import roles
from servicehall.access import AnyUser, acts_as_chief, chief_refusal, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date

TEXT_MAX_CHARS = 500
Status = RectificationOrder.Status


# --- Who may do what -------------------------------------------------------------------------


def may_supervise(user: AnyUser, order: RectificationOrder) -> bool:
    scope = staff_scope(user)
    return scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(order.hall_id)


def may_handle(user: AnyUser, order: RectificationOrder) -> bool:
    """Verify, rectify, follow up: the department's chief representative at the hall, or a
    supervisor covering the hall (the only ones for an order without a department)."""
    if may_supervise(user, order):
        return True
    # The department's recorded chief (Art. 8 ¶3, ``acts_as_chief``): not a deputy holding the role.
    return order.department_id is not None and acts_as_chief(user, order.hall_id, order.department_id)


def may_appeal(user: AnyUser, order: RectificationOrder) -> bool:
    return (
        user.is_authenticated
        and order.rating.staff_id == user.pk
        and order.status in RectificationOrder.APPEALABLE
        and not RatingAppeal.objects.filter(order=order).exists()
    )


def may_decide_appeal(user: AnyUser, order: RectificationOrder) -> bool:
    return order.status == Status.APPEALED and may_supervise(user, order) and order.rating.staff_id != user.pk


def _deny(message: str) -> RatingError:
    return RatingError(message, code="permission_denied", status=403)


def _wrong_state(order: RectificationOrder, message: str) -> RatingError:
    return RatingError(
        _("%(message)s（整改单当前状态：%(status)s）") % {"message": message, "status": order.get_status_display()},
        code="stale",
        status=409,
    )


def orders_visible(user: AnyUser) -> QuerySet[RectificationOrder]:
    """The orders ``user`` may see: a supervisor's halls; a chief representative's department at
    their hall; a window clerk's own bad ratings (to appeal); nothing for anyone else."""
    scope = staff_scope(user)
    rows = RectificationOrder.objects.select_related(
        "hall", "department", "rating", "rating__window", "rating__staff__staff_profile", "appeal"
    )
    if not user.is_authenticated:
        return rows.none()
    condition = Q(rating__staff_id=user.pk)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        hall_ids = scope.hall_ids()
        if hall_ids is None:
            return rows
        condition |= Q(hall_id__in=hall_ids)
    if scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None and scope.department_id is not None:
        condition |= Q(hall_id=scope.hall_id, department_id=scope.department_id)
    return rows.filter(condition)


def access_order(user: AnyUser, pk: int) -> RectificationOrder:
    """Fetch an order the user may see (404 for any other, so its existence is not told)."""
    order = orders_visible(user).filter(pk=pk).first()
    if order is None:
        raise Http404(_("没有找到该整改单。"))
    return order


# --- Writes ----------------------------------------------------------------------------------


def _event(
    order: RectificationOrder, kind: str, *, actor: AnyUser | None, at: dt.datetime, note: str = "", **data: object
) -> None:
    RectificationEvent.objects.create(
        order=order,
        kind=kind,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note,
        data=data,
    )
    audit_record(
        actor=actor,
        action=f"rectification.{kind}",
        target=order,
        summary=f"{order.number} {RectificationEvent.Kind(kind).label}",
        details={"note": note[:200], **data},
    )
    # The hall's live dashboard counts the open, overdue and appealed orders.
    dashboard_poll.dashboard_changed_on_commit(order.hall_id)


def _lock(order: RectificationOrder) -> RectificationOrder:
    RectificationOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).get()
    return RectificationOrder.objects.select_related("hall", "department", "rating").get(pk=order.pk)


def _text(value: str, *, field: str, required: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise RatingError(required, field=field, code="required")
    if len(text) > TEXT_MAX_CHARS:
        raise RatingError(_("最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}, field=field)
    return text


def order_open(*, rating: Rating, now: dt.datetime) -> RectificationOrder:
    """Open the order of a bad rating (called in the rating's transaction)."""
    order = RectificationOrder.objects.create(
        rating=rating,
        number=f"ZG-rating-{rating.pk}",  # one order per rating: unique until numbered
        hall_id=rating.hall_id,
        department_id=rating.department_id,
        opened_at=now,
    )
    order.number = f"ZG{local_date(now):%Y%m%d}{order.pk:06d}"
    order.save(update_fields=["number"])
    _event(order, RectificationEvent.Kind.OPENED, actor=None, at=now, level=rating.level)
    return order


def order_verify(
    *, order: RectificationOrder, actor: AnyUser, valid: bool, reason: str, now: dt.datetime | None = None
) -> RectificationOrder:
    now = now or timezone.now()
    reason = _text(reason, field="reason", required=_("请写明核实情况和理由。"))
    with transaction.atomic():
        order = _lock(order)
        if not may_handle(actor, order):
            raise _deny(
                chief_refusal(
                    actor,
                    order.hall_id,
                    order.department_id,
                    _("差评核实须由责任部门派驻本大厅的首席事务代表或大厅管理人员办理。"),
                )
            )
        if order.status != Status.VERIFYING:
            raise _wrong_state(order, _("只有待核实的整改单可以核实。"))
        order.verified_at = now
        order.verified_by = signed_in(actor)
        order.verification_valid = valid
        order.verification_reason = reason
        if valid:
            order.due_on, order.due_provisional = catalog_selectors.deadline_after(
                local_date(now), policy().rectify_working_days
            )
            order.status = Status.RECTIFYING
        else:
            order.status = Status.INVALID
        order.save()
        kind = RectificationEvent.Kind.VERIFIED_VALID if valid else RectificationEvent.Kind.VERIFIED_INVALID
        _event(order, kind, actor=actor, at=now, note=reason, due_on=order.due_on.isoformat() if order.due_on else None)
    return order


def order_rectify(
    *, order: RectificationOrder, actor: AnyUser, measures: str, now: dt.datetime | None = None
) -> RectificationOrder:
    now = now or timezone.now()
    measures = _text(measures, field="measures", required=_("请写明整改措施。"))
    with transaction.atomic():
        order = _lock(order)
        if not may_handle(actor, order):
            raise _deny(
                chief_refusal(
                    actor,
                    order.hall_id,
                    order.department_id,
                    _("整改须由责任部门派驻本大厅的首席事务代表或大厅管理人员登记。"),
                )
            )
        if order.status != Status.RECTIFYING:
            raise _wrong_state(order, _("只有核实属实、整改中的整改单可以登记整改。"))
        order.status = Status.FOLLOW_UP
        order.rectified_at = now
        order.rectified_by = signed_in(actor)
        order.measures = measures
        order.save()
        _event(order, RectificationEvent.Kind.RECTIFIED, actor=actor, at=now, note=measures, late=order.overdue)
    return order


def rater_contactable(rating: Rating) -> bool:
    """Whether the rater left a way to be called back: a case's contact mobile, or the mobile of
    the booking a ticket was checked in from. A ticket rated at the tablet or by its link alone
    has none (the ratings are anonymous)."""
    if rating.case_id is not None:
        return bool(rating.case.contact_mobile) if rating.case is not None else False
    if rating.ticket_id is not None:
        from appointments.models import Booking

        return Booking.objects.filter(ticket_id=rating.ticket_id).exclude(mobile="").exists()
    return False


def order_follow_up(
    *,
    order: RectificationOrder,
    actor: AnyUser,
    reached: bool | None,
    satisfied: bool | None,
    note: str,
    now: dt.datetime | None = None,
) -> RectificationOrder:
    """回访: reached or not (and satisfied or not), or, when the rater left no contact
    (``rater_contactable``), ``reached=None``: 评价人未留联系方式, no call possible."""
    now = now or timezone.now()
    note = _text(note, field="note", required=_("请记录回访情况。"))
    if reached and satisfied is None:
        raise RatingError(_("联系上评价人的，请选择其是否满意。"), field="satisfied", code="required")
    with transaction.atomic():
        order = _lock(order)
        if not may_handle(actor, order):
            raise _deny(
                chief_refusal(
                    actor,
                    order.hall_id,
                    order.department_id,
                    _("回访须由责任部门派驻本大厅的首席事务代表或大厅管理人员登记。"),
                )
            )
        if order.status != Status.FOLLOW_UP:
            raise _wrong_state(order, _("整改完成后才能登记回访。"))
        contactable = rater_contactable(order.rating)
        if reached is None and contactable:
            raise RatingError(_("评价人留有联系方式，请回访后登记是否联系上。"), field="reached", code="contactable")
        if reached is not None and not contactable:
            raise RatingError(
                _("评价人未留联系方式，无法回访：请选择“评价人未留联系方式”。"), field="reached", code="no_contact"
            )
        order.follow_up_no_contact = reached is None
        order.status = Status.CLOSED
        order.followed_up_at = now
        order.followed_up_by = signed_in(actor)
        order.follow_up_reached = reached
        order.follow_up_satisfied = satisfied if reached else None
        order.follow_up_note = note
        order.save()
        _event(
            order,
            RectificationEvent.Kind.FOLLOWED_UP,
            actor=actor,
            at=now,
            note=note,
            reached=reached,
            satisfied=order.follow_up_satisfied,
            no_contact=order.follow_up_no_contact,
        )
    return order


def order_appeal(
    *, order: RectificationOrder, actor: AnyUser, reason: str, now: dt.datetime | None = None
) -> RatingAppeal:
    now = now or timezone.now()
    reason = _text(reason, field="reason", required=_("请写明申诉理由。"))
    with transaction.atomic():
        order = _lock(order)
        if not actor.is_authenticated or order.rating.staff_id != actor.pk:
            raise _deny(_("只有被评价的工作人员本人可以申诉。"))
        if RatingAppeal.objects.filter(order=order).exists():
            raise RatingError(_("该差评已申诉过，每张整改单只能申诉一次。"), code="already_appealed", status=409)
        if order.status not in RectificationOrder.APPEALABLE:
            raise _wrong_state(order, _("整改单已办结或正在复核，不能申诉。"))
        appeal = RatingAppeal.objects.create(
            order=order, reason=reason, appealed_by=signed_in(actor), appealed_at=now, status_before=order.status
        )
        order.status = Status.APPEALED
        order.save(update_fields=["status"])
        _event(order, RectificationEvent.Kind.APPEALED, actor=actor, at=now, note=reason)
    return appeal


def appeal_decide(
    *, order: RectificationOrder, actor: AnyUser, overturn: bool, reason: str, now: dt.datetime | None = None
) -> RatingAppeal:
    now = now or timezone.now()
    reason = _text(reason, field="reason", required=_("请写明复核意见。"))
    with transaction.atomic():
        order = _lock(order)
        if not may_supervise(actor, order):
            raise _deny(_("申诉复核须由管理本大厅的政务服务管理部门办理。"))
        if order.rating.staff_id == actor.pk:
            raise _deny(_("不能复核本人的申诉。"))
        if order.status != Status.APPEALED:
            raise _wrong_state(order, _("该整改单没有待复核的申诉。"))
        appeal = RatingAppeal.objects.select_for_update().get(order=order)
        appeal.decision = RatingAppeal.Decision.OVERTURNED if overturn else RatingAppeal.Decision.UPHELD
        appeal.decided_by = signed_in(actor)
        appeal.decided_at = now
        appeal.decision_reason = reason
        appeal.save()
        if overturn:
            order.status = Status.OVERTURNED
            Rating.objects.filter(pk=order.rating_id).update(excluded=True, excluded_reason=reason)
        else:
            order.status = appeal.status_before
        order.save(update_fields=["status"])
        kind = RectificationEvent.Kind.APPEAL_OVERTURNED if overturn else RectificationEvent.Kind.APPEAL_UPHELD
        _event(order, kind, actor=actor, at=now, note=reason)
    return appeal


# --- The overdue job -------------------------------------------------------------------------


def orders_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag the orders still being rectified whose deadline has passed (the deadline day itself
    is still in time). Returns how many this run flagged."""
    now = now or timezone.now()
    today = local_date(now)
    flagged = 0
    with transaction.atomic():
        rows = list(
            RectificationOrder.objects.filter(status=Status.RECTIFYING, overdue=False, due_on__lt=today)
            .select_for_update(skip_locked=True)
            .values_list("pk", "hall_id")
            .order_by("pk")
        )
        if not rows:
            return 0
        candidates = [pk for pk, _hall_id in rows]
        flagged = RectificationOrder.objects.filter(pk__in=candidates, status=Status.RECTIFYING, overdue=False).update(
            overdue=True, overdue_flagged_at=now
        )
        RectificationEvent.objects.bulk_create(
            RectificationEvent(order_id=pk, kind=RectificationEvent.Kind.OVERDUE, at=now) for pk in candidates
        )
        audit_record(
            actor=None,
            action="rectification.overdue",
            target_type="feedback.rectificationorder",
            summary=_("整改超期%(n)s件") % {"n": flagged},
            details={"orders": candidates[:100]},
        )
        # The halls' live dashboards count the overdue orders.
        dashboard_poll.dashboard_changed_on_commit(*{hall_id for _pk, hall_id in rows})
    return flagged


def open_count(*, hall_id: int) -> int:
    return RectificationOrder.objects.filter(hall_id=hall_id, status__in=RectificationOrder.OPEN).count()


def _raise_permission(message: str) -> None:
    raise PermissionDenied(message)
