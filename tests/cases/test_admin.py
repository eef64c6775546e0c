"""The cases in the admin: read-only, the mobile masked, scoped to the staff member's hall."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicehall.roles import roles_ensure
from tests.cases.factories import COMPANY, MOBILE, D, at

pytestmark = pytest.mark.django_db


def test_cases_are_read_only_and_masked_in_the_admin(world, admin_client) -> None:
    case = world.receive(world.licence, now=at(D(2026, 11, 23)), outcome="accept", applicant=COMPANY)
    changelist = admin_client.get(reverse("admin:cases_case_changelist"))
    assert changelist.status_code == 200 and case.number in changelist.content.decode()
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****8001" in html and MOBILE not in html and case.progress_token not in html
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
    assert admin_client.post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"}).status_code == 403


def test_a_hall_supervisor_sees_only_the_cases_of_their_hall(world, client) -> None:
    roles_ensure()
    city = world.receive(world.licence, now=at(D(2026, 11, 23)), outcome="accept", applicant=COMPANY)
    tianhe = world.receive(
        world.licence,
        now=at(D(2026, 11, 23)),
        outcome="accept",
        applicant=COMPANY,
        hall=world.tianhe,
        actor=world.tianhe_clerk,
    )
    world.supervisor.is_staff = True
    world.supervisor.save()
    client.force_login(world.supervisor)
    html = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert city.number in html and tianhe.number not in html
