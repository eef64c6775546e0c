"""What cases adds to a hall's live dashboard (today's waits per item, forwardings) makes its
poll render again when it changes, and only then (issue 14, queueing.dashboard_poll)."""

from __future__ import annotations

import pytest
import time_machine

from cases import forwarding
from cases.models import TicketItem
from catalog.models import GuideVersion
from queueing.models import Ticket
from tests.cases.factories import D, at
from tests.cases.test_ticket_items import ticket
from tests.queueing.test_hall_dashboard_poll import LIVE, assert_renders_after, poll_region, seen_region

pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 11), tick=False):
        yield


def test_an_item_recorded_or_taken_back_renders_the_live_figures(client, world, commits) -> None:
    from cases import services

    t = ticket(world, 1, status=Ticket.Status.SERVING)
    client.force_login(world.supervisor)

    def record():
        return services.ticket_item_record(ticket=t, item=world.hukou, outcome="consultation", actor=world.clerk)

    assert_renders_after(client, world.city, commits, record)
    assert world.hukou.name in poll_region(client, world.city, LIVE).content.decode()
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: services.ticket_item_remove(record=TicketItem.objects.get(), actor=world.clerk),
    )


def test_a_case_received_from_a_ticket_renders_the_live_figures(client, world, commits) -> None:
    from cases.models import Case

    t = ticket(world, 1, status=Ticket.Status.SERVING)
    client.force_login(world.supervisor)
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: world.receive(
            world.hukou, now=at(TODAY, 11), window=world.window, ticket=t, channel=Case.Channel.WINDOW
        ),
    )
    assert TicketItem.objects.filter(ticket=t, case__isnull=False).exists()


def test_a_forwarding_sent_taken_over_or_returned_renders_both_halls(client, world, commits) -> None:
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    client.force_login(world.city_supervisor)
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)

    def forward():
        return forwarding.case_forward(
            case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="received_hall", now=at(TODAY, 10)
        )

    versions = {hall.pk: seen_region(client, hall, LIVE) for hall in (world.city, world.tianhe)}
    sent = commits(forward)
    for hall in (world.city, world.tianhe):
        assert poll_region(client, hall, LIVE, versions[hall.pk]).status_code == 200
    for hall in (world.city, world.tianhe):
        assert_renders_after(
            client,
            hall,
            commits,
            lambda sent=sent: forwarding.forwarding_return(
                forwarding=sent, actor=world.market_clerk, reason="不属本辖区"
            ),
        )
        case.refresh_from_db()
        sent = commits(forward)
    assert_renders_after(
        client, world.tianhe, commits, lambda: forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk)
    )


def test_a_case_received_by_mail_or_at_another_hall_keeps_the_204(client, world, commits) -> None:
    """Neither counts in the hall's waits per item nor moves a forwarding."""
    client.force_login(world.supervisor)
    version = seen_region(client, world.city, LIVE)
    commits(lambda: world.receive(world.hukou, now=at(TODAY, 10)))
    commits(lambda: world.receive(world.licence, now=at(TODAY, 10), actor=world.tianhe_clerk, hall=world.tianhe))
    assert poll_region(client, world.city, LIVE, version).status_code == 204
