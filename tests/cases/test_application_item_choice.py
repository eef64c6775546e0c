"""The application page's item chooser (walkthrough findings 11 and 18): choosing nothing says
so instead of reloading silently; for a ticket whose queue names its items the chooser lists
those, as 登记急事急办 does, and the hall's other items are one link away and still accepted."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from queueing import services as queue_services
from queueing.models import QueueCategory
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def options(page: str) -> list[str]:
    match = re.search(r'<select name="item" id="item-choice".*?</select>', page, re.S)
    assert match is not None
    return re.findall(r'<option value="([^"]+)"', match.group(0))


def test_choosing_no_item_says_so(world, client) -> None:
    client.force_login(world.clerk)
    response = client.get(reverse("case-remote-application") + "?item=")
    body = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="item-error">请先选择申请事项，再打开该事项的材料清单。</p>' in body
    # Opening the page is no submission: no error then.
    assert "请先选择申请事项" not in client.get(reverse("case-remote-application")).content.decode()


@pytest.fixture
def ticket(world):
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="户政业务", order=1)
    category.items.add(world.hukou)
    return queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", require_open=False).ticket


def test_a_tickets_queue_limits_the_list_with_a_link_to_every_item(world, client, ticket) -> None:
    client.force_login(world.clerk)
    url = reverse("case-window-application", args=[world.window.pk])
    body = client.get(f"{url}?ticket={ticket.pk}").content.decode()
    assert options(body) == [world.hukou.code]
    assert f"?ticket={ticket.pk}&amp;all_items=1" in body and "显示本大厅全部事项（另有 2 项）" in body

    every = client.get(f"{url}?ticket={ticket.pk}&all_items=1").content.decode()
    assert set(options(every)) == {world.hukou.code, world.licence.code, world.stamp.code}
    assert 'name="all_items" value="1"' in every and "显示本大厅全部事项" not in every

    # Another item of the hall is still accepted for the ticket (a person in the wrong line).
    chosen = client.get(f"{url}?ticket={ticket.pk}&item={world.licence.code}")
    assert chosen.status_code == 200
    assert f'<option value="{world.licence.code}" selected>' in chosen.content.decode()


def test_without_a_ticket_every_item_is_listed(world, client) -> None:
    client.force_login(world.clerk)
    body = client.get(reverse("case-remote-application")).content.decode()
    assert "显示本大厅全部事项" not in body
