"""The estimate shown to citizens (issue 14): service times learned per queue and hour, the
windows' share, green-channel and appointment arrivals that overtake, the lunch break."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from queueing import estimator, learning, snapshot
from queueing.models import ServiceTimeProfile, Ticket
from tests.queueing.factories import NOW, id_number

MIN = dt.timedelta(minutes=1)
ROW = {"open_windows": 2, "effective_windows": 2.0, "busy_windows": 2, "mean_service_seconds": 600.0}


def test_the_learned_hour_is_the_prior_then_the_nearest_hour_then_the_default() -> None:
    profile = {9: (40, 900.0), 15: (30, 300.0)}
    assert estimator.learned_prior(profile, hour=9, default_seconds=480) == (900.0, estimator.LEARNED_PRIOR_WEIGHT)
    assert estimator.learned_prior(profile, hour=16, default_seconds=480)[0] == 300.0
    assert estimator.learned_prior(profile, hour=10, default_seconds=480)[0] == 900.0
    assert estimator.learned_prior(None, hour=10, default_seconds=480) == (480, estimator.PRIOR_WEIGHT)


def test_green_channel_arrivals_lengthen_a_normal_tickets_estimate_not_a_priority_ones() -> None:
    calm = estimator.row_wait_seconds(ROW, ahead=4)
    busy = estimator.row_wait_seconds({**ROW, "priority_per_hour": 6}, ahead=4)
    assert calm is not None and busy is not None and busy > calm
    assert estimator.row_wait_seconds({**ROW, "priority_per_hour": 6}, ahead=4, priority=True) == calm
    # However many, they never take more than the cap of the windows.
    flood = estimator.row_wait_seconds({**ROW, "priority_per_hour": 10_000}, ahead=4)
    assert flood == pytest.approx(calm / (1 - estimator.MAX_PRIORITY_LOAD))


def test_a_free_window_means_no_wait_and_no_open_window_no_estimate() -> None:
    assert estimator.row_wait_seconds({**ROW, "busy_windows": 1}, ahead=0) == 0
    assert estimator.row_wait_seconds({**ROW, "busy_windows": 1}, ahead=1) > 0
    assert estimator.row_wait_seconds({**ROW, "open_windows": 0}, ahead=3) is None
    # A row cached before the new fields: the open windows, no priority arrivals.
    old = {"open_windows": 2, "mean_service_seconds": 600.0}
    assert estimator.row_wait_seconds(old, ahead=2) == pytest.approx((2 + estimator.FRONT) * 300)


def test_a_window_shared_by_queues_counts_for_its_share() -> None:
    windows = [[1, 2], [1]]  # a comprehensive window serving queues 1 and 2, a window of queue 1
    assert estimator.effective_windows(windows=windows, arrivals={1: 9, 2: 0}, category_id=1) == pytest.approx(
        1 + 10 / 11
    )
    assert estimator.effective_windows(windows=windows, arrivals={1: 9, 2: 0}, category_id=2) == pytest.approx(1 / 11)
    assert estimator.effective_windows(windows=windows, arrivals={}, category_id=3) == 0


def test_a_wait_that_reaches_the_lunch_break_lasts_it_longer() -> None:
    row = {**ROW, "lunch_in_seconds": 1200.0, "lunch_seconds": 3600.0}
    short = estimator.row_wait_seconds(row, ahead=0)  # (0 + ¼) × 300 s: before the break
    long = estimator.row_wait_seconds(row, ahead=6)  # (6 + ¼) × 300 s = 1875 s: past it
    assert short == pytest.approx(estimator.FRONT * 300)
    assert long == pytest.approx(6.25 * 300 + 3600)
    during = {**ROW, "busy_windows": 0, "lunch_in_seconds": 0.0, "lunch_seconds": 900.0}
    assert estimator.row_wait_seconds(during, ahead=0) == 900


@pytest.mark.django_db
def test_service_times_are_learned_per_queue_and_hour_and_read_by_the_snapshot(qh) -> None:
    from queueing import services

    qh.sign_in_all()
    day = NOW.date()
    # Queue A: 20-minute services at 9:00, 5-minute ones at 15:00; queue B: one 10-minute one.
    for start, minutes, category, window in (
        (NOW.replace(hour=9, minute=5), 20, qh.a, qh.window_a),
        (NOW.replace(hour=9, minute=30), 20, qh.a, qh.window_a),
        (NOW.replace(hour=15), 5, qh.a, qh.window_a),
        (NOW.replace(hour=9, minute=5), 10, qh.b, qh.window_b),
    ):
        staff = qh.staff[window.number]
        services.ticket_issue(hall=qh.hall, category=category, source="kiosk", now=start - MIN)
        ticket = services.ticket_call_next(window=window, staff=staff, now=start)
        services.ticket_start(window=window, ticket=ticket, staff=staff, now=start)
        services.ticket_finish(window=window, ticket=ticket, staff=staff, now=start + minutes * MIN)
    assert learning.learn_day(day=day) == 3
    learned = {(p.category_id, p.hour): (p.samples, p.mean_seconds) for p in ServiceTimeProfile.objects.all()}
    assert learned == {(qh.a.pk, 9): (2, 1200.0), (qh.a.pk, 15): (1, 300.0), (qh.b.pk, 9): (1, 600.0)}
    assert learning.learn_day(day=day) == 0  # a day is learned once

    # The next day: with no service yet today, queue A's mean is its learned hour's.
    Ticket.objects.all().delete()
    cache.clear()
    tomorrow = NOW + dt.timedelta(days=1)
    morning = snapshot.category_row(snapshot.build(qh.hall, now=tomorrow.replace(hour=9, minute=10)), qh.a.pk)
    afternoon = snapshot.category_row(snapshot.build(qh.hall, now=tomorrow.replace(hour=15, minute=10)), qh.a.pk)
    assert morning["mean_service_seconds"] == 1200.0 and afternoon["mean_service_seconds"] == 300.0


@pytest.mark.django_db
def test_the_snapshot_counts_green_channel_arrivals_and_the_estimate_grows(qh) -> None:
    from queueing import services

    qh.sign_in_all()
    for k in range(4):
        services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + k * MIN)
    before = snapshot.build(qh.hall, now=NOW + 5 * MIN)
    for k in range(3):
        services.ticket_issue(
            hall=qh.hall, category=qh.b, source="kiosk", id_number=id_number(f"194{k}0101"), now=NOW + 6 * MIN
        )
    after = snapshot.build(qh.hall, now=NOW + 7 * MIN)
    row = snapshot.category_row(after, qh.b.pk)
    assert row["priority_per_hour"] == 3 and snapshot.category_row(before, qh.b.pk)["priority_per_hour"] == 0
    normal = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW + 8 * MIN).ticket
    data = snapshot.build(qh.hall, now=NOW + 8 * MIN)
    row = snapshot.category_row(data, qh.b.pk)
    ahead = snapshot.position(data, normal)
    assert ahead == 3
    without = {**row, "priority_per_hour": 0}
    assert estimator.row_wait_seconds(row, ahead=ahead) > estimator.row_wait_seconds(without, ahead=ahead)


@pytest.mark.django_db
def test_the_snapshot_costs_the_same_queries_however_much_was_learned_and_issued(
    qh, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from queueing import services

    qh.sign_in_all()
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW)
    with CaptureQueriesContext(connection) as few:
        snapshot.build(qh.hall, now=NOW + MIN)
    for k in range(30):
        services.ticket_issue(
            hall=qh.hall, category=qh.a if k % 2 else qh.b, source="kiosk", now=NOW + k * dt.timedelta(seconds=10)
        )
    ServiceTimeProfile.objects.bulk_create(
        ServiceTimeProfile(category=c, hour=h, samples=5, mean_seconds=400, learned_through=NOW.date())
        for c in (qh.a, qh.b)
        for h in range(8, 18)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        snapshot.build(qh.hall, now=NOW + 10 * MIN)
