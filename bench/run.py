#!/usr/bin/env python
"""`make bench`: throughput of the catalog pages and API against gunicorn, each compared with
the bare /healthz JSON view measured on the same server in the same run.

Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (a separate `<name>_bench`
database is created beside DATABASE_URL's); otherwise SQLite under var/. Prints a table and
writes bench/results/latest.json (git-ignored).
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
from bench.loadgen import run_load  # noqa: E402

RESULTS = ROOT / "bench" / "results"


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", 8)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(),
        "SECRET_KEY": "bench-only-" + "b" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "servicehall.settings",
        "SERVICEHALL_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    print(
        f"database: {env['DATABASE_URL'].split('@')[-1]}  cache: {'redis' if env.get('REDIS_URL') else 'local memory'}"
    )
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([python, str(ROOT / "bench" / "catalog_data.py"), "500"], env=env, check=True, cwd=ROOT)
    if env["DATABASE_URL"].startswith("postgres"):
        # Fresh bulk loads have no planner statistics yet; production tables are analysed by
        # autovacuum, so measure with statistics.
        analyse = [*manage, "dbshell", "--", "-c", "ANALYZE"]
        subprocess.run(analyse, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    queries = json.loads(
        subprocess.run(
            [python, str(ROOT / "bench" / "catalog_data.py"), "--queries"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "servicehall.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        code = queries["sample_code"]
        paths = {
            "hello": "/healthz",
            "home": "/",
            "guide_list": "/guides/",
            "guide_search": "/guides/?q=%E8%AF%81",
            "guide_detail": f"/guides/{code}/",
            "hall_detail": "/halls/GZ-CITY/",
            "api_items": "/api/v1/items/",
            "api_item": f"/api/v1/items/{code}/",
        }
        for path in paths.values():  # warm up every worker
            run_load(base, path, clients=args.workers, seconds=0.5)
        results = {
            name: run_load(base, path, clients=args.clients, seconds=args.seconds) for name, path in paths.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)

    hello = results["hello"].rps
    print(f"\n{args.clients} clients x {args.seconds:.0f} s against gunicorn ({args.workers} workers)\n")
    print(
        f"{'endpoint':<14}{'path':<34}{'req/s':>9}{'x hello':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'queries':>9}"
    )
    for name, result in results.items():
        print(
            f"{name:<14}{paths[name][:33]:<34}{result.rps:>9.0f}{result.rps / hello:>9.2f}{result.p50:>9.1f}"
            f"{result.percentile(0.95):>9.1f}{result.errors:>8}{queries['per_request'].get(name, 0):>9}"
        )
    figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
        "database": "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite",
        "cache": "redis" if env.get("REDIS_URL") else "locmem",
        "clients": args.clients,
        "seconds": args.seconds,
        "hello_rps": round(hello, 1),
        **{f"{name}_rps": round(r.rps, 1) for name, r in results.items() if name != "hello"},
        **{f"{name}_p50_ms": round(r.p50, 2) for name, r in results.items()},
        **{f"{name}_errors": r.errors for name, r in results.items()},
        "catalog_items": queries["items"],
        "queries": queries["per_request"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    latest.write_text(json.dumps({**previous, **figures}, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {latest.relative_to(ROOT)}")
    return 1 if any(r.errors for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
