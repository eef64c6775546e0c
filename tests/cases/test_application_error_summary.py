"""The application page's error summary (walkthrough 2026-12, servicehall walk C): each entry names
its field and links to it (a bare "请填写此项" at the top said nothing about which field), and
choosing no item is an error beside the chooser and in the summary, not a silent reload."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from tests.cases.factories import D, at
from tests.cases.test_pages import application_data, signed_in

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def summary(body: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert match is not None, "no error summary"
    return match.group(0)


def test_each_summary_entry_names_and_links_its_field(client, world) -> None:
    data = application_data(world, world.licence, outcome="accept")
    data.update(applicant_name="", mobile="", channel="mail")

    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)

    assert response.status_code == 400
    assert not Case.objects.exists()
    entries = summary(response.content.decode())
    assert '<li><a href="#id_applicant_name">申请人姓名或单位名称：请填写此项。</a></li>' in entries
    assert '<li><a href="#id_mobile">联系手机：请填写此项。</a></li>' in entries
    # No entry is a bare message.
    assert not re.search(r"<a [^>]*>请填写此项", entries)


def test_a_checklist_rows_entry_names_its_material(client, world) -> None:
    material, *_ = world.materials(world.licence).items()
    name, row = material
    data = application_data(world, world.licence, outcome="accept")
    data.update({f"state_{row.pk}": "", "channel": "mail"})

    body = signed_in(client, world.clerk).post(reverse("case-remote-application"), data).content.decode()

    assert f'<a href="#id_state_{row.pk}">{name}：请填写此项。</a>' in summary(body)


def test_choosing_no_item_is_in_the_summary_too(client, world) -> None:
    response = signed_in(client, world.clerk).get(reverse("case-remote-application"), {"item": ""})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="item-error">请先选择申请事项，再打开该事项的材料清单。' in body
    assert '<a href="#item-choice">申请事项：请先选择申请事项，再打开该事项的材料清单。</a>' in summary(body)


def test_a_post_without_an_item_is_refused_with_the_error(client, world) -> None:
    data = application_data(world, world.licence, outcome="accept")
    data.update(item="", channel="mail")

    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)

    assert response.status_code == 400
    assert not Case.objects.exists()
    body = response.content.decode()
    assert 'id="item-error">请先选择申请事项' in body and 'href="#item-choice"' in summary(body)


def test_changing_to_no_item_is_in_the_summary_with_the_form_open(client, world) -> None:
    data = application_data(world, world.licence, outcome="")
    data.pop("outcome")
    data.update(change_item="1", change_to="", channel="mail")

    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="item-error">请选择本大厅可受理的事项。' in body
    assert '<a href="#item-choice">申请事项：请选择本大厅可受理的事项。</a>' in summary(body)


def test_the_applicants_missing_number_is_named_with_the_other_missing_fields(client, world) -> None:
    """Walkthrough 2026-12-03: a person's ID number, required by the applicant's kind, was named
    only on the second submit (by the service, once the other fields were filled)."""
    data = application_data(world, world.licence, outcome="accept")
    data.update(applicant_name="", mobile="", id_number="", applicant_kind="person", channel="mail")

    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)

    assert response.status_code == 400
    entries = summary(response.content.decode())
    assert "申请人姓名或单位名称：请填写此项。" in entries and "联系手机：请填写此项。" in entries
    assert re.search(r'<a href="#id_id_number">[^<]*：自然人申请须填写居民身份证号码。</a>', entries), entries
    assert not Case.objects.exists()
