"""How many windows a queue needs: the Erlang C model of an M/M/c queue, as pure functions.

People arrive at rate λ (per minute) and a window serves one person in ``s`` minutes on average
(μ = 1/s per minute). The offered load is ``a = λ·s`` Erlangs: the number of windows that would
be busy all the time. With ``c`` windows open and ``c > a``:

* Erlang B (blocking) by the recursion ``B(0) = 1``, ``B(k) = a·B(k−1) / (k + a·B(k−1))``;
* Erlang C, the probability that a newcomer has to wait: ``C = c·B / (c − a·(1 − B))``;
* the mean wait in the queue: ``W_q = C · s / (c − a)``;
* the service level, the share of people called within ``t`` minutes:
  ``P(wait ≤ t) = 1 − C · e^(−(c·μ − λ)·t) = 1 − C · e^(−(c − a)·t / s)``.

The recursion never forms ``a^c`` or ``c!`` (which overflow a float from c ≈ 170 and lose all
precision long before), so it is exact to rounding for any load a hall can have.

Erlang C describes a queue in steady state, fed at the current rate. A hall that already has a
crowd needs more than that to catch up, hence the second, *backlog* rule: enough windows for
the people already waiting to be served within the target wait, ``ceil(waiting · s / target)``.
The recommendation (``recommended_extra_windows``) is the larger of the two, minus the windows
already open, never negative. docs/monitor.md explains the choice.

The window planner (``staffing``) asks the other question a hall sets its target in: the fewest
windows that call a target *share* of people within a target wait (``windows_for_service_level``,
80 % within 15 minutes by default). The same ``erlang_c`` answers both.
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


def service_level(servers: int, load: float, mean_service: float, target_wait: float) -> float:
    """The share of people called within ``target_wait`` (in the unit of ``mean_service``):
    ``P(wait ≤ t) = 1 − C(c, a) · e^(−(c − a)·t / s)``. 0.0 when the queue is unstable (the
    queue grows without end, so in the long run nobody is called in time); 1.0 with no load."""
    if mean_service <= 0 or not math.isfinite(mean_service):
        raise ValueError(f"mean service time must be a finite number > 0, got {mean_service}")
    if target_wait < 0 or not math.isfinite(target_wait):
        raise ValueError(f"target wait must be a finite number ≥ 0, got {target_wait}")
    _check_load(servers=servers, load=load)
    if load == 0:
        return 1.0
    if servers <= load:
        return 0.0
    return 1.0 - erlang_c(servers, load) * math.exp(-(servers - load) * target_wait / mean_service)


def windows_for_service_level(
    arrivals_per_minute: float,
    mean_service_minutes: float,
    target_share: float,
    target_wait_minutes: float,
    max_windows: int = MAX_WINDOWS,
) -> int:
    """The smallest number of windows c > a with ``service_level`` ≥ ``target_share`` (a share
    strictly between 0 and 1, such as 0.8 for "80 % within 15 minutes").

    0 when nobody arrives; ``max_windows`` when even that many do not reach the target.
    """
    if arrivals_per_minute < 0 or not math.isfinite(arrivals_per_minute):
        raise ValueError(f"arrival rate must be a finite number ≥ 0, got {arrivals_per_minute}")
    if not 0 < target_share < 1:
        raise ValueError(f"target share must be strictly between 0 and 1, got {target_share}")
    if target_wait_minutes < 0 or not math.isfinite(target_wait_minutes):
        raise ValueError(f"target wait must be a finite number ≥ 0, got {target_wait_minutes}")
    if mean_service_minutes <= 0 or not math.isfinite(mean_service_minutes):
        raise ValueError(f"mean service time must be a finite number > 0, got {mean_service_minutes}")
    if arrivals_per_minute == 0:
        return 0
    load = arrivals_per_minute * mean_service_minutes
    for servers in range(math.floor(load) + 1, max_windows + 1):
        if service_level(servers, load, mean_service_minutes, target_wait_minutes) >= target_share:
            return servers
    return max_windows


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
