"""The application form keeps what the clerk typed when the applicant changes the item (walkthrough
2026-12: the item chooser was a GET form of its own, so the name, ID number, mobile and the rest
were cleared). With the form open, the chooser posts the whole form (``change_item``): the typed
fields stay, the new item's checklist starts afresh, nothing is saved, and the ID number never
goes into a URL."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from tests.cases.factories import MOBILE, PERSON, D, at
from tests.cases.test_pages import application_data, called_ticket, signed_in

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def value_of(page: str, name: str) -> str:
    match = re.search(rf'<input type="text" name="{name}" value="([^"]*)"', page)
    assert match is not None, f"no input {name}"
    return match.group(1)


def test_changing_the_item_keeps_what_was_typed(client, world) -> None:
    ticket = called_ticket(world)
    url = reverse("case-window-application", args=[world.window.pk])
    page = signed_in(client, world.clerk).get(url, {"ticket": ticket.pk, "item": world.licence.code})
    # The chooser belongs to the application form: it posts, it does not GET.
    assert '<form method="post" action="' in page.content.decode()
    assert 'name="change_to" id="item-choice" form="application-form"' in page.content.decode()

    data = application_data(world, world.licence, outcome="")
    data.pop("outcome")
    data.update(ticket=str(ticket.pk), contact_name="李经办", change_item="1", change_to=world.hukou.code)
    response = client.post(url, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert value_of(body, "applicant_name") == "陈志强"
    assert value_of(body, "id_number") == PERSON.id_number
    assert value_of(body, "mobile") == MOBILE
    assert value_of(body, "contact_name") == "李经办"
    assert re.search(r'value="person"[^>]*checked', body)
    # The new item's checklist, fresh (nothing marked as received yet), no error shown.
    for name in world.materials(world.hukou):
        assert name in body
    for name in world.materials(world.licence):
        if name not in world.materials(world.hukou):
            assert name not in body
    for material in world.materials(world.hukou).values():
        row = re.search(rf'name="state_{material.pk}".*?</select>', body, re.S).group(0)
        assert 'value="missing" selected' in row
    assert f'<option value="{world.hukou.code}" selected>' in body
    assert "field-error" not in body and "请按提示修改" not in body
    assert "已填写的申请人信息保留" in body
    assert f'<input type="hidden" name="item" value="{world.hukou.code}">' in body

    # The kept form is the new item's: submitting it now opens the hukou case.
    accept = application_data(world, world.hukou, outcome="accept")
    accept["ticket"] = str(ticket.pk)
    assert client.post(url, accept).status_code == 302
    assert Case.objects.get().item == world.hukou


def test_pressing_the_chooser_on_the_same_item_keeps_the_checklist_too(client, world) -> None:
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.licence, outcome="", 经营场所使用证明="missing")
    data.pop("outcome")
    data.update(change_item="1", change_to=world.licence.code)

    body = signed_in(client, world.clerk).post(url, data).content.decode()

    material = world.materials(world.licence)["经营场所使用证明"]
    row = re.search(rf'name="state_{material.pk}".*?</select>', body, re.S).group(0)
    assert 'value="missing" selected' in row
    other = next(m for n, m in world.materials(world.licence).items() if n != "经营场所使用证明")
    assert 'value="original" selected' in re.search(rf'name="state_{other.pk}".*?</select>', body, re.S).group(0)
    assert value_of(body, "applicant_name") == "陈志强"
    assert "已填写的申请人信息保留" not in body


def test_choosing_no_item_keeps_the_current_one_and_says_so(client, world) -> None:
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.licence, outcome="")
    data.pop("outcome")
    data.update(change_item="1", change_to="")

    response = signed_in(client, world.clerk).post(url, data)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="item-error">请选择本大厅可受理的事项。' in body
    assert f'<input type="hidden" name="item" value="{world.licence.code}">' in body
    assert value_of(body, "id_number") == PERSON.id_number
    assert not Case.objects.exists()
