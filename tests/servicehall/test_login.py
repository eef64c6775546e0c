"""Staff login resists guessing and sessions end when left alone (issue 9 §5)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from servicehall import roles
from servicehall.models import AuditEvent
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "pw-for-tests-only"


def login(client, username: str, password: str, address: str = "198.51.100.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def test_an_account_is_locked_after_five_failures_even_for_the_right_password(client) -> None:
    staff_user("w-lock", role=roles.WINDOW_STAFF, hall_=factories.hall())
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert login(client, "w-lock", "wrong").status_code == 200
        refused = login(client, "w-lock", PASSWORD)
        assert refused.status_code == 200 and "_auth_user_id" not in client.session
        assert "账户已临时锁定" in refused.content.decode()
        assert AuditEvent.objects.filter(action="login.failed", target_id="w-lock").count() == 5
        assert AuditEvent.objects.filter(action="login.locked", target_id="w-lock").count() == 1
        clock.shift(dt.timedelta(minutes=16))
        assert login(client, "w-lock", PASSWORD).status_code == 302
        assert AuditEvent.objects.filter(action="login.succeeded").count() == 1


def test_guessing_many_accounts_from_one_address_is_refused_there_only(client, settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    staff_user("w-real", role=roles.WINDOW_STAFF, hall_=factories.hall())
    for k in range(4):
        login(client, f"guess{k}", "wrong", address="203.0.113.5")
    assert "账户已临时锁定" in login(client, "w-real", PASSWORD, address="203.0.113.5").content.decode()
    assert login(client, "w-real", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_staff_session_ends_after_thirty_idle_minutes(client) -> None:
    staff_user("w-idle", role=roles.WINDOW_STAFF, hall_=factories.hall())
    with time_machine.travel(START, tick=False) as clock:
        assert login(client, "w-idle", PASSWORD).status_code == 302
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/staff/").status_code == 200  # in use: the session goes on
        clock.shift(dt.timedelta(minutes=25))
        assert client.get("/staff/").status_code == 200  # 25 idle minutes since the last request
        clock.shift(dt.timedelta(minutes=31))
        gone = client.get("/staff/")
        assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
