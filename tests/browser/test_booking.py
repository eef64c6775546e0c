"""A citizen books a slot through the pages, opens the private manage link, cancels, books again
and checks in at the hall's kiosk, getting a priority ticket and its slip. Real Chromium, real
time, with an accessibility scan of every page and a look at the pages on a phone's width."""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import Booking, SlotPlan
from catalog.models import CalendarDay, Hall, Material, ServiceItem
from queueing.models import QueueCategory, Ticket
from servicehall.notifications import MemoryBackend
from tests.appointments.factories import person
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.catalog import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def before_the_last_slot() -> None:
    """The plan's last slot of the day starts at 23:50 and the test books today's second slot not
    yet started, then checks in within half an hour of it: from 23:40 (when fewer than two may be
    left by the time it books) wait for the new day (``not_at_midnight`` covers the last three
    minutes only)."""
    now = timezone.localtime()
    if now.time() >= dt.time(23, 40):
        midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=2, microsecond=0)
        time.sleep((midnight - now).total_seconds())
    not_at_midnight()


def booking_hall() -> Hall:
    """A hall open around the clock with five-minute slots all day today and tomorrow: today's
    next slot always starts within half an hour (check-in opens 30 minutes before), and
    tomorrow's last one is more than two hours away (cancelling closes two hours before)."""
    hall = factories.hall(code="BOOKB", name="天河区政务服务中心", name_en="Tianhe Service Centre", district="tianhe")
    open_around_the_clock(hall)
    queue = QueueCategory.objects.create(hall=hall, letter="A", name="户政业务", name_en="Household registration")
    item = factories.item(
        code="0600101000",
        name="居民身份证换领",
        halls=[hall],
        materials=[
            {"name": "居民户口簿", "form": Material.Form.ORIGINAL},
            {"name": "数码相片回执", "form": Material.Form.ORIGINAL, "may_follow_later": True},
        ],
    )
    queue.items.add(item)
    SlotPlan.objects.create(
        hall=hall,
        category=queue,
        kind="regular",
        starts=dt.time(0, 0),
        ends=dt.time(23, 55),
        slot_minutes=5,
        capacity=2,
    )
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    CalendarDay.objects.update_or_create(
        date=tomorrow, defaults={"kind": CalendarDay.Kind.WORKDAY, "source": CalendarDay.Source.MANUAL}
    )
    services.slots_generate(start=today, end=tomorrow)
    return hall


def fits_a_phone(page, label: str) -> None:
    """At a phone's width nothing sticks out sideways."""
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label} is {overflow}px wider than a phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def choose_slot(page, *, last: bool = False) -> str:
    """Pick the day's second (or last) slot still open; returns its time ("HH:MM–HH:MM"). Not the
    first: it may start (and refuse the booking, rightly) between showing and choosing it."""
    slots = page.locator(".slot-open")
    slot = slots.last if last else slots.nth(1)
    when = slot.locator(".slot-time").inner_text()
    slot.get_by_role("radio").check()
    page.get_by_role("button", name="下一步：填写预约人信息").click()
    return when


def test_book_manage_cancel_book_again_and_check_in_at_the_kiosk(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    before_the_last_slot()
    hall = booking_hall()
    applicant = person(1)
    base = live_server.url

    # Find the hall by its district.
    page.goto(f"{base}/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("网上预约办事")
    axe_check(page, "booking start")
    page.get_by_label("所在区", exact=True).select_option("tianhe")
    page.get_by_role("button", name="查找").click()
    expect(page).to_have_url(re.compile(r"district=tianhe"))
    expect(page.get_by_role("status")).to_have_text("共 1 个大厅可网上预约")
    fits_a_phone(page, "booking start")
    page.get_by_role("link", name="在此大厅预约").click()

    # A queue and an item: the guide's materials to bring.
    expect(page.get_by_role("heading", level=1)).to_have_text("选择办理业务")
    axe_check(page, "hall: queues")
    page.get_by_label(re.compile("选择具体事项")).select_option("0600101000")
    page.get_by_role("button", name="查看所需材料").click()
    expect(page.get_by_role("heading", name="所选事项：居民身份证换领")).to_be_visible()
    expect(page.locator(".material-list")).to_contain_text("居民户口簿")
    expect(page.locator(".material-list")).to_contain_text("可容缺后补")
    axe_check(page, "hall: item with materials")
    page.get_by_role("link", name=re.compile("下一步：选择 A 户政业务")).click()

    # A day and a slot.
    expect(page.get_by_role("heading", level=1)).to_have_text("选择预约时间")
    expect(page.locator(".booking-context").last).to_contain_text("办理事项：居民身份证换领")
    axe_check(page, "days")
    expect(page.locator(".day-list a.day-card")).to_have_count(2)  # today and tomorrow
    page.locator(".day-list a.day-card").nth(1).click()
    expect(page.get_by_role("group", name=re.compile("的时段"))).to_be_visible()
    axe_check(page, "days with the slots of tomorrow")
    fits_a_phone(page, "slot picker")
    first_time = choose_slot(page, last=True)

    # The form: an empty submission is explained, then the booking is made.
    expect(page.get_by_role("heading", level=1)).to_have_text("填写预约信息")
    expect(page.locator(".booking-summary")).to_contain_text(first_time)
    axe_check(page, "booking form")
    page.get_by_role("button", name="提交预约").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("请填写姓名。")
    expect(summary).to_contain_text("请阅读个人信息使用说明并勾选同意")
    expect(page.get_by_label("身份证号码")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "booking form with errors")
    page.get_by_label("姓名").fill(applicant["name"])
    page.get_by_label("身份证号码").fill(applicant["id_number"])
    page.get_by_label("手机号码").fill(applicant["mobile"])
    page.get_by_label("我已阅读并同意上述个人信息使用说明").check()
    page.get_by_role("button", name="提交预约").click()

    expect(page).to_have_url(re.compile(r"/book/manage/[\w-]+/\?new=1$"))
    expect(page.locator(".booking-success")).to_contain_text("预约成功")
    booking = Booking.objects.get()
    expect(page.locator(".booking-code")).to_contain_text(booking.code)
    expect(page.get_by_role("img", name=f"预约码 {booking.code} 的二维码")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("居民户口簿")
    assert applicant["id_number"] not in page.url and applicant["id_number"] not in page.content()
    axe_check(page, "manage page after booking")
    fits_a_phone(page, "manage page")

    # The private link from the SMS, then cancelling with a confirmation step.
    page.goto(base + reverse("booking-manage", args=[booking.manage_token]))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的预约")
    expect(page.locator(".booking-success")).to_have_count(0)
    axe_check(page, "manage page")
    page.get_by_role("link", name="取消预约").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("取消预约")
    axe_check(page, "cancel confirmation")
    page.get_by_role("button", name=f"确认取消预约 {booking.code}").click()
    expect(page.locator(".booking-state")).to_have_text("状态：已取消")
    expect(page.get_by_role("status").first).to_contain_text("预约已取消")
    axe_check(page, "cancelled booking")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED

    # Book again, in care mode, for today's next slot, and check in at the kiosk.
    page.get_by_role("link", name="重新预约").click()
    page.get_by_role("button", name="关怀模式").click()
    expect(page.locator("html")).to_have_class("care")
    page.get_by_role("link", name="不选事项，直接选择时间").click()
    page.get_by_role("link", name=re.compile("今天")).click()
    axe_check(page, "slot picker in care mode")
    second_time = choose_slot(page)
    page.get_by_label("姓名").fill(applicant["name"])
    page.get_by_label("身份证号码").fill(applicant["id_number"])
    page.get_by_label("手机号码").fill(applicant["mobile"])
    page.get_by_label("我已阅读并同意上述个人信息使用说明").check()
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator(".booking-success")).to_contain_text("预约成功")
    again = Booking.objects.get(status=Booking.Status.BOOKED)
    assert again.slot.starts_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") == second_time[:5]
    axe_check(page, "manage page in care mode")

    page.goto(f"{base}/halls/{hall.code}/kiosk/")
    page.get_by_role("link", name=re.compile("预约签到")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预约签到")
    expect(page.locator("html")).to_have_class("care")
    axe_check(page, "kiosk check-in")
    page.get_by_label("预约码").fill("WRONG234")
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("没有找到您今天在本大厅的预约")
    axe_check(page, "kiosk check-in refused")
    page.get_by_label("预约码").fill(again.code.lower())
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(".checkin-message")).to_contain_text("签到成功")
    expect(page.locator(".checkin-number")).to_contain_text("YA001")
    axe_check(page, "kiosk check-in done")

    page.get_by_role("link", name="打印排队凭条").click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+/slip/$"))
    expect(page.locator(".slip-number")).to_contain_text("YA001")
    again.refresh_from_db()
    assert again.status == Booking.Status.CHECKED_IN
    assert again.ticket.number == "YA001" and again.ticket.priority == Ticket.Priority.APPOINTMENT

    # No CSP violation or script error on the way; the failed loads are the pages' own answers
    # to the empty form (400) and the unknown code (404).
    refused = [e for e in page.console_errors if "status of 400" in e or "status of 404" in e]
    assert len(refused) == 2, page.console_errors
    assert [e for e in page.console_errors if e not in refused] == [], page.console_errors


# --- A 360 px phone ------------------------------------------------------------------------------

PHONE_360 = {"width": 360, "height": 740}
# Set to a directory to keep a screenshot of every step (``booking-<step>.png``).
SHOTS = os.environ.get("BOOKING_SHOTS", "")
LONG_NAME = "不动产首次登记（国有建设用地使用权及房屋所有权）含在建工程抵押权首次登记及预告登记转本登记"


def at_360(page, axe_check, step: str) -> None:
    """At 360 × 740 nothing sticks out sideways (the page is not wider than the screen), and axe
    finds nothing serious."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], f"{step} is {width}px wide on a 360px phone"
    axe_check(page, f"{step} at 360px")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/booking-{step}.png", full_page=True)


def phone_hall() -> Hall:
    """``booking_hall`` with a second queue D covering the item and items with very long names
    (their select once made the page 461px wide), weekend and holiday service two days ahead, and
    a second hall booking the item."""
    hall = booking_hall()
    item = ServiceItem.objects.get(code="0600101000")
    queue_d = QueueCategory.objects.create(
        hall=hall, letter="D", name="不动产与住房公积金", name_en="Real estate and housing provident fund", order=4
    )
    long_items = [
        factories.item(code=f"06005010{k:02d}", name=f"{LONG_NAME}（情形{k}）", halls=[hall]) for k in range(3)
    ]
    queue_d.items.add(item, *long_items)
    queue_a = hall.queue_categories.get(letter="A")
    for category, kind, starts, ends, minutes in (
        (queue_d, "regular", dt.time(0, 0), dt.time(23, 55), 5),
        (queue_a, "staggered", dt.time(9), dt.time(12), 60),
    ):
        SlotPlan.objects.create(
            hall=hall, category=category, kind=kind, starts=starts, ends=ends, slot_minutes=minutes, capacity=2
        )
    today = timezone.localdate()
    CalendarDay.objects.update_or_create(
        date=today + dt.timedelta(days=2),
        defaults={"kind": CalendarDay.Kind.HOLIDAY, "source": CalendarDay.Source.MANUAL},
    )
    second = factories.hall(code="BOOKY", name="越秀区政务服务中心", district="yuexiu")
    second.items.add(item)
    queue_y = QueueCategory.objects.create(hall=second, letter="A", name="户政业务")
    queue_y.items.add(item)
    SlotPlan.objects.create(
        hall=second, category=queue_y, kind="regular", starts=dt.time(0), ends=dt.time(23, 55), capacity=2
    )
    services.slots_generate(start=today, end=today + dt.timedelta(days=2))
    return hall


def test_every_booking_step_fits_a_360px_phone(live_server, page, axe_check, settings) -> None:
    from playwright.sync_api import expect

    before_the_last_slot()
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    hall = phone_hall()
    applicant = person(2)
    base = live_server.url
    page.set_viewport_size(PHONE_360)

    # The guide's "预约办理": two halls book the item, so the person picks the hall first.
    page.goto(f"{base}/guides/0600101000/")
    at_360(page, axe_check, "guide")
    page.get_by_role("link", name="预约办理").click()
    expect(page).to_have_url(re.compile(r"/book/\?item=0600101000$"))
    expect(page.get_by_role("status")).to_have_text("共 2 个大厅可网上预约办理该事项")
    at_360(page, axe_check, "start-with-item")
    page.locator(".booking-hall", has_text=hall.name).get_by_role("link", name=re.compile("在此大厅预约")).click()

    # Two of this hall's queues cover the item: choose one, the item kept.
    expect(page.get_by_role("heading", name="所选事项：居民身份证换领")).to_be_visible()
    at_360(page, axe_check, "hall-with-item")
    page.get_by_role("link", name="下一步：选择 D 不动产与住房公积金 的预约时间").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("选择预约时间")
    at_360(page, axe_check, "days")
    page.locator(".day-list a.day-card").nth(1).click()
    expect(page.get_by_role("group", name=re.compile("的时段"))).to_be_visible()
    at_360(page, axe_check, "slots")

    # Choosing no slot says so, where the person is looking.
    page.get_by_role("button", name="下一步：填写预约人信息").click()
    expect(page.locator("#slot-error")).to_have_text("请选择一个时段。")
    expect(page.locator("#slot-error")).to_be_in_viewport()
    expect(page.get_by_role("alert")).to_contain_text("请选择一个时段。")
    at_360(page, axe_check, "slots-none-chosen")
    choose_slot(page, last=True)

    expect(page.get_by_role("heading", level=1)).to_have_text("填写预约信息")
    at_360(page, axe_check, "form")
    page.get_by_role("button", name="提交预约").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写姓名。")
    at_360(page, axe_check, "form-errors")
    page.get_by_label("姓名").fill(applicant["name"])
    page.get_by_label("身份证号码").fill(applicant["id_number"])
    page.get_by_label("手机号码").fill(applicant["mobile"])
    page.get_by_label("我已阅读并同意上述个人信息使用说明").check()
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator(".booking-success")).to_contain_text("预约成功")
    at_360(page, axe_check, "manage")
    booking = Booking.objects.get()
    assert booking.category.letter == "D" and booking.item.code == "0600101000"

    page.get_by_role("link", name="改约其他时间").click()
    page.locator(".day-list a.day-card").first.click()
    expect(page.get_by_role("group", name=re.compile("的时段"))).to_be_visible()
    at_360(page, axe_check, "reschedule")
    page.goto(base + reverse("booking-cancel", args=[booking.manage_token]))
    at_360(page, axe_check, "cancel")

    # Find my bookings without the SMS link.
    MemoryBackend.outbox.clear()
    page.goto(f"{base}/book/find/")
    at_360(page, axe_check, "find")
    page.get_by_label("身份证号码").fill(applicant["id_number"])
    page.get_by_label("手机号码").fill(applicant["mobile"])
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page).to_have_url(re.compile(r"/book/find/code/$"))
    expect(page.get_by_role("status")).to_contain_text("如该号码有预约，验证码已发送至 138****0002。")
    at_360(page, axe_check, "find-code")
    page.get_by_label("短信验证码").fill("000000" if "000000" not in MemoryBackend.outbox[0].body else "111111")
    page.get_by_role("button", name="查看我的预约").click()
    expect(page.get_by_role("alert")).to_contain_text("验证码不正确，还可以再试 4 次。")
    at_360(page, axe_check, "find-code-wrong")
    code = re.search(r"验证码 (\d{6})", MemoryBackend.outbox[0].body).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="查看我的预约").click()
    expect(page).to_have_url(re.compile(r"/book/find/list/$"))
    expect(page.locator(".found-booking")).to_contain_text(booking.code)
    at_360(page, axe_check, "find-list")
    page.get_by_role("link", name=re.compile("查看、取消或改约")).click()
    expect(page).to_have_url(re.compile(rf"/book/manage/{booking.manage_token}/$"))
    assert applicant["id_number"] not in page.url and applicant["mobile"] not in page.url

    # The hall page: booking, and the holiday service two days ahead.
    page.goto(f"{base}/halls/{hall.code}/")
    expect(page.get_by_role("heading", name="周末及节假日错时服务")).to_be_visible()
    holiday = timezone.localdate() + dt.timedelta(days=2)
    expect(page.locator(".rest-days")).to_contain_text(f"{holiday.month}月{holiday.day}日")
    expect(page.locator(".rest-days")).to_contain_text("9:00–12:00")
    at_360(page, axe_check, "hall-page")

    # Care mode enlarges everything; still no sideways scrolling.
    page.get_by_role("button", name="关怀模式").click()
    expect(page.locator("html")).to_have_class("care")
    for step, path in (("care-hall", f"/book/{hall.code}/"), ("care-days", f"/book/{hall.code}/D/")):
        page.goto(base + path)
        at_360(page, axe_check, step)

    # The only failed loads are the pages' own answers to what was refused.
    unexpected = [e for e in page.console_errors if not re.search(r"status of 40\d", e)]
    assert unexpected == [], page.console_errors


def test_booking_at_the_kiosk_stays_on_the_kiosk_and_forgets_itself(live_server, page, axe_check) -> None:
    """Issue 8: booking started from the kiosk keeps the kiosk's layout (no site navigation,
    large targets, back to the start when idle) and ends without the private manage link."""
    from playwright.sync_api import expect

    from tests.browser.test_kiosk_board import SMALL_TARGETS

    before_the_last_slot()
    hall = booking_hall()  # no window is open: the kiosk offers booking instead of queue A
    applicant = person(2)
    kiosk = f"{live_server.url}/halls/{hall.code}/kiosk/"
    page.set_viewport_size({"width": 1080, "height": 1920})  # a kiosk's portrait screen
    page.clock.install()
    page.goto(kiosk)
    page.get_by_role("button", name=re.compile("户政业务")).click()
    page.get_by_role("link", name="预约办理").click()

    def on_the_kiosk(label: str) -> None:
        expect(page.locator("html")).to_have_class("care")
        expect(page.locator("nav, .site-header, .site-footer, .breadcrumbs")).to_have_count(0)
        assert page.evaluate(SMALL_TARGETS) == [], label
        axe_check(page, label)

    expect(page.get_by_role("heading", level=1)).to_have_text("选择办理业务")
    assert page.url.startswith(f"{kiosk}book/")
    on_the_kiosk("kiosk booking: queues")
    page.get_by_role("link", name="不选事项，直接选择时间").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("选择预约时间")
    page.locator(".day-list a.day-card").nth(1).click()
    on_the_kiosk("kiosk booking: slots")
    choose_slot(page, last=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("填写预约信息")
    on_the_kiosk("kiosk booking: form")
    page.get_by_label("姓名").fill(applicant["name"])
    page.get_by_label("身份证号码").fill(applicant["id_number"])
    page.get_by_label("手机号码").fill(applicant["mobile"])
    page.get_by_label("我已阅读并同意上述个人信息使用说明").check()
    page.get_by_role("button", name="提交预约").click()

    # The end: the code and QR code, the SMS notice, no manage link, nothing private in the address.
    expect(page).to_have_url(f"{kiosk}book/done/")
    booking = Booking.objects.get()
    expect(page.locator(".booking-code")).to_contain_text(booking.code)
    expect(page.get_by_role("img", name=f"预约码 {booking.code} 的二维码")).to_be_visible()
    expect(page.locator(".booking-success")).to_contain_text("本机不显示管理链接")
    assert booking.manage_token not in page.content() and "/book/manage/" not in page.content()
    on_the_kiosk("kiosk booking: done")

    # Left alone, it goes back to the kiosk's start; and the page is not there to come back to.
    page.clock.fast_forward(61_000)
    page.wait_for_url(kiosk)
    page.goto(f"{kiosk}book/done/")
    expect(page).to_have_url(kiosk)
    assert page.console_errors == [], page.console_errors


def test_a_closed_hall_kiosk_offers_booking_on_the_kiosk(live_server, page, axe_check) -> None:
    """Today a holiday at a hall taking bookings: the kiosk gives no ticket and offers booking for
    the opening hours, on the kiosk itself (walkthrough: it said "或通过网上预约" with no way to)."""
    from playwright.sync_api import expect

    before_the_last_slot()
    hall = booking_hall()
    CalendarDay.objects.update_or_create(
        date=timezone.localdate(),
        defaults={"kind": CalendarDay.Kind.HOLIDAY, "source": CalendarDay.Source.MANUAL},
    )
    page.goto(f"{live_server.url}/halls/{hall.code}/kiosk/")
    expect(page.get_by_role("alert")).to_contain_text("本大厅现不在办公时间，暂不能取号。")
    expect(page.get_by_role("heading", level=2)).to_have_text("网上预约，在开放时间来办理")
    axe_check(page, "closed kiosk with its booking offer")
    page.get_by_role("link", name="预约办理").click()
    expect(page).to_have_url(re.compile(rf"/halls/{hall.code}/kiosk/book/"))
    assert page.console_errors == [], page.console_errors
