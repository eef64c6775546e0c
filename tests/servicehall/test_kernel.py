"""The kernel's own helpers: time in Shanghai, the per-process memo, the personal-data digest,
the scope answers and the htmx-aware access decorators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django_htmx.middleware import HtmxDetails

from servicehall import clock, memo, roles
from servicehall.access import staff_required, staff_scope, supervised_hall_ids, supervisor_required
from servicehall.personal_data import id_digest
from tests.catalog import factories
from tests.servicehall.factories import staff_user

ID_NUMBER = "11010519491231002X"


def test_local_date_is_the_date_in_shanghai_whatever_the_utc_date() -> None:
    late_utc = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)
    assert clock.local_date(late_utc) == dt.date(2026, 12, 2)
    assert clock.local_now(late_utc).utcoffset() == dt.timedelta(hours=8)
    assert clock.local_date(dt.datetime(2026, 12, 1, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 1)


def test_memoised_computes_once_until_forgotten() -> None:
    memo.forget()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert memo.memoised(("kernel-test",), compute) == 1
    assert memo.memoised(("kernel-test",), compute) == 1
    memo.forget()
    assert memo.memoised(("kernel-test",), compute) == 2


def test_rotating_the_secret_key_keeps_the_stored_digests() -> None:
    before = id_digest(ID_NUMBER)
    with override_settings(SECRET_KEY="a-completely-different-secret-key-" + "r" * 30):
        assert id_digest(ID_NUMBER) == before
    with override_settings(PERSONAL_DATA_KEY="another-personal-data-key"):
        assert id_digest(ID_NUMBER) != before
    assert len(before) == 64 and ID_NUMBER not in before


def test_roles_accept_permissions_only_for_known_roles() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        roles.grant("门卫", ["catalog.view_hall"])
    # Every app registered its own permissions from its AppConfig.ready().
    supervisor = roles.role_permissions(roles.SUPERVISOR)
    assert {"catalog.view_guideversion", "queueing.view_ticket", "appointments.change_slot"} <= supervisor
    assert "catalog.publish_guideversion" in roles.role_permissions(roles.ADMINISTRATOR)
    assert roles.role_permissions(roles.WINDOW_STAFF) == frozenset()


@pytest.mark.django_db
def test_scope_holds_ids_and_supervised_halls_follow_it() -> None:
    home, other = factories.hall(), factories.hall()
    city = staff_user("k-city", role=roles.SUPERVISOR)
    local = staff_user("k-local", role=roles.SUPERVISOR, hall_=home)
    clerk = staff_user("k-clerk", role=roles.WINDOW_STAFF, hall_=home)
    assert supervised_hall_ids(city) is None
    assert supervised_hall_ids(local) == [home.pk]
    with pytest.raises(PermissionDenied):
        supervised_hall_ids(clerk)
    scope = staff_scope(clerk)
    assert scope.hall_id == home.pk and scope.works_at(home.pk) and not scope.covers_hall(other.pk)
    assert not scope.citywide and staff_scope(city).citywide


def _request(user, *, htmx: bool = False):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/supervisor/?tab=live"} if htmx else {}
    request = RequestFactory().get("/supervisor/fragment/", headers=headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    return request


@supervisor_required
def _supervisors_page(request) -> HttpResponse:
    return HttpResponse("ok")


@staff_required(*roles.COUNTER_ROLES)
def _counter_page(request) -> HttpResponse:
    return HttpResponse("ok")


@pytest.mark.django_db
def test_an_expired_session_sends_an_htmx_poll_to_the_login_page_not_into_the_table() -> None:
    from django.contrib.auth.models import AnonymousUser

    plain = _supervisors_page(_request(AnonymousUser()))
    assert plain.status_code == 302 and plain["Location"].startswith("/accounts/login/?next=")
    polled = _supervisors_page(_request(AnonymousUser(), htmx=True))
    assert polled.status_code == 204
    assert polled["HX-Redirect"] == "/accounts/login/?next=%2Fsupervisor%2F%3Ftab%3Dlive"
    assert "no-cache" in plain["Cache-Control"] or "max-age=0" in plain["Cache-Control"]


@pytest.mark.django_db
def test_the_decorators_let_in_only_the_roles_they_name() -> None:
    hall = factories.hall()
    clerk = staff_user("k-w", role=roles.WINDOW_STAFF, hall_=hall)
    supervisor = staff_user("k-s", role=roles.SUPERVISOR)
    assert _counter_page(_request(clerk)).status_code == 200
    assert _supervisors_page(_request(supervisor)).status_code == 200
    with pytest.raises(PermissionDenied, match="政务服务管理部门"):
        _supervisors_page(_request(clerk))
    with pytest.raises(PermissionDenied):
        _counter_page(_request(supervisor))
