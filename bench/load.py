#!/usr/bin/env python
"""`make load`: the city's peak hour compressed onto one web node (issue 14).

gunicorn (bench/run.py's ``Server``, 4 workers × 4 threads) on PostgreSQL with Redis, a real
Celery worker and beat running beside it, driven by client processes that each send a mix of
requests drawn by the city's peak-hour shares (``CITY`` below: 200 halls, 100,000 tickets a day):
tickets issued, windows calling and finishing (clerks' sessions), the window consoles polling
their queue, display boards and phones polling, people at home watching a hall's queue,
supervisors on the dashboard and in the history, bookings and the slots they look at, citizens
reading the guides and the catalog API. The load rises in steps of concurrent clients; each step
reports, per kind: requests, throughput, p50/p95/p99, errors (status not 2xx/3xx, by status) and
queries per request. The hello baseline (``/healthz``) is measured on the same server in the same
run.

Queries per request are counted by the server itself: ``BENCH_QUERY_COUNT=1`` installs
``servicehall.middleware.QueryCountMiddleware``, which counts every query of every request on
every connection and returns the count in an ``X-Query-Count`` header (a bench-only setting).

Before the steps, each kind runs alone (one client, ``--cost-seconds``) and the CPU time it costs
the gunicorn workers and PostgreSQL's backends for the load database is read from /proc: CPU
milliseconds per request, which other jobs on a shared machine inflate far less than latencies,
and from which docs/scaling.md sizes the city (the cores the peak hour keeps busy).

Uses DATABASE_URL's PostgreSQL server with a database of its own, ``<name>_load`` (created once,
kept between runs), and REDIS_URL. Prints a table per step and writes bench/results/load.json
(git-ignored). ``--duration`` is the total time of mixed load (default 30 s, split over
``--steps``, default 4, 8 and 16 clients); with the hello baseline, the warm-up and the costs a
default run is about 80 s of load, plus the setup (81–142 s measured on a busy 2-core machine;
most of it the demo data and 800 tickets issued through the services).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.loadgen import run_load  # noqa: E402
from bench.run import Server  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
RESULTS = ROOT / "bench" / "results"
VAR = ROOT / "var" / "load"

# --- The city's peak hour ---------------------------------------------------------------------
# Requests per second the whole city makes in its busiest hour, per kind, and why. Static files
# are left out (a CDN serves them); so are kiosks' own pages (a kiosk issues what `issue` does).
PEAK_TICKETS_PER_HOUR = 100_000 * 0.15  # 15 % of the day's tickets in the busiest hour
WAITING_AT_PEAK = PEAK_TICKETS_PER_HOUR * 20 / 60  # Little's law: 20 min mean wait → 5,000 people
OPEN_WINDOWS_AT_PEAK = PEAK_TICKETS_PER_HOUR * 12 / 60  # 12 min mean service → 3,000 windows busy
CITY: dict[str, tuple[float, str]] = {
    "issue": (PEAK_TICKETS_PER_HOUR / 3600, "100k tickets/day, 15 % in the peak hour"),
    "call": (PEAK_TICKETS_PER_HOUR * 1.05 / 3600, "every ticket called once, 5 % recalled"),
    "finish": (PEAK_TICKETS_PER_HOUR / 3600, "every ticket finished once"),
    "console": (OPEN_WINDOWS_AT_PEAK / 4, "3,000 window consoles poll their queue every 4 s"),
    "board": (500 / 2, "500 display screens (≈2.5 a hall) poll every 2 s"),
    "phone": (WAITING_AT_PEAK * 0.4 / 5, "5,000 waiting, 40 % with the ticket page open, every 5 s"),
    "hall_queue": (1_000 / 30, "1,000 people watching a hall's queue from home, every 30 s"),
    "dashboard": (250 / 15, "250 supervisors on the live dashboard, every 15 s"),
    "history": (0.2, "supervisors reading history and exports: a few a minute"),
    "book": (30_000 * 0.10 / 3600, "30 % of tickets booked (30k/day), 10 % of them in the peak hour"),
    "slots": (30_000 * 0.10 * 6 / 3600, "six availability looks per booking made"),
    "home": (15.0, "3M guide page views a day (1M readers x 3), 10 % in the peak hour: ..."),
    "guide_list": (25.0, "... the list and searches,"),
    "guide": (43.0, "... the guide pages,"),
    "api": (25.0, "the catalog API (apps, mini programs, partner sites)"),
}
# Rare kinds are drawn at least this often in the compressed hour, so that their percentiles rest
# on more than a handful of requests: the writes, the dashboard, history, booking and slots take
# 1 % each where the city gives them 0.01-1 %, which makes the mix a little dearer than the city's.
MIN_SHARE = 0.01

# Searches of the guide list (证; 营业执照).
GUIDE_LISTS = ("/guides/?q=%E8%AF%81", "/guides/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7")
VERSION = re.compile(rb"\?v=([0-9a-f]+)")
CONSOLE_VERSION = re.compile(rb"part=queue&(?:amp;)?v=([^\"&]+)")
# The supervisors' live regions carry a signed version in their own hx-get (queueing.dashboard_poll).
DASHBOARD_VERSION = {
    region: re.compile(rb'id="' + region.encode() + rb'"[^>]*hx-get="[^"?]*\?v=([^"&]+)"')
    for region in ("overview-live", "hall-live")
}


def shares() -> dict[str, float]:
    total = sum(rate for rate, _why in CITY.values())
    raw = {kind: max(rate / total, MIN_SHARE) for kind, (rate, _why) in CITY.items()}
    norm = sum(raw.values())
    return {kind: share / norm for kind, share in raw.items()}


# --- The clients ------------------------------------------------------------------------------


def person(k: int) -> dict[str, str]:
    """The k-th applicant of a run: a valid ID number of an area code no one has, unique for
    k < 10 million, and a unique mobile number."""
    birth = date(1950, 1, 1) + timedelta(days=k // 1000)
    first17 = f"990303{birth:%Y%m%d}{k % 1000:03d}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    return {"name": f"负载{k}", "id_number": first17 + check, "mobile": f"137{k:08d}"}


class Conn:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.csrf = secrets.token_hex(16)

    def send(
        self,
        method: str,
        path: str,
        *,
        cookie: str = "",
        payload: dict | None = None,
        htmx: str | None = None,
    ) -> tuple[int, bytes, int]:
        headers = {"Cookie": f"csrftoken={self.csrf}" + (f"; {cookie}" if cookie else ""), "X-CSRFToken": self.csrf}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if htmx is not None:
            headers["HX-Request"] = "true"
            if htmx:
                headers["HX-Target"] = htmx
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return 0, b"", -1
        return response.status, data, int(response.getheader("X-Query-Count") or -1)


def _client(
    index: int,
    count: int,
    base: str,
    setup: dict,
    mix: dict[str, float],
    seconds: float,
    person_base: int,
    out: mp.Queue,
) -> None:
    rng = random.Random(person_base + index)
    conn = Conn(base)
    kinds, weights = list(mix), list(mix.values())
    halls = setup["halls"]
    # Each client owns its share of the windows: a window's clerk calls, then finishes.
    windows = setup["windows"][index::count]
    busy: dict[int, int] = {}
    tokens = collections.deque(setup["tokens"], maxlen=400)
    versions: dict[str, str] = dict(setup["versions"])
    console_versions: dict[int, str] = {}
    dashboard_versions: dict[int, str] = dict(setup.get("dashboard_versions", {}))
    people = iter(range(person_base + index * 100_000, person_base + (index + 1) * 100_000))
    tomorrow = setup["tomorrow"]
    records: list[tuple[str, int, float, int]] = []

    def poll(path: str, cookie: str = "", target: str = "") -> tuple[int, bytes, int]:
        version = versions.get(path)
        status, data, queries = conn.send("GET", f"{path}?v={version}" if version else path, cookie=cookie, htmx=target)
        if status == 200:
            found = VERSION.search(data)
            if found:
                versions[path] = found.group(1).decode()
        return status, data, queries

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        kind = rng.choices(kinds, weights)[0]
        if kind == "call" and windows and len(busy) == len(windows):
            kind = "finish"
        elif kind == "finish" and not busy:
            kind = "call"
        hall = rng.choice(halls)
        start = time.perf_counter()
        if kind == "issue":
            status, data, queries = conn.send(
                "POST", f"/api/v1/halls/{hall}/tickets/", payload={"category": rng.choice(setup["letters"])}
            )
            if status == 201:
                tokens.append(json.loads(data)["token"])
        elif kind == "call":
            window = rng.choice([w for w in windows if w["pk"] not in busy])
            status, data, queries = conn.send(
                "POST", f"/api/v1/windows/{window['pk']}/call-next/", cookie=window["cookie"]
            )
            if status == 200:
                ticket = json.loads(data)["ticket"]
                if ticket:
                    busy[window["pk"]] = ticket["id"]
        elif kind == "finish":
            pk = rng.choice(list(busy))
            window = next(w for w in windows if w["pk"] == pk)
            status, data, queries = conn.send(
                "POST", f"/api/v1/windows/{pk}/tickets/{busy[pk]}/finish/", cookie=window["cookie"]
            )
            if status < 500:
                busy.pop(pk)
        elif kind == "console":
            # The console's queue poll carries the version of the fragment it shows (issue 14):
            # 204 while nothing it shows changed, a render otherwise.
            window = rng.choice(windows or setup["windows"])
            path = f"/staff/windows/{window['pk']}/?part=queue"
            version = console_versions.get(window["pk"])
            status, data, queries = conn.send(
                "GET", f"{path}&v={version}" if version else path, cookie=window["cookie"], htmx=""
            )
            if status == 200:
                found = CONSOLE_VERSION.search(data)
                if found:
                    console_versions[window["pk"]] = found.group(1).decode()
        elif kind == "board":
            status, data, queries = poll(f"/halls/{hall}/board/")
        elif kind == "phone":
            # A phone polls its own ticket: the client holds the latest 25 open, as 25 phones.
            status, data, queries = poll(f"/t/{tokens[-1 - rng.randrange(min(25, len(tokens)))]}/")
        elif kind == "hall_queue":
            status, data, queries = poll(f"/halls/{hall}/queue/")
        elif kind == "dashboard":
            # A supervisor's open page polls its live region with the version it shows, as htmx
            # does (issue 14): 204 while nothing in it changed (the version runs out each minute).
            k = rng.randrange(len(setup["supervisors"]))
            path, region = _dashboard_poll(setup, k)
            version = dashboard_versions.get(k)
            status, data, queries = conn.send(
                "GET", f"{path}?v={version}" if version else path, cookie=setup["supervisors"][k], htmx=region
            )
            if status == 200:
                found = DASHBOARD_VERSION[region].search(data)
                dashboard_versions[k] = found.group(1).decode() if found else ""
        elif kind == "history":
            status, data, queries = conn.send("GET", "/supervisor/history/", cookie=setup["supervisors"][0])
        elif kind == "book":
            slot = rng.choice(setup["slots"])
            status, data, queries = conn.send(
                "POST", "/api/v1/bookings/", payload={"slot": slot, **person(next(people))}
            )
        elif kind == "slots":
            status, data, queries = conn.send(
                "GET", f"/api/v1/halls/{hall}/slots/?category=A&start={tomorrow}&end={tomorrow}"
            )
        elif kind == "home":
            status, data, queries = conn.send("GET", "/")
        elif kind == "guide_list":
            path = rng.choice(["/guides/", *GUIDE_LISTS])
            status, data, queries = conn.send("GET", path)
        elif kind == "guide":
            status, data, queries = conn.send("GET", f"/guides/{rng.choice(setup['guides'])}/")
        else:  # api
            path = rng.choice(["/api/v1/items/", f"/api/v1/items/{rng.choice(setup['guides'])}/"])
            status, data, queries = conn.send("GET", path)
        records.append((kind, status, (time.perf_counter() - start) * 1000, queries))
    # Windows still busy are finished outside the measurement, so the next step starts clean.
    for pk, ticket in busy.items():
        window = next(w for w in windows if w["pk"] == pk)
        conn.send("POST", f"/api/v1/windows/{pk}/tickets/{ticket}/finish/", cookie=window["cookie"])
    out.put(records)


def _dashboard_poll(setup: dict, k: int) -> tuple[str, str]:
    """The page and the live region supervisor ``k`` polls: the first the city overview, the
    others their hall's live figures."""
    if k == 0:
        return "/supervisor/", "overview-live"
    return f"/supervisor/halls/{setup['supervised_halls'][k - 1]}/", "hall-live"


def prime_dashboard_versions(base: str, setup: dict) -> dict[int, str]:
    """The versions the supervisors' open pages show when the measurement starts (a version runs
    out at the next minute: a run longer than that renders each region again, as a browser would)."""
    conn = Conn(base)
    versions = {}
    for k, cookie in enumerate(setup["supervisors"]):
        path, region = _dashboard_poll(setup, k)
        status, data, _q = conn.send("GET", path, cookie=cookie, htmx=region)
        found = DASHBOARD_VERSION[region].search(data) if status == 200 else None
        if found:
            versions[k] = found.group(1).decode()
    return versions


def prime_versions(base: str, setup: dict) -> dict[str, str]:
    """What the screens and phones already show when the measurement starts: in a hall at its
    peak, a board or a phone has been polling for a while and mostly hears "nothing new" (204)."""
    conn = Conn(base)
    versions = {}
    paths = [f"/halls/{hall}/{page}/" for hall in setup["halls"] for page in ("board", "queue")]
    paths += [f"/t/{token}/" for token in setup["tokens"][-25:]]
    for path in paths:
        status, data, _q = conn.send("GET", path, htmx="")
        found = VERSION.search(data) if status == 200 else None
        if found:
            versions[path] = found.group(1).decode()
    return versions


def pct(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def run_mix(base: str, setup: dict, mix: dict[str, float], clients: int, seconds: float) -> dict:
    queue: mp.Queue = mp.Queue()
    person_base = random.randrange(0, 9_000_000 - clients * 100_000)
    procs = [
        mp.Process(target=_client, args=(i, clients, base, setup, mix, seconds, person_base, queue))
        for i in range(clients)
    ]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for p in procs:
        p.start()
    records = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    elapsed = min(time.perf_counter() - started, seconds + 1)
    by_kind: dict[str, list[tuple[int, float, int]]] = collections.defaultdict(list)
    for kind, status, ms, queries in records:
        by_kind[kind].append((status, ms, queries))
    rows = {}
    for kind in mix:
        got = by_kind.get(kind, [])
        ordered = sorted(ms for _s, ms, _q in got)
        errors = collections.Counter(s for s, _ms, _q in got if not 200 <= s < 400)
        counted = [q for _s, _ms, q in got if q >= 0]
        rows[kind] = {
            "requests": len(got),
            "rps": round(len(got) / elapsed, 1),
            "p50_ms": round(pct(ordered, 0.50), 1),
            "p95_ms": round(pct(ordered, 0.95), 1),
            "p99_ms": round(pct(ordered, 0.99), 1),
            "errors": sum(errors.values()),
            "errors_by_status": {str(s): n for s, n in sorted(errors.items())},
            "queries_mean": round(sum(counted) / len(counted), 1) if counted else None,
            "queries_max": max(counted) if counted else None,
            "statuses": dict(sorted(collections.Counter(str(s) for s, _ms, _q in got).items())),
        }
    all_ms = sorted(ms for _k, _s, ms, _q in records)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(records),
        "rps": round(len(records) / elapsed, 1),
        "p50_ms": round(pct(all_ms, 0.5), 1),
        "p99_ms": round(pct(all_ms, 0.99), 1),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "kinds": rows,
    }


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_spent(before: dict[int, float], pids: list[int]) -> float:
    """CPU time spent since ``before`` by the processes alive now (a backend that started in
    between counts whole; one that ended in between is lost, never counted negative)."""
    now = _cpu_seconds(list({*before, *pids}))
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in now.items())


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _backends(env: dict[str, str]) -> list[int]:
    """The PostgreSQL server processes serving the load database (the web workers' connections)."""
    import psycopg2

    conn = psycopg2.connect(env["DATABASE_URL"])
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    conn.close()
    return pids


def measure_costs(server: Server, env: dict[str, str], setup: dict, seconds: float) -> dict[str, dict]:
    """Each kind alone, one client: CPU milliseconds per request spent by the web workers and by
    PostgreSQL's backends for the load database, whatever else the machine runs (CPU time, not
    wall time, so other helpers' load inflates it far less than latencies). The Celery worker's
    own backend is counted too: a small, steady share."""
    workers = _children(server.process.pid)
    costs = {}
    for kind in CITY:
        web0, db0 = _cpu_seconds(workers), _cpu_seconds(_backends(env))
        step = run_mix(server.base, setup, {kind: 1.0}, 1, seconds)
        web, db = _cpu_spent(web0, workers), _cpu_spent(db0, _backends(env))
        row = step["kinds"][kind]
        # A clerk with no ticket at any window calls instead of finishing: count every request.
        n = max(step["requests"], 1)
        costs[kind] = {
            "requests": row["requests"],
            "p50_ms_alone": row["p50_ms"],
            "web_cpu_ms": round(web * 1000 / n, 2),
            "db_cpu_ms": round(db * 1000 / n, 2),
            "queries_mean": row["queries_mean"],
        }
    return costs


def print_step(step: dict, hello: float) -> None:
    print(
        f"\n{step['clients']} clients x {step['seconds']:.0f} s: {step['requests']} requests, "
        f"{step['rps']:.0f} req/s ({step['rps'] / hello:.2f} x hello), p50 {step['p50_ms']} ms, "
        f"p99 {step['p99_ms']} ms; load average {step['loadavg_before']} -> {step['loadavg_after']}\n"
    )
    print(
        f"{'kind':<12}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'queries':>9}  statuses"
    )
    for kind, row in step["kinds"].items():
        q = "" if row["queries_mean"] is None else f"{row['queries_mean']:.1f}"
        print(
            f"{kind:<12}{row['requests']:>9}{row['rps']:>8.1f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{row['errors']:>8}{q:>9}  {row['statuses']}"
        )


# --- The run ----------------------------------------------------------------------------------


class Service:
    """A Celery worker or beat in a process group of its own, output to var/load/<name>.log."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        log = (VAR / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)


def load_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("make load needs PostgreSQL: set DATABASE_URL=postgres://…")
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'servicehall'}_load"
    import psycopg2

    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def helper(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "load_data.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cost-seconds", type=float, default=2, help="seconds of each kind alone")
    parser.add_argument("--duration", type=float, default=30, help="seconds of mixed load, split over the steps")
    parser.add_argument("--steps", default="4,8,16", help="concurrent clients at each step")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hello-seconds", type=float, default=6)
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("make load needs Redis: set REDIS_URL=redis://…")

    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": load_database_url(),
        "SECRET_KEY": "load-only-" + "l" * 40,
        "PERSONAL_DATA_KEY": "load-only-" + "p" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "servicehall.settings",
        "SERVICEHALL_VAR_DIR": str(VAR),
        "LOG_LEVEL": "ERROR",
        "BENCH_QUERY_COUNT": "1",
        # The load comes from one address (a city's citizens come from millions).
        "THROTTLE_TICKET_ISSUE": "100000000/hour",
        "THROTTLE_BOOKING_IP": "100000000/hour",
        "THROTTLE_BOOKING_MOBILE": "100000000/hour",
    }
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  redis: {env['REDIS_URL']}")
    manage = [PYTHON, str(ROOT / "manage.py")]
    prepared = time.perf_counter()
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([PYTHON, str(ROOT / "bench" / "catalog_data.py"), "500"], env=env, check=True, cwd=ROOT)
    setup = helper(env, "setup")
    subprocess.run(
        [*manage, "dbshell", "--", "-c", "ANALYZE"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    print(
        f"prepared in {time.perf_counter() - prepared:.0f} s: {len(setup['halls'])} halls, "
        f"{len(setup['windows'])} windows with a signed-in clerk, {len(setup['tokens'])} tickets waiting"
    )

    mix = shares()
    celery = [str(BIN / "celery"), "-A", "servicehall"]
    worker = Service("worker", [*celery, "worker", "--loglevel=WARNING", "--concurrency=2", "-n", "load@%h"], env)
    beat = Service("beat", [*celery, "beat", "--loglevel=WARNING", f"--schedule={VAR / 'beat-schedule'}"], env)
    server = Server(env, args.workers, args.threads)
    figures: dict = {}
    try:
        run_load(server.base, "/healthz", clients=args.workers, seconds=0.5)
        hello_result = run_load(server.base, "/healthz", clients=8, seconds=args.hello_seconds)
        hello = hello_result.rps
        print(
            f"\nhello /healthz, 8 clients: {hello:.0f} req/s, p50 {hello_result.p50:.1f} ms, "
            f"p99 {hello_result.percentile(0.99):.1f} ms (gunicorn {args.workers} workers x {args.threads} threads); "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        setup["versions"] = prime_versions(server.base, setup)
        setup["dashboard_versions"] = prime_dashboard_versions(server.base, setup)
        # Warm every worker: the catalog's search index and each page's templates are built once
        # per process, which a long-running node has long done.
        for path in ("/", "/guides/", *GUIDE_LISTS, "/api/v1/items/", f"/guides/{setup['guides'][0]}/"):
            run_load(server.base, path, clients=args.workers * 2, seconds=1)
        run_mix(server.base, setup, mix, steps[0], 3)  # and every kind
        costs = measure_costs(server, env, setup, args.cost_seconds)
        print(
            f"\nCost of each kind alone (1 client x {args.cost_seconds:.1f} s): CPU ms per request, web workers "
            "and PostgreSQL\n"
        )
        print(f"{'kind':<12}{'requests':>9}{'p50 ms':>9}{'web CPU':>9}{'db CPU':>9}{'queries':>9}")
        for kind, row in costs.items():
            q = "" if row["queries_mean"] is None else f"{row['queries_mean']:.1f}"
            print(
                f"{kind:<12}{row['requests']:>9}{row['p50_ms_alone']:>9.1f}{row['web_cpu_ms']:>9.2f}"
                f"{row['db_cpu_ms']:>9.2f}{q:>9}"
            )
        mix_web = sum(mix[k] * costs[k]["web_cpu_ms"] for k in mix)
        mix_db = sum(mix[k] * costs[k]["db_cpu_ms"] for k in mix)
        city_rates = {k: rate for k, (rate, _why) in CITY.items()}
        city_web = sum(city_rates[k] * costs[k]["web_cpu_ms"] for k in city_rates) / 1000
        city_db = sum(city_rates[k] * costs[k]["db_cpu_ms"] for k in city_rates) / 1000
        print(
            f"  the mix: {mix_web:.2f} web CPU ms and {mix_db:.2f} PostgreSQL CPU ms per request; the city's peak "
            f"hour ({sum(city_rates.values()):.0f} req/s) needs {city_web:.1f} web cores and {city_db:.1f} "
            "PostgreSQL cores busy"
        )
        figures["costs"] = costs
        figures["cpu_ms_per_request_mix"] = {"web": round(mix_web, 2), "db": round(mix_db, 2)}
        figures["city_cores_busy"] = {"web": round(city_web, 2), "db": round(city_db, 2)}
        results = []
        for clients in steps:
            step = run_mix(server.base, setup, mix, clients, args.duration / len(steps))
            print_step(step, hello)
            results.append(step)
        figures["celery_alive_after"] = {"worker": worker.alive(), "beat": beat.alive()}
    finally:
        server.stop()
        for service in (beat, worker):
            service.stop()
    summary = helper(env, "summary")
    best = max(results, key=lambda s: s["rps"])
    first = results[0]
    growth = {
        kind: round(results[-1]["kinds"][kind]["p99_ms"] / row["p99_ms"], 2) if row["p99_ms"] else None
        for kind, row in first["kinds"].items()
    }
    print(
        f"\n  peak throughput of the mix: {best['rps']:.0f} req/s at {best['clients']} clients "
        f"({best['rps'] / hello:.2f} x hello); p99 growth from {first['clients']} to {results[-1]['clients']} "
        "clients: " + ", ".join(f"{k} {v}x" for k, v in sorted(growth.items(), key=lambda kv: -(kv[1] or 0)))
    )
    print(
        f"  tickets today in the load halls: {summary['tickets_today']} ({summary['done_today']} done), "
        f"duplicated numbers: {summary['duplicates']}; bookings: {summary['bookings']}; "
        f"Celery still running: {figures['celery_alive_after']}"
    )
    figures.update(
        when=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.node()} {os.cpu_count()} cpu",
        gunicorn={"workers": args.workers, "threads": args.threads},
        hello={
            "rps": round(hello, 1),
            "p50_ms": round(hello_result.p50, 2),
            "p99_ms": round(hello_result.percentile(0.99), 2),
            "errors": hello_result.errors,
        },
        city={kind: {"peak_rps": round(rate, 2), "why": why} for kind, (rate, why) in CITY.items()},
        city_peak_rps=round(sum(rate for rate, _why in CITY.values()), 1),
        mix={kind: round(share, 4) for kind, share in mix.items()},
        steps=results,
        peak_mix_rps=best["rps"],
        peak_mix_clients=best["clients"],
        p99_growth=growth,
        database=summary,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "load.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}; worker and beat logs in {VAR.relative_to(ROOT)}/")
    errors = sum(row["errors"] for step in results for row in step["kinds"].values())
    return 0 if errors == 0 and summary["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
