"""Replacement requests (要求派出单位更换, Art. 8 ¶2): reason and deadline required, one open
request per person (service and partial unique index), closed only by a new active secondment of
the same department at the same hall begun on or after the request, or withdrawn with a reason;
overdue after the deadline; the sending department's chief representative is told; every step
audited; the pages and the API refuse alike, for supervisors of the hall only; constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from servicehall.clock import SHANGHAI
from servicehall.models import AuditEvent
from servicehall.notifications import MemoryBackend
from staffing import replacements, selectors
from staffing.models import ReplacementRequest, Secondment
from staffing.services import StaffingError
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
REASON = "多次未一次性告知所缺材料，约谈后仍未改进。"


def api(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def _request(world, secondment, **kwargs) -> ReplacementRequest:
    values = {"reason": REASON, "deadline": TODAY + dt.timedelta(days=30), "now": NOW, **kwargs}
    return replacements.replacement_request(secondment=secondment, actor=world.supervisor, **values)


def test_a_request_needs_a_reason_and_a_deadline_not_in_the_past(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police)
    with pytest.raises(StaffingError) as no_reason:
        _request(world, person, reason="  太差  ")
    assert no_reason.value.field == "reason" and "至少10个字" in str(no_reason.value.message)
    with pytest.raises(StaffingError) as past:
        _request(world, person, deadline=TODAY - dt.timedelta(days=1))
    assert past.value.field == "deadline" and "不能早于今天" in str(past.value.message)
    assert not ReplacementRequest.objects.exists() and not AuditEvent.objects.filter(action__startswith="replace")
    made = _request(world, person, deadline=TODAY)
    assert made.status == "open" and made.requested_on == TODAY and made.requested_by == world.supervisor
    assert AuditEvent.objects.filter(action="replacement.request", target_id=str(made.pk)).exists()


def test_only_one_open_request_per_person(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police)
    first = _request(world, person)
    with pytest.raises(StaffingError) as second:
        _request(world, person)
    assert second.value.status == 409 and "已有未办结的更换要求" in str(second.value.message)
    # The partial unique index holds when two requests race past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplacementRequest.objects.create(
            secondment=person,
            reason=REASON,
            deadline=TODAY,
            requested_by=world.supervisor,
            requested_at=NOW,
            requested_on=TODAY,
        )
    replacements.replacement_withdraw(
        request=first, actor=world.supervisor, reason="派出单位已承诺整改，先观察三个月。"
    )
    assert _request(world, person).status == "open"  # a new one after the first was withdrawn


def test_closing_needs_a_new_active_secondment_of_the_same_department_and_hall(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 1, 1))
    request = _request(world, person)
    earlier = seconded("earlier", hall=world.city, department=world.police, since=TODAY - dt.timedelta(days=3))
    other_dept = seconded("market", hall=world.city, department=world.market, since=TODAY)
    other_hall = seconded("tianhe", hall=world.tianhe, department=world.police, since=TODAY)
    planned = seconded("planned", hall=world.city, department=world.police, since=TODAY, status="planned")
    for wrong in (person, earlier, other_dept, other_hall, planned):
        with pytest.raises(StaffingError) as refused:
            replacements.replacement_close(request=request, actor=world.supervisor, replacement=wrong)
        assert refused.value.field == "replacement"
    request.refresh_from_db()
    assert request.status == "open" and request.replacement is None
    assert list(replacements.replacement_candidates(request)) == []
    newcomer = seconded("newcomer", hall=world.city, department=world.police, since=TODAY + dt.timedelta(days=2))
    assert list(replacements.replacement_candidates(request)) == [newcomer]
    closed = replacements.replacement_close(request=request, actor=world.supervisor, replacement=newcomer)
    assert closed.status == "replaced" and closed.replacement == newcomer and closed.closed_by == world.supervisor
    with pytest.raises(StaffingError) as again:
        replacements.replacement_withdraw(request=closed, actor=world.supervisor, reason="已经办结了还能撤回吗？")
    assert again.value.status == 409
    assert AuditEvent.objects.filter(action="replacement.close", target_id=str(closed.pk)).exists()


def test_overdue_after_the_deadline_day(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police)
    request = _request(world, person, deadline=TODAY)
    assert not request.is_overdue(TODAY) and request.is_overdue(TODAY + dt.timedelta(days=1))
    rows = replacements.request_list(hall_ids=None, today=TODAY + dt.timedelta(days=1), overdue=True)
    assert [row.pk for row in rows] == [request.pk] and rows[0].overdue
    assert not replacements.request_list(hall_ids=None, today=TODAY, overdue=True).exists()


def test_the_chief_representative_of_the_department_is_told(world, outbox, django_capture_on_commit_callbacks):
    chief = seconded("chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)
    seconded("chief-market", hall=world.city, department=world.market, role=Secondment.Role.CHIEF)
    person = seconded("clerk", hall=world.city, department=world.police, number="GZ-W009")
    with django_capture_on_commit_callbacks(execute=True):
        request = _request(world, person)
    assert replacements.replacement_notify(request.pk, "requested") == 1
    message = outbox[-1]
    assert message.recipients == [chief.user.username]
    assert "GZ-W009" in message.body and REASON in message.body and "2026-12-26" in message.body
    # Sent once per request and step: a second run of the task sends nothing new.
    count = len(outbox)
    replacements.replacement_notify(request.pk, "requested")
    assert len(outbox) == count


def test_the_roster_flags_an_open_request(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, number="A-1")
    seconded("other", hall=world.city, department=world.police, number="A-2")
    _request(world, person)
    rows = selectors.roster(hall_ids=None, flag="open_replacement")
    assert [row.staff_number for row in rows] == ["A-1"]
    assert selectors.roster_counts(selectors.roster(hall_ids=None))["open_replacements"] == 1
    client.force_login(world.supervisor)
    page = text(client.get(reverse("staffing-roster")))
    assert "待更换" in page and "已要求派出单位更换 1 人" in page
    body = client.get(api("staffing-secondment-list")).json()
    assert {row["staff_number"]: row["open_replacement"] for row in body["results"]} == {"A-1": True, "A-2": False}


# --- Pages -------------------------------------------------------------------------------------


def test_a_supervisor_files_closes_and_lists_requests_on_the_pages(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, number="A-1")
    client.force_login(world.supervisor)
    person_url = reverse("staffing-person", args=[person.pk])
    page = text(client.get(person_url))
    assert "要求派出单位更换" in page and "2026-12-26" in page  # default deadline: 30 days
    create = reverse("staffing-replacement-create", args=[person.pk])
    bad = client.post(create, {"reason": "", "deadline": "2026-11-01"})
    assert bad.status_code == 400 and "请写明要求更换的理由" in text(bad)
    past = client.post(create, {"reason": REASON, "deadline": "2026-11-01"})
    assert past.status_code == 400 and "更换期限不能早于今天" in text(past)
    assert not ReplacementRequest.objects.exists()
    assert client.post(create, {"reason": REASON, "deadline": "2026-12-10"}).status_code == 302
    again = client.post(create, {"reason": REASON, "deadline": "2026-12-10"})
    assert again.status_code == 409 and "已有未办结的更换要求" in text(again)
    request = ReplacementRequest.objects.get()
    assert "已于 2026-11-26 要求派出单位更换该人员" in text(client.get(person_url))
    listing = text(client.get(reverse("staffing-replacements"), {"status": "open"}))
    assert "A-1" in listing and "待更换" in listing
    assert "没有符合条件的更换要求" in text(client.get(reverse("staffing-replacements"), {"status": "withdrawn"}))
    assert client.get(reverse("staffing-replacements"), {"status": "nope"}).status_code == 400
    detail_url = reverse("staffing-replacement", args=[request.pk])
    assert "尚未有在提出要求之后到岗的新派驻人员" in text(client.get(detail_url))
    newcomer = seconded("newcomer", hall=world.city, department=world.police, number="A-9", since=TODAY)
    close = reverse("staffing-replacement-close", args=[request.pk])
    assert client.post(close, {"replacement": ""}).status_code == 400
    assert client.post(close, {"replacement": newcomer.pk}).status_code == 302
    request.refresh_from_db()
    assert request.status == "replaced" and request.replacement == newcomer
    assert "A-9" in text(client.get(detail_url))


def test_withdrawing_on_the_page_needs_a_reason(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police)
    request = _request(world, person)
    client.force_login(world.supervisor)
    url = reverse("staffing-replacement-withdraw", args=[request.pk])
    bad = client.post(url, {"reason": "算了"})
    assert bad.status_code == 400 and "请写明撤回的理由" in text(bad)
    assert client.post(url, {"reason": "派出单位已承诺整改，先观察三个月。"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn" and request.withdraw_reason.startswith("派出单位")


def test_a_clerk_or_a_supervisor_of_another_hall_cannot(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police)
    request = _request(world, person)
    chief = seconded("chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user
    for outsider, status in ((person.user, 403), (chief, 403), (world.tianhe_supervisor, 403)):
        client.force_login(outsider)
        create = client.post(
            reverse("staffing-replacement-create", args=[person.pk]), {"reason": REASON, "deadline": "2026-12-10"}
        )
        assert create.status_code == status
        assert client.get(reverse("staffing-replacement", args=[request.pk])).status_code == status
        withdraw = client.post(
            api("staffing-replacement-withdraw", request.pk), {"reason": REASON}, content_type="application/json"
        )
        assert withdraw.status_code == status
    client.force_login(world.tianhe_supervisor)
    assert client.get(api("staffing-replacement-list")).json()["results"] == []
    assert client.get(reverse("staffing-replacements")).status_code == 200
    assert "没有符合条件的更换要求" in text(client.get(reverse("staffing-replacements")))
    assert ReplacementRequest.objects.count() == 1


# --- API -----------------------------------------------------------------------------------------


def test_the_api_makes_closes_and_withdraws_with_field_messages(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, number="A-1")
    client.force_login(world.supervisor)
    url = api("staffing-replacement-list")
    bad = client.post(url, {"secondment": person.pk, "reason": "差"}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    past = client.post(
        url, {"secondment": person.pk, "reason": REASON, "deadline": "2026-01-01"}, content_type="application/json"
    )
    assert past.status_code == 400 and set(past.json()["errors"]) == {"deadline"}
    made = client.post(url, {"secondment": person.pk, "reason": REASON}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["deadline"] == "2026-12-26" and body["status"] == "open" and body["overdue"] is False
    second = client.post(url, {"secondment": person.pk, "reason": REASON}, content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "duplicate"
    listed = client.get(url, {"status": "open", "department": "GZGA"}).json()
    assert [row["secondment"]["staff_number"] for row in listed["results"]] == ["A-1"]
    assert client.get(url, {"overdue": "maybe", "status": "x"}).json()["errors"].keys() == {"overdue", "status"}
    close_url = api("staffing-replacement-close", body["id"])
    wrong = client.post(close_url, {"replacement": person.pk}, content_type="application/json")
    assert wrong.status_code == 400 and "replacement" in wrong.json()["errors"]
    newcomer = seconded("newcomer", hall=world.city, department=world.police, number="A-9", since=TODAY)
    closed = client.post(close_url, {"replacement": newcomer.pk}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["replacement"]["staff_number"] == "A-9"
    late = client.post(
        api("staffing-replacement-withdraw", body["id"]), {"reason": REASON}, content_type="application/json"
    )
    assert late.status_code == 409


def test_the_list_pages_in_a_fixed_number_of_queries(client, world, django_assert_num_queries) -> None:
    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            person = seconded(f"c{n}", hall=world.city, department=world.police, number=f"N-{n:03d}")
            _request(world, person, deadline=TODAY + dt.timedelta(days=n % 3))

    grow(0, 5)
    client.force_login(world.supervisor)
    client.get(reverse("staffing-replacements"))  # warm the session and scope
    with django_assert_num_queries(8):
        client.get(reverse("staffing-replacements"))
    with django_assert_num_queries(API_QUERIES):
        client.get(api("staffing-replacement-list"))
    grow(5, 60)
    with django_assert_num_queries(8):
        page = text(client.get(reverse("staffing-replacements")))
    assert "共 65 项" in page and "第 1 页，共 2 页" in page
    with django_assert_num_queries(API_QUERIES):
        assert client.get(api("staffing-replacement-list")).json()["count"] == 65
    assert timezone.now() == NOW


API_QUERIES = 6
