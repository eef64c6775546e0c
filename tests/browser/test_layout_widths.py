"""Pages fit their screens in both languages (issue 8 walkthrough): at 360 px the English hall
list (501 px), a guide's materials (503 px), the printed guide (464 px) and a hall's queue
(420 px) scrolled sideways; at 1366 px the supervisors' overview cut off its alerts column.
Real Chromium over the demo data, with an accessibility scan of each narrow page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog import demo_data
from servicehall import twofactor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PAGES = (
    "/halls/",
    "/halls/GZ-CITY/",
    "/halls/GZ-CITY/queue/",
    "/guides/0100201001/",  # six materials, one with a long English note
    "/guides/0600501001/",
    "/guides/0100201001/print/",
    "/guides/0100202001/print/",
)
# Where something sticks out: the first few elements of <main> wider than the screen.
STICKING_OUT = """(width) => [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .slice(0, 3).map((e) => `${e.tagName}.${e.className}`)"""


def context_in(browser, base: str, language: str, viewport: dict):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.add_cookies([{"name": "servicehall_language", "value": language, "url": base}])
    return context


@pytest.fixture
def demo(db):
    call_command("load_demo", "--no-calendar", verbosity=0)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_pages_fit_a_360px_phone(live_server, browser, axe_check, demo, language) -> None:
    context = context_in(browser, live_server.url, language, PHONE)
    page = context.new_page()
    for path in PAGES:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang").startswith("en" if language == "en" else "zh")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} in {language} is {width}px wide: {page.evaluate(STICKING_OUT, 360)}"
        axe_check(page, f"{path} in {language} at 360px")
    # The materials became cards that still say which column each value is.
    page.goto(live_server.url + "/guides/0100201001/")
    label = page.locator("table.materials td[data-label]").first
    before = label.evaluate("(cell) => getComputedStyle(cell, '::before').content")
    assert before == ('"Form: "' if language == "en" else '"形式："')
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_supervisors_overview_shows_every_column_at_1366px(live_server, browser, demo, language) -> None:
    from queueing.models import QueueCategory, WaitAlert

    # Alerts, some unacknowledged, and an idle window beside people waiting: the widest cells.
    for category in QueueCategory.objects.filter(hall__code__in=["GZ-CITY", "TH"]).order_by("pk")[:3]:
        WaitAlert.objects.create(
            hall=category.hall,
            category=category,
            reason=WaitAlert.Reason.LONG_WAIT,
            opened_at=timezone.now(),
            run_id="browser",
            waiting=12,
            longest_wait_seconds=35 * 60,
            open_windows=2,
            arrivals_per_hour=30.0,
            mean_service_seconds=480.0,
            recommended_extra_windows=1,
        )
    context = context_in(browser, live_server.url, language, {"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("supervisor")
    page.locator("#id_password").fill(demo_data.DEMO_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The demo supervisor's authenticator holds the demo's published secret (load_demo).
    page.locator("#id_code").fill(twofactor.totp(twofactor.DEMO_SECRET, twofactor.time_step()))
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    page.goto(live_server.url + "/supervisor/")
    region = page.locator(".table-scroll[aria-labelledby=overview-caption]")
    sizes = region.evaluate("(r) => [r.scrollWidth, r.clientWidth]")
    assert sizes[0] <= sizes[1], f"the overview table is {sizes[0]}px in a {sizes[1]}px region in {language}"
    alerts = page.locator(".dashboard-table thead th").last
    box = alerts.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()
