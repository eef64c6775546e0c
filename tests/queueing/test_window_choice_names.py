"""The dashboard's choice of clerk for a window says where a clerk is now: "王晓燕（现在2号窗口）"
in Chinese, "王晓燕 (now at Window 2)" in English, with the space English wants."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from queueing import services
from servicehall import roles
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "hall-controls"}


def test_the_clerk_choice_says_where_the_clerk_is_now_in_either_language(client, qh) -> None:
    supervisor = staff_user("names-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    Client().force_login(qh.staff[2])
    client.force_login(supervisor)
    url = reverse("supervisor-hall", args=[qh.hall.code])

    page = client.get(url, headers=HTMX).content.decode()
    assert f'<option value="{qh.staff[2].pk}">qh-w2（现在2号窗口）</option>' in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(url, headers=HTMX).content.decode()
    assert f'<option value="{qh.staff[2].pk}">qh-w2 (now at Window 2)</option>' in page
