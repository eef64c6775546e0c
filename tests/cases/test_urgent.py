"""Urgent matters (急事急办, Art. 10 ¶3; cases/urgent.py): the request with a proper reason, the
chief representative's approval shortening the promised date (hand-counted across a weekend) or
refusal producing the written report (书面报告) for the hall's supervisors, the applicant told once,
who may decide, bad input, and the staggered slots reserved for urgent matters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from appointments import selectors as booking_selectors
from appointments import services as booking_services
from appointments.models import Booking, Slot, SlotPlan
from appointments.services import BookingError
from cases import urgent
from cases.models import Case, UrgentRequest, WrittenReport
from cases.services import CaseError
from queueing.models import QueueCategory
from servicehall import notifications, roles
from servicehall.notifications import MemoryBackend
from tests.cases.factories import D, at, id_number
from tests.servicehall.factories import staff_user

MON = D(2026, 11, 23)  # Monday; Sat 28 and Sun 29 Nov 2026 are rest days
THU = D(2026, 11, 26)
SAT = D(2026, 11, 28)


def hm(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return at(day, hour) + dt.timedelta(minutes=minute)


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def _ask(world, case, *, category="medical", text="下周一赴外地住院手术，需要提前办结", now=None):
    return urgent.urgent_request_case(
        case=case, actor=world.clerk, category=category, text=text, now=now or at(MON, 11)
    )


# --- Approval ----------------------------------------------------------------------------------


def test_approval_shortens_the_due_date_counted_across_a_weekend(world) -> None:
    # The licence promises 10 working days: accepted Mon 23 Nov, due Mon 7 Dec
    # (24, 25, 26, 27, 30 Nov, 1, 2, 3, 4, 7 Dec).
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    assert case.due_on == D(2026, 12, 7)
    request = _ask(world, case)
    # On Thu 26 Nov three working days are used (24, 25, 26): seven remain. Seven is not shorter.
    with pytest.raises(CaseError) as refused:
        urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=7, now=at(THU, 15))
    assert refused.value.field == "promised_days" and "7" in str(refused.value.message)
    with pytest.raises(CaseError):
        urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=-1, now=at(THU, 15))
    # Two working days from Thursday: Fri 27 Nov (1), the weekend skipped, Mon 30 Nov (2).
    request = urgent.urgent_approve(
        request=request, actor=world.market_chief, promised_days=2, reason="同意加急", now=at(THU, 15)
    )
    case.refresh_from_db()
    assert (request.status, request.promised_days) == ("approved", 2)
    assert (request.due_before, request.due_after) == (D(2026, 12, 7), D(2026, 11, 30))
    assert case.urgent and case.due_on == D(2026, 11, 30)
    assert case.limit_days == 5  # 3 used + 2: the limit itself, so a recomputation keeps the date
    assert case.clock.due_on == D(2026, 11, 30)
    assert [e.kind for e in case.events.all()][-2:] == ["urgent_asked", "urgent_ok"]


def test_an_approval_before_acceptance_applies_when_the_case_is_accepted(world) -> None:
    case = world.receive(world.hukou, now=at(MON))  # 5 working days promised, not yet accepted
    request = _ask(world, case)
    with pytest.raises(CaseError) as refused:
        urgent.urgent_approve(request=request, actor=world.police_chief, promised_days=5, now=at(MON, 12))
    assert refused.value.field == "promised_days"
    urgent.urgent_approve(request=request, actor=world.police_chief, promised_days=1, now=at(MON, 12))
    case.refresh_from_db()
    assert case.urgent and case.due_on is None
    # Accepted on Fri 27 Nov: one working day after it is Mon 30 Nov (the weekend skipped).
    from cases import services

    case = services.case_accept(case=case, actor=world.clerk, now=at(D(2026, 11, 27)))
    assert (case.limit_days, case.due_on) == (1, D(2026, 11, 30))


# --- Refusal and the written report ------------------------------------------------------------


def test_a_refusal_without_a_reason_is_refused_and_saves_nothing(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case)
    for reason in ("", "   "):
        with pytest.raises(CaseError) as refused:
            urgent.urgent_refuse(request=request, actor=world.market_chief, reason=reason, now=at(MON, 14))
        assert refused.value.field == "reason" and refused.value.status == 422
    request.refresh_from_db()
    assert request.status == "requested" and not WrittenReport.objects.exists()


def test_a_refusal_produces_the_report_for_the_halls_supervisors_only(world, client) -> None:
    tianhe_supervisor = staff_user("tianhe-supervisor", role=roles.SUPERVISOR, hall_=world.tianhe)
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case, category="other", text="公司下周参加政府采购投标须提交许可证")
    report = urgent.urgent_refuse(
        request=request, actor=world.market_chief, reason="需现场核查，无法压缩时限", now=at(MON, 14)
    )
    assert report.number == f"JJBG20261123{report.pk:06d}"
    assert (report.hall, report.department) == (world.city, world.market)
    case.refresh_from_db()
    assert not case.urgent and case.due_on == D(2026, 12, 7)
    assert case.events.filter(kind="urgent_refused", note="需现场核查，无法压缩时限").exists()

    client.force_login(world.supervisor)
    listing = client.get("/supervisor/urgent-reports/")
    assert listing.status_code == 200 and report.number in listing.content.decode()
    printed = client.get(f"/supervisor/urgent-reports/{report.pk}/")
    page = printed.content.decode()
    assert printed.status_code == 200
    for text in (
        "广州市政务服务中心",
        "广州市市场监督管理局",
        "陈**",
        "食品经营许可",
        "需现场核查，无法压缩时限",
        "其他",
    ):
        assert text in page
    assert "陈志强" not in page and id_number() not in page
    client.force_login(world.city_supervisor)
    assert report.number in client.get("/supervisor/urgent-reports/").content.decode()

    client.force_login(tianhe_supervisor)
    assert report.number not in client.get("/supervisor/urgent-reports/").content.decode()
    assert client.get(f"/supervisor/urgent-reports/{report.pk}/").status_code == 404
    assert client.get("/api/v1/urgent-reports/").json()["results"] == []
    client.force_login(world.market_chief)
    assert client.get("/supervisor/urgent-reports/").status_code == 403
    assert client.get("/api/v1/urgent-reports/").status_code == 403


def test_the_applicant_is_told_once_of_each_decision(world, outbox, django_capture_on_commit_callbacks) -> None:
    refused_case = world.receive(world.licence, now=at(MON), outcome="accept")
    approved_case = world.receive(world.hukou, now=at(MON), outcome="accept", mobile="13900139002")
    with django_capture_on_commit_callbacks(execute=True):
        first = _ask(world, refused_case)
        second = _ask(world, approved_case)
    # Asking tells each department's chief representative (issue 11), not yet the applicant.
    assert [n.recipients for n in outbox] == [[world.market_chief.username], [world.police_chief.username]]
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        urgent.urgent_refuse(request=first, actor=world.market_chief, reason="材料需补充核实", now=at(MON, 14))
    with django_capture_on_commit_callbacks(execute=True):
        urgent.urgent_approve(request=second, actor=world.police_chief, promised_days=1, now=at(MON, 14))
    assert len(outbox) == 2
    refused, approved = outbox
    assert refused.recipients == ["13800138001"] and "未获批准" in refused.body and "材料需补充核实" in refused.body
    assert approved.recipients == ["13900139002"] and "已获批准" in approved.body and "2026-11-24" in approved.body
    # The task run again (a retry) does not send it twice.
    urgent.urgent_notify_send(request_id=first.pk)
    urgent.urgent_notify_send(request_id=second.pk)
    assert len(outbox) == 2


# --- Who may decide ----------------------------------------------------------------------------


def test_only_the_departments_chief_representative_at_that_hall_decides(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case)
    for someone in (world.market_clerk, world.police_chief, world.tianhe_market_chief, world.supervisor):
        for decide in (
            lambda who: urgent.urgent_approve(request=request, actor=who, promised_days=1, now=at(MON, 14)),
            lambda who: urgent.urgent_refuse(request=request, actor=who, reason="不同意", now=at(MON, 14)),
        ):
            with pytest.raises(CaseError) as refused:
                decide(someone)
            assert refused.value.status == 403
            assert "市场监督管理局派驻广州市政务服务中心的首席事务代表" in str(refused.value.message)
    request.refresh_from_db()
    assert request.status == "requested"
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=1, now=at(MON, 14))
    with pytest.raises(CaseError) as twice:
        urgent.urgent_refuse(request=request, actor=world.market_chief, reason="改变主意", now=at(MON, 15))
    assert twice.value.status == 409
    # Another hall's clerk cannot even record one.
    with pytest.raises(CaseError) as other_hall:
        urgent.urgent_request_case(
            case=case, actor=world.tianhe_clerk, category="medical", text="需要尽快赴外地就医", now=at(MON)
        )
    assert other_hall.value.status == 403


def test_the_page_refuses_another_chief_with_a_clear_message(world, client) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case)
    client.force_login(world.police_chief)
    response = client.post(f"/staff/urgent/{request.pk}/refuse/", {"refuse-reason": "不同意"})
    assert response.status_code == 403
    assert "首席事务代表审批" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "text", "field"),
    [
        ("medical", "", "reason_text"),
        ("medical", "急", "reason_text"),
        ("other", "家里有急事", "reason_text"),  # 其他 says more: at least 10 characters
        ("vip", "下周一赴外地住院手术", "reason_category"),
        ("", "下周一赴外地住院手术", "reason_category"),
    ],
)
def test_a_request_without_a_proper_reason_is_refused(world, category, text, field) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    with pytest.raises(CaseError) as refused:
        urgent.urgent_request_case(case=case, actor=world.clerk, category=category, text=text, now=at(MON))
    assert refused.value.status == 422 and field in refused.value.errors
    assert not UrgentRequest.objects.exists()


def test_a_second_request_waiting_is_refused(world) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    _ask(world, case)
    with pytest.raises(CaseError) as refused:
        _ask(world, case)
    assert refused.value.status == 409 and UrgentRequest.objects.count() == 1


# --- Pages and API -----------------------------------------------------------------------------


@time_machine.travel(at(THU, 10), tick=False)
def test_the_window_asks_and_the_chief_approves_through_the_pages(world, client) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    client.force_login(world.clerk)
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert f"/staff/urgent/cases/{case.number}/" in page
    bad = client.post(f"/staff/urgent/cases/{case.number}/", {"reason_category": "other", "reason_text": "急"})
    assert bad.status_code == 422 and "至少写10个字" in bad.content.decode()
    unknown = client.post(
        f"/staff/urgent/cases/{case.number}/", {"reason_category": "vip", "reason_text": "需要尽快就医治疗"}
    )
    assert unknown.status_code == 400 and "请从列表中选择急办事由" in unknown.content.decode()
    assert not UrgentRequest.objects.exists()
    done = client.post(
        f"/staff/urgent/cases/{case.number}/",
        {"reason_category": "travel", "reason_text": "周六出国留学，需携带许可证"},
    )
    assert done.status_code == 302
    request = UrgentRequest.objects.get()

    client.force_login(world.market_chief)
    assert f"/staff/urgent/{request.pk}/" in client.get(f"/staff/cases/{case.number}/").content.decode()
    detail = client.get(f"/staff/urgent/{request.pk}/").content.decode()
    assert "批准急事急办" in detail and "不予急办并书面报告" in detail and "138****8001" in detail
    inbox = client.get("/staff/cases/inbox/").content.decode()
    assert "急事急办待审批" in inbox and "/staff/urgent/" in inbox
    listing = client.get("/staff/urgent/").content.decode()
    assert case.number in listing and "出行" in listing
    no_days = client.post(f"/staff/urgent/{request.pk}/approve/", {"approve-promised_days": ""})
    assert no_days.status_code == 400 and "请填写急办承诺时限" in no_days.content.decode()
    too_many = client.post(f"/staff/urgent/{request.pk}/approve/", {"approve-promised_days": "9"})
    assert too_many.status_code == 422 and "须少于当前剩余时限（7个工作日）" in too_many.content.decode()
    ok = client.post(f"/staff/urgent/{request.pk}/approve/", {"approve-promised_days": "2"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.urgent and case.due_on == D(2026, 11, 30)
    assert "急事急办" in client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "急办" in client.get("/staff/cases/").content.decode()
    progress = client.get(f"/cases/progress/t/{case.progress_token}/").content.decode()
    assert "急事急办" in progress and "2026-11-30" in progress


# The clock pinned to the cases' Monday: approving a one-day promise for a case received on a
# past Monday is refused (422) once that promise lies in the past (the test began failing on 4 Dec).
@time_machine.travel(at(MON, 11), tick=False)
def test_the_api_requests_approves_refuses_and_lists_reports(world, client) -> None:
    accepted = world.receive(world.licence, now=at(MON), outcome="accept")
    other = world.receive(world.licence, now=at(MON), outcome="accept")

    def post(url: str, body: dict) -> object:
        return client.post(url, json.dumps(body), content_type="application/json")

    client.force_login(world.clerk)
    assert (
        post(
            f"/api/v1/cases/{accepted.number}/urgent/", {"reason_category": "vip", "reason_text": "需要尽快就医"}
        ).status_code
        == 400
    )
    assert post(f"/api/v1/cases/{accepted.number}/urgent/", {"reason_category": "medical"}).status_code == 400
    made = post(
        f"/api/v1/cases/{accepted.number}/urgent/",
        {"reason_category": "medical", "reason_text": "下周住院手术需提前办结"},
    )
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "requested" and body["mobile"] == "138****8001" and "陈志强" not in json.dumps(body)
    second = post(
        f"/api/v1/cases/{other.number}/urgent/", {"reason_category": "business", "reason_text": "企业急需开业经营"}
    )
    assert post(f"/api/v1/urgent-requests/{body['id']}/approve/", {"promised_days": 1}).status_code == 403

    client.force_login(world.market_chief)
    listed = client.get("/api/v1/urgent-requests/").json()
    assert {r["id"] for r in listed["results"]} == {body["id"], second.json()["id"]}
    assert post(f"/api/v1/urgent-requests/{body['id']}/approve/", {"promised_days": "1"}).status_code == 400
    approved = post(f"/api/v1/urgent-requests/{body['id']}/approve/", {"promised_days": 1})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    no_reason = post(f"/api/v1/urgent-requests/{second.json()['id']}/refuse/", {"reason": ""})
    assert no_reason.status_code == 400 and "不予急办须写明理由" in json.dumps(no_reason.json(), ensure_ascii=False)
    refused = post(f"/api/v1/urgent-requests/{second.json()['id']}/refuse/", {"reason": "须现场核查"})
    assert refused.status_code == 201 and refused.json()["refusal_reason"] == "须现场核查"

    client.force_login(world.supervisor)
    reports = client.get("/api/v1/urgent-reports/").json()["results"]
    assert [r["number"] for r in reports] == [refused.json()["number"]]
    assert client.get(f"/api/v1/urgent-reports/{reports[0]['id']}/").status_code == 200

    schema = client.get("/api/v1/schema/")
    if schema.status_code == 200:
        text = schema.content.decode()
        assert "/api/v1/urgent-requests/{id}/refuse/" in text and "/api/v1/urgent-reports/" in text


# --- Staggered slots reserved for urgent matters -----------------------------------------------


def _urgent_slots(world) -> QueueCategory:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city,
        category=category,
        kind="staggered",
        starts=dt.time(9),
        ends=dt.time(11),
        slot_minutes=60,
        capacity=2,
        urgent_only=True,
    )
    booking_services.slots_generate(start=MON, end=D(2026, 12, 6), halls=[world.city.pk], now=at(MON, 8))
    return category


def test_urgent_only_slots_are_not_bookable_online_and_the_chief_books_one(world, client) -> None:
    category = _urgent_slots(world)
    slot = Slot.objects.get(category=category, date=SAT, starts_at=at(SAT, 9))
    assert slot.urgent_only and slot.kind == "staggered"
    # Not offered to the public, and refused when asked for anyway.
    assert booking_selectors.day_slots(category=category, day=SAT, now=at(MON, 11)) == []
    assert booking_selectors.bookable_days(category=category, start=MON, end=SAT, now=at(MON, 11)) == []
    applicant = {"name": "陈志强", "id_number": id_number(), "mobile": "13800138001"}
    with pytest.raises(BookingError) as refused:
        booking_services.booking_create(slot=slot, now=at(MON, 11), **applicant)
    assert refused.value.code == "urgent_only" and refused.value.status == 409
    with time_machine.travel(at(MON, 11), tick=False):
        response = client.post(
            "/api/v1/bookings/", json.dumps({"slot": slot.pk, **applicant}), content_type="application/json"
        )
    assert response.status_code == 409 and response.json()["code"] == "urgent_only"
    assert not Booking.objects.exists()

    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case)
    with pytest.raises(CaseError):  # not approved yet
        urgent.urgent_book_staggered(request=request, actor=world.market_chief, slot=slot, now=at(MON, 11), **applicant)
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=3, now=at(MON, 11))
    with pytest.raises(CaseError) as by_clerk:
        urgent.urgent_book_staggered(request=request, actor=world.market_clerk, slot=slot, now=at(MON, 12), **applicant)
    assert by_clerk.value.status == 403
    booking = urgent.urgent_book_staggered(
        request=request, actor=world.market_chief, slot=slot, now=at(MON, 12), **applicant
    )
    request.refresh_from_db()
    assert request.staggered_booking == booking and booking.source == "urgent" and booking.item == world.licence

    # On Saturday the kiosk checks the booking in as any other (the hall has no walk-in hours).
    checked = booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(SAT, 8, 45))
    assert checked.ticket.status == "waiting" and checked.ticket.category == category


def _approved_booking_called(world, *items):
    """A booking for the licence with an urgent request the chief approved, checked in on
    Thursday and called at the window: (the request, the ticket)."""
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(*items)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=MON, end=THU, halls=[world.city.pk], now=at(MON, 8))
    slot = Slot.objects.get(category=category, starts_at=at(THU, 9))
    booking = booking_services.booking_create(
        slot=slot, name="陈志强", id_number=id_number(), mobile="13800138001", item=world.licence, now=at(MON, 9)
    )
    request = urgent.urgent_request_booking(
        booking=booking, category="deadline", text="许可证下周到期，需在到期前换证", now=at(MON, 9)
    )
    assert request.case is None and request.department == world.market
    assert request.applicant_masked.startswith("陈**")
    assert list(urgent.pending_for(world.market_chief)) == [request]
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=2, now=at(MON, 10))

    ticket = booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(THU, 8, 45)).ticket
    from queueing import services as queue_services

    queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=hm(THU, 9, 1))
    ticket.refresh_from_db()
    return request, ticket


def test_a_booking_with_an_urgent_request_follows_to_the_case_opened_from_its_ticket(world) -> None:
    request, ticket = _approved_booking_called(world, world.licence)
    case = world.receive(
        world.licence,
        now=hm(THU, 9, 5),
        outcome="accept",
        channel=Case.Channel.WINDOW,
        window=world.window,
        ticket=ticket,
    )
    request.refresh_from_db()
    assert request.case == case and case.urgent
    # Two working days from the acceptance on Thu 26 Nov: Fri 27, Mon 30 Nov.
    assert (case.limit_days, case.due_on) == (2, D(2026, 11, 30))


def test_an_urgent_request_stays_with_its_own_item_when_the_case_is_for_another(world) -> None:
    # A walkthrough saw a request for one item moved onto a case of another item of the
    # department and decided as such: the request keeps the item the applicant asked about.
    request, ticket = _approved_booking_called(world, world.licence, world.stamp)
    case = world.receive(
        world.stamp,
        now=hm(THU, 9, 5),
        outcome="accept",
        channel=Case.Channel.WINDOW,
        window=world.window,
        ticket=ticket,
    )
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.case is None and request.item == world.licence and not case.urgent


# --- Asked online with a booking ---------------------------------------------------------------


@time_machine.travel(at(MON, 10), tick=False)
def test_the_booking_form_takes_an_urgent_request_or_books_nothing(world, client) -> None:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=MON, end=THU, halls=[world.city.pk], now=at(MON, 8))
    slot = Slot.objects.get(category=category, starts_at=at(THU, 9))
    url = f"/book/slot/{slot.pk}/"
    form = client.get(url, {"item": world.licence.code})
    assert form.status_code == 200 and "急事急办（选填）" in form.content.decode()
    data = {
        "name": "陈志强",
        "id_number": id_number(),
        "mobile": "13800138001",
        "consent": "on",
        "item": world.licence.code,
        "urgent-wanted": "on",
        "urgent-reason_category": "other",
        "urgent-reason_text": "很急",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "至少写10个字" in refused.content.decode()
    assert not Booking.objects.exists() and not UrgentRequest.objects.exists()
    no_item = client.post(url, {**data, "item": "", "urgent-reason_text": "公司下周参加投标须提交许可证"})
    assert no_item.status_code == 400 and "须先选择办理事项" in no_item.content.decode()
    assert not Booking.objects.exists()
    booked = client.post(url, {**data, "urgent-reason_text": "公司下周参加投标须提交许可证"})
    assert booked.status_code == 302
    request = UrgentRequest.objects.get()
    assert request.booking == Booking.objects.get() and request.department == world.market
    assert request.case is None and request.status == "requested"


@time_machine.travel(at(MON, 10), tick=False)
def test_the_booking_api_takes_an_urgent_request_or_books_nothing(world, client) -> None:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=MON, end=THU, halls=[world.city.pk], now=at(MON, 8))
    slot = Slot.objects.get(category=category, starts_at=at(THU, 9))
    body = {"slot": slot.pk, "name": "陈志强", "id_number": id_number(), "mobile": "13800138001"}

    def post(extra: dict) -> object:
        return client.post("/api/v1/bookings/", json.dumps({**body, **extra}), content_type="application/json")

    ask = {"reason_category": "medical", "reason_text": "下周一住院手术需提前办结"}
    assert post({"urgent": {**ask, "reason_category": "vip"}, "item": world.licence.code}).status_code == 400
    short = post({"urgent": {**ask, "reason_text": "急"}, "item": world.licence.code})
    assert short.status_code == 422 and "reason_text" in short.json()["errors"]
    assert post({"urgent": ask}).status_code == 422  # no item: no department to decide
    assert not Booking.objects.exists() and not UrgentRequest.objects.exists()
    made = post({"urgent": ask, "item": world.licence.code})
    assert made.status_code == 201
    request = UrgentRequest.objects.get()
    assert request.booking == Booking.objects.get() and request.reason_category == "medical"


def test_the_reports_are_read_only_in_the_admin_and_scoped_to_the_hall(world, client) -> None:
    from django.urls import reverse

    from servicehall.roles import roles_ensure

    roles_ensure()
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    report = urgent.urgent_refuse(
        request=_ask(world, case), actor=world.market_chief, reason="须现场核查", now=at(MON, 14)
    )
    tianhe_supervisor = staff_user("tianhe-supervisor", role=roles.SUPERVISOR, hall_=world.tianhe, is_staff=True)
    world.supervisor.is_staff = True
    world.supervisor.save()
    client.force_login(world.supervisor)
    listing = client.get(reverse("admin:cases_writtenreport_changelist"))
    assert listing.status_code == 200 and report.number in listing.content.decode()
    assert client.get(reverse("admin:cases_writtenreport_add")).status_code == 403
    requests = client.get(reverse("admin:cases_urgentrequest_changelist")).content.decode()
    assert "13800138001" not in requests
    client.force_login(tianhe_supervisor)
    assert report.number not in client.get(reverse("admin:cases_writtenreport_changelist")).content.decode()


def test_the_wait_monitor_watches_a_staggered_service_day(world) -> None:
    from catalog.models import HallOpeningHours
    from queueing import monitor

    category = _urgent_slots(world)
    # Saturdays at the city centre are by appointment only (错时服务): no walk-in hours.
    HallOpeningHours.objects.create(
        hall=world.city,
        weekday=5,
        morning_opens=dt.time(9),
        morning_closes=dt.time(12),
        afternoon_opens=dt.time(12),
        afternoon_closes=dt.time(12, 30),
        appointment_only=True,
    )
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = _ask(world, case)
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=3, now=at(MON, 11))
    slot = Slot.objects.get(category=category, date=SAT, starts_at=at(SAT, 9))
    booking = urgent.urgent_book_staggered(
        request=request,
        actor=world.market_chief,
        slot=slot,
        name="陈志强",
        id_number=id_number(),
        mobile="13800138001",
        now=at(MON, 12),
    )
    booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(SAT, 8, 45))
    result = monitor.monitor_run(now=hm(SAT, 10, 30))
    assert result.halls_open == 1 and result.queues_evaluated >= 1
    # A plain Sunday (no hours at all) stays closed.
    assert monitor.monitor_run(now=at(D(2026, 11, 29), 10)).halls_open == 0
