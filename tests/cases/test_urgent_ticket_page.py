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
    assert 'data-urgent-state="offer"' in client.get(f"/t/{mine.token}/").content.decode()  # not asked yet
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


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_the_phone_ticket_page_offers_the_urgent_request_and_comes_back_to_it(world, client) -> None:
    """Issue 11: the ticket's page on the applicant's phone offers 急事急办 (as the kiosk slip and
    the booking do) while it waits and a chief representative is there to decide; the form,
    opened from the phone, is a phone page (not the kiosk's) and returns to the ticket's page."""
    mine = _ticket(world)
    page = client.get(f"/t/{mine.token}/").content.decode()
    link = f"/t/{mine.token}/urgent/?from=phone"
    assert 'data-urgent-state="offer"' in page and f'href="{link}"' in page
    form = client.get(link).content.decode()
    assert 'name="from" value="phone"' in form and "data-kiosk-home" not in form
    assert f'href="/t/{mine.token}/"' in form and f"/t/{mine.token}/slip/" not in form
    bad = client.post(f"/t/{mine.token}/urgent/", {**ASK, "reason_text": "急", "from": "phone"})
    assert bad.status_code == 422 and 'name="from" value="phone"' in bad.content.decode()
    asked = client.post(f"/t/{mine.token}/urgent/", {**ASK, "from": "phone"})
    assert asked.status_code == 302 and asked["Location"] == f"/t/{mine.token}/"
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert 'data-urgent-state="requested"' in page and link not in page
    # The kiosk's own way is unchanged: back to the slip.
    other = queue_services.ticket_issue(hall=world.city, category=mine.category, source="kiosk", now=hm(MON, 9)).ticket
    assert "data-kiosk-home" in client.get(f"/t/{other.token}/urgent/").content.decode()
    assert client.post(f"/t/{other.token}/urgent/", ASK)["Location"] == f"/t/{other.token}/slip/"


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_no_offer_without_a_chief_to_decide_or_once_called(world, client) -> None:
    mine = _ticket(world)
    world.market_chief.is_active = False
    world.market_chief.save(update_fields=["is_active"])
    assert "/urgent/?from=phone" not in client.get(f"/t/{mine.token}/").content.decode()
    world.market_chief.is_active = True
    world.market_chief.save(update_fields=["is_active"])
    assert "/urgent/?from=phone" in client.get(f"/t/{mine.token}/").content.decode()
    Ticket.objects.filter(pk=mine.pk).update(status=Ticket.Status.CANCELLED)
    assert "/urgent/?from=phone" not in client.get(f"/t/{mine.token}/").content.decode()


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_once_called_the_ticket_page_no_longer_speaks_of_the_call_order(world, client) -> None:
    # A walkthrough found a served ticket still saying "审批前本号按正常顺序叫号".
    mine = _ticket(world)
    client.post(f"/t/{mine.token}/urgent/", ASK)
    Ticket.objects.filter(pk=mine.pk).update(status=Ticket.Status.DONE)
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert "本号已叫号。急事急办申请仍由部门首席事务代表审批" in page
    assert "按正常顺序叫号" not in page


@time_machine.travel(hm(MON, 9, 30), tick=False)
def test_after_a_no_show_a_refusal_no_longer_speaks_of_the_call_order(world, client) -> None:
    # A walkthrough found a no-show ticket still saying "本号按正常顺序叫号".
    mine = _ticket(world)
    client.post(f"/t/{mine.token}/urgent/", ASK)
    urgent.urgent_refuse(request=UrgentRequest.objects.get(), actor=world.market_chief, reason="出行日期尚在一个月后")
    Ticket.objects.filter(pk=mine.pk).update(status=Ticket.Status.NO_SHOW)
    page = client.get(f"/t/{mine.token}/").content.decode()
    assert 'data-urgent-state="refused"' in page and "未获批准急事急办（理由：出行日期尚在一个月后）。" in page
    assert "按正常顺序叫号" not in page
