#!/usr/bin/env python
"""Bench helper for joined-up handling (issue 11: forwarding 转办), run in the bench database's
environment. Prints JSON.

joined_data.py setup      20 halls (``FWD-000`` …, bench/city.py), a window clerk at ``FWD-000``
                          and a session cookie for the hall's forwarding inbox
joined_data.py load N     make the bench forwardings touching ``FWD-000`` exactly N, each with its
                          case (bulk-loaded with generate_series): half sent to it by the other
                          halls, half sent by it, one a minute back from now; the latest 200 still
                          in transit (100 to the hall, whatever N), the rest taken over (one in
                          fifty returned); then the inbox's queries. Also N urgent requests
                          (急事急办) of one department at ``FWD-000``, one a minute back, the
                          latest 100 waiting and the rest decided (one in five refused), for
                          the chief representative's inbox ``/staff/urgent/`` (its page of
                          decided requests) and that page's query under ``EXPLAIN ANALYZE``
"""

from __future__ import annotations

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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.city import ensure_halls, roles, session_cookie  # noqa: E402
from cases import urgent  # noqa: E402
from cases.models import Applicant, Case, Forwarding, UrgentRequest  # noqa: E402
from catalog.models import GuideVersion  # noqa: E402
from servicehall.clock import local_date  # noqa: E402

PREFIX = "FWD"
HALLS = 20
TOKEN = "bench-fwd-"
CLERK = "bench-forwarding-clerk"
CHIEF = "bench-urgent-chief"
PATHS = {"inbox": "/staff/forwarding/", "api_incoming": "/api/v1/forwardings/"}
CHIEF_PATHS = {"urgent_inbox": "/staff/urgent/", "urgent_inbox_page2": "/staff/urgent/?page=2"}


def _halls() -> list[int]:
    return [h.pk for h in ensure_halls(PREFIX, HALLS, "转办基准大厅")]


def setup() -> dict:
    halls = _halls()
    from catalog.models import Hall

    hall = Hall.objects.get(pk=halls[0])
    cookie = session_cookie(CLERK, roles.WINDOW_STAFF, hall=hall)
    chief = session_cookie(CHIEF, roles.CHIEF_REPRESENTATIVE, hall=hall, department_id=_urgent_department())
    return {"cookie": cookie, "paths": PATHS, "chief_cookie": chief, "chief_paths": CHIEF_PATHS}


def _urgent_department() -> int:
    return (
        GuideVersion.objects.current(local_date()).order_by("item_id").values_list("item__department_id", flat=True)[0]
    )


def load_urgent(target: int, here: int) -> dict:
    """N urgent requests of the chief's department at the hall on the bench's cases (one case
    each; as many as there are cases), the latest 100 waiting; then the decided page's plan."""
    department = _urgent_department()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_urgentrequest WHERE hall_id = %s AND mobile = '13800138999'", [here])
        cursor.execute(
            """
            INSERT INTO cases_urgentrequest (hall_id, department_id, item_id, case_id, applicant_masked, mobile,
                reason_category, reason_text, status, requested_at, promised_days, decided_by_id, decided_at,
                decision_reason, ticket_channel)
            SELECT %(here)s, %(department)s, c.item_id, c.id, '陈**', '13800138999', 'medical', '基准测试急办事由',
                CASE WHEN n <= 100 THEN 'requested' WHEN n %% 5 = 0 THEN 'refused' ELSE 'approved' END,
                c.received_at, CASE WHEN n > 100 AND n %% 5 <> 0 THEN 3 END,
                CASE WHEN n > 100 THEN %(clerk)s END, CASE WHEN n > 100 THEN c.received_at END,
                CASE WHEN n > 100 AND n %% 5 = 0 THEN '基准测试' ELSE '' END, ''
            FROM (
                SELECT id, item_id, received_at, row_number() OVER (ORDER BY received_at DESC, id DESC) AS n
                FROM cases_case WHERE progress_token LIKE %(token)s
            ) AS c WHERE n <= %(target)s
            """,
            {"here": here, "department": department, "clerk": _chief().pk, "token": TOKEN + "%", "target": target},
        )
        cursor.execute("ANALYZE cases_urgentrequest")
    rows = urgent.pending_for(_chief())
    decided = rows.exclude(status="requested").order_by("-requested_at", "-pk")[:50]
    sql, params = decided.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
    count_sql, count_params = rows.exclude(status="requested").order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM (" + count_sql + ") AS q", count_params)
        count_plan = cursor.fetchone()[0]
        count_plan = json.loads(count_plan) if isinstance(count_plan, str) else count_plan

    def nodes(node: dict) -> list[str]:
        found = [node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else "")]
        for child in node.get("Plans", []):
            found += nodes(child)
        return found

    return {
        "urgent_requests": UrgentRequest.objects.filter(hall_id=here, mobile="13800138999").count(),
        "decided_page_ms": round(plan[0]["Execution Time"], 2),
        "decided_page_plan": nodes(plan[0]["Plan"]),
        "decided_count_ms": round(count_plan[0]["Execution Time"], 2),
        "decided_count_plan": nodes(count_plan[0]["Plan"]),
    }


def _chief():
    return get_user_model().objects.get(username=CHIEF)


def load(target: int) -> dict:
    halls = _halls()
    here, others = halls[0], halls[1:]
    bench = Forwarding.objects.filter(case__progress_token__startswith=TOKEN)
    have = bench.count()
    if have != target:  # each size loaded whole: the latest 200 are the ones in transit
        with connection.cursor() as cursor:
            ids = "SELECT id FROM cases_case WHERE progress_token LIKE %s"
            cursor.execute(f"DELETE FROM cases_urgentrequest WHERE case_id IN ({ids})", [TOKEN + "%"])
            cursor.execute(f"DELETE FROM cases_forwarding WHERE case_id IN ({ids})", [TOKEN + "%"])
            cursor.execute("DELETE FROM cases_case WHERE progress_token LIKE %s", [TOKEN + "%"])
        have = 0
    clerk = get_user_model().objects.get(username=CLERK)
    applicant, _ = Applicant.objects.get_or_create(
        kind="person", identity_key="benchfwd" * 8, defaults={"id_masked": "4401**********0001"}
    )
    versions = list(
        GuideVersion.objects.current(local_date())
        .order_by("item_id")
        .values_list("item_id", "item__department_id", "pk")[:50]
    )
    started = time.perf_counter()
    if target > have:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH rows AS (
                    SELECT g, o.id AS other, v.item_id, v.department_id, v.version_id,
                        g %% 2 = 1 AS incoming,
                        CASE WHEN g > %(last)s - 200 THEN 'sent' WHEN (g / 2) %% 50 = 1 THEN 'returned'
                            ELSE 'accepted' END AS status,
                        now() - (%(last)s - g) * interval '1 minute' AS sent_at
                    FROM generate_series(%(first)s, %(last)s) AS g
                    JOIN unnest(%(others)s::bigint[]) WITH ORDINALITY AS o(id, k) ON o.k = 1 + g %% %(nothers)s
                    JOIN unnest(%(items)s::bigint[], %(departments)s::bigint[], %(versions)s::bigint[])
                        WITH ORDINALITY AS v(item_id, department_id, version_id, k) ON v.k = 1 + g %% %(nitems)s
                ), cases AS (
                    INSERT INTO cases_case (number, progress_token, hall_id, received_at_hall_id, department_id,
                        item_id, guide_version_id, channel, received_by_id, applicant_id, applicant_name,
                        contact_name, contact_mobile, status, received_at, received_on, deferred, limit_days,
                        extension_days, due_provisional, not_accepted_reason, refer_to, decision, decision_reason,
                        collection, collection_note, owed_overdue, deemed_accepted, urgent, created_at, updated_at)
                    SELECT '98' || lpad(g::text, 20, '0'), %(token)s || g,
                        CASE WHEN status = 'accepted' THEN (CASE WHEN incoming THEN %(here)s ELSE other END)
                            ELSE (CASE WHEN incoming THEN other ELSE %(here)s END) END,
                        CASE WHEN status = 'accepted' THEN (CASE WHEN incoming THEN other ELSE %(here)s END) END,
                        department_id, item_id, version_id, 'counter', %(clerk)s, %(applicant)s, '基准测试申请人', '',
                        '13800138000', CASE WHEN status = 'sent' THEN 'forwarding' ELSE 'collected' END,
                        sent_at, (sent_at AT TIME ZONE 'Asia/Shanghai')::date, false, 10, 0, false, '', '', '', '',
                        '', '', false, false, false, sent_at, sent_at
                    FROM rows
                    RETURNING id, progress_token
                )
                INSERT INTO cases_forwarding (case_id, from_hall_id, to_hall_id, department_id, scope, collect_at,
                    post_address, note, status, sent_by_id, sent_at, handled_by_id, handled_at, return_reason)
                SELECT cases.id, CASE WHEN incoming THEN other ELSE %(here)s END,
                    CASE WHEN incoming THEN %(here)s ELSE other END, department_id, 'citywide', 'received_hall', '',
                    '', status, %(clerk)s, sent_at, CASE WHEN status <> 'sent' THEN %(clerk)s END,
                    CASE WHEN status <> 'sent' THEN sent_at + interval '3 hours' END,
                    CASE WHEN status = 'returned' THEN '材料不全' ELSE '' END
                FROM cases JOIN rows ON cases.progress_token = %(token)s || rows.g
                """,
                {
                    "token": TOKEN,
                    "here": here,
                    "others": others,
                    "nothers": len(others),
                    "clerk": clerk.pk,
                    "applicant": applicant.pk,
                    "first": have + 1,
                    "last": target,
                    "items": [v[0] for v in versions],
                    "departments": [v[1] for v in versions],
                    "versions": [v[2] for v in versions],
                    "nitems": len(versions),
                },
            )
            cursor.execute("ANALYZE cases_case")
            cursor.execute("ANALYZE cases_forwarding")
    loaded = time.perf_counter() - started
    urgent_figures = load_urgent(target, here)
    queries = {}
    for user, paths in ((clerk, PATHS), (_chief(), CHIEF_PATHS)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, path in paths.items():
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            queries[name] = len(captured.captured_queries)
    return {
        "forwardings": bench.count(),
        "in_transit_here": bench.filter(to_hall_id=here, status="sent").count(),
        "load_seconds": round(loaded, 1),
        "urgent": urgent_figures,
        "queries": queries,
        "open_cases_unchanged": not Case.objects.filter(
            progress_token__startswith=TOKEN, status__in=Case.OPEN
        ).exists(),
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {"setup": setup, "load": lambda: load(int(rest[0]))}
    print(json.dumps(handlers[command]()))
