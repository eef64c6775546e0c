"""Test data for the “办不成事” reports: the cases' world (two halls, two departments, staff of every
role) with a “办不成事” window at each centre, and helpers to register and move reports."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from typing import Any

from feedback import reports
from feedback.models_reports import Report, ReportCategory
from queueing.models import Window
from tests.cases.factories import World, at, make_world

MOBILE = "13912345678"


def seed_categories() -> None:
    """The categories the data migration seeds (a transactional test flushes them)."""
    seeded = importlib.import_module("feedback.migrations.0002_report_categories")
    for order, (code, name, name_en, description) in enumerate(seeded.CATEGORIES, start=1):
        ReportCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description, "order": order * 10}
        )


def report_world() -> World:
    seed_categories()
    world = make_world()
    Window.objects.create(hall=world.city, number=11, kind=Window.Kind.CANNOT_HANDLE)
    Window.objects.create(hall=world.tianhe, number=8, kind=Window.Kind.CANNOT_HANDLE)
    return world


def category(code: str = "cross_department") -> ReportCategory:
    return ReportCategory.objects.get(code=code)


def report_input(world: World, **overrides: Any) -> reports.ReportInput:
    fields: dict[str, Any] = {
        "hall": world.city,
        "tried_on": dt.date(2026, 3, 2),
        "problem": "户口迁入需要原籍证明，两边窗口互相要求先出证明，跑了三次没办成。",
        "category": category(),
        "contact_name": "黄女士",
        "mobile": MOBILE,
        "item": world.hukou,
    }
    fields.update(overrides)
    return reports.ReportInput(**fields)


_online = itertools.count(1)


def register(
    world: World,
    *,
    now: dt.datetime | None = None,
    online: bool = False,
    submission_key: str | None = None,
    **overrides: Any,
) -> Report:
    now = now or at(dt.date(2026, 3, 2))
    if online:
        # Each a report of its own: the same content again within minutes is refused as a repeat.
        overrides.setdefault("problem", f"{report_input(world).problem}（第{next(_online)}件）")
        return reports.report_register(
            data=report_input(world, **overrides),
            channel=Report.Channel.ONLINE,
            client_ip="203.0.113.9",
            submission_key=submission_key,
            now=now,
        )
    return reports.report_register(
        data=report_input(world, **overrides), channel=Report.Channel.WINDOW, actor=world.clerk, now=now
    )
