"""How many windows a queue needs: the Erlang C model of an M/M/c queue, as pure functions.

People arrive at rate λ (per minute) and a window serves one person in ``s`` minutes on average
(μ = 1/s per minute). The offered load is ``a = λ·s`` Erlangs: the number of windows that would
be busy all the time. With ``c`` windows open and ``c > a``:

* Erlang B (blocking) by the recursion ``B(0) = 1``, ``B(k) = a·B(k−1) / (k + a·B(k−1))``;
* Erlang C, the probability that a newcomer has to wait: ``C = c·B / (c − a·(1 − B))``;
* the mean wait in the queue: ``W_q = C · s / (c − a)``.

The recursion never forms ``a^c`` or ``c!`` (which overflow a float from c ≈ 170 and lose all
precision long before), so it is exact to rounding for any load a hall can have.

Erlang C describes a queue in steady state, fed at the current rate. A hall that already has a
crowd needs more than that to catch up, hence the second, *backlog* rule: enough windows for
the people already waiting to be served within the target wait, ``ceil(waiting · s / target)``.
The recommendation (``recommended_extra_windows``) is the larger of the two, minus the windows
already open, never negative. docs/monitor.md explains the choice.
"""

from __future__ import annotations

import math

# A ceiling on what the model recommends: beyond it the figure means "far too few windows"
# rather than a number anyone would staff, and the search loop stays short.
MAX_WINDOWS = 100


def _check_load(*, servers: int, load: float) -> None:
    if servers < 0:
        raise ValueError(f"servers must be ≥ 0, got {servers}")
    if load < 0 or not math.isfinite(load):
        raise ValueError(f"offered load must be a finite number ≥ 0, got {load}")


def erlang_b(servers: int, load: float) -> float:
    """Erlang B: the probability that all ``servers`` are busy in a loss system offered ``load``
    Erlangs. Computed with the stable recursion over 1…servers."""
    _check_load(servers=servers, load=load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Erlang C: the probability that a newcomer waits, for ``servers`` windows and ``load``
    Erlangs (a = λ/μ). 1.0 when the queue is unstable (servers ≤ load): everyone waits."""
    _check_load(servers=servers, load=load)
    if load == 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


def expected_wait(servers: int, load: float, mean_service: float) -> float:
    """Mean time in the queue W_q = C · s / (c − a), in the unit of ``mean_service``.
    Infinite when the queue is unstable (servers ≤ load and someone arrives)."""
    if mean_service <= 0 or not math.isfinite(mean_service):
        raise ValueError(f"mean service time must be a finite number > 0, got {mean_service}")
    _check_load(servers=servers, load=load)
    if load == 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * mean_service / (servers - load)


def windows_needed(
    arrivals_per_minute: float,
    mean_service_minutes: float,
    target_wait_minutes: float,
    max_windows: int = MAX_WINDOWS,
) -> int:
    """The smallest number of windows c with c > a (a stable queue) and W_q ≤ the target.

    0 when nobody arrives; ``max_windows`` when even that many do not reach the target.
    """
    if arrivals_per_minute < 0 or not math.isfinite(arrivals_per_minute):
        raise ValueError(f"arrival rate must be a finite number ≥ 0, got {arrivals_per_minute}")
    if target_wait_minutes <= 0:
        raise ValueError(f"target wait must be > 0, got {target_wait_minutes}")
    if arrivals_per_minute == 0:
        return 0
    load = arrivals_per_minute * mean_service_minutes
    first = math.floor(load) + 1  # the smallest c > a
    for servers in range(first, max_windows + 1):
        if expected_wait(servers, load, mean_service_minutes) <= target_wait_minutes:
            return servers
    return max_windows


def backlog_windows(
    waiting: int, mean_service_minutes: float, target_wait_minutes: float, max_windows: int = MAX_WINDOWS
) -> int:
    """Windows needed to serve the ``waiting`` people within the target: ceil(waiting · s / target)."""
    if waiting < 0:
        raise ValueError(f"waiting must be ≥ 0, got {waiting}")
    if target_wait_minutes <= 0:
        raise ValueError(f"target wait must be > 0, got {target_wait_minutes}")
    if mean_service_minutes <= 0:
        raise ValueError(f"mean service time must be > 0, got {mean_service_minutes}")
    # Round before ceil so that 3 × 5 / 15 does not become 2 because of 1.0000000000000002.
    return min(max_windows, math.ceil(round(waiting * mean_service_minutes / target_wait_minutes, 9)))


def recommended_extra_windows(
    *,
    waiting: int,
    open_windows: int,
    arrivals_per_minute: float,
    mean_service_minutes: float,
    target_wait_minutes: float,
    max_windows: int = MAX_WINDOWS,
) -> int:
    """How many more windows to open: max(Erlang C windows, backlog windows) − open, never < 0."""
    needed = max(
        windows_needed(arrivals_per_minute, mean_service_minutes, target_wait_minutes, max_windows),
        backlog_windows(waiting, mean_service_minutes, target_wait_minutes, max_windows),
    )
    return max(0, needed - open_windows)
