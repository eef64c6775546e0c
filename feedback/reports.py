"""Every write to the “办不成事” reports (Art. 6 ¶1; REQUIREMENTS §9; feedback/models_reports.py).
Keyword-only, one transaction each, raising ``ReportError`` (a message in Chinese, the field it
concerns, the other fields' messages in ``errors``): a refused step leaves nothing behind.

Who may do what (the roles and scopes of ``servicehall.access``):

- 受理 at the window: counter staff of the hall, or a supervisor covering it; online: anyone
  (``/report/``, rate-limited per address);
- 转派 and 协调督办 (notes, an intermediate date) and 回访: supervisors covering the hall;
- 办结: the chief representative, at the report's hall, of a department it was assigned to.

The reference number is drawn in the registration's transaction by one atomic upsert on
``ReportSequence``, so a refused report leaves no gap and two registrations never share one. The
flag job (``report_flags_run``) is at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from catalog.models import Department, Hall, ServiceItem
from feedback import selectors_reports
from feedback.models_reports import (
    REPORT_OPEN_STATUSES,
    Report,
    ReportAssignment,
    ReportCategory,
    ReportEvent,
    ReportSequence,
)
from queueing import dashboard_poll
from queueing.models import Window
from servicehall import notifications, outbox, roles
from servicehall.access import AnyUser, acts_as_chief, chief_refusal, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.personal_data import id_digest, mask_free_text, mask_mobile, validate_mobile
from servicehall.throttling import hit, parse_rate

logger = logging.getLogger(__name__)

PROBLEM_MIN_CHARS = 5
TEXT_MAX_CHARS = 2000
REPORT_NUMBER_RE = re.compile(r"^BC[0-9]{12}$")
MAX_DAILY_SEQUENCE = 9999


class ReportError(DomainError):
    """A rule refused the request; ``errors`` holds every field's messages at once. Statuses as
    the cases' (issue 9): 400 for a value of the wrong shape, 403, 404, 409 for the report's state,
    422 for a rule, 429 for too many reports from one address."""

    def __init__(
        self,
        message: Any,
        *,
        code: str = "invalid",
        field: str | None = None,
        status: int = 422,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field, status=status)
        self.errors = {name: [str(m) for m in messages] for name, messages in (errors or {}).items()}

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.errors:
            merged = {name: list(messages) for name, messages in (body.get("errors") or {}).items()}
            for name, messages in self.errors.items():
                merged.setdefault(name, [])
                merged[name] += [m for m in messages if m not in merged[name]]
            body["errors"] = merged
        return body


def rules() -> dict[str, int]:
    """The report rules of ``settings.FEEDBACK_REPORTS`` (defaults from practice, REQUIREMENTS §9)."""
    return dict(settings.FEEDBACK_REPORTS)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Who may act -----------------------------------------------------------------------------


def supervises(user: AnyUser, hall_id: int) -> bool:
    scope = staff_scope(user)
    return scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(hall_id)


def may_register_at(user: AnyUser, hall_id: int) -> bool:
    scope = staff_scope(user)
    return (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(hall_id)) or supervises(user, hall_id)


def answering_department_id(user: AnyUser, report: Report) -> int | None:
    """The user's department when they are its chief representative at the report's hall and the
    report was assigned to it (they answer it), else None."""
    scope = staff_scope(user)
    if not (scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.works_at(report.hall_id) and scope.department_id):
        return None
    assigned = {a.department_id for a in report.assignments.all()}
    if scope.department_id not in assigned:
        return None
    # The recorded chief answers (Art. 8 ¶3): not a deputy holding the role.
    return scope.department_id if acts_as_chief(user, report.hall_id, scope.department_id) else None


def allowed_steps(user: AnyUser, report: Report) -> set[str]:
    """The steps the user may take on the report now (the pages show these forms only)."""
    steps: set[str] = set()
    if supervises(user, report.hall_id):
        if report.status in Report.OPEN:
            steps |= {"assign", "note"}
        if report.status == Report.Status.RESOLVED:
            steps.add("follow_up")
        if may_reopen(report):
            steps.add("reopen")
    if resolve_role(user, report):
        steps.add("resolve")
    return steps


def _deny(message: str) -> ReportError:
    return ReportError(message, code="permission_denied", status=403)


def _stale(report: Report, message: str) -> ReportError:
    return ReportError(
        _("%(message)s（当前状态：%(status)s）") % {"message": message, "status": report.get_status_display()},
        code="stale",
        status=409,
    )


def _lock(report_id: int) -> Report:
    """The report row, locked (the row alone), re-read with what the rules need."""
    Report.objects.select_for_update().filter(pk=report_id).values_list("pk", flat=True).get()
    return Report.objects.select_related("hall").prefetch_related("assignments__department").get(pk=report_id)


def _record(
    report: Report,
    kind: str,
    *,
    actor: AnyUser | None,
    at: dt.datetime,
    summary: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """The step in the report's history and in the kernel's audit log, in the same transaction.
    Neither ever holds the reporter's name or number. Every step may change the hall's open
    reports, which its live dashboard shows (queueing.dashboard_poll)."""
    user = actor if actor is not None and actor.is_authenticated else None
    ReportEvent.objects.create(report=report, kind=kind, at=at, actor=user, note=note, data=data or {})
    audit_record(actor=actor, action=f"report.{kind}", target=report, summary=summary, details=data)
    dashboard_poll.dashboard_changed_on_commit(report.hall_id)


# --- 受理: registration ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    """What the person tells: where and when they tried, what went wrong, how to reach them."""

    hall: Hall | None
    tried_on: dt.date | None
    problem: str
    category: ReportCategory | None
    contact_name: str
    mobile: str
    window: Window | None = None
    item: ServiceItem | None = None


_SEQUENCE_SQL = """
INSERT INTO feedback_reportsequence (day, last)
VALUES (%s, 1)
ON CONFLICT (day) DO UPDATE SET last = feedback_reportsequence.last + 1
RETURNING last
"""


def report_number(*, day: dt.date, sequence: int) -> str:
    return f"BC{day:%Y%m%d}{sequence:04d}"


def _next_number(day: dt.date) -> str:
    """The next reference of the day: one atomic upsert in the caller's transaction, so concurrent
    registrations never read the same value and a refused one gives its number back."""
    assert ReportSequence._meta.db_table == "feedback_reportsequence"
    with connection.cursor() as cursor:
        cursor.execute(_SEQUENCE_SQL, [day])
        sequence = cursor.fetchone()[0]
    if sequence > MAX_DAILY_SEQUENCE:
        raise ReportError(_("今日受理的反映已达上限，请联系系统管理员。"), code="sequence_exhausted", status=409)
    return report_number(day=day, sequence=sequence)


def _refuse(errors: dict[str, list[str]], shape: set[str]) -> ReportError:
    """Every field's messages at once: 400 when a value is missing or of the wrong shape (what the
    API's schema states too), 422 when only a rule the schema cannot state refuses it (an unknown
    code, a date out of range, a description too short)."""
    one = len(errors) == 1
    message = next(iter(errors.values()))[0] if one else _("提交的内容有误，请按各项提示修改。")
    status = 400 if shape & set(errors) else 422
    return ReportError(message, field=next(iter(errors)) if one else None, errors=errors, status=status)


def _validate(data: ReportInput, today: dt.date) -> tuple[str, str, str]:
    """(problem, name, mobile) cleaned; every field's message at once otherwise."""
    errors: dict[str, list[str]] = {}
    problem = (data.problem or "").strip()
    name = (data.contact_name or "").strip()
    mobile = ""
    if data.hall is None:
        errors["hall"] = [_("请选择办事的大厅。")]
    if data.window is not None and data.hall is not None and data.window.hall_id != data.hall.pk:
        errors["window"] = [_("所选窗口不属于该大厅，请重新选择。")]
    if data.tried_on is None:
        errors["tried_on"] = [_("请填写办事日期。")]
    elif data.tried_on > today:
        errors["tried_on"] = [_("办事日期不能晚于今天。")]
    elif data.tried_on < today - dt.timedelta(days=366):
        errors["tried_on"] = [_("只受理一年内办事遇到的问题；更早的问题请拨打12345热线。")]
    if not problem:
        errors["problem"] = [_("请写明遇到了什么问题、哪件事没有办成。")]
    elif len(problem) < PROBLEM_MIN_CHARS:
        errors["problem"] = [_("请把问题写得具体一些（至少%(n)s个字）。") % {"n": PROBLEM_MIN_CHARS}]
    elif len(problem) > TEXT_MAX_CHARS:
        errors["problem"] = [_("问题描述最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}]
    if data.category is None or not data.category.is_active:
        errors["category"] = [_("请从列表中选择问题类别。")]
    if not name:
        errors["contact_name"] = [_("请填写联系人姓名，以便回访。")]
    elif len(name) > 40:
        errors["contact_name"] = [_("联系人姓名最多40个字。")]
    try:
        mobile = validate_mobile(data.mobile or "")
    except ValidationError as exc:
        errors["mobile"] = list(exc.messages)
    if errors:
        shape = {"mobile"} | {k for k in ("hall", "category") if getattr(data, k) is None}
        if data.tried_on is None:
            shape.add("tried_on")
        if not problem:
            shape.add("problem")
        if not name:
            shape.add("contact_name")
        raise _refuse(errors, shape)
    # Stored masked: an ID or mobile number written into the problem is never kept in full.
    return mask_free_text(problem), name, mobile


def report_input_errors(data: ReportInput, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Every field's message of the registration rules, without registering (the page's form
    shows them beside those its own parsing left alone); {} when the input passes."""
    try:
        _validate(data, today or local_date())
    except ReportError as exc:
        return dict(exc.errors)
    return {}


def _throttle(client_ip: str) -> None:
    limit, period = parse_rate(settings.THROTTLE_REPORT_IP)
    allowed, wait = hit(f"report-online:{client_ip}", limit=limit, period=period)
    if not allowed:
        raise ReportError(
            _("提交过于频繁，请 %(minutes)s 分钟后再试，或到“办不成事”反映窗口当面反映。")
            % {"minutes": max(1, wait // 60)},
            code="rate_limited",
            status=429,
        )


def report_by_submission(submission_key: str | None) -> Report | None:
    """The report a public form with this one-time token registered already, or None."""
    if not submission_key:
        return None
    return Report.objects.filter(submission_key=submission_key).first()


_REPEAT_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"


def _lock_content(*, hall: Hall, category: ReportCategory, problem: str, mobile: str) -> None:
    """Serialise identical online reports until the transaction ends (an advisory lock on their
    content), so of two racing ones the second sees the first. PostgreSQL only: the embedded
    SQLite of ``make run`` has no advisory locks and takes one writer at a time, so there the
    check before the insert is all (two reports racing in the same instant may both register)."""
    if connection.vendor != "postgresql":
        return
    key = f"report-online:{hall.pk}:{category.pk}:{id_digest(mobile)}:{problem}"
    with connection.cursor() as cursor:
        cursor.execute(_REPEAT_LOCK_SQL, [key])


def _refuse_repeat(*, hall: Hall, category: ReportCategory, problem: str, mobile: str, now: dt.datetime) -> None:
    """An online report identical to one registered ``duplicate_minutes`` ago (same hall,
    category, problem and mobile number: the same person sending the same thing) is refused with
    409, naming the first one's reference (under ``_lock_content``)."""
    digest = id_digest(mobile)
    since = now - dt.timedelta(minutes=rules()["duplicate_minutes"])
    first = (
        Report.objects.filter(
            channel=Report.Channel.ONLINE,
            hall=hall,
            category=category,
            contact_mobile_digest=digest,
            problem=problem,
            registered_at__gte=since,
        )
        .order_by("registered_at", "pk")
        .values_list("number", flat=True)
        .first()
    )
    if first is not None:
        raise ReportError(
            _(
                "同样的反映刚刚已经提交并受理（受理编号 %(number)s），请勿重复提交；请凭首次提交时给出的进度查询链接查看进度。"
            )
            % {"number": first},
            code="duplicate",
            status=409,
        )


def report_register(
    *,
    data: ReportInput,
    channel: str,
    actor: AnyUser | None = None,
    client_ip: str = "",
    submission_key: str | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """受理: a report at the “办不成事” window (entered by staff of the hall) or online (anyone).
    The reference number and the private progress token are drawn here; the reply is due
    ``reply_working_days`` working days after today (today not counted).

    Online, a repeat is never registered twice: a form's one-time token (``submission_key``,
    feedback/form_tokens.py) already used returns the report it registered; the same content
    again within ``duplicate_minutes`` is refused (409, ``_refuse_repeat``)."""
    now = _now(now)
    today = local_date(now)
    if channel == Report.Channel.WINDOW:
        if actor is None or not actor.is_authenticated or data.hall is None or not may_register_at(actor, data.hall.pk):
            raise _deny(_("只有本大厅的工作人员可以在“办不成事”反映窗口登记反映。"))
        submission_key = None
    elif channel == Report.Channel.ONLINE:
        actor = None
        first = report_by_submission(submission_key)
        if first is not None:
            return first
        _throttle(client_ip)
    else:
        raise ReportError(_("反映渠道无效。"), field="channel", status=400)
    problem, name, mobile = _validate(data, today)
    assert data.hall is not None and data.category is not None and data.tried_on is not None
    due_on, provisional = catalog_selectors.deadline_after(today, rules()["reply_working_days"])
    try:
        return _register(data, channel, actor, submission_key, problem, name, mobile, now, due_on, provisional)
    except IntegrityError:
        # The same form submitted twice at once with different content: the first one won.
        first = report_by_submission(submission_key)
        if first is None:
            raise
        return first


def _register(
    data: ReportInput,
    channel: str,
    actor: AnyUser | None,
    submission_key: str | None,
    problem: str,
    name: str,
    mobile: str,
    now: dt.datetime,
    due_on: dt.date,
    provisional: bool,
) -> Report:
    today = local_date(now)
    assert data.hall is not None and data.category is not None and data.tried_on is not None
    with transaction.atomic():
        if channel == Report.Channel.ONLINE:
            _lock_content(hall=data.hall, category=data.category, problem=problem, mobile=mobile)
            # The same form racing itself: the lock let the first one commit.
            first = report_by_submission(submission_key)
            if first is not None:
                return first
            _refuse_repeat(hall=data.hall, category=data.category, problem=problem, mobile=mobile, now=now)
        report = Report.objects.create(
            submission_key=submission_key or None,
            number=_next_number(today),
            progress_token=secrets.token_urlsafe(18),
            channel=channel,
            hall=data.hall,
            window=data.window,
            item=data.item,
            tried_on=data.tried_on,
            problem=problem,
            category=data.category,
            contact_name=name,
            contact_mobile_masked=mask_mobile(mobile),
            contact_mobile_digest=id_digest(mobile),
            contact_mobile=mobile,
            registered_at=now,
            registered_on=today,
            registered_by=actor if actor is not None and actor.is_authenticated else None,
            due_on=due_on,
            due_provisional=provisional,
        )
        _record(
            report,
            ReportEvent.Kind.REGISTERED,
            actor=actor,
            at=now,
            summary=_("受理“办不成事”反映 %(number)s") % {"number": report.number},
            data={"channel": channel, "category": data.category.code, "due_on": due_on.isoformat()},
        )
    return report


# --- Finding one's report again ---------------------------------------------------------------


def report_find(*, number: str, mobile: str, client_ip: str) -> Report:
    """The report behind a reference and the mobile number the reporter gave (a lost private
    link): 400 for a shape, 429 past ``THROTTLE_REPORT_FIND_*`` per address and per reference,
    404 alike for an unknown reference and a wrong number (compared in constant time, with a dummy
    when there is no report, so the answer's time says nothing either)."""
    number = (number or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not REPORT_NUMBER_RE.fullmatch(number):
        errors["number"] = [_("受理编号为BC加12位数字，见受理回执或受理短信。")]
    try:
        mobile = validate_mobile(mobile or "")
    except ValidationError as exc:
        errors["mobile"] = list(exc.messages)
    if errors:
        raise _refuse(errors, set(errors))
    for key, rate in (
        (f"report-find-ip:{client_ip}", settings.THROTTLE_REPORT_FIND_IP),
        (f"report-find-number:{number}", settings.THROTTLE_REPORT_FIND_NUMBER),
    ):
        limit, period = parse_rate(rate)
        allowed, wait = hit(key, limit=limit, period=period)
        if not allowed:
            raise ReportError(
                _("查询过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, wait // 60)},
                code="rate_limited",
                status=429,
            )
    report = Report.objects.filter(number=number).first()
    stored = report.contact_mobile_digest if report is not None else "\0" * 64
    if not constant_time_compare(stored, id_digest(mobile)) or report is None:
        raise ReportError(_("没有找到与该受理编号和手机号码相符的反映，请核对后重试。"), code="not_found", status=404)
    return report


# --- 转派, 协调督办 ----------------------------------------------------------------------------


def _refuse_without_chief(report: Report, departments: Sequence[Department]) -> None:
    """A department with no active chief representative at the hall has nobody to answer the
    report there: refused, naming each such department (``selectors_reports.chiefs_at``)."""
    answering = selectors_reports.chiefs_at(report.hall_id, [d.pk for d in departments])
    missing = [d.name for d in departments if d.pk not in answering]
    if missing:
        raise ReportError(
            _("%(names)s在本大厅没有在岗的首席事务代表，转派后无人答复：请先登记首席事务代表，或选择其他部门。")
            % {"names": "、".join(missing)},
            field="departments",
            code="no_chief",
        )


def report_assign(
    *,
    report: Report,
    actor: AnyUser,
    departments: Sequence[Department],
    note: str = "",
    now: dt.datetime | None = None,
) -> Report:
    """转派: to one or several departments; their chief representatives at the hall answer. May be
    repeated while the reply is owed (another department found responsible)."""
    now = _now(now)
    note = (note or "").strip()
    if not supervises(actor, report.hall_id):
        raise _deny(_("只有负责该大厅的政务服务管理部门可以转派反映。"))
    if not departments:
        raise ReportError(_("请至少选择一个责任部门。"), field="departments", status=400)
    if len(note) > TEXT_MAX_CHARS:
        raise ReportError(_("说明最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}, field="note")
    with transaction.atomic():
        report = _lock(report.pk)
        if report.status not in Report.OPEN:
            raise _stale(report, _("已办结的反映不能再转派。"))
        already = {a.department_id for a in report.assignments.all()}
        repeated = [d.name for d in departments if d.pk in already]
        if repeated:
            raise ReportError(
                _("已转派过：%(names)s。") % {"names": "、".join(repeated)},
                field="departments",
                status=409,
                code="duplicate",
            )
        _refuse_without_chief(report, departments)
        ReportAssignment.objects.bulk_create(
            [
                ReportAssignment(report=report, department=d, assigned_at=now, assigned_by=signed_in(actor))
                for d in departments
            ]
        )
        report.status = Report.Status.ASSIGNED
        report.save(update_fields=["status"])
        codes = [d.code for d in departments]
        _record(
            report,
            ReportEvent.Kind.ASSIGNED,
            actor=actor,
            at=now,
            note=note,
            summary=_("转派“办不成事”反映 %(number)s 至 %(names)s")
            % {"number": report.number, "names": "、".join(d.name for d in departments)},
            data={"departments": codes},
        )
        outbox.enqueue("feedback.tasks_reports.report_assigned_notify", report.pk, codes)
    return report


def report_note(
    *,
    report: Report,
    actor: AnyUser,
    note: str,
    next_check_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """协调督办: a supervisor's note (a chase, a meeting) and, optionally, an intermediate date by
    which to check again."""
    now = _now(now)
    today = local_date(now)
    note = (note or "").strip()
    if not supervises(actor, report.hall_id):
        raise _deny(_("只有负责该大厅的政务服务管理部门可以督办反映。"))
    errors: dict[str, list[str]] = {}
    if not note:
        errors["note"] = [_("请写明督办情况。")]
    elif len(note) > TEXT_MAX_CHARS:
        errors["note"] = [_("说明最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}]
    if next_check_on is not None and next_check_on < today:
        errors["next_check_on"] = [_("督办节点不能早于今天。")]
    if errors:
        raise _refuse(errors, {"note"} if not note else set())
    with transaction.atomic():
        report = _lock(report.pk)
        if report.status not in Report.OPEN:
            raise _stale(report, _("已办结的反映不再督办。"))
        if next_check_on is not None:
            report.next_check_on = next_check_on
            report.save(update_fields=["next_check_on"])
        _record(
            report,
            ReportEvent.Kind.NOTE,
            actor=actor,
            at=now,
            note=note,
            summary=_("督办“办不成事”反映 %(number)s") % {"number": report.number},
            data={"next_check_on": next_check_on.isoformat()} if next_check_on else {},
        )
    return report


# --- 办结, 回访 --------------------------------------------------------------------------------


def _unanswered(report: Report) -> list[ReportAssignment]:
    return [a for a in report.assignments.all() if not a.answered]


def resolve_role(user: AnyUser, report: Report) -> str:
    """How the user would take the 办结 step now: "department" (the chief representative of an
    assigned department that has not answered yet records its part), "supervisor" (closes the
    report with the resolution), or "" (neither)."""
    if report.status != Report.Status.ASSIGNED:
        return ""
    department_id = answering_department_id(user, report)
    if department_id is not None and any(a.department_id == department_id for a in _unanswered(report)):
        return "department"
    if supervises(user, report.hall_id):
        return "supervisor"
    return ""


def report_resolve(
    *,
    report: Report,
    actor: AnyUser,
    resolution: str,
    matter_done: bool | None,
    now: dt.datetime | None = None,
) -> Report:
    """办结. The chief representative of an assigned department records the department's answer
    for its part (部门答复: what was done, whether the matter got done); when every assigned
    department has answered the report is resolved, its resolution gathering the answers and its
    matter done only if every department's is. A supervisor covering the hall closes the report
    with their own resolution, even while a department has not answered (Art. 6 ¶1: the centre
    coordinates and settles). Refused without both the text and the verdict."""
    now = _now(now)
    resolution = (resolution or "").strip()
    with transaction.atomic():
        report = _lock(report.pk)
        department_id = answering_department_id(actor, report)
        role = resolve_role(actor, report)
        if not role:
            if report.status != Report.Status.ASSIGNED and (
                department_id is not None or supervises(actor, report.hall_id)
            ):
                raise _stale(report, _("只有已转派、尚未办结的反映可以办结。"))
            if department_id is not None:
                raise _stale(report, _("本部门已答复，等待其他责任部门答复或政务服务管理部门办结。"))
            default = _("只有被转派部门派驻该大厅的首席事务代表或政务服务管理部门可以办结反映。")
            raise _deny(chief_refusal(actor, report.hall_id, staff_scope(actor).department_id, default))
        errors: dict[str, list[str]] = {}
        if not resolution:
            errors["resolution"] = [_("办结须写明办理结果：做了什么、问题如何解决。")]
        elif len(resolution) > TEXT_MAX_CHARS:
            errors["resolution"] = [_("办理结果最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}]
        if matter_done is None:
            errors["matter_done"] = [_("请选择反映人的事项是否已经办成。")]
        if errors:
            raise _refuse(errors, {"resolution", "matter_done"} if not resolution or matter_done is None else set())
        assert matter_done is not None
        if role == "department":
            assignment = next(a for a in report.assignments.all() if a.department_id == department_id)
            assignment.answer, assignment.matter_done = resolution, matter_done
            assignment.answered_at, assignment.answered_by = now, signed_in(actor)
            assignment.save(update_fields=["answer", "matter_done", "answered_at", "answered_by"])
            _record(
                report,
                ReportEvent.Kind.ANSWERED,
                actor=actor,
                at=now,
                note=resolution,
                summary=_("%(department)s答复“办不成事”反映 %(number)s")
                % {"department": assignment.department.name, "number": report.number},
                data={"matter_done": matter_done, "department": assignment.department.code},
            )
            if _unanswered(report):
                return report
            answers = list(report.assignments.all())
            if len(answers) > 1:
                resolution = "\n".join(f"{a.department.name}：{a.answer}" for a in answers)
            matter_done = all(a.matter_done for a in answers)
            data: dict[str, Any] = {"matter_done": matter_done, "by": "departments"}
        else:
            data = {"matter_done": matter_done, "by": "supervisor"}
            unanswered = [a.department.code for a in _unanswered(report)]
            if unanswered:
                data["unanswered"] = unanswered
        _resolve(report, actor=actor, now=now, resolution=resolution, matter_done=matter_done, data=data)
    return report


def _resolve(
    report: Report, *, actor: AnyUser, now: dt.datetime, resolution: str, matter_done: bool, data: dict[str, Any]
) -> None:
    report.status = Report.Status.RESOLVED
    report.resolution = resolution
    report.matter_done = matter_done
    report.resolved_at = now
    report.resolved_by = signed_in(actor)
    # The intermediate date belonged to the open report; its event keeps it.
    report.next_check_on = None
    fields = ["status", "resolution", "matter_done", "resolved_at", "resolved_by", "next_check_on"]
    if report.flag == Report.Flag.YELLOW:
        # Answered in time: nothing to warn of. A red flag stays (answered late).
        report.flag, report.flag_changed_at, report.flag_notified_at = Report.Flag.NONE, now, now
        fields += ["flag", "flag_changed_at", "flag_notified_at"]
    report.save(update_fields=fields)
    _record(
        report,
        ReportEvent.Kind.RESOLVED,
        actor=actor,
        at=now,
        note=resolution,
        summary=_("办结“办不成事”反映 %(number)s") % {"number": report.number},
        data=data,
    )


def report_follow_up(
    *,
    report: Report,
    actor: AnyUser,
    reached: bool | None,
    satisfied: bool | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Report:
    """回访: the follow-up call after the resolution, reached or not and, if reached, satisfied or
    not. Closes the loop and erases the whole mobile number (the masked copy and digest stay)."""
    now = _now(now)
    note = (note or "").strip()
    if not supervises(actor, report.hall_id):
        raise _deny(_("只有负责该大厅的政务服务管理部门可以记录回访。"))
    errors: dict[str, list[str]] = {}
    if reached is None:
        errors["reached"] = [_("请选择回访电话是否接通。")]
    elif reached and satisfied is None:
        errors["satisfied"] = [_("已接通的回访请选择反映人是否满意。")]
    elif not reached and satisfied is not None:
        errors["satisfied"] = [_("未接通的回访不能记录满意与否。")]
    if len(note) > TEXT_MAX_CHARS:
        errors["note"] = [_("说明最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}]
    if errors:
        raise _refuse(errors, {"reached"} if reached is None else set())
    with transaction.atomic():
        report = _lock(report.pk)
        if report.status != Report.Status.RESOLVED:
            raise _stale(report, _("只有已办结的反映可以回访。"))
        report.status = Report.Status.FOLLOWED_UP
        report.followed_up_at, report.followed_up_by = now, signed_in(actor)
        report.reached, report.satisfied = reached, satisfied if reached else None
        report.contact_mobile = ""
        report.save(
            update_fields=["status", "followed_up_at", "followed_up_by", "reached", "satisfied", "contact_mobile"]
        )
        _record(
            report,
            ReportEvent.Kind.FOLLOWED_UP,
            actor=actor,
            at=now,
            note=note,
            summary=_("回访“办不成事”反映 %(number)s") % {"number": report.number},
            data={"reached": reached, "satisfied": report.satisfied},
        )
    return report


# --- 重新转派 (再次督办): the loop goes on when the matter was not done ----------------------


def may_reopen(report: Report) -> bool:
    """A closed report may go back to the departments when the matter did not get done (the
    resolution says so) or the person, reached at the follow-up call, was not satisfied."""
    if report.status not in (Report.Status.RESOLVED, Report.Status.FOLLOWED_UP):
        return False
    return report.matter_done is False or (report.reached is True and report.satisfied is False)


def report_reopen(
    *,
    report: Report,
    actor: AnyUser,
    reason: str,
    departments: Sequence[Department] = (),
    now: dt.datetime | None = None,
) -> Report:
    """重新转派 / 再次督办: a supervisor sends a resolved or followed-up report whose matter was not
    done (or whose reporter was not satisfied) back to the departments, with the reason, and
    optionally to further departments. The report is ``assigned`` again with a new reply date
    (``reply_working_days`` from today); the earlier resolution and follow-up stay in the history
    (their events), the report's current fields are cleared for the next round."""
    now = _now(now)
    today = local_date(now)
    reason = (reason or "").strip()
    if not supervises(actor, report.hall_id):
        raise _deny(_("只有负责该大厅的政务服务管理部门可以重新转派反映。"))
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("请写明重新转派的原因。")]
    elif len(reason) > TEXT_MAX_CHARS:
        errors["reason"] = [_("说明最多%(n)s个字。") % {"n": TEXT_MAX_CHARS}]
    if errors:
        raise _refuse(errors, {"reason"} if not reason else set())
    with transaction.atomic():
        report = _lock(report.pk)
        if not may_reopen(report):
            raise _stale(report, _("只有事项未办成或反映人不满意的已办结反映可以重新转派。"))
        already = {a.department_id for a in report.assignments.all()}
        repeated = [d.name for d in departments if d.pk in already]
        if repeated:
            raise ReportError(
                _("已转派过：%(names)s。") % {"names": "、".join(repeated)},
                field="departments",
                status=409,
                code="duplicate",
            )
        # Every department answers again in the new round; the events keep the earlier answers.
        ReportAssignment.objects.filter(report=report).update(
            answer="", matter_done=None, answered_at=None, answered_by=None
        )
        if departments:
            _refuse_without_chief(report, departments)
            ReportAssignment.objects.bulk_create(
                [
                    ReportAssignment(report=report, department=d, assigned_at=now, assigned_by=signed_in(actor))
                    for d in departments
                ]
            )
        previous = {
            "previous_status": report.status,
            "matter_done": report.matter_done,
            "reached": report.reached,
            "satisfied": report.satisfied,
        }
        due_on, provisional = catalog_selectors.deadline_after(today, rules()["reply_working_days"])
        report.status = Report.Status.ASSIGNED
        report.due_on, report.due_provisional, report.next_check_on = due_on, provisional, None
        report.flag, report.flag_changed_at, report.flag_notified_at = Report.Flag.NONE, now, now
        report.resolution, report.matter_done, report.resolved_at, report.resolved_by = "", None, None, None
        report.followed_up_at, report.followed_up_by, report.reached, report.satisfied = None, None, None, None
        report.save(
            update_fields=[
                "status",
                "due_on",
                "due_provisional",
                "next_check_on",
                "flag",
                "flag_changed_at",
                "flag_notified_at",
                "resolution",
                "matter_done",
                "resolved_at",
                "resolved_by",
                "followed_up_at",
                "followed_up_by",
                "reached",
                "satisfied",
            ]
        )
        codes = [d.code for d in departments]
        _record(
            report,
            ReportEvent.Kind.REOPENED,
            actor=actor,
            at=now,
            note=reason,
            summary=_("重新转派“办不成事”反映 %(number)s") % {"number": report.number},
            data={**previous, "departments": codes, "due_on": due_on.isoformat()},
        )
        all_codes = sorted({a.department.code for a in report.assignments.select_related("department")})
        outbox.enqueue("feedback.tasks_reports.report_assigned_notify", report.pk, all_codes, reopened=now.isoformat())
    return report


# --- Messages ----------------------------------------------------------------------------------


def report_assigned_notify(report_id: int, department_codes: list[str], *, reopened: str = "") -> int:
    """Tell the chief representatives of the departments at the hall that a report was assigned
    to them (the task, after the assignment committed), or sent back to them (``reopened``: the
    time of the 重新转派, part of the message's key). No personal data in the message."""
    report = Report.objects.select_related("hall", "category").filter(pk=report_id).first()
    if report is None:
        return 0
    department_ids = Department.objects.filter(code__in=department_codes).values_list("pk", flat=True)
    chiefs = selectors_reports.chiefs_at(report.hall_id, department_ids)
    to = sorted({username for usernames in chiefs.values() for username in usernames})
    if not to:
        logger.warning("report %s assigned: no chief representative to notify", report.number)
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        notifications.notify(
            recipients=to,
            subject=_("“办不成事”反映转派：%(number)s") % {"number": report.number},
            body=_("%(hall)s转派给本部门的“办不成事”反映 %(number)s（%(category)s），请于 %(due)s 前办结并答复。")
            % {
                "hall": report.hall.name,
                "number": report.number,
                "category": report.category.name,
                "due": report.due_on.isoformat(),
            },
            data={
                "kind": "report_assigned",
                "report": report.number,
                "idempotency_key": f"report-assigned:{report.pk}:{','.join(sorted(department_codes))}"
                + (f":reopened:{reopened}" if reopened else ""),
            },
        )
    return len(to)


# --- The flag job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagResult:
    run_id: str
    turned_red: int
    turned_yellow: int
    settled: int
    taken_over: int
    messages: int
    failed: int


def yellow_until(today: dt.date) -> dt.date:
    """The last reply deadline that is "near" today."""
    return catalog_selectors.deadline_after(today, rules()["yellow_working_days"])[0]


def flag_of(due_on: dt.date, *, today: dt.date, near: dt.date) -> str:
    """Red past the deadline (its own day is still in time), yellow within the last working days."""
    if due_on < today:
        return Report.Flag.RED
    if due_on <= near:
        return Report.Flag.YELLOW
    return Report.Flag.NONE


def report_flags_run(*, now: dt.datetime | None = None) -> FlagResult:
    """Flag the open reports near (yellow) and past (red) their reply deadline, in a fixed number
    of set-based statements over the partial index of open reports (as cases/warnings.py): each
    ``UPDATE`` re-checks its condition on the row it changes, so two runs never turn the same
    report twice; the supervisors covering the hall are told once per change of colour."""
    now = _now(now)
    today = local_date(now)
    run_id = uuid.uuid4().hex
    near = yellow_until(today)
    open_reports = Report.objects.filter(status__in=REPORT_OPEN_STATUSES)
    changed = {"flag_changed_at": now, "flag_run": run_id, "flag_notified_at": None}
    red = open_reports.filter(flag__in=["", "yellow"], due_on__lt=today).update(flag="red", **changed)
    yellow = open_reports.filter(flag__in=["", "red"], due_on__gte=today, due_on__lte=near).update(
        flag="yellow", **changed
    )
    # A deadline moved later (a calendar correction): back to normal, nothing to tell.
    settled = open_reports.filter(flag__in=["yellow", "red"], due_on__gt=near).update(
        flag="", flag_changed_at=now, flag_notified_at=now
    )
    lease = dt.timedelta(minutes=rules()["warning_lease_minutes"])
    taken_over = open_reports.filter(
        ~Q(flag=""), flag_notified_at__isnull=True, flag_changed_at__lt=now - lease
    ).update(flag_run=run_id, flag_changed_at=now)
    if red or yellow or settled:
        # The halls' live dashboards count the flags (every row turned now carries ``now``).
        turned = open_reports.filter(flag_changed_at=now).values_list("hall_id", flat=True).distinct()
        dashboard_poll.dashboard_changed_on_commit(*turned)
    messages = failed = 0
    if red or yellow or taken_over:
        messages, failed = _notify_flags(run_id, now)
    return FlagResult(run_id, red, yellow, settled, taken_over, messages, failed)


NOTIFY_LISTED = 20


def _notify_flags(run_id: str, now: dt.datetime) -> tuple[int, int]:
    rows = (
        Report.objects.filter(flag_run=run_id, flag_notified_at__isnull=True)
        .exclude(flag="")
        .values_list("hall_id", "flag", "number", "due_on", "hall__name")
        .order_by("hall_id", "flag", "due_on", "pk")
    )
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for hall_id, flag, number, due_on, hall_name in rows:
        entry = groups.setdefault((hall_id, flag), {"hall": hall_name, "reports": [], "total": 0})
        entry["total"] += 1
        if len(entry["reports"]) < NOTIFY_LISTED:
            entry["reports"].append((number, due_on))
    if not groups:
        return 0, 0
    supervisors: dict[int | None, list[str]] = {}
    for username, hall_id in (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.SUPERVISOR)
        .filter(Q(staff_profile__hall__isnull=True) | Q(staff_profile__hall_id__in={h for h, _f in groups}))
        .values_list("username", "staff_profile__hall_id")
        .order_by("username")
        .distinct()
    ):
        supervisors.setdefault(hall_id, []).append(username)
    sent: list[tuple[int, str]] = []
    failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for key, entry in groups.items():
            hall_id, flag = key
            to = sorted(set(supervisors.get(hall_id, [])) | set(supervisors.get(None, [])))
            if not to:
                sent.append(key)  # the lists show them; nobody to tell
                continue
            listed = "；".join(f"{number}（{due:%Y-%m-%d}）" for number, due in entry["reports"])
            if flag == Report.Flag.RED:
                subject = _("“办不成事”反映超期未答复：%(hall)s %(n)s件") % {"hall": entry["hall"], "n": entry["total"]}
                body = _("%(n)s件反映已超过答复期限：%(list)s。请督促责任部门尽快办结。") % {
                    "n": entry["total"],
                    "list": listed,
                }
            else:
                subject = _("“办不成事”反映临近答复期限：%(hall)s %(n)s件") % {
                    "hall": entry["hall"],
                    "n": entry["total"],
                }
                body = _("%(n)s件反映距答复期限不足%(days)s个工作日：%(list)s。") % {
                    "n": entry["total"],
                    "days": rules()["yellow_working_days"],
                    "list": listed,
                }
            try:
                notifications.notify(
                    recipients=to,
                    subject=subject,
                    body=body,
                    data={"kind": "report_flag", "colour": flag, "hall": hall_id, "total": entry["total"]},
                )
            except Exception:
                logger.exception("report flags %s: notification failed, a later run retries it", run_id)
                failed += 1
            else:
                sent.append(key)
    if sent:
        which = Q()
        for hall_id, flag in sent:
            which |= Q(hall_id=hall_id, flag=flag)
        Report.objects.filter(which, flag_run=run_id, flag_notified_at__isnull=True).update(flag_notified_at=now)
    return len(groups) - failed, failed
