#!/usr/bin/env python
"""`make bench`: the portal against gunicorn, every figure compared with the bare /healthz JSON
view measured on the same server in the same run (these machines are shared; absolute numbers
drift, ratios much less).

Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (a separate `<name>_bench`
database is created beside DATABASE_URL's); otherwise SQLite under var/. Prints tables and
writes bench/results/latest.json (git-ignored). `--only catalog`, `--only queues`,
`--only appointments`, `--only cases`, `--only feedback`, `--only staffing`, `--only joined` or
`--only console` runs one part.

Parts, each with its data helper (run in a subprocess with the bench environment; bulk loads with
PostgreSQL's generate_series, kept between runs):

- catalog (catalog_data.py): public catalog pages and API over 500 items;
- queues (queue_data.py, estimator_error.py): ticket issue, polled reads, the dashboard with 10k
  and 1M historical tickets, the wait estimate's error, the monitor over 200 halls;
- appointments (booking_data.py): 32 clients racing for 50 seats, availability;
- cases (case_data.py, issue 10): the warning job over 1M open cases, the deadline view;
- feedback (feedback_data.py, issue 12): the published satisfaction page and API over a year
  of rollups of a million ratings, the hourly rollup job, the "办不成事" flag job over 100k
  open reports;
- staffing (staffing_data.py, issue 13): the surge job over 200 halls with 100k tickets today
  and 2.6M over five weeks, the window planner API for the busiest hall;
- joined (joined_data.py, issue 11): a hall's forwarding inbox, page and API, with 10k and
  100k forwardings;
- console (console_data.py, issue 14): the window console's queue poll, 204 while unchanged
  against a full render.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import writes  # noqa: E402
from bench.loadgen import LoadResult, combined, interleaved, run_load  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
WRITE_ROUNDS = 4  # the issue, the bare write and its floor alternated (bench_queues)


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "servicehall"
    bench_url = urlunsplit(parts._replace(path=f"/{name}_bench"))
    import psycopg2

    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [f"{name}_bench"])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}_bench"')
    admin.close()
    return bench_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the portal on a free port."""

    def __init__(self, env: dict[str, str], workers: int, threads: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "servicehall.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                # Until 2026-12-03 this argument was missing: the bench served sync workers of one
                # thread each while printing "x 4 threads" (figures in bench/README.md before the
                # sections of issue 14 were measured so).
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(150):
            try:
                urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def helper(env: dict[str, str], script: str, *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / script), *args], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(
    title: str, rows: dict[str, tuple[str, LoadResult]], hello: float, queries: dict[str, int] | None = None
) -> None:
    print(f"\n{title}\n")
    print(
        f"{'endpoint':<16}{'path':<36}{'req/s':>9}{'x hello':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'queries':>9}"
    )
    for name, (path, result) in rows.items():
        q = "" if queries is None else queries.get(name, "")
        print(
            f"{name:<16}{path[:35]:<36}{result.rps:>9.0f}{result.rps / hello:>9.2f}{result.p50:>9.1f}"
            f"{result.percentile(0.95):>9.1f}{result.errors:>8}{q!s:>9}"
        )


def bench_catalog(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    queries = helper(env, "catalog_data.py", "--queries")
    code = queries["sample_code"]
    paths = {
        "home": "/",
        "guide_list": "/guides/",
        "guide_filter": "/guides/?hall=GZ-CITY&applicant=individual&page=2",
        "guide_search": "/guides/?q=%E8%AF%81",
        "guide_words": "/guides/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
        "api_search": "/api/v1/items/?q=%E7%A4%BE%E4%BF%9D",
        "guide_detail": f"/guides/{code}/",
        "hall_detail": "/halls/GZ-CITY/",
        "api_items": "/api/v1/items/",
        "api_item": f"/api/v1/items/{code}/",
        # The published satisfaction page (feedback), cached per rollup generation (issue 14): here
        # over whatever rollup the bench database holds (`--only feedback` loads a year of it).
        "ratings_page": "/ratings/",
    }
    for path in paths.values():  # warm up every worker
        run_load(server.base, path, clients=args.workers, seconds=0.5)
    results = {
        name: (path, run_load(server.base, path, clients=args.clients, seconds=args.seconds))
        for name, path in paths.items()
    }
    table(
        f"Catalog (cached, issue 14): {args.clients} clients x {args.seconds:.0f} s",
        results,
        hello,
        queries["per_request"],
    )
    print(f"queries to render (after a publish): {queries['per_render']}")
    # Conditional GET: a client that has the answer asks with its ETag and gets 304.
    conditional_paths = {
        name: paths[name]
        for name in (
            "home",
            "guide_list",
            "guide_filter",
            "guide_detail",
            "hall_detail",
            "api_items",
            "api_item",
            "ratings_page",
        )
    }
    conditional = {}
    for name, path in conditional_paths.items():
        etag = urlopen(server.base + path, timeout=10).headers["ETag"]
        headers = {"If-None-Match": etag}
        status = _status(server.base + path, headers)
        assert status == 304, (path, status)
        run_load(server.base, path, clients=args.workers, seconds=0.5, headers=headers)
        conditional[f"{name}_304"] = (
            path,
            run_load(server.base, path, clients=args.clients, seconds=args.seconds, headers=headers),
        )
    table("Catalog: conditional GET (If-None-Match, 304)", conditional, hello)
    results.update(conditional)
    return {
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in results.items()},
        **{f"{name}_errors": r.errors for name, (_p, r) in results.items()},
        **{f"{name}_x_hello": round(r.rps / hello, 3) for name, (_p, r) in results.items()},
        "catalog_items": queries["items"],
        "queries": queries["per_request"],
        "queries_render": queries["per_render"],
    }


def _status(url: str, headers: dict[str, str]) -> int:
    from urllib.error import HTTPError
    from urllib.request import Request

    try:
        return urlopen(Request(url, headers=headers), timeout=10).status
    except HTTPError as exc:
        return exc.code


def _poll_version(url: str) -> str:
    """The version a polling page would send back (from the fragment's hx-get URL)."""
    from urllib.request import Request

    html = urlopen(Request(url, headers={"HX-Request": "true"}), timeout=10).read().decode()
    return html.split("?v=", 1)[1].split('"', 1)[0]


def bench_queues(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    setup = helper(env, "queue_data.py", "setup")
    hall = setup["hall"]
    issue_path = f"/api/v1/halls/{hall}/tickets/"
    # A hall's boards keep its published queue in the cache all day, and the issue's answer reads
    # it; without a reader here it would be missing (the tests share and flush the cache), and each
    # issue would count the queue in the database instead, a cost that grows with the run.
    urlopen(server.base + f"/api/v1/halls/{hall}/queue/", timeout=10).read()
    # The issue, the bare write and the issue's floor (bench/writes.py: its one statement and two
    # Redis round trips with no framework, model or validation around them, in the same queue)
    # alternated round by round (as long in all as one run of --seconds each), so that the
    # machine's drift falls on all three alike: the target is issue ÷ write over all the rounds.
    post = {"method": "POST", "headers": {"Content-Type": "application/json"}, "clients": writes.CLIENTS}
    rounds = interleaved(
        server.base,
        {
            "write": {**post, "path": "/bench/write/", "body": b"{}"},
            "issue": {**post, "path": issue_path, "body": b'{"category": "A"}'},
            "floor": {**post, "path": "/bench/issue-floor/", "body": b"{}"},
        },
        rounds=WRITE_ROUNDS,
        seconds=args.seconds / WRITE_ROUNDS,
    )
    write, issue, floor = (combined(rounds[name]) for name in ("write", "issue", "floor"))
    issue_ratios = [i.rps / w.rps for i, w in zip(rounds["issue"], rounds["write"], strict=True)]
    floor_ratios = [f.rps / w.rps for f, w in zip(rounds["floor"], rounds["write"], strict=True)]
    dupes = helper(env, "queue_data.py", "duplicates")
    # A screen polls with the version it shows and gets 204 while nothing changed: "board" is
    # that steady state; "board_render" a board whose content changed on every poll.
    board_version = _poll_version(server.base + f"/halls/{hall}/board/")
    status_version = _poll_version(server.base + f"/halls/{hall}/queue/")
    reads = {
        "snapshot": f"/api/v1/halls/{hall}/queue/",
        "board": f"/halls/{hall}/board/?v={board_version}",
        "board_render": f"/halls/{hall}/board/",
        "hall_status": f"/halls/{hall}/queue/?v={status_version}",
        "hall_render": f"/halls/{hall}/queue/",
    }
    for path in reads.values():
        run_load(server.base, path, clients=args.workers, seconds=0.5, headers={"HX-Request": "true"})
    read_results = {
        name: (
            path,
            run_load(server.base, path, clients=args.clients, seconds=args.seconds, headers={"HX-Request": "true"}),
        )
        for name, path in reads.items()
    }
    table(
        f"Queues: ticket issue with 16 clients, reads with {args.clients} clients x {args.seconds:.0f} s",
        {"issue": (issue_path, issue), **read_results},
        hello,
    )
    print(
        f"  {WRITE_ROUNDS} rounds of {args.seconds / WRITE_ROUNDS:.0f} s alternated, 16 clients: bare write POST /bench/write/ "
        f"{write.rps:.0f} req/s, issue {issue.rps:.0f}, issue floor POST /bench/issue-floor/ {floor.rps:.0f} "
        f"(errors {write.errors}, {issue.errors}, {floor.errors})"
    )
    print(
        "  issue / write by round: "
        + ", ".join(f"{r:.2f}" for r in issue_ratios)
        + f" (all rounds {issue.rps / write.rps:.2f}); floor / write: "
        + ", ".join(f"{r:.2f}" for r in floor_ratios)
        + f" (all rounds {floor.rps / write.rps:.2f}); the issue reaches {issue.rps / floor.rps:.2f} x its floor"
    )
    print(f"  tickets in the bench hall today: {dupes['issued_today']}, duplicated numbers: {dupes['duplicates']}")

    cookie = {"Cookie": setup["cookie"]}
    dashboard = {}
    for label, size in (("10k", 10_000), ("1m", 1_000_000)):
        history = helper(env, "queue_data.py", "history", str(size))
        # Warmed longer than the other pages: the history just written has pushed today's tickets
        # out of PostgreSQL's buffers (an in-process A/B shows no cost of the history itself).
        run_load(server.base, "/supervisor/", clients=2, seconds=3, headers=cookie)
        result = run_load(server.base, "/supervisor/", clients=2, seconds=args.seconds, headers=cookie)
        dashboard[label] = (history["history_tickets"], result)
        print(
            f"  dashboard /supervisor/ with {history['history_tickets']:>9} historical tickets: p50 {result.p50:.1f} ms, "
            f"p95 {result.percentile(0.95):.1f} ms, errors {result.errors}"
        )
    # The dashboard's live region as the page polls it every 15 s (issue 14): rendered (no version,
    # or something changed), and with the version it shows while nothing changed (204).
    from urllib.request import Request

    live = {**cookie, "HX-Request": "true", "HX-Target": "overview-live"}
    run_load(server.base, "/supervisor/", clients=1, seconds=0.5, headers=live)
    rendered = run_load(server.base, "/supervisor/", clients=2, seconds=args.seconds, headers=live)
    # The version the region shows runs out at the start of the next minute (the waits "now" grow
    # by themselves, queueing.dashboard_poll): the 204s are measured within one minute, or every
    # poll after it would render and be counted as a 204.
    left = 60 - time.time() % 60
    if left < args.seconds + 3:
        time.sleep(left + 0.2)
    body = urlopen(Request(server.base + "/supervisor/", headers=live), timeout=10).read().decode()
    version = body.split("?v=", 1)[1].split('"', 1)[0]
    unchanged_path = f"/supervisor/?v={version}"
    if _status(server.base + unchanged_path, live) != 204:
        raise RuntimeError("the dashboard's poll with its version did not answer 204")
    run_load(server.base, unchanged_path, clients=1, seconds=0.5, headers=live)
    unchanged = run_load(server.base, unchanged_path, clients=2, seconds=args.seconds, headers=live)
    if _status(server.base + unchanged_path, live) != 204:
        raise RuntimeError("the dashboard's version ran out while its 204s were measured")
    poll_results = {
        "dashboard_poll_render": ("/supervisor/", rendered),
        "dashboard_poll_204": (unchanged_path, unchanged),
    }
    for name, (_path, result) in poll_results.items():
        print(
            f"  {name} (overview-live, {dashboard['1m'][0]} historical tickets, 2 clients): "
            f"{result.rps:.0f} req/s ({result.rps / hello:.2f} x hello), p50 {result.p50:.1f} ms, "
            f"p95 {result.percentile(0.95):.1f} ms, errors {result.errors}"
        )
    error = helper(env, "estimator_error.py")
    ours, naive = error["estimator"], error["naive"]
    print(
        f"  wait estimate vs what happened ({error['tickets']} tickets, {error['days']} simulated days, "
        f"mean wait {error['mean_actual_wait_minutes']} min): MAE {ours['mae_minutes']} min, median "
        f"{ours['median_abs_minutes']}, p90 {ours['p90_abs_minutes']}, bias {ours['bias_minutes']}, within 5 min "
        f"{ours['within_5_minutes']:.0%} (naive: MAE {naive['mae_minutes']}, bias {naive['bias_minutes']}; "
        f"ratio {error['ratio']}, target <= 0.6)"
    )
    monitor = helper(env, "queue_data.py", "monitor")
    print(
        f"  monitor over 200 halls x 8 categories: {monitor['monitor_seconds_200_halls'] * 1000:.0f} ms, "
        f"{monitor['monitor_queries']} queries (runs: {monitor['monitor_queries_all_runs']})"
    )
    figures = {
        "issue_rps": round(issue.rps, 1),
        "issue_p50_ms": round(issue.p50, 2),
        "issue_errors": issue.errors,
        "issue_duplicates": dupes["duplicates"],
        "issue_floor_rps": round(floor.rps, 1),
        "issue_write_rps": round(write.rps, 1),
        "issue_write_ratio_rounds": [round(r, 3) for r in issue_ratios],
        "issue_write_ratio": round(issue.rps / write.rps, 3),
        "issue_floor_write_ratio": round(floor.rps / write.rps, 3),
        "floor_write_ratio_rounds": [round(r, 3) for r in floor_ratios],
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in read_results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in read_results.items()},
        "dashboard_p50_ms_10k": round(dashboard["10k"][1].p50, 2),
        "dashboard_p50_ms_1m": round(dashboard["1m"][1].p50, 2),
        "dashboard_history_10k": dashboard["10k"][0],
        "dashboard_history_1m": dashboard["1m"][0],
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in poll_results.items()},
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in poll_results.items()},
        **{f"{name}_errors": r.errors for name, (_p, r) in poll_results.items()},
        "estimator_mae_minutes": ours["mae_minutes"],
        "estimator_median_abs_minutes": ours["median_abs_minutes"],
        "estimator_p90_abs_minutes": ours["p90_abs_minutes"],
        "estimator_bias_minutes": ours["bias_minutes"],
        "estimator_naive_mae_minutes": naive["mae_minutes"],
        "estimator_mae_ratio": error["ratio"],
        "monitor_seconds_200_halls": monitor["monitor_seconds_200_halls"],
        "monitor_queries": monitor["monitor_queries"],
    }
    print(
        "\n  targets: snapshot >= 0.8 x hello: {:.2f}; issue >= 0.5 x hello: {:.2f}, "
        ">= 0.6 x write (alternated rounds): {:.2f}, with {} duplicates; "
        "dashboard 1M <= 1.3 x 10k: {:.2f}; monitor < 1 s: {:.3f} s".format(
            figures["snapshot_rps"] / hello,
            figures["issue_rps"] / hello,
            figures["issue_write_ratio"],
            figures["issue_duplicates"],
            figures["dashboard_p50_ms_1m"] / figures["dashboard_p50_ms_10k"],
            figures["monitor_seconds_200_halls"],
        )
    )
    return figures


def bench_appointments(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """Booking: 32 clients compete for the 50 seats of one slot, every request another person
    (the real-name rules allow one booking per person, hall and day); afterwards the bookings
    held must equal the seats. Availability: 20 queues × 30 days in one request, with the same
    number of queries as 1 queue × 1 day."""
    clients = 32
    setup = helper(env, "booking_data.py", "setup")
    booking_path = "/api/v1/bookings/"
    # The bare write just before and just after the booking: their mean is the booking's yardstick,
    # so that the machine's drift since the write at the start of the run does not enter the ratio.
    write_before = writes.measure(server.base, args.seconds / 2)
    booking = helper(env, "booking_data.py", "load", server.base, str(setup["slot"]), str(clients), str(args.seconds))
    write_after = writes.measure(server.base, args.seconds / 2)
    write_beside = (write_before.rps + write_after.rps) / 2
    check = helper(env, "booking_data.py", "verify", str(setup["slot"]))
    avail = helper(env, "booking_data.py", "availability")
    run_load(server.base, avail["path"], clients=args.workers, seconds=0.5)
    avail_load = run_load(server.base, avail["path"], clients=args.clients, seconds=args.seconds)

    print(f"\nAppointments: booking with {clients} clients x {args.seconds:.0f} s, availability with {args.clients}\n")
    print(f"{'endpoint':<16}{'path':<36}{'req/s':>9}{'x hello':>9}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    print(
        f"{'booking':<16}{'POST ' + booking_path:<36}{booking['rps']:>9.0f}{booking['rps'] / hello:>9.2f}"
        f"{booking['p50_ms'] or float('nan'):>9.1f}{booking['p95_ms'] or float('nan'):>9.1f}{'':>9}"
    )
    print(
        f"{'availability':<16}{avail['path'].split('?')[0][:35]:<36}{avail_load.rps:>9.0f}"
        f"{avail_load.rps / hello:>9.2f}{avail_load.p50:>9.1f}{avail_load.percentile(0.95):>9.1f}"
        f"{avail['queries_20x30']:>9}"
    )
    print(
        f"  booking: {booking['requests']} requests ({booking['statuses']}), {booking['successes']} booked for "
        f"{setup['capacity']} seats in {booking['sold_out_seconds']} s; slot counter {check['counter']}, bookings "
        f"held {check['bookings']}, oversold {check['oversold']}"
    )
    print(
        f"  bare write just before and after the booking: {write_before.rps:.0f} and {write_after.rps:.0f} req/s "
        f"(errors {write_before.errors + write_after.errors})"
    )
    print(
        f"  availability: {avail['slots_20x30']} slots (20 queues x 30 days) in {avail['queries_20x30']} queries, "
        f"{avail['slots_1x1']} slots (1 x 1) in {avail['queries_1x1']}; errors under load {avail_load.errors}"
    )
    figures = {
        "booking_rps": booking["rps"],
        "booking_write_rps": round(write_beside, 1),
        "booking_write_ratio": round(booking["rps"] / write_beside, 3),
        "booking_p50_ms": booking["p50_ms"],
        "booking_requests": booking["requests"],
        "booking_statuses": booking["statuses"],
        "booking_successes": booking["successes"],
        "booking_seats": setup["capacity"],
        "booking_oversold": check["oversold"],
        "booking_counter_matches": check["counter_matches"],
        "booking_sold_out_seconds": booking["sold_out_seconds"],
        "availability_queries": avail["queries_20x30"],
        "availability_queries_1x1": avail["queries_1x1"],
        "availability_slots": avail["slots_20x30"],
        "availability_rps": round(avail_load.rps, 1),
        "availability_p50_ms": round(avail_load.p50, 2),
        "availability_errors": avail_load.errors,
    }
    print(
        "\n  targets: booking >= 0.4 x write (measured just before and after): {:.2f}; successes = seats: {} of {}; oversold 0: {}; "
        "availability queries constant: {} = {}".format(
            figures["booking_write_ratio"],
            figures["booking_successes"],
            figures["booking_seats"],
            figures["booking_oversold"],
            figures["availability_queries"],
            figures["availability_queries_1x1"],
        )
    )
    return figures


def bench_cases(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """The warning job over a million open cases (seconds and queries), and the supervisors'
    deadline view (``GET /api/v1/cases/deadlines/``: counts per hall and department and the 50
    oldest overdue cases) with 10k and with 1M open cases: the view should not slow down."""
    setup = helper(env, "case_data.py", "setup")
    cookie = {"Cookie": setup["cookie"]}
    path = "/api/v1/cases/deadlines/"
    view = {}
    job: dict = {}
    for label, size in (("10k", 10_000), ("1m", 1_000_000)):
        loaded = helper(env, "case_data.py", "load", str(size))
        run_load(server.base, path, clients=1, seconds=1, headers=cookie)
        result = run_load(server.base, path, clients=2, seconds=args.seconds, headers=cookie)
        view[label] = result
        print(
            f"  deadline view {path} with {loaded['open_cases']:>9} open cases (loaded in {loaded['load_seconds']} s): "
            f"p50 {result.p50:.1f} ms, p95 {result.percentile(0.95):.1f} ms, errors {result.errors}"
        )
        if label == "1m":
            job = helper(env, "case_data.py", "warnings")
    print(
        f"\nCases: warning job over {job['open_cases']} open cases: first run {job['first_seconds']} s "
        f"({job['first_changes']} colours set, {job['first_queries']} queries); next day {job['next_day_seconds']} s "
        f"({job['next_day_changes']} changes, {job['messages_next_day']} messages, {job['next_day_queries']} queries); "
        f"steady {job['steady_seconds']} s ({job['steady_queries']} queries)"
    )
    figures = {
        "case_warning_seconds_1m": job["next_day_seconds"],
        "case_warning_queries": job["next_day_queries"],
        "case_warning_first_run_seconds_1m": job["first_seconds"],
        "case_warning_first_run_queries": job["first_queries"],
        "case_warning_steady_seconds_1m": job["steady_seconds"],
        "case_warning_steady_queries": job["steady_queries"],
        "overdue_view_p50_ms_10k": round(view["10k"].p50, 2),
        "overdue_view_p50_ms_1m": round(view["1m"].p50, 2),
        "overdue_view_errors": view["10k"].errors + view["1m"].errors,
    }
    print(
        "\n  targets: warning job < 5 s with constant queries: {:.2f} s, {} / {} / {} queries; "
        "deadline view 1M <= 1.3 x 10k: {:.2f}".format(
            figures["case_warning_seconds_1m"],
            figures["case_warning_first_run_queries"],
            figures["case_warning_queries"],
            figures["case_warning_steady_queries"],
            figures["overdue_view_p50_ms_1m"] / figures["overdue_view_p50_ms_10k"],
        )
    )
    return figures


def _timed_reads(
    server: Server, args: argparse.Namespace, paths: dict[str, str], headers: dict[str, str] | None = None
) -> dict[str, tuple[str, LoadResult]]:
    for path in paths.values():  # warm up every worker
        run_load(server.base, path, clients=args.workers, seconds=0.5, headers=headers)
    return {
        name: (path, run_load(server.base, path, clients=args.clients, seconds=args.seconds, headers=headers))
        for name, path in paths.items()
    }


def bench_feedback(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """Issue 12. The published satisfaction (评价公开) read by anonymous clients, the page and the
    API, by hall (200 rows a month) and by window (1,000), over a year of monthly rollups of a
    million ratings; the hourly rollup job (three months); and the "办不成事" flag job over 100,000
    open reports (seconds and queries)."""
    data = helper(env, "feedback_data.py", "ratings")
    paths = {
        "ratings_page": "/ratings/",
        "ratings_windows": "/ratings/?scope=window",
        "ratings_api": "/api/v1/ratings/statistics/",
        "ratings_api_win": "/api/v1/ratings/statistics/?scope=window",
    }
    results = _timed_reads(server, args, paths)
    queries = dict(zip(paths, data["queries"].values(), strict=True))
    table(
        f"Feedback: published satisfaction, {args.clients} anonymous clients x {args.seconds:.0f} s "
        f"({data['ratings']} ratings, {data['rollup_rows']} rollup rows)",
        results,
        hello,
        queries,
    )
    print(
        f"  rollup job (3 months, {data['rollup_job_ratings']} ratings): {data['rollup_job_seconds']} s, "
        f"{data['rollup_job_queries']} queries, {data['rollup_job_rows']} rows (ratings loaded in "
        f"{data['load_seconds']} s)"
    )
    loaded = helper(env, "feedback_data.py", "reports", "100000")
    job = helper(env, "feedback_data.py", "flags")
    print(
        f"  report flag job over {job['open_reports']} open reports: first run {job['first_seconds']} s "
        f"({job['first_changes']} flags set, {job['first_messages']} messages, {job['first_queries']} queries); "
        f"next day {job['next_day_seconds']} s ({job['next_day_changes']} changes, {job['next_day_queries']} "
        f"queries); steady {job['steady_seconds']} s ({job['steady_queries']} queries); reports loaded in "
        f"{loaded['load_seconds']} s"
    )
    figures = {
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in results.items()},
        **{f"{name}_errors": r.errors for name, (_p, r) in results.items()},
        "ratings_queries": queries,
        "ratings_loaded": data["ratings"],
        "ratings_rollup_rows": data["rollup_rows"],
        "ratings_rollup_job_seconds": data["rollup_job_seconds"],
        "ratings_rollup_job_queries": data["rollup_job_queries"],
        "report_flags_seconds_100k": job["next_day_seconds"],
        "report_flags_queries": job["next_day_queries"],
        "report_flags_first_run_seconds_100k": job["first_seconds"],
        "report_flags_first_run_queries": job["first_queries"],
        "report_flags_steady_seconds_100k": job["steady_seconds"],
        "report_flags_steady_queries": job["steady_queries"],
    }
    print(
        "\n  targets: ratings page >= 0.05 x hello: {:.2f}, API >= 0.05 x hello: {:.2f}; rollup job < 60 s: {:.2f} s; "
        "flag job < 5 s with constant queries: {:.2f} s, {} / {} / {} queries".format(
            figures["ratings_page_rps"] / hello,
            figures["ratings_api_rps"] / hello,
            figures["ratings_rollup_job_seconds"],
            figures["report_flags_seconds_100k"],
            figures["report_flags_first_run_queries"],
            figures["report_flags_queries"],
            figures["report_flags_steady_queries"],
        )
    )
    return figures


def bench_staffing(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """Issue 13. The surge job at city scale (200 halls, 100,000 tickets today, 2.5M over five
    weeks; it runs every ten minutes) in seconds and queries, and the window planner API for the
    busiest hall (today: the day's tickets so far and four weeks of the same weekday) p50 with a
    supervisor's session."""
    setup = helper(env, "staffing_data.py", "setup")
    job = helper(env, "staffing_data.py", "surges")
    cookie = {"Cookie": setup["cookie"]}
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    path = f"/api/v1/staffing/planner/?hall={setup['hall']}&date={today:%Y-%m-%d}"
    # A page supervisors open, not one screens poll: two clients, as the deadline view.
    run_load(server.base, path, clients=1, seconds=1, headers=cookie)
    results = {"planner": (path, run_load(server.base, path, clients=2, seconds=args.seconds, headers=cookie))}
    table(
        f"Staffing: window planner, 2 clients x {args.seconds:.0f} s",
        results,
        hello,
        {"planner": job["planner_queries"]},
    )
    first, steady = job["first"], job["steady"]
    print(
        f"  tickets: {setup['tickets_today']} today ({setup['busy_hall_today']} at {setup['hall']}), "
        f"{setup['tickets_history']} over the five weeks before (loaded in {setup['load_seconds']} s)"
    )
    print(
        f"  surge job: first run {job['first_seconds']} s ({first['queues_checked']} queues, {first['over']} over, "
        f"{first['raised']} raised, {first['notified']} notified, {job['first_queries']} queries); next run "
        f"{job['steady_seconds']} s ({steady['raised']} raised, {job['steady_queries']} queries)"
    )
    planner = results["planner"][1]
    figures = {
        "surge_seconds": job["steady_seconds"],
        "surge_queries": job["steady_queries"],
        "surge_first_run_seconds": job["first_seconds"],
        "surge_first_run_queries": job["first_queries"],
        "surge_queues_checked": first["queues_checked"],
        "surge_raised": first["raised"],
        "surge_tickets_today": setup["tickets_today"],
        "surge_tickets_history": setup["tickets_history"],
        "planner_rps": round(planner.rps, 1),
        "planner_p50_ms": round(planner.p50, 2),
        "planner_errors": planner.errors,
        "planner_queries": job["planner_queries"],
    }
    print(
        "\n  targets: surge job < 10 s (runs every 10 min): {:.2f} s / first run {:.2f} s; "
        "planner p50 < 300 ms: {:.1f} ms".format(
            figures["surge_seconds"], figures["surge_first_run_seconds"], figures["planner_p50_ms"]
        )
    )
    return figures


def bench_joined(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """Issue 11. A hall's forwarding inbox (``/staff/forwarding/``: in transit to the hall, the
    latest handled, the latest sent) and its API (``/api/v1/forwardings/``) for a clerk whose hall
    has 10k and then 100k forwardings to and from it: the p50 should not grow."""
    setup = helper(env, "joined_data.py", "setup")
    cookies = {name: {"Cookie": setup["cookie"]} for name in setup["paths"]}
    cookies.update({name: {"Cookie": setup["chief_cookie"]} for name in setup["chief_paths"]})
    paths = {**setup["paths"], **setup["chief_paths"]}
    view: dict[str, dict[str, LoadResult]] = {}
    queries: dict[str, dict] = {}
    plans: dict[str, dict] = {}
    for label, size in (("10k", 10_000), ("100k", 100_000)):
        loaded = helper(env, "joined_data.py", "load", str(size))
        queries[label] = loaded["queries"]
        plans[label] = loaded["urgent"]
        print(f"  urgent requests {loaded['urgent']}")
        view[label] = {}
        for name, path in paths.items():
            cookie = cookies[name]
            run_load(server.base, path, clients=1, seconds=1, headers=cookie)
            result = run_load(server.base, path, clients=2, seconds=args.seconds, headers=cookie)
            view[label][name] = result
            print(
                f"  {name} {path} with {loaded['forwardings']:>7} forwardings ({loaded['in_transit_here']} in "
                f"transit to the hall; loaded in {loaded['load_seconds']} s): p50 {result.p50:.1f} ms, p95 "
                f"{result.percentile(0.95):.1f} ms, errors {result.errors}, {loaded['queries'][name]} queries"
            )
    figures: dict = {}
    for name in paths:
        prefix = "" if name.startswith("urgent") else "forwarding_"
        figures[f"{prefix}{name}_p50_ms_10k"] = round(view["10k"][name].p50, 2)
        figures[f"{prefix}{name}_p50_ms_100k"] = round(view["100k"][name].p50, 2)
        figures[f"{prefix}{name}_errors"] = view["10k"][name].errors + view["100k"][name].errors
    for label in ("10k", "100k"):
        figures[f"urgent_decided_page_query_ms_{label}"] = plans[label]["decided_page_ms"]
        figures[f"urgent_decided_count_query_ms_{label}"] = plans[label]["decided_count_ms"]
    figures["forwarding_queries"] = queries["100k"]
    print(
        "\n  targets: 100k <= 1.3 x 10k: inbox {:.2f}, API {:.2f}, urgent inbox page 2 {:.2f}; "
        "queries constant: {} = {}".format(
            figures["forwarding_inbox_p50_ms_100k"] / figures["forwarding_inbox_p50_ms_10k"],
            figures["forwarding_api_incoming_p50_ms_100k"] / figures["forwarding_api_incoming_p50_ms_10k"],
            figures["urgent_inbox_page2_p50_ms_100k"] / figures["urgent_inbox_page2_p50_ms_10k"],
            queries["10k"],
            queries["100k"],
        )
    )
    return figures


def bench_console(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    """Issue 14. The window console's queue poll (``/staff/windows/<pk>/?part=queue``, every 4 s
    per console) with 40 tickets waiting: the steady state with the version the console shows
    (204 while nothing changed) against a full render on every poll."""
    from urllib.request import Request

    setup = helper(env, "console_data.py", "setup")
    headers = {"Cookie": setup["cookie"], "HX-Request": "true"}
    path = f"/staff/windows/{setup['window']}/?part=queue"
    body = urlopen(Request(server.base + path, headers=headers), timeout=10).read().decode()
    version = body.split("v=", 1)[1].split('"', 1)[0]
    reads = {"console_render": path, "console_204": f"{path}&v={version}"}
    with urlopen(Request(server.base + reads["console_204"], headers=headers), timeout=10) as unchanged:
        if unchanged.status != 204:
            raise RuntimeError(f"the poll with its version answered {unchanged.status}, not 204")
    for read in reads.values():
        run_load(server.base, read, clients=args.workers, seconds=0.5, headers=headers)
    results = {
        name: (read, run_load(server.base, read, clients=args.clients, seconds=args.seconds, headers=headers))
        for name, read in reads.items()
    }
    table(
        f"Console queue poll ({setup['waiting']} waiting), {args.clients} clients x {args.seconds:.0f} s",
        results,
        hello,
    )
    return {
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in results.items()},
        **{f"{name}_errors": r.errors for name, (_p, r) in results.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", 8)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    parser.add_argument(
        "--only",
        choices=["catalog", "queues", "appointments", "cases", "feedback", "staffing", "joined", "console"],
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(),
        "SECRET_KEY": "bench-only-" + "b" * 40,
        "PERSONAL_DATA_KEY": "bench-only-" + "p" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "bench.settings",  # production's, plus the bare write view
        "SERVICEHALL_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "ERROR",  # refusals (409s) are expected under load; only errors matter
        "THROTTLE_TICKET_ISSUE": "100000000/hour",  # the load comes from one address
        "THROTTLE_BOOKING_IP": "100000000/hour",
        "THROTTLE_BOOKING_MOBILE": "100000000/hour",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  cache: {'redis' if env.get('REDIS_URL') else 'files'}")
    # --skip-checks: the bench's own district halls (BENCH, BENCH-BK, SIM) have no 办不成事 window,
    # which the database check of Art. 6 ¶1 refuses on a second run; they are fixtures, not halls.
    subprocess.run([*manage, "migrate", "--noinput", "--skip-checks", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([PYTHON, str(ROOT / "bench" / "catalog_data.py"), "500"], env=env, check=True, cwd=ROOT)
    if env["DATABASE_URL"].startswith("postgres"):
        # Fresh bulk loads have no planner statistics; production tables are analysed by autovacuum.
        subprocess.run(
            [*manage, "dbshell", "--", "-c", "ANALYZE"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )

    # The production command (Dockerfile, docker-compose.yml): 4 workers × 4 threads.
    server = Server(env, args.workers, args.threads)
    try:
        run_load(server.base, "/healthz", clients=args.workers, seconds=0.5)
        hello_result = run_load(server.base, "/healthz", clients=args.clients, seconds=args.seconds)
        hello = hello_result.rps
        print(
            f"\nhello /healthz: {hello:.0f} req/s, p50 {hello_result.p50:.1f} ms "
            f"(gunicorn {args.workers} workers x {args.threads} threads)"
        )
        figures: dict = {}
        args.write_rps = None
        if args.only in (None, "queues", "appointments"):
            helper(env, "writes.py", "setup")
            write = writes.measure(server.base, args.seconds)
            args.write_rps = figures["write_rps"] = round(write.rps, 1)
            print(
                f"bare write POST /bench/write/ ({writes.CLIENTS} clients): {write.rps:.0f} req/s "
                f"({write.rps / hello:.2f} x hello), p50 {write.p50:.1f} ms, errors {write.errors}"
            )
        if args.only in (None, "catalog"):
            figures.update(bench_catalog(env, server, args, hello))
        if args.only in (None, "queues"):
            figures.update(bench_queues(env, server, args, hello))
        if args.only in (None, "appointments"):
            figures.update(bench_appointments(env, server, args, hello))
        if args.only in (None, "cases"):
            figures.update(bench_cases(env, server, args, hello))
        if args.only in (None, "feedback"):
            figures.update(bench_feedback(env, server, args, hello))
        if args.only in (None, "staffing"):
            figures.update(bench_staffing(env, server, args, hello))
        if args.only in (None, "joined"):
            figures.update(bench_joined(env, server, args, hello))
        if args.only in (None, "console"):
            figures.update(bench_console(env, server, args, hello))
    finally:
        server.stop()

    figures.update(
        when=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.node()} {os.cpu_count()} cpu",
        database="postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite",
        cache="redis" if env.get("REDIS_URL") else "files",
        clients=args.clients,
        seconds=args.seconds,
        hello_rps=round(hello, 1),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    latest.write_text(json.dumps({**previous, **figures}, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {latest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
