"""Staff accounts with a role and a scope (hall, department)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.models import Department, Hall
from servicehall.models import StaffProfile


def staff_user(
    username: str, *, role: str | None = None, hall_: Hall | None = None, dept: Department | None = None, **extra: Any
):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", **extra)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user, hall=hall_, department=dept, display_name=username)
    return user
