"""The system check of Art. 6 ¶1: 市、区政务服务中心应当设置“办不成事”反映窗口. A city or district hall
with no window of that kind is an error (``manage.py check --database default``; migrate runs
database checks too). Registered from ``feedback.wiring``."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, connections


def check_report_windows(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not databases:
        return []
    from feedback.selectors_reports import halls_without_report_window

    errors: list[checks.CheckMessage] = []
    for alias in databases:
        connection = connections[alias]
        try:
            tables = set(connection.introspection.table_names())
        except DatabaseError:
            continue
        # Before the first migrate (or mid-way) there is nothing to check yet.
        if not {"catalog_hall", "queueing_window"} <= tables:
            continue
        try:
            missing = list(halls_without_report_window().using(alias).values_list("code", "name"))
        except DatabaseError:
            continue
        for code, name in missing:
            errors.append(
                checks.Error(
                    f"市级、区级政务服务中心应当设置“办不成事”反映窗口（《广州市政务服务条例》第六条）：{name}（{code}）没有。",
                    hint="在管理后台为该大厅添加一个类型为“办不成事”反映窗口的服务窗口。",
                    obj=f"catalog.Hall {code}",
                    id="feedback.E001",
                )
            )
    return errors
