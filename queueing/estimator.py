"""Waiting-time estimates (docs/estimator.md), as pure functions.

Service time per queue is the mean of recent finished tickets (started → finished), shrunk
toward a prior (the default service time) so that a queue with two samples does not swing
wildly: ``(sum + k·prior) / (n + k)``. A person with ``ahead`` people before them, served by
``windows`` open windows, waits about ``ahead × mean / windows``. With no open window there is
no estimate.
"""

from __future__ import annotations

import math

PRIOR_WEIGHT = 3


def mean_service_seconds(*, total_seconds: float, samples: int, prior_seconds: float) -> float:
    return (total_seconds + PRIOR_WEIGHT * prior_seconds) / (samples + PRIOR_WEIGHT)


def wait_seconds(*, ahead: int, windows: int, mean_service: float) -> float | None:
    if windows <= 0:
        return None
    return ahead * mean_service / windows


def wait_minutes(*, ahead: int, windows: int, mean_service: float) -> int | None:
    """Rounded up to whole minutes: an estimate that errs long disappoints less."""
    seconds = wait_seconds(ahead=ahead, windows=windows, mean_service=mean_service)
    return None if seconds is None else math.ceil(seconds / 60)
