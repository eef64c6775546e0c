"""Administrators keep secondments, training, skill levels and the code of conduct in the admin;
a second active chief representative or a short tenure without reason is refused there too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicehall import roles
from staffing.models import Secondment
from tests.servicehall.factories import staff_user
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "secondment",
        "trainingrecord",
        "skillcertification",
        "conductcode",
        "attendancerecord",
        "conductincident",
        "surgeflag",
    ],
)
def test_the_admin_lists_load(client, world, model) -> None:
    seconded("clerk", hall=world.city, department=world.police)
    client.force_login(world.admin)
    assert client.get(reverse(f"admin:staffing_{model}_changelist")).status_code == 200


def test_the_admin_refuses_a_second_chief_and_syncs_the_role(client, world) -> None:
    seconded("chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)
    other = staff_user("other")
    client.force_login(world.admin)
    form = {
        "user": other.pk,
        "staff_number": "C-2",
        "department": world.police.pk,
        "hall": world.city.pk,
        "role": "chief",
        "seconded_from": "2026-01-05",
        "seconded_until": "",
        "status": "active",
        "short_tenure_reason": "",
    }
    refused = client.post(reverse("admin:staffing_secondment_add"), form)
    assert refused.status_code == 200
    assert "该部门在该大厅已有在岗的首席事务代表" in refused.content.decode()
    short = client.post(
        reverse("admin:staffing_secondment_add"), {**form, "role": "window_staff", "seconded_until": "2026-12-31"}
    )
    assert "派驻时间不足两年" in short.content.decode()
    made = client.post(reverse("admin:staffing_secondment_add"), {**form, "role": "window_staff"})
    assert made.status_code == 302
    other.refresh_from_db()
    assert other.groups.filter(name=roles.WINDOW_STAFF).exists()
    assert other.staff_profile.hall_id == world.city.pk
