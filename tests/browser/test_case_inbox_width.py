"""The chief representative's inbox at 1280 px (issue 10 walkthrough): 43-character case numbers
pushed the deadline column off the screen, and the case pages started left of the header."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import services as catalog_services
from catalog.models import ServiceItem
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import D, at, credit_code, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The widest cells: what sticks out of its scroll region, or of the screen.
OVERFLOWING = """() => [...document.querySelectorAll('.table-scroll')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.getAttribute('aria-labelledby'))"""


def test_inbox_fits_1280px_and_lines_up_with_the_header(live_server, page, axe_check) -> None:
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)
    # A Guangdong implementation code (实施编码): 31 characters, so 43 with the date and sequence.
    ServiceItem.objects.filter(pk=world.licence.pk).update(implementation_code=credit_code() + "4401000102010")
    world.licence.refresh_from_db()
    for day in (D(2026, 10, 12), D(2026, 11, 2)):
        world.receive(world.licence, now=at(day, 10), outcome="accept")
    log_in(page, live_server.url, world.market_chief.username)
    page.goto(live_server.url + reverse("case-inbox"))
    numbers = page.locator("th.case-number a").all_inner_texts()
    assert numbers and all(len(n.strip()) == 43 for n in numbers)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(OVERFLOWING) == []
    # The page's column is the header's (same box, same padding), not the dashboard's full width.
    left = "(s) => { const e = document.querySelector(s); return [e.getBoundingClientRect().left, getComputedStyle(e).paddingLeft]; }"
    assert page.evaluate(left, "main") == page.evaluate(left, ".header-inner")
    axe_check(page, "inbox at 1280px")
    # The list keeps its department and hall columns: in English too, it fits.
    page.context.add_cookies([{"name": "servicehall_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + reverse("case-list"))
    assert page.evaluate("document.documentElement.lang").startswith("en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(OVERFLOWING) == []
