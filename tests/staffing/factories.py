"""Staffing test data: a hall with windows, two departments, staff and their secondments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from catalog.models import Department, Hall
from queueing.models import QueueCategory, Window
from servicehall import roles
from staffing.models import Secondment, TrainingRecord
from tests.catalog import factories
from tests.servicehall.factories import staff_user

TODAY = dt.date(2026, 11, 26)


@dataclass
class StaffWorld:
    city: Hall
    tianhe: Hall
    police: Department
    market: Department
    window_1: Window
    window_2: Window
    supervisor: Any
    city_supervisor: Any
    tianhe_supervisor: Any
    admin: Any


def make_world() -> StaffWorld:
    police = factories.department(code="GZGA", name="广州市公安局")
    market = factories.department(code="GZSCJG", name="广州市市场监督管理局")
    city = factories.hall(code="GZ-CITY", name="广州市政务服务中心", level=Hall.Level.CITY)
    tianhe = factories.hall(code="TH", name="天河区政务服务中心")
    category = QueueCategory.objects.create(hall=city, letter="A", name="综合业务", order=1)
    window_1 = Window.objects.create(hall=city, number=1, kind=Window.Kind.COMPREHENSIVE)
    window_2 = Window.objects.create(hall=city, number=2, kind=Window.Kind.SPECIALISED)
    window_2.categories.add(category)
    return StaffWorld(
        city=city,
        tianhe=tianhe,
        police=police,
        market=market,
        window_1=window_1,
        window_2=window_2,
        supervisor=staff_user("city-supervisor", role=roles.SUPERVISOR, hall_=city),
        city_supervisor=staff_user("citywide-supervisor", role=roles.SUPERVISOR),
        tianhe_supervisor=staff_user("tianhe-supervisor", role=roles.SUPERVISOR, hall_=tianhe),
        admin=staff_user("admin", role=roles.ADMINISTRATOR, is_superuser=True, is_staff=True),
    )


def seconded(
    username: str,
    *,
    hall: Hall,
    department: Department,
    role: str = Secondment.Role.WINDOW_STAFF,
    pre_job: bool = True,
    since: dt.date = dt.date(2025, 3, 1),
    until: dt.date | None = None,
    status: str = Secondment.Status.ACTIVE,
    reason: str = "",
    number: str | None = None,
) -> Secondment:
    """A counter clerk with a secondment written straight to the table (the services are tested
    on their own), with pre-job education unless ``pre_job=False``."""
    group = roles.CHIEF_REPRESENTATIVE if role == Secondment.Role.CHIEF else roles.WINDOW_STAFF
    user = staff_user(username, role=group, hall_=hall, dept=department)
    if pre_job:
        TrainingRecord.objects.create(
            user=user, kind=TrainingRecord.Kind.PRE_JOB, title="岗前教育", completed_on=since - dt.timedelta(days=3)
        )
    return Secondment.objects.create(
        user=user,
        staff_number=number or f"S-{username}",
        department=department,
        hall=hall,
        role=role,
        seconded_from=since,
        seconded_until=until,
        status=status,
        short_tenure_reason=reason,
    )
