"""A citizen takes a ticket at the kiosk, keeps the slip, follows the ticket on a phone and is
called; the hall's display board shows and speaks the call. Real Chromium, real time, with an
accessibility scan of every page."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from catalog.models import CalendarDay, HallOpeningHours
from queueing import services
from queueing.models import Ticket
from servicehall.personal_data import mask_id_number
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
    # Read, not refused: said, and shown masked on the public screen.
    read = page.locator("#id-number-read")
    expect(read).to_have_text("已读取身份证号码，请按下要办理业务的按钮取号。")
    expect(read).to_be_focused()
    expect(page.locator(".kiosk-errors")).to_have_count(0)
    assert Ticket.objects.count() == 0
    expect(page.get_by_label("身份证号码（选填）")).to_have_value(mask_id_number(id_number("19900307")))
    axe_check(page, "kiosk with an ID number read")

    # No window is open yet: the kiosk says so and offers booking first; the ticket takes a
    # second, explicit press.
    page.get_by_role("button", name=re.compile("户政业务")).click()
    warning = page.get_by_role("heading", level=2, name=re.compile("当前无窗口办理该业务"))
    expect(warning).to_be_focused()
    # This hall takes no online bookings: no link to a booking page that would only say so.
    expect(page.get_by_role("link", name="预约办理")).to_have_count(0)
    axe_check(page, "kiosk: no window serves the queue")
    assert Ticket.objects.count() == 0
    page.get_by_role("button", name="仍在本大厅取号（等候时间无法估算）").click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+/slip/$"))
    expect(page.locator(".slip-number")).to_contain_text("A001")
    expect(page.get_by_role("img", name="查看排队进度的二维码")).to_be_visible()
    expect(page.locator(".slip")).to_contain_text("暂无法估算")
    axe_check(page, "slip")
    page.emulate_media(media="print")
    expect(page.locator(".kiosk-bar")).to_be_hidden()
    expect(page.locator(".slip-actions")).to_be_hidden()
    expect(page.locator(".slip-number")).to_be_visible()
    # The rating QR code is part of the printed slip (feedback: KIOSK_SLIP_PRINTED).
    expect(page.locator(".slip").get_by_role("img", name="服务评价二维码")).to_be_visible()
    page.emulate_media(media="screen")

    # The QR code leads to the ticket page (on the person's phone), which follows the queue.
    ticket = Ticket.objects.get()
    page.goto(f"{base}/t/{ticket.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("排队进度：A001 号")
    live = page.locator(".ticket-live")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_contain_text("等候中")
    # No window is open yet: nobody is told to get ready for a call that cannot come.
    expect(live).to_contain_text("目前没有开放的窗口办理该类业务")
    axe_check(page, "ticket page")

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

    # No CSP violation or script error anywhere on the way, and no refused request: the Enter
    # without a queue is no error either.
    assert page.console_errors == [], page.console_errors
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


# --- The kiosk is a kiosk; the board fits its screen (issue 8) -------------------------------

SHOTS = os.environ.get("KIOSK_BOARD_SHOTS", "")  # a directory: save screenshots there to look at


def shoot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


# Every control a finger may need, at least 48 × 48 CSS pixels (the visually hidden submit
# button only catches an ID card reader's Enter; a radio button's or a checkbox's target is its
# whole label).
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll("a, button, input, select, label.kiosk-option"))
  .filter((el) => el.type !== "hidden" && el.type !== "radio" && !el.classList.contains("visually-hidden"))
  .filter((el) => !(el.type === "checkbox" && el.closest("label.kiosk-option")))
  .filter((el) => el.getClientRects().length)
  .map((el) => [el.textContent.trim() || el.name || el.id, el.getBoundingClientRect()])
  .filter(([, box]) => box.height < 48 || box.width < 48)
  .map(([name, box]) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)
"""


def test_the_kiosk_goes_back_to_the_start_when_left_idle(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("IDLE")
    open_around_the_clock(qh.hall)
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    kiosk = f"{live_server.url}/halls/IDLE/kiosk/"
    page.set_viewport_size({"width": 1080, "height": 1920})  # a kiosk's portrait screen
    page.clock.install()
    page.goto(kiosk)

    # No way off the kiosk but its own pages, big targets, and a warning no window serves A.
    expect(page.locator("nav, .site-header, .site-footer")).to_have_count(0)
    assert page.evaluate(SMALL_TARGETS) == []
    expect(page.get_by_role("button", name=re.compile("户政业务"))).to_contain_text("当前无窗口办理该业务")
    expect(page.get_by_role("button", name=re.compile("社保业务"))).to_contain_text("无需等候")
    shoot(page, "kiosk")

    # Someone types an ID number and walks away: a warning for the last 15 seconds, then the start.
    field = page.get_by_label("身份证号码（选填）")
    field.fill(id_number("19900307"))
    page.clock.fast_forward(44_000)
    warning = page.locator("[data-kiosk-idle-warning]")
    expect(warning).to_be_hidden()
    page.clock.fast_forward(2_000)
    expect(warning).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("长时间无操作，即将返回取号首页。")
    expect(page.get_by_role("button", name="继续使用")).to_be_focused()
    shoot(page, "kiosk-idle-warning")
    axe_check(page, "kiosk: still there?")
    assert axe_violations(page) == []

    # A key (or a touch) starts the minute again.
    page.keyboard.press("Shift")
    expect(warning).to_be_hidden()
    page.clock.fast_forward(58_000)
    expect(field).to_have_value(id_number("19900307"))
    page.clock.fast_forward(3_000)
    page.wait_for_url(kiosk)
    expect(page.get_by_label("身份证号码（选填）")).to_have_value("")
    expect(page.locator("[data-kiosk-idle-warning]")).to_be_hidden()

    # The questions after pressing a queue without a window go back to the start too.
    page.get_by_role("button", name=re.compile("户政业务")).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("当前无窗口办理该业务")
    assert page.evaluate(SMALL_TARGETS) == []
    shoot(page, "kiosk-no-window")
    assert axe_violations(page) == []
    page.clock.fast_forward(61_000)
    page.wait_for_url(kiosk)
    assert Ticket.objects.count() == 0

    # After the slip is printed the kiosk goes back within seconds.
    page.get_by_role("button", name=re.compile("社保业务")).click()
    expect(page.locator(".slip-number")).to_contain_text("B001")
    assert page.evaluate(SMALL_TARGETS) == []
    shoot(page, "kiosk-slip")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.clock.fast_forward(5_500)
    page.wait_for_url(kiosk)
    assert page.console_errors == [], page.console_errors


def axe_violations(page) -> list[str]:
    """Every axe violation (WCAG 2.1 A/AA and best practice), whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}},
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


def board_hall(code: str, *, queues: str, windows: int):
    """A hall with one queue per letter and ``windows`` windows (one comprehensive, the others
    specialised in turn), some tickets waiting and the last eight calls."""
    from queueing.models import QueueCategory, Window

    qh = make_queue_hall(code)
    open_around_the_clock(qh.hall)
    names = ["商事登记与经营许可", "不动产与住房公积金", "民政卫健教育司法", "税务", "“办不成事”反映"]
    categories = [qh.a, qh.b]
    for order, letter in enumerate(queues[2:], start=3):
        name = names[order - 3] if order - 3 < len(names) else f"专项业务{letter}"
        categories.append(QueueCategory.objects.create(hall=qh.hall, letter=letter, name=name, order=order))
    for number in range(5, windows + 1):
        window = Window.objects.create(hall=qh.hall, number=number, kind=Window.Kind.SPECIALISED)
        window.categories.add(categories[number % len(categories)])
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1])
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    # Tickets of the last forty minutes, but never of yesterday: just after midnight they would
    # belong to a day that is over and nothing would be left to call.
    now = timezone.localtime()
    start = max(now - dt.timedelta(minutes=40), now.replace(hour=0, minute=0, second=0, microsecond=0))
    issued = categories * 2
    step = (now - start) / (len(issued) + 1)
    for k, category in enumerate(issued, start=1):
        services.ticket_issue(hall=qh.hall, category=category, source="kiosk", now=start + step * k)
    for _ in range(8):
        current = Ticket.objects.filter(window=qh.comprehensive, status="called").first()
        if current is not None:
            services.ticket_no_show(window=qh.comprehensive, ticket=current, staff=qh.staff[1])
        services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1])
    return qh, [c.letter for c in categories]


def board_fits(board) -> None:
    """Nothing wider or taller than the screen, and nothing shown cut off at its edge."""
    overflow = board.evaluate(
        """() => {
          const doc = document.documentElement;
          const cut = Array.from(document.querySelectorAll("#board-live [data-page-item], #board-live [data-call]"))
            .filter((el) => el.getClientRects().length)
            .filter((el) => { const r = el.getBoundingClientRect(); return r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5; })
            .map((el) => el.textContent.trim().slice(0, 20));
          return {width: doc.scrollWidth - innerWidth, height: doc.scrollHeight - innerHeight, cut};
        }"""
    )
    assert overflow["width"] <= 0 and overflow["height"] <= 0 and overflow["cut"] == [], overflow


def visible_letters(board) -> list[str]:
    return board.eval_on_selector_all(
        "#board-live tr[data-letter]",
        "rows => rows.filter((r) => r.getClientRects().length).map((r) => r.dataset.letter)",
    )


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
@pytest.mark.parametrize(("queues", "windows"), [("ABCDEFG", 11), ("ABCDEFGHJKLMNPQR", 24)])
def test_the_board_shows_every_queue_on_a_wall_screen(
    live_server, browser, axe_check, width, height, queues, windows
) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh, letters = board_hall(f"B{len(queues)}", queues=queues, windows=windows)
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    board = context.new_page()
    errors: list[str] = []
    board.on("console", lambda message: message.type == "error" and errors.append(message.text))
    board.on("pageerror", lambda error: errors.append(str(error)))
    board.add_init_script(RECORD_SPEECH)
    board.clock.install()
    board.goto(f"{live_server.url}/halls/{qh.hall.code}/board/")
    expect(board.locator("html")).to_have_class(re.compile(r"\bboard-paged\b"))
    shoot(board, f"board-{len(queues)}q-{width}x{height}")
    board_fits(board)
    axe_check(board, f"display board {width}×{height}")
    assert axe_violations(board) == []

    # Each queue with its people waiting and estimated wait; the pages turn every 10 seconds
    # until every queue has been on the screen.
    indicator = board.locator(".board-queues [data-page-indicator]")
    seen: list[str] = []
    pages = 1
    if indicator.is_visible():
        pages = int(indicator.inner_text().split("/")[1])
        expect(indicator).to_have_text(f"1/{pages}")
    for page_number in range(1, pages + 1):
        if page_number > 1:
            board.clock.fast_forward(10_000)
            expect(indicator).to_have_text(f"{page_number}/{pages}")
        shown = visible_letters(board)
        assert shown and not set(shown) & set(seen), (shown, seen)
        seen += shown
        for letter in shown:
            row = board.locator(f'#board-live tr[data-letter="{letter}"]')
            expect(row.locator(".board-queue-wait")).to_have_text(re.compile(r"^(约 \d+ 分钟|无需等候|暂无开放窗口)$"))
        board_fits(board)
        if page_number == 2:
            shoot(board, f"board-{len(queues)}q-{width}x{height}-page2")
    assert seen == letters
    if len(queues) > 7:
        assert pages > 1
        board.clock.fast_forward(10_000)  # ... and round to the first again
        expect(indicator).to_have_text(f"1/{pages}")

    # A call arriving meanwhile keeps the page the board is on (a busy hall still turns pages).
    if pages > 1:
        before = indicator.inner_text()
        services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
        board.clock.fast_forward(2_000)
        expect(board.locator(".board-latest")).to_contain_text("请到 2 号窗口")
        expect(indicator).to_have_text(before)
        board_fits(board)
    assert errors == [], errors
    context.close()
