"""Every write of staffing: secondments (派驻人员) and their chief representatives, training and
skill levels, conduct incidents, and attendance from the windows' sign-ins and sign-outs.

Each service is one transaction, audited, and raises ``StaffingError`` (a ``DomainError``) that
the pages and the API turn into a clear message. Rules on stored fields (the tenure reason, one
active chief per department and hall) are the model's ``clean`` and constraints, checked here
with ``full_clean`` so the admin, the pages and the API refuse alike; the partial unique index
settles two requests racing for the same chief post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncTime
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case
from catalog.models import Department, Hall
from feedback.models import RectificationOrder, Report
from queueing.models import QueueCategory, Ticket
from servicehall import notifications, roles
from servicehall.access import AnyUser, acts_as_chief, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import SHANGHAI, local_date, local_now
from servicehall.errors import DomainError
from servicehall.models import StaffProfile
from staffing import workload
from staffing.models import AttendanceRecord, ConductIncident, Secondment, SurgeFlag, TrainingRecord

logger = logging.getLogger(__name__)

DESCRIPTION_MIN_CHARS = 10


class StaffingError(DomainError):
    pass


def _raise_validation(exc: ValidationError) -> None:
    """The first message of a model validation as a ``StaffingError`` naming its field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0]
        raise StaffingError(message, field=None if field == "__all__" else field, code="invalid") from exc
    raise StaffingError(exc.messages[0]) from exc


_ROLE_GROUPS = {
    Secondment.Role.WINDOW_STAFF: roles.WINDOW_STAFF,
    Secondment.Role.CHIEF: roles.CHIEF_REPRESENTATIVE,
    Secondment.Role.SUPERVISOR: roles.SUPERVISOR,
}


def sync_kernel(secondment: Secondment) -> None:
    """An active secondment is where the person works: the kernel's profile (hall, sending
    department, staff number: the scope every access check reads) and their role group follow
    it, so a chief representative's secondment makes them the department's chief and ending it
    takes the post away."""
    user = secondment.user
    counter_groups = {roles.WINDOW_STAFF, roles.CHIEF_REPRESENTATIVE}
    if secondment.status == Secondment.Status.ACTIVE:
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "hall_id": secondment.hall_id,
                "department_id": secondment.department_id,
                "staff_number": secondment.staff_number,
            },
            create_defaults={
                "hall_id": secondment.hall_id,
                "department_id": secondment.department_id,
                "staff_number": secondment.staff_number,
                "display_name": user.get_full_name() or user.get_username(),
            },
        )
        wanted = _ROLE_GROUPS[Secondment.Role(secondment.role)]
        user.groups.remove(*Group.objects.filter(name__in=counter_groups - {wanted}))
        user.groups.add(Group.objects.get_or_create(name=wanted)[0])
    elif secondment.role == Secondment.Role.CHIEF:
        user.groups.remove(*Group.objects.filter(name=roles.CHIEF_REPRESENTATIVE))
    for memo in ("_staff_scope", "_staff_profile", "_chief_verdicts"):
        user.__dict__.pop(memo, None)


def _save(secondment: Secondment) -> Secondment:
    try:
        secondment.full_clean()
    except ValidationError as exc:
        _raise_validation(exc)
    try:
        with transaction.atomic():
            secondment.save()
    except IntegrityError as exc:
        # Lost a race for the same post: the partial unique index refused the second one. Which
        # one is asked of the database: SQLite's message names the columns, not the index.
        chief_taken = (
            secondment.role == Secondment.Role.CHIEF
            and secondment.status == Secondment.Status.ACTIVE
            and Secondment.objects.filter(
                hall_id=secondment.hall_id, department_id=secondment.department_id, role="chief", status="active"
            )
            .exclude(pk=secondment.pk)
            .exists()
        )
        if chief_taken or "staffing_one_active_chief" in str(exc):
            raise StaffingError(
                _("该部门在该大厅已有在岗的首席事务代表：请先结束其派驻或改任其他岗位。"),
                field="role",
                code="chief_taken",
                status=409,
            ) from exc
        raise StaffingError(_("该人员已有在岗的派驻记录：请先结束原派驻。"), code="duplicate", status=409) from exc
    return secondment


def _require_manager(actor: AnyUser, hall: Hall) -> None:
    """The hall's management department (or a citywide supervisor, an administrator) manages its
    seconded staff (Art. 8 ¶1)."""
    scope = staff_scope(actor)
    if not (scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(hall.pk)):
        raise StaffingError(_("只有该大厅的政务服务管理部门可以管理派驻人员。"), code="permission_denied", status=403)


def secondment_create(
    *,
    actor: AnyUser,
    user: Any,
    staff_number: str,
    department: Department,
    hall: Hall,
    role: str,
    seconded_from: dt.date,
    seconded_until: dt.date | None = None,
    status: str = Secondment.Status.ACTIVE,
    short_tenure_reason: str = "",
) -> Secondment:
    """Record a secondment; an active one becomes where the person works (``sync_kernel``)."""
    _require_manager(actor, hall)
    staff_number = staff_number.strip()
    if not staff_number:
        raise StaffingError(_("请填写工号。"), field="staff_number")
    with transaction.atomic():
        secondment = _save(
            Secondment(
                user=user,
                staff_number=staff_number,
                department=department,
                hall=hall,
                role=role,
                seconded_from=seconded_from,
                seconded_until=seconded_until,
                status=status,
                short_tenure_reason=short_tenure_reason,
            )
        )
        sync_kernel(secondment)
        audit_record(
            actor=actor,
            action="secondment.create",
            target=secondment,
            summary=_("登记派驻人员：%(number)s（%(role)s）")
            % {"number": secondment.staff_number, "role": secondment.get_role_display()},
            details={"hall": hall.code, "department": department.code, "status": status, "role": role},
        )
    return secondment


def secondment_end(*, secondment: Secondment, actor: AnyUser, ended_on: dt.date, reason: str = "") -> Secondment:
    """End a secondment on ``ended_on``; under two years at the hall needs the reason."""
    _require_manager(actor, secondment.hall)
    with transaction.atomic():
        secondment = Secondment.objects.select_for_update().select_related("user", "hall").get(pk=secondment.pk)
        if secondment.status == Secondment.Status.ENDED:
            raise StaffingError(_("该派驻已结束。"), code="ended", status=409)
        if ended_on < secondment.seconded_from:
            raise StaffingError(_("结束日期不能早于派驻起始日。"), field="ended_on")
        secondment.status = Secondment.Status.ENDED
        secondment.seconded_until = ended_on
        if reason.strip():
            secondment.short_tenure_reason = reason.strip()
        _save(secondment)
        sync_kernel(secondment)
        audit_record(
            actor=actor,
            action="secondment.end",
            target=secondment,
            summary=_("结束派驻：%(number)s") % {"number": secondment.staff_number},
            details={"ended_on": ended_on.isoformat(), "short_tenure": secondment.short_tenure},
        )
    return secondment


REFERENCE_MAX_CHARS = ConductIncident._meta.get_field("reference").max_length or 40


def _check_incident_reference(reference: str, *, source: str, hall: Hall, occurred_on: dt.date) -> None:
    """The reference of a complaint or a bad rating names something this system holds: a case
    (办件编号), a "办不成事" report (受理编号), a rectification order (整改单编号) or a queue
    ticket issued at the person's hall on the day. Never truncated: too long is refused."""
    if len(reference) > REFERENCE_MAX_CHARS:
        raise StaffingError(
            _("关联编号最多%(limit)s个字符（当前%(count)s个），请核对后重新填写。")
            % {"limit": REFERENCE_MAX_CHARS, "count": len(reference)},
            field="reference",
        )
    if not reference or source == ConductIncident.Source.OBSERVATION:
        return
    if (
        Case.objects.filter(number=reference).exists()
        or Report.objects.filter(number=reference).exists()
        or RectificationOrder.objects.filter(number=reference).exists()
        or Ticket.objects.filter(hall=hall, service_date=occurred_on, number=reference).exists()
    ):
        return
    raise StaffingError(
        _(
            "关联编号“%(reference)s”不存在：请填写本系统中的办件编号、“办不成事”受理编号、整改单编号，"
            "或发生当日本大厅的排队号；没有编号的请留空。"
        )
        % {"reference": reference},
        field="reference",
    )


def incident_record(
    *,
    secondment: Secondment,
    actor: AnyUser,
    source: str,
    occurred_on: dt.date,
    description: str,
    reference: str = "",
    now: dt.datetime | None = None,
) -> ConductIncident:
    """A supervisor of the person's hall records a breach of the code of conduct (Art. 7 ¶2)."""
    _require_manager(actor, secondment.hall)
    description = description.strip()
    if source not in ConductIncident.Source.values:
        raise StaffingError(_("请从列表中选择来源。"), field="source")
    if occurred_on > local_date(now or timezone.now()):
        raise StaffingError(_("发生日期不能晚于今天。"), field="occurred_on")
    if len(description) < DESCRIPTION_MIN_CHARS:
        raise StaffingError(
            _("请描述具体情况（至少%(count)s个字）。") % {"count": DESCRIPTION_MIN_CHARS}, field="description"
        )
    reference = reference.strip()
    _check_incident_reference(reference, source=source, hall=secondment.hall, occurred_on=occurred_on)
    with transaction.atomic():
        incident = ConductIncident.objects.create(
            secondment=secondment,
            source=source,
            occurred_on=occurred_on,
            description=description,
            reference=reference,
            recorded_by=signed_in(actor),
        )
        audit_record(
            actor=actor,
            action="conduct_incident.record",
            target=incident,
            summary=_("记录违反行为规范：%(number)s（%(source)s）")
            % {"number": secondment.staff_number, "source": incident.get_source_display()},
            details={"secondment": secondment.pk, "source": source},
        )
    return incident


# --- Pre-job education and attendance (queueing.hooks) ---------------------------------------


def sign_in_refusal(*, staff: Any, window: Any) -> str | None:
    """A clerk with a secondment record but no pre-job education (岗前教育, Art. 7 ¶2) may not
    sign in at a window. Staff without any secondment record are not judged here: their
    records have not been entered yet (an installation before staffing); the roster flags them."""
    pk = getattr(staff, "pk", None)
    if pk is None or not Secondment.objects.filter(user_id=pk).exclude(status=Secondment.Status.ENDED).exists():
        return None
    if TrainingRecord.objects.filter(user_id=pk, kind=TrainingRecord.Kind.PRE_JOB).exists():
        return None
    return _("尚未完成岗前教育，不能在窗口签到：请联系大厅管理部门安排岗前教育并登记培训记录。")


def attendance_open(*, window: Any, staff_id: int, at: dt.datetime) -> AttendanceRecord:
    """A sign-in at ``window``: a spell there begins (one open at a time; re-signing in at the
    same window keeps the spell, signing in elsewhere closes the other as ``moved``)."""
    current = AttendanceRecord.objects.select_for_update().filter(user_id=staff_id, signed_out_at__isnull=True).first()
    if current is not None:
        if current.window_id == window.pk:
            return current
        current.signed_out_at, current.sign_out_cause = at, "moved"
        current.save(update_fields=["signed_out_at", "sign_out_cause"])
    return AttendanceRecord.objects.create(
        user_id=staff_id, hall_id=window.hall_id, window=window, window_label=_zh(window)[:40], signed_in_at=at
    )


def _zh(value: Any) -> str:
    """The text stored for the record, in the interface's own language whatever the request's."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(value)


def attendance_close(*, staff_id: int, at: dt.datetime, cause: str) -> int:
    """A sign-out (however it came: signed out, logged out, session expired, moved, closed by a
    supervisor): the open spell ends."""
    return AttendanceRecord.objects.filter(user_id=staff_id, signed_out_at__isnull=True).update(
        signed_out_at=at, sign_out_cause=cause[:20]
    )


def on_window_signed_in(sender: Any, window: Any, staff_id: int, at: dt.datetime, **kwargs: Any) -> None:
    attendance_open(window=window, staff_id=staff_id, at=at)


def on_window_signed_out(sender: Any, window: Any, staff_id: int, at: dt.datetime, cause: str, **kwargs: Any) -> None:
    attendance_close(staff_id=staff_id, at=at, cause=cause)


def chief_check(user_id: int, hall_id: int, department_id: int) -> bool | None:
    """``servicehall.access.acts_as_chief``: the active chief secondment names the chief of the
    department at the hall; without one, staffing has no say (the role and profile decide)."""
    chief = (
        Secondment.objects.filter(
            hall_id=hall_id, department_id=department_id, role=Secondment.Role.CHIEF, status=Secondment.Status.ACTIVE
        )
        .values_list("user_id", flat=True)
        .first()
    )
    return None if chief is None else chief == user_id


# --- Surges: a request for temporary extra staff (Art. 6 ¶4, Art. 8 ¶1) ----------------------


@dataclass(frozen=True)
class SurgeRun:
    queues_checked: int
    over: int  # queues above the threshold now (flagged before or by this run)
    raised: int  # flags this run created
    notified: int
    notify_failed: int


def _category_departments(category_ids: set[int]) -> dict[int, set[int]]:
    """The departments whose items each queue covers (one query)."""
    rows = (
        QueueCategory.items.through.objects.filter(queuecategory_id__in=category_ids)
        .values_list("queuecategory_id", "serviceitem__department_id")
        .distinct()
        .order_by()
    )
    departments: dict[int, set[int]] = defaultdict(set)
    for category_id, department_id in rows:
        departments[category_id].add(department_id)
    return departments


def surge_detect(*, now: dt.datetime | None = None, told_at: dt.datetime | None = None) -> SurgeRun:
    """Compare each queue's tickets today up to ``now`` with the mean of the same weekday's last
    four comparable days in the calendar (working days; holidays skipped) up to the same time of
    day; a queue above ``STAFFING_SURGE["threshold"]``
    (and with at least ``min_arrivals`` today) gets one flag for the day, and the department's
    chief representative at the hall and the hall's supervisors are told once.

    Set-based: one read of the calendar, two aggregates over the tickets, one read of the queues' departments, one insert
    (the unique (hall, queue, date) constraint drops a flag another run made first), one claim of
    the flags nobody has told about yet and one read of their recipients, whatever the number of
    halls and queues. A queue with no tickets in the four weeks has no baseline and is not judged.

    ``told_at`` is when the messages go out (``now`` unless the day judged is a past one, as the
    demo's is): a flag of another day than that one is named by its date, never "今日".
    """
    now = now or timezone.now()
    today = local_date(now)
    until = local_now(now).time()
    conf = workload.surge_settings()
    threshold, min_arrivals = float(conf["threshold"]), int(conf["min_arrivals"])
    # The same weekday's last four *comparable* days in the calendar: a holiday is skipped, a
    # make-up workday compares with working Mondays (``workload.comparable_days``).
    days = workload.comparable_days_for(today, today=today)
    if not days:
        return SurgeRun(queues_checked=0, over=0, raised=0, notified=0, notify_failed=0)
    current = {
        (row["hall_id"], row["category_id"]): row["n"]
        for row in Ticket.objects.filter(service_date=today, issued_at__lte=now)
        .values("hall_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    past = {
        (row["hall_id"], row["category_id"]): row["n"]
        for row in Ticket.objects.filter(service_date__in=days)
        .annotate(local_time=TruncTime("issued_at", tzinfo=SHANGHAI))
        .filter(local_time__lte=until)
        .values("hall_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    over = {}
    for key, arrivals in current.items():
        baseline = past.get(key, 0) / len(days)
        if baseline > 0 and arrivals >= min_arrivals and arrivals > baseline * (1 + threshold):
            over[key] = (arrivals, baseline)
    if over:
        departments = _category_departments({category_id for _hall, category_id in over})
        SurgeFlag.objects.bulk_create(
            [
                SurgeFlag(
                    hall_id=hall_id,
                    category_id=category_id,
                    department_id=next(iter(departments[category_id])) if len(departments[category_id]) == 1 else None,
                    date=today,
                    checked_until=until.replace(microsecond=0),
                    arrivals=arrivals,
                    baseline=round(baseline, 2),
                    baseline_days=len(days),
                    ratio=round(arrivals / baseline - 1, 4),
                    raised_at=now,
                )
                for (hall_id, category_id), (arrivals, baseline) in over.items()
            ],
            ignore_conflicts=True,
        )
    # The insert cannot say which rows it made: the claim reads them back, ours by their time.
    claimed = _claim_surges(day=today, now=now)
    raised = sum(1 for flag in claimed if flag.raised_at == now)
    told_on = local_date(told_at or now)
    notified, failed = _notify_surges(claimed, now=now, told_on=told_on) if claimed else (0, 0)
    return SurgeRun(queues_checked=len(current), over=len(over), raised=raised, notified=notified, notify_failed=failed)


def _claim_surges(*, day: dt.date, now: dt.datetime) -> list[SurgeFlag]:
    """The day's flags nobody has told about, marked as told by this run: rows another run holds
    are skipped, so each flag is sent by exactly one run."""
    with transaction.atomic():
        ids = list(
            SurgeFlag.objects.select_for_update(skip_locked=True)
            .filter(date=day, notified_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        SurgeFlag.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now)
    return list(SurgeFlag.objects.filter(pk__in=ids).select_related("hall", "category", "department").order_by("pk"))


def _surge_recipients(flags: list[SurgeFlag]) -> dict[tuple[int | None, int | None], list[str]]:
    """Usernames per (hall, department) of the chief representatives (the active chief
    secondment where there is one, else the role and profile), per (hall, None) of the hall's
    supervisors, and under (None, None) the citywide supervisors (a profile without a hall), who
    get the run's digest. Two queries."""
    hall_ids = {flag.hall_id for flag in flags}
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(staff_profile__hall_id__in=hall_ids)
            | Q(staff_profile__isnull=False, staff_profile__hall__isnull=True, groups__name=roles.SUPERVISOR)
        )
    )
    by_key: dict[tuple[int | None, int | None], list[str]] = defaultdict(list)
    chiefs = Secondment.objects.filter(
        hall_id__in=hall_ids, role=Secondment.Role.CHIEF, status=Secondment.Status.ACTIVE, user__is_active=True
    ).values_list("hall_id", "department_id", "user__username")
    seconded = set()
    for hall_id, department_id, username in chiefs:
        by_key[(hall_id, department_id)].append(username)
        seconded.add((hall_id, department_id))
    rows = (
        users.filter(groups__name__in=[roles.SUPERVISOR, roles.CHIEF_REPRESENTATIVE])
        .values_list("username", "staff_profile__hall_id", "staff_profile__department_id", "groups__name")
        .order_by("username")
        .distinct()
    )
    for username, hall_id, department_id, group in rows:
        if group == roles.SUPERVISOR:
            by_key[(hall_id, None)].append(username)
        elif hall_id is not None and (hall_id, department_id) not in seconded:
            by_key[(hall_id, department_id)].append(username)
    return by_key


def _surge_day(flag: SurgeFlag) -> str:
    return formats.date_format(flag.date, "MONTH_DAY_FORMAT")


def _surge_values(flag: SurgeFlag) -> dict[str, object]:
    """What a flag's messages say of it (the flag's own message and the citywide digest's line)."""
    return {
        "time": flag.checked_until.strftime("%H:%M"),
        "hall": flag.hall.display_name,
        "letter": flag.category.letter,
        "name": flag.category.name,
        "arrivals": flag.arrivals,
        # The pages' rounding (``floatformat:1``, half up: 10.25 is 10.3), not ``round`` (half to
        # even on the float: 10.2); the percentage is the flag's, from the exact mean
        # (``SurgeFlag.increase_percent``).
        "baseline": floatformat(flag.baseline, 1),
        "days": flag.baseline_days,
        "percent": flag.increase_percent,
        "date": _surge_day(flag),
    }


def _surge_message(flag: SurgeFlag, *, told_on: dt.date) -> tuple[str, str]:
    """The subject and body of one flag's message: "今日" when it is sent the day it was raised,
    else the day named (a flag read the next morning must not pass for that morning's)."""
    values = _surge_values(flag)
    if flag.date == told_on:
        subject = _("客流激增：%(hall)s %(letter)s类（%(name)s）今日取号较近四周同期增加%(percent)s%%")
        body = _(
            "截至%(time)s，%(hall)s %(letter)s类今日取号%(arrivals)s人，"
            "此前%(days)s个可比工作日（同一星期几，跳过节假日）同一时段平均%(baseline)s人，"
            "增加%(percent)s%%。请派出单位研究是否临时增派窗口人员，并在“客流激增提示”中登记处理结果"
            "（《广州市政务服务条例》第六条第四款、第八条第一款）。"
        )
    else:
        subject = _("客流激增：%(hall)s %(letter)s类（%(name)s）%(date)s取号较近四周同期增加%(percent)s%%")
        body = _(
            "%(date)s截至%(time)s，%(hall)s %(letter)s类当日取号%(arrivals)s人，"
            "此前%(days)s个可比工作日（同一星期几，跳过节假日）同一时段平均%(baseline)s人，"
            "增加%(percent)s%%。请派出单位研究是否临时增派窗口人员，并在“客流激增提示”中登记处理结果"
            "（《广州市政务服务条例》第六条第四款、第八条第一款）。"
        )
    return subject % values, body % values


def _notify_surges(flags: list[SurgeFlag], *, now: dt.datetime, told_on: dt.date) -> tuple[int, int]:
    recipients = _surge_recipients(flags)
    departments = _category_departments({flag.category_id for flag in flags})
    notified = failed = 0
    released: set[int] = set()
    with translation.override(settings.LANGUAGE_CODE):
        for flag in flags:
            to = set(recipients.get((flag.hall_id, None), []))
            for department_id in departments.get(flag.category_id, set()):
                to |= set(recipients.get((flag.hall_id, department_id), []))
            if not to:
                logger.warning("surge flag %s (%s): nobody to notify", flag.pk, flag.hall.code)
                continue
            subject, body = _surge_message(flag, told_on=told_on)
            try:
                notifications.notify(
                    recipients=sorted(to),
                    subject=subject,
                    body=body,
                    data={
                        "kind": "surge_flag",
                        "flag": flag.pk,
                        "hall": flag.hall.code,
                        "category": flag.category.letter,
                    },
                )
            except Exception:
                # The gateway refused: released, so that the next run (minutes later) tries again.
                logger.exception("surge flag %s: notification failed, will retry", flag.pk)
                SurgeFlag.objects.filter(pk=flag.pk, notified_at=now).update(notified_at=None)
                released.add(flag.pk)
                failed += 1
            else:
                notified += 1
        # The citywide supervisors (管理部门 for the whole city) get one digest of the run's
        # surges, every hall's, instead of one message per hall and queue. A flag whose hall's
        # message failed was released above: it comes back, and into the digest, with the next run.
        told = [flag for flag in flags if flag.pk not in released]
        citywide = sorted(set(recipients.get((None, None), [])))
        if told and citywide:
            _notify_surge_digest(told, recipients=citywide, told_on=told_on)
    return notified, failed


def _notify_surge_digest(flags: list[SurgeFlag], *, recipients: list[str], told_on: dt.date) -> None:
    """One message to the citywide supervisors naming each flag of the run (hall, queue, figures
    and when they were taken). At most once per set of flags (the idempotency key); a refused
    digest is logged, not retried: each flag is on the roster and the surge list meanwhile."""
    halls = sorted({flag.hall.display_name for flag in flags})
    past = sorted({flag.date for flag in flags if flag.date != told_on})
    if not past:
        subject = ngettext(
            "客流激增汇总：%(halls)s共%(n)s个排队类别今日取号明显增加",
            "客流激增汇总：%(halls)s共%(n)s个排队类别今日取号明显增加",
            len(flags),
        ) % {"halls": "、".join(halls), "n": len(flags)}
    else:
        subject = ngettext(
            "客流激增汇总：%(halls)s共%(n)s个排队类别%(date)s取号明显增加",
            "客流激增汇总：%(halls)s共%(n)s个排队类别%(date)s取号明显增加",
            len(flags),
        ) % {
            "halls": "、".join(halls),
            "n": len(flags),
            "date": "、".join(formats.date_format(day, "MONTH_DAY_FORMAT") for day in past),
        }
    lines = []
    for flag in flags:
        line = (
            _(
                "截至%(time)s，%(hall)s %(letter)s类（%(name)s）今日取号%(arrivals)s人，"
                "较可比工作日同一时段平均%(baseline)s人增加%(percent)s%%。"
            )
            if flag.date == told_on
            else _(
                "%(date)s截至%(time)s，%(hall)s %(letter)s类（%(name)s）当日取号%(arrivals)s人，"
                "较可比工作日同一时段平均%(baseline)s人增加%(percent)s%%。"
            )
        )
        lines.append(line % _surge_values(flag))
    lines.append(_("各大厅的首席事务代表和大厅管理部门已分别收到提示；处理结果在“客流激增提示”中登记。"))
    ids = ",".join(str(flag.pk) for flag in flags)
    try:
        notifications.notify(
            recipients=recipients,
            subject=subject,
            body="\n".join(lines),
            data={
                "kind": "surge_digest",
                "flags": [flag.pk for flag in flags],
                "halls": sorted({flag.hall.code for flag in flags}),
                "idempotency_key": "surge-digest-" + hashlib.sha256(ids.encode()).hexdigest()[:16],
            },
        )
    except Exception:
        logger.exception("surge digest of flags %s: notification failed", ids)


EXTRA_STAFF_MAX = 50


def surge_handle(
    *,
    flag: SurgeFlag,
    actor: AnyUser,
    decision: str,
    extra_staff: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SurgeFlag:
    """Record what was decided on a surge: 增派 N 人 or 无需增派 (with the reason). A supervisor of
    the hall or a chief representative of a department the queue covers; once."""
    scope = staff_scope(actor)
    if not (scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(flag.hall_id)):
        departments = _category_departments({flag.category_id}).get(flag.category_id, set())
        if flag.department_id is not None:
            departments.add(flag.department_id)
        if not any(acts_as_chief(actor, flag.hall_id, department_id) for department_id in departments):
            raise StaffingError(
                _("只有该大厅的政务服务管理部门或相关部门的首席事务代表可以处理。"),
                code="permission_denied",
                status=403,
            )
    note = note.strip()
    if decision not in SurgeFlag.Decision.values:
        raise StaffingError(_("请选择处理结果。"), field="decision")
    if decision == SurgeFlag.Decision.EXTRA_STAFF:
        if extra_staff is None or not 1 <= extra_staff <= EXTRA_STAFF_MAX:
            raise StaffingError(_("增派人数须为1至%(max)s之间的整数。") % {"max": EXTRA_STAFF_MAX}, field="extra_staff")
    else:
        extra_staff = None
        if len(note) < 2:
            raise StaffingError(_("无需增派的，请写明理由。"), field="note")
    if len(note) > 300:
        raise StaffingError(_("处理说明最多300个字。"), field="note")
    now = now or timezone.now()
    with transaction.atomic():
        # Conditional: of two people handling the same flag at once, the second is told.
        updated = SurgeFlag.objects.filter(pk=flag.pk, status=SurgeFlag.Status.OPEN).update(
            status=SurgeFlag.Status.HANDLED,
            decision=decision,
            extra_staff=extra_staff,
            note=note,
            handled_by=signed_in(actor),
            handled_at=now,
        )
        if not updated:
            raise StaffingError(_("该提示已处理。"), code="handled", status=409)
        flag.refresh_from_db()
        audit_record(
            actor=actor,
            action="surge_flag.handle",
            target=flag,
            summary=_("处理客流激增提示：%(decision)s") % {"decision": flag.get_decision_display()},
            details={"decision": decision, "extra_staff": extra_staff, "hall": flag.hall_id, "date": str(flag.date)},
        )
    return flag


# --- Conduct incidents from feedback (Art. 7 ¶2; REQUIREMENTS §9) ----------------------------


def _secondment_at(user_id: int, hall_id: int, day: dt.date) -> Secondment | None:
    """The person's secondment at the hall on ``day``: the one covering that day, else their
    active one there (a rating read late, a secondment entered after the fact)."""
    rows = list(
        Secondment.objects.select_related("hall", "department", "user__staff_profile").filter(
            user_id=user_id, hall_id=hall_id
        )
    )

    def covers(row: Secondment) -> bool:
        return row.seconded_from <= day and (row.seconded_until is None or day <= row.seconded_until)

    covering = [row for row in rows if covers(row) and row.status != Secondment.Status.PLANNED]
    active = [row for row in rows if row.status == Secondment.Status.ACTIVE]
    found = covering or active
    return found[0] if found else None


def _linked_incident(
    *,
    secondment: Secondment,
    actor: AnyUser,
    source: str,
    occurred_on: dt.date,
    description: str,
    reference: str,
    duplicate: str,
    link: dict[str, Any],
) -> ConductIncident:
    """Record an incident linked to feedback (``link``: the fields that make it a duplicate)."""
    description = description.strip()
    if len(description) < DESCRIPTION_MIN_CHARS:
        raise StaffingError(
            _("请描述具体情况（至少%(count)s个字）。") % {"count": DESCRIPTION_MIN_CHARS}, field="description"
        )
    if ConductIncident.objects.filter(**link).exists():
        raise StaffingError(duplicate, code="duplicate", status=409)
    try:
        with transaction.atomic():
            incident = ConductIncident.objects.create(
                **{"secondment": secondment, **link},
                source=source,
                occurred_on=occurred_on,
                description=description,
                reference=reference,
                recorded_by=signed_in(actor),
            )
            audit_record(
                actor=actor,
                action="conduct_incident.record",
                target=incident,
                summary=_("记录违反行为规范：%(number)s（%(source)s）")
                % {"number": secondment.staff_number, "source": incident.get_source_display()},
                details={"secondment": secondment.pk, "source": source, "reference": reference},
            )
    except IntegrityError as exc:
        # Two supervisors recording the same order or report at once: the unique index settles it.
        raise StaffingError(duplicate, code="duplicate", status=409) from exc
    return incident


def incident_from_order(
    *, order: RectificationOrder, actor: AnyUser, description: str, now: dt.datetime | None = None
) -> ConductIncident:
    """A bad rating's rectification order found valid on verification becomes a conduct incident
    of the rated clerk (source 差评, reference the order's number), once per order."""
    _require_manager(actor, order.hall)
    if order.verification_valid is not True or order.status == RectificationOrder.Status.OVERTURNED:
        raise StaffingError(
            _("只有核实属实（且未因申诉撤销）的差评整改单可以记录行为问题（整改单当前状态：%(status)s）。")
            % {"status": order.get_status_display()},
            code="not_valid",
            status=409,
        )
    rating = order.rating
    if rating.staff_id is None:
        raise StaffingError(_("该差评没有记录被评价的工作人员，不能据此记录行为问题。"), code="no_staff", status=409)
    occurred_on = local_date(rating.served_at or rating.rated_at)
    secondment = _secondment_at(rating.staff_id, order.hall_id, occurred_on)
    if secondment is None:
        raise StaffingError(
            _("被评价的工作人员在%(hall)s没有派驻记录：请先在花名册登记其派驻，再记录行为问题。")
            % {"hall": order.hall.name},
            code="no_secondment",
            status=409,
        )
    if occurred_on > local_date(now or timezone.now()):
        raise StaffingError(_("发生日期不能晚于今天。"), field="occurred_on")
    return _linked_incident(
        secondment=secondment,
        actor=actor,
        source=ConductIncident.Source.BAD_RATING,
        occurred_on=occurred_on,
        description=description,
        reference=order.number,
        duplicate=_("整改单%(number)s已记录行为问题，不能重复记录。") % {"number": order.number},
        link={"rectification_order": order},
    )


def incident_from_report(
    *, report: Report, secondment: Secondment | None, actor: AnyUser, description: str
) -> ConductIncident:
    """A "办不成事" report or complaint about a clerk of the report's hall becomes a conduct
    incident of theirs (source 投诉, reference the report's number, on the day of the visit),
    once per report and person."""
    _require_manager(actor, report.hall)
    if secondment is None:
        raise StaffingError(_("请选择被反映的工作人员。"), field="secondment")
    if secondment.hall_id != report.hall_id or secondment.status == Secondment.Status.PLANNED:
        raise StaffingError(
            _("所选人员不是%(hall)s的在岗或曾在岗派驻人员：请选择该反映所在大厅的工作人员。")
            % {"hall": report.hall.name},
            field="secondment",
        )
    return _linked_incident(
        secondment=secondment,
        actor=actor,
        source=ConductIncident.Source.COMPLAINT,
        occurred_on=report.tried_on,
        description=description,
        reference=report.number,
        duplicate=_("反映%(number)s已对%(staff)s记录行为问题，不能重复记录。")
        % {"number": report.number, "staff": secondment.staff_number},
        link={"report": report, "secondment": secondment},
    )
