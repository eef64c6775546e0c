"""The window console's queue actions in the audit trail (等保三级: who, what, when, from where):
each named by its action with the ticket's number (a transfer with its reason and target), and
not recorded a second time by the route fallback of ``AuditRequestMiddleware``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from queueing import services
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _post(client, url, data=None):
    return client.post(url, data or {}, headers={"HX-Request": "true"}, REMOTE_ADDR="10.1.2.3")


def _trail() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("pk"))


def test_every_console_action_is_recorded_once_by_name_with_the_ticket_number(client, qh, clock) -> None:
    clerk = qh.staff[2]
    client.force_login(clerk)
    first = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    second = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    third = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])  # the B queue has a window
    AuditEvent.objects.all().delete()

    window = qh.window_a.pk
    assert client.post(reverse("console-sign-in", args=[window]), REMOTE_ADDR="10.1.2.3").status_code == 302
    assert _post(client, reverse("console-call-next", args=[window])).status_code == 200
    for action in ("recall", "start", "finish"):
        assert _post(client, reverse("console-ticket-action", args=[window, first.pk, action])).status_code == 200
    assert _post(client, reverse("console-ticket-action", args=[window, second.pk, "call"])).status_code == 200
    clock.shift(dt.timedelta(minutes=3))  # past the wait before a no-show may be marked
    assert (
        _post(
            client, reverse("console-ticket-action", args=[window, second.pk, "no-show"]), {"confirm": "1"}
        ).status_code
        == 200
    )
    assert _post(client, reverse("console-ticket-action", args=[window, third.pk, "call"])).status_code == 200
    transfer = reverse("console-ticket-action", args=[window, third.pk, "transfer"])
    assert _post(client, transfer, {"category": qh.b.pk, "reason": "社保卡挂失"}).status_code == 200
    fourth = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    assert _post(client, reverse("console-grant", args=[window]), {"number": fourth.number, "reason": "行动不便"})

    trail = _trail()
    assert [event.action for event in trail] == [
        "window.sign_in",
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.finished",
        "ticket.called",
        "ticket.no_show",
        "ticket.called",
        "ticket.transferred",
        "ticket.priority_granted",
    ]  # and no "request" record from the route fallback
    assert all(event.actor == clerk and event.ip_address == "10.1.2.3" for event in trail)
    numbers = [event.details.get("number") for event in trail[1:]]
    assert numbers == ["A001"] * 4 + ["A002"] * 2 + ["A003"] * 2 + [fourth.number]
    assert all(event.details["number"] in event.summary for event in trail[1:])
    moved = trail[8]
    assert moved.details["reason"] == "社保卡挂失" and moved.details["to_category"] == "B"
    assert "社保卡挂失" in moved.summary and moved.target_type == "queueing.ticket"
    assert trail[0].target_type == "queueing.window" and trail[0].target_id == str(window)


def test_a_refused_console_action_falls_back_to_the_route_record(client, qh) -> None:
    client.force_login(qh.staff[2])
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    AuditEvent.objects.all().delete()
    assert _post(client, reverse("console-call-next", args=[qh.window_a.pk])).status_code == 409
    (event,) = _trail()
    assert event.action == "request" and event.summary == "POST console-call-next 409"


def test_the_action_codes_have_labels_the_audit_filter_can_tell_apart() -> None:
    from django.utils import translation

    from servicehall import audit_actions

    codes = {f"ticket.{kind}" for kind in services.AUDITED_TICKET_KINDS} | {"window.sign_in"}
    assert codes <= set(audit_actions.LABELS)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            shown = [label for _group, options in audit_actions.action_choices() for _code, label in options]
            repeated = sorted({label for label in shown if shown.count(label) > 1})
            assert not repeated, f"{language}: {repeated}"
    with translation.override("zh-hans"):
        assert audit_actions.action_label("case.received") == "办件：收件"
        assert audit_actions.action_label("bundle_case.received") == "一件事办件：收件"
        assert audit_actions.action_label("ticket.called") == "叫号"  # unambiguous: as it is
        assert audit_actions.action_label("case.received", qualified=False) == "收件"


def test_a_refused_ticket_action_is_recorded_with_the_action_it_was(client, qh, settings) -> None:
    settings.QUEUE = {**settings.QUEUE, "no_show_wait_seconds": 60}
    client.force_login(qh.staff[2])
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    AuditEvent.objects.all().delete()
    url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "no-show"])
    assert _post(client, url, {"confirm": "1"}).status_code == 409  # too soon after the call
    (event,) = _trail()
    assert event.action == "request" and event.summary == "POST console-ticket-action no-show 409"
    assert event.details["route_action"] == "no-show" and event.ip_address == "10.1.2.3"
