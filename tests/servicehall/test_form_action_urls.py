"""The action URLs of the forms outside the console and the case pages (supervisor controls,
staffing, feedback, appointments, the ticket page, care mode, logout): a GET of one — a reload
after a refused form was drawn there, the history, a shared link — goes to the page the form is
on (servicehall.http.post_action) instead of a bare 405, only after the view's own login and
role check, and without doing anything; a POST works as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.cases.factories import World, make_world

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("servicehall", "catalog", "queueing", "appointments", "cases", "feedback", "staffing")
TOKEN = "a" * 32  # the redirect reads no ticket: any well-formed token will do
HALL = "GZ-CITY"

# (action URL name, its kwargs, who opens it, the form's page, that page's kwargs, query kept)
ACTIONS = [
    ("staffing-replacement-create", {"pk": 5}, "supervisor", "staffing-person", {"pk": 5}, False),
    ("staffing-replacement-close", {"pk": 5}, "supervisor", "staffing-replacement", {"pk": 5}, False),
    ("staffing-replacement-withdraw", {"pk": 5}, "supervisor", "staffing-replacement", {"pk": 5}, False),
    (
        "staffing-department-replacement-close",
        {"pk": 5},
        "market_chief",
        "staffing-department-replacement",
        {"pk": 5},
        False,
    ),
    ("queue-ticket-cancel", {"token": TOKEN}, None, "queue-ticket", {"token": TOKEN}, False),
    ("supervisor-window-open", {"code": HALL, "pk": 5}, "supervisor", "supervisor-hall", {"code": HALL}, False),
    ("supervisor-window-close", {"code": HALL, "pk": 5}, "supervisor", "supervisor-hall", {"code": HALL}, False),
    ("supervisor-board-message", {"code": HALL}, "supervisor", "supervisor-hall", {"code": HALL}, False),
    (
        "supervisor-board-message-withdraw",
        {"code": HALL, "pk": 5},
        "supervisor",
        "supervisor-hall",
        {"code": HALL},
        False,
    ),
    ("supervisor-alert-acknowledge", {"code": HALL, "pk": 5}, "supervisor", "supervisor-hall", {"code": HALL}, False),
    ("care-mode", {}, None, "home", {}, False),
    ("logout", {}, "clerk", "staff-home", {}, False),
    ("ratings-rollup-now", {}, "supervisor", "ratings-public", {}, False),
    ("rating-tablet-submit", {"pk": 5, "ticket_pk": 6}, "clerk", "rating-tablet", {"pk": 5}, False),
    ("rectification-action", {"pk": 5, "action": "verify"}, "clerk", "rectification-detail", {"pk": 5}, False),
    ("report-action", {"number": "BC1", "action": "note"}, "market_chief", "report-detail", {"number": "BC1"}, False),
    (
        "supervisor-appointments-capacity",
        {"code": HALL},
        "supervisor",
        "supervisor-appointments",
        {"code": HALL},
        True,
    ),
    ("supervisor-slot-close", {"code": HALL, "pk": 5}, "supervisor", "supervisor-appointments", {"code": HALL}, True),
    ("supervisor-suspension-lift", {}, "supervisor", "supervisor-suspensions", {}, True),
]
IDS = [row[0] for row in ACTIONS]


@pytest.fixture
def world(db) -> World:
    return make_world()


def _client(world: World, who: str | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(getattr(world, who))
    return client


@pytest.mark.parametrize(("name", "kwargs", "who", "page", "page_kwargs", "query"), ACTIONS, ids=IDS)
def test_a_get_of_a_form_action_url_goes_to_the_forms_page(world, name, kwargs, who, page, page_kwargs, query) -> None:
    client = _client(world, who)
    url = reverse(name, kwargs=kwargs)
    expected = reverse(page, kwargs=page_kwargs)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == expected
    assert client.head(url).status_code == 302
    # The page's own query (its day, its list page) comes along where the form posts to it.
    response = client.get(f"{url}?day=2026-11-25&page=2")
    assert response["Location"] == (f"{expected}?day=2026-11-25&page=2" if query else expected)
    assert client.put(url).status_code == 405


@pytest.mark.parametrize(
    ("name", "kwargs"), [(row[0], row[1]) for row in ACTIONS if row[2] is not None and row[0] != "logout"]
)
def test_an_anonymous_get_of_a_staff_action_url_still_goes_to_the_login_page(name, kwargs) -> None:
    url = reverse(name, kwargs=kwargs)
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize(
    ("name", "kwargs", "who"),
    [
        ("supervisor-window-open", {"code": HALL, "pk": 5}, "clerk"),
        ("staffing-replacement-close", {"pk": 5}, "clerk"),
        ("staffing-department-replacement-close", {"pk": 5}, "supervisor"),
        ("ratings-rollup-now", {}, "market_chief"),
        ("supervisor-suspension-lift", {}, "market_clerk"),
    ],
)
def test_a_get_by_a_role_the_view_refuses_is_still_refused(world, name, kwargs, who) -> None:
    response = _client(world, who).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403


def test_a_get_of_the_logout_url_leaves_the_person_logged_in(world) -> None:
    client = _client(world, "clerk")
    response = client.get(reverse("logout"), follow=True)
    assert response.status_code == 200 and response.wsgi_request.user == world.clerk
    # Anonymous: the staff home sends them on to the login page.
    anonymous = Client().get(reverse("logout"), follow=True)
    assert anonymous.redirect_chain[-1][0].startswith(reverse("login"))


def test_a_post_of_the_logout_url_still_logs_out(world) -> None:
    client = _client(world, "clerk")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    assert "_auth_user_id" not in client.session


def test_a_post_of_care_mode_still_sets_it_and_a_get_sets_nothing(client) -> None:
    response = client.get(reverse("care-mode"), {"care_mode": "on"})
    assert response.status_code == 302 and settings.CARE_MODE_COOKIE not in response.cookies
    response = client.post(reverse("care-mode"), {"care_mode": "on", "next": "/guides/"})
    assert response.status_code == 302 and response["Location"] == "/guides/"
    assert response.cookies[settings.CARE_MODE_COOKIE].value == "1"


def test_no_page_view_answers_a_get_of_a_form_action_with_405() -> None:
    # bench/ keeps require_POST: its views are load-generator endpoints, not a person's forms.
    files = [path for app in APPS for path in (ROOT / app).glob("views*.py")]
    bare = [
        f"{path.relative_to(ROOT)}:{match.group(1)}"
        for path in files
        for match in re.finditer(r"@require_POST\s*\n(?:@.*\n)*def (\w+)", path.read_text(encoding="utf-8"))
    ]
    assert not bare, f"use servicehall.http.post_action(<the form's page>) instead of require_POST: {bare}"
