"""The supervisors' overview in Chromium: its poll is answered 204 while nothing changed, and a
change in the hall comes back rendered, with a new version that the next poll sends (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from queueing import services
from tests.browser.test_console_dashboard import enrolled_supervisor, log_in
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def start_of_a_minute():
    """A version stands until the next minute: start at the top of one (a few seconds ahead of
    the real clock, so the browser's cookies stay valid), leaving the test a minute."""
    now = timezone.now()
    with time_machine.travel(now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1), tick=True):
        yield


def test_the_overview_poll_keeps_the_region_until_something_changes(live_server, browser) -> None:
    qh = make_queue_hall("POLL")
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    enrolled_supervisor("poll-supervisor")
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, "poll-supervisor")
    page.goto(f"{base}/supervisor/")
    region = page.locator("#overview-live")
    expect(region).to_contain_text("正在等候 1 人")

    def poll() -> int:
        # The region polls every 15 s and when the tab is shown again: the latter, now.
        with page.expect_response(lambda r: "/supervisor/" in r.url and r.request.method == "GET") as answer:
            page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        return answer.value.status

    assert poll() == 204
    expect(region).to_contain_text("正在等候 1 人")  # kept as it was
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    assert poll() == 200
    expect(region).to_contain_text("正在等候 2 人")
    assert page.locator("#overview-live").count() == 1  # swapped whole, not nested
    # The region now carries the new version: unchanged again, 204 again.
    assert poll() == 204
    expect(region).to_contain_text("正在等候 2 人")


def test_a_halls_live_figures_keep_their_region_until_something_changes(live_server, browser) -> None:
    qh = make_queue_hall("POLLH")
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    enrolled_supervisor("poll-hall-supervisor")
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, "poll-hall-supervisor")
    page.goto(f"{base}/supervisor/halls/{qh.hall.code}/")
    live, controls = page.locator("#hall-live"), page.locator("#hall-controls")
    expect(live).to_contain_text("正在等候 1 人")

    # A closed window's form offers the clerks with nothing chosen (its first option shown):
    # that is not a supervisor's unsent choice, and must not hold the controls' poll back.
    expect(controls.locator("select[name=clerk]").first).to_be_attached()

    def poll() -> dict[str, int]:
        """The live region's and the controls' answers to the "visibilitychange" trigger."""
        answers: dict[str, int] = {}

        def seen(response) -> None:
            target = response.request.headers.get("hx-target")
            if target in ("hall-live", "hall-controls"):
                answers[target] = response.status

        page.on("response", seen)
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.wait_for_timeout(1500)
        page.remove_listener("response", seen)
        return answers

    assert poll() == {"hall-live": 204, "hall-controls": 204}
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    assert poll() == {"hall-live": 200, "hall-controls": 200}
    expect(live).to_contain_text("正在等候 2 人")
    assert page.locator("#hall-live").count() == 1 and page.locator("#hall-controls").count() == 1
    assert poll() == {"hall-live": 204, "hall-controls": 204}
    expect(controls).to_contain_text("窗口开关")
    # A clerk chosen and not yet sent holds the controls' poll (the choice would be thrown away).
    controls.locator("select[name=clerk]").first.evaluate("s => { s.selectedIndex = 1; }")
    assert poll() == {"hall-live": 204}


def test_the_overview_fits_a_phone_with_a_hall_closed_today(live_server, browser) -> None:
    """Walkthrough: at 375 px the overview was 931 px wide, the hidden "今日不开放" of a closed
    hall's row (position: absolute) escaping the table's scrolled box; only the table scrolls."""
    from catalog.models import HallOpeningHours
    from queueing.models import QueueCategory
    from tests.catalog import factories

    qh = make_queue_hall("WIDE")
    shut = factories.hall(code="SHUT", name="今日不开放的大厅")
    HallOpeningHours.objects.filter(hall=shut).delete()
    QueueCategory.objects.create(hall=shut, letter="A", name="综合业务")
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    enrolled_supervisor("phone-supervisor")
    page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}).new_page()
    log_in(page, live_server.url, "phone-supervisor")
    page.goto(f"{live_server.url}/supervisor/")
    expect(page.locator("#overview-live")).to_contain_text("今日不开放的大厅")
    assert page.locator("#overview-live .visually-hidden", has_text="今日不开放").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the overview is {width}px wide on a 375px phone"
