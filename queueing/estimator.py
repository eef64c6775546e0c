"""Waiting-time estimates (docs/estimator.md, docs/simulator.md), as pure functions.

Service time per queue is the mean of recent finished tickets (started → finished), shrunk
toward a prior so that a queue with two samples does not swing wildly: ``(sum + k·prior) /
(n + k)``. The prior is what the queue has *learned* for the hour of day (``ServiceTimeProfile``,
updated from every finished day by ``queueing.learning``), or the default service time for a
queue with no history yet; a learned prior weighs more (``LEARNED_PRIOR_WEIGHT``) than the
default.

A person with ``ahead`` people before them waits about ``(ahead + ¼) × mean / windows`` when
every window is busy (the ¼: the person at the front still waits for the first window to come
free), and nothing when a window serving the queue is free. The windows are the queue's
*share* of the open windows serving it: a comprehensive
window serving seven queues is not a whole window to each of them (``effective_windows``,
shared in proportion to each queue's arrivals of the last hour). A normal ticket is also
overtaken by the green channel and checked-in appointments who arrive while it waits (called
before it, Art. 10): with priority arrivals at rate λ (half of whom overtake at the queue's own
windows), each minute of waiting brings ``λ × mean / windows`` minutes more, so the wait is
divided by ``1 − ρ`` (ρ capped). A wait that reaches the lunch break lasts the break longer (no
window calls then). With no open window there is no estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

PRIOR_WEIGHT = 3
# A prior learned from past days of the same queue and hour is worth this many of today's samples.
LEARNED_PRIOR_WEIGHT = 6
# The person at the front waits for the first of the busy windows to come free: a part of a
# service time (a quarter, measured on simulated days: docs/simulator.md).
FRONT = 0.25
# The share of the priority arrivals that overtake a waiting normal ticket at its queue's windows:
# green-channel windows take many of them first, and some come after the person is called
# (half, measured on simulated days).
OVERTAKING = 0.5
# Priority arrivals can take at most this share of the windows in the estimate (starvation rule:
# after 45 min a normal ticket is called before them anyway).
MAX_PRIORITY_LOAD = 0.6


def mean_service_seconds(
    *, total_seconds: float, samples: int, prior_seconds: float, prior_weight: float = PRIOR_WEIGHT
) -> float:
    return (total_seconds + prior_weight * prior_seconds) / (samples + prior_weight)


def learned_prior(
    profile: Mapping[int, tuple[int, float]] | None, *, hour: int, default_seconds: float
) -> tuple[float, float]:
    """(prior seconds, its weight) for a queue at ``hour``: the learned mean of that hour (hour →
    (samples, mean seconds)), else of the queue's nearest learned hour, else the default."""
    if profile:
        if hour in profile and profile[hour][0] > 0:
            return profile[hour][1], LEARNED_PRIOR_WEIGHT
        nearest = min(profile, key=lambda h: (abs(h - hour), h))
        if profile[nearest][0] > 0:
            return profile[nearest][1], LEARNED_PRIOR_WEIGHT / 2
    return default_seconds, PRIOR_WEIGHT


def wait_seconds(*, ahead: int, windows: int, mean_service: float) -> float | None:
    """The naive estimate: people ahead × mean service time / open windows."""
    if windows <= 0:
        return None
    return ahead * mean_service / windows


def wait_minutes(*, ahead: int, windows: int, mean_service: float) -> int | None:
    """Rounded up to whole minutes: an estimate that errs long disappoints less."""
    seconds = wait_seconds(ahead=ahead, windows=windows, mean_service=mean_service)
    return None if seconds is None else math.ceil(seconds / 60)


def effective_windows(*, windows: list[list[int]], arrivals: Mapping[int, float], category_id: int) -> float:
    """The share of the open windows that serves ``category_id``: each open window (given as the
    ids of the queues it serves) splits itself between its queues in proportion to their
    arrivals of the last hour (plus one, so a quiet queue still has its share)."""
    share = 0.0
    for served in windows:
        if category_id not in served:
            continue
        total = sum(arrivals.get(c, 0.0) + 1.0 for c in served)
        share += (arrivals.get(category_id, 0.0) + 1.0) / total
    return share


def row_wait_seconds(row: Mapping[str, Any], *, ahead: int, priority: bool = False) -> float | None:
    """The estimate for a ticket with ``ahead`` people before it in the snapshot row of its
    queue (``queueing.snapshot.build``). Rows cached before these fields existed fall back to the
    open windows and no priority arrivals."""
    windows = row.get("open_windows") or 0
    if windows <= 0:
        return None
    mean = float(row["mean_service_seconds"])
    capacity = float(row.get("effective_windows") or windows)
    capacity = max(capacity, 0.25)
    busy = row.get("busy_windows")
    # People ahead, and the one at the front waiting for a window: nobody waits when a window is free.
    if busy is not None and ahead < windows - int(busy):
        return with_lunch(row, 0.0)
    seconds = (ahead + FRONT) * mean / capacity
    if not priority:
        rate = OVERTAKING * float(row.get("priority_per_hour") or 0.0) / 3600
        load = min(MAX_PRIORITY_LOAD, rate * mean / capacity)
        seconds /= 1 - load
    return with_lunch(row, seconds)


def with_lunch(row: Mapping[str, Any], seconds: float) -> float:
    """A wait that reaches the lunch break (no window calls then) lasts the break longer."""
    lunch_in, lunch = row.get("lunch_in_seconds"), row.get("lunch_seconds")
    if lunch_in is not None and lunch and seconds >= lunch_in:
        return seconds + lunch
    return seconds


def row_wait_minutes(row: Mapping[str, Any], *, ahead: int, priority: bool = False) -> int | None:
    seconds = row_wait_seconds(row, ahead=ahead, priority=priority)
    # Whole seconds first: the windows' share is rounded in the snapshot, and 720.07 s is 12 minutes.
    return None if seconds is None else math.ceil(round(seconds) / 60)
