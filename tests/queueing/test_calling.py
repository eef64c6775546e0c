"""The window actions and the call order."""

from __future__ import annotations

import datetime as dt

import pytest

from queueing import services
from queueing.models import Ticket, TicketEvent
from queueing.services import QueueError
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


def issue(qh, category=None, at=NOW, **kwargs) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk", now=at, **kwargs).ticket


def call(qh, window, at=NOW) -> Ticket:
    return services.ticket_call_next(window=window, staff=qh.staff[window.number], now=at)


def finish(qh, window, ticket, at=NOW) -> None:
    services.ticket_finish(window=window, ticket=ticket, staff=qh.staff[window.number], now=at)


def test_arrival_order_within_a_queue(qh) -> None:
    qh.sign_in_all()
    first, second = issue(qh, at=NOW), issue(qh, at=NOW + MIN)
    assert call(qh, qh.window_a, NOW + 2 * MIN) == first
    finish(qh, qh.window_a, first, NOW + 3 * MIN)
    assert call(qh, qh.window_a, NOW + 4 * MIN) == second


def test_green_channel_and_checked_in_appointments_go_first(qh) -> None:
    qh.sign_in_all()
    normal = issue(qh, at=NOW)
    elderly = issue(qh, at=NOW + MIN, id_number=id_number("19500101"))
    appointment = issue(qh, at=NOW + 2 * MIN, priority="appointment")
    assert elderly.number.startswith("V") and appointment.number.startswith("Y")
    order = []
    for k in range(3):
        ticket = call(qh, qh.window_a, NOW + (3 + 2 * k) * MIN)
        order.append(ticket.number)
        finish(qh, qh.window_a, ticket, NOW + (4 + 2 * k) * MIN)
    assert order == [elderly.number, appointment.number, normal.number]


def test_an_appointment_is_never_called_before_its_slot(qh) -> None:
    qh.sign_in_all()
    early = issue(qh, at=NOW, priority="appointment", not_before=NOW + 30 * MIN)
    normal = issue(qh, at=NOW + MIN)
    assert call(qh, qh.window_a, NOW + 2 * MIN) == normal
    finish(qh, qh.window_a, normal, NOW + 3 * MIN)
    with pytest.raises(QueueError) as excinfo:
        call(qh, qh.window_a, NOW + 4 * MIN)
    assert excinfo.value.code == "queue_empty"
    assert call(qh, qh.window_a, NOW + 30 * MIN) == early


def test_starvation_guard_calls_a_long_waiting_normal_ticket_before_priority(qh) -> None:
    qh.sign_in_all()
    patient = issue(qh, at=NOW)
    for k in range(3):
        issue(qh, at=NOW + (40 + k) * MIN, id_number=id_number("19500101", seq=f"{k + 10:03d}"))
    # At 44 minutes the priority tickets still go first; at 46 the 45-minute guard lets the
    # normal ticket through.
    first = call(qh, qh.window_a, NOW + 44 * MIN)
    assert first.priority == "elderly"
    finish(qh, qh.window_a, first, NOW + 45 * MIN)
    assert call(qh, qh.window_a, NOW + 46 * MIN) == patient


def test_comprehensive_windows_serve_every_category_specialised_only_theirs(qh) -> None:
    qh.sign_in_all()
    b_ticket = issue(qh, qh.b, at=NOW)
    with pytest.raises(QueueError, match="没有等候"):
        call(qh, qh.window_a, NOW + MIN)
    assert call(qh, qh.comprehensive, NOW + MIN) == b_ticket


def test_green_channel_window_takes_green_tickets_of_any_category_first(qh) -> None:
    qh.sign_in_all()
    a_ticket = issue(qh, at=NOW)
    green_b = issue(qh, qh.b, at=NOW + MIN, id_number=id_number("19500101"))
    assert call(qh, qh.green, NOW + 2 * MIN) == green_b
    finish(qh, qh.green, green_b, NOW + 3 * MIN)
    assert call(qh, qh.green, NOW + 4 * MIN) == a_ticket


def test_the_full_life_of_a_ticket_is_in_its_events(qh) -> None:
    qh.sign_in_all()
    ticket = issue(qh)
    staff, window = qh.staff[2], qh.window_a
    ticket = services.ticket_call_next(window=window, staff=staff, now=NOW + MIN)
    ticket = services.ticket_recall(window=window, ticket=ticket, staff=staff, now=NOW + 2 * MIN)
    ticket = services.ticket_start(window=window, ticket=ticket, staff=staff, now=NOW + 3 * MIN)
    ticket = services.ticket_finish(window=window, ticket=ticket, staff=staff, now=NOW + 9 * MIN)
    assert ticket.status == "done" and ticket.call_count == 2
    assert (ticket.called_at, ticket.started_at, ticket.finished_at) == (NOW + MIN, NOW + 3 * MIN, NOW + 9 * MIN)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "window__number", "staff__username"))
    assert kinds == [
        ("issued", None, None),
        ("called", 2, staff.username),
        ("recalled", 2, staff.username),
        ("started", 2, staff.username),
        ("finished", 2, staff.username),
    ]


def test_no_show(qh) -> None:
    qh.sign_in_all()
    issue(qh)
    ticket = call(qh, qh.window_a, NOW + MIN)
    ticket = services.ticket_no_show(window=qh.window_a, ticket=ticket, staff=qh.staff[2], now=NOW + 3 * MIN)
    assert ticket.status == "no_show"
    with pytest.raises(QueueError, match="没有等候"):
        call(qh, qh.window_a, NOW + 4 * MIN)


def test_transfer_keeps_the_original_arrival_time(qh) -> None:
    qh.sign_in_all()
    early = issue(qh, at=NOW)
    later_b = issue(qh, qh.b, at=NOW + 5 * MIN)
    ticket = call(qh, qh.window_a, NOW + 10 * MIN)
    assert ticket == early
    moved = services.ticket_transfer(
        window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="社保业务", category=qh.b, now=NOW + 12 * MIN
    )
    assert (moved.status, moved.category, moved.number, moved.arrived_at) == ("waiting", qh.b, "A001", NOW)
    # It arrived before B001, so window 3 calls it first.
    assert call(qh, qh.window_b, NOW + 13 * MIN) == early
    event = TicketEvent.objects.get(ticket=early, kind="transferred")
    assert event.reason == "社保业务" and event.data["to_category"] == "B"
    assert later_b.status == "waiting"


def test_transfer_to_a_window_only_that_window_calls_it(qh) -> None:
    qh.sign_in_all()
    ticket = issue(qh)
    ticket = call(qh, qh.window_a, NOW + MIN)
    services.ticket_transfer(
        window=qh.window_a,
        ticket=ticket,
        staff=qh.staff[2],
        reason="需综合窗口",
        target_window=qh.comprehensive,
        now=NOW + 2 * MIN,
    )
    with pytest.raises(QueueError, match="没有等候"):
        call(qh, qh.window_a, NOW + 3 * MIN)
    assert call(qh, qh.comprehensive, NOW + 3 * MIN) == ticket


def test_transfer_needs_a_reason_and_one_destination(qh) -> None:
    qh.sign_in_all()
    issue(qh)
    ticket = call(qh, qh.window_a, NOW + MIN)
    with pytest.raises(QueueError, match="原因"):
        services.ticket_transfer(window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason=" ", category=qh.b)
    with pytest.raises(QueueError, match="二选一"):
        services.ticket_transfer(
            window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="x", category=qh.b, target_window=qh.window_b
        )


def test_call_a_specific_ticket_out_of_order(qh) -> None:
    qh.sign_in_all()
    issue(qh, at=NOW)
    second = issue(qh, at=NOW + MIN)
    called = services.ticket_call_specific(window=qh.window_a, ticket=second, staff=qh.staff[2], now=NOW + 2 * MIN)
    assert called == second and called.status == "called"
    assert TicketEvent.objects.get(ticket=second, kind="called").data == {"out_of_order": True}


def test_a_window_holds_one_ticket_at_a_time(qh) -> None:
    qh.sign_in_all()
    issue(qh)
    issue(qh)
    call(qh, qh.window_a, NOW + MIN)
    with pytest.raises(QueueError) as excinfo:
        call(qh, qh.window_a, NOW + 2 * MIN)
    assert excinfo.value.code == "window_busy" and "A001" in str(excinfo.value.message)


def test_only_the_signed_in_staff_member_calls(qh) -> None:
    issue(qh)
    with pytest.raises(QueueError) as excinfo:
        call(qh, qh.window_a)
    assert excinfo.value.code == "window_closed"
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=NOW)
    with pytest.raises(QueueError) as excinfo:
        services.ticket_call_next(window=qh.window_a, staff=qh.staff[3], now=NOW)
    assert excinfo.value.code == "not_signed_in"


def test_signing_in_elsewhere_moves_the_staff_member(qh) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=NOW)
    services.window_sign_in(window=qh.window_b, staff=qh.staff[2], now=NOW)
    qh.window_a.refresh_from_db()
    qh.window_b.refresh_from_db()
    assert (qh.window_a.staff, qh.window_a.is_open) == (None, False)
    assert (qh.window_b.staff, qh.window_b.is_open) == (qh.staff[2], True)
    with pytest.raises(QueueError) as excinfo:
        services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW)
    assert excinfo.value.code == "window_taken"


def test_lost_race_a_ticket_changed_meanwhile_is_refused_not_overwritten(qh) -> None:
    qh.sign_in_all()
    issue(qh)
    ticket = call(qh, qh.window_a, NOW + MIN)
    # Another request marks it no-show first; this one still holds the old object.
    Ticket.objects.filter(pk=ticket.pk).update(status="no_show")
    with pytest.raises(QueueError) as excinfo:
        services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2], now=NOW + 2 * MIN)
    assert excinfo.value.code == "stale" and "过号" in str(excinfo.value.message)
    assert Ticket.objects.get(pk=ticket.pk).status == "no_show"


def test_staff_can_grant_the_green_channel_with_a_reason(qh) -> None:
    qh.sign_in_all()
    normal = issue(qh, at=NOW)
    later = issue(qh, at=NOW + MIN)
    granted = services.ticket_grant_priority(
        window=qh.window_a, ticket=later, staff=qh.staff[2], reason="行动不便", now=NOW + 2 * MIN
    )
    assert granted.priority == "staff_granted" and granted.number == later.number
    assert call(qh, qh.window_a, NOW + 3 * MIN) == later
    assert normal.status == "waiting"


def test_expiry_at_closing(qh) -> None:
    from servicehall.clock import SHANGHAI

    waiting = issue(qh, at=NOW)
    qh.sign_in_all()
    called = issue(qh, at=NOW)
    ticket = call(qh, qh.window_a, NOW + MIN)
    assert ticket in (waiting, called)
    assert services.tickets_expire(now=dt.datetime(2026, 11, 26, 16, 59, tzinfo=SHANGHAI)) == 0
    assert services.tickets_expire(now=dt.datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI)) == 2
    assert set(Ticket.objects.values_list("status", flat=True)) == {"expired"}
    assert TicketEvent.objects.filter(kind="expired").count() == 2
    assert services.tickets_expire(now=dt.datetime(2026, 11, 26, 17, 5, tzinfo=SHANGHAI)) == 0


def test_a_call_reads_and_writes_a_fixed_number_of_rows(qh, django_assert_num_queries) -> None:
    """Lock the window, check its counter is free, lock the first callable ticket (with its
    category), claim it, record the event and the audit record: six statements (and the
    savepoint the test's own transaction puts around the service's), however long the queue."""
    qh.sign_in_all()
    for _ in range(40):
        issue(qh)
    finish(qh, qh.window_a, call(qh, qh.window_a))  # the hall's settings are remembered after a first call
    with django_assert_num_queries(8):
        ticket = call(qh, qh.window_a)
    # What it answers is what the database now holds.
    stored = Ticket.objects.select_related("category").get(pk=ticket.pk)
    for name in ("status", "window_id", "staff_id", "called_at", "call_count", "category_id", "number", "id_masked"):
        assert getattr(ticket, name) == getattr(stored, name), name
    assert (ticket.number, ticket.call_count, ticket.category.letter) == ("A002", 1, "A")


def test_a_ticket_called_just_before_closing_is_kept_for_its_person_on_the_way(qh) -> None:
    """Called at 16:58, the person walking to the counter: the closing run at 17:00 expires the
    waiting ticket only, the window stays open for the called one (Art. 10 ¶2); fifteen minutes
    after the call, nobody having come, it expires and the window closes."""
    from servicehall.clock import SHANGHAI

    qh.sign_in_all()
    called, waiting = issue(qh, at=NOW), issue(qh, at=NOW)
    at_closing = dt.datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI)
    assert call(qh, qh.window_a, at_closing - 2 * MIN) == called
    assert services.tickets_expire(now=at_closing) == 1
    services.windows_close_after_hours(now=at_closing)
    called.refresh_from_db()
    waiting.refresh_from_db()
    assert (called.status, waiting.status) == ("called", "expired")
    qh.window_a.refresh_from_db()
    assert qh.window_a.is_open
    assert services.tickets_expire(now=at_closing + 10 * MIN) == 0
    assert services.tickets_expire(now=at_closing + 14 * MIN) == 1
    services.windows_close_after_hours(now=at_closing + 14 * MIN)
    called.refresh_from_db()
    qh.window_a.refresh_from_db()
    assert called.status == "expired" and not qh.window_a.is_open
