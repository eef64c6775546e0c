"""Annual assessment proposals (年度考核建议, Art. 8 ¶1): the figures of a year for everybody in
one query (tickets served and their service time, ratings with the appeals, "办不成事" reports
attributed through attendance at the window, conduct incidents, attendance days), a proposal
with its evidence snapshotted, refused without evidence or justification (nothing saved), one per
person and year, revised until submitted and locked after; the CSV for the sending department;
supervisors of the hall only; constant queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Rating, RatingAppeal, RectificationOrder, Report, ReportAssignment, ReportCategory
from queueing.models import QueueCategory, Ticket
from servicehall.clock import SHANGHAI
from servicehall.models import AuditEvent
from staffing import assessments
from staffing.models import AssessmentProposal, AttendanceRecord, ConductIncident, Secondment
from staffing.services import StaffingError
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
YEAR = 2025
GOOD = (
    "全年办件量居本单位前列，服务规范，评价满意率高，未发生违反行为规范情况，工作积极主动，多次获得服务对象书面表扬。"
)
_seq = itertools.count(1)


def api(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(month: int, day: int, hour: int = 10, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def ticket(world, staff, finished: dt.datetime, minutes: int = 10) -> Ticket:
    category = QueueCategory.objects.filter(hall=world.city).first()
    n = next(_seq)
    return Ticket.objects.create(
        hall=world.city,
        category=category,
        service_date=finished.date(),
        sequence=n,
        number=f"A{n:03d}",
        token=f"tok{n}",
        source="kiosk",
        status="done",
        issued_at=finished - dt.timedelta(minutes=minutes + 5),
        arrived_at=finished - dt.timedelta(minutes=minutes + 5),
        started_at=finished - dt.timedelta(minutes=minutes),
        finished_at=finished,
        window=world.window_1,
        staff=staff,
    )


def rating(world, t: Ticket, level: str, *, appeal: str = "") -> Rating:
    indicators = {} if level == "satisfied" else {k: level for k in ("overall", "efficiency", "quality", "attitude")}
    made = Rating.objects.create(
        kind="ticket",
        ticket=t,
        hall=world.city,
        window=world.window_1,
        department=world.police,
        staff=t.staff,
        level=level,
        source="default" if level == "satisfied" else "tablet",
        is_default=level == "satisfied",
        served_at=t.finished_at,
        served_month=t.finished_at.date().replace(day=1),
        rated_at=t.finished_at,
        excluded=appeal == "overturned",
        **indicators,
    )
    if appeal:
        order = RectificationOrder.objects.create(
            rating=made,
            number=f"ZG{next(_seq):06d}",
            hall=world.city,
            department=world.police,
            status="overturned" if appeal == "overturned" else "verifying",
            opened_at=t.finished_at,
        )
        RatingAppeal.objects.create(
            order=order,
            reason="评价人误评",
            appealed_by=t.staff,
            appealed_at=t.finished_at,
            status_before="verifying",
            decision=appeal,
            decided_by=world.supervisor,
            decided_at=t.finished_at,
            decision_reason="经调取录像核实",
        )
    return made


def report(world, tried_on: dt.date, *, window=None) -> Report:
    category = ReportCategory.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    n = next(_seq)
    made = Report.objects.create(
        number=f"BC{tried_on:%Y%m%d}{n:04d}",
        progress_token=f"p{n}",
        channel="window",
        hall=world.city,
        window=window,
        tried_on=tried_on,
        problem="材料清单与窗口要求不一致",
        category=category,
        contact_name="张先生",
        contact_mobile_masked="138****0000",
        contact_mobile_digest=f"d{n}",
        registered_at=at(tried_on.month, tried_on.day),
        registered_on=tried_on,
        due_on=tried_on,
    )
    ReportAssignment.objects.create(report=made, department=world.police, assigned_at=made.registered_at)
    return made


def attend(world, user, start: dt.datetime, hours: int = 4) -> None:
    AttendanceRecord.objects.create(
        user=user,
        hall=world.city,
        window=world.window_1,
        window_label="1号窗口",
        signed_in_at=start,
        signed_out_at=start + dt.timedelta(hours=hours),
    )


def figures(secondment) -> dict:
    return assessments.figures_for(secondment, YEAR)


def test_the_figures_of_a_year(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))
    other = seconded("other", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))
    user = person.user
    t1 = ticket(world, user, at(3, 2), minutes=10)
    t2 = ticket(world, user, at(3, 3), minutes=20)
    t3 = ticket(world, user, at(6, 1), minutes=30)
    ticket(world, user, at(1, 5, year=2026))  # another year
    ticket(world, other.user, at(3, 2))  # somebody else
    rating(world, t1, "satisfied")
    rating(world, t2, "dissatisfied", appeal="upheld")
    rating(world, t3, "very_dissatisfied", appeal="overturned")
    attend(world, user, at(3, 2, 9))
    attend(world, user, at(3, 2, 14))  # the same day again
    attend(world, user, at(3, 3, 9))
    attend(world, user, at(12, 31, 23), hours=1)  # 31 December, Beijing time
    report(world, dt.date(YEAR, 3, 3), window=world.window_1)  # at the window the day they were there
    report(world, dt.date(YEAR, 3, 4), window=world.window_1)  # at the window, they were not there
    report(world, dt.date(YEAR, 3, 5))  # no window named
    ConductIncident.objects.create(
        secondment=person,
        occurred_on=dt.date(YEAR, 5, 1),
        source="observation",
        description="在岗玩手机被现场督查发现",
        recorded_by=world.supervisor,
    )
    ConductIncident.objects.create(
        secondment=person,
        occurred_on=dt.date(2026, 5, 1),
        source="observation",
        description="在岗玩手机被现场督查发现",
        recorded_by=world.supervisor,
    )
    assert figures(person) == {
        "tickets_served": 3,
        "avg_service_minutes": 20.0,
        "ratings": 2,  # the overturned bad rating no longer counts
        "satisfied": 1,
        "satisfaction_pct": 50.0,
        "bad_ratings": 2,
        "bad_upheld": 1,
        "bad_overturned": 1,
        "reports_attributed": 1,
        "reports_department": 3,
        "incidents": 1,
        "attendance_days": 3,
    }
    assert figures(other)["tickets_served"] == 1 and figures(other)["reports_attributed"] == 0


def _save(world, person, **kwargs) -> AssessmentProposal:
    values = {"year": YEAR, "grade": "competent", "justification": "工作认真，服务规范。", "now": NOW, **kwargs}
    return assessments.proposal_save(secondment=person, actor=world.supervisor, **values)


def test_a_grade_without_evidence_or_justification_is_refused_and_nothing_saved(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))
    cases = [
        ({"grade": "competent", "justification": "好"}, "justification", "至少10个字"),
        ({"grade": "incompetent", "justification": "工作不认真，服务态度差。"}, "justification", "至少50个字"),
        ({"grade": "excellent", "justification": GOOD}, "grade", "没有办件和考勤数据"),
        ({"grade": "outstanding"}, "grade", "请从列表中选择"),
        ({"year": 2027}, "year", "考核年度须在"),
        ({"year": 2023}, "year", "不在本大厅派驻"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(StaffingError) as refused:
            _save(world, person, **kwargs)
        assert refused.value.field == field and message in str(refused.value.message), kwargs
    assert not AssessmentProposal.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assessment").exists()
    attend(world, person.user, at(3, 2, 9))
    assert _save(world, person, grade="excellent", justification=GOOD).grade == "excellent"


def test_one_proposal_per_person_and_year_revised_until_submitted(world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))
    first = _save(world, person)
    assert first.evidence["tickets_served"] == 0 and first.status == "draft"
    ticket(world, person.user, at(4, 1))
    revised = _save(world, person, grade="basic", justification="服务规范有待加强，需改进。")
    assert revised.pk == first.pk and revised.grade == "basic" and revised.evidence["tickets_served"] == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentProposal.objects.create(
            secondment=person,
            year=YEAR,
            grade="competent",
            justification="x" * 20,
            proposed_by=world.supervisor,
            proposed_at=NOW,
            revised_at=NOW,
        )
    submitted = assessments.proposal_submit(proposal=revised, actor=world.supervisor, now=NOW)
    assert submitted.locked and submitted.submitted_by == world.supervisor
    # The evidence stays as it was when saved, whatever happens afterwards.
    ticket(world, person.user, at(4, 2))
    with pytest.raises(StaffingError) as locked:
        _save(world, person)
    assert locked.value.status == 409
    with pytest.raises(StaffingError):
        assessments.proposal_submit(proposal=submitted, actor=world.supervisor, now=NOW)
    submitted.refresh_from_db()
    assert submitted.grade == "basic" and submitted.evidence["tickets_served"] == 1
    actions = list(AuditEvent.objects.filter(target_id=str(first.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["assessment.propose", "assessment.revise", "assessment.submit"]


def test_the_csv_for_the_sending_department(client, world) -> None:
    done = seconded("clerk", hall=world.city, department=world.police, number="A-1", since=dt.date(2024, 3, 1))
    seconded("missing", hall=world.city, department=world.police, number="A-2", since=dt.date(2024, 3, 1))
    seconded("later", hall=world.city, department=world.police, number="A-3", since=dt.date(2026, 2, 1))
    seconded("elsewhere", hall=world.tianhe, department=world.police, number="T-1", since=dt.date(2024, 3, 1))
    ticket(world, done.user, at(4, 1), minutes=12)
    _save(world, done, justification='=HYPERLINK("x") 工作认真，服务规范。')
    ticket(world, done.user, at(4, 2))  # after saving: not in the proposal's evidence
    client.force_login(world.supervisor)
    for response in (
        client.get(reverse("staffing-assessments-csv"), {"year": YEAR}),
        client.get(api("staffing-assessment-export"), {"year": YEAR}),
    ):
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        raw = response.content
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:4] == ["考核年度", "大厅", "派出单位", "工号"]
        assert [row[3] for row in rows[1:]] == ["A-1", "A-2"]
        first = dict(zip(rows[0], rows[1], strict=True))
        assert (
            first["办结排队号"] == "1"
            and first["平均办理（分钟）".replace("平均办理（分钟）", "平均办理时长（分钟）")] == "12.0"
        )
        assert first["建议等次"] == "称职" and first["考核意见"].startswith("'=HYPERLINK")
        assert dict(zip(rows[0], rows[2], strict=True))["建议等次"] == "未提出"
    refused = client.get(api("staffing-assessment-export"), {"year": "20x5"})
    assert refused.status_code == 400 and "year" in refused.json()["errors"]


def test_the_pages_list_everybody_and_save_a_proposal(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, number="A-1", since=dt.date(2024, 3, 1))
    seconded("missing", hall=world.city, department=world.police, number="A-2", since=dt.date(2024, 3, 1))
    client.force_login(world.supervisor)
    listing = text(client.get(reverse("staffing-assessments")))  # last year by default
    assert "2025年度考核建议" in listing and "A-1" in listing and listing.count("未提出") >= 2
    assert client.get(reverse("staffing-assessments"), {"year": "abc"}).status_code == 400
    assert client.get(reverse("staffing-assessments"), {"year": "2030"}).status_code == 400
    assert client.get(reverse("staffing-assessment", args=[person.pk, 1999])).status_code == 400
    assert client.get(reverse("staffing-assessments-csv"), {"year": "x"}).status_code == 400
    url = reverse("staffing-assessment", args=[person.pk, YEAR])
    early = client.post(url, {"action": "submit"})
    assert early.status_code == 400 and "请先保存考核建议，再提交。" in text(early)
    bad = client.post(url, {"action": "save", "grade": "incompetent", "justification": "工作不认真。"})
    assert bad.status_code == 400 and "至少50个字" in text(bad)
    assert not AssessmentProposal.objects.exists()
    assert (
        client.post(url, {"action": "save", "grade": "competent", "justification": "工作认真，服务规范。"}).status_code
        == 302
    )
    assert client.post(url, {"action": "submit"}).status_code == 302
    twice = client.post(url, {"action": "submit"})
    assert twice.status_code == 409 and "该考核建议已提交。" in text(twice)
    locked = client.post(url, {"action": "save", "grade": "basic", "justification": "服务规范有待加强，需改进。"})
    assert locked.status_code == 409 and "已提交，不能再修改" in text(locked)
    assert AssessmentProposal.objects.get().grade == "competent"
    printed = text(client.get(reverse("staffing-assessments-print"), {"year": YEAR}))
    assert "2025年度派驻人员考核建议" in printed and "致：广州市公安局" in printed and "负责人签字" in printed


def test_the_api_lists_saves_and_submits_with_field_messages(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, number="A-1", since=dt.date(2024, 3, 1))
    client.force_login(world.supervisor)
    url = api("staffing-assessment-list")
    body = {"secondment": person.pk, "year": YEAR, "grade": "excellent", "justification": GOOD}
    refused = client.post(url, body, content_type="application/json")
    assert (
        refused.status_code == 400 and refused.json()["code"] == "no_evidence" and "grade" in refused.json()["errors"]
    )
    assert client.post(url, {**body, "grade": "x"}, content_type="application/json").status_code == 400
    saved = client.post(url, {**body, "grade": "competent"}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["evidence"]["tickets_served"] == 0
    listed = client.get(url, {"year": YEAR}).json()
    assert listed["results"][0]["proposal"]["grade"] == "competent"
    submit = api("staffing-assessment-submit", saved.json()["id"])
    assert client.post(submit).json()["status"] == "submitted"
    assert client.post(submit).status_code == 409
    again = client.post(url, {**body, "grade": "basic"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "submitted"


def test_a_clerk_or_a_supervisor_of_another_hall_cannot(client, world) -> None:
    person = seconded("clerk", hall=world.city, department=world.police, since=dt.date(2024, 3, 1))
    chief = seconded("chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user
    proposal = _save(world, person)
    body = {"secondment": person.pk, "year": YEAR, "grade": "competent", "justification": "工作认真，服务规范。"}
    for outsider in (person.user, chief, world.tianhe_supervisor):
        client.force_login(outsider)
        assert client.post(api("staffing-assessment-list"), body, content_type="application/json").status_code == 403
        assert client.post(api("staffing-assessment-submit", proposal.pk)).status_code == 403
        assert client.get(reverse("staffing-assessment", args=[person.pk, YEAR])).status_code == 403
    client.force_login(world.tianhe_supervisor)
    assert client.get(api("staffing-assessment-list"), {"year": YEAR}).json()["results"] == []
    assert "A-" not in text(client.get(reverse("staffing-assessments-csv"), {"year": YEAR}))
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_the_list_and_exports_in_a_fixed_number_of_queries(client, world, django_assert_num_queries) -> None:
    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            person = seconded(
                f"c{n}", hall=world.city, department=world.police, number=f"N-{n:03d}", since=dt.date(2024, 3, 1)
            )
            ticket(world, person.user, at(3, 1 + n % 28))
            attend(world, person.user, at(3, 1 + n % 28, 9))
            if n % 2:
                _save(world, person)

    grow(0, 4)
    client.force_login(world.supervisor)
    client.get(reverse("staffing-assessments"))  # warm the session and scope
    counts = {}
    for name, url in (
        ("page", reverse("staffing-assessments")),
        ("csv", reverse("staffing-assessments-csv")),
        ("print", reverse("staffing-assessments-print")),
        ("api", api("staffing-assessment-list")),
        ("api_csv", api("staffing-assessment-export")),
    ):
        with CaptureQueriesContext(connection) as small:
            client.get(url, {"year": YEAR})
        counts[name] = (url, len(small.captured_queries))
    grow(4, 40)
    for url, expected in counts.values():
        with django_assert_num_queries(expected):
            response = client.get(url, {"year": YEAR})
        assert response.status_code == 200
    assert "N-043" in text(client.get(reverse("staffing-assessments-csv"), {"year": YEAR}))
    assert {name: n for name, (_url, n) in counts.items()} == MEASURED


# Session, user, scope (profile, groups), then the rows: count, people with their figures, proposals.
MEASURED = {"page": 9, "csv": 6, "print": 6, "api": 7, "api_csv": 6}
