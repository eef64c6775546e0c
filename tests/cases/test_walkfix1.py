"""Walkthrough fixes (issue 11 area): an urgent request made on the phone ticket page is labelled
and audited as such; the refusal SMS has one full stop after the reason; a forwarded case
accepted at the receiving hall names the sending hall's window and the accepting clerk's."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from cases import forwarding, urgent
from cases.models import Case, Forwarding, UrgentRequest
from catalog.models import GuideVersion
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket, Window
from servicehall.models import AuditEvent
from tests.cases.factories import at
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


def _forwarded_window_case(world):
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    window = world.window  # the city centre's, where the clerk is signed in
    window.number = 4
    window.save(update_fields=["number"])
    ticket = queue_services.ticket_issue(
        hall=world.city, category=_category(world), source="kiosk", now=at(MON, 9)
    ).ticket
    queue_services.ticket_call_next(window=window, staff=world.clerk, now=at(MON, 9))
    ticket.refresh_from_db()
    case = world.receive(world.licence, now=at(MON, 9), channel=Case.Channel.WINDOW, window=window, ticket=ticket)
    sent = forwarding.case_forward(
        case=case,
        actor=world.clerk,
        to_hall=world.tianhe,
        collect_at=Forwarding.CollectAt.JURISDICTION,
        now=at(MON, 10),
    )
    forwarding.forwarding_accept(forwarding=sent, actor=world.tianhe_clerk, now=at(MON, 11))
    return case, ticket


@time_machine.travel(at(MON, 14), tick=False)
def test_a_forwarded_case_names_the_sending_halls_window_and_the_accepting_clerks(world, client) -> None:
    case, ticket = _forwarded_window_case(world)
    Window.objects.create(
        hall=world.tianhe, number=7, kind=Window.Kind.COMPREHENSIVE, is_open=True, staff=world.tianhe_clerk
    )
    client.force_login(world.tianhe_clerk)
    url = reverse("case-detail", args=[case.number])
    page = client.get(url).content.decode()
    assert f"天河区政务服务中心 · 收件：广州市政务服务中心 4号窗口 · 排队号 {ticket.number}" in page, page
    assert "天河区政务服务中心 · 4号窗口" not in page

    assert client.post(reverse("case-action", args=[case.number, "accept"]), {}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    notice = client.get(reverse("case-print", args=[case.number, "acceptance"])).content.decode()
    meta = notice[notice.index('class="case-notice-meta"') :]
    assert "<dd>天河区政务服务中心</dd>" in meta and "<dd>7号窗口</dd>" in meta, meta
    assert "4号窗口" not in meta


@time_machine.travel(at(MON, 14), tick=False)
def test_accepted_by_a_clerk_at_no_window_the_notice_has_no_window_line(world, client) -> None:
    case, _ticket_ = _forwarded_window_case(world)
    client.force_login(world.tianhe_clerk)
    assert client.post(reverse("case-action", args=[case.number, "accept"]), {}).status_code == 302
    notice = client.get(reverse("case-print", args=[case.number, "acceptance"])).content.decode()
    meta = notice[notice.index('class="case-notice-meta"') :]
    assert "<dd>天河区政务服务中心</dd>" in meta and "4号窗口" not in meta and "<dt>窗口</dt>" not in meta, meta
