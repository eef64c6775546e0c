"""A small closed-loop HTTP load generator: C client processes, keep-alive connections,
each sending requests back to back for a fixed time. Reports requests/s and latency.

Processes rather than threads so that the clients' own Python overhead is spread over the
cores like the server's; every figure is compared with a baseline measured the same way in
the same run, so that overhead cancels out.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def _client(
    base: str,
    path: str,
    seconds: float,
    headers: dict[str, str],
    queue: mp.Queue,
    method: str = "GET",
    body: bytes | None = None,
) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        if start >= end:
            break
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                errors += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        latencies.append((time.perf_counter() - start) * 1000)
    conn.close()
    queue.put((len(latencies), errors, latencies))


def run_load(
    base: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> LoadResult:
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(base, path, seconds, headers or {}, queue, method, body))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = [ms for _n, _e, lat in results for ms in lat]
    return LoadResult(
        path, sum(n for n, _e, _l in results), sum(e for _n, e, _l in results), min(elapsed, seconds + 1), latencies
    )


def combined(results: list[LoadResult]) -> LoadResult:
    """Several runs of one path as one: their requests over their summed time."""
    return LoadResult(
        results[0].path,
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        sum(r.seconds for r in results),
        [ms for r in results for ms in r.latencies_ms],
    )


def interleaved(base: str, loads: dict[str, dict], *, rounds: int, seconds: float) -> dict[str, list[LoadResult]]:
    """Run each of ``loads`` (name → ``run_load`` keywords but ``seconds``) for ``seconds``,
    alternating them ``rounds`` times in an order that reverses every round (A B C, C B A, …).

    Two paths measured minutes apart on a shared machine differ by the machine's drift as much
    as by their own cost; measured in alternation, a drift that lasts longer than a round falls
    on both alike, and the per-round ratios show how much the rest still moves."""
    for load in loads.values():
        run_load(base, **{**load, "clients": min(4, load["clients"]), "seconds": 0.5})
    results: dict[str, list[LoadResult]] = {name: [] for name in loads}
    names = list(loads)
    for turn in range(rounds):
        for name in names if turn % 2 == 0 else reversed(names):
            results[name].append(run_load(base, **loads[name], seconds=seconds))
    return results
