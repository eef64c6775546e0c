"""Case numbers (Guangdong style): the item's implementation code (实施编码) + yyyyMMdd + a 4-digit
daily sequence; the 10-digit item code for an item without one. The public progress look-up
takes both shapes."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from tests.cases.factories import MOBILE, D, at

pytestmark = pytest.mark.django_db

MON = D(2026, 11, 23)
IMPLEMENTATION_CODE = "11440100007502361D0600102000001"  # the police's credit code + item code + 001


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(MON), tick=False):
        yield


def with_implementation_code(item, code: str = IMPLEMENTATION_CODE):
    item.implementation_code = code
    item.full_clean()
    item.save(update_fields=["implementation_code"])
    return item


def test_a_number_starts_with_the_implementation_code_when_the_item_has_one(world) -> None:
    with_implementation_code(world.hukou)
    first = world.receive(world.hukou, now=at(MON), outcome="accept")
    second = world.receive(world.hukou, now=at(MON), outcome="accept")
    assert first.number == "11440100007502361D0600102000001" + "20261123" + "0001"
    assert second.number == "11440100007502361D0600102000001" + "20261123" + "0002"
    assert len(first.number) == 43 and Case._meta.get_field("number").max_length >= 40 + 8 + 4


def test_without_an_implementation_code_the_item_code_stands_in(world) -> None:
    assert world.stamp.implementation_code == ""
    case = world.receive(world.stamp, now=at(MON), outcome="accept")
    assert case.number == "1000301000" + "20261123" + "0001"


def test_the_longest_implementation_code_fits_the_number(world) -> None:
    longest = "11440100007502361D" + "0600102000" + "A" * 12  # 40 characters
    with_implementation_code(world.hukou, longest)
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    case.refresh_from_db()
    assert case.number == longest + "202611230001" and len(case.number) == 52


def test_the_sequence_goes_on_when_an_implementation_code_is_registered_during_the_day(world) -> None:
    before = world.receive(world.hukou, now=at(MON), outcome="accept")
    with_implementation_code(world.hukou)
    after = world.receive(world.hukou, now=at(MON), outcome="accept")
    assert (before.number, after.number) == (
        "0600102000202611230001",
        "11440100007502361D0600102000001202611230002",
    )


def test_progress_look_up_by_a_number_with_an_implementation_code(world, client) -> None:
    with_implementation_code(world.hukou)
    case = world.receive(world.hukou, now=at(MON), outcome="accept")
    response = client.post(
        "/api/v1/case-progress/",
        {"number": case.number.lower(), "digits": MOBILE[-4:]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["number"] == case.number
    page = client.post(reverse("case-progress"), {"number": f" {case.number} ", "digits": MOBILE[-4:]})
    assert page.status_code == 200 and "已受理" in page.content.decode()


@pytest.mark.parametrize(
    "number",
    [
        "0600102000202611230001X",  # the fallback shape with a letter after it
        "IO440100007502361D0600102000001202611230001",  # I and O are not in a credit code
        "0600102000202611",  # too short for either shape
        "11440100007502361D0600102000001202611230001" + "0" * 10,  # longer than any number
        "中文编号",
    ],
)
def test_a_malformed_number_is_a_400_with_a_message(world, client, number) -> None:
    response = client.post(
        "/api/v1/case-progress/", {"number": number, "digits": MOBILE[-4:]}, content_type="application/json"
    )
    assert response.status_code == 400
    message = response.json()["errors"]["number"][0]
    # The shape (the service's message) or, past 52 characters, the serializer's length.
    assert "实施编码或事项编码加12位数字" in message or "52" in message
