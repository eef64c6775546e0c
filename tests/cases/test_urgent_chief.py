"""Urgent matters and the chief representative who decides them (issue 11): a request tells the
department's chief representative at the hall (a Celery task through the outbox, at most once per
request); a department with no active chief representative there cannot be asked (422
``no_chief``, a clear message on the page, nothing saved), at the window, at the kiosk, by API
and with a booking."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from appointments import services as booking_services
from appointments.models import Booking, Slot, SlotPlan
from cases import urgent
from cases.models import CaseEvent, UrgentRequest
from queueing import services as queue_services
from queueing.models import QueueCategory
from servicehall import notifications
from servicehall.models import OutboxTask
from servicehall.notifications import MemoryBackend
from tests.cases.factories import D, at, id_number

pytestmark = pytest.mark.django_db

MON = D(2026, 11, 23)
THU = D(2026, 11, 26)
TEXT = "下周一赴外地住院手术，需要提前办结"
NO_CHIEF = "广州市市场监督管理局在广州市政务服务中心没有在岗的首席事务代表，急事急办申请无人审批"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(MON, 10), tick=False):
        yield


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def no_market_chief(world):
    world.market_chief.is_active = False
    world.market_chief.save(update_fields=["is_active"])
    return world


def test_a_request_tells_the_chief_representative_once(world, outbox, django_capture_on_commit_callbacks) -> None:
    case = world.receive(world.licence, now=at(MON, 9), outcome="accept")
    with django_capture_on_commit_callbacks(execute=True):
        request = urgent.urgent_request_case(case=case, actor=world.market_clerk, category="medical", text=TEXT)
    assert len(outbox) == 1
    told = outbox[0]
    assert told.recipients == [world.market_chief.username]  # not the police chief, not Tianhe's
    assert case.number in told.body and "急事急办" in told.subject
    assert told.data["idempotency_key"] == f"urgent-{request.pk}-asked"
    # The task run again (a retry, a drain) sends nothing more.
    assert urgent.urgent_chief_notify_send(request_id=request.pk) == 1
    assert len(outbox) == 1
    # Decided meanwhile: nobody is told of it any more.
    urgent.urgent_refuse(request=request, actor=world.market_chief, reason="材料需补充核实")
    MemoryBackend.outbox.clear()
    assert urgent.urgent_chief_notify_send(request_id=request.pk) == 0


def test_no_active_chief_refuses_the_window_request_with_nothing_saved(no_market_chief, client) -> None:
    world = no_market_chief
    case = world.receive(world.licence, now=at(MON, 9), outcome="accept")
    events = CaseEvent.objects.count()
    client.force_login(world.market_clerk)
    page = client.post(f"/staff/urgent/cases/{case.number}/", {"reason_category": "medical", "reason_text": TEXT})
    assert page.status_code == 422
    assert NO_CHIEF in page.content.decode()
    api = client.post(
        f"/api/v1/cases/{case.number}/urgent/",
        {"reason_category": "medical", "reason_text": TEXT},
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["code"] == "no_chief"
    assert not UrgentRequest.objects.exists() and not OutboxTask.objects.filter(task__contains="urgent").exists()
    assert CaseEvent.objects.count() == events
    # Another department at the same hall still has its chief.
    police_case = world.receive(world.hukou, now=at(MON, 9), outcome="accept")
    urgent.urgent_request_case(case=police_case, actor=world.clerk, category="medical", text=TEXT)


def test_a_chief_named_elsewhere_by_staffing_is_no_chief_here(world) -> None:
    """The role alone is not enough when the staffing records name somebody else (a deputy)."""
    from servicehall.access import add_chief_check

    case = world.receive(world.licence, now=at(MON, 9), outcome="accept")
    assert urgent.active_chiefs(world.city.pk, world.market.pk) == [world.market_chief]

    def nobody(user_id: int, hall_id: int, department_id: int) -> bool | None:
        return False

    from servicehall import access

    add_chief_check(nobody)
    try:
        with pytest.raises(urgent.CaseError) as refused:
            urgent.urgent_request_case(case=case, actor=world.market_clerk, category="medical", text=TEXT)
    finally:
        access._chief_checks.remove(nobody)
    assert (refused.value.status, refused.value.code) == (422, "no_chief")


def test_no_active_chief_refuses_the_kiosk_request(no_market_chief, client) -> None:
    world = no_market_chief
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=at(MON, 9)).ticket
    ask = {"item": world.licence.code, "reason_category": "travel", "reason_text": TEXT, "name": "陈志强"}
    refused = client.post(f"/t/{ticket.token}/urgent/", {**ask, "mobile": "13800138001"})
    assert refused.status_code == 422 and NO_CHIEF in refused.content.decode()
    assert not UrgentRequest.objects.exists()


def test_no_active_chief_refuses_the_booking_request_and_books_nothing(no_market_chief, client) -> None:
    world = no_market_chief
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=MON, end=THU, halls=[world.city.pk], now=at(MON, 8))
    slot = Slot.objects.get(category=category, starts_at=at(THU, 9))
    data = {
        "name": "陈志强",
        "id_number": id_number(),
        "mobile": "13800138001",
        "consent": "on",
        "item": world.licence.code,
        "urgent-wanted": "on",
        "urgent-reason_category": "medical",
        "urgent-reason_text": TEXT,
    }
    page = client.post(f"/book/slot/{slot.pk}/", data)
    assert page.status_code == 422 and NO_CHIEF in page.content.decode()
    body = {"slot": slot.pk, "name": "陈志强", "id_number": id_number(), "mobile": "13800138001"}
    body |= {"item": world.licence.code, "urgent": {"reason_category": "medical", "reason_text": TEXT}}
    api = client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json")
    assert api.status_code == 422 and api.json()["code"] == "no_chief"
    assert not Booking.objects.exists() and not UrgentRequest.objects.exists()
