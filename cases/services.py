"""Every write to the cases (REQUIREMENTS §8; Art. 13 ¶1–2, Art. 6 ¶3). Keyword-only, one
transaction each, raising ``CaseError`` (a message in Chinese, the field it concerns, and the other
fields' messages in ``errors``): nothing is half-saved when a rule refuses. (One exception, by
law: an action on a case past its notice period records the deemed acceptance first, and keeps it
if the action is then refused; see "Deemed acceptance" below.)

Who may do what (REQUIREMENTS §10; the roles and scopes of ``servicehall.access``):

- receiving, accepting, not accepting, the one-time notice before acceptance, receiving
  corrections and owed materials, handing out the result (统一受理、统一出件): counter staff of the
  case's hall, whatever their department (the comprehensive window accepts every item);
- review, special steps, a notice during review, the decision, the result: counter staff of the
  item's department at that hall;
- an extension: the department's chief representative at that hall;
- a second notice citing materials the applicant did not supply again (or issued late): a
  supervisor covering the hall, with a reason (audited).

Every row lock is taken in ``_lock_case`` (the case row alone), inside the service's transaction.
The case number is drawn in the same transaction by one atomic upsert on ``CaseSequence``, so a
refused application leaves no gap and two windows never get the same number.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cases.identity import validate_credit_code
from cases.models import (
    Applicant,
    BundleCase,
    BundleNotice,
    Case,
    CaseClock,
    CaseEvent,
    CaseMaterial,
    CaseSequence,
    ClockStop,
    CorrectionNotice,
    Extension,
    NoticeItem,
    OwedMaterial,
    TicketItem,
)
from catalog import selectors as catalog_selectors
from catalog.models import IMPLEMENTATION_CODE_PATTERN, GuideVersion, Hall, Material, ServiceItem
from queueing import dashboard_poll
from queueing import services as queue_services
from queueing.models import Ticket, Window
from servicehall import roles
from servicehall.access import AnyUser, acts_as_chief, chief_refusal, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.models import AuditEvent
from servicehall.personal_data import id_digest, mask_id_number, validate_id_number, validate_mobile
from servicehall.throttling import hit, parse_rate


class CaseError(DomainError):
    """A rule refused the request. ``errors`` holds every field's messages when several fields
    are wrong at once (a checklist, an applicant), so a form shows them all beside their fields.

    The status says what kind of refusal it is (the API's convention, issue 9): 422 for a rule the
    shape of a request cannot state (the default: materials incomplete, a notice that is not the
    first, a reason a refusal needs), 400 for a value of the wrong shape (an ID number's check
    character, a mobile number), 403, 404, 409 (the case's state) and 429 as usual."""

    def __init__(
        self,
        message: Any,
        *,
        code: str = "invalid",
        field: str | None = None,
        status: int = 422,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field, status=status, errors=errors)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def rules() -> dict[str, int]:
    """The case rules of ``settings.CASES`` (defaults from practice, REQUIREMENTS §8)."""
    return dict(settings.CASES)


# --- Inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInput:
    """Who applies: a person (``id_number``) or an organisation (``credit_code``), by name."""

    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""


@dataclass(frozen=True)
class MaterialCheck:
    """One checklist line as the clerk records it: a material of the guide and what was received."""

    material_id: int
    state: str
    note: str = ""


@dataclass(frozen=True)
class NoticeLine:
    """A material a one-time notice cites: missing or defective, and what is required."""

    material_id: int
    problem: str
    note: str = ""


@dataclass(frozen=True)
class NoticeInput:
    lines: Sequence[NoticeLine] = ()
    requirements: str = ""
    override_reason: str = ""


OUTCOMES = ("", "accept", "accept_deferred", "correction", "not_accepted")
# What a case received from a ticket records as the ticket's outcome for its item.
CASE_OUTCOMES = {
    "": TicketItem.Outcome.RECEIVED,
    "accept": TicketItem.Outcome.ACCEPTED,
    "accept_deferred": TicketItem.Outcome.ACCEPTED_DEFERRED,
    "correction": TicketItem.Outcome.CORRECTION,
    "not_accepted": TicketItem.Outcome.NOT_ACCEPTED,
}


# --- Who may act -----------------------------------------------------------------------------


def _deny(message: str) -> CaseError:
    return CaseError(message, code="permission_denied", status=403)


def _require_counter_at(actor: AnyUser, hall_id: int) -> None:
    scope = staff_scope(actor)
    if not (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(hall_id)):
        raise _deny(_("只有本大厅的窗口工作人员可以办理收件、受理和出件。"))


def _in_department(actor: AnyUser, case: Case) -> bool:
    scope = staff_scope(actor)
    return (
        scope.has_role(*roles.COUNTER_ROLES)
        and scope.works_at(case.hall_id)
        and scope.department_id is not None
        and scope.department_id == case.department_id
    )


def _require_department(actor: AnyUser, case: Case) -> None:
    if not _in_department(actor, case):
        raise _deny(
            _("只有%(department)s派驻%(hall)s的工作人员可以审查和决定本件。")
            % {"department": case.department.name, "hall": case.hall.name}
        )


def _require_chief(actor: AnyUser, case: Case) -> None:
    if not acts_as_chief(actor, case.hall_id, case.department_id):
        default = _("延期须由%(department)s派驻%(hall)s的首席事务代表批准。") % {
            "department": case.department.name,
            "hall": case.hall.name,
        }
        raise _deny(chief_refusal(actor, case.hall_id, case.department_id, default))


def _supervises(actor: AnyUser, hall_id: int) -> bool:
    scope = staff_scope(actor)
    return scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(hall_id)


# --- Reading and writing the case row --------------------------------------------------------


def _lock_case(case_id: int) -> Case:
    """The case row, locked (the row alone, never its joins), with what the rules read."""
    Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True).get()
    return Case.objects.select_related("hall", "department", "item", "guide_version").get(pk=case_id)


def _stale(case: Case, message: str) -> CaseError:
    return CaseError(
        _("%(message)s（本件当前状态：%(status)s）") % {"message": message, "status": case.get_status_display()},
        code="stale",
        status=409,
    )


def _record(
    case: Case,
    kind: str,
    *,
    actor: AnyUser | None,
    at: dt.datetime,
    summary: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """The step in the case's history and in the kernel's audit log, in the same transaction."""
    user = actor if actor is not None and actor.is_authenticated else None
    CaseEvent.objects.create(case=case, kind=kind, at=at, actor=user, note=note[:300], data=data or {})
    audit_record(actor=actor, action=f"case.{kind}", target=case, summary=summary, details=data)


_SEQUENCE_SQL = """
INSERT INTO cases_casesequence (item_id, day, last)
VALUES (%s, %s, 1)
ON CONFLICT (item_id, day) DO UPDATE SET last = cases_casesequence.last + 1
RETURNING last
"""
MAX_DAILY_SEQUENCE = 9999
# A case number: an implementation code (catalog.models.IMPLEMENTATION_CODE_PATTERN) or, for an
# item without one, the 10-digit item code; then yyyyMMdd and the 4-digit sequence.
CASE_NUMBER_PATTERN = rf"^(?:{IMPLEMENTATION_CODE_PATTERN.strip('^$')}|[0-9]{{10}})[0-9]{{12}}$"
CASE_NUMBER_RE = re.compile(CASE_NUMBER_PATTERN)


def case_number(*, item: ServiceItem, day: dt.date, sequence: int) -> str:
    """Guangdong style: the item's implementation code (实施编码), the day (yyyyMMdd) and a 4-digit
    daily sequence; the catalog's 10-digit item code stands in for an item without one."""
    return f"{item.implementation_code or item.code}{day:%Y%m%d}{sequence:04d}"


def _next_number(item: ServiceItem, day: dt.date) -> str:
    """The next number of the item's day: one atomic upsert, in the caller's transaction, so
    concurrent receipts never read the same value and a refused one gives its number back."""
    assert CaseSequence._meta.db_table == "cases_casesequence"
    with connection.cursor() as cursor:
        cursor.execute(_SEQUENCE_SQL, [item.pk, day])
        sequence = cursor.fetchone()[0]
    if sequence > MAX_DAILY_SEQUENCE:
        raise CaseError(
            _("该事项今日收件已达%(max)s件，无法再编号，请联系系统管理员。") % {"max": MAX_DAILY_SEQUENCE},
            code="sequence_exhausted",
            status=409,
        )
    return case_number(item=item, day=day, sequence=sequence)


def _applicant_row(kind: str, key: str, masked: str, credit_code: str) -> Applicant:
    applicant, _created = Applicant.objects.get_or_create(
        kind=kind, identity_key=key, defaults={"id_masked": masked, "credit_code": credit_code}
    )
    return applicant


def _validate_applicant(applicant: ApplicantInput, today: dt.date, errors: dict[str, list[str]]) -> tuple[str, ...]:
    """(kind, identity key, masked ID, credit code, name), collecting messages in ``errors``."""
    name = " ".join(applicant.name.split())
    if not name:
        errors.setdefault("applicant.name", []).append(_("请填写申请人姓名或单位名称。"))
    elif len(name) > 100:
        errors.setdefault("applicant.name", []).append(_("申请人名称最多100个字。"))
    if applicant.kind == Applicant.Kind.PERSON and not applicant.id_number.strip():
        errors.setdefault("applicant.id", []).append(_("自然人申请须填写居民身份证号码。"))
        return (applicant.kind, "", "", "", name)
    if applicant.kind == Applicant.Kind.ORGANISATION and not applicant.credit_code.strip():
        errors.setdefault("applicant.id", []).append(_("法人或其他组织申请须填写统一社会信用代码。"))
        return (applicant.kind, "", "", "", name)
    if applicant.kind == Applicant.Kind.PERSON:
        try:
            number = validate_id_number(applicant.id_number, today=today)
        except ValidationError as exc:
            errors.setdefault("applicant.id_number", []).append(exc.messages[0])
            return (applicant.kind, "", "", "", name)
        return (applicant.kind, id_digest(number), mask_id_number(number), "", name)
    if applicant.kind == Applicant.Kind.ORGANISATION:
        try:
            code = validate_credit_code(applicant.credit_code)
        except ValidationError as exc:
            errors.setdefault("applicant.credit_code", []).append(exc.messages[0])
            return (applicant.kind, "", "", "", name)
        return (applicant.kind, code, "", code, name)
    errors.setdefault("applicant.kind", []).append(_("申请人类型须为自然人或法人（其他组织）。"))
    return (applicant.kind, "", "", "", name)


def _validate_checklist(
    version_materials: dict[int, Material], checks: Iterable[MaterialCheck], errors: dict[str, list[str]]
) -> dict[int, MaterialCheck]:
    """The checklist lines by material id; each material of the case's guide once, in a known
    state. Materials the clerk did not list are missing."""
    lines: dict[int, MaterialCheck] = {}
    for check in checks:
        if check.material_id not in version_materials:
            errors.setdefault("materials", []).append(
                _("材料编号 %(id)s 不是本事项办事指南所列的材料。") % {"id": check.material_id}
            )
        elif check.material_id in lines:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”登记了两次。") % {"name": version_materials[check.material_id].name}
            )
        elif check.state not in CaseMaterial.State.values:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”的收取情况无效。") % {"name": version_materials[check.material_id].name}
            )
        elif check.state == CaseMaterial.State.NOT_APPLICABLE and not version_materials[check.material_id].conditional:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”是必须提交的材料，不能标记为不适用。")
                % {"name": version_materials[check.material_id].name}
            )
        elif len(check.note) > 200:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”的备注最多200个字。") % {"name": version_materials[check.material_id].name}
            )
        else:
            lines[check.material_id] = check
    return lines


# Fields whose value has a shape the API's schema states: a wrong one is a 400, not a rule's 422.
FORMAT_FIELDS = frozenset({"applicant.id_number", "applicant.credit_code", "mobile"})


def _raise_collected(errors: dict[str, list[str]]) -> None:
    if errors:
        field, messages = next(iter(errors.items()))
        status = 400 if FORMAT_FIELDS & set(errors) else 422
        raise CaseError(messages[0], field=field, errors=errors, status=status)


def _names(materials: Iterable[Material]) -> str:
    return "、".join(f"“{m.name}”" for m in materials)


# --- Deadlines -------------------------------------------------------------------------------


def _stops_of(case: Case) -> list[tuple[dt.date, dt.date | None]]:
    return list(case.clock_stops.order_by("started_at", "pk").values_list("started_on", "ended_on"))


def due_from(
    *, accepted_on: dt.date, days: int, stops: Sequence[tuple[dt.date, dt.date | None]]
) -> tuple[dt.date | None, bool]:
    """The deadline of a case accepted on ``accepted_on`` with ``days`` working days (the promised
    limit and its extensions) and its clock stops, and whether it is provisional.

    Closed stops are not counted (``catalog.selectors.deadline_after``). While a stop is open the
    deadline is unknown (None): the clock stands. Unless the limit ran out before the stop began
    (the day it began still counts), in which case that day stays the deadline.
    """
    closed = [(began, ended) for began, ended in stops if ended is not None]
    due, provisional = catalog_selectors.deadline_after(accepted_on, days, stops=closed)
    open_since = [began for began, ended in stops if ended is None]
    if open_since and due > min(open_since):
        return None, False
    return due, provisional


def _refresh_due(case: Case, today: dt.date, now: dt.datetime) -> None:
    """Recompute the stored deadline after a change of the clock (acceptance, a stop, a restart,
    an extension) and copy it to the case's ``CaseClock``, lowering the warning colour at once if
    the case no longer deserves it (turning yellow or red is the warning job's, which tells
    people; turning back needs no message)."""
    if case.accepted_on is None or case.limit_days is None:
        return
    case.due_on, case.due_provisional = due_from(
        accepted_on=case.accepted_on, days=case.limit_days + case.extension_days, stops=_stops_of(case)
    )
    clock = CaseClock.objects.filter(pk=case.pk).first()
    if clock is None:
        CaseClock.objects.create(case=case, hall_id=case.hall_id, department_id=case.department_id, due_on=case.due_on)
        return
    clock.due_on = case.due_on
    if clock.warning:
        colour = warning_colour(case.due_on, today=today, yellow_until=yellow_until(today))
        if WARNING_RANK[colour] < WARNING_RANK[clock.warning]:
            clock.warning, clock.changed_at, clock.notified_at = colour, now, now
    clock.save()


WARNING_RANK: dict[str, int] = {Case.Warning.NONE: 0, Case.Warning.YELLOW: 1, Case.Warning.RED: 2}


def yellow_until(today: dt.date) -> dt.date:
    """The last deadline that is "near" today: ``yellow_working_days`` working days ahead."""
    return catalog_selectors.deadline_after(today, rules()["yellow_working_days"])[0]


def warning_colour(due_on: dt.date | None, *, today: dt.date, yellow_until: dt.date) -> str:
    """Red past the deadline (the deadline's own day is still in time), yellow within the last
    working days before it, none otherwise or while the clock stands."""
    if due_on is None:
        return Case.Warning.NONE
    if due_on < today:
        return Case.Warning.RED
    if due_on <= yellow_until:
        return Case.Warning.YELLOW
    return Case.Warning.NONE


# --- Receiving -------------------------------------------------------------------------------


def case_receive(
    *,
    actor: AnyUser,
    hall: Hall,
    item: ServiceItem,
    channel: str,
    applicant: ApplicantInput,
    mobile: str,
    checklist: Sequence[MaterialCheck],
    contact_name: str = "",
    window: Window | None = None,
    ticket: Ticket | None = None,
    outcome: str = "",
    notice: NoticeInput | None = None,
    reason: str = "",
    refer_to: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Receive an application for ``item`` at ``hall`` (收件) under the item's current guide, with
    its checklist, and settle it at once when ``outcome`` says so: ``accept``,
    ``accept_deferred`` (容缺受理), ``correction`` (the one-time notice ``notice``) or
    ``not_accepted`` (``reason``, ``refer_to``). All in one transaction: an outcome that a rule
    refuses leaves nothing behind, not even the case number."""
    now = _now(now)
    today = local_date(now)
    _require_counter_at(actor, hall.pk)
    errors: dict[str, list[str]] = {}
    if outcome not in OUTCOMES:
        errors.setdefault("outcome", []).append(_("无效的办理结果。"))
    if channel not in Case.Channel.values:
        errors.setdefault("channel", []).append(_("收件渠道须为窗口、邮寄或网上。"))
    version = (
        GuideVersion.objects.current(today).filter(item=item).prefetch_related("materials", "special_steps").first()
    )
    if version is None:
        errors.setdefault("item", []).append(_("该事项没有现行有效的办事指南，不能收件。"))
    elif not hall.items.filter(pk=item.pk).exists():
        # A 通办 item (Art. 12) is received at any hall, to be forwarded (cases/forwarding.py).
        if not (version.citywide or version.cross_region or version.cross_border):
            errors.setdefault("item", []).append(
                _("%(hall)s不办理“%(item)s”。") % {"hall": hall.name, "item": item.name}
            )
        elif outcome:
            errors.setdefault("outcome", []).append(
                _("%(hall)s不办理“%(item)s”：该通办事项只能收件后转至有管辖权的大厅受理。")
                % {"hall": hall.name, "item": item.name}
            )
    if channel == Case.Channel.WINDOW:
        if window is None:
            errors.setdefault("window", []).append(_("窗口收件须注明窗口。"))
        elif window.hall_id != hall.pk:
            errors.setdefault("window", []).append(_("该窗口不属于本大厅。"))
        elif not window.is_open or window.staff_id != signed_in(actor).pk:
            errors.setdefault("window", []).append(_("请先在该窗口签到，再以窗口名义收件。"))
        if (
            ticket is not None
            and window is not None
            and (ticket.hall_id != hall.pk or ticket.window_id != window.pk or ticket.status not in Ticket.AT_WINDOW)
        ):
            errors.setdefault("ticket", []).append(_("该排队号不在本窗口叫号或办理中。"))
    elif window is not None or ticket is not None:
        errors.setdefault("channel", []).append(_("邮寄和网上申请不关联窗口和排队号。"))
    kind, key, masked, credit_code, name = _validate_applicant(applicant, today, errors)
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors.setdefault("mobile", []).append(exc.messages[0])
    contact_name = " ".join(contact_name.split())
    if len(contact_name) > 40:
        errors.setdefault("contact_name", []).append(_("经办人姓名最多40个字。"))
    materials = {m.pk: m for m in version.materials.all()} if version is not None else {}
    lines = _validate_checklist(materials, checklist, errors) if version is not None else {}
    _raise_collected(errors)
    assert version is not None

    with transaction.atomic():
        case = Case.objects.create(
            number=_next_number(item, today),
            progress_token=secrets.token_urlsafe(18),
            hall=hall,
            department_id=item.department_id,
            item=item,
            guide_version=version,
            channel=channel,
            window=window if channel == Case.Channel.WINDOW else None,
            ticket=ticket if channel == Case.Channel.WINDOW else None,
            received_by=signed_in(actor),
            applicant=_applicant_row(kind, key, masked, credit_code),
            applicant_name=name,
            contact_name=contact_name,
            contact_mobile=mobile,
            received_at=now,
            received_on=today,
        )
        CaseMaterial.objects.bulk_create(
            CaseMaterial(
                case=case,
                material=material,
                state=lines[pk].state if pk in lines else CaseMaterial.State.MISSING,
                note=lines[pk].note.strip() if pk in lines else "",
                supplied_at=now,
            )
            for pk, material in materials.items()
        )
        _record(
            case,
            CaseEvent.Kind.RECEIVED,
            actor=actor,
            at=now,
            summary=_("收件 %(number)s（%(item)s）") % {"number": case.number, "item": item.name},
            data={"channel": channel, "ticket": ticket.number if ticket is not None and window is not None else ""},
        )
        if case.ticket_id is not None:
            # 急事急办 asked when booking follows the booking's ticket to its case (cases/urgent.py).
            from cases.urgent import urgent_attach_from_ticket

            urgent_attach_from_ticket(case)
        case = _lock_case(case.pk)
        if outcome in ("accept", "accept_deferred"):
            _accept(case, actor=actor, deferred=outcome == "accept_deferred", now=now)
        elif outcome == "correction":
            _notice(case, actor=actor, notice=notice or NoticeInput(), now=now)
        elif outcome == "not_accepted":
            _not_accept(case, actor=actor, reason=reason, refer_to=refer_to, now=now)
        if case.ticket_id is not None:
            # The item handled for the ticket, for the waits per item (Art. 8 ¶4).
            TicketItem.objects.create(
                ticket_id=case.ticket_id,
                item=item,
                outcome=CASE_OUTCOMES[outcome],
                case=case,
                recorded_by=signed_in(actor),
                recorded_at=now,
            )
            # The hall's live dashboard counts it in today's waits per item.
            dashboard_poll.dashboard_changed_on_commit(hall.pk)
    return case


def _apply_checklist(case: Case, checks: Sequence[MaterialCheck], now: dt.datetime) -> list[CaseMaterial]:
    """Record what the applicant brought now (corrections, the materials checked again before
    acceptance): each listed line takes its new state, and counts as supplied now."""
    lines = {line.material_id: line for line in case.materials.select_related("material")}
    errors: dict[str, list[str]] = {}
    valid = _validate_checklist({pk: line.material for pk, line in lines.items()}, checks, errors)
    _raise_collected(errors)
    changed = []
    for pk, check in valid.items():
        line = lines[pk]
        line.state, line.note, line.supplied_at = check.state, check.note.strip(), now
        changed.append(line)
    CaseMaterial.objects.bulk_update(changed, ["state", "note", "supplied_at"])
    return list(lines.values())


# --- Acceptance ------------------------------------------------------------------------------


def case_accept(
    *,
    case: Case,
    actor: AnyUser,
    deferred: bool = False,
    checklist: Sequence[MaterialCheck] = (),
    now: dt.datetime | None = None,
) -> Case:
    """Accept a received application (受理), or accept it with materials to follow (容缺受理,
    ``deferred``); ``checklist`` records materials checked again or brought now. A case past the
    notice period was accepted by law from its receipt (``_deem_if_late``): that is recorded, and
    the acceptance refused."""
    now = _now(now)
    _require_counter_at(actor, case.hall_id)
    refused: CaseError | None = None
    with transaction.atomic():
        case = _lock_case(case.pk)
        _deem_if_late(case, now=now)
        if case.deemed_accepted:
            # Raised once the deemed acceptance is committed, as if the job had recorded it.
            refused = CaseError(
                _("本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起视为受理，无须再受理。")
                % {"date": case.received_on.isoformat()},
                code="deemed_accepted",
                status=409,
            )
        else:
            if case.status != Case.Status.RECEIVED:
                raise _stale(case, _("只有已收件且材料已补正的申请可以受理。"))
            if not case.hall.items.filter(pk=case.item_id).exists():  # a 通办 item received to forward
                raise CaseError(
                    _("%(hall)s不办理“%(item)s”：请转至有管辖权的大厅受理。")
                    % {"hall": case.hall.name, "item": case.item.name},
                    field="item",
                    code="forward_only",
                )
            if checklist:
                _apply_checklist(case, checklist, now)
            _accept(case, actor=actor, deferred=deferred, now=now)
    if refused is not None:
        raise refused
    return case


def _accept(case: Case, *, actor: AnyUser, deferred: bool, now: dt.datetime) -> None:
    """Art. 13 ¶1: an application with the required materials is accepted; for an item that
    allows 容缺受理, one with every main material is accepted and the rest owed."""
    version = case.guide_version
    today = local_date(now)
    if deferred and not version.allows_deferred_acceptance:
        raise CaseError(
            _("“%(item)s”的办事指南不允许容缺受理，材料须齐全后受理。") % {"item": case.item.name},
            field="outcome",
            code="deferral_not_allowed",
        )
    lines = list(case.materials.select_related("material"))
    lacking = [line.material for line in lines if line.is_lacking]
    if lacking and not deferred:
        message = (
            _("以下材料缺失或不符合要求，不能受理：%(names)s。请出具一次性告知书，或选择容缺受理。")
            if version.allows_deferred_acceptance
            else _("以下材料缺失或不符合要求，不能受理：%(names)s。请出具一次性告知书。")
        )
        raise CaseError(
            message % {"names": _names(lacking)},
            field="materials",
            code="materials_incomplete",
        )
    main = [m for m in lacking if not m.may_follow_later]
    if main:
        raise CaseError(
            _("主要材料不齐全，不能容缺受理：%(names)s。") % {"names": _names(main)},
            field="materials",
            code="main_materials_missing",
        )
    case.status = Case.Status.ACCEPTED
    case.accepted_on = today
    case.accepted_by = signed_in(actor)
    # The window the accepting clerk is signed in at, at the case's hall (the acceptance notice
    # names it; a forwarded case's receiving window is the other hall's).
    accepted_at_window = (
        Window.objects.filter(staff=case.accepted_by, hall_id=case.hall_id).values_list("pk", flat=True).first()
        if case.accepted_by is not None
        else None
    )
    case.deferred = bool(lacking)
    case.limit_days = version.promised_limit_days
    if case.urgent:
        # An urgent request approved before acceptance promises fewer days (cases/urgent.py).
        from cases.urgent import urgent_limit_days

        case.limit_days = urgent_limit_days(case, case.limit_days)
    _refresh_due(case, today, now)
    case.save()
    if lacking:
        dues = catalog_selectors.deadlines_after([(today, m.follow_within_days, ()) for m in lacking])
        OwedMaterial.objects.bulk_create(
            OwedMaterial(case=case, material=m, due_on=due)
            for m, (due, _provisional) in zip(lacking, dues, strict=True)
        )
    _record(
        case,
        CaseEvent.Kind.ACCEPTED,
        actor=actor,
        at=now,
        summary=(_("容缺受理 %(number)s，承诺%(due)s前办结") if lacking else _("受理 %(number)s，承诺%(due)s前办结"))
        % {"number": case.number, "due": case.due_on.isoformat() if case.due_on else ""},
        data={
            "deferred": bool(lacking),
            "limit_days": case.limit_days,
            "due_on": case.due_on.isoformat() if case.due_on else None,
            "owed": [m.pk for m in lacking],
            "window": accepted_at_window,
        },
    )


def case_not_accept(
    *, case: Case, actor: AnyUser, reason: str, refer_to: str = "", now: dt.datetime | None = None
) -> Case:
    """Not accepted (不予受理): with the reason, and where to apply if the matter belongs elsewhere.
    Not once the case is accepted by law (``_deem_if_late``): it is then reviewed and decided."""
    now = _now(now)
    _require_counter_at(actor, case.hall_id)
    refused: CaseError | None = None
    with transaction.atomic():
        case = _lock_case(case.pk)
        _deem_if_late(case, now=now)
        if case.deemed_accepted:
            # Raised once the deemed acceptance is committed, as if the job had recorded it.
            refused = CaseError(
                _(
                    "本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起视为受理，不能再不予受理；"
                    "不符合条件的，请在审查后作出不予批准的决定。"
                )
                % {"date": case.received_on.isoformat()},
                code="deemed_accepted",
                status=409,
            )
        else:
            _not_accept(case, actor=actor, reason=reason, refer_to=refer_to, now=now)
    if refused is not None:
        raise refused
    return case


def _not_accept(case: Case, *, actor: AnyUser, reason: str, refer_to: str, now: dt.datetime) -> None:
    reason, refer_to = reason.strip(), " ".join(refer_to.split())
    if case.status not in Case.BEFORE_ACCEPTANCE or case.accepted_on is not None:
        raise _stale(case, _("只有尚未受理的申请可以不予受理。"))
    if not reason:
        raise CaseError(_("不予受理须写明理由。"), field="reason")
    if len(refer_to) > 200:
        raise CaseError(_("告知向何处申请最多200个字。"), field="refer_to")
    case.status = Case.Status.NOT_ACCEPTED
    case.not_accepted_reason, case.refer_to = reason, refer_to
    case.save()
    _record(
        case,
        CaseEvent.Kind.NOT_ACCEPTED,
        actor=actor,
        at=now,
        note=reason,
        summary=_("不予受理 %(number)s") % {"number": case.number},
        data={"refer_to": refer_to},
    )


# --- Deemed acceptance (行政许可法 Art. 32) -----------------------------------------------------
#
# "逾期不告知的，自收到申请材料之日起即为受理": a case received and, within
# ``notice_within_working_days`` working days of its receipt (the receipt day not counted), neither
# accepted, nor refused, nor given a one-time notice, is accepted as of the day of receipt. Applied
# by the warning job to every such case at once (``cases_deem_accepted``), and by any action on one
# such case first (``_deem_if_late``), so that nothing depends on whether the job has run. A case
# that had a notice (in time, or late with a supervisor's override) never qualifies: it was told.

DEEM_BATCH = 1000  # cases deemed accepted per run of the job; the rest in the next run


def notice_last_day(received_on: dt.date) -> dt.date:
    """The last day for the first one-time notice of a case received on ``received_on``."""
    return catalog_selectors.deadline_after(received_on, rules()["notice_within_working_days"])[0]


def deemed_cutoff(today: dt.date) -> dt.date:
    """The latest day of receipt whose notice period is over before ``today``.

    The period ends on the n-th working day after receipt (``notice_last_day``); it is over when at
    least n working days lie strictly between the receipt and today. Counting n working days back
    from yesterday, the n-th is the first day a receipt no longer has n working days before today:
    the cut-off is the day before it (weekends and holidays included, as the day of receipt of a
    post or online application can be one). One read of the calendar."""
    within = rules()["notice_within_working_days"]
    calendar = catalog_selectors.working_calendar(start=today - dt.timedelta(days=2 * within + 30), end=today)
    day, counted = today, 0
    while counted < within:
        day -= dt.timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day - dt.timedelta(days=1)


def _deemed_summary(case: Case) -> str:
    return _("%(number)s逾期未出具一次性告知书，自收到材料之日（%(date)s）起视为受理") % {
        "number": case.number,
        "date": case.received_on.isoformat(),
    }


def _deemed_note(received_on: dt.date) -> str:
    return _("逾期未出具一次性告知书，自收到材料之日（%(date)s）起视为受理") % {"date": received_on.isoformat()}


def _deem_if_late(case: Case, *, now: dt.datetime) -> bool:
    """Apply the deemed acceptance to ``case`` (locked) if it is due, before anything else is done
    to it: accepted on the day of receipt with the guide version's promised limit counted from
    that day, as ``_accept`` would have, by no one (the law); the materials stay as recorded, and
    nothing is owed. True when it was applied now."""
    if case.status != Case.Status.RECEIVED or case.accepted_on is not None:
        return False
    if notice_last_day(case.received_on) >= local_date(now) or case.notices.exists():
        return False
    _deem(case, now=now)
    return True


def _deem(case: Case, *, now: dt.datetime) -> None:
    """Record ``case`` (locked, received) as accepted by law from its receipt: what
    ``_deem_if_late`` does once it is due, and what a deemed bundle does for its first stage's
    sub-cases (``cases.bundles``)."""
    today = local_date(now)
    case.status = Case.Status.ACCEPTED
    case.accepted_on = case.received_on
    case.accepted_by = None
    case.deemed_accepted = True
    case.limit_days = case.guide_version.promised_limit_days
    _refresh_due(case, today, now)
    case.save()
    _record(
        case,
        CaseEvent.Kind.DEEMED_ACCEPTED,
        actor=None,
        at=now,
        note=_deemed_note(case.received_on),
        summary=_deemed_summary(case),
        data=_deemed_data(case),
    )


def _deemed_data(case: Case) -> dict[str, Any]:
    return {
        "accepted_on": case.received_on.isoformat(),
        "limit_days": case.limit_days,
        "due_on": case.due_on.isoformat() if case.due_on else None,
    }


def cases_deem_accepted(*, now: dt.datetime | None = None, batch: int = DEEM_BATCH) -> int:
    """Apply the deemed acceptance to every case due for it (at most ``batch`` per call), set-wise:
    one calendar read for the cut-off, one read of the cases (locked; those another transaction
    holds are skipped, and their action applies it), one calendar read for their deadlines, one
    update of the cases, and one insert each of their clocks, events and audit lines. Returns how
    many were deemed accepted."""
    now = _now(now)
    today = local_date(now)
    cutoff = deemed_cutoff(today)
    with transaction.atomic():
        rows = list(
            Case.objects.filter(status=Case.Status.RECEIVED, accepted_on__isnull=True, received_on__lte=cutoff)
            .exclude(Exists(CorrectionNotice.objects.filter(case=OuterRef("pk"))))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("received_on", "pk")
            .values_list(
                "pk", "number", "received_on", "hall_id", "department_id", "guide_version__promised_limit_days"
            )[:batch]
        )
        if not rows:
            return 0
        dues = catalog_selectors.deadlines_after([(received, days, ()) for _pk, _n, received, _h, _d, days in rows])
        cases = [
            Case(
                pk=pk,
                number=number,
                received_on=received,
                hall_id=hall_id,
                department_id=department_id,
                status=Case.Status.ACCEPTED,
                accepted_on=received,
                deemed_accepted=True,
                limit_days=days,
                due_on=due,
                due_provisional=provisional,
                updated_at=now,
            )
            for (pk, number, received, hall_id, department_id, days), (due, provisional) in zip(rows, dues, strict=True)
        ]
        Case.objects.bulk_update(
            cases,
            ["status", "accepted_on", "deemed_accepted", "limit_days", "due_on", "due_provisional", "updated_at"],
        )
        # The warning job colours the new clocks in the same run (a limit may have run out already).
        CaseClock.objects.bulk_create(
            CaseClock(case_id=c.pk, hall_id=c.hall_id, department_id=c.department_id, due_on=c.due_on) for c in cases
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=c.pk,
                kind=CaseEvent.Kind.DEEMED_ACCEPTED,
                at=now,
                note=_deemed_note(c.received_on),
                data=_deemed_data(c),
            )
            for c in cases
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=None,
                action=f"case.{CaseEvent.Kind.DEEMED_ACCEPTED}",
                target_type=Case._meta.label_lower,
                target_id=str(c.pk),
                summary=_deemed_summary(c)[:300],
                details=_deemed_data(c),
            )
            for c in cases
        )
    return len(cases)


# --- One-time notices and corrections --------------------------------------------------------


def case_notice(*, case: Case, actor: AnyUser, notice: NoticeInput, now: dt.datetime | None = None) -> CorrectionNotice:
    """Issue a one-time notice of corrections (一次性告知书, Art. 13 ¶2). On a case past the notice
    period, the deemed acceptance comes first (``_deem_if_late``): the notice is then one during
    review, and late, so it needs a supervisor's override; refused, the deemed acceptance stays."""
    now = _now(now)
    refused: CaseError | None = None
    with transaction.atomic():
        case = _lock_case(case.pk)
        if case.status == Case.Status.RECEIVED and not _supervises(actor, case.hall_id):
            _require_counter_at(actor, case.hall_id)  # nothing recorded for someone who may not act
        if not _deem_if_late(case, now=now):
            return _notice(case, actor=actor, notice=notice, now=now)
        try:
            with transaction.atomic():  # a savepoint: a refused notice keeps the deemed acceptance
                return _notice(case, actor=actor, notice=notice, now=now)
        except CaseError as exc:
            refused = CaseError(
                _("本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起视为受理。%(message)s")
                % {"date": case.received_on.isoformat(), "message": exc.message},
                code=exc.code,
                field=exc.field,
                status=exc.status,
                errors=exc.errors,
            )
    assert refused is not None
    raise refused


def one_time_check(
    *,
    lacking_after: set[int],
    cited: set[int],
    supplied_at: Mapping[int, dt.datetime],
    names: Callable[[list[int]], str],
    first_issued_at: dt.datetime | None,
    requirements: str,
    received_on: dt.date,
    today: dt.date,
    override: str,
    supervisor: bool,
) -> str:
    """The one-time rule (一次性告知, Art. 13 ¶2) of a notice citing the lines ``cited`` (by id),
    shared by cases (``_notice``) and bundle applications (``cases.bundles``). ``lacking_after``:
    the lines lacking once this notice is issued; ``supplied_at``: when each line was last
    supplied; ``first_issued_at``: the first notice of the application, if any.

    The first notice cites every lacking line. A later one must cite every line supplied since
    the first that falls short, may cite only those, and adds no other requirement; and every
    notice comes within the working days of ``notice_within_working_days`` of receiving the
    materials it concerns. An uncited line is refused outright; anything else needs a supervisor
    covering the hall (``supervisor``) with a reason (``override``). Returns the override reason
    to record ('' when the rule was kept)."""
    within = rules()["notice_within_working_days"]
    violations: list[str] = []
    if first_issued_at is None:
        uncited = sorted(lacking_after - cited)
        received = received_on
    else:
        # Outstanding from an earlier notice is covered by it; what was supplied since and still
        # falls short must be cited now, all at once.
        uncited = [pk for pk in sorted(lacking_after - cited) if supplied_at[pk] > first_issued_at]
        old = [pk for pk in sorted(cited) if supplied_at[pk] <= first_issued_at]
        if old:
            violations.append(
                _("%(names)s在第一次告知后没有重新提交，应已在第一次告知中一并列明。") % {"names": names(old)}
            )
        if requirements:
            violations.append(_("再次告知不得提出第一次告知以外的其他要求。"))
        supplied = [supplied_at[pk] for pk in cited if supplied_at[pk] > first_issued_at]
        received = local_date(max(supplied)) if supplied else received_on
    if uncited:
        raise CaseError(
            _("以下材料缺失或不符合要求，须在本次告知中一并列明：%(names)s。") % {"names": names(uncited)},
            field="items",
            code="notice_incomplete",
        )
    last_day = catalog_selectors.deadline_after(received, within)[0]
    if today > last_day:
        violations.append(
            _("一次性告知应在收到材料后%(days)s个工作日内（%(date)s前）出具。")
            % {"days": within, "date": last_day.isoformat()}
        )
    if not violations:
        return ""
    if not override or not supervisor:
        raise CaseError(
            " ".join(violations) + _("如确需再次告知，须由政务服务管理部门填写理由后出具。"),
            field="items",
            code="one_time",
            status=403 if override and not supervisor else 422,
        )
    return override


def _bundle_first_notice_at(case: Case) -> dt.datetime | None:
    """A bundle's sub-case was told once already if its application had a one-time notice before
    acceptance (``BundleNotice``): that was the first notice for its materials too."""
    if case.bundle_case_id is None:
        return None
    first = BundleNotice.objects.filter(bundle_case_id=case.bundle_case_id).order_by("sequence").first()
    if first is not None:
        return first.issued_at
    return BundleCase.objects.filter(pk=case.bundle_case_id).values_list("notice_issued_at", flat=True).first()


def _notice(case: Case, *, actor: AnyUser, notice: NoticeInput, now: dt.datetime) -> CorrectionNotice:
    """The notice lists every missing or defective material at once (the checklist's lacking
    lines must all be cited), within 5 working days of receiving the materials it concerns. A
    later notice may cite only materials the applicant supplied after the first one, and add no
    other requirement: anything else was due in the first. A supervisor covering the hall may
    override that, with a reason (audited)."""
    today = local_date(now)
    if case.status not in (Case.Status.RECEIVED, Case.Status.CORRECTION, Case.Status.ACCEPTED, Case.Status.IN_REVIEW):
        raise _stale(case, _("当前状态不能出具一次性告知书。"))
    supervisor = _supervises(actor, case.hall_id)
    if not supervisor:
        if case.accepted_on is None:
            _require_counter_at(actor, case.hall_id)
        else:
            _require_department(actor, case)
    requirements = notice.requirements.strip()
    override = " ".join(notice.override_reason.split())
    lines = {line.material_id: line for line in case.materials.select_related("material")}
    errors: dict[str, list[str]] = {}
    cited: dict[int, NoticeLine] = {}
    for item in notice.lines:
        line = lines.get(item.material_id)
        if line is None:
            errors.setdefault("items", []).append(
                _("材料编号 %(id)s 不是本事项办事指南所列的材料。") % {"id": item.material_id}
            )
        elif item.material_id in cited:
            errors.setdefault("items", []).append(_("材料“%(name)s”列了两次。") % {"name": line.material.name})
        elif item.problem not in NoticeItem.Problem.values:
            errors.setdefault("items", []).append(
                _("材料“%(name)s”的问题须为缺失或不符合要求。") % {"name": line.material.name}
            )
        elif len(item.note) > 300:
            errors.setdefault("items", []).append(
                _("材料“%(name)s”的补正要求最多300个字。") % {"name": line.material.name}
            )
        else:
            cited[item.material_id] = item
    if not cited and not requirements and not errors:
        errors.setdefault("items", []).append(_("一次性告知书须列明需要补正的材料或其他要求，不能为空。"))
    if len(override) > 300:
        errors.setdefault("override_reason", []).append(_("再次告知理由最多300个字。"))
    _raise_collected(errors)

    earlier = list(case.notices.order_by("sequence"))
    first = earlier[0] if earlier else None
    # After this notice the cited lines lack what it says. Materials owed under 容缺受理 are
    # lacking by agreement, with their own date: not something to correct.
    owed = set(case.owed.filter(supplied_at__isnull=True).values_list("material_id", flat=True))
    lacking_after = {pk for pk, line in lines.items() if line.state in CaseMaterial.LACKING} - owed | set(cited)
    override = one_time_check(
        lacking_after=lacking_after,
        cited=set(cited),
        supplied_at={pk: line.supplied_at for pk, line in lines.items()},
        names=lambda pks: _names(lines[pk].material for pk in pks),
        first_issued_at=first.issued_at if first is not None else _bundle_first_notice_at(case),
        requirements=requirements,
        received_on=case.received_on,
        today=today,
        override=override,
        supervisor=supervisor,
    )

    created = CorrectionNotice.objects.create(
        case=case,
        sequence=len(earlier) + 1,
        issued_at=now,
        issued_on=today,
        issued_by=signed_in(actor),
        requirements=requirements,
        before_acceptance=case.accepted_on is None,
        override_reason=override,
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(notice=created, material_id=pk, problem=item.problem, note=item.note.strip())
        for pk, item in cited.items()
    )
    for pk, item in cited.items():
        lines[pk].state = item.problem
    CaseMaterial.objects.bulk_update([lines[pk] for pk in cited], ["state"])
    if case.accepted_on is not None and case.clock_stopped_on is None:
        # Art. 13: the time waiting for the applicant's corrections is not counted.
        ClockStop.objects.create(
            case=case,
            kind=ClockStop.Kind.CORRECTION,
            notice=created,
            started_on=today,
            started_at=now,
            started_by=signed_in(actor),
        )
        case.clock_stopped_on = today
        _refresh_due(case, today, now)
    case.status = Case.Status.CORRECTION
    case.save()
    data = {"sequence": created.sequence, "materials": sorted(cited), "override_reason": override}
    _record(
        case,
        CaseEvent.Kind.NOTICE,
        actor=actor,
        at=now,
        note=override,
        summary=_("出具第%(n)s次一次性告知书 %(number)s") % {"n": created.sequence, "number": case.number},
        data=data,
    )
    if override:
        audit_record(
            actor=actor,
            action="case.notice_override",
            target=case,
            summary=_("批准再次告知 %(number)s：%(reason)s") % {"number": case.number, "reason": override},
            details=data,
        )
    return created


def case_corrections_receive(
    *, case: Case, actor: AnyUser, checklist: Sequence[MaterialCheck], now: dt.datetime | None = None
) -> Case:
    """The applicant brings corrections. Once every material the open notices cite is present,
    the notices are answered and the clock restarts (the day they arrive, like the day of
    acceptance, is not counted); a case not yet accepted goes back to be accepted."""
    now = _now(now)
    today = local_date(now)
    _require_counter_at(actor, case.hall_id)
    if not checklist:
        raise CaseError(_("请登记申请人此次补正提交的材料。"), field="materials")
    with transaction.atomic():
        case = _lock_case(case.pk)
        if case.status != Case.Status.CORRECTION:
            raise _stale(case, _("本件没有待补正的一次性告知。"))
        lines = {line.material_id: line for line in _apply_checklist(case, checklist, now)}
        open_notices = list(case.notices.filter(answered_at__isnull=True).prefetch_related("items"))
        still = sorted(
            {item.material_id for n in open_notices for item in n.items.all() if lines[item.material_id].is_lacking}
        )
        complete = not still
        if complete:
            CorrectionNotice.objects.filter(pk__in=[n.pk for n in open_notices]).update(answered_at=now)
            if case.accepted_on is None:
                case.status = Case.Status.RECEIVED
            else:
                ClockStop.objects.filter(case=case, ended_on__isnull=True).update(
                    ended_on=today, ended_at=now, ended_by=signed_in(actor)
                )
                case.clock_stopped_on = None
                case.status = Case.Status.IN_REVIEW
                _refresh_due(case, today, now)
            case.save()
        _record(
            case,
            CaseEvent.Kind.CORRECTIONS,
            actor=actor,
            at=now,
            summary=(_("补正材料已齐 %(number)s") if complete else _("收到部分补正材料 %(number)s"))
            % {"number": case.number},
            data={"materials": sorted(c.material_id for c in checklist), "complete": complete, "still": still},
        )
    return case


def case_owed_supply(
    *, case: Case, actor: AnyUser, checklist: Sequence[MaterialCheck], now: dt.datetime | None = None
) -> Case:
    """Materials owed under 容缺受理 are brought (each must now be present)."""
    now = _now(now)
    _require_counter_at(actor, case.hall_id)
    if not checklist:
        raise CaseError(_("请登记补齐的容缺材料。"), field="materials")
    with transaction.atomic():
        case = _lock_case(case.pk)
        if not case.is_open:
            raise _stale(case, _("只有已受理、尚未作出决定的办件可以补齐容缺材料。"))
        owed = {o.material_id: o for o in case.owed.filter(supplied_at__isnull=True).select_related("material")}
        errors: dict[str, list[str]] = {}
        for check in checklist:
            if check.material_id not in owed:
                errors.setdefault("materials", []).append(
                    _("材料编号 %(id)s 不是本件待补齐的容缺材料。") % {"id": check.material_id}
                )
            elif check.state not in CaseMaterial.PRESENT:
                errors.setdefault("materials", []).append(
                    _("补齐的材料“%(name)s”须为原件、复印件或电子材料。")
                    % {"name": owed[check.material_id].material.name}
                )
        _raise_collected(errors)
        _apply_checklist(case, checklist, now)
        supplied = [c.material_id for c in checklist]
        OwedMaterial.objects.filter(case=case, material_id__in=supplied).update(supplied_at=now)
        if case.owed_overdue and not case.owed.filter(supplied_at__isnull=True, due_on__lt=local_date(now)).exists():
            case.owed_overdue = False
            case.save(update_fields=["owed_overdue", "updated_at"])
        _record(
            case,
            CaseEvent.Kind.OWED_SUPPLIED,
            actor=actor,
            at=now,
            summary=_("容缺材料补齐 %(number)s") % {"number": case.number},
            data={"materials": sorted(supplied)},
        )
    return case


# --- Review, special steps, extensions -------------------------------------------------------


def case_review_start(*, case: Case, actor: AnyUser, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_department(actor, case)
        if case.status != Case.Status.ACCEPTED:
            raise _stale(case, _("只有已受理的办件可以开始审查。"))
        case.status = Case.Status.IN_REVIEW
        case.save()
        _record(
            case,
            CaseEvent.Kind.REVIEW,
            actor=actor,
            at=now,
            summary=_("开始审查 %(number)s") % {"number": case.number},
        )
    return case


def case_special_step_start(
    *, case: Case, actor: AnyUser, step_id: int, note: str = "", now: dt.datetime | None = None
) -> Case:
    """A special step of the guide begins (专家评审、现场勘查、听证、公示…): the clock stops."""
    now = _now(now)
    today = local_date(now)
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_department(actor, case)
        if case.status not in (Case.Status.ACCEPTED, Case.Status.IN_REVIEW):
            raise _stale(case, _("只有审查中的办件可以进入特殊环节。"))
        step = case.guide_version.special_steps.filter(pk=step_id).first()
        if step is None:
            raise CaseError(_("该特殊环节不在本件办事指南所列的特殊环节中。"), field="step")
        note = " ".join(note.split())
        if len(note) > 300:
            raise CaseError(_("说明最多300个字。"), field="note")
        ClockStop.objects.create(
            case=case,
            kind=ClockStop.Kind.SPECIAL_STEP,
            special_step=step,
            note=note,
            started_on=today,
            started_at=now,
            started_by=signed_in(actor),
        )
        case.status = Case.Status.SPECIAL_STEP
        case.clock_stopped_on = today
        _refresh_due(case, today, now)
        case.save()
        _record(
            case,
            CaseEvent.Kind.STEP_STARTED,
            actor=actor,
            at=now,
            note=note,
            summary=_("%(number)s进入特殊环节：%(step)s") % {"number": case.number, "step": step.name},
            data={"step": step.pk, "max_days": step.max_days},
        )
        if case.bundle_case_id is not None:  # a bundle's clock stands with its sub-case's
            from cases import bundles

            bundles.bundle_due_refresh(case.bundle_case_id)
    return case


def case_special_step_end(*, case: Case, actor: AnyUser, note: str = "", now: dt.datetime | None = None) -> Case:
    """The special step is over: the clock restarts (the day it ends is not counted)."""
    now = _now(now)
    today = local_date(now)
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_department(actor, case)
        if case.status != Case.Status.SPECIAL_STEP:
            raise _stale(case, _("本件不在特殊环节中。"))
        ClockStop.objects.filter(case=case, ended_on__isnull=True).update(
            ended_on=today, ended_at=now, ended_by=signed_in(actor)
        )
        case.status = Case.Status.IN_REVIEW
        case.clock_stopped_on = None
        _refresh_due(case, today, now)
        case.save()
        _record(
            case,
            CaseEvent.Kind.STEP_ENDED,
            actor=actor,
            at=now,
            note=" ".join(note.split())[:300],
            summary=_("%(number)s特殊环节结束，恢复计时") % {"number": case.number},
            data={"due_on": case.due_on.isoformat() if case.due_on else None},
        )
        if case.bundle_case_id is not None:
            from cases import bundles

            bundles.bundle_due_refresh(case.bundle_case_id)
    return case


def case_extend(*, case: Case, actor: AnyUser, days: int, reason: str, now: dt.datetime | None = None) -> Extension:
    """Extend the limit (延期): the department's chief representative approves, with a reason;
    the extensions of a case stay within the guide's limit (10 working days unless it says
    otherwise)."""
    now = _now(now)
    today = local_date(now)
    reason = " ".join(reason.split())
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_chief(actor, case)
        if not case.is_open:
            raise _stale(case, _("只有已受理、尚未作出决定的办件可以延期。"))
        if not reason:
            raise CaseError(_("延期须写明理由。"), field="reason")
        if len(reason) > 300:
            raise CaseError(_("延期理由最多300个字。"), field="reason")
        limit = case.guide_version.extension_limit_days
        if days < 1:
            raise CaseError(_("延长天数须为正整数。"), field="days")
        if case.extension_days + days > limit:
            raise CaseError(
                _("延期合计不得超过%(limit)s个工作日（本件已延长%(used)s个工作日）。")
                % {"limit": limit, "used": case.extension_days},
                field="days",
                code="extension_limit",
            )
        before = case.due_on
        case.extension_days += days
        _refresh_due(case, today, now)
        case.save()
        extension = Extension.objects.create(
            case=case,
            days=days,
            reason=reason,
            approved_by=signed_in(actor),
            approved_at=now,
            due_before=before,
            due_after=case.due_on,
        )
        _record(
            case,
            CaseEvent.Kind.EXTENDED,
            actor=actor,
            at=now,
            note=reason,
            summary=_("批准 %(number)s 延期%(days)s个工作日") % {"number": case.number, "days": days},
            data={
                "days": days,
                "due_before": before.isoformat() if before else None,
                "due_after": case.due_on.isoformat() if case.due_on else None,
            },
        )
    return extension


# --- Decision and result ---------------------------------------------------------------------


def case_decide(
    *, case: Case, actor: AnyUser, approved: bool, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """The department decides: approved, or refused with the reasons. An approval waits for every
    material owed under 容缺受理."""
    now = _now(now)
    reason = reason.strip()
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_department(actor, case)
        if case.status not in (Case.Status.ACCEPTED, Case.Status.IN_REVIEW):
            raise _stale(case, _("等待补正或处于特殊环节的办件须先恢复计时，才能作出决定。"))
        if not approved and not reason:
            raise CaseError(_("不予批准须写明理由。"), field="reason")
        if approved:
            owed = [o.material for o in case.owed.filter(supplied_at__isnull=True).select_related("material")]
            if owed:
                raise CaseError(
                    _("容缺材料尚未补齐：%(names)s，补齐后才能作出准予决定。") % {"names": _names(owed)},
                    field="approved",
                    code="materials_owed",
                )
        case.status = Case.Status.DECIDED
        case.decision = Case.Decision.APPROVED if approved else Case.Decision.REFUSED
        case.decision_reason = reason
        case.decided_on = local_date(now)
        case.decided_by = signed_in(actor)
        case.save()
        # Decided: the clock stops for good and the case is no longer watched.
        CaseClock.objects.filter(pk=case.pk).delete()
        _record(
            case,
            CaseEvent.Kind.DECIDED,
            actor=actor,
            at=now,
            note=reason,
            summary=_("%(number)s作出决定：%(decision)s")
            % {"number": case.number, "decision": case.get_decision_display()},
            data={"decision": case.decision, "in_time": case.finished_in_time},
        )
        if case.bundle_case_id is not None:
            # A bundle's sub-case (cases/bundles.py): its stage done, the next one's clock starts.
            from cases import bundles

            bundles.sub_case_decided(case, actor=actor, now=now)
    return case


def case_result_ready(*, case: Case, actor: AnyUser, now: dt.datetime | None = None) -> Case:
    now = _now(now)
    with transaction.atomic():
        case = _lock_case(case.pk)
        _require_department(actor, case)
        if case.status != Case.Status.DECIDED:
            raise _stale(case, _("只有已作出决定的办件可以生成结果。"))
        case.status = Case.Status.RESULT_READY
        case.result_ready_at = now
        case.save()
        _record(
            case,
            CaseEvent.Kind.RESULT_READY,
            actor=actor,
            at=now,
            summary=_("%(number)s办理结果已生成，待出件") % {"number": case.number},
        )
        if case.collect_hall_id is not None:  # a forwarded case collected where it was received
            from cases.forwarding import result_ready_notify

            result_ready_notify(case)
        if case.bundle_case_id is not None:  # a bundle's sub-case: the results leave together
            from cases import bundles

            bundles.sub_case_result_ready(case, now=now)
    return case


def case_collect(*, case: Case, actor: AnyUser, method: str, note: str = "", now: dt.datetime | None = None) -> Case:
    """The result leaves through the comprehensive window (统一出件, Art. 6 ¶3): collected at a
    window, posted (with the tracking number) or delivered electronically."""
    now = _now(now)
    note = " ".join(note.split())
    # A forwarded case (转办) is handed out as the applicant chose when it was forwarded: at the
    # hall chosen (the one that received it, or the one that handled it), or posted to the address
    # recorded, or delivered electronically by the hall that handled it.
    from cases.forwarding import collection_refusal

    refused = collection_refusal(case, actor, method)
    if refused is not None:
        raise refused
    _require_counter_at(actor, case.collect_hall_id or case.hall_id)
    with transaction.atomic():
        case = _lock_case(case.pk)
        if case.bundle_case_id is not None:
            # A bundle's results leave together (统一出件): cases.bundles.bundle_case_collect.
            from cases import bundles

            bundles.refuse_sub_case_collection(case)
        if case.status != Case.Status.RESULT_READY:
            raise _stale(case, _("只有结果已生成的办件可以出件。"))
        if method not in (Case.Collection.WINDOW, Case.Collection.POST, Case.Collection.ELECTRONIC):
            raise CaseError(_("出件方式须为窗口领取、邮寄送达或电子送达。"), field="method")
        if method == Case.Collection.POST and not note:
            raise CaseError(_("邮寄送达须填写邮寄单号。"), field="note")
        if len(note) > 200:
            raise CaseError(_("出件说明最多200个字。"), field="note")
        case.status = Case.Status.COLLECTED
        case.collection, case.collection_note, case.collected_at = method, note, now
        case.save()
        _record(
            case,
            CaseEvent.Kind.COLLECTED,
            actor=actor,
            at=now,
            note=note,
            summary=_("%(number)s出件：%(method)s") % {"number": case.number, "method": case.get_collection_display()},
            data={"method": method},
        )
    return case


# --- Deadlines recomputed after the calendar changed -----------------------------------------


def case_deadlines_recompute(
    *, start: dt.date | None = None, end: dt.date | None = None, now: dt.datetime | None = None, chunk: int = 2000
) -> int:
    """Recompute the stored deadlines the calendar may have moved: of open cases whose count
    crosses ``[start, end]``, and of every open case whose deadline is provisional (a year whose
    holidays are now published). Owed materials' dates follow. Returns how many deadlines moved.
    Set-wise: one calendar read and one update per ``chunk`` cases."""
    now = _now(now)
    today = local_date(now)
    touched = Q(due_provisional=True)
    if start is not None and end is not None:
        touched |= Q(accepted_on__lte=end) & (Q(due_on__isnull=True) | Q(due_on__gte=start))
    cases = (
        Case.objects.filter(touched, status__in=Case.OPEN, accepted_on__isnull=False)
        .order_by("pk")
        .only("pk", "accepted_on", "limit_days", "extension_days", "due_on", "due_provisional", "number")
    )
    moved = 0
    last_pk = 0
    while True:
        batch = list(cases.filter(pk__gt=last_pk)[:chunk])
        if not batch:
            return moved
        last_pk = batch[-1].pk
        stops: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        for case_id, began, ended in (
            ClockStop.objects.filter(case__in=batch)
            .order_by("started_at", "pk")
            .values_list("case_id", "started_on", "ended_on")
        ):
            stops.setdefault(case_id, []).append((began, ended))
        changed = []
        for case in batch:
            assert case.accepted_on is not None and case.limit_days is not None
            due, provisional = due_from(
                accepted_on=case.accepted_on, days=case.limit_days + case.extension_days, stops=stops.get(case.pk, [])
            )
            if (due, provisional) != (case.due_on, case.due_provisional):
                changed.append((case, case.due_on))
                case.due_on, case.due_provisional = due, provisional
        with transaction.atomic():
            Case.objects.bulk_update([c for c, _before in changed], ["due_on", "due_provisional"])
            # The clock follows; the warning job recolours the cases whose deadline moved.
            CaseClock.objects.bulk_update([CaseClock(pk=c.pk, due_on=c.due_on) for c, _before in changed], ["due_on"])
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.DEADLINE,
                    at=now,
                    note=_("工作日历调整，办结期限重算。"),
                    data={
                        "due_before": before.isoformat() if before else None,
                        "due_after": case.due_on.isoformat() if case.due_on else None,
                        "provisional": case.due_provisional,
                    },
                )
                for case, before in changed
                if before != case.due_on
            )
            _owed_recompute([c.pk for c in batch], today)
        moved += sum(1 for case, before in changed if before != case.due_on)


def _owed_recompute(case_ids: list[int], today: dt.date) -> None:
    owed = list(
        OwedMaterial.objects.filter(case_id__in=case_ids, supplied_at__isnull=True).select_related("case", "material")
    )
    if not owed:
        return
    dues = catalog_selectors.deadlines_after(
        [(o.case.accepted_on or today, o.material.follow_within_days, ()) for o in owed]
    )
    moved = []
    for owed_material, (due, _provisional) in zip(owed, dues, strict=True):
        if owed_material.due_on != due:
            owed_material.due_on = due
            moved.append(owed_material)
    OwedMaterial.objects.bulk_update(moved, ["due_on"])


# --- The public progress look-up -------------------------------------------------------------


def case_progress_lookup(*, number: str, digits: str, client_ip: str) -> Case:
    """The case whose number is ``number`` and whose applicant's mobile number or ID number (or
    credit code) ends with ``digits``. Rate-limited per client address and per case number, and
    answering a wrong number and wrong digits alike, so it tells no one whether a case exists."""
    number, digits = number.strip().upper(), digits.strip().upper()
    errors: dict[str, list[str]] = {}
    if not CASE_NUMBER_RE.fullmatch(number):
        errors.setdefault("number", []).append(
            _(
                "办件编号为22至52位数字或大写字母（实施编码或事项编码加12位数字），一件事申请编号为YJS加16位数字，"
                "见受理通知书或一次性告知书。"
            )
        )
    if len(digits) != 4 or not digits.isascii() or not digits.isalnum():
        errors.setdefault("digits", []).append(_("请输入申请时所留手机号码或证件号码的后四位。"))
    if errors:  # shapes the API's schema states: a 400
        field, messages = next(iter(errors.items()))
        raise CaseError(messages[0], field=field, errors=errors, status=400)
    for key, rate in (
        (f"case-progress-ip:{client_ip}", settings.THROTTLE_CASE_PROGRESS_IP),
        (f"case-progress-number:{number}", settings.THROTTLE_CASE_PROGRESS_NUMBER),
    ):
        limit, period = parse_rate(rate)
        allowed, wait = hit(key, limit=limit, period=period)
        if not allowed:
            raise CaseError(
                _("查询过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, wait // 60)},
                code="rate_limited",
                status=429,
            )
    case = Case.objects.select_related("applicant").filter(number=number).first()
    candidates = [] if case is None else [case.contact_mobile[-4:], case.applicant.display_identity[-4:].upper()]
    # Compare with every candidate (and with a dummy when there is no case), so that the time
    # taken does not say whether the number exists.
    matched = False
    for candidate in candidates or ["\0\0\0\0", "\0\0\0\0"]:
        matched |= constant_time_compare(candidate, digits)
    if case is None or not matched:
        raise CaseError(_("没有找到与该办件编号和号码后四位相符的办件，请核对后重试。"), code="not_found", status=404)
    return case


# --- The items handled for a queue ticket (Art. 8 ¶4) -----------------------------------------


def _require_ticket_clerk(actor: AnyUser, ticket: Ticket, today: dt.date) -> None:
    """Only the clerk signed in now at the ticket's window records what was handled for it: while
    it is called or served there, or once they finished it today."""
    window = Window.objects.filter(pk=ticket.window_id).first() if ticket.window_id is not None else None
    user_pk = getattr(actor, "pk", None)
    if window is None or not window.is_open or user_pk is None or window.staff_id != user_pk:
        raise _deny(_("只有在该号码所在窗口签到的工作人员可以记录办理事项。"))
    done_here = ticket.status == Ticket.Status.DONE and ticket.staff_id == user_pk and ticket.service_date == today
    if ticket.status not in Ticket.AT_WINDOW and not done_here:
        raise CaseError(
            _("号码 %(number)s 当前状态为“%(state)s”，不能记录办理事项。")
            % {"number": ticket.number, "state": ticket.get_status_display()},
            code="stale",
            status=409,
        )


def ticket_item_record(
    *,
    ticket: Ticket,
    item: ServiceItem | None,
    outcome: str,
    actor: AnyUser,
    finish: bool = False,
    now: dt.datetime | None = None,
) -> TicketItem:
    """Record that ``item`` was handled for ``ticket`` with ``outcome`` (one of
    ``TicketItem.MANUAL``: a consultation, a result collected…), whether or not a case came of it;
    recording the same item again changes its outcome. With ``finish``, the ticket is finished
    too, in the same transaction (a refusal of either leaves neither)."""
    now = _now(now)
    today = local_date(now)
    _require_ticket_clerk(actor, ticket, today)
    errors: dict[str, list[str]] = {}
    if item is None:
        errors.setdefault("item", []).append(_("请选择本大厅办理的事项。"))
    elif not Hall.items.through.objects.filter(hall_id=ticket.hall_id, serviceitem_id=item.pk).exists():
        errors.setdefault("item", []).append(_("本大厅不办理“%(item)s”。") % {"item": item.name})
    if outcome not in TicketItem.MANUAL:
        errors.setdefault("outcome", []).append(_("请选择办理结果。"))
    if errors:  # a value the clerk picked that is not on offer: a 400
        field, messages = next(iter(errors.items()))
        raise CaseError(messages[0], field=field, errors=errors, status=400)
    assert item is not None
    with transaction.atomic():
        if finish and ticket.status in Ticket.AT_WINDOW:
            assert ticket.window is not None
            ticket = queue_services.ticket_finish(window=ticket.window, ticket=ticket, staff=actor, now=now)
        record, created = TicketItem.objects.update_or_create(
            ticket=ticket,
            item=item,
            case=None,
            defaults={"outcome": outcome, "recorded_by": signed_in(actor), "recorded_at": now},
        )
        audit_record(
            actor=actor,
            action="ticket.item_recorded",
            target=ticket,
            summary=_("号码 %(number)s 办理事项：%(item)s（%(outcome)s）")
            % {"number": ticket.number, "item": item.name, "outcome": record.get_outcome_display()},
            details={"item": item.code, "outcome": outcome, "changed": not created},
        )
        # The hall's live dashboard counts it in today's waits per item.
        dashboard_poll.dashboard_changed_on_commit(ticket.hall_id)
    return record


def ticket_item_remove(*, record: TicketItem, actor: AnyUser, now: dt.datetime | None = None) -> None:
    """Take back an item recorded by mistake for a ticket (the same clerk, under the same
    conditions as recording it). A case's own row goes only with the case."""
    now = _now(now)
    ticket = record.ticket
    _require_ticket_clerk(actor, ticket, local_date(now))
    if record.case_id is not None:
        raise CaseError(_("由办件自动记录的事项不能移除。"), code="case_item", status=409)
    with transaction.atomic():
        TicketItem.objects.filter(pk=record.pk).delete()
        audit_record(
            actor=actor,
            action="ticket.item_removed",
            target=ticket,
            summary=_("号码 %(number)s 移除办理事项：%(item)s") % {"number": ticket.number, "item": record.item.name},
            details={"item": record.item.code, "outcome": record.outcome},
        )
        dashboard_poll.dashboard_changed_on_commit(ticket.hall_id)
