"""Staggered service (错时服务, Art. 10 ¶3) as the queues see it: the hours a hall serves people
with a booking on a day it has no walk-in hours (a weekend, or a statutory holiday).

The slots are ``appointments``' work, which sits above queueing: queueing must not import it. So
appointments registers a provider from its ``AppConfig.ready()`` that answers, for a day, the
periods of every hall's staggered slots booked that day; the wait monitor watches a hall's queues
within them (``queueing.monitor``) and the kiosk says the day is a staggered-service day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

Period = tuple[dt.datetime, dt.datetime]
# ``provider(day)`` → {hall id: [(starts, ends), …]} of the day's staggered slots with bookings.
Provider = Callable[[dt.date], Mapping[int, list[Period]]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register ``provider`` under ``name`` (idempotent: ready() may run twice in tests)."""
    _providers[name] = provider


def periods(day: dt.date) -> dict[int, list[Period]]:
    """Every hall's staggered-service periods on ``day``, merged where they touch or overlap."""
    found: dict[int, list[Period]] = {}
    for provider in _providers.values():
        for hall_id, rows in provider(day).items():
            found.setdefault(hall_id, []).extend(rows)
    return {hall_id: _merge(rows) for hall_id, rows in found.items()}


def serving_at(day: dt.date, moment: dt.datetime) -> dict[int, Period]:
    """The halls in staggered service at ``moment``, with the period it falls in."""
    return {
        hall_id: period for hall_id, rows in periods(day).items() for period in rows if period[0] <= moment < period[1]
    }


def _merge(rows: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for starts, ends in sorted(rows):
        if merged and starts <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((starts, ends))
    return merged
