#!/usr/bin/env python
"""The bare write baseline (issue 14): what one committed INSERT costs through Django.

``POST /bench/write/`` (mounted by ``bench/urls.py``, served only by the bench) inserts one row
into ``bench_write`` in a transaction and answers 201 with the new id: the floor under any view
that writes. ``write_rps`` is compared with hello and is the yardstick of the ticket issue and
the booking (``issue_rps >= 0.6 x write_rps``, ``booking_rps >= 0.4 x write_rps``).

writes.py setup      create ``bench_write`` (not a model: nothing in production knows of it)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE = "bench_write"
CLIENTS = 16  # as many as the ticket issue's


@csrf_exempt
@require_POST
def bare_write(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at, note) VALUES (%s, %s) RETURNING id", [timezone.now(), "bench"])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


# --- The issue's floor: the same work as a ticket issue with nothing around it ----------------

_ISSUE_FLOOR_SQL = """
WITH n AS (SELECT nextval(%s::regclass) - %s AS s),
t AS (
  INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source, priority,
    status, id_hash, id_masked, issued_at, arrived_at, call_count, transfer_count, urgent)
  SELECT %s, %s, %s, n.s, 'F' || lpad(n.s::text, greatest(3, length(n.s::text)), '0'), %s, 'online', '',
    'waiting', '', '', %s, %s, 0, 0, false FROM n WHERE n.s > 0 RETURNING id, sequence
),
e AS (
  INSERT INTO queueing_ticketevent (ticket_id, kind, at, reason, data)
  SELECT t.id, 'issued', %s, '', '{"source": "online", "priority": ""}'::jsonb FROM t
)
SELECT id, sequence FROM t
"""
_floor_queue: dict[str, Any] = {}


@csrf_exempt
@require_POST
def bare_issue(request: HttpRequest) -> JsonResponse:
    """``POST /bench/issue-floor/``: what a ticket issue cannot do without — one round trip to
    Redis before (a counter and two reads), the ticket numbered and inserted with its event by
    one statement as the issue's is (prepared, from the queue's sequence and the day's offset),
    the dirty mark handed to the process's mark writer (``snapshot.mark_dirty_soon``, written
    with the other marks of the next moment in one round trip) — with no framework, model or validation
    around it, in queue A of the bench hall. The issue's limit on this machine, measured beside
    it (``issue_floor_rps``)."""
    import secrets

    from django.core.cache import caches

    from queueing import snapshot
    from queueing.services import _number_offset, number_sequence
    from servicehall.prepared import Statement

    now = timezone.now()
    today = timezone.localdate(now)
    if _floor_queue.get("day") != today:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.hall_id, c.id FROM queueing_queuecategory c JOIN catalog_hall h ON h.id = c.hall_id "
                "WHERE h.code = 'BENCH' AND c.letter = 'A'"
            )
            hall_id, category_id = cursor.fetchone()
        offset = _number_offset(hall_id=hall_id, category_id=category_id, letter="A", day=today)
        _floor_queue.update(day=today, hall=hall_id, category=category_id, offset=offset)
    hall_id, category_id = _floor_queue["hall"], _floor_queue["category"]
    backend = caches["default"]
    client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=False)
    pipeline.set("bench:floor:counter", 0, ex=3600, nx=True)
    pipeline.incr("bench:floor:counter")
    pipeline.mget(["bench:floor:a", "bench:floor:b"])
    pipeline.execute()
    token = secrets.token_urlsafe(18)
    with connection.cursor() as cursor:
        # Prepared once per connection, as the issue's own statement is (servicehall/prepared.py).
        Statement("sh_bench_issue_floor", _ISSUE_FLOOR_SQL).execute(
            cursor,
            [number_sequence(category_id), _floor_queue["offset"], hall_id, category_id, today, token, now, now, now],
        )
        ticket_id, sequence = cursor.fetchone()
    snapshot.mark_dirty_soon(hall_id)  # as the issue's: by the process's mark writer
    return JsonResponse({"id": ticket_id, "number": f"F{sequence:03d}", "token": token}, status=201)


def setup() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL, note text)"
            )
            cursor.execute(f"TRUNCATE {TABLE}")
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, at text NOT NULL, note text)"
            )
            cursor.execute(f"DELETE FROM {TABLE}")
    return {"table": TABLE}


def measure(base: str, seconds: float, *, path: str = "/bench/write/"):  # noqa: ANN201 - a LoadResult
    """``write_rps`` (or the issue's floor): the bare view with the issue's 16 clients (after a short warm-up)."""
    from bench.loadgen import run_load

    load = {"method": "POST", "body": b"{}", "headers": {"Content-Type": "application/json"}}
    run_load(base, path, clients=4, seconds=0.5, **load)
    return run_load(base, path, clients=CLIENTS, seconds=seconds, **load)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(json.dumps({"setup": setup}[sys.argv[1]]()))
