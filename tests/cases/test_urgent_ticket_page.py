"""急事急办 asked at the kiosk, on the ticket's public page (/t/<token>/, the extension place
TICKET_PAGE) and on the window console while it waits for a decision (CONSOLE_PANEL)."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from cases import urgent
from cases.models import UrgentRequest
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket
from tests.cases.test_urgent_queue import ASK, MON, hm


def _ticket(world) -> Ticket:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    return queue_services.ticket_issue(hall=world.city, category=category, source="kiosk", now=hm(MON, 9)).ticket


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_ticket_page_says_the_urgent_request_pending_then_approved(world, client) -> None:
    mine = _ticket(world)
    assert "急事急办" not in client.get(f"/t/{mine.token}/").content.decode()
    assert client.post(f"/t/{mine.token}/urgent/", ASK).status_code == 302
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert 'data-urgent-state="requested"' in page and "正在等待部门首席事务代表审批" in page
    assert "陈志强" not in page and "13800138001" not in page

    urgent.urgent_approve(request=UrgentRequest.objects.get(), actor=world.market_chief, promised_days=3)
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert 'data-urgent-state="approved"' in page and "急事急办已获批准，本号优先叫号。" in page


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_ticket_page_says_a_refusal_with_its_reason(world, client) -> None:
    mine = _ticket(world)
    client.post(f"/t/{mine.token}/urgent/", ASK)
    urgent.urgent_refuse(request=UrgentRequest.objects.get(), actor=world.market_chief, reason="出行日期尚在一个月后")
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert 'data-urgent-state="refused"' in page
    assert "未获批准急事急办（理由：出行日期尚在一个月后），本号按正常顺序叫号。" in page


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_console_flags_a_waiting_ticket_whose_urgent_request_is_pending(world, client) -> None:
    mine = _ticket(world)
    client.force_login(world.clerk)
    assert "急事急办待审批" not in client.get("/staff/").content.decode()
    client.post(f"/t/{mine.token}/urgent/", ASK)
    client.force_login(world.clerk)
    console = client.get("/staff/").content.decode()
    assert "急事急办待审批" in console and f"{mine.number} 号于 09:" in console
    urgent.urgent_approve(request=UrgentRequest.objects.get(), actor=world.market_chief, promised_days=3)
    console = client.get("/staff/").content.decode()
    assert "急事急办待审批" not in console and "badge-urgent" in console


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_an_urgent_request_approved_for_0_days_says_same_day_and_the_application_form_says_urgent(
    world, client
) -> None:
    mine = _ticket(world)
    client.post(f"/t/{mine.token}/urgent/", ASK)
    request = UrgentRequest.objects.get()
    client.force_login(world.clerk)
    form = client.get(
        f"{reverse('case-window-application', args=[world.window.pk])}?ticket={mine.pk}&item={world.licence.code}"
    )
    assert form.status_code == 200, form.status_code
    assert 'data-urgent-state="requested"' in form.content.decode()

    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=0)
    body = urgent.urgent_notify_text(UrgentRequest.objects.get())[1]
    assert "承诺当日办结" in body and "0个工作日" not in body
    page = client.get(
        f"{reverse('case-window-application', args=[world.window.pk])}?ticket={mine.pk}&item={world.licence.code}"
    )
    html = page.content.decode()
    assert 'data-urgent-state="approved"' in html and "受理后标为急办，承诺当日办结。" in html
    assert "承诺 0 个工作日" not in html
