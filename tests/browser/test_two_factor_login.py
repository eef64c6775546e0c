"""A supervisor's first login (issue 14): password, binding an authenticator from the QR page,
the recovery codes, then the next login with a code. Real Chromium, axe on every page."""

from __future__ import annotations

import re

import pytest

from servicehall import roles, twofactor
from servicehall.models import TwoFactorDevice
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


def test_a_supervisor_binds_an_authenticator_and_then_signs_in_with_a_code(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    user = staff_user("first-supervisor", role=roles.SUPERVISOR)
    base = live_server.url
    page.goto(f"{base}/supervisor/")
    page.get_by_label("用户名").fill("first-supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.stack-form").get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.get_by_role("heading", name="绑定双因素认证")).to_be_visible()
    expect(page.get_by_role("img", name="绑定认证器的二维码")).to_be_visible()
    axe_check(page, "two-factor enrolment")

    secret = TwoFactorDevice.objects.get(user=user).secret
    page.get_by_label("6位验证码").fill(
        "000000" if twofactor.totp(secret, twofactor.time_step()) != "000000" else "111111"
    )
    page.get_by_role("button", name="完成绑定").click()
    expect(page.locator("#code-error")).to_contain_text("验证码不正确")
    axe_check(page, "two-factor enrolment with an error")
    page.get_by_label("6位验证码").fill(twofactor.totp(secret, twofactor.time_step()))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_role("heading", name="恢复码")).to_be_visible()
    assert page.locator("ul.recovery-codes li").count() == twofactor.RECOVERY_CODE_COUNT
    axe_check(page, "recovery codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(re.compile(r"/supervisor/$"))

    # Next login: the code is asked for after the password; a used code is refused.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("first-supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.stack-form").get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    axe_check(page, "two-factor code")
    used = twofactor.totp(secret, TwoFactorDevice.objects.get(user=user).last_step)
    page.get_by_label("验证码或恢复码").fill(used)
    page.get_by_role("button", name="验证").click()
    expect(page.locator("#code-error")).to_contain_text("已使用过")
    TwoFactorDevice.objects.filter(user=user).update(last_step=0)  # the next step's code, without waiting 30 s
    page.get_by_label("验证码或恢复码").fill(twofactor.totp(secret, twofactor.time_step() + 1))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    # The two refused codes answered 422 (the browser reports those); nothing else went wrong.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
