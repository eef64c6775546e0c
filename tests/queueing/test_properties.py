"""Properties of the call order (queueing.services.callable_tickets, docs/queueing.md), checked by
hypothesis over generated queues and sequences of calls at the four windows of a hall (issue 14):
each call takes the highest-ranked ticket the window may call (approved urgent matters, then long
waits, then the green channel and appointments, then the rest; first come, first called within a
rank), no ticket is called twice, every ticket is called in the end, and the position a citizen
is shown (``people_ahead``) is the one the calls then keep.

On the database (the order is a query): deterministic (``derandomize``) and a few examples, each
in a savepoint rolled back afterwards."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from queueing import selectors, services
from queueing.config import hall_config
from queueing.models import Ticket, Window
from tests.queueing.factories import NOW, QueueHall

pytestmark = pytest.mark.django_db

# On the database: few examples, and a failure reported as found (shrinking it would replay
# hundreds of examples against the database).
DB = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
TODAY = NOW.date()
_serial = itertools.count(1)

PRIORITIES = ["", "", Ticket.Priority.ELDERLY, Ticket.Priority.DISABLED, Ticket.Priority.APPOINTMENT]
tickets_spec = st.lists(
    st.fixed_dictionaries(
        {
            "category": st.sampled_from("AB"),
            "priority": st.sampled_from(PRIORITIES),
            "urgent": st.sampled_from([False, False, False, True]),  # approved urgent matters are few
            # Minutes before now, on a coarse grid so that arrivals tie (then the earlier ticket goes
            # first); past 45 a ticket has waited too long and is called before the priorities.
            "waited": st.sampled_from([0, 5, 10, 30, 44, 46, 60, 90]),
        }
    ),
    min_size=1,
    max_size=10,
)


def _make(qh: QueueHall, spec: list[dict]) -> list[Ticket]:
    tickets = []
    for item in spec:
        n = next(_serial)
        category = qh.a if item["category"] == "A" else qh.b
        arrived = NOW - dt.timedelta(minutes=item["waited"])
        tickets.append(
            Ticket.objects.create(
                hall=qh.hall,
                category=category,
                service_date=TODAY,
                sequence=n,
                number=f"{category.letter}{n:03d}",
                token=f"prop-{n}",
                source=Ticket.Source.KIOSK,
                status=Ticket.Status.WAITING,
                issued_at=arrived,
                arrived_at=arrived,
                priority=item["priority"],
                urgent=item["urgent"],
            )
        )
    return tickets


def _eligible(qh: QueueHall, window: Window, ticket: Ticket) -> bool:
    if window.pk == qh.comprehensive.pk:
        return True
    if window.pk == qh.green.pk:
        return ticket.category_id == qh.a.pk or ticket.priority in Ticket.GREEN_CHANNEL
    return ticket.category_id == (qh.a.pk if window.pk == qh.window_a.pk else qh.b.pk)


def _rank(qh: QueueHall, window: Window, ticket: Ticket) -> tuple:
    """The documented order, written out independently of the query."""
    starving = ticket.arrived_at <= NOW - hall_config(qh.hall).starvation
    if window.pk == qh.green.pk:
        groups = [ticket.urgent, starving, ticket.priority in Ticket.GREEN_CHANNEL, ticket.priority != ""]
    else:
        groups = [ticket.urgent, starving, ticket.priority != ""]
    group = next((position for position, member in enumerate(groups) if member), len(groups))
    return group, ticket.arrived_at, ticket.pk


def _call(qh: QueueHall, window: Window) -> Ticket | None:
    try:
        ticket = services.ticket_call_next(window=window, staff=qh.staff[window.number], now=NOW)
    except services.QueueError as error:
        assert error.code == "queue_empty"
        return None
    # Served at once: the window is free to call again.
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.DONE)
    return ticket


@DB
@given(tickets_spec, st.lists(st.sampled_from([1, 2, 3, 4]), max_size=12))
def test_every_call_takes_the_first_ticket_in_call_order_and_each_once(qh, spec, windows) -> None:
    with transaction.atomic():
        qh.sign_in_all(NOW)
        by_number = {w.number: w for w in (qh.comprehensive, qh.window_a, qh.window_b, qh.green)}
        waiting = {t.pk: t for t in _make(qh, spec)}
        called: list[int] = []
        for number in [*windows, *[1] * len(spec)]:  # then window 1 (comprehensive) calls the rest
            window = by_number[number]
            eligible = [t for t in waiting.values() if _eligible(qh, window, t)]
            ticket = _call(qh, window)
            if not eligible:
                assert ticket is None
                continue
            expected = min(eligible, key=lambda t: _rank(qh, window, t))
            assert ticket is not None and ticket.pk == expected.pk, (
                window.kind,
                [_rank(qh, window, t) for t in eligible],
            )
            called.append(waiting.pop(ticket.pk).pk)
        assert not waiting, "every ticket is called in the end"
        assert len(called) == len(set(called)) == len(spec), "no ticket is called twice"
        transaction.set_rollback(True)


@DB
@given(tickets_spec)
def test_the_position_shown_is_the_order_the_calls_keep(qh, spec) -> None:
    """``people_ahead`` (the ticket page, the SMS) for every waiting ticket equals the number of
    tickets of its queue that the hall's comprehensive window then calls before it."""
    with transaction.atomic():
        qh.sign_in_all(NOW)
        tickets = _make(qh, spec)
        shown = {t.pk: selectors.people_ahead(ticket=t, now=NOW) for t in tickets}
        order = [ticket.pk for ticket in iter(lambda: _call(qh, qh.comprehensive), None)]
        category = {t.pk: t.category_id for t in tickets}
        for t in tickets:
            ahead = order[: order.index(t.pk)]
            assert shown[t.pk] == sum(1 for pk in ahead if category[pk] == t.category_id), t.number
        transaction.set_rollback(True)
