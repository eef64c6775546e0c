"""`manage.py load_demo`: realistic, complete, and safe to rerun."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Bundle, Department, GuideVersion, Hall, ServiceItem
from servicehall import roles
from servicehall.models import StaffProfile

pytestmark = pytest.mark.django_db

DISTRICTS = {"越秀", "海珠", "荔湾", "天河", "白云", "黄埔", "番禺", "花都", "南沙", "从化", "增城"}


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Department, Hall, ServiceItem, GuideVersion, Bundle, StaffProfile))


def test_demo_data_is_complete_and_loading_it_twice_changes_nothing() -> None:
    call_command("load_demo", "--no-calendar", verbosity=0)
    first = counts()
    call_command("load_demo", "--no-calendar", verbosity=0)
    assert counts() == first

    assert Department.objects.count() >= 12
    assert Hall.objects.filter(level=Hall.Level.CITY).count() == 1
    district_names = set(Hall.objects.filter(level=Hall.Level.DISTRICT).values_list("name", flat=True))
    assert {name[:2] for name in district_names} == DISTRICTS
    assert Hall.objects.filter(level=Hall.Level.STREET).exists()

    today = timezone.localdate()
    current = GuideVersion.objects.current(today).prefetch_related("materials")
    assert current.count() == ServiceItem.objects.count() >= 60
    assert all(v.materials.all() for v in current)
    assert current.filter(materials__may_follow_later=True).exists()
    assert Bundle.objects.count() >= 3
    assert all(h.opening_hours.exists() and h.zones.exists() for h in Hall.objects.all())

    users = get_user_model().objects
    for role in roles.ALL_ROLES:
        assert users.filter(groups__name=role).exists(), role
    assert users.get(username="admin").check_password("servicehall-demo")


def test_rerunning_keeps_an_administrators_edits() -> None:
    call_command("load_demo", "--no-calendar", verbosity=0)
    hall = Hall.objects.get(level=Hall.Level.CITY)
    hall.phone = "020-00000000"
    hall.save()
    removed = hall.items.first()
    hall.items.remove(removed)
    call_command("load_demo", "--no-calendar", verbosity=0)
    hall.refresh_from_db()
    assert hall.phone == "020-00000000"
    assert not hall.items.filter(pk=removed.pk).exists()
