"""The portal knows who is logged in (``servicehall.sessions``): each session records its user,
so a supervisor can tell whether a clerk is there before putting them at a window (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from servicehall import roles, sessions
from servicehall.models import UserSession
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "pw-for-tests-only"


def test_logging_in_and_out_is_seen_in_one_query(django_assert_num_queries) -> None:
    hall = factories.hall()
    clerk = staff_user("s-clerk", role=roles.WINDOW_STAFF, hall_=hall)
    colleague = staff_user("s-colleague", role=roles.WINDOW_STAFF, hall_=hall)
    browser = Client()
    with time_machine.travel(START, tick=False):
        assert browser.post("/accounts/login/", {"username": "s-clerk", "password": PASSWORD}).status_code == 302
        assert UserSession.objects.get().user_id == clerk.pk
        with django_assert_num_queries(1):
            assert sessions.logged_in_user_ids([clerk.pk, colleague.pk]) == {clerk.pk}
        assert sessions.is_logged_in(clerk) and not sessions.is_logged_in(colleague)

        browser.post("/accounts/logout/")
        assert not sessions.is_logged_in(clerk)
        assert sessions.logged_in_user_ids([]) == set()


def test_a_session_left_idle_has_expired() -> None:
    clerk = staff_user("s-idle", role=roles.WINDOW_STAFF, hall_=factories.hall())
    with time_machine.travel(START, tick=False) as clock:
        Client().force_login(clerk)
        assert sessions.is_logged_in(clerk)
        clock.shift(dt.timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES, seconds=1))
        assert not sessions.is_logged_in(clerk)


def test_a_visitors_session_belongs_to_nobody(client) -> None:
    session = client.session
    session["something"] = 1
    session.save()
    assert UserSession.objects.get(session_key=session.session_key).user_id is None
