"""Walkthrough fixes (issue 11 area): an urgent request made on the phone ticket page is labelled
and audited as such; the refusal SMS has one full stop after the reason."""

from __future__ import annotations

import time_machine

from cases import urgent
from cases.models import UrgentRequest
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket
from servicehall.models import AuditEvent
from tests.cases.test_urgent_queue import ASK, MON, hm


def _category(world) -> QueueCategory:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    return category


def _ticket(world) -> Ticket:
    category = _category(world)
    return queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=hm(MON, 9)).ticket


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_a_phone_request_is_labelled_and_audited_as_made_on_the_phone(world, client) -> None:
    phone = _ticket(world)
    kiosk = queue_services.ticket_issue(hall=world.city, category=phone.category, source="kiosk", now=hm(MON, 9)).ticket
    assert client.post(f"/t/{phone.token}/urgent/", {**ASK, "from": "phone"}).status_code == 302
    assert client.post(f"/t/{kiosk.token}/urgent/", ASK).status_code == 302
    by_phone = UrgentRequest.objects.get(ticket=phone)
    at_kiosk = UrgentRequest.objects.get(ticket=kiosk)
    assert by_phone.ticket_channel == "phone" and at_kiosk.ticket_channel == "kiosk"

    client.force_login(world.market_chief)
    page = client.get(f"/staff/urgent/{by_phone.pk}/").content.decode()
    assert f"尚未收件（手机申请，排队号 {phone.number}）" in page and "取号机申请" not in page
    page = client.get(f"/staff/urgent/{at_kiosk.pk}/").content.decode()
    assert f"尚未收件（取号机申请，排队号 {kiosk.number}）" in page and "手机申请" not in page

    summaries = set(AuditEvent.objects.filter(action="urgent.requested").values_list("summary", flat=True))
    assert summaries == {f"排队号{phone.number}在手机上申请急事急办", f"排队号{kiosk.number}在取号机申请急事急办"}


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_refusal_message_has_one_full_stop_after_the_reason(world, client) -> None:
    category = _category(world)
    for n, reason in enumerate(["出行日期尚在一个月后，无需急办。", "出行日期尚在一个月后，无需急办", "无需急办. "]):
        mine = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=hm(MON, 9, n)).ticket
        client.post(f"/t/{mine.token}/urgent/", ASK)
        request = UrgentRequest.objects.get(ticket=mine)
        urgent.urgent_refuse(request=request, actor=world.market_chief, reason=reason)
        body = urgent.urgent_notify_text(UrgentRequest.objects.get(pk=request.pk))[1]
        assert "。。" not in body and ".。" not in body, body
        assert "无需急办。本件将按正常时限办理" in body, body
