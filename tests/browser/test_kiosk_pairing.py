"""Pairing a kiosk's browser in real Chromium (issue 9 §3): before pairing the check-in page asks
for the booking code only; an administrator pairs the browser, is logged out, and the kiosk then
offers check-in by ID number, its cookie sent only to the hall's pages."""

from __future__ import annotations

import pytest

from queueing.access import KIOSK_COOKIE
from queueing.models import KioskDevice
from servicehall import roles
from tests.browser.test_console_dashboard import log_in
from tests.queueing.factories import make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_pairs_the_kiosk_browser(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    qh = make_queue_hall("PAIR")
    staff_user("pair-admin", role=roles.ADMINISTRATOR, hall_=qh.hall)
    base = live_server.url

    page.goto(f"{base}/halls/PAIR/kiosk/check-in/")
    expect(page.get_by_label("预约码")).to_be_visible()
    expect(page.get_by_label("身份证号码")).to_have_count(0)
    expect(page.locator(".kiosk-unpaired")).to_contain_text("本机不是本大厅登记的自助终端")
    axe_check(page, "kiosk check-in, not paired")

    log_in(page, base, "pair-admin")
    page.goto(f"{base}/halls/PAIR/kiosk/pair/")
    expect(page.get_by_role("heading", level=1)).to_have_text("配对自助终端")
    axe_check(page, "pairing page")
    page.get_by_label("终端名称").fill("一楼大堂1号机")
    page.get_by_role("button", name="登记并配对本机").click()
    expect(page).to_have_url(f"{base}/halls/PAIR/kiosk/")
    assert KioskDevice.objects.get().name == "一楼大堂1号机"

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies[KIOSK_COOKIE]["httpOnly"] and cookies[KIOSK_COOKIE]["path"] == "/halls/PAIR/"
    assert "sessionid" not in cookies or not cookies["sessionid"]["value"]  # logged out

    page.goto(f"{base}/halls/PAIR/kiosk/check-in/")
    expect(page.get_by_label("身份证号码")).to_be_visible()
    expect(page.get_by_label("预约手机号码后四位")).to_be_visible()
    expect(page.locator(".kiosk-unpaired")).to_have_count(0)
    axe_check(page, "kiosk check-in, paired")
    page.goto(f"{base}/staff/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/staff/")
