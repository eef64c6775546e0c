"""Taking a ticket refused for its input names every wrong field at once, and checks the ID
number before saying the hall is closed (walkthrough finding 3)."""

from __future__ import annotations

import pytest
import time_machine

from queueing import services
from queueing.models import Ticket
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db

BAD_ID = "110105199003070021"  # the right shape, a wrong check character


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(client, qh, **data):
    return client.post(f"/api/v1/halls/{qh.hall.code}/tickets/", data, content_type="application/json")


def test_priority_id_number_and_an_unknown_queue_are_named_together(client, qh) -> None:
    response = issue(client, qh, category="A", id_number="123", priority="vip")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"id_number", "priority"}
    # A queue the hall does not have is a wrong field like the others: one 400 naming them all.
    response = issue(client, qh, category="Z", id_number="123", priority="vip")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    errors = response.json()["errors"]
    assert set(errors) == {"category", "id_number", "priority"}
    assert errors["category"] == ["本大厅没有该排队类别。"]
    # Alone, an unknown queue is the 400 naming the field.
    alone = issue(client, qh, category="Z")
    assert alone.status_code == 400 and alone.json() == {
        "detail": "本大厅没有该排队类别。",
        "code": "invalid",
        "errors": {"category": ["本大厅没有该排队类别。"]},
    }
    assert Ticket.objects.count() == 0


def test_a_bad_id_number_is_a_400_even_while_the_hall_is_closed(client, qh, clock) -> None:
    clock.move_to(NOW.replace(hour=20))
    response = issue(client, qh, category="A", id_number=BAD_ID)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"id_number"}
    # The green channel without an ID number is refused before the hours, too.
    response = issue(client, qh, category="A", priority="disabled")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"id_number"}
    # Only a request that is otherwise valid learns that the hall is closed.
    closed = issue(client, qh, category="A", id_number=id_number("19900307"))
    assert closed.status_code == 409 and closed.json()["code"] == "hall_closed"


def test_the_service_names_every_independent_field_before_the_hours(qh, clock) -> None:
    clock.move_to(NOW.replace(hour=20))
    with pytest.raises(services.QueueError) as refused:
        services.ticket_issue(hall=qh.hall, category=qh.a, source="nowhere", id_number=BAD_ID, priority="staff_granted")
    assert refused.value.status == 400
    assert set(refused.value.field_errors()) == {"source", "priority", "id_number"}
