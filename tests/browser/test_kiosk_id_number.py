"""An ID card reader at the kiosk types an older person's number and Enter (walkthrough): the
number is read, shown masked, and the green channel is shown chosen; another number can be
typed in its place; the queue's button then takes the green channel's ticket. Real Chromium,
with an accessibility scan."""

from __future__ import annotations

import re

import pytest

from queueing import services
from queueing.models import Ticket
from servicehall.personal_data import mask_id_number
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OLDER = id_number("19400101")


def test_an_older_persons_id_number_read_on_enter_chooses_the_green_channel(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("KIDREAD")
    open_around_the_clock(qh.hall)
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])

    page.goto(f"{live_server.url}/halls/KIDREAD/kiosk/")
    field = page.get_by_label("身份证号码（选填）")
    field.fill(OLDER)
    field.press("Enter")

    read = page.get_by_role("status").filter(has_text="已读取身份证号码")
    expect(read).to_have_text("已读取身份证号码：您已满60周岁，已为您选择老年人绿色通道。请按下要办理业务的按钮取号。")
    expect(read).to_be_focused()
    expect(page.locator(".kiosk-errors")).to_have_count(0)
    expect(page.get_by_label("老年人")).to_be_checked()
    expect(field).to_have_value(mask_id_number(OLDER))
    expect(field).not_to_be_editable()
    assert OLDER not in page.locator("main").inner_text()
    axe_check(page, "kiosk with an older person's ID number read")

    # Another number in its place: the field is empty and editable again, the green channel too.
    page.get_by_role("button", name="重新输入身份证号码").click()
    expect(field).to_have_value("")
    expect(field).to_be_editable()
    expect(page.get_by_label("不需要")).to_be_checked()
    expect(page.locator("#id-number-read")).to_have_count(0)

    field.fill(OLDER)
    field.press("Enter")
    expect(page.get_by_label("老年人")).to_be_checked()
    assert Ticket.objects.count() == 0

    # The queue's button takes the ticket with the number read.
    page.get_by_role("button", name=re.compile("社保业务")).click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+/slip/$"))
    ticket = Ticket.objects.get()
    assert ticket.priority == Ticket.Priority.ELDERLY and ticket.id_masked == mask_id_number(OLDER)
    assert page.console_errors == [], page.console_errors
