"""Every named form of the supervisor's hall page is a landmark with a name of its own (issue 8:
axe "landmark-unique" found the alert acknowledgement forms all named alike)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse

from queueing.models import WaitAlert
from servicehall import roles
from tests.queueing.factories import NOW
from tests.queueing.test_dashboard import _alert_fields
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


class _Landmarks(HTMLParser):
    """The forms named by ``aria-labelledby`` or ``aria-label``, and the text of every element
    with an id (what a name refers to)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str]] = []  # ("ref", id) or ("label", text)
        self.texts: dict[str, str] = {}
        self.open: list[tuple[str, str | None]] = []  # (tag, id) of the elements being read

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("aria-labelledby"):
            self.forms.append(("ref", attributes["aria-labelledby"] or ""))
        elif tag == "form" and attributes.get("aria-label"):
            self.forms.append(("label", attributes["aria-label"] or ""))
        if tag in self.VOID:
            return
        element_id = attributes.get("id")
        if element_id:
            self.texts[element_id] = ""
        self.open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            open_tag, _id = self.open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self.open:
            if element_id:
                self.texts[element_id] += data

    def names(self) -> list[str]:
        return [
            " ".join(" ".join(self.texts.get(ref, "") for ref in value.split()).split()) if kind == "ref" else value
            for kind, value in self.forms
        ]


def test_each_alert_form_has_a_name_of_its_own(client, qh) -> None:
    supervisor = staff_user("landmark-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.b))
    # Closed without an explanation: they still take a cause and an action, twice for queue A.
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a, opened_at=NOW - 90 * MIN, closed_at=NOW - 60 * MIN))
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a, opened_at=NOW - 150 * MIN, closed_at=NOW - 120 * MIN))
    client.force_login(supervisor)

    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("supervisor-hall", args=[qh.hall.code])).content.decode()

    parser = _Landmarks()
    parser.feed(page)
    names = parser.names()
    alert_names = [name for name in names if "记录原因分析和改进措施" in name]
    assert len(alert_names) == 4
    assert all(name.strip() for name in names) and len(set(names)) == len(names), names
    assert any("A类 户政业务" in name and "09:40 触发" in name for name in alert_names), alert_names
