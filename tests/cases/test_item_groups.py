"""The application form's item select (cases/views.py ``item_groups``): a hall whose items come
from one department lists them flat, with no group header above all of them; several departments
are grouped by department; the ticket's queue and the 通办 items received to be forwarded keep
groups of their own."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.views import item_groups
from catalog.models import GuideVersion
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def select_html(page: str) -> str:
    match = re.search(r'<select name="item" id="item-choice".*?</select>', page, re.S)
    assert match is not None
    return match.group(0)


def test_one_department_is_listed_flat(world, client) -> None:
    # Tianhe handles only the food licence (the market department): no header above it.
    client.force_login(world.tianhe_clerk)
    select = select_html(client.get(reverse("case-remote-application")).content.decode())
    assert "<optgroup" not in select
    assert f'<option value="{world.licence.code}">' in select


def test_several_departments_are_grouped_by_department(world, client) -> None:
    client.force_login(world.clerk)
    select = select_html(client.get(reverse("case-window-application", args=[world.window.pk])).content.decode())
    labels = re.findall(r'<optgroup label="([^"]+)">', select)
    assert labels == ["本大厅事项 · 广州市市场监督管理局", "本大厅事项 · 广州市公安局"]  # by item code
    assert select.count("<option value=") == 1 + 3  # the prompt and the three items


def test_forward_items_keep_a_group_of_their_own(world, client) -> None:
    # The company seal filing is citywide and not handled at Tianhe: received there to forward.
    GuideVersion.objects.filter(item=world.stamp).update(citywide=True)
    client.force_login(world.tianhe_clerk)
    select = select_html(client.get(reverse("case-remote-application")).content.decode())
    assert re.findall(r'<optgroup label="([^"]+)">', select) == ["本大厅办理的事项", "通办事项（本大厅收件后转办）"]


def test_the_groups_with_a_ticket_queue(world) -> None:
    licence, hukou, stamp = world.licence, world.hukou, world.stamp
    assert [(g.label, g.items) for g in item_groups([licence], [stamp], [])] == [
        ("本号码所排队列的事项", [licence]),
        ("本大厅办理的其他事项", [stamp]),
    ]
    assert [g.label for g in item_groups([licence], [hukou, stamp], [])] == [
        "本号码所排队列的事项",
        "本大厅其他事项 · 广州市公安局",
        "本大厅其他事项 · 广州市市场监督管理局",
    ]
    assert [g.label for g in item_groups([], [], [])] == []
