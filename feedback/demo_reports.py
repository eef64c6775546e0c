"""Demo “办不成事” reports: a handful at the city centre (and one at Tianhe) at every stage of the
loop — just registered online, assigned, chased past its reply deadline, resolved and waiting for
the follow-up call, closed — made through the services by the demo staff and backdated so that
their deadlines fall around today. Creates them only when there is no report yet, so `make run`
can call it every time."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Department, Hall, ServiceItem
from feedback import reports
from feedback.models_reports import Report, ReportCategory
from queueing.models import Window
from servicehall.clock import SHANGHAI, local_date


def _working_days_before(today: dt.date, days: int) -> dt.date:
    """The day ``days`` working days before ``today`` (walking back until the count fits)."""
    day = today
    while True:
        day -= dt.timedelta(days=1)
        due, _provisional = catalog_selectors.deadline_after(day, days)
        if due <= today:
            return day


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    if Report.objects.exists():
        return {"reports": 0}
    halls = {h.code: h for h in Hall.objects.filter(code__in=["GZ-CITY", "TH"])}
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["supervisor", "chief_ga", "window01"])
    }
    categories = {c.code: c for c in ReportCategory.objects.all()}
    if "GZ-CITY" not in halls or len(users) < 3 or not categories:
        return {"reports": 0}
    now = now or timezone.now()
    today = local_date(now)
    city, tianhe = halls["GZ-CITY"], halls.get("TH")
    police = Department.objects.filter(code="GZGA").first()
    market = Department.objects.filter(code="GZSCJG").first()
    hukou = ServiceItem.objects.filter(code="0600102001").first()
    report_window = Window.objects.filter(hall=city, kind=Window.Kind.CANNOT_HANDLE).first()
    supervisor, chief, clerk = users["supervisor"], users["chief_ga"], users["window01"]

    def at(day: dt.date, hour: int = 10) -> dt.datetime:
        # Never in the future: today's report, loaded before 10:00, was "受理" at 10:00 (walkthrough).
        return min(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), now)

    def register(
        day: dt.date, *, channel: str, hall: Hall, category: str, problem: str, name: str, mobile: str
    ) -> Report:
        data = reports.ReportInput(
            hall=hall,
            window=report_window if hall == city and channel == Report.Channel.WINDOW else None,
            item=hukou if category == "cross_department" else None,
            tried_on=day,
            problem=problem,
            category=categories.get(category) or categories["other"],
            contact_name=name,
            mobile=mobile,
        )
        actor = clerk if channel == Report.Channel.WINDOW else None
        return reports.report_register(data=data, channel=channel, actor=actor, client_ip="demo", now=at(day))

    created = 0
    # Just registered online this morning: waits for a supervisor to assign it.
    register(
        today,
        channel=Report.Channel.ONLINE,
        hall=city,
        category="system_fault",
        problem="自助机打印社保缴费证明时连续三次提示系统繁忙，窗口说要等系统恢复，今天没办成。",
        name="林先生",
        mobile="13800138101",
    )
    created += 1
    if police is not None:
        # Assigned two weeks ago: the reply is due within days (yellow).
        day = _working_days_before(today, 13)
        r = register(
            day,
            channel=Report.Channel.WINDOW,
            hall=city,
            category="cross_department",
            problem="从外省迁入户口，派出所要求先开具原籍证明，原籍说要迁入地先出准迁证，来回跑了三次。",
            name="黄女士",
            mobile="13800138102",
        )
        reports.report_assign(
            report=r, actor=supervisor, departments=[police], note="请户政窗口牵头与原籍联系。", now=at(day, 11)
        )
        created += 1
        # Past its reply deadline and chased by the supervisor (red).
        day = _working_days_before(today, 17)
        r = register(
            day,
            channel=Report.Channel.ONLINE,
            hall=city,
            category="missing_policy",
            problem="集体户口的老人办理居住证明，窗口说没有政策规定可以代办，无法受理。",
            name="陈先生",
            mobile="13800138103",
        )
        reports.report_assign(report=r, actor=supervisor, departments=[police], now=at(day, 14))
        reports.report_note(
            report=r,
            actor=supervisor,
            note="已电话督促公安局首席代表，要求本周内给出答复意见。",
            next_check_on=today,
            now=at(_working_days_before(today, 2), 9),
        )
        created += 1
        # Resolved last week, the follow-up call still to make.
        day = _working_days_before(today, 9)
        r = register(
            day,
            channel=Report.Channel.WINDOW,
            hall=city,
            category="staff_conduct",
            problem="窗口工作人员让我回去补复印件，但指南写的是现场复印，态度也不好。",
            name="吴女士",
            mobile="13800138104",
        )
        reports.report_assign(report=r, actor=supervisor, departments=[police], now=at(day, 15))
        reports.report_resolve(
            report=r,
            actor=chief,
            resolution="已约谈当事工作人员并在窗口配备复印服务；已电话联系反映人，次日现场办结。",
            matter_done=True,
            now=at(_working_days_before(today, 4), 16),
        )
        created += 1
        # The whole loop, closed with a satisfied follow-up call.
        day = _working_days_before(today, 20)
        r = register(
            day,
            channel=Report.Channel.ONLINE,
            hall=city,
            category="unclear_guide",
            problem="办事指南写可以网上提交，网上系统却找不到入口。",
            name="郑先生",
            mobile="13800138105",
        )
        reports.report_assign(report=r, actor=supervisor, departments=[police], now=at(day, 11))
        reports.report_resolve(
            report=r,
            actor=chief,
            resolution="已更正办事指南并在网上办事大厅补充入口说明，协助反映人网上提交成功。",
            matter_done=True,
            now=at(_working_days_before(today, 12), 10),
        )
        reports.report_follow_up(
            report=r, actor=supervisor, reached=True, satisfied=True, now=at(_working_days_before(today, 10), 15)
        )
        created += 1
    if tianhe is not None and market is not None:
        day = _working_days_before(today, 5)
        r = register(
            day,
            channel=Report.Channel.ONLINE,
            hall=tianhe,
            category="cross_department",
            problem="食品经营许可要求先有消防意见，消防说要先有许可证，两边都不受理。",
            name="何女士",
            mobile="13800138106",
        )
        # Left waiting for 转派: the market regulator has no chief representative at Tianhe in the
        # demo, and a department without one cannot be assigned (nobody would answer).
        created += 1
    reports.report_flags_run(now=now)
    return {"reports": created}
