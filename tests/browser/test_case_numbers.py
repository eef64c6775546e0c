"""A case number that starts with an implementation code (43 characters, issue 10) on a phone:
the public progress page finds it and nothing widens the page; axe on the result."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.cases.factories import MOBILE, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STICKING_OUT = """(width) => [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .slice(0, 3).map((e) => `${e.tagName}.${e.className}`)"""


def test_a_long_case_number_is_found_on_a_phone_without_widening_the_page(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    world.hukou.implementation_code = "11440100007502361D0600102000001"
    world.hukou.save(update_fields=["implementation_code"])
    case = world.receive(world.hukou, now=timezone.now(), outcome="accept")
    assert case.number.startswith("11440100007502361D0600102000001") and len(case.number) == 43

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/cases/progress/")
    page.get_by_label("办件编号").fill(case.number.lower())  # typed in lower case: still found
    page.get_by_label("手机号码或证件号码后四位").fill(MOBILE[-4:])
    page.get_by_role("button", name="查询").click()
    result = page.locator(".progress-result")
    expect(result.get_by_role("heading", level=2)).to_contain_text(case.number)
    assert page.evaluate(STICKING_OUT, 360) == []
    # Text running out of its box does not move the box: the page's scroll width tells.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page, "progress of a case numbered with an implementation code")
