"""The application form keeps what the clerk typed when the applicant changes the item, in real
Chromium: the item chooser sits above the form and belongs to it by its ``form`` attribute, so the
browser posts the typed fields with the new item (the walkthrough saw them cleared)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import MOBILE, PERSON, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changing_the_item_keeps_the_applicant_typed(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    base = live_server.url
    log_in(page, base, world.clerk.username)
    page.goto(base + reverse("case-remote-application") + f"?item={world.licence.code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    page.get_by_label("申请人姓名或单位名称").fill(PERSON.name)
    page.get_by_label("居民身份证号码（自然人）").fill(PERSON.id_number)
    page.get_by_label("联系手机").fill(MOBILE)
    page.get_by_label("经办人（选填）").fill("李经办")

    page.get_by_label("申请事项").select_option(value=world.hukou.code)
    page.get_by_role("button", name="打开该事项的材料清单").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(world.hukou.name)
    expect(page.get_by_label("申请人姓名或单位名称")).to_have_value(PERSON.name)
    expect(page.get_by_label("居民身份证号码（自然人）")).to_have_value(PERSON.id_number)
    expect(page.get_by_label("联系手机")).to_have_value(MOBILE)
    expect(page.get_by_label("经办人（选填）")).to_have_value("李经办")
    expect(page.get_by_role("status").filter(has_text="已填写的申请人信息保留")).to_be_visible()
    assert PERSON.id_number not in page.url and MOBILE not in page.url
    assert not Case.objects.exists()
    axe_check(page, "application form after changing the item")
