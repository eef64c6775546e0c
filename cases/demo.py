"""Demo cases: a handful at the city centre (and one at Tianhe) in every state the pages show —
overdue, due soon, accepted with a material owed (容缺受理), waiting for corrections after a
one-time notice, in a special step, extended, decided with the result to hand out, collected,
not accepted — made through the services by the demo staff, backdated so that their deadlines
fall around today. Creates them only when the city centre has no case yet, so `make run` can call
it every time.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import services, warnings
from cases.models import Case, CaseMaterial
from catalog.models import GuideVersion, Hall, ServiceItem
from servicehall.clock import SHANGHAI, local_date
from servicehall.personal_data import id_number_check_character

CITY = "GZ-CITY"
TIANHE = "TH"
HUKOU = "0600102001"  # 户口迁入登记（市外迁入）: police, 5 working days, an address proof may follow
ID_CARD = "0600101002"  # 居民身份证换领: police, 15 working days
FOOD = "0100202001"  # 食品经营许可: market regulation, 5 working days, an on-site inspection


def _person(name: str, birth: str, seq: int) -> services.ApplicantInput:
    first17 = f"440106{birth}{seq:03d}"
    return services.ApplicantInput(kind="person", name=name, id_number=first17 + id_number_check_character(first17))


PEOPLE = (
    _person("赵文博", "19820415", 11),
    _person("孙美玲", "19900622", 12),
    _person("周国栋", "19751030", 13),
    _person("吴晓婷", "19980201", 14),
    _person("郑海峰", "19870909", 15),
    _person("冯丽娟", "19930317", 16),
    _person("陈嘉豪", "20000101", 17),
)
MOBILES = ("13900139011", "13900139012", "13900139013", "13900139014", "13900139015", "13900139016", "13900139017")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _accepted_for(today: dt.date, days: int, *, due_between: tuple[dt.date, dt.date]) -> dt.date:
    """A day in the last weeks on which a case accepted for ``days`` working days is due within
    ``due_between``."""
    for back in range(1, 60):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        due, _provisional = services.due_from(accepted_on=day, days=days, stops=[])
        if due is not None and due_between[0] <= due <= due_between[1]:
            return day
    return today - dt.timedelta(days=1)


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = local_date(now)
    city = Hall.objects.filter(code=CITY).first()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["window01", "chief_ga", "window_th01"])
    }
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=[HUKOU, ID_CARD, FOOD])}
    if city is None or Case.objects.filter(hall=city).exists() or len(users) < 3 or len(items) < 3:
        return {"cases": 0}
    clerk, chief = users["window01"], users["chief_ga"]
    made = 0

    def checklist(item: ServiceItem, day: dt.date, **states: str) -> list[services.MaterialCheck]:
        version = GuideVersion.objects.current(day).get(item=item)
        return [
            services.MaterialCheck(m.pk, states.get(m.name, CaseMaterial.State.ORIGINAL))
            for m in version.materials.all()
        ]

    def receive(item: ServiceItem, day: dt.date, k: int, *, hall: Hall = city, actor=clerk, **kwargs) -> Case:
        nonlocal made
        made += 1
        return services.case_receive(
            actor=actor,
            hall=hall,
            item=item,
            channel=kwargs.pop("channel", Case.Channel.MAIL),
            applicant=kwargs.pop("applicant", PEOPLE[k % len(PEOPLE)]),
            mobile=MOBILES[k % len(MOBILES)],
            checklist=kwargs.pop("checklist", None) or checklist(item, day),
            now=_at(day),
            **kwargs,
        )

    hukou, id_card, food = items[HUKOU], items[ID_CARD], items[FOOD]
    near = services.yellow_until(today)
    # Overdue: accepted long enough ago that its 5 days have run out.
    overdue_day = _accepted_for(today, 5, due_between=(today - dt.timedelta(days=10), today - dt.timedelta(days=1)))
    late = receive(hukou, overdue_day, 0, outcome="accept")
    services.case_review_start(case=late, actor=clerk, now=_at(overdue_day, 15))
    # Due soon, and one of them extended by the chief representative.
    soon_day = _accepted_for(today, 5, due_between=(today, near))
    receive(hukou, soon_day, 1, outcome="accept")
    extended = receive(id_card, _accepted_for(today, 15, due_between=(today, near)), 2, outcome="accept")
    services.case_extend(case=extended, actor=chief, days=5, reason="需向户籍地核实身份信息", now=_at(today, 9))
    # Accepted with the address proof owed (容缺受理).
    hukou_version = GuideVersion.objects.current(today).get(item=hukou)
    owed = [m.name for m in hukou_version.materials.all() if m.may_follow_later]
    if hukou_version.allows_deferred_acceptance and owed:
        receive(
            hukou,
            today,
            3,
            outcome="accept_deferred",
            checklist=checklist(hukou, today, **dict.fromkeys(owed, CaseMaterial.State.MISSING)),
        )
    # Waiting for corrections: the one-time notice lists the missing photo receipt.
    id_version = GuideVersion.objects.current(today).get(item=id_card)
    missing = id_version.materials.order_by("order", "pk").last()
    if missing is not None:
        receive(
            id_card,
            today,
            4,
            outcome="correction",
            checklist=checklist(id_card, today, **{missing.name: CaseMaterial.State.MISSING}),
            notice=services.NoticeInput(
                lines=[services.NoticeLine(missing.pk, "missing", "请补交后到综合窗口提交")],
            ),
        )
    # Decided, the result waiting at the comprehensive window; and one already collected.
    ready = receive(hukou, today - dt.timedelta(days=3), 5, outcome="accept")
    services.case_decide(case=ready, actor=clerk, approved=True, now=_at(today, 9))
    services.case_result_ready(case=ready, actor=clerk, now=_at(today, 9))
    done = receive(id_card, today - dt.timedelta(days=7), 6, outcome="accept")
    services.case_decide(case=done, actor=clerk, approved=True, now=_at(today, 9))
    services.case_result_ready(case=done, actor=clerk, now=_at(today, 9))
    services.case_collect(case=done, actor=clerk, method="electronic", note="粤省事电子证照", now=_at(today, 10))
    # Not accepted, with where to apply.
    receive(
        hukou,
        today,
        0,
        outcome="not_accepted",
        reason="申请人户籍不在本市迁出地管辖范围，且未提供准予迁入证明。",
        refer_to="迁出地公安派出所",
    )
    # In a special step at Tianhe (an on-site inspection of the premises).
    tianhe = Hall.objects.filter(code=TIANHE).first()
    if tianhe is not None and tianhe.items.filter(pk=food.pk).exists():
        inspected = receive(
            food,
            today - dt.timedelta(days=2),
            1,
            hall=tianhe,
            actor=users["window_th01"],
            outcome="accept",
            applicant=services.ApplicantInput(
                kind="organisation", name="广州市天河区示例餐饮店", credit_code="91350100M000100Y43"
            ),
        )
        step = inspected.guide_version.special_steps.first()
        if step is not None:
            services.case_special_step_start(
                case=inspected, actor=users["window_th01"], step_id=step.pk, now=_at(today, 9)
            )
    warnings.warnings_run(now=now)
    return {"cases": made}
