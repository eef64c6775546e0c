"""When a hall is open: its weekday hours applied to the working-day calendar (pure functions).

Rules (REQUIREMENTS §1): a hall opens on working days by the hours of that weekday; a make-up
workday (调休上班) that falls on a weekend uses Monday's hours; on an ordinary weekend it opens
only if it publishes hours for that weekday; on a statutory holiday it is closed (weekend and
holiday service is booked as staggered appointment slots). Extended hours (延时服务) prolong the
day to ``extended_until``. A weekend day the hall serves by appointment only (仅预约, staggered
service) has no walk-in hours: like a Sunday or a holiday with staggered slots, only checked-in
bookings are served, so ``hours_on`` says closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from servicehall.clock import SHANGHAI, local_now


class WeekdayHours(Protocol):
    """A row with the HallOpeningHours fields (the model itself, read only)."""

    @property
    def morning_opens(self) -> dt.time: ...
    @property
    def morning_closes(self) -> dt.time: ...
    @property
    def afternoon_opens(self) -> dt.time: ...
    @property
    def afternoon_closes(self) -> dt.time: ...
    @property
    def extended_until(self) -> dt.time | None: ...
    @property
    def appointment_only(self) -> bool: ...


@dataclass(frozen=True)
class DayHours:
    day: dt.date
    morning_opens: dt.time
    morning_closes: dt.time
    afternoon_opens: dt.time
    afternoon_closes: dt.time
    extended_until: dt.time | None

    @property
    def opens(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.morning_opens, SHANGHAI)

    @property
    def closes(self) -> dt.datetime:
        """The end of service that day, extended hours included."""
        return dt.datetime.combine(self.day, self.extended_until or self.afternoon_closes, SHANGHAI)

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Open for taking tickets: from opening to closing, the lunch break included (tickets
        taken at lunch are called when the afternoon starts)."""
        return self.opens <= moment < self.closes

    @property
    def lunch_break(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The lunch break's start and end (None on a day served straight through)."""
        if self.morning_closes >= self.afternoon_opens:
            return None
        return (
            dt.datetime.combine(self.day, self.morning_closes, SHANGHAI),
            dt.datetime.combine(self.day, self.afternoon_opens, SHANGHAI),
        )

    def in_lunch_break(self, moment: dt.datetime) -> bool:
        local = local_now(moment).time()
        return self.morning_closes <= local < self.afternoon_opens


def hours_on(
    day: dt.date, *, weekly: Mapping[int, WeekdayHours], day_kind: Callable[[dt.date], str]
) -> DayHours | None:
    """The hall's walk-in hours on ``day`` or None when it is closed (or open by appointment only).

    ``weekly`` maps a weekday (0 = Monday) to a row with the HallOpeningHours fields;
    ``day_kind`` gives the CalendarDay kind of a date.
    """
    kind = day_kind(day)
    if kind == "holiday":
        return None
    weekday = day.weekday()
    if kind == "makeup_workday" and weekday >= 5:
        weekday = 0
    row = weekly.get(weekday)
    if row is None or row.appointment_only:
        return None
    return DayHours(
        day,
        row.morning_opens,
        row.morning_closes,
        row.afternoon_opens,
        row.afternoon_closes,
        row.extended_until,
    )


def next_opening(
    after: dt.datetime,
    *,
    weekly: Mapping[int, WeekdayHours],
    day_kind: Callable[[dt.date], str],
    horizon_days: int = 30,
) -> dt.datetime | None:
    """The next moment after ``after`` when the hall opens (None if not within the horizon)."""
    local = local_now(after)
    for offset in range(horizon_days + 1):
        day = local.date() + dt.timedelta(days=offset)
        hours = hours_on(day, weekly=weekly, day_kind=day_kind)
        if hours is None:
            continue
        if hours.opens > local:
            return hours.opens
        if hours.is_open_at(local):
            return local
    return None
