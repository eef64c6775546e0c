"""Roles, staff scope, the access helpers, and staff login."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from catalog.access import access_department, access_hall
from servicehall import roles
from servicehall.access import staff_scope
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_permissions() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)
    admin_perms = set(Group.objects.get(name=roles.ADMINISTRATOR).permissions.values_list("codename", flat=True))
    assert {"publish_guideversion", "change_calendarday", "add_bundle"} <= admin_perms
    supervisor_perms = set(Group.objects.get(name=roles.SUPERVISOR).permissions.values_list("codename", flat=True))
    assert "view_guideversion" in supervisor_perms and "change_guideversion" not in supervisor_perms


def test_window_staff_act_only_at_their_hall() -> None:
    home, other = factories.hall(), factories.hall()
    user = staff_user("w1", role=roles.WINDOW_STAFF, hall_=home)
    assert access_hall(user, home.code, roles_allowed=(roles.WINDOW_STAFF,)) == home
    with pytest.raises(PermissionDenied):
        access_hall(user, other.code, roles_allowed=(roles.WINDOW_STAFF,))
    with pytest.raises(PermissionDenied):
        access_hall(user, home.code, roles_allowed=(roles.SUPERVISOR,))
    with pytest.raises(Http404):
        access_hall(user, "NOPE", roles_allowed=(roles.WINDOW_STAFF,))


def test_a_city_supervisor_covers_every_hall_a_hall_supervisor_one() -> None:
    a, b = factories.hall(), factories.hall()
    city = staff_user("sup", role=roles.SUPERVISOR)
    local = staff_user("sup_a", role=roles.SUPERVISOR, hall_=a)
    assert staff_scope(city).citywide and not staff_scope(local).citywide
    assert access_hall(city, b.code, roles_allowed=(roles.SUPERVISOR,)) == b
    with pytest.raises(PermissionDenied):
        access_hall(local, b.code, roles_allowed=(roles.SUPERVISOR,))


def test_a_chief_representative_acts_only_for_their_department() -> None:
    hall = factories.hall()
    police, market = factories.department(), factories.department()
    chief = staff_user("chief", role=roles.CHIEF_REPRESENTATIVE, hall_=hall, dept=police)
    assert access_department(chief, hall, police) == police
    with pytest.raises(PermissionDenied):
        access_department(chief, hall, market)


def test_login_page_is_in_chinese_and_logs_staff_in(client) -> None:
    hall = factories.hall()
    staff_user("window01", role=roles.WINDOW_STAFF, hall_=hall)
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "工作人员登录" in page.content.decode()
    bad = client.post("/accounts/login/", {"username": "window01", "password": "wrong"})
    assert bad.status_code == 200 and "请输入一个正确的" in bad.content.decode()
    good = client.post("/accounts/login/", {"username": "window01", "password": "pw-for-tests-only"})
    assert good.status_code == 302 and good["Location"] == "/staff/"
    home = client.get("/staff/").content.decode()
    assert roles.WINDOW_STAFF in home and hall.name in home


def test_staff_home_needs_login(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
