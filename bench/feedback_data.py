#!/usr/bin/env python
"""Bench helper for feedback (issue 12), run in the bench database's environment. Prints JSON.

feedback_data.py ratings   200 halls (``RATE-000`` …, bench/city.py) with a year of ratings: a
                           million served tickets over the 365 days before today, each rated
                           (one in five a default rating, one in ten bad), bulk-loaded with
                           generate_series once; then the twelve months rolled up. Times the hourly
                           rollup job (``satisfaction_rollup_recent``: three months) and counts
                           its queries, and the queries of the public page and API
feedback_data.py reports N make the open bench "办不成事" reports exactly N (registered over the last
                           40 days at the same halls, reply due 21 days later: about half past due)
feedback_data.py flags     time the flag job over them: the first run after loading (every flag
                           unset), a steady run fifteen minutes later (nothing changes) and the
                           next day's run; queries of each
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.city import LETTERS, WINDOWS, ensure_halls  # noqa: E402
from catalog.models import Department  # noqa: E402
from feedback.models_ratings import Rating, SatisfactionMonth  # noqa: E402
from feedback.models_reports import Report, ReportCategory  # noqa: E402
from feedback.ratings import month_start  # noqa: E402
from feedback.reports import report_flags_run  # noqa: E402
from feedback.rollup_ratings import months_to_refresh, satisfaction_rollup, satisfaction_rollup_recent  # noqa: E402
from queueing.models import QueueCategory, Window  # noqa: E402
from servicehall.clock import local_date  # noqa: E402

PREFIX = "RATE"
HALLS = 200
RATINGS = 1_000_000
TOKEN = "rate-"
REPORT_TOKEN = "bench-rpt-"

# A year of served tickets at the halls (skewed as in bench/staffing_data.py), each rated.
_RATINGS = """
WITH t AS (
INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source, priority, urgent,
    status, id_hash, id_masked, issued_at, arrived_at, called_at, started_at, finished_at, call_count, transfer_count,
    window_id)
SELECT h.id, c.id, d, g, 'R' || g, %(token)s || g, 'kiosk', '', false, 'done', '', '', ts, ts,
    ts + interval '9 minutes', ts + interval '10 minutes', ts + interval '20 minutes', 1, 0, w.id
FROM (
    SELECT g, (%(today)s::date - 1 - (g %% 365))::date AS d, (((g %% 1000) * (g %% 1000)) / 5000)::int AS k,
        ((g / 1000) %% 8)::int AS q, ((g / 8000) %% 5)::int AS s,
        ((%(today)s::date - 1 - (g %% 365) + time '08:30' + ((g * 7) %% 510) * interval '1 minute')
            AT TIME ZONE 'Asia/Shanghai') AS ts
    FROM generate_series(%(first)s, %(last)s) AS g
) AS rows
JOIN unnest(%(halls)s::bigint[]) WITH ORDINALITY AS h(id, n) ON h.n = rows.k + 1
JOIN unnest(%(categories)s::bigint[]) WITH ORDINALITY AS c(id, n) ON c.n = rows.k * 8 + rows.q + 1
JOIN unnest(%(windows)s::bigint[]) WITH ORDINALITY AS w(id, n) ON w.n = rows.k * 5 + rows.s + 1
RETURNING id, hall_id, window_id, sequence, finished_at
)
INSERT INTO feedback_rating (kind, ticket_id, hall_id, window_id, department_id, level, overall, efficiency, quality,
    attitude, comment, source, is_default, served_at, served_month, rated_at, excluded, excluded_reason)
SELECT 'ticket', t.id, t.hall_id, t.window_id, dep.id, lv.level,
    CASE WHEN (t.sequence / 1000) %% 5 = 0 THEN '' ELSE lv.level END, CASE WHEN (t.sequence / 1000) %% 5 = 0 THEN '' ELSE lv.level END,
    CASE WHEN (t.sequence / 1000) %% 5 = 0 THEN '' ELSE lv.level END, CASE WHEN (t.sequence / 1000) %% 5 = 0 THEN '' ELSE lv.level END,
    '', CASE WHEN (t.sequence / 1000) %% 5 = 0 THEN 'default' WHEN (t.sequence / 1000) %% 2 = 0 THEN 'tablet' ELSE 'link' END,
    (t.sequence / 1000) %% 5 = 0, t.finished_at,
    date_trunc('month', t.finished_at AT TIME ZONE 'Asia/Shanghai')::date,
    t.finished_at + interval '1 hour', t.sequence %% 997 = 0, CASE WHEN t.sequence %% 997 = 0 THEN '申诉成立' ELSE '' END
FROM t
JOIN unnest(%(departments)s::bigint[]) WITH ORDINALITY AS dep(id, n) ON dep.n = 1 + (t.sequence / 40000) %% %(ndepartments)s
CROSS JOIN LATERAL (SELECT CASE
    WHEN (t.sequence / 1000) %% 5 = 0 THEN 'satisfied'
    WHEN (t.sequence / 1000) %% 100 < 55 THEN 'very_satisfied'
    WHEN (t.sequence / 1000) %% 100 < 80 THEN 'satisfied'
    WHEN (t.sequence / 1000) %% 100 < 90 THEN 'basic'
    WHEN (t.sequence / 1000) %% 100 < 96 THEN 'dissatisfied'
    ELSE 'very_dissatisfied' END AS level) AS lv
"""


def _city() -> tuple[list[int], list[int], list[int]]:
    halls = [h.pk for h in ensure_halls(PREFIX, HALLS, "评价基准大厅")]
    categories = {(c.hall_id, c.letter): c.pk for c in QueueCategory.objects.filter(hall_id__in=halls)}
    windows = {(w.hall_id, w.number): w.pk for w in Window.objects.filter(hall_id__in=halls)}
    return (
        halls,
        [categories[(h, letter)] for h in halls for letter in LETTERS],
        [windows[(h, n)] for h in halls for n in range(1, WINDOWS + 1)],
    )


def _queries(path: str) -> int:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # warm (policy, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def ratings() -> dict:
    halls, categories, windows = _city()
    today = local_date()
    bench = Rating.objects.filter(hall_id__in=halls)
    have = bench.count()
    started = time.perf_counter()
    if have < RATINGS:
        departments = list(Department.objects.order_by("pk").values_list("pk", flat=True)[:12])
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM feedback_rating WHERE hall_id = ANY(%s)", [halls]
            )  # a partial load: start again
            cursor.execute("DELETE FROM queueing_ticket WHERE hall_id = ANY(%s)", [halls])
            step = 250_000
            for first in range(1, RATINGS + 1, step):
                cursor.execute(
                    _RATINGS,
                    {
                        "token": TOKEN,
                        "today": today,
                        "first": first,
                        "last": min(RATINGS, first + step - 1),
                        "halls": halls,
                        "categories": categories,
                        "windows": windows,
                        "departments": departments,
                        "ndepartments": len(departments),
                    },
                )
            cursor.execute("ANALYZE queueing_ticket")
            cursor.execute("ANALYZE feedback_rating")
    loaded = time.perf_counter() - started
    # A year of rollups (the hourly job keeps the last three months; older months once).
    month = month_start(today)
    older = [month]
    for _ in range(12):
        older.append(month_start(older[-1] - dt.timedelta(days=1)))
    recent = set(months_to_refresh(today))
    for m in older:
        if m not in recent and not SatisfactionMonth.objects.filter(month=m, hall_id=halls[0]).exists():
            satisfaction_rollup(month=m)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_satisfactionmonth")
    with CaptureQueriesContext(connection) as captured:
        job_started = time.perf_counter()
        rows = satisfaction_rollup_recent(now=timezone.now())
        job_seconds = time.perf_counter() - job_started
    recent_ratings = bench.filter(served_month__in=recent).count()
    return {
        "ratings": bench.count(),
        "load_seconds": round(loaded, 1),
        "rollup_rows": SatisfactionMonth.objects.count(),
        "rollup_job_seconds": round(job_seconds, 3),
        "rollup_job_queries": len(captured.captured_queries),
        "rollup_job_rows": rows,
        "rollup_job_ratings": recent_ratings,
        "queries": {
            "page": _queries("/ratings/"),
            "page_windows": _queries("/ratings/?scope=window"),
            "api": _queries("/api/v1/ratings/statistics/"),
            "api_windows": _queries("/api/v1/ratings/statistics/?scope=window"),
        },
    }


def reports(target: int) -> dict:
    halls, _categories, _windows = _city()
    bench = Report.objects.filter(progress_token__startswith=REPORT_TOKEN)
    have = bench.count()
    if have > target:
        bench.delete()
        have = 0
    category = ReportCategory.objects.order_by("order", "pk").first() or ReportCategory.objects.create(
        code="bench", name="基准测试"
    )
    today = local_date()
    started = time.perf_counter()
    if target > have:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO feedback_report (number, progress_token, channel, hall_id, tried_on, problem, category_id,
                    contact_name, contact_mobile_masked, contact_mobile_digest, contact_mobile, status, registered_at,
                    registered_on, due_on, due_provisional, flag, flag_run, resolution)
                SELECT 'BX' || lpad(g::text, 12, '0'), %(token)s || g, 'online', h.id, d, '基准测试：事项办不成', %(category)s,
                    '基准', '138****0000', md5('bench' || g), '13800138000',
                    CASE WHEN g %% 3 = 0 THEN 'assigned' ELSE 'registered' END,
                    (d + time '10:00') AT TIME ZONE 'Asia/Shanghai', d, d + 21, false, '', '', ''
                FROM (SELECT g, (%(today)s::date - (g %% 40))::date AS d,
                    (((g %% 1000) * (g %% 1000)) / 5000)::int AS k FROM generate_series(%(first)s, %(last)s) AS g) AS rows
                JOIN unnest(%(halls)s::bigint[]) WITH ORDINALITY AS h(id, n) ON h.n = rows.k + 1
                """,
                {
                    "token": REPORT_TOKEN,
                    "category": category.pk,
                    "today": today,
                    "first": have + 1,
                    "last": target,
                    "halls": halls,
                },
            )
            cursor.execute("ANALYZE feedback_report")
    return {"open_reports": bench.count(), "load_seconds": round(time.perf_counter() - started, 1)}


def _timed(now: dt.datetime) -> tuple[float, int, dict]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = report_flags_run(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), vars(result)


def flags() -> dict:
    Report.objects.filter(status__in=Report.OPEN).exclude(flag="").update(
        flag="", flag_run="", flag_changed_at=None, flag_notified_at=None
    )
    now = timezone.now()
    first = _timed(now)
    steady = _timed(now + dt.timedelta(minutes=15))
    next_day = _timed(now + dt.timedelta(days=1))
    return {
        "open_reports": Report.objects.filter(status__in=Report.OPEN).count(),
        "first_seconds": round(first[0], 3),
        "first_queries": first[1],
        "first_changes": first[2]["turned_red"] + first[2]["turned_yellow"],
        "first_messages": first[2]["messages"],
        "steady_seconds": round(steady[0], 3),
        "steady_queries": steady[1],
        "next_day_seconds": round(next_day[0], 3),
        "next_day_queries": next_day[1],
        "next_day_changes": next_day[2]["turned_red"] + next_day[2]["turned_yellow"],
        "next_day_messages": next_day[2]["messages"],
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {"ratings": ratings, "reports": lambda: reports(int(rest[0])), "flags": flags}
    print(json.dumps(handlers[command](), default=str))
