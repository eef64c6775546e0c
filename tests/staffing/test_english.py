"""The staffing pages in English (the language switcher): the filter forms' labels and choices
and the tables' headers are translated. Hall and department names in the choices are data: their
English name where one is entered, else the Chinese as entered."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from staffing.models import Secondment
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Choices whose labels are names entered as data (halls, departments, queues).
DATA_SELECTS = {"hall", "department", "category"}


class _Controls(HTMLParser):
    """The texts of the GET filter forms' labels, help texts and options (with the select's name),
    and of the tables' column headers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._form = False
        self._select = ""
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "get":
            self._form = True
        elif tag == "select" and self._form:
            self._select = values.get("name") or ""
        elif tag == "option" and self._form:
            self._open.append(("option" if self._select not in DATA_SELECTS or not values.get("value") else "", ""))
        elif tag == "label" and self._form:
            self._open.append(("label", ""))
        elif tag == "th" and values.get("scope") == "col":
            self._open.append(("th", ""))

    def handle_data(self, data: str) -> None:
        if self._open:
            kind, text = self._open[-1]
            self._open[-1] = (kind, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("option", "label", "th") and self._open:
            kind, text = self._open.pop()
            if kind:
                self.found.append((kind, " ".join(text.split())))
        elif tag == "select":
            self._select = ""
        elif tag == "form":
            self._form = False


def chinese_controls(html: str) -> list[tuple[str, str]]:
    parser = _Controls()
    parser.feed(html)
    assert parser.found, "no form controls or headers found"
    return [(kind, text) for kind, text in parser.found if CJK.search(text)]


@pytest.fixture
def chief(world):
    seconded("ga-1", hall=world.city, department=world.police, number="GA-001")
    return seconded("chief-ga", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user


def test_the_staffing_pages_filters_and_headers_are_english(client, world, chief) -> None:
    """English is chosen with the language switcher (a cookie); the browser's Accept-Language is
    ignored by design (docs/decisions.md: the portal speaks Chinese unless asked)."""
    pages = [
        (world.supervisor, reverse("staffing-roster"), {}),
        (world.supervisor, reverse("staffing-planner"), {"hall": "GZ-CITY", "date": "2026-11-23"}),
        (world.supervisor, reverse("staffing-department"), {"department": "GZGA"}),
        (world.supervisor, reverse("staffing-replacements"), {}),
        (world.supervisor, reverse("staffing-surges"), {}),
        (world.supervisor, reverse("staffing-assessments"), {}),
        (chief, reverse("staffing-department"), {}),
        (chief, reverse("staffing-planner"), {}),
    ]
    left = {}
    for user, url, params in pages:
        client.force_login(user)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = client.get(url, params)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == "en"
        if found := chinese_controls(response.content.decode()):
            left[f"{url} {params}"] = found
    assert left == {}


def test_halls_and_departments_are_chosen_by_their_english_names_where_entered(client, world, chief) -> None:
    world.city.name_en = "Guangzhou Government Service Centre"
    world.city.save(update_fields=["name_en"])
    world.police.name_en = "Guangzhou Public Security Bureau"
    world.police.save(update_fields=["name_en"])
    world.market.name_en = ""
    world.market.save(update_fields=["name_en"])
    client.force_login(world.supervisor)
    chinese = client.get(reverse("staffing-roster")).content.decode()
    assert '<option value="GZ-CITY">广州市政务服务中心</option>' in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in (reverse("staffing-roster"), reverse("staffing-replacements"), reverse("staffing-assessments")):
        body = client.get(url).content.decode()
        assert '<option value="GZ-CITY">Guangzhou Government Service Centre</option>' in body, url
        assert '<option value="GZGA">Guangzhou Public Security Bureau</option>' in body, url
        assert '<option value="GZSCJG">广州市市场监督管理局</option>' in body, url  # no English entered
    planner = client.get(reverse("staffing-planner"), {"hall": "GZ-CITY", "date": "2026-11-23"}).content.decode()
    assert ">Guangzhou Government Service Centre</option>" in planner
