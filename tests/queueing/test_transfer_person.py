"""A transfer into a queue where the same person already holds a ticket (issue 8, bug 1): refused
with the other ticket's number, 409, and the ticket stays at the window; never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from queueing import services
from queueing.models import Ticket, TicketEvent
from queueing.services import QueueError
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}
PERSON = id_number("19900307")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(qh, category, **kwargs) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=category, source="kiosk", **kwargs).ticket


@pytest.fixture
def at_window(qh) -> tuple[Ticket, Ticket]:
    """The person's A ticket called at window 2; their B ticket waiting."""
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    qh.window_a.refresh_from_db()
    mine_a = issue(qh, qh.a, id_number=PERSON)
    mine_b = issue(qh, qh.b, id_number=PERSON)
    called = services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    assert called == mine_a
    return called, mine_b


def assert_still_at_the_window(qh, ticket: Ticket) -> None:
    ticket.refresh_from_db()
    assert (ticket.status, ticket.window_id, ticket.category_id) == ("called", qh.window_a.pk, qh.a.pk)
    assert ticket.transfer_count == 0 and not TicketEvent.objects.filter(kind="transferred").exists()


def test_the_service_refuses_naming_the_persons_other_ticket(qh, at_window) -> None:
    called, other = at_window
    with pytest.raises(QueueError) as refused:
        services.ticket_transfer(window=qh.window_a, ticket=called, staff=qh.staff[2], reason="社保", category=qh.b)
    error = refused.value
    assert (error.status, error.code, error.field) == (409, "already_in_queue", "category")
    assert str(error.message) == (
        f"该申请人在B类（社保业务）已有号码 {other.number}（等候中），不能重复转入；请先办理或取消该号码。"
    )
    assert_still_at_the_window(qh, called)


def test_the_other_ticket_being_served_elsewhere_is_named_with_its_state(qh, at_window) -> None:
    called, other = at_window
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    qh.window_b.refresh_from_db()
    assert services.ticket_call_next(window=qh.window_b, staff=qh.staff[3]) == other
    with pytest.raises(QueueError, match=f"{other.number}（已叫号）"):
        services.ticket_transfer(window=qh.window_a, ticket=called, staff=qh.staff[2], reason="社保", category=qh.b)


def test_a_ticket_taken_between_the_check_and_the_update_is_caught_by_the_constraint(
    qh, at_window, monkeypatch
) -> None:
    """Lost race: the check under the lock saw nothing (the person's B ticket was being issued at
    the kiosk); the unique index refuses the update and the same message comes back."""
    called, other = at_window
    real = services._active_ticket
    seen: list[int] = []

    def blind_first(**kwargs):
        seen.append(1)
        return None if len(seen) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "_active_ticket", blind_first)
    with pytest.raises(QueueError) as refused:
        services.ticket_transfer(window=qh.window_a, ticket=called, staff=qh.staff[2], reason="社保", category=qh.b)
    assert refused.value.status == 409 and other.number in str(refused.value.message)
    assert len(seen) == 2
    assert_still_at_the_window(qh, called)


def test_a_transfer_to_another_window_of_the_same_queue_is_not_a_duplicate(qh, at_window) -> None:
    called, _other = at_window
    moved = services.ticket_transfer(
        window=qh.window_a, ticket=called, staff=qh.staff[2], reason="综合窗口办理", target_window=qh.comprehensive
    )
    assert moved.status == "waiting" and moved.category_id == qh.a.pk and moved.target_window_id == qh.comprehensive.pk


def test_after_the_other_ticket_is_done_the_transfer_goes_through(qh, at_window) -> None:
    called, other = at_window
    services.ticket_cancel(ticket=other)
    moved = services.ticket_transfer(window=qh.window_a, ticket=called, staff=qh.staff[2], reason="社保", category=qh.b)
    assert moved.status == "waiting" and moved.category_id == qh.b.pk


def test_the_console_shows_the_refusal_in_its_status_region_with_409(client, qh, at_window) -> None:
    called, other = at_window
    client.force_login(qh.staff[2])
    url = reverse("console-ticket-action", args=[qh.window_a.pk, called.pk, "transfer"])

    response = client.post(url, {"category": qh.b.pk, "reason": "社保"}, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 409 and response["X-Console-Panel"] == "1"
    assert body.lstrip().startswith('<div id="console-panel"')
    assert f'role="alert">该申请人在B类（社保业务）已有号码 {other.number}（等候中）' in body
    # The transfer form stays open with the choice made and the refusal beside the field.
    assert '<details class="transfer" open>' in body and f'<option value="{qh.b.pk}" selected>' in body
    assert '<p class="current-number" aria-live="polite">A001</p>' in body
    assert_still_at_the_window(qh, called)


def test_without_javascript_the_console_redirects_with_the_message(client, qh, at_window) -> None:
    called, other = at_window
    client.force_login(qh.staff[2])
    url = reverse("console-ticket-action", args=[qh.window_a.pk, called.pk, "transfer"])
    response = client.post(url, {"category": qh.b.pk, "reason": "社保"}, follow=True)
    assert response.status_code == 200 and f"已有号码 {other.number}" in response.content.decode()
    assert_still_at_the_window(qh, called)


def test_the_api_answers_409_with_the_message_on_the_category(client, qh, at_window) -> None:
    called, other = at_window
    client.force_login(qh.staff[2])
    response = client.post(
        f"/api/v1/windows/{qh.window_a.pk}/tickets/{called.pk}/transfer/",
        {"reason": "社保", "category": "B"},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_in_queue" and other.number in body["errors"]["category"][0]
    assert_still_at_the_window(qh, called)


def test_a_transfer_into_the_tickets_own_queue_is_refused(qh, at_window) -> None:
    # Walkthrough: A to A was accepted, counted as a transfer and sent the ticket back to wait.
    called, _other = at_window
    with pytest.raises(QueueError) as refused:
        services.ticket_transfer(window=qh.window_a, ticket=called, staff=qh.staff[2], reason="重新排队", category=qh.a)
    assert (refused.value.field, refused.value.status, refused.value.code) == ("category", 409, "same_category")
    assert str(refused.value.message) == "该号码已在A类，请选择其他类别，或转至本大厅的其他窗口。"
    assert_still_at_the_window(qh, called)
