"""Window staff call the kiosk's ticket from the console; the phone and the board show it; the
supervisor sees it on the dashboard. Real Chromium, with an accessibility scan of each page."""

from __future__ import annotations

import re

import pytest

from queueing.models import Ticket
from servicehall import roles
from tests.browser.test_kiosk_board import RECORD_SPEECH, not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"  # tests.factories.staff_user


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.stack-form").get_by_role("button", name="登录").click()


def test_kiosk_to_console_to_phone_board_and_dashboard(live_server, browser, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("FLOW")
    open_around_the_clock(qh.hall)
    base = live_server.url

    # A citizen takes a ticket at the kiosk and follows it on the phone.
    page.goto(f"{base}/halls/FLOW/kiosk/")
    page.get_by_role("button", name=re.compile("户政业务")).click()
    expect(page.locator(".slip-number")).to_contain_text("A001")
    page.get_by_role("link", name="查看排队进度").click()
    expect(page.locator(".ticket-live")).to_contain_text("等候中")

    board = browser.new_context(locale="zh-CN").new_page()
    board.add_init_script(RECORD_SPEECH)
    board.goto(f"{base}/halls/FLOW/board/")

    # Window staff sign in at window 2 and call with the keyboard shortcut.
    staff = browser.new_context(locale="zh-CN").new_page()
    staff_errors: list[str] = []
    staff.on("console", lambda m: m.type == "error" and staff_errors.append(m.text))
    log_in(staff, base, qh.staff[2].username)
    expect(staff.get_by_role("heading", level=2, name="选择窗口签到")).to_be_visible()
    axe_check(staff, "console: choose a window")
    staff.get_by_role("button", name="在2号窗口签到").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("2号窗口")
    expect(staff.locator("#console-queue")).to_contain_text("A001")
    axe_check(staff, "console")
    staff.keyboard.press("n")
    expect(staff.locator(".current-number")).to_have_text("A001")
    expect(staff.locator("#console-panel")).to_contain_text("已叫号：A001")
    axe_check(staff, "console with a called ticket")

    # The board within 3 s, the phone within its 5-second poll.
    expect(board.locator(".board-latest")).to_contain_text("A001", timeout=3_000)
    expect(board.locator(".board-latest")).to_contain_text("请到 2 号窗口")
    expect(page.locator(".ticket-call")).to_have_text("请 A001 号到 2 号窗口办理", timeout=8_000)

    staff.get_by_role("button", name="开始办理").click()
    expect(staff.locator("#console-panel")).to_contain_text("开始办理：A001")
    staff.keyboard.press("f")
    expect(staff.locator("#console-panel")).to_contain_text("已办结：A001")
    expect(page.locator(".ticket-live")).to_contain_text("办结", timeout=8_000)
    assert Ticket.objects.get().status == "done"
    assert staff_errors == [], staff_errors

    # The supervisor sees the hall on the city overview and its detail page.
    supervisor = staff_user("flow-supervisor", role=roles.SUPERVISOR)
    assert supervisor.check_password(PASSWORD)
    boss = browser.new_context(locale="zh-CN").new_page()
    log_in(boss, base, "flow-supervisor")
    boss.goto(f"{base}/supervisor/")
    expect(boss.get_by_role("link", name=qh.hall.name).first).to_be_visible()
    axe_check(boss, "supervisor overview")
    boss.goto(f"{base}/supervisor/halls/FLOW/")
    expect(boss.locator("main")).to_contain_text("2号窗口")
    axe_check(boss, "supervisor hall dashboard")
