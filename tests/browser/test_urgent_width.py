"""The urgent requests' list /staff/urgent/ at 1280 px (walkthrough): its table was 1530 px wide in
a 1232 px box, the cells kept on one line; they wrap now. The staff workbench links to it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import urgent
from tests.browser.test_case_inbox_width import OVERFLOWING
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import D, at, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLES_WIDER_THAN_THEIR_BOX = """() => [...document.querySelectorAll('main table')]
    .filter((t) => t.scrollWidth > t.parentElement.clientWidth + 1).map((t) => t.scrollWidth)"""


def test_the_urgent_list_fits_1280px(live_server, page, axe_check) -> None:
    world = make_world()
    for n in range(2):
        case = world.receive(world.licence, now=at(D(2026, 11, 23), 10), outcome="accept")
        urgent.urgent_request_case(
            case=case,
            actor=world.clerk,
            category="business",
            text="公司下周参加政府采购项目投标须提交食品经营许可证原件及副本，投标截止时间临近，"
            "如不能按时取得许可证将失去投标资格，特申请加急办理" + "。" * n,
            now=at(D(2026, 11, 23), 11),
        )
    log_in(page, live_server.url, world.market_chief.username)
    page.goto(live_server.url + reverse("staff-home"))
    page.get_by_role("link", name="急事急办审批").click()
    assert page.url.endswith(reverse("urgent-inbox"))
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "servicehall_language", "value": language, "url": live_server.url}])
        page.goto(live_server.url + reverse("urgent-inbox"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate(TABLES_WIDER_THAN_THEIR_BOX) == []
    axe_check(page, "urgent list at 1280px")
