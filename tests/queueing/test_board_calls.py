""" "Now calling" on the board, the hall's queue page and the API lists only calls that still
stand (issue 8): a ticket taken away from the window it was called to — returned to its queue at
logout or sign-out, transferred, marked a no-show, expired at closing — leaves it, so nobody is
sent to a window that will not serve them. A ticket served there stays in the recent calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from queueing import services, snapshot
from queueing.models import Ticket
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def calls(qh, now: dt.datetime = NOW) -> list[tuple[str, int | None]]:
    """The hall's recent calls as screens read them (the snapshot rebuilt now)."""
    data = snapshot.refresh(qh.hall.pk, now=now)
    assert data is not None
    return [(call["number"], call["window"]) for call in data["recent_calls"]]


def called_at_window_2(qh) -> Ticket:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 10 * MIN)
    ticket = services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW - 5 * MIN)
    assert calls(qh) == [(ticket.number, 2)]
    return ticket


def log_out(qh, ticket: Ticket) -> None:
    services.window_leave(staff=qh.staff[2])


def sign_out(qh, ticket: Ticket) -> None:
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2], return_current=True)


def transfer(qh, ticket: Ticket) -> None:
    services.ticket_transfer(window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="需社保窗口", category=qh.b)


def no_show(qh, ticket: Ticket) -> None:
    services.ticket_no_show(window=qh.window_a, ticket=ticket, staff=qh.staff[2])


TAKEN_AWAY: dict[str, Callable[..., None]] = {
    "logout": log_out,
    "sign_out": sign_out,
    "transfer": transfer,
    "no_show": no_show,
}


@pytest.mark.parametrize("taken_away", TAKEN_AWAY.values(), ids=TAKEN_AWAY.keys())
def test_a_ticket_taken_away_from_the_window_is_no_longer_called_there(client, qh, taken_away) -> None:
    ticket = called_at_window_2(qh)

    taken_away(qh, ticket)

    assert calls(qh) == []
    board = client.get(reverse("queue-board", args=[qh.hall.code])).content.decode()
    assert "暂无叫号，请耐心等候" in board and 'data-number="A001"' not in board
    api = client.get(reverse("api:hall-queue", args=[qh.hall.code])).json()
    assert api["recent_calls"] == []


def test_the_ticket_called_again_elsewhere_shows_only_its_new_call(qh) -> None:
    ticket = called_at_window_2(qh)
    services.window_leave(staff=qh.staff[2])  # A001 goes back to its queue

    services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1], now=NOW + MIN)

    assert calls(qh, NOW + MIN) == [(ticket.number, 1)]


def test_a_ticket_served_at_the_window_stays_in_the_recent_calls(qh) -> None:
    ticket = called_at_window_2(qh)
    services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    services.ticket_finish(window=qh.window_a, ticket=ticket, staff=qh.staff[2])

    assert calls(qh) == [(ticket.number, 2)]


def test_a_called_ticket_expired_at_closing_leaves_the_recent_calls(qh) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    closing = NOW.replace(hour=17, minute=5)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=closing - 40 * MIN)
    # Called more than services.CALLED_AT_CLOSING_GRACE before the run: nobody came.
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=closing - 20 * MIN)
    assert calls(qh, closing) == [("A001", 2)]

    assert services.tickets_expire(now=closing) == 1

    assert calls(qh, closing) == []


def test_a_served_ticket_at_a_closed_window_is_not_now_calling(client, qh) -> None:
    """Walkthrough: the board kept "正在叫号 A001 请到 2 号窗口" after A001 was finished and window
    2 closed (its clerk logged out)."""
    ticket = called_at_window_2(qh)
    services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    services.ticket_finish(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    assert calls(qh) == [(ticket.number, 2)]
    board = client.get(reverse("queue-board", args=[qh.hall.code])).content.decode()
    assert "暂无叫号，请耐心等候" in board  # served, not called: not "now calling" even while open
    assert 'data-number="A001"' in board  # but still among the recent calls

    services.window_leave(staff=qh.staff[2])

    assert calls(qh) == []
    board = client.get(reverse("queue-board", args=[qh.hall.code])).content.decode()
    assert "暂无叫号，请耐心等候" in board and 'data-number="A001"' not in board
    assert "请到 2 号窗口" not in board


def test_now_calling_is_the_latest_call_still_at_its_window(client, qh) -> None:
    first = called_at_window_2(qh)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 9 * MIN)
    second = services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1], now=NOW - 4 * MIN)
    services.ticket_start(window=qh.comprehensive, ticket=second, staff=qh.staff[1])
    services.ticket_finish(window=qh.comprehensive, ticket=second, staff=qh.staff[1])
    snapshot.refresh(qh.hall.pk)

    board = client.get(reverse("queue-board", args=[qh.hall.code])).content.decode()

    latest = board.split('class="board-latest"', 1)[1].split("</p>", 1)[0]
    assert first.number in latest and "请到 2 号窗口" in latest
    assert second.number not in latest and f'data-number="{second.number}"' in board
