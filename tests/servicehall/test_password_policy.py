"""The staff password policy (issue 14, 等保三级): length, kinds of characters, not like the user
name, not common, none of the last five, changed every 90 days; failures lock the account."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from servicehall import passwords, roles
from servicehall.models import AuditEvent, PasswordHistory
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

GOOD = "Qiao-Liang#2026x"


def refusals(password: str, user=None) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return list(error.messages)
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1#", "至少要包含 12 个字符"),  # Django's own Chinese message
        ("abcdefghijkl-", "至少3类"),
        ("abcdefghij12", "至少3类"),
        ("Password1234", "太常见"),  # three kinds, but common
    ],
)
def test_weak_passwords_are_refused_with_a_chinese_message(password, expected) -> None:
    messages = refusals(password)
    assert any(expected in message for message in messages), messages


def test_a_password_like_the_user_name_is_refused(db) -> None:
    user = staff_user("zhangweiming", role=roles.WINDOW_STAFF)
    assert any("相似" in message for message in refusals("Zhangweiming#1", user))


def test_a_strong_password_passes(db) -> None:
    assert refusals(GOOD, staff_user("w-good", role=roles.WINDOW_STAFF)) == []


def test_none_of_the_last_five_passwords_may_be_used_again(db) -> None:
    user = staff_user("w-history", role=roles.WINDOW_STAFF)
    used = [f"Hist-{n}-Password#x" for n in range(6)]
    for password in used:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert PasswordHistory.objects.filter(user=user, password__contains=used[-1]).count() == 0  # hashes only
    for password in used[1:]:
        assert any("最近使用过的5个密码" in m for m in refusals(password, user)), password
    assert refusals(used[0], user) == []  # the sixth-last is allowed again


def test_an_expired_password_must_be_changed_at_login_before_anything_else(client) -> None:
    with time_machine.travel("2026-08-01 09:00 +0800", tick=False):
        user = staff_user("w-expire", role=roles.WINDOW_STAFF)
    with time_machine.travel("2026-10-29 09:00 +0800", tick=False):  # 89 days on
        assert not passwords.password_expired(user)
    with time_machine.travel("2026-11-01 09:00 +0800", tick=False):
        assert passwords.password_expired(user)
        client.post("/accounts/login/", {"username": "w-expire", "password": "pw-for-tests-only"})
        page = client.get("/staff/")
        assert page.status_code == 302 and page["Location"].startswith("/accounts/password/change/")
        api = client.get("/api/v1/alerts/")
        assert api.status_code == 403 and api.json()["code"] == "password_expired"
        form = client.get("/accounts/password/change/")
        assert "密码已使用超过 90 天" in form.content.decode()
        same = client.post(
            "/accounts/password/change/",
            {
                "old_password": "pw-for-tests-only",
                "new_password1": "pw-for-tests-only",
                "new_password2": "pw-for-tests-only",
            },
        )
        assert same.status_code == 422
        changed = client.post(
            "/accounts/password/change/",
            {"old_password": "pw-for-tests-only", "new_password1": GOOD, "new_password2": GOOD, "next": "/staff/"},
        )
        assert changed.status_code == 302 and changed["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200
        assert AuditEvent.objects.filter(action=passwords.CHANGED, actor=user).exists()
        user.refresh_from_db()
        assert not passwords.password_expired(user)


def test_a_supervisor_with_an_expired_password_gives_the_code_first(client) -> None:
    from servicehall import twofactor
    from servicehall.models import TwoFactorDevice
    from tests.servicehall.security import current_code

    with time_machine.travel("2026-01-01 09:00 +0800", tick=False):
        user = staff_user("s-expire", role=roles.SUPERVISOR)
    TwoFactorDevice.objects.create(user=user, secret=twofactor.new_secret(), confirmed_at=user.date_joined)
    client.post("/accounts/login/", {"username": "s-expire", "password": "pw-for-tests-only"})
    assert client.get("/accounts/password/change/")["Location"].startswith("/accounts/two-factor/verify/")
    done = client.post("/accounts/two-factor/verify/", {"code": current_code(user), "next": "/supervisor/"})
    assert done["Location"].startswith("/accounts/password/change/?next=%2Fsupervisor%2F")


def test_an_account_is_locked_for_fifteen_minutes_after_five_failures(client) -> None:
    staff_user("w-five", role=roles.WINDOW_STAFF)
    start = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            client.post("/accounts/login/", {"username": "w-five", "password": "wrong"})
        refused = client.post("/accounts/login/", {"username": "w-five", "password": "pw-for-tests-only"})
        assert "账户已临时锁定" in refused.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert (
            client.post("/accounts/login/", {"username": "w-five", "password": "pw-for-tests-only"}).status_code == 302
        )
