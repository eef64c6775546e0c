"""过号 in real Chromium: within the wait after the call the button is disabled with a hint
saying when it can be used, and static/js/console.js enables it when the wait ends (a recall
starting it again); then 过号 asks before it is done."""

from __future__ import annotations

import pytest

from queueing import services
from queueing.models import Ticket
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_no_show_button_waits_then_asks(live_server, page, settings, axe_check) -> None:
    from playwright.sync_api import expect

    # The live server runs in real time (it cannot be pinned): a short wait stands in for 60 s.
    settings.QUEUE = {**settings.QUEUE, "no_show_wait_seconds": 3}
    not_at_midnight()
    qh = make_queue_hall("NSW")
    open_around_the_clock(qh.hall)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket

    log_in(page, live_server.url, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator(".current-number")).to_have_text("A001")
    no_show = page.get_by_role("button", name="过号", exact=True)
    expect(no_show).to_be_disabled()
    expect(page.locator("#no-show-wait")).to_contain_text("叫号 3 秒后可标记过号")
    axe_check(page, "console with 过号 waiting")
    # The shortcut of the waiting button posts nothing and says why (walkthrough: it was silent).
    page.keyboard.press("x")
    note = page.locator("#console-panel > p.message[role=status]")
    expect(note).to_contain_text("叫号 3 秒后可标记过号")
    assert Ticket.objects.get(pk=ticket.pk).status == "called"
    expect(no_show).to_be_enabled(timeout=6_000)
    expect(page.locator("#no-show-wait")).to_have_count(0)

    # A recall starts the wait again, in the panel it swaps in.
    page.get_by_role("button", name="重新叫号").click()
    expect(page.locator("#console-panel")).to_contain_text("已重新叫号：A001")
    expect(no_show).to_be_disabled()
    expect(no_show).to_be_enabled(timeout=6_000)

    page.once("dialog", lambda dialog: dialog.accept())
    no_show.click()
    expect(page.locator("#console-panel")).to_contain_text("已标记过号：A001")
    assert Ticket.objects.get(pk=ticket.pk).status == "no_show"
    assert page.console_errors == []
