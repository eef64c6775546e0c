"""Demo staffing: the demo staff's secondments (one of them planned for under two years, with
its reason), their pre-job education (so they sign in at the windows as before), skill levels
and the published code of conduct; one open replacement request and last year's assessment
proposals (dual management); one conduct incident recorded from a bad rating's rectification
order found valid. Made through the services by the demo administrator; creates each only when
it does not exist yet, so `make run` can call it every time.

For the window planner and surge detection (``workload``): five weeks of served tickets and
window sign-ins at the city centre, so any day of the coming week has its four same weekdays to
forecast from, and one queue (A, the police's) busier than usual on the latest working day, which
the surge job flags. Made only when nobody has signed in at the centre before today yet."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Department, Hall
from feedback.models import RectificationOrder
from queueing.models import QueueCategory, Ticket, Window
from servicehall.clock import SHANGHAI, local_date, local_now
from staffing import assessments, replacements, services, workload
from staffing.models import (
    AssessmentProposal,
    AttendanceRecord,
    ConductCode,
    ConductIncident,
    ReplacementRequest,
    Secondment,
    SkillCertification,
    TrainingRecord,
)

# username -> (hall, department, role, staff number, days seconded so far, planned days or None,
# reason if under two years, skill level)
STAFF = {
    "chief_ga": ("GZ-CITY", "GZGA", Secondment.Role.CHIEF, "GZGA-0201", 900, None, "", 2),
    "chief_scjg": ("GZ-CITY", "GZSCJG", Secondment.Role.CHIEF, "GZSCJG-0201", 700, None, "", 2),
    "chief_rsj": ("GZ-CITY", "GZRSJ", Secondment.Role.CHIEF, "GZRSJ-0201", 720, None, "", 2),
    "chief_ybj": ("GZ-CITY", "GZYBJ", Secondment.Role.CHIEF, "GZYBJ-0201", 740, None, "", 2),
    "chief_ghzy": ("GZ-CITY", "GZGHZY", Secondment.Role.CHIEF, "GZGHZY-0201", 760, None, "", 2),
    "chief_gjj": ("GZ-CITY", "GZGJJ", Secondment.Role.CHIEF, "GZGJJ-0201", 780, None, "", 2),
    "chief_mzj": ("GZ-CITY", "GZMZJ", Secondment.Role.CHIEF, "GZMZJ-0201", 800, None, "", 2),
    "chief_wjw": ("GZ-CITY", "GZWJW", Secondment.Role.CHIEF, "GZWJW-0201", 820, None, "", 2),
    "chief_sw": ("GZ-CITY", "GZSW", Secondment.Role.CHIEF, "GZSW-0201", 840, None, "", 2),
    "chief_zjj": ("GZ-CITY", "GZZJJ", Secondment.Role.CHIEF, "GZZJJ-0201", 860, None, "", 2),
    "chief_jtj": ("GZ-CITY", "GZJTJ", Secondment.Role.CHIEF, "GZJTJ-0201", 880, None, "", 2),
    "chief_jyj": ("GZ-CITY", "GZJYJ", Secondment.Role.CHIEF, "GZJYJ-0201", 900, None, "", 2),
    "chief_sfj": ("GZ-CITY", "GZSFJ", Secondment.Role.CHIEF, "GZSFJ-0201", 920, None, "", 2),
    "window01": ("GZ-CITY", "GZGA", Secondment.Role.WINDOW_STAFF, "GZ-W001", 500, None, "", 4),
    "window02": ("GZ-CITY", "GZRSJ", Secondment.Role.WINDOW_STAFF, "GZ-W002", 120, None, "", 5),
    "window_th01": (
        "TH",
        "GZSCJG",
        Secondment.Role.WINDOW_STAFF,
        "TH-W001",
        200,
        540,
        "派出单位机构改革，原岗位人员需于明年调回局机关，已商定由新派驻人员接替。",
        4,
    ),
}

CODE = {
    "title": "广州市政务服务窗口工作人员行为规范",
    "forbidden_phrases": "\n".join(
        [
            "“不知道，问别人去。”",
            "“下班了，明天再来。”",
            "“材料不齐，回去准备好再来。”（未一次性告知所缺材料）",
            "“这不归我管。”",
            "“我已经说过了，你怎么还不明白？”",
        ]
    ),
    "forbidden_behaviours": "\n".join(
        [
            "在岗时玩手机、聊天、吃东西或做与工作无关的事",
            "推诿、刁难服务对象，或以各种理由拒绝受理",
            "收受服务对象的财物或接受宴请",
            "未经允许离开窗口且未放置暂停服务提示",
        ]
    ),
    "dress": "统一着工作服，佩戴工作牌；仪容整洁，发型得体，不浓妆，不佩戴夸张饰品。",
    "discipline": "按时签到签退，不迟到早退；首问负责、一次性告知、限时办结；"
    "离开窗口须签退或放置暂停服务提示；接受服务对象评价和大厅管理部门督查。",
}


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = local_date(now)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[*STAFF, "admin"])}
    halls = {h.code: h for h in Hall.objects.filter(code__in={row[0] for row in STAFF.values()})}
    departments = {d.code: d for d in Department.objects.filter(code__in={row[1] for row in STAFF.values()})}
    if "admin" not in users:
        return {"secondments": 0, "replacements": 0, "proposals": 0, "incidents": 0, **load_workload(now=now)}
    admin = users["admin"]
    made = _load_secondments(users, halls, departments, admin, today)
    if not ConductCode.objects.exists():
        ConductCode.objects.create(**CODE, published_at=now)
    return {
        "secondments": made,
        **_load_dual_management(admin, now),
        "incidents": _incident_from_order(admin, now),
        **load_workload(now=now),
    }


def _load_secondments(users: dict, halls: dict, departments: dict, admin: Any, today: dt.date) -> int:
    made = 0
    # Each person once (a demo loaded before the chief representatives were added gets them).
    seconded = set(Secondment.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    for username, (hall, dept, role, number, served, planned, reason, level) in STAFF.items():
        user = users.get(username)
        if user is None or user.pk in seconded or hall not in halls or dept not in departments:
            continue
        start = today - dt.timedelta(days=served)
        services.secondment_create(
            actor=admin,
            user=user,
            staff_number=number,
            department=departments[dept],
            hall=halls[hall],
            role=role,
            seconded_from=start,
            seconded_until=start + dt.timedelta(days=planned) if planned else None,
            short_tenure_reason=reason,
        )
        TrainingRecord.objects.create(
            user=user,
            kind=TrainingRecord.Kind.PRE_JOB,
            title="窗口工作人员岗前教育",
            completed_on=start - dt.timedelta(days=7),
            hours=24,
            provider="广州市政务服务和数据管理局",
        )
        TrainingRecord.objects.create(
            user=user,
            kind=TrainingRecord.Kind.CONDUCT,
            title="政务服务礼仪与行为规范",
            completed_on=start + dt.timedelta(days=60),
            hours=8,
            provider="广州市政务服务和数据管理局",
        )
        SkillCertification.objects.create(
            user=user, level=level, certified_on=start + dt.timedelta(days=90), certificate_number=f"ZS-{number}"
        )
        made += 1
    return made


# The open replacement request and last year's proposals (dual management, Art. 8), so that the
# supervisors' pages are not empty; each made once (the next load finds them).
REPLACEMENT = (
    "GZ-W001",
    "服务对象反映该同志多次未一次性告知所缺材料，经约谈后仍未改进；请派出单位另派熟悉户政业务的人员接替。",
)
PROPOSALS = {
    "GZGA-0201": (
        AssessmentProposal.Grade.COMPETENT,
        "全年统筹本单位窗口业务，审批急办事项及时，未发生违反行为规范情况。",
    ),
    "GZ-W001": (
        AssessmentProposal.Grade.BASIC,
        "业务熟练，但年内有服务对象反映未一次性告知，服务规范有待加强。",
    ),
}


def _load_dual_management(admin: Any, now: dt.datetime) -> dict[str, int]:
    today = local_date(now)
    year = today.year - 1
    by_number = {
        s.staff_number: s
        for s in Secondment.objects.select_related("hall").filter(
            staff_number__in=[REPLACEMENT[0], *PROPOSALS], status=Secondment.Status.ACTIVE
        )
    }
    made = {"replacements": 0, "proposals": 0}
    target = by_number.get(REPLACEMENT[0])
    if target is not None and not ReplacementRequest.objects.filter(secondment=target).exists():
        replacements.replacement_request(
            secondment=target,
            actor=admin,
            reason=REPLACEMENT[1],
            deadline=replacements.default_deadline(today),
            now=now,
        )
        made["replacements"] += 1
    for number, (grade, justification) in PROPOSALS.items():
        secondment = by_number.get(number)
        if secondment is None or secondment.seconded_from.year > year:
            continue
        if AssessmentProposal.objects.filter(secondment=secondment, year=year).exists():
            continue
        assessments.proposal_save(
            secondment=secondment, actor=admin, year=year, grade=grade, justification=justification, now=now
        )
        made["proposals"] += 1
    return made


# People per opening hour at the city centre by queue letter, on an ordinary day; queue A (户政
# 出入境, the police) gets its surge on the latest working day.
HOURLY = {"A": 4, "B": 5, "C": 3, "D": 2, "E": 2, "F": 1}
HISTORY_WEEKS = 5
# Who was signed in at which window on the past days: (username, window number, morning only).
PAST_SPELLS = (("window01", 4, False), ("window02", 6, True))


def load_workload(*, now: dt.datetime) -> dict[str, int]:
    city = Hall.objects.filter(code="GZ-CITY").first()
    today = local_date(now)
    # The past sign-ins mark a load done (other demos write tickets on past days: the ratings').
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=SHANGHAI)
    if city is None or AttendanceRecord.objects.filter(hall=city, signed_in_at__lt=midnight).exists():
        return {"history_tickets": 0, "surges": 0}
    categories = {c.letter: c for c in QueueCategory.objects.filter(hall=city, letter__in=HOURLY)}
    if not categories:
        return {"history_tickets": 0, "surges": 0}
    rng = random.Random(f"staffing-{today}")  # noqa: S311 - demo data, not security
    check = _surge_moment(city, now)
    rows: list[Ticket] = []
    for back in range(1, HISTORY_WEEKS * 7 + 1):
        day = today - dt.timedelta(days=back)
        hours = workload.day_hours(city, day)
        if hours is None:
            continue
        for start, end in workload.open_periods(hours):
            moment = start
            while moment < end:
                for letter, rate in HOURLY.items():
                    if letter in categories:
                        for _k in range(rng.randint(max(0, rate - 1), rate + 1)):
                            rows.append(
                                _served(
                                    city, categories[letter], moment + dt.timedelta(minutes=rng.randint(0, 59)), rng
                                )
                            )
                moment += dt.timedelta(hours=1)
        _past_spells(city, hours)
    # The surge: on the day checked, queue A took well over its usual number by then (+70 %; the
    # check flags +30 %). Usual as the check counts it: the same weekday's comparable days up to
    # that time, these tickets and those already there (the queue demo's history).
    if "A" in categories and check is not None:
        opens = dt.datetime.combine(check.date(), dt.time(9), tzinfo=SHANGHAI)
        extra = max(12, math.ceil(1.7 * _usual(city, categories["A"], check, rows)))
        step = (check - opens) / (extra + 1)
        rows.extend(_served(city, categories["A"], opens + step * (k + 1), rng) for k in range(extra))
    rows = [row for row in rows if row.issued_at < now]
    for row in rows:  # today's: nobody is served in the future
        row.finished_at = min(row.finished_at or now, now)
        row.started_at = min(row.started_at or now, row.finished_at)
        row.called_at = min(row.called_at or now, row.started_at)
    _number(rows)
    Ticket.objects.bulk_create(rows, batch_size=1000)
    # Judged at the moment checked (perhaps the latest working day's 11:00), told now: a flag of
    # yesterday's is sent as yesterday's, not as "今日".
    surges = services.surge_detect(now=check, told_at=now).raised if check is not None else 0
    return {"history_tickets": len(rows), "surges": surges}


def _usual(hall: Hall, category: QueueCategory, check: dt.datetime, pending: list[Ticket]) -> float:
    """The queue's tickets by the time of day of ``check`` on an average comparable day (as
    ``services.surge_detect`` counts its baseline), the ``pending`` ones not written yet included."""
    days = workload.comparable_days_for(check.date(), today=check.date())
    if not days:
        return 0.0
    until = local_now(check).time()
    stored = sum(
        1
        for issued in Ticket.objects.filter(hall=hall, category=category, service_date__in=days).values_list(
            "issued_at", flat=True
        )
        if local_now(issued).time() <= until
    )
    waiting = sum(
        1
        for row in pending
        if row.category.pk == category.pk and row.service_date in days and local_now(row.issued_at).time() <= until
    )
    return (stored + waiting) / len(days)


def _surge_moment(city: Hall, now: dt.datetime) -> dt.datetime | None:
    """Now, when the centre has been open an hour today; else 11:00 on the latest working day."""
    local = local_now(now)
    hours = workload.day_hours(city, local.date())
    if hours is not None and hours.opens + dt.timedelta(hours=1) <= local and local.time() < dt.time(17):
        return now
    for back in range(1, 15):
        day = local.date() - dt.timedelta(days=back)
        if workload.day_hours(city, day) is not None:
            return dt.datetime.combine(day, dt.time(11), tzinfo=SHANGHAI)
    return None


def _served(hall: Hall, category: QueueCategory, issued: dt.datetime, rng: random.Random) -> Ticket:
    called = issued + dt.timedelta(minutes=rng.randint(2, 25))
    return Ticket(
        hall=hall,
        category=category,
        service_date=local_date(issued),
        sequence=0,
        number="",
        token=secrets.token_hex(16),
        source=Ticket.Source.KIOSK,
        status=Ticket.Status.DONE,
        issued_at=issued,
        arrived_at=issued,
        called_at=called,
        started_at=called + dt.timedelta(seconds=40),
        finished_at=called + dt.timedelta(minutes=rng.uniform(5, 14)),
        call_count=1,
    )


def _number(rows: list[Ticket]) -> None:
    """Daily numbers per queue in order of issue, from 500 so that the rated tickets' (from 800,
    feedback's demo) never meet them; today's live numbers (``queueing.services.ticket_issue``)
    follow the day's highest."""
    rows.sort(key=lambda row: row.issued_at)
    counters: dict[tuple[dt.date, int], int] = {}
    for row in rows:
        key = (row.service_date, row.category.pk)
        counters[key] = counters.get(key, 499) + 1
        row.sequence = counters[key]
        row.number = f"{row.category.letter}{row.sequence:03d}"


def _past_spells(city: Hall, hours: workload.DayHours) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u for u, _n, _m in PAST_SPELLS])}
    windows = {w.number: w for w in Window.objects.filter(hall=city, number__in=[n for _u, n, _m in PAST_SPELLS])}
    periods = workload.open_periods(hours)
    for username, number, morning_only in PAST_SPELLS:
        if username not in users or number not in windows:
            continue
        for start, end in periods[:1] if morning_only else periods:
            AttendanceRecord.objects.create(
                user=users[username],
                hall=city,
                window=windows[number],
                window_label=str(windows[number]),
                signed_in_at=start + dt.timedelta(minutes=5),
                signed_out_at=end - dt.timedelta(minutes=10),
                sign_out_cause="signed_out",
            )


def _incident_from_order(admin: Any, now: dt.datetime) -> int:
    """One conduct incident recorded from a bad rating's order found valid (Art. 7 ¶2), against
    the rated clerk's secondment; none when one exists already or no order fits."""
    if ConductIncident.objects.filter(rectification_order__isnull=False).exists():
        return 0
    orders = RectificationOrder.objects.filter(verification_valid=True, rating__staff__secondments__isnull=False)
    for order in orders.select_related("hall", "rating").distinct().order_by("opened_at", "pk")[:5]:
        try:
            services.incident_from_order(
                order=order,
                actor=admin,
                description="群众差评经核实属实：未一次性告知所需材料，语气生硬。已约谈并安排服务规范培训。",
                now=now,
            )
        except services.StaffingError:
            continue
        return 1
    return 0
