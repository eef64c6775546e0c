"""Failed and refused logins against an account are attributable to it in the audit trail, the
login page saying nothing more (walkthrough finding 4)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine

from servicehall import roles
from servicehall.models import AuditEvent
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def login(client, username: str, password: str = "wrong"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


def _comparable(page: str, username: str) -> str:
    """The page without what differs on every request (nonces, CSRF token) and the name typed."""
    page = re.sub(r'nonce="[^"]*"', "", page)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)
    return page.replace(username, "X")


def test_a_failure_names_the_account_only_when_it_exists_and_the_page_says_the_same(client) -> None:
    clerk = staff_user("w-attr", role=roles.WINDOW_STAFF, hall_=factories.hall())
    against_account = login(client, "w-attr").content.decode()
    against_nobody = login(client, "nobody-here").content.decode()
    failures = {e.target_id: e for e in AuditEvent.objects.filter(action="login.failed")}
    assert failures["w-attr"].details == {"address": "203.0.113.7", "account_id": clerk.pk, "account": "w-attr"}
    assert failures["w-attr"].attempted_account == "w-attr"
    assert failures["nobody-here"].details == {"address": "203.0.113.7"}
    assert failures["nobody-here"].attempted_account == ""
    # The public page does not tell an account from a typo.
    message = "请输入正确的用户名和密码"
    assert (message in against_account) == (message in against_nobody)
    assert _comparable(against_account, "w-attr") == _comparable(against_nobody, "nobody-here")


def test_administrators_find_the_failures_and_refusals_against_an_account(client) -> None:
    clerk = staff_user("w-attr", role=roles.WINDOW_STAFF, hall_=factories.hall())
    staff_user("w-other", role=roles.WINDOW_STAFF)
    admin = staff_user("adm-attr", role=roles.ADMINISTRATOR)
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            login(client, "w-attr")
        login(client, "w-attr", "pw-for-tests-only")  # locked: refused
        login(client, "w-other")
    assert AuditEvent.objects.filter(action="login.locked", details__account_id=clerk.pk).count() == 1
    client.force_login(admin)
    page = client.get("/staff/audit/?user=w-attr&action=login.failed").content.decode()
    assert "共 5 条" in page and "账户：w-attr" in page
    assert "共 6 条" in client.get("/staff/audit/?user=w-attr").content.decode()
    assert "共 1 条" in client.get("/staff/audit/?user=w-other").content.decode()
    # What the account did itself is still found by the same filter.
    client.force_login(clerk)
    client.post("/accounts/logout/")
    client.force_login(admin)
    assert sorted(AuditEvent.objects.filter(actor=clerk).values_list("action", flat=True)) == [
        "login.succeeded",
        "logout",
    ]
    body = client.get("/staff/audit/?user=w-attr").content.decode()
    assert "共 8 条" in body, re.findall(r"共 \d+ 条", body)
    export = client.get("/staff/audit/export.csv?user=w-attr&action=login.failed")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    # The CSV's headers are in the reader's language (zh-hans here): 登录账户 the account, 操作人 the user.
    assert (
        len(rows) == 5 and {row["登录账户"] for row in rows} == {"w-attr"} and {row["操作人"] for row in rows} == {""}
    )
