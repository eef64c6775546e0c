"""The 403 page leads back (issue 8): staff to their workbench, everyone else to the home page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from servicehall import roles
from servicehall.views import permission_denied
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db


def test_staff_refused_a_page_are_offered_the_way_back_to_their_workbench(client) -> None:
    client.force_login(staff_user("forbidden-clerk", role=roles.WINDOW_STAFF, hall_=factories.hall()))

    response = client.get(reverse("supervisor-overview"))

    assert response.status_code == 403
    assert f'<a href="{reverse("staff-home")}">返回工作台</a>' in response.content.decode()


def test_anyone_else_is_offered_the_home_page() -> None:
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()

    response = permission_denied(request)

    body = response.content.decode()
    assert response.status_code == 403
    assert f'<a href="{reverse("home")}">返回首页</a>' in body and "返回工作台" not in body
