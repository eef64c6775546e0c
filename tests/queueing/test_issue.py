"""Taking a ticket: numbers, the green channel, one waiting ticket per person, closed halls."""

from __future__ import annotations

import datetime as dt

import pytest

from queueing import services
from queueing.models import Ticket, TicketEvent
from queueing.services import QueueError
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db


def issue(qh, category=None, **kwargs):
    return services.ticket_issue(
        hall=qh.hall, category=category or qh.a, source="kiosk", now=kwargs.pop("now", NOW), **kwargs
    )


def test_numbers_count_per_category_and_day(qh) -> None:
    assert [issue(qh).ticket.number for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(qh, qh.b).ticket.number == "B001"
    tomorrow = NOW + dt.timedelta(days=1)
    assert issue(qh, now=tomorrow).ticket.number == "A001"


def test_a_ticket_records_its_issue_event_and_an_unguessable_token(qh) -> None:
    ticket = issue(qh).ticket
    assert len(ticket.token) >= 24 and ticket.token != issue(qh).ticket.token
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.kind == "issued" and event.data == {"source": "kiosk", "priority": ""}
    assert (ticket.issued_at, ticket.arrived_at, ticket.service_date) == (NOW, NOW, NOW.date())


def test_sixty_and_over_get_the_green_channel_from_their_id_number(qh) -> None:
    old = issue(qh, id_number=id_number("19600101")).ticket
    assert old.priority == "elderly" and old.number == "VA001"
    young = issue(qh, id_number=id_number("19900307")).ticket
    assert young.priority == "" and young.number == "A002"
    assert young.id_masked.startswith("1101") and young.id_masked.count("*") == 10
    assert "19900307" not in young.id_masked


def test_green_channel_needs_an_id_number_and_the_age(qh) -> None:
    with pytest.raises(QueueError) as excinfo:
        issue(qh, priority="disabled")
    assert excinfo.value.field == "id_number"
    with pytest.raises(QueueError, match="60周岁"):
        issue(qh, priority="elderly", id_number=id_number("19900307"))
    ticket = issue(qh, priority="pregnant", id_number=id_number("19950101")).ticket
    assert ticket.number.startswith("VA")
    with pytest.raises(QueueError, match="工作人员"):
        issue(qh, priority="staff_granted", id_number=id_number("19950102"))


def test_a_second_ticket_for_the_same_person_and_queue_shows_the_first(qh) -> None:
    person = id_number("19900307")
    first = issue(qh, id_number=person)
    again = issue(qh, id_number=person)
    assert again.existing and again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1
    other_queue = issue(qh, qh.b, id_number=person)
    assert not other_queue.existing
    services.ticket_cancel(ticket=first.ticket, now=NOW)
    assert not issue(qh, id_number=person).existing


def test_the_id_number_is_never_stored_whole(qh) -> None:
    person = id_number("19900307")
    ticket = issue(qh, id_number=person).ticket
    stored = [str(v) for v in Ticket.objects.filter(pk=ticket.pk).values().get().values()]
    assert not any(person in value for value in stored)


def test_invalid_id_number_is_a_field_error(qh) -> None:
    with pytest.raises(QueueError) as excinfo:
        issue(qh, id_number="110105199003070021")
    assert excinfo.value.field == "id_number" and "校验位" in str(excinfo.value.message)


@pytest.mark.parametrize(
    ("moment", "next_opening"),
    [
        (dt.datetime(2026, 11, 26, 8, 0), "2026-11-26 09:00"),
        (dt.datetime(2026, 11, 26, 17, 30), "2026-11-27 09:00"),
        (dt.datetime(2026, 11, 28, 10, 0), "2026-11-30 09:00"),
        (dt.datetime(2026, 10, 2, 10, 0), "2026-10-08 09:00"),
    ],
)
def test_a_closed_hall_says_when_it_opens_next(qh, moment, next_opening) -> None:
    from servicehall.clock import SHANGHAI

    with pytest.raises(QueueError) as excinfo:
        issue(qh, now=moment.replace(tzinfo=SHANGHAI))
    assert excinfo.value.code == "hall_closed" and excinfo.value.status == 409
    assert next_opening in str(excinfo.value.message)
    assert not Ticket.objects.exists()


def test_tickets_can_be_taken_during_the_lunch_break(qh) -> None:
    from servicehall.clock import SHANGHAI

    assert issue(qh, now=dt.datetime(2026, 11, 26, 12, 30, tzinfo=SHANGHAI)).ticket.number == "A001"


def test_a_category_of_another_hall_is_refused(qh) -> None:
    from tests.queueing.factories import make_queue_hall

    other = make_queue_hall("OT")
    with pytest.raises(QueueError) as excinfo:
        services.ticket_issue(hall=qh.hall, category=other.a, source="kiosk", now=NOW)
    assert excinfo.value.field == "category"
