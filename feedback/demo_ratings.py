"""Demo 好差评 data (``manage.py load_demo``): two months of served tickets rated at the busy
centres' windows (mostly good, a few bad), the completed demo cases rated, and the bad ratings'
rectification orders at different steps (one verified and being rectified, one rectified and
waiting for the follow-up call, one appealed); then the months are rolled up for /ratings/.

The queue demo keeps only daily figures for past days, so the served tickets rated here are
written directly (done, with their window, clerk and times). Safe to rerun: nothing is added
once any rating exists."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from catalog import selectors as catalog_selectors
from catalog.models import Hall
from feedback import ratings as rating_services
from feedback import rectification, rollup_ratings
from feedback.models_ratings import Level, Rating, RectificationOrder
from queueing.models import QueueCategory, Ticket, Window
from servicehall import roles
from servicehall.clock import SHANGHAI, local_date

DEMO_HALLS = ("GZ-CITY", "TH")
# Levels drawn with these weights: about nine in ten satisfied, as halls report.
WEIGHTS = {
    Level.VERY_SATISFIED: 55,
    Level.SATISFIED: 25,
    Level.BASIC: 10,
    Level.DISSATISFIED: 6,
    Level.VERY_DISSATISFIED: 4,
}
COMMENTS = {
    Level.VERY_SATISFIED: ("办事很快，工作人员很耐心", "一次就办好了", ""),
    Level.SATISFIED: ("服务不错", "", ""),
    Level.BASIC: ("等候时间有点长", ""),
    Level.DISSATISFIED: ("材料要求没有一次说清楚，跑了两次",),
    Level.VERY_DISSATISFIED: ("窗口人员态度冷淡，不解释原因",),
}
PER_DAY = 6  # rated tickets per hall and working day


def _counter_staff(hall: Hall) -> list:
    users = (
        get_user_model().objects.filter(staff_profile__hall=hall, groups__name=roles.WINDOW_STAFF).order_by("username")
    )
    return list(users)


def _supervisor(hall: Hall):  # noqa: ANN202
    user_model = get_user_model()
    return (
        user_model.objects.filter(staff_profile__hall=hall, groups__name=roles.SUPERVISOR).order_by("username").first()
        or user_model.objects.filter(groups__name=roles.SUPERVISOR, staff_profile__hall__isnull=True)
        .order_by("username")
        .first()
    )


def _served_ticket(
    hall: Hall, category: QueueCategory, window: Window, staff, at: dt.datetime, sequence: int
) -> Ticket:  # noqa: ANN001
    return Ticket.objects.create(
        hall=hall,
        category=category,
        service_date=at.astimezone(SHANGHAI).date(),
        sequence=sequence,
        number=f"{category.letter}{sequence:03d}",
        token=secrets.token_urlsafe(16),
        source=Ticket.Source.KIOSK,
        status=Ticket.Status.DONE,
        issued_at=at - dt.timedelta(minutes=25),
        arrived_at=at - dt.timedelta(minutes=25),
        called_at=at - dt.timedelta(minutes=9),
        started_at=at - dt.timedelta(minutes=8),
        finished_at=at,
        window=window,
        staff=staff,
    )


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    made = {"ratings": 0, "orders": 0}
    if Rating.objects.exists():
        return made
    today = local_date(now)
    start = rating_services.month_start(rating_services.month_start(today) - dt.timedelta(days=1))
    calendar = catalog_selectors.working_calendar(start=start, end=today)
    with transaction.atomic():
        for hall in Hall.objects.filter(code__in=DEMO_HALLS).order_by("code"):
            rng = random.Random(f"ratings-{hall.code}")  # noqa: S311 - demo data, not security
            category = QueueCategory.objects.filter(hall=hall).order_by("order", "letter").first()
            windows = list(Window.objects.filter(hall=hall).order_by("number")[:4])
            staff = _counter_staff(hall)
            if category is None or not windows or not staff:
                continue
            day = start
            while day < today:
                if calendar.is_working_day(day):
                    for n in range(PER_DAY):
                        window = windows[n % len(windows)]
                        clerk = staff[n % len(staff)]
                        at = dt.datetime.combine(day, dt.time(9 + n, rng.randint(0, 50)), tzinfo=SHANGHAI)
                        ticket = _served_ticket(hall, category, window, clerk, at, 800 + n)
                        level = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
                        data = rating_services.RatingInput(
                            level=level,
                            overall=level,
                            efficiency=rng.choice([level, Level.SATISFIED]),
                            quality=level,
                            attitude=rng.choice([level, Level.VERY_SATISFIED]),
                            comment=rng.choice(COMMENTS[level]),
                        )
                        source = Rating.Source.TABLET if n % 2 else Rating.Source.LINK
                        rating_services.rating_submit_ticket(
                            ticket=ticket, data=data, source=source, now=at + dt.timedelta(minutes=3)
                        )
                        made["ratings"] += 1
                day += dt.timedelta(days=1)
        for case in Case.objects.filter(status__in=rating_services.COMPLETED_CASE_STATUSES, rating__isnull=True)[:5]:
            data = rating_services.rating_input_clean(
                {
                    "level": "satisfied",
                    "overall": "satisfied",
                    "efficiency": "very_satisfied",
                    "quality": "satisfied",
                    "attitude": "satisfied",
                }
            )
            rating_services.rating_submit_case(case=case, data=data, now=now)
            made["ratings"] += 1
        _move_orders(now)
        made["orders"] = RectificationOrder.objects.count()
    for month in (start, rating_services.month_start(today)):
        rollup_ratings.satisfaction_rollup(month=month, now=now)
    return made


def _move_orders(now: dt.datetime) -> None:
    """Take a few of the demo's orders along the loop, so that each step has an example."""
    orders = list(RectificationOrder.objects.select_related("hall", "rating").order_by("opened_at")[:3])
    for index, order in enumerate(orders):
        supervisor = _supervisor(order.hall)
        if supervisor is None:
            return
        at = order.opened_at + dt.timedelta(hours=2)
        if index == 2:
            staff = order.rating.staff
            if staff is not None:
                rectification.order_appeal(
                    order=order, actor=staff, reason="已按规定一次性告知所需材料，群众未带齐。", now=at
                )
            continue
        order = rectification.order_verify(
            order=order, actor=supervisor, valid=True, reason="调阅窗口录像，情况属实。", now=at
        )
        if index == 0:
            rectification.order_rectify(
                order=order,
                actor=supervisor,
                measures="约谈窗口人员，组织一次性告知培训。",
                now=at + dt.timedelta(days=1),
            )
