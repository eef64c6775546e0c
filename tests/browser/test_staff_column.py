"""The staff pages at 1280 px (second walkthrough): their content starts where the header's does
(x≈80), not at the dashboard's full-width edge (x≈24)."""

from __future__ import annotations

import pytest

from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The left edge of the element's content box (its box plus its left padding).
CONTENT_LEFT = """(s) => { const e = document.querySelector(s); const style = getComputedStyle(e);
    return Math.round(e.getBoundingClientRect().left + parseFloat(style.paddingLeft)); }"""
HEADING_LEFT = "() => Math.round(document.querySelector('main h1').getBoundingClientRect().left)"


def misaligned(page) -> tuple[int, ...] | None:
    """(header, main, h1) left edges when they differ, or the page's width when it is wider than
    the screen; None when the page sits in the header's column."""
    header = page.evaluate(CONTENT_LEFT, ".header-inner")
    found = (header, page.evaluate(CONTENT_LEFT, "main"), page.evaluate(HEADING_LEFT))
    width = page.evaluate("document.documentElement.scrollWidth")
    if found != (header, header, header) or width > 1280:
        return (*found, width)
    return None


def test_staff_pages_line_up_with_the_header_at_1280px(live_server, page, axe_check) -> None:
    world = make_world()
    log_in(page, live_server.url, world.market_chief.username)
    wrong = {}
    for path in (
        "/staff/",
        "/staff/cases/",
        "/staff/cases/new/",
        "/staff/forwarding/",
        "/staff/urgent/",
        "/staff/bundle-cases/",
        "/staff/bundle-cases/new/",
    ):
        page.goto(live_server.url + path)
        wrong[path] = misaligned(page)
    # The assistance desk, as the hall's window staff see it.
    page.context.clear_cookies()
    log_in(page, live_server.url, world.market_clerk.username)
    page.goto(live_server.url + "/staff/assistance/")
    wrong["/staff/assistance/"] = misaligned(page)
    assert {path: edges for path, edges in wrong.items() if edges} == {}, "(header, main, h1, page width)"
    assert page.evaluate(CONTENT_LEFT, ".header-inner") == 80
    axe_check(page, "assistance desk at 1280px")
    # The supervisors' dashboards keep the full width.
    page.context.clear_cookies()
    log_in(page, live_server.url, world.supervisor.username)
    page.goto(live_server.url + "/supervisor/cases/")
    assert page.evaluate(CONTENT_LEFT, "main") < 80
