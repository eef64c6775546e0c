"""The console's forms (walkthrough findings 5, 6, 9, 23): a refused transfer or green-channel
form says field by field what is wrong, and its top message says the same (never "fill in" for
fields that were filled); no two elements of the console share an id, and every label points
at a field that is there; the current ticket's two disclosures are styled alike."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from queueing.forms_console import GrantForm, TransferForm
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def serving(called_at_console):
    """Window 2's clerk with A001 at the counter: every form of the console is on the page."""
    return called_at_console


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "label" and found.get("for"):
            self.label_for.append(str(found["for"]))


def parsed(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def transfer(client, qh, ticket, data):
    url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "transfer"])
    return client.post(url, data, headers=HTMX)


def field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">.*?<p class="field-error"[^>]*>(.*?)</p>', body, re.S)
    assert match is not None, f"no error beside {field_id}"
    return match.group(1)


def test_the_console_has_no_duplicate_ids_and_every_label_has_its_field(client, serving) -> None:
    for response in (client.get("/staff/"), client.get("/staff/", headers=HTMX)):
        page = parsed(response.content.decode())
        duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
        assert duplicates == []
        assert set(page.label_for) <= set(page.ids)
    ids = parsed(client.get("/staff/").content.decode()).ids
    assert {"transfer-reason", "grant-reason", "transfer-category", "grant-number"} <= set(ids)


def test_the_transfer_and_grant_forms_keep_their_posted_names() -> None:
    for html, field_id in (
        (str(TransferForm(window=_window_stub())["reason"]), "transfer-reason"),
        (str(GrantForm()["reason"]), "grant-reason"),
    ):
        assert 'name="reason"' in html and f'id="{field_id}"' in html


def _window_stub():
    from queueing.models import Window

    return Window(pk=0, hall_id=0, number=1)


def test_a_transfer_without_target_and_with_a_long_reason_says_both_beside_the_fields(client, qh, serving) -> None:
    response = transfer(client, qh, serving, {"reason": "很" * 500})
    body = response.content.decode()
    assert response.status_code == 400
    summary = "未能转办，请按提示修改：请选择转至的类别或窗口（二选一）；转办原因最多200个字（已填写 500 个字）。"
    assert f'<p class="message error" role="alert">{summary}</p>' in body
    assert "请选择转至的类别或窗口（二选一）。" in field_error(body, "transfer-category")
    assert "转办原因最多200个字（已填写 500 个字）。" in field_error(body, "transfer-reason")
    assert "转办信息有误" not in body
    assert '<details class="transfer" open>' in body


def test_a_transfer_to_both_a_category_and_a_window_says_to_choose_one(client, qh, serving) -> None:
    data = {"category": qh.b.pk, "target_window": qh.window_b.pk, "reason": "社保"}
    body = transfer(client, qh, serving, data).content.decode()
    assert "转至类别和转至窗口只能选一项：请把另一项留空。" in field_error(body, "transfer-target_window")


def test_a_badly_written_number_with_a_reason_says_the_number_format_on_top(client, qh, clerk) -> None:
    response = client.post(
        reverse("console-grant", args=[qh.window_a.pk]), {"number": "ZZZ999", "reason": "行动不便"}, headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert '<p class="message error" role="alert">未能认定绿色通道，请按提示修改：请输入号码，例如 A012。</p>' in body
    assert "请填写" not in body.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert "请输入号码，例如 A012。" in field_error(body, "grant-number")


def test_the_assistance_disclosure_is_styled_like_the_transfer_one(client, serving) -> None:
    css = re.sub(r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / "static" / "css" / "console.css").read_text(), flags=re.S)
    rule = re.search(r"([^{}]*)\{[^}]*color: var\(--brand\)[^}]*\}", css)
    assert rule is not None
    selectors = {s.strip() for s in rule.group(1).split(",")}
    assert {".transfer summary", ".assistance-request summary"} <= selectors
    body = client.get("/staff/").content.decode()
    assert '<details class="assistance-request">' in body and '<details class="transfer">' in body
