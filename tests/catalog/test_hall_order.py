"""The README's rule: halls are listed "by level, then code, as in every hall list and picker"
(``catalog.models.HALL_ORDER``): the city centre first, though a district hall's code sorts before
its "GZ-CITY". Finding 8: /book/'s hall cards, a guide's "办理地点", the admin's hall list and the
hall pickers of /supervisor/staffing/ and the window planner went by code alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from appointments.models import SlotPlan
from catalog.models import Hall
from queueing.models import QueueCategory
from servicehall import roles
from tests.cases.factories import make_world
from tests.catalog import factories
from tests.servicehall.factories import staff_user

CITY = "市级大厅甲"
DISTRICT = "白云区大厅乙"


@pytest.fixture
def world(db):
    world = make_world()
    Hall.objects.filter(pk=world.city.pk).update(name=CITY)
    # "BY" sorts before "GZ-CITY": only the level puts the city centre first.
    baiyun = factories.hall(code="BY", name=DISTRICT)
    world.licence.halls.add(baiyun)
    for hall in (world.city, baiyun):
        category = QueueCategory.objects.create(hall=hall, letter="A", name="综合业务", order=1)
        category.items.add(world.licence)
        SlotPlan.objects.create(
            hall=hall, category=category, starts=dt.time(9), ends=dt.time(11), slot_minutes=30, capacity=2
        )
    return world


PAGES = {
    "booking hall cards": ("/book/", None),
    "guide 办理地点": ("/guides/{licence}/", None),
    "admin hall list": ("/admin/catalog/hall/", "admin"),
    "staffing roster hall select": ("/supervisor/staffing/", "supervisor"),
    "window planner hall select": ("/supervisor/staffing/planner/", "supervisor"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_city_centre_comes_first(world, client, name: str) -> None:
    url, who = PAGES[name]
    if who == "admin":
        client.force_login(get_user_model().objects.create_superuser("hall-order-admin", password="pw-for-tests-only"))
    elif who == "supervisor":
        client.force_login(staff_user("hall-order-supervisor", role=roles.SUPERVISOR))
    response = client.get(url.format(licence=world.licence.code))
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    body = body[body.index("<body") :]
    assert CITY in body and DISTRICT in body, name
    assert body.index(CITY) < body.index(DISTRICT), name
