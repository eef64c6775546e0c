"""Urgent matters (急事急办, Art. 10 ¶3; REQUIREMENTS §7): services and reads.

An applicant with a proper reason asks for urgent handling: at the window on a case
(``urgent_request_case``, counter staff of the case's hall), online with a booking
(``urgent_request_booking``) or at the kiosk with the ticket just taken (``urgent_request_ticket``);
the last two are attached to the case opened from that ticket by ``urgent_attach_from_ticket``.
The chief representative (首席事务代表) of the department at that hall decides:

- **approves** (``urgent_approve``) with a shorter promised limit ``promised_days``: for an
  accepted case, working days from the day of approval (that day not counted), fewer than the
  working days it still had; for a case not accepted yet (or a booking), working days from the
  acceptance, fewer than the guide's promised limit, applied when the case is accepted
  (``urgent_limit_days``). The case is flagged ``urgent``. The approver may then give the
  applicant a weekend or holiday staggered slot reserved for urgent matters
  (``urgent_book_staggered``; ``Slot.urgent_only``, never bookable by the public);
- **refuses** (``urgent_refuse``) with a reason, which produces a written report
  (``WrittenReport``, 书面报告) to the hall's management department: the supervisors covering the
  hall see it on ``/supervisor/urgent-reports/`` and print it.

An approved matter's ticket is called first (``queueing.services.ticket_mark_urgent``): at the
approval if the ticket is in the hall, or when the applicant checks the booking in
(``on_booking_check_in``, registered with appointments).

The applicant is told either way by SMS (``cases.tasks.urgent_notify`` through the outbox, at most
once per decision by its idempotency key). Every write is one transaction and raises
``CaseError``; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import services as booking_services
from appointments.models import Booking, Slot, SlotKind
from cases.models import Case, CaseEvent, UrgentRequest, WrittenReport
from cases.services import CaseError, _deny, _lock_case, _record, _refresh_due, _require_counter_at, _stale
from catalog import selectors as catalog_selectors
from catalog.models import GuideVersion, ServiceItem
from queueing import services as queue_services
from queueing.models import Ticket
from servicehall import outbox, roles
from servicehall.access import AnyUser, acts_as_chief, chief_refusal, signed_in, staff_scope, supervised_hall_ids
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.personal_data import mask_free_text, mask_mobile, mask_name, validate_mobile

# A proper reason (正当事由): a category and what the matter is, at least this long; "其他" says
# more, since the category says nothing.
REASON_MIN_CHARS = 5
OTHER_REASON_MIN_CHARS = 10
REASON_MAX_CHARS = 300


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- The reason ------------------------------------------------------------------------------


def urgent_reason_clean(category: str, text: str) -> tuple[str, str]:
    """The reason's category and text, checked: a category of the list and a description (at
    least ``REASON_MIN_CHARS`` characters, ``OTHER_REASON_MIN_CHARS`` for 其他). Raises
    ``CaseError`` with every field's message."""
    text = " ".join((text or "").split())
    errors: dict[str, list[str]] = {}
    if category not in UrgentRequest.Reason.values:
        errors["reason_category"] = [_("请从列表中选择急办事由。")]
    minimum = OTHER_REASON_MIN_CHARS if category == UrgentRequest.Reason.OTHER else REASON_MIN_CHARS
    if not text:
        errors["reason_text"] = [_("请写明需要紧急办理的具体情况。")]
    elif len(text) < minimum:
        errors["reason_text"] = [
            _("具体情况至少写%(n)s个字（选择“其他”时须说明具体事由）。") % {"n": minimum}
            if category == UrgentRequest.Reason.OTHER
            else _("具体情况至少写%(n)s个字。") % {"n": minimum}
        ]
    elif len(text) > REASON_MAX_CHARS:
        errors["reason_text"] = [_("具体情况最多%(n)s个字。") % {"n": REASON_MAX_CHARS}]
    if errors:
        field, messages = next(iter(errors.items()))
        raise CaseError(messages[0], field=field, errors=errors, status=422)
    # Stored masked: an ID or mobile number written into the description is never kept in full.
    return category, mask_free_text(text)


# --- Asking ----------------------------------------------------------------------------------


def _notify_later(request: UrgentRequest) -> None:
    outbox.enqueue("cases.tasks.urgent_notify", request.pk)


def active_chiefs(hall_id: int, department_id: int) -> list[Any]:
    """The department's chief representatives who decide at the hall (``acts_as_chief``: the role,
    that hall and department, an active account, and no staffing record naming somebody else)."""
    from django.contrib.auth import get_user_model

    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.CHIEF_REPRESENTATIVE,
            staff_profile__hall_id=hall_id,
            staff_profile__department_id=department_id,
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("username")
    )
    return [user for user in candidates if acts_as_chief(user, hall_id, department_id)]


def _require_a_chief(hall_id: int, department_id: int, *, field: str | None = None) -> None:
    """Refuse a request nobody could decide (Art. 10 ¶3: the chief representative approves): the
    department has no active chief representative at the hall. 422 ``no_chief``, nothing saved."""
    if active_chiefs(hall_id, department_id):
        return
    from catalog.models import Department, Hall

    department = Department.objects.filter(pk=department_id).values_list("name", flat=True).first() or ""
    hall = Hall.objects.filter(pk=hall_id).values_list("name", flat=True).first() or ""
    raise CaseError(
        _(
            "%(department)s在%(hall)s没有在岗的首席事务代表，急事急办申请无人审批，暂不能提交；"
            "本件按正常时限办理，如确有急需请向大厅现场负责人反映。"
        )
        % {"department": department, "hall": hall},
        field=field,
        code="no_chief",
        status=422,
    )


def _tell_the_chief_later(request: UrgentRequest) -> None:
    """The chief representative hears of a new request once it is saved (through the outbox)."""
    outbox.enqueue("cases.tasks.urgent_chief_notify", request.pk)


def urgent_request_case(
    *, case: Case, actor: AnyUser, category: str, text: str, now: dt.datetime | None = None
) -> UrgentRequest:
    """The applicant asks at the window for urgent handling of ``case``; counter staff of the
    case's hall record it. One request waits per case at a time."""
    now = _now(now)
    _require_counter_at(actor, case.hall_id)
    category, text = urgent_reason_clean(category, text)
    _require_a_chief(case.hall_id, case.department_id)
    try:
        with transaction.atomic():
            case = _lock_case(case.pk)
            if case.status in Case.FINISHED:
                raise _stale(case, _("已作出决定或不予受理的办件不能再申请急事急办。"))
            if case.urgent_requests.filter(status=UrgentRequest.Status.REQUESTED).exists():
                raise CaseError(_("本件已有待审批的急事急办申请。"), code="urgent_pending", status=409)
            if case.urgent:
                raise CaseError(_("本件已批准急事急办。"), code="urgent_approved", status=409)
            request = UrgentRequest.objects.create(
                hall_id=case.hall_id,
                department_id=case.department_id,
                item_id=case.item_id,
                case=case,
                applicant_masked=f"{mask_name(case.applicant_name)}（{case.applicant.display_identity}）",
                mobile=case.contact_mobile,
                reason_category=category,
                reason_text=text,
                requested_at=now,
                requested_by=signed_in(actor),
            )
            _record(
                case,
                CaseEvent.Kind.URGENT_ASKED,
                actor=actor,
                at=now,
                note=f"{request.get_reason_category_display()}：{text}",
                summary=_("%(number)s申请急事急办") % {"number": case.number},
                data={"request": request.pk, "category": category},
            )
            _tell_the_chief_later(request)
    except IntegrityError as exc:  # the partial unique index: asked twice at the same moment
        raise CaseError(_("本件已有待审批的急事急办申请。"), code="urgent_pending", status=409) from exc
    return request


def urgent_request_booking(
    *, booking: Booking, category: str, text: str, now: dt.datetime | None = None
) -> UrgentRequest:
    """The applicant asks for urgent handling when booking online (the booking's item names the
    department). The request stays on the booking for the chief representative to see, and
    follows the case opened from the booking's ticket."""
    now = _now(now)
    category, text = urgent_reason_clean(category, text)
    if booking.item_id is None:
        raise CaseError(_("申请急事急办须选择办理事项。"), field="item", status=422)
    item = booking.item
    assert item is not None
    _require_a_chief(booking.hall_id, item.department_id, field="item")
    with transaction.atomic():
        request = UrgentRequest.objects.create(
            hall_id=booking.hall_id,
            department_id=item.department_id,
            item=item,
            booking=booking,
            applicant_masked=f"{mask_name(booking.name)}（{booking.person.id_masked}）",
            mobile=booking.mobile,
            reason_category=category,
            reason_text=text,
            requested_at=now,
        )
        audit_record(
            actor=None,
            action="urgent.requested",
            target=request,
            summary=_("预约%(code)s申请急事急办") % {"code": booking.code},
            details={"booking": booking.pk, "category": category},
        )
        _tell_the_chief_later(request)
    return request


def kiosk_items(ticket: Ticket) -> list[ServiceItem]:
    """The items a kiosk request on ``ticket`` may name: those its queue covers at its hall."""
    return list(
        ServiceItem.objects.filter(queue_categories=ticket.category_id, halls=ticket.hall_id)
        .select_related("department")
        .order_by("code")
        .distinct()
    )


def urgent_request_ticket(
    *,
    ticket: Ticket,
    item_code: str,
    category: str,
    text: str,
    name: str,
    mobile: str,
    channel: str = UrgentRequest.TicketChannel.KIOSK,
    actor: AnyUser | None = None,
    now: dt.datetime | None = None,
) -> UrgentRequest:
    """The applicant asks at the kiosk or on the ticket's page on their phone (``channel``), with
    the ticket just taken and still waiting: the item (its department's chief representative
    decides, as for a window's request), a proper reason, their name (kept masked) and mobile
    (to be told the decision). One request per ticket. Every field's message at once; nothing
    saved on any.

    ``channel`` ``window``: the clerk (``actor``, counter staff of the ticket's hall, as on a
    case's page) registers it from the window console for the ticket called or being served
    there, before any case exists; the rules are the same. A case already opened from the ticket
    for that item takes the request at once (as ``urgent_attach_from_ticket`` would have)."""
    now = _now(now)
    if channel not in UrgentRequest.TicketChannel.values:
        channel = UrgentRequest.TicketChannel.KIOSK
    at_window = channel == UrgentRequest.TicketChannel.WINDOW
    if at_window:
        if actor is None:
            raise _deny(_("只有本大厅的窗口工作人员可以登记急事急办申请。"))
        _require_counter_at(actor, ticket.hall_id)
    ticket = Ticket.objects.select_related("hall", "category").get(pk=ticket.pk)  # the caller's copy may be old
    if at_window:
        if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING) or ticket.service_date != local_date(now):
            raise CaseError(
                _("该号码已不在窗口办理中（已办结、过号、转出或已失效），不能再为其登记急事急办。"),
                code="stale",
                status=409,
            )
    elif ticket.status != Ticket.Status.WAITING or ticket.service_date != local_date(now):
        raise CaseError(
            _("该排队号已叫号、已取消或已失效，不能再在取号机申请急事急办；请到窗口向工作人员申请。"),
            code="stale",
            status=409,
        )
    errors: dict[str, list[str]] = {}
    items = {item.code: item for item in kiosk_items(ticket)}
    item = items.get((item_code or "").strip())
    if item is None:
        errors["item"] = [_("请从列表中选择要办理的事项。")]
    try:
        category, text = urgent_reason_clean(category, text)
    except CaseError as exc:
        errors.update(exc.errors)
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名最多40个字。")]
    try:
        mobile = validate_mobile(mobile or "")
    except ValidationError as exc:
        errors["mobile"] = list(exc.messages)
    if errors:
        field, messages = next(iter(errors.items()))
        raise CaseError(messages[0], field=field, errors=errors, status=422)
    assert item is not None
    _require_a_chief(ticket.hall_id, item.department_id, field="item")
    masked = mask_name(name)
    try:
        with transaction.atomic():
            if UrgentRequest.objects.filter(ticket=ticket).exists():
                raise CaseError(_("本排队号已申请急事急办，请等候审批结果。"), code="urgent_pending", status=409)
            case = _open_case_of_ticket(ticket, item) if at_window else None
            if at_window and _asked_with_ticket(ticket, item, case):
                raise CaseError(
                    _("该号码（或其预约、办件）已申请急事急办，请等候审批结果。"), code="urgent_pending", status=409
                )
            request = UrgentRequest.objects.create(
                hall_id=ticket.hall_id,
                department_id=item.department_id,
                item=item,
                ticket=ticket,
                case=case,
                applicant_masked=f"{masked}（{ticket.id_masked}）" if ticket.id_masked else masked,
                mobile=mobile,
                reason_category=category,
                reason_text=text,
                requested_at=now,
                requested_by=signed_in(actor) if at_window and actor is not None else None,
                ticket_channel=channel,
            )
            if channel == UrgentRequest.TicketChannel.PHONE:
                summary = _("排队号%(number)s在手机上申请急事急办") % {"number": ticket.number}
            elif at_window:
                summary = _("排队号%(number)s在窗口登记急事急办") % {"number": ticket.number}
            else:
                summary = _("排队号%(number)s在取号机申请急事急办") % {"number": ticket.number}
            details = {"ticket": ticket.pk, "category": category, "item": item.code, "channel": channel}
            if case is not None:
                # As on the case's page: the step in the case's history, and the audit line.
                _record(
                    case,
                    CaseEvent.Kind.URGENT_ASKED,
                    actor=actor,
                    at=now,
                    note=f"{request.get_reason_category_display()}：{text}",
                    summary=summary,
                    data={"request": request.pk, **details},
                )
            else:
                audit_record(
                    actor=actor if at_window else None,
                    action="urgent.requested",
                    target=request,
                    summary=summary,
                    details=details,
                )
            _tell_the_chief_later(request)
    except IntegrityError as exc:  # the unique index: asked twice at the same moment
        raise CaseError(_("本排队号已申请急事急办，请等候审批结果。"), code="urgent_pending", status=409) from exc
    return request


def _open_case_of_ticket(ticket: Ticket, item: ServiceItem) -> Case | None:
    """A case opened from ``ticket`` for ``item`` and not yet decided (the clerk received the
    application before registering 急事急办 from the console), locked; None without one."""
    found = (
        Case.objects.filter(ticket_id=ticket.pk, item_id=item.pk)
        .exclude(status__in=Case.FINISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return None if found is None else _lock_case(found)


def _asked_with_ticket(ticket: Ticket, item: ServiceItem, case: Case | None) -> bool:
    """Whether urgent handling was already asked (waiting or approved) for what the window would
    register: with the ticket's booking for that item's department, or on the case."""
    asked = UrgentRequest.objects.filter(
        status__in=(UrgentRequest.Status.REQUESTED, UrgentRequest.Status.APPROVED),
        booking__ticket_id=ticket.pk,
        department_id=item.department_id,
    )
    if case is not None:
        asked = asked | UrgentRequest.objects.filter(
            case=case, status__in=(UrgentRequest.Status.REQUESTED, UrgentRequest.Status.APPROVED)
        )
    return asked.exists() or (case is not None and case.urgent)


def window_ticket_prefill(ticket: Ticket) -> dict[str, str]:
    """What the window's registration form for ``ticket`` starts with: the item, name and mobile
    of a case already opened from it, or else of its booking. Two queries at most."""
    case = (
        Case.objects.filter(ticket_id=ticket.pk)
        .exclude(status__in=Case.FINISHED)
        .select_related("item")
        .order_by("pk")
        .first()
    )
    if case is not None:
        return {"item": case.item.code, "name": case.applicant_name, "mobile": case.contact_mobile}
    booking = Booking.objects.filter(ticket_id=ticket.pk).select_related("item").first()
    if booking is not None:
        return {"item": booking.item.code if booking.item else "", "name": booking.name, "mobile": booking.mobile}
    return {}


def ticket_offers_urgent(ticket: Ticket, *, now: dt.datetime | None = None) -> bool:
    """Whether the ticket's own page (/t/<token>/, the applicant's phone) offers 急事急办: the
    ticket waits today and one of its queue's items at the hall has a chief representative of its
    department there to decide (``urgent_request_ticket`` checks it again, with the staffing
    records). One query, none for a ticket no longer waiting."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    if ticket.status != Ticket.Status.WAITING or ticket.service_date != local_date(_now(now)):
        return False
    chief = get_user_model().objects.filter(
        is_active=True,
        groups__name=roles.CHIEF_REPRESENTATIVE,
        staff_profile__hall_id=ticket.hall_id,
        staff_profile__department_id=OuterRef("department_id"),
    )
    return (
        ServiceItem.objects.filter(queue_categories=ticket.category_id, halls=ticket.hall_id)
        .filter(Exists(chief))
        .exists()
    )


def request_of_ticket(ticket: Ticket) -> UrgentRequest | None:
    """The urgent request asked at the kiosk with ``ticket``, if any (the slip says so)."""
    return UrgentRequest.objects.filter(ticket=ticket).first()


def decided_for_ticket(ticket: Ticket) -> list[UrgentRequest]:
    """The urgent requests not yet attached to a case that a case opened from ``ticket`` would
    take (asked at the kiosk with it, or with its booking; ``urgent_attach_from_ticket``),
    approved or waiting for a decision: the application form says so before acceptance."""
    return list(
        UrgentRequest.objects.filter(
            case__isnull=True, status__in=(UrgentRequest.Status.APPROVED, UrgentRequest.Status.REQUESTED)
        )
        .filter(Q(booking__ticket_id=ticket.pk) | Q(ticket_id=ticket.pk))
        .select_related("item", "department")
        .order_by("requested_at", "pk")
    )


def urgent_attach_from_ticket(case: Case) -> int:
    """Give the case opened from a booking's ticket the urgent requests made with that booking
    (``cases.services.case_receive``, in its transaction). Returns how many.

    Only a request for the case's own item (or one that named none): a request for another item
    of the department stays the ticket's, decided for the item the applicant asked about (a
    walkthrough saw a request for 居民身份证申领 moved onto a 户口迁入 case and decided as such)."""
    if case.ticket_id is None:
        return 0
    attached = (
        UrgentRequest.objects.filter(case__isnull=True, department_id=case.department_id)
        .filter(Q(booking__ticket_id=case.ticket_id) | Q(ticket_id=case.ticket_id))
        .filter(Q(item__isnull=True) | Q(item_id=case.item_id))
        .update(case=case, item=case.item)
    )
    if attached and UrgentRequest.objects.filter(case=case, status=UrgentRequest.Status.APPROVED).exists():
        Case.objects.filter(pk=case.pk).update(urgent=True)
        case.urgent = True
    return attached


def urgent_limit_days(case: Case, limit: int) -> int:
    """The promised limit of ``case`` at its acceptance: the guide's, or fewer days approved for
    urgent handling before it was accepted (``cases.services._accept``)."""
    days = (
        UrgentRequest.objects.filter(case=case, status=UrgentRequest.Status.APPROVED, promised_days__isnull=False)
        .order_by("promised_days")
        .values_list("promised_days", flat=True)
        .first()
    )
    return limit if days is None else min(limit, days)


# --- Deciding --------------------------------------------------------------------------------


def _lock_request(pk: int) -> UrgentRequest:
    UrgentRequest.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    return UrgentRequest.objects.select_related("hall", "department", "item", "case", "booking").get(pk=pk)


def may_decide(actor: AnyUser, request: UrgentRequest) -> bool:
    return acts_as_chief(actor, request.hall_id, request.department_id)


def _require_decider(actor: AnyUser, request: UrgentRequest) -> None:
    if not may_decide(actor, request):
        default = _("急事急办须由%(department)s派驻%(hall)s的首席事务代表审批。") % {
            "department": request.department.name,
            "hall": request.hall.name,
        }
        raise _deny(chief_refusal(actor, request.hall_id, request.department_id, default))


def _require_pending(request: UrgentRequest) -> None:
    if request.status != UrgentRequest.Status.REQUESTED:
        raise CaseError(
            _("该急事急办申请已审批（%(status)s）。") % {"status": request.get_status_display()},
            code="stale",
            status=409,
        )


def _working_days_used(case: Case, today: dt.date) -> int:
    """Working days counted against the limit from the acceptance to ``today``: the days in
    ``(accepted_on, today]`` outside every clock stop (an open stop runs to today)."""
    assert case.accepted_on is not None
    stops = [(began, ended or today) for began, ended in case.clock_stops.values_list("started_on", "ended_on")]
    calendar = catalog_selectors.working_calendar(start=case.accepted_on, end=today)
    used = 0
    day = case.accepted_on + dt.timedelta(days=1)
    while day <= today:
        if calendar.is_working_day(day) and not any(began < day <= ended for began, ended in stops):
            used += 1
        day += dt.timedelta(days=1)
    return used


def working_days_left(case: Case | None, today: dt.date) -> int | None:
    """What an approval shortens on an accepted, open case: the working days it still has
    (its limit and extensions less those used), at least 0; None for a case not accepted yet
    (or none), whose promised limit counts from the acceptance."""
    if case is None or not case.is_open or case.accepted_on is None or case.limit_days is None:
        return None
    return max(case.limit_days + case.extension_days - _working_days_used(case, today), 0)


def _promised_limit(request: UrgentRequest, today: dt.date) -> int:
    """The promised limit a request not yet on an accepted case would shorten."""
    if request.case is not None:
        return request.case.guide_version.promised_limit_days
    version = GuideVersion.objects.current(today).filter(item_id=request.item_id).first()
    return version.promised_limit_days if version is not None else 0


def _days_error(message: str) -> CaseError:
    return CaseError(message, field="promised_days", code="promised_days", status=422)


def _check_days(days: Any, below: int) -> int:
    """``days`` as a whole number, at least 0 and fewer than ``below`` (or 0 when nothing is
    left to shorten)."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        raise _days_error(_("承诺办结时限须为整数个工作日。")) from None
    if value < 0:
        raise _days_error(_("承诺办结时限不能为负数。"))
    if below <= 0:
        if value != 0:
            raise _days_error(_("本件已到办结期限，急办承诺时限只能为0个工作日（当日办结）。"))
    elif value >= below:
        raise _days_error(_("急办承诺时限须少于当前剩余时限（%(n)s个工作日）。") % {"n": below})
    return value


def urgent_approve(
    *, request: UrgentRequest, actor: AnyUser, promised_days: Any, reason: str = "", now: dt.datetime | None = None
) -> UrgentRequest:
    """Approve urgent handling: the chief representative of the department at the hall, with a
    shorter promised limit (see the module's docstring). An accepted case's deadline is
    recomputed at once (and stays right when the calendar changes: the limit itself is
    shortened); the case is flagged urgent; the applicant is told."""
    now = _now(now)
    today = local_date(now)
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_CHARS:
        raise CaseError(_("审批意见最多%(n)s个字。") % {"n": REASON_MAX_CHARS}, field="reason")
    with transaction.atomic():
        request = _lock_request(request.pk)
        _require_decider(actor, request)
        _require_pending(request)
        case = _lock_case(request.case_id) if request.case_id is not None else None
        if case is not None and case.status in Case.FINISHED:
            raise _stale(case, _("本件已作出决定或不予受理，无须急办。"))
        if case is not None and case.is_open:
            assert case.limit_days is not None
            used = _working_days_used(case, today)
            remaining = case.limit_days + case.extension_days - used
            days = _check_days(promised_days, remaining)
            total = used + days
            if total < case.extension_days:
                raise _days_error(_("本件已延期，请按延期后的期限办理，不能再缩短到延期天数以内。"))
            if days == 0 and not catalog_selectors.working_calendar(start=today, end=today).is_working_day(today):
                raise _days_error(_("今天不是工作日，急办承诺时限至少为1个工作日。"))
            request.due_before = case.due_on
            case.limit_days = total - case.extension_days
            _refresh_due(case, today, now)
            request.due_after = case.due_on
        else:
            limit = _promised_limit(request, today)
            if limit <= 0:
                # An instant (即办) item, or a case waiting to be accepted (a later stage of a
                # bundle) whose promised limit is 0: nothing is left to shorten.
                raise _days_error(
                    _(
                        "该事项承诺时限为0个工作日（即办件，受理当日办结），急办承诺时限须少于承诺时限，无法再缩短：请不予急办并写明理由，或受理后当日办结。"
                    )
                )
            days = _check_days(promised_days, limit)
        request.status = UrgentRequest.Status.APPROVED
        request.promised_days = days
        request.decided_by = signed_in(actor)
        request.decided_at = now
        request.decision_reason = reason
        request.save()
        if case is not None:
            case.urgent = True
            case.save()
            _record(
                case,
                CaseEvent.Kind.URGENT_APPROVED,
                actor=actor,
                at=now,
                note=reason,
                summary=(
                    _("批准%(number)s急事急办，承诺当日办结") % {"number": case.number}
                    if days == 0
                    else _("批准%(number)s急事急办，承诺%(days)s个工作日内办结") % {"number": case.number, "days": days}
                ),
                data={
                    "request": request.pk,
                    "promised_days": days,
                    "due_before": request.due_before.isoformat() if request.due_before else None,
                    "due_after": request.due_after.isoformat() if request.due_after else None,
                },
            )
        else:
            audit_record(
                actor=actor,
                action="urgent.approved",
                target=request,
                summary=_("批准急事急办申请（取号机）") if request.ticket_id else _("批准急事急办申请（预约）"),
                details={"promised_days": days},
            )
        _call_first(request, actor=actor, now=now)
        _notify_later(request)
    return request


def _tickets_of(request: UrgentRequest) -> list[Ticket]:
    """The tickets an approved request stands for: the kiosk's, the case's, the bookings'."""
    found = {request.ticket_id, request.case.ticket_id if request.case is not None else None}
    bookings = [pk for pk in (request.booking_id, request.staggered_booking_id) if pk is not None]
    if bookings:
        found.update(Booking.objects.filter(pk__in=bookings).values_list("ticket_id", flat=True))
    ids = [pk for pk in found if pk is not None]
    return list(Ticket.objects.filter(pk__in=ids, status__in=Ticket.ACTIVE)) if ids else []


def _call_first(request: UrgentRequest, *, actor: AnyUser | None, now: dt.datetime) -> int:
    """Call the approved matter's tickets still in the hall first (急); how many were marked."""
    reason = _("急事急办已批准（%(category)s）") % {"category": request.get_reason_category_display()}
    return sum(
        queue_services.ticket_mark_urgent(ticket=ticket, reason=reason, staff=actor, now=now)
        for ticket in _tickets_of(request)
    )


def on_booking_check_in(booking: Booking, ticket: Ticket, now: dt.datetime) -> None:
    """A booking checked in (``appointments.extras.on_check_in``, in the check-in's transaction):
    if an approved urgent matter goes with it (asked with the booking, or the staggered slot the
    chief representative booked for it), its ticket is called first."""
    approved = UrgentRequest.objects.filter(status=UrgentRequest.Status.APPROVED).filter(
        Q(booking=booking) | Q(staggered_booking=booking)
    )
    request = approved.first()
    if request is not None:
        reason = _("急事急办已批准（%(category)s），预约签到") % {"category": request.get_reason_category_display()}
        queue_services.ticket_mark_urgent(ticket=ticket, reason=reason, now=now)


def _report_number(report: WrittenReport, today: dt.date) -> str:
    """The report's own number: the day and the report's id (not its request's), so that the
    number and the id always agree."""
    return f"JJBG{today:%Y%m%d}{report.pk:06d}"


def urgent_refuse(
    *, request: UrgentRequest, actor: AnyUser, reason: str, now: dt.datetime | None = None
) -> WrittenReport:
    """Refuse urgent handling, with a reason: a written report (书面报告) to the hall's management
    department is produced in the same transaction, and the applicant is told why."""
    now = _now(now)
    reason = " ".join((reason or "").split())
    with transaction.atomic():
        request = _lock_request(request.pk)
        _require_decider(actor, request)
        _require_pending(request)
        if not reason:
            raise CaseError(_("不予急办须写明理由。"), field="reason", code="reason_required")
        if len(reason) > REASON_MAX_CHARS:
            raise CaseError(_("理由最多%(n)s个字。") % {"n": REASON_MAX_CHARS}, field="reason")
        request.status = UrgentRequest.Status.REFUSED
        request.decided_by = signed_in(actor)
        request.decided_at = now
        request.decision_reason = reason
        request.save()
        report = WrittenReport.objects.create(
            request=request,
            hall_id=request.hall_id,
            department_id=request.department_id,
            number=f"JJBG-request-{request.pk}",  # a request has one report: unique until numbered
            created_at=now,
        )
        report.number = _report_number(report, local_date(now))
        report.save(update_fields=["number"])
        if request.case is not None:
            _record(
                request.case,
                CaseEvent.Kind.URGENT_REFUSED,
                actor=actor,
                at=now,
                note=reason,
                summary=_("%(number)s不予急办，已书面报告政务服务管理部门（%(report)s）")
                % {"number": request.case.number, "report": report.number},
                data={"request": request.pk, "report": report.number},
            )
        audit_record(
            actor=actor,
            action="urgent.refused",
            target=report,
            summary=_("不予急办，书面报告%(report)s") % {"report": report.number},
            details={"request": request.pk},
        )
        _notify_later(request)
    return report


def urgent_report_read(*, report: WrittenReport, actor: AnyUser, now: dt.datetime | None = None) -> WrittenReport:
    """A supervisor covering the hall marks the report read (阅知)."""
    now = _now(now)
    scope = staff_scope(actor)
    if not (scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(report.hall_id)):
        raise _deny(_("只有负责该大厅的政务服务管理部门可以阅知书面报告。"))
    WrittenReport.objects.filter(pk=report.pk, read_at__isnull=True).update(read_at=now, read_by=signed_in(actor))
    report.refresh_from_db()
    return report


# --- The staggered slot ----------------------------------------------------------------------


def urgent_book_staggered(
    *,
    request: UrgentRequest,
    actor: AnyUser,
    slot: Slot,
    name: str,
    id_number: str,
    mobile: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Give the applicant of an approved request a weekend or holiday staggered slot reserved for
    urgent matters (``Slot.urgent_only``): the approver books it for them (their name, ID and
    mobile, the booking rules of the hall apply). They check in at the kiosk that day as any
    booking."""
    now = _now(now)
    request = UrgentRequest.objects.select_related("hall", "department", "item").get(pk=request.pk)
    _require_decider(actor, request)
    if request.status != UrgentRequest.Status.APPROVED:
        raise CaseError(_("只有已批准的急事急办可以安排错时服务时段。"), code="stale", status=409)
    if request.staggered_booking_id is not None and request.staggered_booking is not None:
        if request.staggered_booking.status in Booking.ACTIVE:
            raise CaseError(_("已为本申请安排错时服务时段。"), code="already_booked", status=409)
    if slot.hall_id != request.hall_id or slot.kind != SlotKind.STAGGERED or not slot.urgent_only:
        raise CaseError(
            _("请选择本大厅为急事急办预留的周末或节假日错时服务时段。"), field="slot", code="not_urgent_slot"
        )
    booking = booking_services.booking_create(
        slot=slot,
        name=name,
        id_number=id_number,
        mobile=mobile,
        item=request.item,
        source=booking_services.URGENT_SOURCE,
        urgent=True,
        now=now,
    )
    with transaction.atomic():
        UrgentRequest.objects.filter(pk=request.pk).update(staggered_booking=booking)
        audit_record(
            actor=actor,
            action="urgent.staggered_booked",
            target=booking,
            summary=_("为急事急办安排错时服务预约%(code)s") % {"code": booking.code},
            details={"request": request.pk, "slot": slot.pk},
        )
    return booking


# --- Telling the applicant -------------------------------------------------------------------


def urgent_notify_text(request: UrgentRequest) -> tuple[str, str]:
    """The SMS of a decision (always zh-hans, as every applicant message)."""
    what = request.item.name if request.item is not None else ""
    if request.status == UrgentRequest.Status.APPROVED:
        due = f"，办结期限{request.due_after.isoformat()}" if request.due_after else ""
        promise = "承诺当日办结" if request.promised_days == 0 else f"承诺{request.promised_days}个工作日内办结"
        body = (
            f"【广州政务服务】您申请急事急办的“{what}”已获批准，{promise}{due}。"
            "如需周末或节假日错时办理，大厅将与您联系。"
        )
        if request.ticket is not None and request.ticket.status in Ticket.ACTIVE:
            body += f"您的排队号{request.ticket.number}将优先叫号。"
        return "急事急办已批准", body
    reason = request.decision_reason.strip().rstrip("。.．").rstrip()  # the sentence's own stop is added here
    body = (
        f"【广州政务服务】您申请急事急办的“{what}”未获批准，理由：{reason}。"
        "本件将按正常时限办理；该决定已书面报告政务服务管理部门，如有异议可向其反映。"
    )
    return "急事急办未获批准", body


def urgent_notify_send(*, request_id: int) -> bool:
    """Send the decision to the applicant's mobile, at most once per decision."""
    from servicehall.notifications import notify

    request = UrgentRequest.objects.select_related("item").filter(pk=request_id).first()
    if request is None or request.status == UrgentRequest.Status.REQUESTED:
        return False
    subject, body = urgent_notify_text(request)
    notify(
        recipients=[request.mobile],
        subject=subject,
        body=body,
        data={"idempotency_key": f"urgent-{request.pk}-{request.status}"},
    )
    return True


def urgent_chief_notify_send(*, request_id: int) -> int:
    """Tell the department's chief representatives at the hall that a request waits for their
    decision, at most once per request (its idempotency key). Returns how many were told."""
    from servicehall.notifications import notify

    request = UrgentRequest.objects.select_related("item", "hall", "case", "ticket", "booking").filter(pk=request_id)
    found = request.first()
    if found is None or found.status != UrgentRequest.Status.REQUESTED:
        return 0
    recipients = [user.get_username() for user in active_chiefs(found.hall_id, found.department_id)]
    if not recipients:
        return 0
    if found.case is not None:
        where = found.case.number
    elif found.ticket is not None:
        where = f"排队号{found.ticket.number}"
    else:
        where = f"预约{found.booking.code}" if found.booking is not None else ""
    what = found.item.name if found.item is not None else ""
    notify(
        recipients=recipients,
        subject="急事急办待审批",
        body=f"{found.hall.name}：{where}“{what}”申请急事急办（{found.get_reason_category_display()}），请在急事急办待办中审批。",
        data={"kind": "urgent_requested", "request": found.pk, "idempotency_key": f"urgent-{found.pk}-asked"},
    )
    return len(recipients)


# --- Reads -----------------------------------------------------------------------------------


def pending_for(actor: AnyUser) -> QuerySet[UrgentRequest]:
    """The requests the chief representative may decide: their department at their hall."""
    scope = staff_scope(actor)
    if scope.department_id is None or scope.hall_id is None:
        return UrgentRequest.objects.none()
    if not acts_as_chief(actor, scope.hall_id, scope.department_id):
        return UrgentRequest.objects.none()
    rows = UrgentRequest.objects.filter(department_id=scope.department_id, hall_id=scope.hall_id)
    return rows.select_related("hall", "department", "item", "case", "booking__slot", "ticket", "decided_by")


def requests_of_case(case: Case) -> list[UrgentRequest]:
    return list(
        UrgentRequest.objects.filter(case=case).select_related(
            "decided_by", "report", "staggered_booking__slot", "booking__slot"
        )
    )


def reports_for(actor: AnyUser) -> QuerySet[WrittenReport]:
    """The written reports of the halls a supervisor covers (every hall: citywide)."""
    scope = staff_scope(actor)
    if not scope.has_role(*roles.SUPERVISION_ROLES):
        return WrittenReport.objects.none()
    rows = WrittenReport.objects.select_related(
        "hall", "department", "request__item", "request__case", "request__decided_by", "read_by"
    )
    halls = supervised_hall_ids(actor)
    if halls is not None:
        rows = rows.filter(hall_id__in=halls)
    return rows


def report_or_404(actor: AnyUser, pk: int) -> WrittenReport:
    report = reports_for(actor).filter(pk=pk).first()
    if report is None:
        raise Http404(_("没有找到该书面报告。"))
    return report


def may_read_report(actor: AnyUser, request: UrgentRequest) -> bool:
    """Who may open the written report a refusal produced: the chief representative who refused,
    the department's chief representative at the hall, and the supervisors covering the hall
    (not another department's chief, nor the hall's clerks)."""
    if not actor.is_authenticated or request.status != UrgentRequest.Status.REFUSED:
        return False
    if request.decided_by_id is not None and request.decided_by_id == actor.pk:
        return True
    scope = staff_scope(actor)
    if scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(request.hall_id):
        return True
    return acts_as_chief(actor, request.hall_id, request.department_id)


def report_of_request_or_404(actor: AnyUser, pk: int) -> WrittenReport:
    """The written report of urgent request ``pk`` for the chief representative who refused it
    (or the department's chief, or a supervisor covering the hall): 404 to anybody else."""
    report = (
        WrittenReport.objects.select_related(
            "hall", "department", "request__item", "request__case", "request__decided_by__staff_profile"
        )
        .filter(request_id=pk)
        .first()
    )
    if report is None or not may_read_report(actor, report.request):
        raise Http404(_("没有找到该书面报告。"))
    return report


def request_for_decider(actor: AnyUser, pk: int) -> UrgentRequest:
    """A request the actor may see: the deciding chief representative, counter staff of the
    hall, a supervisor covering it (404 otherwise)."""
    request = (
        UrgentRequest.objects.select_related(
            "hall", "department", "item", "case", "booking__slot", "ticket", "decided_by__staff_profile"
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404(_("没有找到该急事急办申请。"))
    scope = staff_scope(actor)
    if not (
        (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(request.hall_id))
        or (scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(request.hall_id))
    ):
        raise Http404(_("没有找到该急事急办申请。"))
    return request


def urgent_slots(request: UrgentRequest, *, now: dt.datetime) -> list[Slot]:
    """The hall's staggered slots reserved for urgent matters, not started, with seats left."""
    rows = Slot.objects.filter(
        hall_id=request.hall_id,
        kind=SlotKind.STAGGERED,
        urgent_only=True,
        is_closed=False,
        starts_at__gt=now,
    ).select_related("category")
    return [slot for slot in rows.order_by("starts_at")[:100] if slot.seats_left > 0]


def masked_mobile(request: UrgentRequest) -> str:
    return mask_mobile(request.mobile)


# --- Asked with an online booking (appointments/extras.py) -----------------------------------


def _booking_api_clean(item: Any, ask: dict[str, str]) -> tuple[str, str]:
    """``POST /api/v1/bookings/`` field ``urgent``: checked before the booking is saved."""
    if item is None:
        raise CaseError(_("申请急事急办须选择办理事项。"), field="item", code="invalid", status=422)
    return urgent_reason_clean(ask["reason_category"], ask["reason_text"])


def _booking_api_attach(booking: Booking, cleaned: tuple[str, str]) -> UrgentRequest:
    category, text = cleaned
    return urgent_request_booking(booking=booking, category=category, text=text)


def booking_extra() -> Any:
    """The urgent request as something asked with a booking (registered by cases' AppConfig)."""
    from django.utils.translation import gettext_lazy

    from appointments.extras import BookingExtra
    from cases.apis_urgent import UrgentAskSerializer
    from cases.views_urgent import BookingUrgentForm

    return BookingExtra(
        name="urgent",
        form_class=BookingUrgentForm,
        template="cases/urgent/_booking_fields.html",
        api_field=lambda: UrgentAskSerializer(
            required=False,
            help_text=gettext_lazy("申请急事急办时填写（可选，须同时填写办理事项），由部门首席事务代表审批"),
        ),
        api_clean=_booking_api_clean,
        api_attach=_booking_api_attach,
    )
