#!/usr/bin/env python
"""Profile the write paths in one process (issue 14): the ticket issue and the booking, through
Django's test client against the bench database (PostgreSQL and Redis as `make bench` uses them),
beside the bare write. Prints the mean time per request, the queries of one request and the
top of cProfile's table. Not part of `make bench` (cProfile slows everything it measures by a
factor; the shares are what it is for).

    DATABASE_URL=postgres://…/sh_x_bench REDIS_URL=… python bench/profile_writes.py [issue|booking|write] [N]

Run `make bench BENCH_ARGS="--only queues"` (and `--only appointments`) once first: it creates
the bench hall, its queues and the bench_write table.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
for name, value in {
    "SECRET_KEY": "bench-only-" + "b" * 40,
    "PERSONAL_DATA_KEY": "bench-only-" + "p" * 40,
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "0",
    "LOG_LEVEL": "ERROR",
    "THROTTLE_TICKET_ISSUE": "100000000/hour",
    "THROTTLE_BOOKING_IP": "100000000/hour",
    "THROTTLE_BOOKING_MOBILE": "100000000/hour",
}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _requests(kind: str):  # noqa: ANN202 - a generator of (path, body)
    if kind == "issue":
        while True:
            yield "/api/v1/halls/BENCH/tickets/", {"category": "A"}
    elif kind == "write":
        while True:
            yield "/bench/write/", {}
    else:
        from bench.booking_data import applicant, setup

        slot = setup()["slot"]
        n = 0
        while True:
            n += 1
            yield "/api/v1/bookings/", {"slot": slot, **applicant(99, n)}


def main(kind: str, count: int) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    requests = _requests(kind)

    def post() -> int:
        path, body = next(requests)
        return client.post(path, json.dumps(body), content_type="application/json").status_code

    for _ in range(20):  # warm up: the per-process memos, the connection
        post()
    if kind == "issue":  # the hall's published queue, which the answer reads (as under load)
        client.get("/api/v1/halls/BENCH/queue/")
    with CaptureQueriesContext(connection) as ctx:
        status = post()
    print(f"{kind}: status {status}, {len(ctx.captured_queries)} queries")
    for q in ctx.captured_queries:
        print("   ", q["sql"][:160])
    started = time.perf_counter()
    statuses: dict[int, int] = {}
    for _ in range(count):
        s = post()
        statuses[s] = statuses.get(s, 0) + 1
    elapsed = time.perf_counter() - started
    print(f"{count} requests, {elapsed / count * 1000:.2f} ms each (no profiler), statuses {statuses}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        post()
    profile.disable()
    if os.environ.get("PROFILE_OUT"):  # for pstats' browser: python -m pstats FILE
        profile.dump_stats(os.environ["PROFILE_OUT"])
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue().replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "issue", int(sys.argv[2]) if len(sys.argv) > 2 else 500)
