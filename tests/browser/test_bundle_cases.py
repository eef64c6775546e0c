"""A bundle application in real Chromium (issue 11, 一件事): the comprehensive window's clerk
fills the one form (each material once), accepts it, the departments decide their sub-cases
stage after stage, and the clerk hands every result out at once (统一出件); the public bundle
page shows each department's duties; axe on each page."""

from __future__ import annotations

import pytest

from cases import services as case_services
from cases.models import BundleCase, Case
from catalog import services as catalog_services
from catalog.models import Bundle, Material
from servicehall import roles
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight
from tests.cases.factories import MOBILE, PERSON, guide_item, make_world
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bundle_from_the_window_to_the_collected_result(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)  # a deadline may run into next year
    tax = factories.department(code="GZSW", name="广州市税务局")
    seal = guide_item(
        code="1000401000",
        dept=tax,
        name="税务登记",
        halls=[world.city],
        materials=[
            {"name": "营业执照", "form": Material.Form.COPY},
            {"name": "公章印模", "form": Material.Form.ORIGINAL},
        ],
        promised_limit_days=3,
    )
    bundle = catalog_services.bundle_save(
        bundle=Bundle(name="开办餐饮店一件事", lead_department=world.market, promised_limit_days=13),
        members=[
            catalog_services.BundleMemberSpec(stage=1, item=world.licence),
            catalog_services.BundleMemberSpec(stage=1, item=world.hukou),
            catalog_services.BundleMemberSpec(stage=2, item=seal),
        ],
        actor=None,
    )
    bundle.members.filter(item=seal).update(duties="税务部门负责税务登记和发票申领")
    tax_clerk = staff_user("tax-clerk", role=roles.WINDOW_STAFF, hall_=world.city, dept=tax)
    base = live_server.url

    page.goto(f"{base}/bundles/{bundle.pk}/")
    expect(page.locator("main")).to_contain_text("不超过各事项承诺时限之和 13 个工作日")
    expect(page.locator("main")).to_contain_text("税务部门负责税务登记和发票申领")
    axe_check(page, "public bundle page")

    log_in(page, base, world.clerk.username)
    page.get_by_role("link", name="受理一件事申请").click()
    page.get_by_label("一件事").select_option(label="开办餐饮店一件事")
    page.get_by_role("button", name="打开一件事的材料清单").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("开办餐饮店一件事")
    rows = page.locator("table.checklist tbody tr")
    expect(rows).to_have_count(6)  # 3 + 2 + 2 materials, 营业执照 asked once
    page.get_by_label("申请人姓名或单位名称").fill(PERSON.name)
    page.get_by_label("居民身份证号码（自然人）").fill(PERSON.id_number)
    page.get_by_label("联系手机").fill(MOBILE)
    for name in ("食品经营许可申请书", "营业执照", "经营场所使用证明", "居民身份证", "户口簿", "公章印模"):
        page.get_by_label(name, exact=True).select_option("original")
    axe_check(page, "bundle application form")
    page.get_by_role("button", name="受理", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("已受理一件事")
    bc = BundleCase.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(bc.number)
    expect(page.locator("main")).to_contain_text("承诺时限之和 13 个工作日")
    expect(page.locator("body")).not_to_contain_text(MOBILE)
    expect(page.locator("main")).to_contain_text("待前一阶段办结")
    axe_check(page, "bundle application page")

    subs = {c.item_id: c for c in bc.sub_cases.all()}
    for item, actor in ((world.hukou, world.police_chief), (world.licence, world.market_clerk)):
        case_services.case_decide(case=subs[item.pk], actor=actor, approved=True)
        case_services.case_result_ready(case=subs[item.pk], actor=actor)
    sealed = Case.objects.get(pk=subs[seal.pk].pk)
    assert sealed.status == Case.Status.ACCEPTED
    case_services.case_decide(case=sealed, actor=tax_clerk, approved=True)
    case_services.case_result_ready(case=sealed, actor=tax_clerk)

    page.reload()
    expect(page.locator("main")).to_contain_text("待统一出件")
    page.get_by_label("出件方式").select_option("window")
    axe_check(page, "bundle ready to hand out")
    page.get_by_role("button", name="统一出件").click()
    expect(page.get_by_role("status")).to_contain_text("已统一出件")
    expect(page.locator("main")).to_contain_text("已统一出件")
    assert set(bc.sub_cases.values_list("status", flat=True)) == {Case.Status.COLLECTED}
    assert [e for e in page.console_errors] == [], page.console_errors


def test_a_bundle_accepted_with_materials_to_follow_and_its_private_link(live_server, page, axe_check) -> None:
    """容缺受理 of a bundle from the one form, the owed material on its page and received there,
    and the applicant's private link (no personal data), with axe."""
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)
    bundle = catalog_services.bundle_save(
        bundle=Bundle(name="开办餐饮店一件事", lead_department=world.market, promised_limit_days=10),
        members=[
            catalog_services.BundleMemberSpec(stage=1, item=world.licence),
            catalog_services.BundleMemberSpec(stage=1, item=world.hukou),
        ],
        actor=None,
    )
    base = live_server.url
    log_in(page, base, world.clerk.username)
    page.goto(f"{base}/staff/bundle-cases/new/?bundle={bundle.pk}")
    page.get_by_label("申请人姓名或单位名称").fill(PERSON.name)
    page.get_by_label("居民身份证号码（自然人）").fill(PERSON.id_number)
    page.get_by_label("联系手机").fill(MOBILE)
    for name in ("食品经营许可申请书", "营业执照", "居民身份证", "户口簿"):
        page.get_by_label(name, exact=True).select_option("original")
    page.get_by_label("经营场所使用证明", exact=True).select_option("missing")
    expect(page.locator("#bundle-deferrable")).to_contain_text("经营场所使用证明")
    page.get_by_role("button", name="容缺受理", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("已受理一件事")
    bc = BundleCase.objects.get()
    assert bc.deferred
    owed = page.get_by_role("region", name="容缺受理后须补齐的材料")
    expect(owed).to_contain_text("经营场所使用证明")
    expect(owed).to_contain_text("待补齐")
    expect(page.locator("#bundle-progress-url")).to_contain_text(bc.progress_token)
    axe_check(page, "bundle accepted with materials to follow")

    page.get_by_label("经营场所使用证明").check()
    page.get_by_role("button", name="登记补齐的容缺材料").click()
    expect(page.get_by_role("status")).to_contain_text("已登记补齐的容缺材料")
    expect(page.get_by_role("region", name="容缺受理后须补齐的材料")).to_contain_text("补齐")

    link = page.locator("#bundle-progress-url").inner_text()
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=2)).to_contain_text(bc.number)
    expect(page.locator("main")).to_contain_text("第 1 阶段，共 1 个阶段")
    expect(page.locator("main")).to_contain_text("户口迁入登记")
    expect(page.locator("body")).not_to_contain_text(PERSON.name)
    expect(page.locator("body")).not_to_contain_text(MOBILE)
    axe_check(page, "bundle private progress link")
    assert [e for e in page.console_errors] == [], page.console_errors
