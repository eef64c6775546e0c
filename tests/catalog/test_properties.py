"""Properties of the working-day arithmetic (catalog/workdays.py, catalog.selectors.deadline_after)
and of the bundle stage rule (catalog/bundles.py, Art. 13 ¶3), checked by hypothesis over
generated calendars (weekends, holidays, make-up workdays 调休) and bundles (issue 14).

Deterministic (``derandomize``) and small enough for CI: the pure properties run 100 examples,
the one reading the calendar table a few."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from catalog import holiday_source
from catalog.bundles import StageLimit, limit_bound, stage_maxima
from catalog.models import CalendarDay
from catalog.selectors import deadline_after
from catalog.workdays import WorkingCalendar, weekday_rule

PURE = settings(max_examples=100, deadline=None, derandomize=True)
# On the database: few examples, and a failure reported as found (shrinking it would replay
# hundreds of examples against the database).
DB = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

FIRST = dt.date(2026, 1, 1)
SPAN = 400  # days the generated calendars cover
LAST = FIRST + dt.timedelta(days=SPAN - 1)


def _day(offset: int) -> dt.date:
    return FIRST + dt.timedelta(days=offset)


@st.composite
def calendars(draw) -> dict[dt.date, bool]:
    """Monday to Friday, with some weekdays off (holidays, in runs of up to nine days as the
    Spring Festival) and some weekend days worked (make-up workdays): every day of the span known."""
    days = {_day(k): weekday_rule(_day(k)) for k in range(SPAN)}
    for start, length in draw(st.lists(st.tuples(st.integers(0, SPAN - 1), st.integers(1, 9)), max_size=8)):
        for k in range(start, min(start + length, SPAN)):
            days[_day(k)] = False
    for k in draw(st.lists(st.integers(0, SPAN - 1), max_size=8)):
        if _day(k).weekday() >= 5:
            days[_day(k)] = True
    return days


def _working_days(days: dict[dt.date, bool]) -> list[dt.date]:
    return sorted(day for day, working in days.items() if working)


starts = st.integers(0, 200).map(_day)  # leaves room after the start for any n below
counts = st.integers(0, 60)


@PURE
@given(calendars(), starts, counts)
def test_adding_n_working_days_agrees_with_counting_them_one_by_one(days, start, n) -> None:
    """The reference: the n-th working day strictly after the start (the start not counted)."""
    calendar = WorkingCalendar(days)
    after = [day for day in _working_days(days) if day > start]
    expected = start if n == 0 else after[n - 1]
    assert calendar.add_working_days(start, n) == expected


@PURE
@given(calendars(), starts, counts)
def test_counting_back_the_added_working_days_gives_n(days, start, n) -> None:
    calendar = WorkingCalendar(days)
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(end, start) == -n


@PURE
@given(calendars(), starts, st.integers(1, 60))
def test_the_result_is_a_working_day_never_a_holiday(days, start, n) -> None:
    calendar = WorkingCalendar(days)
    end = calendar.add_working_days(start, n)
    assert end > start and days[end] is True
    # Holidays among the weekdays are skipped and make-up weekend days counted.
    skipped = [d for d in (start + dt.timedelta(days=k) for k in range(1, (end - start).days + 1)) if not days[d]]
    assert all(calendar.working_days_between(start, d) < n for d in skipped)


@PURE
@given(calendars(), starts, counts, counts)
def test_adding_is_monotonic_in_n_and_composes(days, start, n, m) -> None:
    calendar = WorkingCalendar(days)
    if n < m:
        assert calendar.add_working_days(start, n) < calendar.add_working_days(start, m)
    assert calendar.add_working_days(calendar.add_working_days(start, n), m) == calendar.add_working_days(start, n + m)


@PURE
@given(calendars(), starts, starts, counts)
def test_adding_is_monotonic_in_the_start(days, a, b, n) -> None:
    calendar = WorkingCalendar(days)
    first, second = min(a, b), max(a, b)
    assert calendar.add_working_days(first, n) <= calendar.add_working_days(second, n)


@PURE
@given(calendars(), starts, starts, starts)
def test_counting_is_additive(days, a, b, c) -> None:
    calendar = WorkingCalendar(days)
    assert calendar.working_days_between(a, b) + calendar.working_days_between(b, c) == calendar.working_days_between(
        a, c
    )


@PURE
@given(calendars(), starts)
def test_the_next_working_day_is_one_working_day_on(days, start) -> None:
    calendar = WorkingCalendar(days)
    assert calendar.next_working_day(start) == calendar.add_working_days(start, 1)
    assert calendar.working_days_between(start, calendar.next_working_day(start)) == 1


@PURE
@given(st.dates(dt.date(2025, 1, 1), dt.date(2027, 10, 31)), st.integers(0, 40))
def test_china_s_holidays_are_skipped_and_make_up_workdays_counted(start, n) -> None:
    """On the `holidays` package's calendar of China (the fallback of the production calendar):
    the result is never a day off, and every make-up workday (调休, a weekend day worked) on the
    way counts as a working day."""
    calendar = WorkingCalendar({}, fallback=holiday_source.is_working_day)
    end = calendar.add_working_days(start, n)
    if n:
        assert holiday_source.day_info(end).kind in CalendarDay.WORKING_KINDS
    walked = [start + dt.timedelta(days=k) for k in range(1, (end - start).days + 1)]
    working = [d for d in walked if holiday_source.day_info(d).kind in CalendarDay.WORKING_KINDS]
    assert len(working) == n


@pytest.mark.django_db
@DB
@given(calendars(), starts, st.integers(0, 30))
def test_the_deadline_reads_the_calendar_table_and_its_corrections(days, start, n) -> None:
    """``deadline_after`` (the one place deadlines are computed) answers what the arithmetic does
    on the table: an administrator's correction (a weekday closed, a weekend day worked) counts."""
    with transaction.atomic():
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=day,
                kind=(CalendarDay.Kind.WORKDAY if day.weekday() < 5 else CalendarDay.Kind.MAKEUP_WORKDAY)
                if working
                else (CalendarDay.Kind.WEEKEND if day.weekday() >= 5 else CalendarDay.Kind.HOLIDAY),
                source=CalendarDay.Source.MANUAL,
            )
            for day, working in days.items()
        )
        assert deadline_after(start, n)[0] == WorkingCalendar(days).add_working_days(start, n)
        transaction.set_rollback(True)


# --- The bundle stage rule (Art. 13 ¶3) --------------------------------------------------------

members_lists = st.lists(
    st.builds(
        StageLimit,
        stage=st.integers(1, 5),
        item_code=st.text("ABCDEFGH", min_size=1, max_size=3),
        limit_days=st.integers(0, 60),
    ),
    max_size=12,
)


def _reference_bound(members: list[StageLimit]) -> int:
    by_stage: dict[int, list[int]] = defaultdict(list)
    for member in members:
        by_stage[member.stage].append(member.limit_days)
    return sum(max(limits) for limits in by_stage.values())


@PURE
@given(members_lists)
def test_the_bound_is_the_sum_over_stages_of_the_longest_limit(members) -> None:
    assert limit_bound(members) == _reference_bound(members)
    assert list(stage_maxima(members)) == sorted({m.stage for m in members})


@PURE
@given(members_lists, st.randoms(use_true_random=False))
def test_the_bound_does_not_depend_on_the_order_of_the_members(members, random) -> None:
    shuffled = list(members)
    random.shuffle(shuffled)
    assert limit_bound(shuffled) == limit_bound(members)


@PURE
@given(members_lists.filter(bool), st.data())
def test_the_bound_is_monotonic_in_each_member_s_limit(members, data) -> None:
    index = data.draw(st.integers(0, len(members) - 1))
    longer_by = data.draw(st.integers(0, 30))
    longer = list(members)
    longer[index] = StageLimit(members[index].stage, members[index].item_code, members[index].limit_days + longer_by)
    assert limit_bound(members) <= limit_bound(longer) <= limit_bound(members) + longer_by


@PURE
@given(members_lists, st.integers(0, 60))
def test_a_parallel_member_no_longer_than_its_stage_changes_nothing(members, limit) -> None:
    """Adding an item in parallel within an existing stage costs only what it exceeds the
    stage's longest by; a new stage adds its whole limit (items one after another)."""
    maxima = stage_maxima(members)
    for stage in maxima:
        added = [*members, StageLimit(stage, "NEW", limit)]
        assert limit_bound(added) == limit_bound(members) + max(0, limit - maxima[stage])
    new_stage = max(maxima, default=0) + 1
    assert limit_bound([*members, StageLimit(new_stage, "NEW", limit)]) == limit_bound(members) + limit


@PURE
@given(members_lists)
def test_the_bound_lies_between_the_longest_member_and_the_sum_of_all(members) -> None:
    limits = [m.limit_days for m in members]
    assert max(limits, default=0) <= limit_bound(members) <= sum(limits)
