"""The per-hall snapshot in the cache: refreshed on every change, positions and estimates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queueing import services, snapshot
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db(transaction=True)
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    """Snapshots rebuilt after commit read the clock: freeze it at NOW and let tests move it."""
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_snapshot_is_refreshed_after_each_change_and_read_without_queries(qh) -> None:
    qh.sign_in_all()
    for k in range(3):
        services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + k * MIN)
    # The first read after the changes rebuilds the snapshot once; the next reads cost nothing.
    with CaptureQueriesContext(connection) as first:
        snapshot.get(qh.hall.code)
    with CaptureQueriesContext(connection) as ctx:
        data = snapshot.get(qh.hall.code)
    assert len(first.captured_queries) > 0 and len(ctx.captured_queries) == 0
    a = snapshot.category_row(data, qh.a.pk)
    assert a["waiting"] == 3 and a["open_windows"] == 3  # comprehensive, A and the green-channel window

    ticket = services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW + 4 * MIN)
    data = snapshot.get(qh.hall.code)
    assert snapshot.category_row(data, qh.a.pk)["waiting"] == 2
    window = next(w for w in data["windows"] if w["number"] == 2)
    assert window["current"] == ticket.number
    assert data["recent_calls"][0]["number"] == ticket.number and data["recent_calls"][0]["window"] == 2


def test_position_and_public_projection(qh) -> None:
    qh.sign_in_all()
    tickets = [
        services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + k * MIN).ticket for k in range(4)
    ]
    data = snapshot.get(qh.hall.code)
    assert [snapshot.position(data, t) for t in tickets] == [0, 1, 2, 3]
    public = snapshot.public(data, now=NOW + 10 * MIN)
    a = next(c for c in public["categories"] if c["letter"] == "A")
    assert a["waiting"] == 4 and a["longest_wait_minutes"] == 10
    # 4 ahead, the 8-minute prior, 3 open windows of which the comprehensive one shares itself
    # with queue B (5/6 of it to A by the last hour's arrivals, 4 + 1 against 0 + 1), none busy:
    # ceil((4 + ¼) × 8 / 2.83) = 12 minutes (queueing.estimator.row_wait_seconds).
    assert a["estimated_wait_minutes"] == 12
    assert "queue" not in a and "id" not in a
    assert all("token" not in str(v) for v in public.values())


def test_unknown_hall_has_no_snapshot(db) -> None:
    assert snapshot.get("NOPE") is None


def test_a_change_marks_the_snapshot_dirty_and_one_reader_rebuilds_it(qh) -> None:
    qh.sign_in_all()
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW)
    assert snapshot.category_row(snapshot.get(qh.hall.code), qh.a.pk)["waiting"] == 1
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + MIN)
    assert cache.get(snapshot._dirty_key(qh.hall.pk)) == 1
    assert snapshot.category_row(snapshot.get(qh.hall.code), qh.a.pk)["waiting"] == 2
    assert cache.get(snapshot._dirty_key(qh.hall.pk)) is None


def test_while_one_reader_rebuilds_the_others_serve_the_previous_copy(qh) -> None:
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW)
    old = snapshot.get(qh.hall.code)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + MIN)
    cache.add(snapshot._lock_key(qh.hall.pk), 1, 10)  # somebody else is rebuilding
    with CaptureQueriesContext(connection) as ctx:
        assert snapshot.get(qh.hall.code) == old
    assert len(ctx.captured_queries) == 0


def test_a_stale_snapshot_is_rebuilt_by_a_reader(qh, clock) -> None:
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW)
    first = snapshot.get(qh.hall.code)
    clock.move_to(NOW + dt.timedelta(seconds=snapshot.FRESH_SECONDS + 1))
    later = snapshot.get(qh.hall.code)
    assert later["generated_at"] > first["generated_at"]


def test_people_ahead_by_count_agrees_with_the_snapshot_order(qh, clock) -> None:
    import random

    from queueing import selectors
    from queueing.models import Ticket
    from tests.queueing.factories import id_number

    rng = random.Random(7)
    for k in range(40):
        elderly = rng.random() < 0.25
        services.ticket_issue(
            hall=qh.hall,
            category=qh.a,
            source="kiosk",
            now=NOW + k * MIN,
            id_number=id_number("19500101", seq=f"{k:03d}") if elderly else "",
        )
    later = NOW + 60 * MIN  # the first tickets have now waited past the 45-minute guard
    clock.move_to(later)
    data = snapshot.get(qh.hall.code)
    for ticket in Ticket.objects.filter(hall=qh.hall, status="waiting"):
        assert selectors.people_ahead(ticket=ticket, now=later) == snapshot.position(data, ticket), ticket.number
