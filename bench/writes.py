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
WITH t AS (
  INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source, priority,
    status, id_hash, id_masked, issued_at, arrived_at, call_count, transfer_count, urgent)
  VALUES (%s, %s, %s, %s, %s, %s, 'online', '', 'waiting', '', '', %s, %s, 0, 0, false) RETURNING id
)
INSERT INTO queueing_ticketevent (ticket_id, kind, at, reason, data)
SELECT t.id, 'issued', %s, '', '{"source": "online", "priority": ""}'::jsonb FROM t RETURNING ticket_id
"""
_floor_queue: dict[str, int] = {}


@csrf_exempt
@require_POST
def bare_issue(request: HttpRequest) -> JsonResponse:
    """``POST /bench/issue-floor/``: what a ticket issue cannot do without — one round trip to
    Redis before (a counter and two reads), the number drawn and the ticket with its event
    inserted by the issue's own two statements (prepared, as the issue's are), one round trip to
    Redis after — with no framework, model or validation around it, in queue A of the bench hall.
    The issue's limit on this machine, measured beside it (``issue_floor_rps``)."""
    import secrets

    from django.core.cache import caches

    from queueing.services import _SEQUENCE_DRAW
    from servicehall.prepared import Statement

    if not _floor_queue:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.hall_id, c.id FROM queueing_queuecategory c JOIN catalog_hall h ON h.id = c.hall_id "
                "WHERE h.code = 'BENCH' AND c.letter = 'A'"
            )
            _floor_queue["hall"], _floor_queue["category"] = cursor.fetchone()
    hall_id, category_id = _floor_queue["hall"], _floor_queue["category"]
    backend = caches["default"]
    client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=False)
    pipeline.set("bench:floor:counter", 0, ex=3600, nx=True)
    pipeline.incr("bench:floor:counter")
    pipeline.mget(["bench:floor:a", "bench:floor:b"])
    pipeline.execute()
    now = timezone.now()
    today = timezone.localdate(now)
    token = secrets.token_urlsafe(18)
    with connection.cursor() as cursor:
        _SEQUENCE_DRAW.execute(cursor, [hall_id, category_id, today])
        sequence = cursor.fetchone()[0]
        number = f"F{sequence:03d}"
        # Prepared once per connection, as the issue's own statements are (servicehall/prepared.py).
        Statement("sh_bench_issue_floor", _ISSUE_FLOOR_SQL).execute(
            cursor, [hall_id, category_id, today, sequence, number, token, now, now, now]
        )
        ticket_id = cursor.fetchone()[0]
    pipeline = client.pipeline(transaction=False)
    pipeline.set("bench:floor:dirty", 1, ex=3600)
    pipeline.delete("bench:floor:console")
    pipeline.execute()
    return JsonResponse({"id": ticket_id, "number": number, "token": token}, status=201)


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
