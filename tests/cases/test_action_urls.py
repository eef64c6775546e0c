"""A form's action URL (``/staff/cases/<number>/extend/``, the console's ``/staff/windows/<pk>/
call-next/``) that is opened with GET — the address bar after a refused form was drawn there,
the history, a shared link — goes to the page the form is on instead of a bare 405
(servicehall.http.post_action); other methods still get 405."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def test_a_refused_case_form_then_a_get_of_its_url_goes_to_the_case(client, world) -> None:
    case = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    url = reverse("case-action", args=[case.number, "extend"])
    client.force_login(world.market_chief)
    refused = client.post(url, {"extend-days": "2", "extend-reason": " "})
    assert refused.status_code == 400  # drawn again at the action URL, the error beside the field
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("case-detail", args=[case.number])
    assert client.get(again["Location"]).status_code == 200
    assert client.head(url).status_code == 302
    assert client.put(url).status_code == 405
    notice = client.get(reverse("case-notice", args=[case.number]))
    assert notice.status_code == 302 and notice["Location"] == reverse("case-detail", args=[case.number])
    assert Case.objects.get().extension_days == 0  # a GET does nothing


def test_a_get_of_a_case_action_of_another_hall_still_finds_nothing(client, world) -> None:
    case = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    client.force_login(world.tianhe_market_chief)
    response = client.get(reverse("case-action", args=[case.number, "extend"]), follow=True)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs", "target"),
    [
        ("console-sign-in", {"pk": 1}, "staff-home"),
        ("console-sign-out", {"pk": 1}, "staff-home"),
        ("console-log-out", {}, "staff-home"),
        ("console-call-next", {"pk": 1}, "staff-home"),
        ("console-grant", {"pk": 1}, "staff-home"),
        ("console-ticket-action", {"pk": 1, "ticket_pk": 2, "action": "finish"}, "staff-home"),
        ("console-assistance", {"pk": 1, "ticket_pk": 2}, "staff-home"),
        ("console-check-in", {"pk": 1}, "staff-home"),
        ("case-ticket-item-record", {"pk": 1, "ticket_pk": 2}, "staff-home"),
        ("case-ticket-item-remove", {"pk": 1, "ticket_pk": 2, "record_pk": 3}, "staff-home"),
        ("case-forwarding-accept", {"pk": 1}, "case-forwarding-inbox"),
        ("case-forwarding-return", {"pk": 1}, "case-forwarding-inbox"),
        ("bundle-case-action", {"number": "YJS1", "action": "accept"}, "bundle-case-detail"),
        ("bundle-case-notice", {"number": "YJS1"}, "bundle-case-detail"),
    ],
)
def test_a_get_of_a_console_or_case_action_url_goes_to_its_page(client, world, name, kwargs, target) -> None:
    client.force_login(world.clerk)
    response = client.get(reverse(name, kwargs=kwargs))
    expected = reverse(target, kwargs={k: v for k, v in kwargs.items() if k == "number"})
    assert response.status_code == 302 and response["Location"] == expected


def test_a_get_of_the_chiefs_decision_url_goes_to_the_request(client, world) -> None:
    client.force_login(world.market_chief)
    response = client.get(reverse("urgent-decide", kwargs={"pk": 7, "action": "approve"}))
    assert response.status_code == 302 and response["Location"] == reverse("urgent-detail", kwargs={"pk": 7})


def test_no_console_or_case_action_view_answers_a_get_with_405() -> None:
    files = [
        *(ROOT / "cases").glob("views*.py"),
        ROOT / "queueing/views_console.py",
        ROOT / "queueing/views_assistance.py",
    ]
    bare = [
        f"{path.relative_to(ROOT)}:{match.group(1)}"
        for path in files
        for match in re.finditer(r"@require_POST\s*\ndef (\w+)", path.read_text(encoding="utf-8"))
    ]
    assert not bare, f"use servicehall.http.post_action(<the form's page>) instead of require_POST: {bare}"
