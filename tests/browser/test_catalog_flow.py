"""A citizen finds an item, reads its guide, turns on care mode and switches to English, in
real Chromium, with an accessibility scan of every page on the way."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_guide_care_mode_and_english(live_server, page, axe_check, catalog) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("找事项、查指南、选大厅")
    axe_check(page, "home")

    page.get_by_label("想办什么事").fill("身份证")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/guides/\?q="))
    expect(page.get_by_role("status")).to_contain_text("共 1 项事项")
    axe_check(page, "guide list")

    # Filtering by department swaps the results in place (htmx) and keeps the URL shareable.
    page.get_by_label("事项名称、常用名或编码").fill("")
    page.get_by_text("更多筛选条件").click()
    page.get_by_label("实施部门").select_option("GZSCJG")
    expect(page.locator("#results")).to_contain_text("食品经营许可")
    expect(page.locator("#results")).not_to_contain_text("居民身份证换领")
    expect(page).to_have_url(re.compile(r"department=GZSCJG"))

    page.get_by_label("实施部门").select_option("")
    page.get_by_label("事项名称、常用名或编码").fill("身份证")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="居民身份证换领").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("居民身份证换领")
    expect(page.get_by_role("table", name="申请材料清单")).to_contain_text("可容缺后补")
    axe_check(page, "guide detail")

    page.get_by_role("button", name="关怀模式").click()
    expect(page.locator("html")).to_have_class("care")
    expect(page.get_by_role("heading", level=1)).to_have_text("居民身份证换领")
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert font_size == "20px"
    axe_check(page, "guide detail in care mode")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Halls")).to_be_visible()
    axe_check(page, "guide detail in English and care mode")

    page.get_by_role("link", name="Halls").click()
    page.get_by_role("main").get_by_role("link", name="Guangzhou Government Service Centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guangzhou Government Service Centre")
    axe_check(page, "hall detail")

    page.goto(live_server.url + f"/bundles/{catalog['bundle'].pk}/")
    axe_check(page, "bundle detail")
    page.goto(live_server.url + "/guides/0600101000/print/")
    axe_check(page, "printed guide")
    # No CSP violation or script error anywhere on the way.
    assert page.console_errors == [], page.console_errors

    page.goto(live_server.url + "/guides/9999999999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page, "404 page")


def test_api_docs_render_without_any_cdn(live_server, page) -> None:
    from playwright.sync_api import expect

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/items/", timeout=15_000)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
