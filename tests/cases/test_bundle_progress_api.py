"""The public progress API answers a bundle application's number (YJS + 16 digits) as the page
does, and a bundle's sub-case says why it cannot be forwarded on its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import forwarding
from tests.cases.factories import COMPANY, MOBILE
from tests.cases.test_bundle_cases import receive, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/case-progress/"


def _post(client, number: str, digits: str, **extra):
    return client.post(URL, {"number": number, "digits": digits}, content_type="application/json", **extra)


def test_a_bundle_number_answers_the_bundle_progress_without_personal_data(world, setup, client) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"])
    for number, digits in ((bc.number, MOBILE[-4:]), (bc.number.lower(), COMPANY.credit_code[-4:].lower())):
        response = _post(client, number, digits)
        assert response.status_code == 200, response.json()
        assert "no-store" in response.headers.get("Cache-Control", "")
        data = response.json()
        assert data["kind"] == "bundle" and data["number"] == bc.number
        assert data["status"] == "accepted" and bc.due_on is not None and data["due_on"] == bc.due_on.isoformat()
        subs = {s["item_name"]: s for s in data["sub_cases"]}
        assert subs["税务登记"]["department_name"] == "广州市税务局"
        assert subs["税务登记"]["status"] == "waiting" and subs["税务登记"]["stage"] == 2
        assert {s["status"] for s in data["sub_cases"] if s["stage"] == 1} == {"accepted"}
        body = response.content.decode()
        assert COMPANY.name not in body and MOBILE not in body and COMPANY.credit_code not in body


def test_wrong_digits_and_an_unknown_bundle_number_answer_alike(world, setup, client) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"])
    wrong = _post(client, bc.number, "0000")
    unknown = _post(client, "YJS" + "9" * 16, MOBILE[-4:])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_a_malformed_number_is_told_both_formats(world, client) -> None:
    response = _post(client, "YJS12345", "1234")
    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["number"])
    assert "YJS" in message and "实施编码" in message
    bad_digits = _post(client, "YJS" + "1" * 16, "12")
    assert bad_digits.status_code == 400 and "digits" in bad_digits.json()["errors"]


def test_bundle_look_ups_share_the_limits(world, setup, client, settings) -> None:  # noqa: F811
    settings.THROTTLE_CASE_PROGRESS_NUMBER = "3/hour"
    bc = receive(world, setup["bundle"])
    statuses = [_post(client, bc.number, f"{k:04d}", REMOTE_ADDR=f"10.0.0.{k}").status_code for k in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert _post(client, bc.number, MOBILE[-4:]).status_code == 429
    settings.THROTTLE_CASE_PROGRESS_IP = "2/hour"
    other = [_post(client, f"YJS{k:016d}", "1234", REMOTE_ADDR="10.9.9.9").status_code for k in range(3)]
    assert other == [404, 404, 429]


def test_a_sub_case_says_it_cannot_be_forwarded_on_its_own(world, setup, client) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"])
    seal = bc.sub_cases.get(item=setup["seal"])
    expected = f"本件是一件事申请 {bc.number} 的子件，不能单独转办。"
    assert forwarding.forward_refusal(seal) == expected
    client.force_login(setup["tax_clerk"])
    page = client.get(reverse("case-forward", args=[seal.number]))
    assert page.status_code == 200 and expected in page.content.decode()
