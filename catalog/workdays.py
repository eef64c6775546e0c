"""Working-day arithmetic: a small pure library over a calendar of working and rest days.

Conventions (Art. 13 ¶1: the limit runs from the day of acceptance; the start day is not
counted):

- ``add_working_days(start, n)`` is the n-th working day after ``start``; ``n = 0`` is ``start``
  itself (instant items finish the same day).
- ``working_days_between(start, end)`` counts the working days in ``(start, end]``, so
  ``working_days_between(start, add_working_days(start, n)) == n``; it is negative when
  ``end`` is before ``start``.
- ``next_working_day(day)`` is the first working day strictly after ``day``.

The calendar knows some days explicitly (from the calendar table); for any other day it asks
``fallback`` (the `holidays` package in production). With no fallback an unknown day raises
``CalendarGapError`` rather than guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

ONE_DAY = dt.timedelta(days=1)
# No stretch of rest days in China is anywhere near this long; a loop that runs further is
# looking at a broken calendar.
_MAX_REST_RUN = 60


class CalendarGapError(LookupError):
    """The calendar does not know whether a day is a working day."""


class WorkingCalendar:
    def __init__(self, days: Mapping[dt.date, bool], *, fallback: Callable[[dt.date], bool] | None = None) -> None:
        self._days = dict(days)
        self._fallback = fallback

    def is_working_day(self, day: dt.date) -> bool:
        known = self._days.get(day)
        if known is not None:
            return known
        if self._fallback is None:
            raise CalendarGapError(f"the calendar has no entry for {day.isoformat()}")
        value = self._fallback(day)
        self._days[day] = value
        return value

    def next_working_day(self, day: dt.date) -> dt.date:
        candidate = day + ONE_DAY
        for _ in range(_MAX_REST_RUN):
            if self.is_working_day(candidate):
                return candidate
            candidate += ONE_DAY
        raise CalendarGapError(f"no working day within {_MAX_REST_RUN} days after {day.isoformat()}")

    def add_working_days(self, start: dt.date, n: int, *, stopped: Sequence[tuple[dt.date, dt.date]] = ()) -> dt.date:
        """The n-th working day after ``start``, not counting the working days of a stopped clock.

        ``stopped`` lists clock stops ``(began, ended)`` (time waiting for the applicant's
        corrections, special steps: Art. 13 and REQUIREMENTS §8). A stop removes the working days
        in ``(began, ended]``: the day it began was worked and counts; the day it ended is a new
        start, and like the day of acceptance it is not counted.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        counted = 0
        while counted < n:
            day = self.next_working_day(day)
            if not any(began < day <= ended for began, ended in stopped):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count


def weekday_rule(day: dt.date) -> bool:
    """Monday to Friday: only for tests and as a last resort, never for real deadlines."""
    return day.weekday() < 5
