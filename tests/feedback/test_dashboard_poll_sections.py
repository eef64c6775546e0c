"""What feedback adds to a hall's live dashboard ("办不成事" reports, rectification orders and
satisfaction) makes its poll render again when it changes, and only then (issue 14,
queueing.dashboard_poll)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from feedback import rectification, reports, rollup_ratings
from feedback.models_ratings import RectificationOrder
from tests.feedback.ratings_world import D, at, rate_ticket
from tests.feedback.reports_world import register, report_world
from tests.queueing.test_hall_dashboard_poll import LIVE, assert_renders_after, poll_region, seen_region

pytestmark = pytest.mark.django_db
NOW = at(D(2026, 11, 26), 11)  # a Thursday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    return report_world()


def test_every_step_of_a_report_renders_the_live_figures(client, world, commits) -> None:
    client.force_login(world.supervisor)
    report = None

    def registered():
        nonlocal report
        report = register(world, now=NOW)

    assert_renders_after(client, world.city, commits, registered)
    assert report is not None
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: reports.report_assign(report=report, actor=world.supervisor, departments=[world.police]),
    )
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: reports.report_resolve(
            report=report, actor=world.police_chief, resolution="已办理。", matter_done=True
        ),
    )
    # A report at another hall leaves this one's figures alone.
    version = seen_region(client, world.city, LIVE)
    commits(lambda: register(world, now=NOW, online=True, hall=world.tianhe))
    assert poll_region(client, world.city, LIVE, version).status_code == 204


def test_a_report_turning_red_renders_the_live_figures(client, world, commits, settings) -> None:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.LogBackend"
    register(world, now=at(D(2026, 9, 21)), tried_on=D(2026, 9, 21))  # long past its deadline
    client.force_login(world.supervisor)
    assert_renders_after(client, world.city, commits, lambda: reports.report_flags_run(now=NOW))
    page = poll_region(client, world.city, LIVE).content.decode()
    assert 'data-figure="reports-red"><a' in page
    # Nothing turned: the 204 stands.
    version = seen_region(client, world.city, LIVE)
    commits(lambda: reports.report_flags_run(now=NOW))
    assert poll_region(client, world.city, LIVE, version).status_code == 204


def test_a_rectification_order_opened_verified_and_overdue_renders_the_live_figures(client, world, commits) -> None:
    client.force_login(world.supervisor)
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: rate_ticket(world, "very_dissatisfied", finished_at=NOW - dt.timedelta(hours=1)),
    )
    order = RectificationOrder.objects.get()
    assert_renders_after(
        client,
        world.city,
        commits,
        lambda: rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="属实"),
    )
    assert_renders_after(
        client, world.city, commits, lambda: rectification.orders_flag_overdue(now=NOW + dt.timedelta(days=14))
    )


def test_the_satisfaction_roll_up_renders_the_live_figures(client, world, commits) -> None:
    client.force_login(world.supervisor)
    version = seen_region(client, world.city, LIVE)
    # A good rating is counted by the next roll-up, not before.
    commits(lambda: rate_ticket(world, "satisfied", finished_at=NOW - dt.timedelta(hours=1)))
    assert poll_region(client, world.city, LIVE, version).status_code == 204
    commits(lambda: rollup_ratings.satisfaction_rollup(month=NOW.date()))
    response = poll_region(client, world.city, LIVE, version)
    assert response.status_code == 200 and "100.0%" in response.content.decode()
