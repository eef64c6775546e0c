"""A transfer racing the same person's ticket at the kiosk, with real threads on PostgreSQL: one
of them wins, the other is told, and the person never holds two tickets in one queue."""

from __future__ import annotations

import pytest
import time_machine

from queueing import services
from queueing.models import Ticket
from queueing.services import QueueError
from tests.concurrency import in_threads
from tests.markers import needs_postgres
from tests.queueing.factories import NOW, id_number, make_queue_hall

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_transfer_and_the_persons_kiosk_ticket_at_once_never_make_two_tickets() -> None:
    qh = make_queue_hall()
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    outcomes = set()
    for round_ in range(12):
        person = id_number("19900307", seq=f"{round_ + 1:03d}")
        mine = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", id_number=person).ticket
        called = services.ticket_call_specific(window=qh.window_a, ticket=mine, staff=qh.staff[2])

        def work(k: int, called: Ticket = called, person: str = person) -> str:
            if k == 0:
                try:
                    services.ticket_transfer(
                        window=qh.window_a, ticket=called, staff=qh.staff[2], reason="社保", category=qh.b
                    )
                except QueueError as exc:
                    assert exc.code == "already_in_queue" and exc.status == 409
                    return "refused"
                return "moved"
            issued = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", id_number=person)
            return "existing" if issued.existing else "issued"

        transfer, *issues = in_threads(4, work)
        outcomes.add(transfer)
        in_b = Ticket.objects.filter(category=qh.b, id_hash=called.id_hash, status__in=Ticket.ACTIVE)
        assert in_b.count() == 1
        called.refresh_from_db()
        if transfer == "moved":
            assert called.category_id == qh.b.pk and called.status == "waiting"
        else:
            assert called.category_id == qh.a.pk and called.status == "called" and "issued" in issues
            services.ticket_finish(window=qh.window_a, ticket=called, staff=qh.staff[2])
            continue
        # The window is free again for the next round.
        assert called.window_id is None
    assert outcomes <= {"moved", "refused"}
