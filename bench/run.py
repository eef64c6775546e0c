#!/usr/bin/env python
"""`make bench`: the portal against gunicorn, every figure compared with the bare /healthz JSON
view measured on the same server in the same run (these machines are shared; absolute numbers
drift, ratios much less).

Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (a separate `<name>_bench`
database is created beside DATABASE_URL's); otherwise SQLite under var/. Prints tables and
writes bench/results/latest.json (git-ignored). `--only catalog`, `--only queues`,
`--only appointments` or `--only cases` runs one part.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.loadgen import LoadResult, run_load  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


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
        "guide_search": "/guides/?q=%E8%AF%81",
        "guide_words": "/guides/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
        "api_search": "/api/v1/items/?q=%E7%A4%BE%E4%BF%9D",
        "guide_detail": f"/guides/{code}/",
        "hall_detail": "/halls/GZ-CITY/",
        "api_items": "/api/v1/items/",
        "api_item": f"/api/v1/items/{code}/",
    }
    for path in paths.values():  # warm up every worker
        run_load(server.base, path, clients=args.workers, seconds=0.5)
    results = {
        name: (path, run_load(server.base, path, clients=args.clients, seconds=args.seconds))
        for name, path in paths.items()
    }
    table(f"Catalog: {args.clients} clients x {args.seconds:.0f} s", results, hello, queries["per_request"])
    return {
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in results.items()},
        **{f"{name}_errors": r.errors for name, (_p, r) in results.items()},
        "catalog_items": queries["items"],
        "queries": queries["per_request"],
    }


def _poll_version(url: str) -> str:
    """The version a polling page would send back (from the fragment's hx-get URL)."""
    from urllib.request import Request

    html = urlopen(Request(url, headers={"HX-Request": "true"}), timeout=10).read().decode()
    return html.split("?v=", 1)[1].split('"', 1)[0]


def bench_queues(env: dict[str, str], server: Server, args: argparse.Namespace, hello: float) -> dict:
    setup = helper(env, "queue_data.py", "setup")
    hall = setup["hall"]
    issue_path = f"/api/v1/halls/{hall}/tickets/"
    issue = run_load(
        server.base,
        issue_path,
        clients=16,
        seconds=args.seconds,
        method="POST",
        body=b'{"category": "A"}',
        headers={"Content-Type": "application/json"},
    )
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
    print(f"  issued {dupes['issued_today']} tickets, duplicated numbers: {dupes['duplicates']}")

    cookie = {"Cookie": setup["cookie"]}
    dashboard = {}
    for label, size in (("10k", 10_000), ("1m", 1_000_000)):
        history = helper(env, "queue_data.py", "history", str(size))
        run_load(server.base, "/supervisor/", clients=1, seconds=1, headers=cookie)
        result = run_load(server.base, "/supervisor/", clients=2, seconds=args.seconds, headers=cookie)
        dashboard[label] = (history["history_tickets"], result)
        print(
            f"  dashboard /supervisor/ with {history['history_tickets']:>9} historical tickets: p50 {result.p50:.1f} ms, "
            f"p95 {result.percentile(0.95):.1f} ms, errors {result.errors}"
        )
    error = helper(env, "estimator_error.py")
    ours, naive = error["estimator"], error["naive"]
    print(
        f"  wait estimate vs what happened ({error['tickets']} tickets, {error['mornings']} simulated mornings, "
        f"mean wait {error['mean_actual_wait_minutes']} min): MAE {ours['mae_minutes']} min, median "
        f"{ours['median_abs_minutes']}, p90 {ours['p90_abs_minutes']}, bias {ours['bias_minutes']}, within 5 min "
        f"{ours['within_5_minutes']:.0%} (naive: MAE {naive['mae_minutes']}, bias {naive['bias_minutes']})"
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
        **{f"{name}_rps": round(r.rps, 1) for name, (_p, r) in read_results.items()},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, (_p, r) in read_results.items()},
        "dashboard_p50_ms_10k": round(dashboard["10k"][1].p50, 2),
        "dashboard_p50_ms_1m": round(dashboard["1m"][1].p50, 2),
        "dashboard_history_10k": dashboard["10k"][0],
        "dashboard_history_1m": dashboard["1m"][0],
        "estimator_mae_minutes": ours["mae_minutes"],
        "estimator_median_abs_minutes": ours["median_abs_minutes"],
        "estimator_p90_abs_minutes": ours["p90_abs_minutes"],
        "estimator_bias_minutes": ours["bias_minutes"],
        "estimator_naive_mae_minutes": naive["mae_minutes"],
        "monitor_seconds_200_halls": monitor["monitor_seconds_200_halls"],
        "monitor_queries": monitor["monitor_queries"],
    }
    print(
        "\n  targets: snapshot >= 0.8 x hello: {:.2f}; issue >= 0.5 x hello: {:.2f} with {} duplicates; "
        "dashboard 1M <= 1.3 x 10k: {:.2f}; monitor < 1 s: {:.3f} s".format(
            figures["snapshot_rps"] / hello,
            figures["issue_rps"] / hello,
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
    booking = helper(env, "booking_data.py", "load", server.base, str(setup["slot"]), str(clients), str(args.seconds))
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
        f"  availability: {avail['slots_20x30']} slots (20 queues x 30 days) in {avail['queries_20x30']} queries, "
        f"{avail['slots_1x1']} slots (1 x 1) in {avail['queries_1x1']}; errors under load {avail_load.errors}"
    )
    figures = {
        "booking_rps": booking["rps"],
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
        "\n  targets: successes = seats: {} of {}; oversold 0: {}; availability queries constant: {} = {}".format(
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", 8)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    parser.add_argument("--only", choices=["catalog", "queues", "appointments", "cases"])
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(),
        "SECRET_KEY": "bench-only-" + "b" * 40,
        "PERSONAL_DATA_KEY": "bench-only-" + "p" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "servicehall.settings",
        "SERVICEHALL_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "ERROR",  # refusals (409s) are expected under load; only errors matter
        "THROTTLE_TICKET_ISSUE": "100000000/hour",  # the load comes from one address
        "THROTTLE_BOOKING_IP": "100000000/hour",
        "THROTTLE_BOOKING_MOBILE": "100000000/hour",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  cache: {'redis' if env.get('REDIS_URL') else 'files'}")
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
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
        if args.only in (None, "catalog"):
            figures.update(bench_catalog(env, server, args, hello))
        if args.only in (None, "queues"):
            figures.update(bench_queues(env, server, args, hello))
        if args.only in (None, "appointments"):
            figures.update(bench_appointments(env, server, args, hello))
        if args.only in (None, "cases"):
            figures.update(bench_cases(env, server, args, hello))
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
