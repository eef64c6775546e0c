"""A clerk may sign in at a window before the hall opens (to get ready), but outside opening hours
the public pages do not advertise open windows (the board shows such a window as "准备中"), and
the supervisors' overview does not count it as idle unless people wait for it (the last tickets
after closing)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from queueing import dashboard, services
from servicehall import memo, roles
from tests.queueing.factories import NOW
from tests.servicehall.factories import staff_user

EIGHT = NOW.replace(hour=8)  # Thursday 26 November 2026, the hall opens at 9:00
HALF_PAST_FIVE = NOW.replace(hour=17, minute=30)  # it closed at 17:00


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(EIGHT, tick=False) as traveller:
        yield traveller


def at(clock, moment: dt.datetime) -> None:
    clock.move_to(moment)
    cache.clear()
    memo.forget()


def text(response) -> str:
    return response.content.decode()


def overview_row(now: dt.datetime) -> dashboard.HallRow:
    (row,) = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=now).rows
    return row


@pytest.fixture
def prepared(qh, clock):
    """The comprehensive window signed in at 8:00, before opening."""
    at(clock, EIGHT)
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1], now=EIGHT)
    return qh


def test_public_pages_before_opening_advertise_no_open_window(client, prepared, clock) -> None:
    qh = prepared
    status = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "本大厅现不在办公时间" in status
    assert "开放窗口 1 个" not in status and "现有 0 人等候" in status
    board = text(client.get(reverse("queue-board", args=[qh.hall.code])))
    assert "本大厅现不在办公时间" in board and "准备中" in board

    at(clock, NOW)  # 10:00: open, and now the window is advertised
    status = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "开放窗口 1 个" in status and "本大厅现不在办公时间" not in status
    assert "准备中" not in text(client.get(reverse("queue-board", args=[qh.hall.code])))


def test_the_overview_does_not_count_a_window_getting_ready_as_idle(client, prepared, clock) -> None:
    row = overview_row(EIGHT)
    assert (row.open_windows, row.idle_windows, row.open_now) == (1, 0, False)
    client.force_login(staff_user("closed-sup", role=roles.SUPERVISOR))
    assert "（非办公时间）" in text(client.get(reverse("supervisor-overview")))

    at(clock, NOW)
    row = overview_row(NOW)
    assert (row.open_windows, row.idle_windows, row.open_now) == (1, 1, True)
    assert "（非办公时间）" not in text(client.get(reverse("supervisor-overview")))


def test_after_closing_an_idle_window_beside_the_last_waiting_tickets_still_counts(prepared, clock) -> None:
    qh = prepared
    at(clock, NOW.replace(hour=16, minute=50))
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW.replace(hour=16, minute=50))
    at(clock, HALF_PAST_FIVE)
    row = overview_row(HALF_PAST_FIVE)
    assert (row.open_now, row.idle_windows, row.idle_beside_waiting) == (False, 1, 1)
