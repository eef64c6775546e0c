"""Helpers for the tests that race real threads or run real Celery workers against PostgreSQL
and Redis (STYLE: every guarantee has a test that races it for real).

``in_threads(n, work)`` starts ``n`` threads that wait at a barrier and then all call
``work(k)`` at once, each on its own database connection. ``worker_env()`` and ``celery_worker``
run a real ``celery worker`` process on a private queue against the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[1]


def in_threads[T](n: int, work: Callable[[int], T], *, max_workers: int | None = None) -> list[T]:
    """``[work(0), …, work(n-1)]``, the calls started together from ``n`` threads."""
    barrier = threading.Barrier(n)

    def run(k: int) -> T:
        try:
            barrier.wait()
            return work(k)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=max_workers or n) as pool:
        return list(pool.map(run, range(n)))


def database_url() -> str:
    """The URL of the database the tests run on (the test database, not the configured one)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process: production settings on the test database and Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "worker-test-" + "z" * 40,
        "PERSONAL_DATA_KEY": settings.PERSONAL_DATA_KEY,
        "DJANGO_SETTINGS_MODULE": "servicehall.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        **extra,
    }


def private_queue() -> str:
    """A queue name no other worker or test listens on."""
    return f"test-{uuid.uuid4().hex[:8]}"


def start_worker(queue: str, *, env: dict[str, str], name: str = "", output: IO[str] | int = subprocess.PIPE):
    """A ``celery worker`` process (solo pool) consuming ``queue`` only."""
    command = [sys.executable, "-m", "celery", "-A", "servicehall", "worker", "--pool=solo", "-Q", queue]
    if name:
        command += ["-n", f"{name}@%h"]
    command += ["--loglevel=INFO", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)


@contextmanager
def celery_worker(queue: str, *, env: dict[str, str]) -> Iterator[list[str]]:
    """Run one worker for the block; afterwards the list holds its whole output."""
    output: list[str] = []
    worker = start_worker(queue, env=env)
    try:
        yield output
    finally:
        worker.terminate()
        output.append(worker.communicate(timeout=30)[0])
