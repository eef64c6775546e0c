"""Properties of the case clock with its stops (time waiting for corrections, special steps 特殊环节;
REQUIREMENTS §8, Art. 13), checked by hypothesis over generated calendars and stops (issue 14):
the due date moves by exactly the stopped working days, a stop never shortens the deadline, and
overlapping stops (two members of a bundle in special steps at once) are not counted twice.

Deterministic (``derandomize``) and small enough for CI; the properties of ``due_from`` (which
reads the calendar table) run a few examples."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cases.bundles import merge_stops
from cases.services import due_from
from catalog import holiday_source
from catalog.workdays import WorkingCalendar, weekday_rule

PURE = settings(max_examples=100, deadline=None, derandomize=True)
# On the database: few examples, and a failure reported as found (shrinking it would replay
# hundreds of examples against the database).
DB = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

FIRST = dt.date(2026, 1, 1)
SPAN = 500


def _day(offset: int) -> dt.date:
    return FIRST + dt.timedelta(days=offset)


@st.composite
def calendars(draw) -> dict[dt.date, bool]:
    days = {_day(k): weekday_rule(_day(k)) for k in range(SPAN)}
    for start, length in draw(st.lists(st.tuples(st.integers(0, SPAN - 1), st.integers(1, 9)), max_size=6)):
        for k in range(start, min(start + length, SPAN)):
            days[_day(k)] = False
    for k in draw(st.lists(st.integers(0, SPAN - 1), max_size=6)):
        if _day(k).weekday() >= 5:
            days[_day(k)] = True
    return days


starts = st.integers(0, 100).map(_day)
limits = st.integers(0, 40)


@st.composite
def stop_lists(draw, *, first: int = 0, last: int = 200, max_size: int = 4) -> list[tuple[dt.date, dt.date]]:
    stops = []
    for _ in range(draw(st.integers(0, max_size))):
        began = draw(st.integers(first, last))
        stops.append((_day(began), _day(began + draw(st.integers(0, 30)))))
    return stops


def _stopped(day: dt.date, stops) -> bool:
    return any(began < day and (ended is None or day <= ended) for began, ended in stops)


@PURE
@given(calendars(), starts, limits, stop_lists())
def test_the_limit_counts_exactly_the_working_days_the_clock_ran(days, start, n, stops) -> None:
    """Between acceptance and the due date, the working days outside every stop are exactly the
    limit, and the due date is one of them (the clock runs on it)."""
    due = WorkingCalendar(days).add_working_days(start, n, stopped=stops)
    walked = [start + dt.timedelta(days=k) for k in range(1, (due - start).days + 1)]
    assert sum(1 for d in walked if days[d] and not _stopped(d, stops)) == n
    if n:
        assert days[due] and not _stopped(due, stops)


@PURE
@given(calendars(), starts, limits, stop_lists())
def test_a_stop_never_shortens_the_deadline(days, start, n, stops) -> None:
    calendar = WorkingCalendar(days)
    assert calendar.add_working_days(start, n, stopped=stops) >= calendar.add_working_days(start, n)
    # Nor does adding one more stop to those already there.
    if stops:
        assert calendar.add_working_days(start, n, stopped=stops) >= calendar.add_working_days(
            start, n, stopped=stops[:-1]
        )


@PURE
@given(calendars(), starts, st.integers(1, 40), st.data())
def test_a_stop_within_the_limit_moves_the_due_date_by_its_working_days(days, start, n, data) -> None:
    calendar = WorkingCalendar(days)
    due = calendar.add_working_days(start, n)
    span = (due - start).days
    began = start + dt.timedelta(days=data.draw(st.integers(0, span - 1)))
    ended = began + dt.timedelta(days=data.draw(st.integers(0, (due - began).days - 1)))
    stopped_days = calendar.working_days_between(began, ended)
    assert calendar.add_working_days(start, n, stopped=[(began, ended)]) == calendar.add_working_days(due, stopped_days)


@PURE
@given(calendars(), starts, limits, stop_lists())
def test_a_stop_outside_the_running_clock_changes_nothing(days, start, n, stops) -> None:
    calendar = WorkingCalendar(days)
    due = calendar.add_working_days(start, n)
    after = [(due + (began - FIRST), due + (ended - FIRST)) for began, ended in stops]  # all begin on or after due
    before = [(start - dt.timedelta(days=40 - (began - FIRST).days % 10), start) for began, _ended in stops]
    assert calendar.add_working_days(start, n, stopped=after) == due
    assert calendar.add_working_days(start, n, stopped=before) == due


@PURE
@given(calendars(), starts, limits, stop_lists(max_size=5))
def test_overlapping_stops_are_not_counted_twice(days, start, n, stops) -> None:
    """Two members of a bundle in special steps over the same days take those days out once:
    the stops as given, repeated, or merged give the same due date."""
    calendar = WorkingCalendar(days)
    due = calendar.add_working_days(start, n, stopped=stops)
    assert calendar.add_working_days(start, n, stopped=stops + stops) == due
    merged = merge_stops(stops)
    assert all(ended is not None for _began, ended in merged)
    assert calendar.add_working_days(start, n, stopped=[(b, e) for b, e in merged if e is not None]) == due


open_or_closed = st.lists(
    st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 20))).map(
        lambda pair: (_day(pair[0]), None if pair[1] is None else _day(pair[0] + pair[1]))
    ),
    max_size=6,
)


@PURE
@given(open_or_closed)
def test_merged_stops_cover_the_same_days_once(stops) -> None:
    """``merge_stops`` (a bundle's clock: its members' special steps): disjoint, in order, and
    covering exactly the days some stop covers, open stops included (one that began the same day
    as a closed one no longer breaks the sort)."""
    merged = merge_stops(stops)
    for (_b1, e1), (b2, _e2) in zip(merged, merged[1:], strict=False):
        assert e1 is not None and e1 < b2
    for k in range(-1, 120):
        day = _day(k)
        assert _stopped(day, merged) == _stopped(day, stops)
    assert merge_stops(merged) == merged
    assert merge_stops(list(reversed(stops))) == merged


@pytest.mark.django_db
@DB
@given(starts, limits, open_or_closed)
def test_the_case_deadline_stands_while_a_stop_is_open_and_counts_closed_ones(start, n, stops) -> None:
    """``due_from`` on the production calendar (the `holidays` package behind an empty table):
    closed stops are not counted; an open stop that began before the deadline stands the clock
    (no due date) and one that began on or after it changes nothing; merging the stops first
    (a bundle's clock) changes nothing."""
    calendar = WorkingCalendar({}, fallback=holiday_source.is_working_day)
    closed = [(b, e) for b, e in stops if e is not None]
    due, _provisional = due_from(accepted_on=start, days=n, stops=stops)
    expected = calendar.add_working_days(start, n, stopped=closed)
    opened = [b for b, e in stops if e is None]
    if opened and expected > min(opened):
        assert due is None
    else:
        assert due == expected >= calendar.add_working_days(start, n)
    assert due_from(accepted_on=start, days=n, stops=merge_stops(stops))[0] == due
