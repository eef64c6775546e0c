"""Window staff call the kiosk's ticket from the console; the phone and the board show it; the
supervisor sees it on the dashboard. Real Chromium, with an accessibility scan of each page."""

from __future__ import annotations

import re

import pytest

from queueing.models import Ticket
from servicehall import roles
from tests.browser.test_kiosk_board import RECORD_SPEECH, axe_violations, not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"  # tests.factories.staff_user


def log_in(page, base: str, username: str) -> None:
    """The login form, then the code of the user's authenticator when the login asks for one
    (supervisors and administrators must use two-factor login: issue 14). A user who must and has
    no authenticator yet is given one first, as if enrolled earlier (enrolment itself is
    tests/browser/test_two_factor_login.py); the code is of a step not used yet (a code is good
    once, and a test may sign the same person in twice within 30 s)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from servicehall import twofactor

    user = get_user_model().objects.get(username=username)
    device = twofactor.confirmed_device(user)
    if device is None and twofactor.is_required(user):
        device, _ = twofactor.TwoFactorDevice.objects.update_or_create(
            user=user, defaults={"secret": twofactor.new_secret(), "confirmed_at": timezone.now(), "last_step": 0}
        )
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.stack-form").get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/two-factor/verify/" in page.url:
        assert device is not None
        device.refresh_from_db()
        step = max(twofactor.time_step(), device.last_step + 1)
        page.locator("#id_code").fill(twofactor.totp(device.secret, step))
        page.locator("form.stack-form").get_by_role("button", name="验证").click()
        page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def enrolled_supervisor(username: str, **kwargs):
    from servicehall import twofactor

    user = staff_user(username, role=roles.SUPERVISOR, **kwargs)
    twofactor.TwoFactorDevice.objects.create(user=user, secret=twofactor.new_secret(), confirmed_at=user.date_joined)
    return user


def test_kiosk_to_console_to_phone_board_and_dashboard(live_server, browser, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("FLOW")
    open_around_the_clock(qh.hall)
    base = live_server.url

    # A citizen takes a ticket at the kiosk and follows it on the phone.
    page.goto(f"{base}/halls/FLOW/kiosk/")
    page.get_by_role("button", name=re.compile("户政业务")).click()
    page.get_by_role("button", name=re.compile("仍在本大厅取号")).click()  # no window is open yet
    expect(page.locator(".slip-number")).to_contain_text("A001")
    page.goto(f"{base}/t/{Ticket.objects.get().token}/")  # the slip's QR code, on the phone
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
    supervisor = enrolled_supervisor("flow-supervisor")
    assert supervisor.check_password(PASSWORD)
    boss = browser.new_context(locale="zh-CN").new_page()
    log_in(boss, base, "flow-supervisor")
    boss.goto(f"{base}/supervisor/")
    expect(boss.get_by_role("link", name=qh.hall.name).first).to_be_visible()
    axe_check(boss, "supervisor overview")
    boss.goto(f"{base}/supervisor/halls/FLOW/")
    expect(boss.locator("main")).to_contain_text("2号窗口")
    axe_check(boss, "supervisor hall dashboard")


def test_the_dashboard_fits_a_wide_screen_and_its_controls_reach_the_windows_and_the_board(
    live_server, browser, axe_check
) -> None:
    """Issue 8, supervisors: status at a glance, every column visible at 1920 px, a window closed
    and opened again and a message put on the hall's board from the dashboard."""
    from django.test import Client
    from django.utils import timezone
    from playwright.sync_api import expect

    from queueing import services
    from queueing.models import WaitAlert

    not_at_midnight()
    qh = make_queue_hall("GLANCE")
    open_around_the_clock(qh.hall)
    qh.sign_in_all(now=timezone.now())
    for _ in range(3):
        services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    # Two alerts to acknowledge: each form a landmark with a name of its own.
    for category in (qh.a, qh.b):
        WaitAlert.objects.create(
            hall=qh.hall,
            category=category,
            reason=WaitAlert.Reason.LONG_WAIT,
            opened_at=timezone.now(),
            run_id="browser",
            waiting=12,
            longest_wait_seconds=35 * 60,
            open_windows=2,
            arrivals_per_hour=30.0,
            mean_service_seconds=480.0,
            recommended_extra_windows=1,
        )
    enrolled_supervisor("glance-supervisor", hall_=qh.hall)
    Client().force_login(qh.staff[3])  # the clerk put back at window 3 below is logged in
    base = live_server.url
    wide = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1920, "height": 1080})
    boss = wide.new_page()
    boss.set_default_timeout(10_000)
    errors: list[str] = []  # a CSP violation or a script error shows here
    boss.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(boss, base, "glance-supervisor")

    overflowing = """() => [...document.querySelectorAll('.table-scroll')]
        .filter((region) => region.scrollWidth > region.clientWidth + 1)
        .map((region) => region.getAttribute('aria-labelledby'))"""
    boss.goto(f"{base}/supervisor/")
    expect(boss.locator(".light-summary")).to_contain_text("个大厅")
    assert boss.evaluate(overflowing) == []
    axe_check(boss, "supervisor overview at 1920 px")

    boss.goto(f"{base}/supervisor/halls/GLANCE/")
    expect(boss.locator(".status-panel")).to_contain_text("全厅状态")
    expect(boss.locator("#hall-live")).to_contain_text("当前等候平均")
    assert boss.evaluate(overflowing) == []
    axe_check(boss, "supervisor hall dashboard at 1920 px")
    assert [v for v in axe_violations(boss) if v.startswith("landmark-unique")] == []

    board = wide.new_page()
    board.goto(f"{base}/halls/GLANCE/board/")

    boss.get_by_role("button", name="关闭3号窗口").click()
    expect(boss.locator("#hall-controls [role=status]")).to_contain_text("已关闭3号窗口")
    boss.get_by_label("到3号窗口的工作人员").select_option(label="glance-w3")
    boss.get_by_role("button", name="开放3号窗口").click()
    expect(boss.locator("#hall-controls [role=status]")).to_contain_text("已开放3号窗口，由glance-w3办理。")

    boss.get_by_label("通知内容").fill("系统维护，社保业务暂停 30 分钟")
    boss.get_by_role("button", name="发布到显示屏").click()
    expect(boss.locator("#hall-controls [role=status]")).to_contain_text("通知已发布到显示屏")
    expect(boss.locator(".board-message-current")).to_contain_text("系统维护，社保业务暂停 30 分钟")
    axe_check(boss, "supervisor controls after changes")
    expect(board.locator(".board-message")).to_contain_text("系统维护，社保业务暂停 30 分钟", timeout=5_000)
    axe_check(board, "board with the supervisors' message")
    assert errors == [], errors
    wide.close()
