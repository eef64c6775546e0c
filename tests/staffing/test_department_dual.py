"""The chief representative's read of the dual management of their department (Art. 8 ¶1–3):
the replacement requests addressed to the department, where they record the replacement put in
post, and the annual assessment proposals (read-only, the grade once submitted), linked from
/staff/department/ and scoped to their own department at their own hall; and overdue requests,
flagged on the roster and told to the management department once by a periodic job."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicehall.clock import SHANGHAI
from servicehall.models import AuditEvent
from servicehall.notifications import MemoryBackend
from staffing import assessments, replacements, selectors
from staffing.models import AssessmentProposal, ReplacementRequest, Secondment
from staffing.services import StaffingError
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
YESTERDAY = TODAY - dt.timedelta(days=1)
REASON = "多次未一次性告知所缺材料，约谈后仍未改进。"
DEPUTY = "人员登记中本部门在本大厅在岗的首席事务代表是其他人员"


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


def _request(world, secondment, *, deadline=None, now=NOW) -> ReplacementRequest:
    return replacements.replacement_request(
        secondment=secondment,
        actor=world.supervisor,
        reason=REASON,
        deadline=deadline or TODAY + dt.timedelta(days=30),
        now=now,
    )


@pytest.fixture
def people(world):
    """The police's chief at the city hall, two of its clerks with requests (one past its
    deadline: yesterday), and requests about the market's clerk and the police's clerk at
    Tianhe (past its deadline too), which are not the chief's."""
    chief = seconded("chief-ga", hall=world.city, department=world.police, role=Secondment.Role.CHIEF, number="C-1")
    mine = seconded("ga-1", hall=world.city, department=world.police, number="GA-001")
    late = seconded("ga-2", hall=world.city, department=world.police, number="GA-002")
    market = seconded("sc-1", hall=world.city, department=world.market, number="SC-001")
    tianhe = seconded("th-1", hall=world.tianhe, department=world.police, number="TH-001")
    requests = {
        "mine": _request(world, mine),
        "late": _request(world, late, deadline=TODAY),
        "market": _request(world, market),
        "tianhe": replacements.replacement_request(
            secondment=tianhe, actor=world.tianhe_supervisor, reason=REASON, deadline=TODAY, now=NOW
        ),
    }
    # Made a month ago with a deadline of yesterday (written straight: the service refuses a
    # deadline in the past, and a session does not survive travelling in time).
    ReplacementRequest.objects.filter(pk__in=[requests["late"].pk, requests["tianhe"].pk]).update(deadline=YESTERDAY)
    return chief.user, requests


# --- Replacement requests, for the department's chief representative ---------------------------


def test_the_chief_sees_only_their_departments_requests(client, world, people) -> None:
    chief, requests = people
    client.force_login(chief)
    listing = client.get(reverse("staffing-department-replacements"))
    overdue = text(client.get(reverse("staffing-department-replacements"), {"overdue": "on"}))
    assert listing.status_code == 200
    body = text(listing)
    assert "GA-001" in body and "GA-002" in body and "已超期" in body
    assert "SC-001" not in body and "TH-001" not in body
    assert "GA-002" in overdue and "GA-001" not in overdue
    assert client.get(reverse("staffing-department-replacements"), {"status": "nope"}).status_code == 400
    own = client.get(reverse("staffing-department-replacement", args=[requests["mine"].pk]))
    assert own.status_code == 200 and REASON in text(own)
    assert "撤回要求" not in text(own)  # withdrawing stays the management department's
    for other in ("market", "tianhe"):
        assert client.get(reverse("staffing-department-replacement", args=[requests[other].pk])).status_code == 404
        close = reverse("staffing-department-replacement-close", args=[requests[other].pk])
        assert client.post(close, {"replacement": 1}).status_code == 404
    # The supervisors' pages stay theirs.
    assert client.get(reverse("staffing-replacements")).status_code == 403
    assert client.get(reverse("staffing-replacement", args=[requests["mine"].pk])).status_code == 403


def test_the_chief_records_the_replacement_in_post(client, world, people, outbox, django_capture_on_commit_callbacks):
    chief, requests = people
    request = requests["mine"]
    client.force_login(chief)
    url = reverse("staffing-department-replacement", args=[request.pk])
    assert "尚未有在提出要求之后到岗的新派驻人员" in text(client.get(url))
    newcomer = seconded("ga-9", hall=world.city, department=world.police, number="GA-009", since=TODAY)
    close = reverse("staffing-department-replacement-close", args=[request.pk])
    empty = client.post(close, {"replacement": ""})
    assert empty.status_code == 400 and "请选择已到岗的接替人员" in text(empty)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(close, {"replacement": newcomer.pk}).status_code == 302
    request.refresh_from_db()
    assert request.status == "replaced" and request.replacement == newcomer and request.closed_by == chief
    assert AuditEvent.objects.filter(action="replacement.close", target_id=str(request.pk)).exists()
    assert "GA-009" in text(client.get(url))
    # The management department that asked hears of it, and the chief too.
    assert replacements.replacement_notify(request.pk, "replaced") == 2
    assert set(outbox[-1].recipients) == {chief.username, world.supervisor.username}
    again = client.post(close, {"replacement": newcomer.pk})
    assert again.status_code in (400, 409)


def test_closing_is_refused_to_others_and_withdrawing_to_the_chief(world, people) -> None:
    chief, requests = people
    market_chief = seconded(
        "chief-sc", hall=world.city, department=world.market, role=Secondment.Role.CHIEF, number="C-2"
    ).user
    newcomer = seconded("ga-9", hall=world.city, department=world.police, number="GA-009", since=TODAY)
    for outsider in (market_chief, newcomer.user, world.tianhe_supervisor):
        with pytest.raises(StaffingError) as refused:
            replacements.replacement_close(request=requests["mine"], actor=outsider, replacement=newcomer)
        assert refused.value.status == 403
    with pytest.raises(StaffingError) as withdraw:
        replacements.replacement_withdraw(request=requests["mine"], actor=chief, reason="本部门认为无需更换此人。")
    assert withdraw.value.status == 403
    assert ReplacementRequest.objects.get(pk=requests["mine"].pk).status == "open"


def test_a_deputy_a_clerk_and_a_supervisor_are_refused_the_chiefs_pages(client, world, people) -> None:
    chief, requests = people
    deputy = seconded(
        "deputy-ga", hall=world.city, department=world.police, role=Secondment.Role.CHIEF, status="planned"
    ).user
    urls = [
        reverse("staffing-department-replacements"),
        reverse("staffing-department-replacement", args=[requests["mine"].pk]),
        reverse("staffing-department-assessments"),
    ]
    for user in (deputy, Secondment.objects.get(staff_number="GA-001").user, world.supervisor):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, (user, url)
    client.force_login(deputy)
    assert DEPUTY in text(client.get(urls[0]))


# --- Assessment proposals, read-only for the chief representative -----------------------------


def test_the_chief_reads_the_departments_proposals_once_submitted(client, world, people) -> None:
    chief, _requests = people
    year = TODAY.year - 1
    submitted_person = Secondment.objects.get(staff_number="GA-001")
    draft_person = Secondment.objects.get(staff_number="GA-002")
    market_person = Secondment.objects.get(staff_number="SC-001")
    justification = "全年按时到岗，窗口服务规范，群众评价良好，无违规记录。"
    done = assessments.proposal_save(
        secondment=submitted_person, actor=world.supervisor, year=year, grade="competent", justification=justification
    )
    assessments.proposal_submit(proposal=done, actor=world.supervisor, now=NOW)
    assessments.proposal_save(
        secondment=draft_person,
        actor=world.supervisor,
        year=year,
        grade="basic",
        justification="草稿中的考核意见十个字以上。",
    )
    assessments.proposal_save(
        secondment=market_person, actor=world.supervisor, year=year, grade="competent", justification=justification
    )
    client.force_login(chief)
    response = client.get(reverse("staffing-department-assessments"))
    assert response.status_code == 200
    body = text(response)
    assert f"{year}年度考核建议" in body
    assert "GA-001" in body and "称职" in body and justification in body
    assert "GA-002" in body and "管理部门拟定中" in body and "草稿中的考核意见" not in body and "基本称职" not in body
    assert "SC-001" not in body
    assert "导出CSV" not in body and reverse("staffing-assessment", args=[submitted_person.pk, year]) not in body
    assert client.get(reverse("staffing-department-assessments"), {"year": "20x5"}).status_code == 400
    assert client.get(reverse("staffing-department-assessments"), {"year": str(TODAY.year + 1)}).status_code == 400
    assert client.post(reverse("staffing-department-assessments"), {"year": year}).status_code == 405
    assert AssessmentProposal.objects.filter(secondment=submitted_person).get().status == "submitted"


def test_the_department_page_links_and_counts_the_requests(client, world, people) -> None:
    chief, _requests = people
    client.force_login(chief)
    body = text(client.get(reverse("staffing-department")))
    api = client.get("/api/v1/staffing/department/").json()
    assert reverse("staffing-department-replacements") in body
    assert reverse("staffing-department-assessments") in body
    assert "要求本部门更换派驻人员 2 人" in body and "1 人已超过更换期限" in body
    assert api["counts"]["replacements_open"] == 2 and api["counts"]["replacements_overdue"] == 1
    client.force_login(world.supervisor)
    body = text(client.get(reverse("staffing-department"), {"department": "GZSCJG"}))
    assert reverse("staffing-department-replacements") not in body
    assert f"{reverse('staffing-replacements')}?hall=GZ-CITY&amp;department=GZSCJG" in body


def test_the_chiefs_pages_read_a_fixed_number_of_queries(client, world, people, django_assert_num_queries) -> None:
    chief, _requests = people
    client.force_login(chief)
    urls = [reverse("staffing-department-replacements"), reverse("staffing-department-assessments")]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    counts()  # warm the session
    few = counts()
    for n in range(10):
        person = seconded(f"grow-{n}", hall=world.city, department=world.police, number=f"GR-{n:03d}")
        _request(world, person)
    assert counts() == few


# --- Overdue requests ----------------------------------------------------------------------------


def test_the_roster_and_the_list_flag_overdue_requests(client, world, people) -> None:
    client.force_login(world.supervisor)
    roster = text(client.get(reverse("staffing-roster")))
    flagged = text(client.get(reverse("staffing-roster"), {"flag": "overdue_replacement"}))
    listing = text(client.get(reverse("staffing-replacements")))
    api = client.get("/api/v1/staffing/secondments/").json()
    assert "其中 1 人已超过更换期限" in roster and "更换已超期" in roster
    assert "GA-002" in flagged and "GA-001" not in flagged
    assert "已超期" in listing
    overdue = {row["staff_number"]: row["overdue_replacement"] for row in api["results"]}
    assert overdue["GA-002"] is True and overdue["GA-001"] is False
    # On the deadline day itself it was not overdue yet.
    assert selectors.roster_counts(selectors.roster(hall_ids=None, today=YESTERDAY))["overdue_replacements"] == 0
    assert selectors.roster_counts(selectors.roster(hall_ids=None, today=TODAY))["overdue_replacements"] == 2


def test_the_management_department_is_told_of_an_overdue_request_once(world, people, outbox) -> None:
    _chief, requests = people
    assert replacements.replacement_overdue_notify(now=NOW - dt.timedelta(days=1)).claimed == 0  # deadline day
    later = NOW
    run = replacements.replacement_overdue_notify(now=later)
    assert (run.claimed, run.notified, run.failed) == (2, 2, 0)
    by_number = {message.subject.split("：")[1]: message for message in outbox}
    assert set(by_number) == {"GA-002", "TH-001"}
    assert by_number["GA-002"].recipients == [world.supervisor.username]
    assert by_number["TH-001"].recipients == [world.tianhe_supervisor.username]
    assert "期限 2026-11-25 已过" in by_number["GA-002"].body
    assert by_number["GA-002"].data["idempotency_key"] == f"replacement-{requests['late'].pk}-overdue"
    assert replacements.replacement_overdue_notify(now=later + dt.timedelta(hours=1)).claimed == 0
    assert len(outbox) == 2
    # A request replaced or withdrawn before it falls due is never told about.
    replacements.replacement_withdraw(
        request=requests["mine"], actor=world.supervisor, reason="派出单位已承诺整改，先观察。"
    )
    assert replacements.replacement_overdue_notify(now=NOW + dt.timedelta(days=40)).claimed == 1  # only the market's
    assert len(outbox) == 3


def test_a_refused_overdue_message_is_retried_by_the_next_run(world, people, outbox, monkeypatch) -> None:
    from servicehall import notifications

    def refuse(**kwargs):
        raise ConnectionError("gateway down")

    later = NOW
    monkeypatch.setattr(notifications, "notify", refuse)
    assert replacements.replacement_overdue_notify(now=later).failed == 2
    assert not ReplacementRequest.objects.filter(overdue_notified_at__isnull=False).exists()
    monkeypatch.undo()
    assert replacements.replacement_overdue_notify(now=later + dt.timedelta(hours=1)).notified == 2
    assert len(outbox) == 2


def test_the_overdue_job_reads_a_fixed_number_of_queries(world, outbox) -> None:
    def grow(start: int, count: int, hall) -> None:
        for n in range(start, start + count):
            person = seconded(f"o{n}", hall=hall, department=world.police, number=f"O-{n:03d}")
            supervisor = world.supervisor if hall == world.city else world.tianhe_supervisor
            replacements.replacement_request(
                secondment=person, actor=supervisor, reason=REASON, deadline=TODAY, now=NOW
            )

    def job_queries(now) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            run = replacements.replacement_overdue_notify(now=now)
        # Each message's key in the notification log (its insert and update, and the savepoints
        # of get_or_create) is the log's cost, one per message by design; the job's own reads are
        # what must not grow.
        own = [
            q
            for q in captured.captured_queries
            if "sentnotification" not in q["sql"].lower() and "SAVEPOINT" not in q["sql"].upper()
        ]
        return len(own), run.notified

    grow(0, 1, world.city)
    few, sent = job_queries(NOW + dt.timedelta(days=1))
    assert sent == 1
    grow(10, 6, world.city)
    grow(20, 5, world.tianhe)
    many, sent = job_queries(NOW + dt.timedelta(days=2))
    assert sent == 11 and many == few
    idle, _sent = job_queries(NOW + dt.timedelta(days=3))
    assert idle <= few


def test_the_overdue_job_is_scheduled(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["staffing-overdue-replacements"]
    assert entry["task"] == "staffing.tasks.notify_overdue_replacements"
    from staffing import tasks

    assert tasks.notify_overdue_replacements.name == entry["task"]


def test_the_api_gives_the_chief_their_departments_requests_only(client, world, people) -> None:
    chief, requests = people
    client.force_login(chief)
    url = reverse("api:staffing-replacement-list")
    listed = client.get(url).json()
    assert {row["secondment"]["staff_number"] for row in listed["results"]} == {"GA-001", "GA-002"}
    assert client.get(url, {"department": "GZSCJG"}).status_code == 400
    assert [row["secondment"]["staff_number"] for row in client.get(url, {"overdue": "true"}).json()["results"]] == [
        "GA-002"
    ]
    newcomer = seconded("ga-9", hall=world.city, department=world.police, number="GA-009", since=TODAY)
    for other in ("market", "tianhe"):
        close = reverse("api:staffing-replacement-close", args=[requests[other].pk])
        assert client.post(close, {"replacement": newcomer.pk}, content_type="application/json").status_code == 404
    withdraw = reverse("api:staffing-replacement-withdraw", args=[requests["mine"].pk])
    assert client.post(withdraw, {"reason": REASON}, content_type="application/json").status_code == 403
    create = client.post(url, {"secondment": newcomer.pk, "reason": REASON}, content_type="application/json")
    assert create.status_code == 403
    close = reverse("api:staffing-replacement-close", args=[requests["mine"].pk])
    closed = client.post(close, {"replacement": newcomer.pk}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["replacement"]["staff_number"] == "GA-009"
    deputy = seconded(
        "deputy-ga", hall=world.city, department=world.police, role=Secondment.Role.CHIEF, status="planned"
    ).user
    client.force_login(deputy)
    refused = client.get(url)
    assert refused.status_code == 403 and DEPUTY in refused.content.decode()
