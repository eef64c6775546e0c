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


def measure(base: str, seconds: float):  # noqa: ANN201 - a LoadResult
    """``write_rps``: the bare write with the issue's 16 clients (after a short warm-up)."""
    from bench.loadgen import run_load

    load = {"method": "POST", "body": b"{}", "headers": {"Content-Type": "application/json"}}
    run_load(base, "/bench/write/", clients=4, seconds=0.5, **load)
    return run_load(base, "/bench/write/", clients=CLIENTS, seconds=seconds, **load)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(json.dumps({"setup": setup}[sys.argv[1]]()))
