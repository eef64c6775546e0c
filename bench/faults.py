#!/usr/bin/env python
"""`make faults`: the portal on the machine's PostgreSQL, with its own Redis, a gunicorn, a real
Celery worker and beat, while faults are injected (issue 9: Redis is a cache and a broker, never
the truth; at most once, really).

Fault 1, Redis stopped and restarted: clients issue tickets, call and finish at six windows, book,
ask for "find my bookings" codes, poll the board, the hall queue, ticket status and the dashboard;
Redis is stopped a few seconds in and started again (empty: no persistence) a while later.
Fault 2, a worker killed mid-batch: a batch of reminders falls due, the worker is killed (SIGKILL)
while it sends them, a new worker is started, the claims of the dead one pass their lease.
Fault 3, PostgreSQL restarted (issue 14): the same load against a second stack (gunicorn, worker,
beat) on a PostgreSQL cluster of the script's own (``initdb`` into a temporary directory,
``pg_ctl`` on a free port, as the ``postgres`` OS user when run as root; the machine's server is
never stopped), stopped (``pg_ctl stop -m fast``) a few seconds in and started again. Requests
fail cleanly while it is away (503 with a message) and succeed after, the web server and the
worker never restarted (checked: the same gunicorn master, no worker booted again, no crash).

For each fault and kind of request it prints: tried, succeeded, failed cleanly (4xx or 503 with a
JSON body for the API, a page for pages), 500, other failures, and **lost** (a success whose row
is missing, or a committed change the request was told had failed); for the reminders, messages
delivered, posted again under the same key (dropped by the gateway), delivered twice and never
delivered. Targets: lost 0, 500 0, delivered twice 0, no process restarted by the PostgreSQL
restart. ``--only redis|worker|postgres`` (repeatable) runs some of them.

Faults 1 and 2 use DATABASE_URL's server (PostgreSQL; default postgres://postgres@127.0.0.1:5432/servicehall)
with a database of its own, ``<name>_faults``, dropped and created at each run. Needs
``redis-server`` on the PATH. Writes bench/results/faults.json (git-ignored).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
BIN = Path(PYTHON).parent
RESULTS = ROOT / "bench" / "results"
VAR = ROOT / "var" / "faults"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def faults_database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/servicehall"
    if not url.startswith("postgres"):
        sys.exit("make faults runs on PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'servicehall'}_faults"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- The processes ----------------------------------------------------------------------------


class Redis:
    """A redis-server of our own on a free port, without persistence (a restart loses everything)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("make faults needs redis-server on the PATH (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of our own for the restart fault, never the machine's server (others
    use it): ``initdb`` into a temporary directory, ``pg_ctl`` on a free port, trust for local
    connections. PostgreSQL refuses to run as root: as root the cluster is run as the
    ``postgres`` OS user (runuser), its directory owned by it."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
        if found:
            self.bindir = found[-1].parent
        elif shutil.which("pg_ctl"):
            self.bindir = Path(shutil.which("pg_ctl") or "").parent
        else:
            sys.exit("the PostgreSQL restart needs PostgreSQL's server binaries (initdb, pg_ctl)")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="servicehall-faults-pg-"))
        self.data = self.root / "data"
        self.log = VAR / "postgres.log"
        self.as_root = os.geteuid() == 0
        self.running = False

    @property
    def version(self) -> str:
        return self.bindir.parent.name

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def init(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        self.running = True

    def stop(self) -> None:
        """Fast shutdown: open transactions rolled back, connections ended (a restart, a failover)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def create_database(self, name: str) -> str:
        import psycopg2

        admin = psycopg2.connect(self.url("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return self.url(name)

    def remove(self) -> None:
        if self.running:
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


class Service:
    """gunicorn, a Celery worker or beat, in a process group of its own (so a kill takes its
    children too), output to var/faults/<name>.log. A supervised one is started again when it
    exits by itself, as docker-compose's restart policy and `make run` do; its crashes are counted."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], *, supervised: bool = False) -> None:
        self.name, self.command, self.env, self.supervised = name, command, env, supervised
        self.process: subprocess.Popen | None = None
        self.crashes = 0
        self.lock = threading.Lock()
        self.stopping = False

    def start(self) -> None:
        with self.lock:
            self._spawn()
        if self.supervised:
            threading.Thread(target=self._watch, daemon=True).start()

    def _spawn(self) -> None:
        log = (VAR / f"{self.name}.log").open("a")
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _watch(self) -> None:
        while not self.stopping:
            time.sleep(0.5)
            with self.lock:
                if self.stopping or self.process is None or self.process.poll() is None:
                    continue
                self.crashes += 1
                print(f"  the {self.name} exited by itself (status {self.process.returncode}); starting it again")
                time.sleep(2)
                self._spawn()

    def kill(self) -> None:
        """SIGKILL (a crash we cause; not counted), then start again."""
        with self.lock:
            if self.process is not None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self._spawn()

    def stop(self) -> None:
        self.stopping = True
        with self.lock:
            if self.process is None:
                return
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self.process = None


class Gateway:
    """A stand-in for the SMS gateway: records every post with its Idempotency-Key, and delivers
    a key once (the gateway's contract), a little slowly, as a real one would."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.posts: list[dict] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                # Taken as soon as it arrives: a sender killed while waiting for the answer
                # does not know that the message went out.
                with gateway.lock:
                    gateway.posts.append({"key": self.headers.get("Idempotency-Key"), **body})
                time.sleep(gateway.delay)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed while waiting: the message went out all the same

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict]:
        """One delivery per key (a post without a key is delivered each time)."""
        seen: set[str] = set()
        out = []
        with self.lock:
            for post in self.posts:
                if post["key"] and post["key"] in seen:
                    continue
                seen.add(post["key"] or "")
                out.append(post)
        return out


def person(k: int) -> dict[str, str]:
    """The k-th applicant: a valid, unique ID number (an area code no one has) and mobile number."""
    birth = f"{1960 + k // 10_000 % 40}{1 + k // 500 % 12:02d}{1 + k // 20 % 25:02d}"
    first17 = f"990202{birth}{k % 1000:03d}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    return {"name": f"演练{k}", "id_number": first17 + check, "mobile": f"139{k:08d}"}


def helper(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "faults_data.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The clients ------------------------------------------------------------------------------

OUTCOMES = ("tried", "ok", "clean", "500", "other")


class Record:
    """What every request was told, per phase and kind; and the successes to verify."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase = "before"
        self.counts: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
        self.issued: list[str] = []
        self.called: list[tuple[int, int]] = []
        self.open_calls: dict[int, tuple[int, int]] = {}
        self.finished: list[int] = []
        self.booked: list[str] = []
        self.booked_people: list[int] = []
        self.samples: dict[str, str] = {}
        self.back_at: float | None = None  # when the component came back
        self.first_ok_after: dict[str, float] = {}  # per kind, seconds from then to its first success

    def count(self, kind: str, outcome: str, sample: str = "") -> None:
        with self.lock:
            counter = self.counts[(self.phase, kind)]
            counter["tried"] += 1
            counter[outcome] += 1
            if outcome == "ok" and self.back_at is not None and kind not in self.first_ok_after:
                self.first_ok_after[kind] = round(time.time() - self.back_at, 2)
            if outcome in ("500", "other") and sample:
                self.samples.setdefault(f"{kind} {outcome}", sample[:300])


def classify(status: int, content_type: str, api: bool, data: bytes = b"x") -> str:
    if 200 <= status < 400:
        return "ok"
    if status >= 500 and status != 503:
        return "500"
    if api and not content_type.startswith("application/json"):
        return "other"  # an API error as an HTML page
    if not data.strip() or (not api and not content_type.startswith("text/html")):
        return "other"  # a refusal that says nothing to the person
    return "clean"


class Client:
    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        self.cookies = {"csrftoken": self.csrf, **(cookies or {})}
        self.used = time.monotonic()

    # gunicorn closes a keep-alive connection idle for 2 s (its default): a client idle longer
    # opens a new one, as browsers and HTTP libraries do, rather than writing into a closed one
    # (which the server never reads: not a failure of the portal).
    IDLE_RECONNECT_SECONDS = 1.0

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "X-CSRFToken": self.csrf}
        if content_type:
            headers["Content-Type"] = content_type
        if time.monotonic() - self.used > self.IDLE_RECONNECT_SECONDS:
            self.conn.close()
        self.used = time.monotonic()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            self.used = time.monotonic()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return 0, "", b""
        return response.status, response.getheader("Content-Type") or "", data

    def json(self, method: str, path: str, payload: dict | None = None) -> tuple:
        body = json.dumps(payload).encode() if payload is not None else None
        return self.request(method, path, body, "application/json" if body is not None else "")


def run_clients(base: str, setup: dict, record: Record, stop: threading.Event) -> list[threading.Thread]:
    hall = setup["hall"]
    people = iter(range(10**9))
    people_lock = threading.Lock()

    def next_person() -> int:
        with people_lock:
            return next(people)

    def outcome(kind: str, status: int, ctype: str, data: bytes, api: bool = True) -> str:
        result = "other" if status == 0 else classify(status, ctype, api, data)
        record.count(kind, result, f"{status} {data[:200]!r}")
        return result

    def issuer() -> None:
        client = Client(base)
        while not stop.is_set():
            status, ctype, data = client.json(
                "POST", f"/api/v1/halls/{hall}/tickets/", {"category": random.choice(setup["letters"])}
            )
            if outcome("issue", status, ctype, data) == "ok":
                with record.lock:
                    record.issued.append(json.loads(data)["token"])
            time.sleep(0.05)

    def clerk(window: dict) -> None:
        client = Client(base, {"sessionid": window["session"]})
        while not stop.is_set():
            status, ctype, data = client.json("POST", f"/api/v1/windows/{window['pk']}/call-next/")
            if outcome("call", status, ctype, data) != "ok":
                time.sleep(0.3)
                continue
            ticket = json.loads(data)["ticket"]["id"]
            with record.lock:
                record.called.append((ticket, window["number"]))
                record.open_calls[window["number"]] = (ticket, window["number"])
            time.sleep(0.1)
            while not stop.is_set():  # a clerk finishes before calling the next, whatever it takes
                status, ctype, data = client.json("POST", f"/api/v1/windows/{window['pk']}/tickets/{ticket}/finish/")
                if outcome("finish", status, ctype, data) == "ok":
                    with record.lock:
                        record.finished.append(ticket)
                        record.open_calls.pop(window["number"], None)
                    break
                time.sleep(0.3)

    def booker() -> None:
        client = Client(base)
        while not stop.is_set():
            k = next_person()
            status, ctype, data = client.json("POST", "/api/v1/bookings/", {"slot": setup["slot"], **person(k)})
            if outcome("book", status, ctype, data) == "ok":
                with record.lock:
                    record.booked.append(json.loads(data)["manage_token"])
                    record.booked_people.append(k)
            time.sleep(0.1)

    def finder() -> None:
        client = Client(base)
        asked: set[int] = set()
        while not stop.is_set():
            with record.lock:
                waiting = [k for k in record.booked_people if k not in asked]
            if not waiting:
                time.sleep(0.2)
                continue
            k = waiting[0]
            asked.add(k)
            form = urlencode({"csrfmiddlewaretoken": client.csrf, **{f: person(k)[f] for f in ("id_number", "mobile")}})
            status, ctype, data = client.request(
                "POST", "/book/find/", form.encode(), "application/x-www-form-urlencoded"
            )
            outcome("find-my-bookings", status, ctype, data, api=False)
            time.sleep(0.3)

    def poller() -> None:
        client = Client(base)
        while not stop.is_set():
            status, ctype, data = client.request("GET", f"/api/v1/halls/{hall}/queue/")
            outcome("queue API", status, ctype, data)
            status, ctype, data = client.request("GET", f"/halls/{hall}/board/")
            outcome("board page", status, ctype, data, api=False)
            status, ctype, data = client.request("GET", f"/halls/{hall}/queue/")
            outcome("hall queue page", status, ctype, data, api=False)
            with record.lock:
                token = random.choice(record.issued) if record.issued else None
            if token:
                status, ctype, data = client.request("GET", f"/api/v1/tickets/{token}/")
                outcome("ticket API", status, ctype, data)
            time.sleep(0.1)

    def supervisor() -> None:
        client = Client(base, {"sessionid": setup["supervisor_session"]})
        while not stop.is_set():
            status, ctype, data = client.request("GET", "/supervisor/")
            outcome("dashboard", status, ctype, data, api=False)
            time.sleep(0.5)

    workers = [
        *(threading.Thread(target=issuer) for _ in range(3)),
        *(threading.Thread(target=clerk, args=(w,)) for w in setup["windows"]),
        *(threading.Thread(target=booker) for _ in range(2)),
        threading.Thread(target=finder),
        *(threading.Thread(target=poller) for _ in range(3)),
        threading.Thread(target=supervisor),
    ]
    for thread in workers:
        thread.start()
    return workers


# --- The run ----------------------------------------------------------------------------------


def print_table(title: str, rows: dict[str, dict[str, int]]) -> None:
    print(f"\n{title}\n")
    print(f"{'request':<20}{'tried':>8}{'ok':>8}{'clean':>8}{'500':>6}{'other':>7}{'lost':>6}")
    for kind, row in rows.items():
        print(
            f"{kind:<20}{row.get('tried', 0):>8}{row.get('ok', 0):>8}{row.get('clean', 0):>8}"
            f"{row.get('500', 0):>6}{row.get('other', 0):>7}{row.get('lost', 0):>6}"
        )


def wait_for(condition, seconds: float, step: float = 1.0) -> bool:  # noqa: ANN001 - a callable
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


def fault_redis(env, base, setup, redis: Redis, args) -> dict:  # noqa: ANN001
    return fault_under_load(
        env,
        base,
        setup,
        args,
        what="Redis",
        down=redis.stop,
        up=redis.start,
        seconds=(args.before, args.down, args.after),
    )


def fault_under_load(env, base, setup, args, *, what: str, down, up, seconds) -> dict:  # noqa: ANN001
    """Load from every kind of client; ``down()`` after the first of ``seconds``, ``up()`` after
    the second, the load going on for the third; then what the database holds against what the
    requests were told."""
    before, down_for, after = seconds
    label = what.lower()
    record = Record()
    stop = threading.Event()
    threads = run_clients(base, setup, record, stop)
    time.sleep(before)
    record.phase = f"{label} down"
    down_from = time.time()
    down()
    time.sleep(down_for)
    up()
    down_until = time.time()
    record.back_at = down_until
    record.phase = f"{label} back"
    time.sleep(after)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    told = {
        "slot": setup["slot"],
        "issued": record.issued,
        "called": record.called,
        "open_calls": list(record.open_calls.values()),
        "finished": record.finished,
        "booked": record.booked,
        "down": [down_from, down_until],
    }
    told_path = VAR / "told.json"
    told_path.write_text(json.dumps(told))
    # The codes asked for while the broker was away are sent once beat's drain runs again.
    print("\nwaiting for the outbox to drain (beat, every minute) …")
    verified = {}

    def drained() -> bool:
        nonlocal verified
        verified = helper(env, "verify", str(told_path))
        return verified["outbox_left"] == 0 and verified["lookups"]["code_sent"] >= verified["lookups"]["started"]

    waited = time.monotonic()
    wait_for(drained, args.drain_wait, step=5)
    print(f"  drained in {time.monotonic() - waited:.0f} s")

    per_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    phases: dict[str, dict[str, collections.Counter]] = collections.defaultdict(dict)
    for (phase, kind), counter in record.counts.items():
        per_kind[kind].update(counter)
        phases[phase][kind] = counter
    lost = {
        "issue": verified["issue"]["missing"] + max(0, verified["issue"]["committed_but_failed"]),
        "call": verified["call"]["missing"]
        + max(0, verified["call"]["committed_but_failed"])
        + len(verified["call"]["stuck_windows"]),
        "finish": verified["finish"]["missing"],
        "book": verified["book"]["missing"] + max(0, verified["book"]["committed_but_failed"]),
        "find-my-bookings": verified["lookups"]["started"] - verified["lookups"]["code_sent"],
    }
    rows = {kind: {**counter, "lost": lost.get(kind, 0)} for kind, counter in sorted(per_kind.items())}
    for phase in ("before", f"{label} down", f"{label} back"):
        print_table(f"{what} stopped and restarted: {phase}", dict(sorted(phases[phase].items())))
    print_table(f"{what} stopped and restarted: all phases, with what the database holds", rows)
    print(f"\n  verified: {json.dumps(verified, ensure_ascii=False)}")
    print(f"  first success after {what} was back, seconds: {json.dumps(record.first_ok_after, ensure_ascii=False)}")
    if record.samples:
        print(f"  samples of failures: {json.dumps(record.samples, ensure_ascii=False)}")
    return {
        "rows": rows,
        "phases": {p: dict(v) for p, v in phases.items()},
        "verified": verified,
        "first_ok_after": record.first_ok_after,
    }


def fault_worker_kill(env, worker: Service, gateway: Gateway, args) -> dict:  # noqa: ANN001
    batch = set(helper(env, "reminders")["keys"])

    def posted() -> int:
        with gateway.lock:
            return sum(1 for p in gateway.posts if p["key"] in batch)

    def run_reminders() -> None:
        subprocess.run(
            [str(BIN / "celery"), "-A", "servicehall", "call", "appointments.tasks.send_due_reminders"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    helper(env, "release")
    run_reminders()
    if not wait_for(lambda: posted() >= min(30, len(batch) // 4), 60, step=0.1):
        print("  the worker did not start the batch")
    killed_at = posted()
    worker.kill()
    print(f"\nworker killed after {killed_at} of {len(batch)} reminders were posted, and started again")
    expired = helper(env, "expire-leases")["expired"]
    time.sleep(3)  # the new worker connects
    run_reminders()

    def done() -> bool:
        states = helper(env, "reminders")["states"]
        return not states.get("pending") and not states.get("sending")

    wait_for(done, args.drain_wait, step=2)
    states = helper(env, "reminders")["states"]
    with gateway.lock:
        posts = [p for p in gateway.posts if p["key"] in batch]
    per_key = collections.Counter(p["key"] for p in posts)
    delivered = [p for p in gateway.delivered() if p["key"] in batch]
    per_text = collections.Counter((tuple(p["recipients"]), p["body"]) for p in delivered)
    result = {
        "reminders": len(batch),
        "posted_before_kill": killed_at,
        "claims_expired": expired,
        "delivered": len({p["key"] for p in delivered}),
        "posted_again_same_key": sum(n - 1 for n in per_key.values() if n > 1),
        "delivered_twice": sum(n - 1 for n in per_text.values() if n > 1),
        "never_delivered": len(batch - set(per_key)),
        "states": states,
    }
    print("\nA worker killed mid-batch of reminders\n")
    for key, value in result.items():
        print(f"  {key:<24}{value}")
    return result


def stack(env: dict[str, str], suffix: str = "") -> tuple[str, Service, Service, Service]:
    """gunicorn (2 workers × 4 threads), a Celery worker and beat, on ``env``'s database and Redis."""
    port = free_port()
    web = Service(
        f"gunicorn{suffix}",
        [
            str(BIN / "gunicorn"),
            "servicehall.wsgi:application",
            "--config",
            "python:servicehall.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env,
    )
    worker = Service(
        f"worker{suffix}",
        [
            str(BIN / "celery"),
            "-A",
            "servicehall",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=2",
            "-n",
            f"faults{suffix}@%h",
        ],
        env,
        supervised=True,
    )
    beat = Service(
        f"beat{suffix}",
        [
            str(BIN / "celery"),
            "-A",
            "servicehall",
            "beat",
            "--loglevel=WARNING",
            f"--schedule={VAR / f'beat-schedule{suffix}'}",
        ],
        env,
        supervised=True,
    )
    return f"http://127.0.0.1:{port}", web, worker, beat


def start_stack(base: str, services: tuple[Service, ...]) -> None:
    for service in services:
        service.start()
    if not wait_for(lambda: Client(base).request("GET", "/healthz")[0] == 200, 30, step=0.3):
        raise RuntimeError("gunicorn did not start")
    time.sleep(3)  # the worker and beat connect


def gunicorn_workers_booted(log_name: str) -> int:
    log = VAR / f"{log_name}.log"
    return log.read_text(errors="replace").count("Booting worker") if log.exists() else 0


def fault_postgres(base_env: dict[str, str], redis: Redis, args) -> dict:  # noqa: ANN001
    """Fault 3, PostgreSQL restarted (issue 14): the portal on a private cluster (never the
    machine's server), under the same load, the cluster stopped (fast: connections ended, open
    transactions rolled back) and started again. Requests fail cleanly while it is away (503 with
    a message) and succeed after it is back, with the web server and the worker as they were."""
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        env = {
            **base_env,
            "DATABASE_URL": pg.create_database("servicehall_faults"),
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}/1",
        }
        print(f"\nPostgreSQL {pg.version} of our own on port {pg.port} (data in {pg.data})")
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        setup = helper(env, "setup", "0")
        base, web, worker, beat = stack(env, "-pg")
        try:
            start_stack(base, (web, worker, beat))
            assert web.process is not None
            master = web.process.pid
            booted = gunicorn_workers_booted("gunicorn-pg")
            result = fault_under_load(
                env,
                base,
                setup,
                args,
                what="PostgreSQL",
                down=pg.stop,
                up=pg.start,
                seconds=(args.pg_before, args.pg_down, args.pg_after),
            )
            result["processes"] = {
                "gunicorn_master_same": web.process is not None and web.process.pid == master,
                "gunicorn_master_alive": web.process is not None and web.process.poll() is None,
                "gunicorn_workers_booted_again": gunicorn_workers_booted("gunicorn-pg") - booted,
                "celery_worker_crashes": worker.crashes,
                "beat_crashes": beat.crashes,
            }
            print(f"  processes: {json.dumps(result['processes'])}")
        finally:
            for service in (beat, worker, web):
                service.stop()
    finally:
        pg.remove()
    return result


FAULTS = ("redis", "worker", "postgres")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", choices=FAULTS, help="run only this fault (repeatable)")
    parser.add_argument("--before", type=float, default=8, help="seconds of load before Redis stops")
    parser.add_argument("--down", type=float, default=12, help="seconds Redis stays down")
    parser.add_argument("--after", type=float, default=12, help="seconds of load after Redis is back")
    parser.add_argument("--pg-before", type=float, default=8, help="seconds of load before PostgreSQL stops")
    parser.add_argument("--pg-down", type=float, default=10, help="seconds PostgreSQL stays down")
    parser.add_argument("--pg-after", type=float, default=15, help="seconds of load after PostgreSQL is back")
    parser.add_argument("--reminders", type=int, default=120, help="reminders in the batch the worker is killed in")
    parser.add_argument("--drain-wait", type=float, default=150, help="longest wait for the outbox and reminders")
    args = parser.parse_args()
    chosen = set(args.only or FAULTS)

    VAR.mkdir(parents=True, exist_ok=True)
    for log in VAR.glob("*.log"):
        log.unlink()
    redis = Redis()
    gateway = Gateway(delay=0.05)
    env = {
        **os.environ,
        "REDIS_URL": redis.url,
        "SECRET_KEY": "faults-only-" + "f" * 40,
        "PERSONAL_DATA_KEY": "faults-only-" + "p" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "servicehall.settings",
        "SERVICEHALL_VAR_DIR": str(VAR),
        "LOG_LEVEL": "WARNING",
        "NOTIFICATION_BACKEND": "servicehall.notifications.SmsGatewayBackend",
        "SMS_GATEWAY_URL": gateway.url,
        # A task the broker lost in the restart is sent again this long after (300 s in production).
        "OUTBOX_RESEND_SECONDS": "45",
        # The load comes from one address.
        "THROTTLE_TICKET_ISSUE": "100000000/hour",
        "THROTTLE_BOOKING_IP": "100000000/hour",
        "THROTTLE_BOOKING_LOOKUP_IP": "100000000/hour",
    }
    redis.start()
    manage = [PYTHON, str(ROOT / "manage.py")]
    figures: dict = {}
    crashes = {"worker": 0, "beat": 0}
    try:
        if chosen & {"redis", "worker"}:
            env["DATABASE_URL"] = faults_database_url()
            print(f"database: {env['DATABASE_URL'].split('@')[-1]}  redis: {redis.url}  gateway: {gateway.url}")
            subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
            subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
            setup = helper(env, "setup", str(args.reminders))
            base, web, worker, beat = stack(env)
            try:
                start_stack(base, (web, worker, beat))
                if "redis" in chosen:
                    figures["redis_restart"] = fault_redis(env, base, setup, redis, args)
                if "worker" in chosen:
                    figures["worker_kill"] = fault_worker_kill(env, worker, gateway, args)
            finally:
                for service in (beat, worker, web):
                    service.stop()
            crashes = {"worker": worker.crashes, "beat": beat.crashes}
        if "postgres" in chosen:
            env.pop("DATABASE_URL", None)
            subprocess.run(
                [*manage, "collectstatic", "--noinput", "-v", "0"],
                env={**env, "DATABASE_URL": "sqlite:///" + str(VAR / "collectstatic.sqlite3")},
                check=True,
                cwd=ROOT,
            )
            figures["postgres_restart"] = fault_postgres(env, redis, args)
    finally:
        redis.stop()
        gateway.server.shutdown()

    figures["restarts"] = crashes
    print(f"\n  crashed by themselves and started again: worker {crashes['worker']}, beat {crashes['beat']}")
    rows = {
        f"{fault} {kind}": row
        for fault in ("redis_restart", "postgres_restart")
        if fault in figures
        for kind, row in figures[fault]["rows"].items()
    }
    kill = figures.get("worker_kill", {"never_delivered": 0, "delivered_twice": 0})
    lost = sum(row.get("lost", 0) for row in rows.values()) + kill["never_delivered"]
    errors = sum(row.get("500", 0) + row.get("other", 0) for row in rows.values())
    restarted = 0
    if "postgres_restart" in figures:
        processes = figures["postgres_restart"]["processes"]
        restarted = (
            (not processes["gunicorn_master_same"])
            + processes["gunicorn_workers_booted_again"]
            + processes["celery_worker_crashes"]
        )
    print(
        f"\n  targets: lost {lost} (0), 500 or HTML from the API {errors} (0), "
        f"delivered twice {kill['delivered_twice']} (0), processes restarted by the PostgreSQL restart {restarted} (0)"
    )
    figures["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("faults.json" if chosen == set(FAULTS) else f"faults-{'-'.join(sorted(chosen))}.json")
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=dict) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}; logs in {VAR.relative_to(ROOT)}/")
    return 0 if lost == 0 and errors == 0 and kill["delivered_twice"] == 0 and restarted == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
