"""A citizen takes a ticket at the kiosk, keeps the slip, follows the ticket on a phone and is
called; the hall's display board shows and speaks the call. Real Chromium, real time, with an
accessibility scan of every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from catalog.models import CalendarDay, HallOpeningHours
from queueing import services
from queueing.models import Ticket
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Speech cannot be heard in a headless browser: record what the board asks to say instead.
RECORD_SPEECH = """
window.__spoken = [];
if (!("speechSynthesis" in window)) {
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  window.speechSynthesis = { cancel: function () {}, getVoices: function () { return []; } };
}
window.speechSynthesis.speak = function (utterance) { window.__spoken.push(utterance.text); };
"""


def not_at_midnight() -> None:
    """A ticket belongs to its day: if the test would run across midnight, wait for the new day
    (at most three minutes) instead of skipping."""
    import time

    now = timezone.localtime()
    if now.time() >= dt.time(23, 57):
        midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=2, microsecond=0)
        time.sleep((midnight - now).total_seconds())


def open_around_the_clock(hall) -> None:
    """The live server runs in real time: open the hall every day from 00:00 to 23:59 and make
    today a working day in the calendar, whatever the date the test runs on."""
    HallOpeningHours.objects.filter(hall=hall).delete()
    HallOpeningHours.objects.bulk_create(
        HallOpeningHours(
            hall=hall,
            weekday=weekday,
            morning_opens=dt.time(0, 0),
            morning_closes=dt.time(12, 0),
            afternoon_opens=dt.time(12, 0),
            afternoon_closes=dt.time(23, 59),
        )
        for weekday in range(7)
    )
    CalendarDay.objects.update_or_create(
        date=timezone.localdate(), defaults={"kind": CalendarDay.Kind.WORKDAY, "source": CalendarDay.Source.MANUAL}
    )


def test_kiosk_slip_ticket_page_and_board(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("BROWSER")
    open_around_the_clock(qh.hall)
    base = live_server.url

    # The hall's screen starts first; a member of staff switches the spoken announcements on.
    board = page.context.new_page()
    board.console_errors = []
    board.on("console", lambda message: message.type == "error" and board.console_errors.append(message.text))
    board.on("pageerror", lambda error: board.console_errors.append(str(error)))
    board.add_init_script(RECORD_SPEECH)
    board.goto(f"{base}/halls/BROWSER/board/")
    expect(board.get_by_role("heading", level=1)).to_contain_text(qh.hall.name)
    expect(board.locator(".board-empty")).to_have_text("暂无叫号，请耐心等候")
    speech = board.get_by_role("button", name="开启语音播报")
    speech.click()
    expect(board.get_by_role("button", name="关闭语音播报")).to_be_visible()
    assert board.evaluate("window.localStorage.getItem('servicehall.board.speech')") == "on"
    assert board.evaluate("window.__spoken") == ["语音播报已开启"]
    axe_check(board, "display board")

    # The kiosk, in care mode. Enter from an ID card reader takes no ticket.
    page.goto(f"{base}/halls/BROWSER/kiosk/")
    expect(page.locator("html")).to_have_class("care")
    expect(page.get_by_role("heading", level=1)).to_have_text("自助取号")
    axe_check(page, "kiosk")
    id_field = page.get_by_label("身份证号码（选填）")
    id_field.fill(id_number("19900307"))
    id_field.press("Enter")
    expect(page.locator(".kiosk-errors")).to_contain_text("请按下要办理业务的按钮取号")
    assert Ticket.objects.count() == 0
    expect(page.get_by_label("身份证号码（选填）")).to_have_value(id_number("19900307"))
    axe_check(page, "kiosk with an error")

    page.get_by_role("button", name=re.compile("户政业务")).click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+/slip/$"))
    expect(page.locator(".slip-number")).to_contain_text("A001")
    expect(page.get_by_role("img", name="查看排队进度的二维码")).to_be_visible()
    expect(page.locator(".slip")).to_contain_text("暂无法估算")  # no window is open yet
    axe_check(page, "slip")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".slip-actions")).to_be_hidden()
    expect(page.locator(".slip-number")).to_be_visible()
    page.emulate_media(media="screen")

    # The QR code leads to the ticket page, which follows the queue by itself.
    page.get_by_role("link", name="查看排队进度").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("排队进度：A001 号")
    live = page.locator(".ticket-live")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_contain_text("等候中")
    expect(live).to_contain_text("您前面已没有人")
    axe_check(page, "ticket page")

    ticket = Ticket.objects.get()
    assert ticket.number == "A001" and ticket.source == "kiosk" and ticket.id_hash
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])

    # On the board within 3 seconds, announced once, in words and speech.
    expect(board.locator(".board-latest")).to_contain_text("A001", timeout=3_000)
    expect(board.locator(".board-latest")).to_contain_text("请到 2 号窗口")
    expect(board.locator("#board-announcer")).to_have_text("请 A001 号到 2 号窗口办理")
    assert board.evaluate("window.__spoken") == ["语音播报已开启", "请 A 零 零 一 号到 2 号窗口办理"]
    axe_check(board, "display board with a call")

    # The phone shows where to go (it polls every 5 s), in the page and in its title.
    expect(page.locator(".ticket-call")).to_have_text("请 A001 号到 2 号窗口办理", timeout=8_000)
    expect(page).to_have_title(re.compile(r"^请 A001 号到 2 号窗口办理"))
    expect(page.get_by_role("button", name=re.compile("确认取消"))).to_have_count(0)
    axe_check(page, "ticket page when called")

    # The board goes on polling without announcing the same call again.
    board.wait_for_timeout(2_500)
    assert board.evaluate("window.__spoken").count("请 A 零 零 一 号到 2 号窗口办理") == 1

    # No CSP violation or script error anywhere on the way; the one failed load is the kiosk's
    # own answer (HTTP 400) to the Enter without a queue.
    refused = [e for e in page.console_errors if "status of 400" in e]
    assert len(refused) == 1, page.console_errors
    assert [e for e in page.console_errors if e not in refused] == [], page.console_errors
    assert board.console_errors == [], board.console_errors


def test_cancelling_from_the_ticket_page(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("BROWSER")
    open_around_the_clock(qh.hall)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk").ticket

    page.goto(f"{live_server.url}/t/{ticket.token}/")
    page.get_by_text("不需要办理了？取消排队").click()
    page.get_by_role("button", name="确认取消 B001 号").click()
    expect(page.locator(".ticket-live")).to_contain_text("您已取消本号码")
    axe_check(page, "cancelled ticket page")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED

    # The hall's page loads its live queue (htmx), which links to the full page.
    page.goto(f"{live_server.url}/halls/BROWSER/")
    expect(page.locator("#hall-queue")).to_contain_text("现有 0 人等候")
    axe_check(page, "hall page with its live queue")
    page.goto(f"{live_server.url}/halls/BROWSER/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("实时排队情况")
    expect(page.get_by_role("table")).to_contain_text("社保业务")
    axe_check(page, "hall live queue")
    assert page.console_errors == [], page.console_errors
