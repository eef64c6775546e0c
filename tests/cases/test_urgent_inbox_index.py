"""The chief representative's page of decided urgent requests (``/staff/urgent/``, newest first)
reads the partial index ``urgent_decided_idx`` (hall, department, requested_at, id) WHERE status
<> 'requested' backwards instead of sorting every decided request (bench/README.md, "Joined-up
handling": 53 ms at 10k, 81 ms at 100k before)."""

from __future__ import annotations

from django.db import connection

from cases import urgent
from cases.models import UrgentRequest
from tests.cases.factories import D, at
from tests.markers import needs_postgres

MON = D(2026, 11, 23)


@needs_postgres
def test_the_decided_page_reads_the_partial_index_in_order(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    first = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 10)
    )
    urgent.urgent_refuse(request=first, actor=world.market_chief, reason="需现场核查", now=at(MON, 11))
    second = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周二赴外地住院手术，需要提前办结", now=at(MON, 12)
    )
    urgent.urgent_approve(request=second, actor=world.market_chief, promised_days=3, now=at(MON, 13))
    rows = urgent.pending_for(world.market_chief).exclude(status=UrgentRequest.Status.REQUESTED)
    assert list(rows) == [second, first]  # newest first
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be read sequentially; ask what the planner can do without that.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "urgent_decided_idx" in plan and "Sort" not in plan, plan
