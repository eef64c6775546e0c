"""The console's queue poll in real Chromium (issue 14): while nothing changes the poll is
answered 204 and htmx leaves the queue alone; a ticket issued meanwhile shows at a later poll,
which carries the new version."""

from __future__ import annotations

import pytest

from queueing import services
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_unchanged_poll(page) -> None:
    with page.expect_response(lambda r: "part=queue" in r.url and r.status == 204, timeout=10_000):
        pass


def test_the_queue_poll_keeps_the_queue_until_a_ticket_comes(live_server, page) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("POLL")
    open_around_the_clock(qh.hall)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "part=queue" in r.url else None)

    log_in(page, live_server.url, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    queue = page.locator("#console-queue")
    expect(queue).to_contain_text("A001")
    assert "v=" in (queue.get_attribute("hx-get") or "")
    # Nothing changes: the next poll is a 204 and the queue stays as it was.
    wait_for_unchanged_poll(page)
    expect(queue).to_contain_text("等候中（1 人）")
    first = queue.get_attribute("hx-get")

    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    expect(queue).to_contain_text("A002", timeout=10_000)
    expect(queue).to_contain_text("等候中（2 人）")
    assert queue.get_attribute("hx-get") != first  # the swapped queue carries its new version
    wait_for_unchanged_poll(page)
    assert 200 in statuses and 204 in statuses
