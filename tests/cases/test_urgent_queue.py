"""急事急办 in the queues (Art. 10 ¶3; cases/urgent.py, queueing.services.ticket_mark_urgent): an
approved urgent matter's ticket is called first (asked at the kiosk with the ticket, or with a
booking checked in), the console, the board and the slip mark it 急; the kiosk takes the request
with a proper reason or saves nothing; and on a weekend or holiday with staggered slots booked
the kiosk checks the bookings in and the wait monitor watches their tickets within the slots'
hours (queueing.staggered, registered by appointments)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from appointments import services as booking_services
from appointments.models import Slot, SlotPlan
from cases import urgent
from cases.models import Case, UrgentRequest
from cases.services import CaseError
from catalog import selectors as catalog_selectors
from queueing import monitor, snapshot
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket, TicketEvent, WaitAlert
from tests.cases.factories import D, at, id_number

MON = D(2026, 11, 23)  # Monday
THU = D(2026, 11, 26)
SAT = D(2026, 11, 28)  # a plain Saturday: the city centre publishes no hours for it
HOLIDAY = D(2026, 10, 1)  # National Day, a Thursday


def hm(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at(day, hour) + dt.timedelta(minutes=minute)


def _queue(world, letter: str = "S") -> QueueCategory:
    category = QueueCategory.objects.create(hall=world.city, letter=letter, name="市场监管业务", order=9)
    category.items.add(world.licence)
    return category


def _issue(world, category: QueueCategory, when: dt.datetime, **kwargs) -> Ticket:
    return queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=when, **kwargs).ticket


ASK = {
    "item": "0100201000",
    "reason_category": "travel",
    "reason_text": "明早出国留学，需携带许可证办理手续",
    "name": "陈志强",
    "mobile": "13800138001",
}


# --- Asked at the kiosk, called first once approved --------------------------------------------


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_a_kiosk_request_approved_calls_its_ticket_first_marked_on_console_board_and_slip(world, client) -> None:
    category = _queue(world)
    first = _issue(world, category, hm(MON, 9))
    _issue(world, category, hm(MON, 9, 5))
    mine = _issue(world, category, hm(MON, 9, 10))

    slip = client.get(f"/t/{mine.token}/slip/").content.decode()
    # The kiosk's slip offers it by QR code for the phone, never a link out of the kiosk's flow.
    assert 'class="slip-qr slip-urgent-qr"' in slip and "用手机扫码申请急事急办" in slip
    assert f'href="/t/{mine.token}/urgent/' not in slip
    form = client.get(f"/t/{mine.token}/urgent/")
    assert form.status_code == 200 and "食品经营许可" in form.content.decode()
    asked = client.post(f"/t/{mine.token}/urgent/", ASK)
    assert asked.status_code == 302 and asked["Location"] == f"/t/{mine.token}/slip/"
    request = UrgentRequest.objects.get()
    assert (request.ticket, request.item, request.department) == (mine, world.licence, world.market)
    assert request.applicant_masked == "陈**" and request.case is None and request.booking is None
    assert "已申请急事急办，待审批" in client.get(f"/t/{mine.token}/slip/").content.decode()
    # Asked once per ticket.
    again = client.post(f"/t/{mine.token}/urgent/", ASK)
    assert again.status_code == 200 and UrgentRequest.objects.count() == 1

    # Waiting for a decision, the ticket keeps its place.
    assert list(queue_services.callable_tickets(window=world.window, now=hm(MON, 9, 30)))[0] == first
    assert list(urgent.pending_for(world.market_chief)) == [request]
    client.force_login(world.market_chief)
    detail = client.get(f"/staff/urgent/{request.pk}/").content.decode()
    assert mine.number in detail and "取号机申请" in detail

    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=3)
    mine.refresh_from_db()
    assert mine.urgent and mine.events.filter(kind=TicketEvent.Kind.URGENT).count() == 1
    assert list(queue_services.callable_tickets(window=world.window, now=hm(MON, 9, 30)))[0] == mine
    client.logout()
    assert client.get(f"/api/v1/tickets/{mine.token}/").json()["urgent"] is True
    assert client.get(f"/api/v1/tickets/{first.token}/").json()["urgent"] is False
    slip = client.get(f"/t/{mine.token}/slip/").content.decode()
    assert "急事急办，优先叫号" in slip and "申请急事急办</a>" not in slip

    # The window calls it before the two who came earlier; the console and the board say 急.
    client.force_login(world.clerk)
    upcoming = client.get("/staff/").content.decode()
    assert upcoming.count("badge-urgent") == 1
    called = queue_services.ticket_call_next(window=world.window, staff=world.clerk)
    assert called == mine
    console = client.get("/staff/").content.decode()
    assert "急事急办（优先叫号）" in console and "badge-urgent" in console
    snapshot.refresh(world.city.pk)  # the test's transaction never commits: rebuild it here
    board = client.get(f"/halls/{world.city.code}/board/").content.decode()
    assert board.count("board-tag-urgent") >= 2  # the latest call and the window's current number
    assert f"{mine.number} <span" in board or f"{mine.number}<span" in board


def test_the_kiosk_refuses_a_request_without_a_proper_reason_and_saves_nothing(world, client) -> None:
    category = _queue(world)
    with time_machine.travel(hm(MON, 9, 30), tick=False):
        mine = _issue(world, category, hm(MON, 9, 10))
        empty = client.post(f"/t/{mine.token}/urgent/", {})
        page = empty.content.decode()
        assert empty.status_code == 422
        for message in (
            "请从列表中选择要办理的事项。",
            "请从列表中选择急办事由。",
            "请写明需要紧急办理的具体情况。",
            "请填写姓名。",
            "请输入11位中国大陆手机号码。",
        ):
            assert message in page
        short = client.post(f"/t/{mine.token}/urgent/", {**ASK, "reason_category": "other", "reason_text": "有急事"})
        assert short.status_code == 422 and "至少写10个字" in short.content.decode()
        unknown = client.post(f"/t/{mine.token}/urgent/", {**ASK, "reason_category": "vip"})
        assert unknown.status_code == 400 and "请从列表中选择急办事由" in unknown.content.decode()
        elsewhere = client.post(f"/t/{mine.token}/urgent/", {**ASK, "item": world.hukou.code})
        assert elsewhere.status_code == 400 and "请从列表中选择要办理的事项" in elsewhere.content.decode()
        assert not UrgentRequest.objects.exists()
        mine.refresh_from_db()
        assert not mine.urgent
        # A ticket already called asks at the window instead.
        queue_services.ticket_call_next(window=world.window, staff=world.clerk)
        late = client.post(f"/t/{mine.token}/urgent/", ASK)
        assert late.status_code == 409 and "请到窗口向工作人员申请" in late.content.decode()
    with pytest.raises(CaseError) as stale:
        urgent.urgent_request_ticket(
            ticket=mine,
            item_code=ASK["item"],
            category="medical",
            text="x" * 8,
            name="陈",
            mobile="13800138001",
            now=hm(MON, 10),
        )
    assert stale.value.status == 409
    assert not UrgentRequest.objects.exists()


def test_a_refused_kiosk_request_leaves_the_ticket_in_its_place(world) -> None:
    category = _queue(world)
    _issue(world, category, hm(MON, 9))
    mine = _issue(world, category, hm(MON, 9, 10))
    request = urgent.urgent_request_ticket(
        ticket=mine,
        item_code=ASK["item"],
        category="business",
        text="公司明天开业，急需许可证",
        name="陈志强",
        mobile="13800138001",
        now=hm(MON, 9, 12),
    )
    report = urgent.urgent_refuse(request=request, actor=world.market_chief, reason="需现场核查", now=hm(MON, 9, 20))
    mine.refresh_from_db()
    assert report.number and not mine.urgent
    assert list(queue_services.callable_tickets(window=world.window, now=hm(MON, 9, 30)))[-1] == mine


def test_the_case_opened_from_the_kiosk_ticket_takes_the_approved_limit(world) -> None:
    category = _queue(world)
    mine = _issue(world, category, hm(MON, 9))
    request = urgent.urgent_request_ticket(
        ticket=mine,
        item_code=ASK["item"],
        category="medical",
        text="下周一住院手术，需提前办结",
        name="陈志强",
        mobile="13800138001",
        now=hm(MON, 9, 1),
    )
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=2, now=hm(MON, 9, 5))
    assert queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=hm(MON, 9, 6)) == mine
    mine.refresh_from_db()
    from cases.models import Case

    case = world.receive(
        world.licence,
        now=hm(MON, 9, 10),
        outcome="accept",
        channel=Case.Channel.WINDOW,
        window=world.window,
        ticket=mine,
    )
    request.refresh_from_db()
    assert request.case == case and case.urgent
    # Two working days from Mon 23 Nov: Tue 24, Wed 25.
    assert (case.limit_days, case.due_on) == (2, D(2026, 11, 25))


# --- A booking with an approved urgent matter, checked in ---------------------------------------


def test_an_approved_urgent_booking_checked_in_goes_ahead_of_everyone(world) -> None:
    category = _queue(world)
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
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=2, now=at(MON, 10))
    # Someone waiting since before nine (past the 45-minute starvation limit by 9:50) and an
    # elderly person on the green channel: both would be called before a checked-in booking.
    starving = _issue(world, category, hm(THU, 9), require_open=False)
    green = _issue(world, category, hm(THU, 9, 1), id_number=id_number(birth="19500101", seq="003"))
    assert green.priority == "elderly"
    checked = booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(THU, 9, 2))
    assert checked.ticket.urgent
    order = list(queue_services.callable_tickets(window=world.window, now=hm(THU, 9, 50)))
    assert order == [checked.ticket, starving, green]
    assert queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=hm(THU, 9, 50)) == checked.ticket


def test_a_booking_approved_after_its_check_in_is_called_first_from_then(world) -> None:
    category = _queue(world)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=MON, end=THU, halls=[world.city.pk], now=at(MON, 8))
    slot = Slot.objects.get(category=category, starts_at=at(THU, 9))
    booking = booking_services.booking_create(
        slot=slot, name="陈志强", id_number=id_number(), mobile="13800138001", item=world.licence, now=at(MON, 9)
    )
    request = urgent.urgent_request_booking(
        booking=booking, category="travel", text="周五出国，需携带许可证", now=at(MON, 9)
    )
    ticket = booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(THU, 8, 45)).ticket
    assert not ticket.urgent
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=2, now=hm(THU, 8, 50))
    ticket.refresh_from_db()
    assert ticket.urgent


# --- Staggered-service days: the kiosk issues, the monitor watches -----------------------------


def _staggered_bookings(world, day: dt.date, count: int, *, booked_on: dt.date) -> tuple[QueueCategory, list]:
    category = _queue(world)
    SlotPlan.objects.create(
        hall=world.city,
        category=category,
        kind="staggered",
        starts=dt.time(9),
        ends=dt.time(11),
        slot_minutes=120,
        capacity=20,
        urgent_only=True,
    )
    booking_services.slots_generate(start=booked_on, end=day, halls=[world.city.pk], now=at(booked_on, 8))
    slot = Slot.objects.get(category=category, date=day)
    bookings = [
        booking_services.booking_create(
            slot=slot,
            name="陈志强",
            id_number=id_number(seq=f"{n:03d}"),
            mobile=f"13800138{n:03d}",
            item=world.licence,
            source=booking_services.URGENT_SOURCE,
            urgent=True,
            now=at(booked_on, 10),
        )
        for n in range(1, count + 1)
    ]
    return category, bookings


def test_a_holiday_with_staggered_slots_booked_issues_tickets_at_the_kiosk_and_is_watched(
    world, client, settings
) -> None:
    assert catalog_selectors.day_kinds(start=HOLIDAY, end=HOLIDAY)(HOLIDAY) == "holiday"
    category, bookings = _staggered_bookings(world, HOLIDAY, 10, booked_on=D(2026, 9, 29))
    with time_machine.travel(hm(HOLIDAY, 8, 40), tick=False):
        start = client.get(f"/halls/{world.city.code}/kiosk/").content.decode()
        assert "今天为错时服务日" in start and "预约签到" in start
        checked = client.post(f"/halls/{world.city.code}/kiosk/check-in/", {"code": bookings[0].code})
        assert checked.status_code == 200 and "签到成功" in checked.content.decode()
    for booking in bookings[1:]:
        booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(HOLIDAY, 8, 50))
    tickets = Ticket.objects.filter(category=category, service_date=HOLIDAY, status="waiting")
    assert tickets.count() == 10

    # Before the slots start nobody is served yet; from 9:00 ten wait with no window open.
    assert monitor.monitor_run(now=hm(HOLIDAY, 8, 55)).halls_open == 0
    result = monitor.monitor_run(now=hm(HOLIDAY, 9, 5))
    assert (result.halls_open, result.raised) == (1, 1)
    alert = WaitAlert.objects.get()
    assert (alert.hall, alert.category, alert.reason, alert.waiting) == (world.city, category, "long_queue", 10)
    # After the slots' hours the day is over: the alert closes as on any other day.
    assert monitor.monitor_run(now=hm(HOLIDAY, 11, 1)).closed == 1


def test_a_weekend_with_urgent_slots_booked_is_watched_for_long_waits(world) -> None:
    category, bookings = _staggered_bookings(world, SAT, 2, booked_on=MON)
    for booking in bookings:
        checked = booking_services.booking_check_in(hall=world.city, code=booking.code, now=hm(SAT, 8, 45))
        assert checked.ticket.status == "waiting"
    # Two wait from the slot's start: within the thresholds at 9:20, a long wait at 9:35.
    assert monitor.monitor_run(now=hm(SAT, 9, 20)).raised == 0
    result = monitor.monitor_run(now=hm(SAT, 9, 35))
    assert (result.halls_open, result.raised) == (1, 1)
    alert = WaitAlert.objects.get()
    assert alert.reason == "long_wait" and alert.longest_wait_seconds == 35 * 60
    # The next Saturday has no booked slot: nothing is watched.
    assert monitor.monitor_run(now=hm(SAT + dt.timedelta(days=7), 9, 35)).halls_open == 0


# --- Registered at the window from the console, for the ticket called there -------------------

WINDOW_ASK = {**ASK, "reason_category": "medical", "reason_text": "明日赴外地住院手术，需提前办结"}


def _called_at_window(world, client) -> Ticket:
    category = _queue(world)
    ticket = _issue(world, category, hm(MON, 9, 10))
    called = queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=hm(MON, 9, 20))
    assert called == ticket
    ticket.refresh_from_db()
    client.force_login(world.clerk)
    return ticket


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_console_registers_an_urgent_matter_for_the_called_ticket(world, client) -> None:
    from servicehall.models import AuditEvent

    ticket = _called_at_window(world, client)
    url = f"/staff/urgent/windows/{world.window.pk}/tickets/{ticket.pk}/"
    # The current-ticket panel offers it, for that ticket.
    console = client.get("/staff/").content.decode()
    assert f'href="{url}"' in console and f"登记急事急办（{ticket.number}）" in console
    # The form, prefilled with the queue's only item.
    form = client.get(url)
    page = form.content.decode()
    assert form.status_code == 200 and ticket.number in page
    assert 'value="0100201000" selected' in page
    # The same rules as everywhere: a reason too short is refused, nothing saved.
    short = client.post(url, {**WINDOW_ASK, "reason_category": "other", "reason_text": "有急事"})
    assert short.status_code == 422 and "至少写10个字" in short.content.decode()
    assert not UrgentRequest.objects.exists()

    done = client.post(url, WINDOW_ASK)
    assert done.status_code == 302 and done["Location"] == "/staff/"
    request = UrgentRequest.objects.get()
    assert (request.ticket, request.item, request.department) == (ticket, world.licence, world.market)
    assert request.ticket_channel == UrgentRequest.TicketChannel.WINDOW == "window"
    assert request.requested_by == world.clerk and request.applicant_masked == "陈**"
    assert request.status == UrgentRequest.Status.REQUESTED
    assert list(urgent.pending_for(world.market_chief)) == [request]
    client.force_login(world.market_chief)
    assert f"叫号后窗口登记，排队号 {ticket.number}" in client.get(f"/staff/urgent/{request.pk}/").content.decode()
    client.force_login(world.clerk)
    audit = AuditEvent.objects.get(action="urgent.requested")
    assert audit.actor == world.clerk and ticket.number in audit.summary and "窗口" in audit.summary
    # Once only; the console's pending section shows it.
    again = client.post(url, WINDOW_ASK)
    assert again.status_code == 409 and UrgentRequest.objects.count() == 1
    assert "不能重复登记" in again.content.decode()
    assert "急事急办待审批" in client.get("/staff/").content.decode()

    # Approved, the ticket at the counter is marked 急 and the console no longer offers it.
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=3)
    ticket.refresh_from_db()
    assert ticket.urgent
    assert f'href="{url}"' not in client.get("/staff/").content.decode()


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_console_registration_attaches_to_the_case_already_received_from_the_ticket(world, client) -> None:
    ticket = _called_at_window(world, client)
    case = world.receive(
        world.licence, now=hm(MON, 9, 25), channel=Case.Channel.WINDOW, window=world.window, ticket=ticket
    )
    url = f"/staff/urgent/windows/{world.window.pk}/tickets/{ticket.pk}/"
    page = client.get(url).content.decode()
    assert 'value="13800138000"' in page or case.contact_mobile in page  # prefilled from the case
    done = client.post(url, {**WINDOW_ASK, "mobile": case.contact_mobile})
    assert done.status_code == 302
    request = UrgentRequest.objects.get()
    assert request.case == case and request.ticket == ticket
    assert case.events.filter(kind="urgent_asked").count() == 1
    # The case's page now has the pending request and offers no second one.
    assert urgent.requests_of_case(case) == [request]


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_console_registration_is_refused_for_a_ticket_not_at_the_window_or_outside_the_hall(world, client) -> None:
    category = _queue(world)
    waiting = _issue(world, category, hm(MON, 9, 10))
    client.force_login(world.clerk)
    url = f"/staff/urgent/windows/{world.window.pk}/tickets/{waiting.pk}/"
    refused = client.post(url, WINDOW_ASK)
    assert refused.status_code == 409 and "不在本窗口办理中" in refused.content.decode()
    # The service says the same to any caller: a waiting ticket is the kiosk's or the phone's.
    with pytest.raises(CaseError) as stale:
        urgent.urgent_request_ticket(
            ticket=waiting,
            channel=UrgentRequest.TicketChannel.WINDOW,
            actor=world.clerk,
            item_code="0100201000",
            category="medical",
            text="明日赴外地住院手术",
            name="陈志强",
            mobile="13800138001",
        )
    assert stale.value.status == 409
    # Staff of another hall: refused (as on a case's page), and the service refuses without an actor.
    client.force_login(world.tianhe_clerk)
    assert client.post(url, WINDOW_ASK).status_code == 403
    queue_services.ticket_call_next(window=world.window, staff=world.clerk, now=hm(MON, 9, 20))
    with pytest.raises(CaseError) as denied:
        urgent.urgent_request_ticket(
            ticket=waiting,
            channel=UrgentRequest.TicketChannel.WINDOW,
            actor=world.tianhe_clerk,
            item_code="0100201000",
            category="medical",
            text="明日赴外地住院手术",
            name="陈志强",
            mobile="13800138001",
        )
    assert denied.value.status == 403
    assert not UrgentRequest.objects.exists()
