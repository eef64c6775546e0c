"""The printed notices on A4 (issue 11): printed, the page's content box is 178 mm wide (A4's
210 mm less print.css's 16 mm margins); nothing on a notice may stick out of it (it would be cut
off on paper), and no template text (a ``{# #}`` comment) is printed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from catalog import services as catalog_services
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import COMPANY, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_CONTENT = {"width": 673, "height": 1000}  # 178 mm at 96 px per inch
STICKING_OUT = """(width) => [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .slice(0, 3).map((e) => `${e.tagName}.${e.className}`)"""


def test_the_notices_fit_the_a4_content_width_when_printed(live_server, page) -> None:
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)
    now = timezone.now()
    deferred = world.receive(
        world.licence, now=now, outcome="accept_deferred", states={"经营场所使用证明": "missing"}, applicant=COMPANY
    )
    line = services.NoticeLine(world.materials(world.licence)["营业执照"].pk, "defective", "复印件不清晰" * 12)
    corrected = world.receive(world.licence, now=now, outcome="correction", notice=services.NoticeInput(lines=[line]))
    refused = world.receive(world.hukou, now=now, outcome="not_accepted", reason="不属于本机关职权范围" * 8)
    page.set_viewport_size(A4_CONTENT)
    log_in(page, live_server.url, world.clerk.username)
    page.emulate_media(media="print")
    for case, kind in ((deferred, "acceptance"), (corrected, "notice"), (refused, "not-accepted")):
        page.goto(live_server.url + reverse("case-print", args=[case.number, kind]))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= A4_CONTENT["width"], f"{kind}: {width}px: {page.evaluate(STICKING_OUT, A4_CONTENT['width'])}"
        assert page.evaluate(STICKING_OUT, A4_CONTENT["width"]) == [], kind
        text = page.locator("body").inner_text()
        assert "{#" not in text and "#}" not in text
        assert page.locator(".print-toolbar").is_hidden()
    assert page.console_errors == [], page.console_errors
