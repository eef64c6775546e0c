"""Fixes from a browser walkthrough of the staffing pages: the roster's tenure flag on the SQLite
of ``make run`` (it was PostgreSQL-only SQL), the conduct incident's reference (never cut short,
and it must name something this system holds), and the window in the attendance table in the
page's language. Runs on SQLite too (.ci/run)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket
from staffing import selectors
from staffing.models import AttendanceRecord, ConductIncident, Secondment, add_years
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


# --- The tenure flag, computed by the database on any database -----------------------------


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (dt.date(2026, 1, 1), dt.date(2027, 12, 31)),  # a day short
        (dt.date(2026, 1, 1), dt.date(2028, 1, 1)),  # exactly two years
        (dt.date(2024, 2, 29), dt.date(2026, 2, 27)),  # 29 February: due on 28 February
        (dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2027, 2, 28)),
        (dt.date(2025, 12, 31), dt.date(2027, 12, 30)),
        (dt.date(2025, 12, 31), dt.date(2027, 12, 31)),
        (dt.date(2025, 3, 1), None),
    ],
)
def test_the_roster_flag_is_the_model_s_rule(world, since, until) -> None:
    row = seconded("p", hall=world.city, department=world.police, since=since, until=until, reason="机构调整")
    flagged = selectors.roster(hall_ids=None).get(pk=row.pk).flag_short_tenure
    assert flagged is row.short_tenure
    assert flagged is (until is not None and until < add_years(since, 2))


def test_the_roster_and_its_flags_answer_on_this_database(client, world) -> None:
    seconded("settled", hall=world.city, department=world.police, number="A-1")
    seconded(
        "short",
        hall=world.city,
        department=world.police,
        number="A-2",
        since=dt.date(2026, 1, 1),
        until=dt.date(2027, 1, 1),
        reason="机构调整",
    )
    seconded("untrained", hall=world.city, department=world.market, number="A-3", pre_job=False)
    client.force_login(world.city_supervisor)
    for query in ({}, {"flag": "short_tenure"}, {"flag": "no_pre_job"}, {"hall": "GZ-CITY"}):
        assert client.get(reverse("staffing-roster"), query).status_code == 200, query
    page = text(client.get(reverse("staffing-roster"), {"hall": "GZ-CITY"}))
    assert "在册 3 人，其中派驻不足两年 1 人，未完成岗前教育 1 人。" in page
    short = text(client.get(reverse("staffing-roster"), {"flag": "short_tenure"}))
    assert "A-2" in short and "A-1" not in short and "A-3" not in short


# --- The conduct incident's reference ------------------------------------------------------


def _incident(client, secondment: Secondment, reference: str, source: str = "complaint"):
    return client.post(
        reverse("staffing-person", args=[secondment.pk]),
        {
            "source": source,
            "occurred_on": "2026-11-20",
            "reference": reference,
            "description": "服务态度生硬，群众投诉",
        },
    )


def test_a_reference_too_long_is_refused_not_cut_short(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police)
    client.force_login(world.supervisor)
    form_page = text(client.get(reverse("staffing-person", args=[secondment.pk])))
    assert 'maxlength="40"' not in form_page  # a browser would cut a pasted reference silently
    response = _incident(client, secondment, "X" * 300)
    assert response.status_code == 400
    assert "关联编号最多40个字符（当前300个），请核对后重新填写。" in text(response)
    assert not ConductIncident.objects.exists()

    api = client.post(
        reverse("api:staffing-incidents", args=[secondment.pk]),
        {
            "source": "observation",
            "occurred_on": "2026-11-20",
            "reference": "Y" * 41,
            "description": "在岗玩手机被督查发现",
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and "关联编号最多40个字符" in text(api)
    assert not ConductIncident.objects.exists()


def test_a_made_up_reference_is_refused_and_a_real_one_accepted(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police)
    client.force_login(world.supervisor)
    made_up = _incident(client, secondment, "TS-20261120-9999")
    assert made_up.status_code == 400
    assert "关联编号“TS-20261120-9999”不存在" in text(made_up)
    assert not ConductIncident.objects.exists()

    category = QueueCategory.objects.get(hall=world.city, letter="A")
    Ticket.objects.create(
        hall=world.city,
        category=category,
        service_date=dt.date(2026, 11, 20),
        sequence=7,
        number="A007",
        token="t" * 32,
        source="kiosk",
        issued_at=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
        arrived_at=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
    )
    assert _incident(client, secondment, "A007", source="bad_rating").status_code == 302
    # The same number on another day is not that ticket.
    other_day = client.post(
        reverse("staffing-person", args=[secondment.pk]),
        {
            "source": "bad_rating",
            "occurred_on": "2026-11-19",
            "reference": "A007",
            "description": "服务态度生硬，群众投诉",
        },
    )
    assert other_day.status_code == 400
    # A supervisor's own observation may carry any short reference of theirs.
    assert _incident(client, secondment, "督查记录第12号", source="observation").status_code == 302
    assert list(ConductIncident.objects.order_by("pk").values_list("reference", flat=True)) == [
        "A007",
        "督查记录第12号",
    ]


# --- The window in the attendance table ----------------------------------------------------


def test_the_attendance_table_names_the_window_in_the_page_s_language(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police)
    with translation.override("en"):  # the label stored stays in the interface's language
        queue_services.window_sign_in(window=world.window_2, staff=secondment.user)
    assert AttendanceRecord.objects.get().window_label == "2号窗口"
    client.force_login(secondment.user)
    assert "2号窗口" in text(client.get(reverse("staffing-me")))
    english(client)
    mine = text(client.get(reverse("staffing-me")))
    assert "Window 2" in mine and "2号窗口" not in mine
    client.force_login(world.supervisor)
    english(client)
    person = text(client.get(reverse("staffing-person", args=[secondment.pk])))
    assert "Window 2" in person and "2号窗口" not in person
