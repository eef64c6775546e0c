"""The hall's live queue page on a phone: a poll answered 204 (nothing the page shows changed,
whatever the snapshot's rebuilds) leaves the page as it is and moves the time it says the data
was updated to the server's time of that answer (static/js/portal.js); a poll after a change
swaps the region in. Real Chromium, real htmx, the live server's answers."""

from __future__ import annotations

import re

import pytest

from queueing import services
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = """() => new Promise((resolve) => {
    const region = document.querySelector('#hall-queue');
    htmx.ajax('GET', region.getAttribute('hx-get'), {source: region, target: region, swap: 'outerHTML'})
        .then(() => resolve(true));
})"""


def test_a_poll_with_nothing_changed_keeps_the_page_and_moves_the_time_shown(live_server, browser) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("HQPOLL")
    open_around_the_clock(qh.hall)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/halls/HQPOLL/queue/")
    expect(page.locator(".result-count")).to_contain_text("现有 1 人等候")
    shown = page.locator("[data-poll-checked]")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", shown.inner_text())

    # Marked, so that a swap would show: the 204 keeps this very element.
    page.evaluate("document.querySelector('[data-poll-checked]').textContent = '00:00:00'")
    page.evaluate("document.querySelector('#hall-queue').dataset.kept = 'yes'")
    with page.expect_response(lambda r: "/halls/HQPOLL/queue/?v=" in r.url) as answer:
        page.evaluate(POLL)
    assert answer.value.status == 204
    expect(shown).not_to_have_text("00:00:00")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", shown.inner_text())
    assert page.locator("#hall-queue").get_attribute("data-kept") == "yes"

    # Something the page shows changed: the next poll swaps the region in.
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk")
    with page.expect_response(lambda r: "/halls/HQPOLL/queue/?v=" in r.url) as answer:
        page.evaluate(POLL)
    assert answer.value.status == 200
    expect(page.locator(".result-count")).to_contain_text("现有 2 人等候")
    assert page.locator("#hall-queue").get_attribute("data-kept") is None
    assert errors == []
    context.close()
