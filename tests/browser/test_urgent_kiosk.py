"""急事急办 at the kiosk and with an urgent-only staggered slot, in English in real Chromium
(Art. 10 ¶3; cases/urgent.py, cases/views_urgent.py ``kiosk_request``): an applicant takes a
ticket, asks for urgent handling below the slip (first with no reason: every field's message,
nothing saved), the printed slip says it was asked; the department's chief representative approves
it and books the applicant a weekend or holiday slot reserved for urgent matters; the ticket goes
ahead of an earlier one, and the console and the board mark it 急. axe on each page.

The new strings are written in Chinese and translated by the project's catalogue; the steps find
elements by their names and ids, so the test holds before and after the translation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments import services as booking_services
from appointments.models import Booking, SlotPlan
from cases.models import UrgentRequest
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.cases.factories import id_number, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(page, base: str) -> None:
    page.context.add_cookies([{"name": "servicehall_language", "value": "en", "url": base}])


def test_kiosk_urgent_request_approved_with_an_urgent_only_slot_in_english(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(
        hall=world.city, letter="S", name="市场监管业务", name_en="Market regulation", order=9
    )
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city,
        category=category,
        kind="staggered",
        starts=dt.time(9),
        ends=dt.time(11),
        slot_minutes=60,
        capacity=2,
        urgent_only=True,
    )
    today = timezone.localdate()
    booking_services.slots_generate(start=today, end=today + dt.timedelta(days=14), halls=[world.city.pk])
    # Someone came earlier for the same queue.
    earlier = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk").ticket
    base = live_server.url
    english(page, base)

    # The applicant takes a ticket at the kiosk.
    page.goto(base + reverse("queue-kiosk", args=[world.city.code]))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('button[name="category"][value="S"]').click()
    expect(page.locator(".slip-number")).to_be_visible()
    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    axe_check(page, "slip with the urgent offer (English)")
    # The slip offers no link out of the kiosk's flow: a QR code opens the form on a phone.
    expect(page.locator(".slip-urgent-qr img")).to_be_visible()
    assert page.locator('.slip-sections a[href*="/urgent/"]').count() == 0
    page.goto(base + reverse("urgent-kiosk", args=[ticket.token]) + "?from=phone")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Sent with nothing filled in: every field says what is missing, nothing is saved.
    page.locator(".kiosk-form button[type=submit]").click()
    expect(page.locator(".kiosk-errors")).to_be_visible()
    # The queue covers one item: it is chosen already.
    expect(page.locator("#id_item")).to_have_value(world.licence.code)
    for error in (
        "#reason-category-error",
        "#id_reason_text_error",
        "#id_name_error",
        "#id_mobile_error",
    ):
        expect(page.locator(error)).to_be_visible()
    expect(page.locator("#id_reason_text")).to_have_attribute("aria-invalid", "true")
    assert not UrgentRequest.objects.exists()
    axe_check(page, "kiosk urgent request with errors (English)")

    page.locator("#id_item").select_option(world.licence.code)
    page.locator('input[name="reason_category"][value="medical"]').check()
    page.locator("#id_reason_text").fill("Surgery in another city next Monday; the licence is needed before leaving")
    page.locator("#id_name").fill("Chen Zhiqiang")
    page.locator("#id_mobile").fill("13800138001")
    page.locator(".kiosk-form button[type=submit]").click()
    expect(page.locator('[data-urgent-state="requested"]')).to_be_visible()  # back on the ticket's page
    page.goto(base + reverse("queue-slip", args=[ticket.token]))
    expect(page.locator(".slip-urgent-asked")).to_be_visible()  # printed on the slip
    request = UrgentRequest.objects.get()
    assert request.ticket == ticket and request.status == UrgentRequest.Status.REQUESTED
    assert "Chen Zhiqiang" not in request.applicant_masked
    axe_check(page, "slip after asking (English)")

    # The market department's chief representative approves and books an urgent-only slot.
    page.context.clear_cookies()
    log_in(page, base, world.market_chief.username)
    english(page, base)
    page.goto(base + reverse("urgent-detail", args=[request.pk]))
    expect(page.locator("main")).to_contain_text(ticket.number)
    axe_check(page, "urgent request from the kiosk (English)")
    page.locator('input[name="approve-promised_days"]').fill("3")
    page.locator('form[action$="/approve/"] button[type=submit]').click()
    expect(page.get_by_role("status")).to_be_visible()
    request.refresh_from_db()
    ticket.refresh_from_db()
    assert request.status == UrgentRequest.Status.APPROVED and ticket.urgent
    slot_select = page.locator('select[name="book-slot"]')
    expect(slot_select).to_be_visible()
    page.locator('input[name="book-name"]').fill("陈志强")
    page.locator('input[name="book-id_number"]').fill(id_number())
    page.locator('input[name="book-mobile"]').fill("13800138001")
    axe_check(page, "approved urgent request with the staggered slots (English)")
    page.locator('form[action$="/book/"] button[type=submit]').click()
    booking = Booking.objects.get()
    expect(page.get_by_role("status")).to_contain_text(booking.code)
    assert booking.slot.urgent_only and booking.slot.kind == "staggered" and booking.source == "urgent"
    request.refresh_from_db()
    assert request.staggered_booking == booking

    # At the window the urgent ticket is called before the earlier one, marked 急.
    page.context.clear_cookies()
    log_in(page, base, world.clerk.username)
    english(page, base)
    page.goto(base + reverse("staff-home"))
    expect(page.locator(".data-table .badge-urgent")).to_have_count(1)
    page.locator(".call-next").click()
    expect(page.locator(".current-number")).to_contain_text(ticket.number)
    expect(page.locator(".current-number .badge-urgent")).to_be_visible()
    axe_check(page, "console with an urgent ticket (English)")
    page.goto(base + reverse("queue-board", args=[world.city.code]))
    expect(page.locator(".board-latest-number")).to_contain_text(ticket.number)
    expect(page.locator(".board-latest-number .board-tag-urgent")).to_be_visible()
    axe_check(page, "board with an urgent call (English)")
    earlier.refresh_from_db()
    assert earlier.status == Ticket.Status.WAITING
    # Only the refused submission (422) reached the console as an error.
    assert [e for e in page.console_errors if "status of 4" not in e] == [], page.console_errors


def test_urgent_request_from_the_ticket_page_on_a_phone(live_server, browser, axe_check) -> None:
    """Issue 11: the ticket's page on a 360 px phone offers 急事急办; the form opened from it is a
    phone page (no kiosk idle return), fits the screen, and returns to the ticket's page."""
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk").ticket
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 360, "height": 740})
    page = context.new_page()
    base = live_server.url
    page.goto(base + reverse("queue-ticket", args=[ticket.token]))
    axe_check(page, "ticket page with the urgent offer")
    page.locator('[data-urgent-state="offer"] a').click()
    assert page.evaluate("document.body.hasAttribute('data-kiosk-home')") is False
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page, "urgent request form on a phone")
    page.locator('input[name="reason_category"][value="medical"]').check()
    page.locator("#id_reason_text").fill("下周一赴外地住院手术，需要提前办结")
    page.locator("#id_name").fill("陈志强")
    page.locator("#id_mobile").fill("13800138001")
    page.locator(".kiosk-form button[type=submit]").click()
    expect(page.locator('[data-urgent-state="requested"]')).to_be_visible()
    assert page.url == base + reverse("queue-ticket", args=[ticket.token])
    assert UrgentRequest.objects.get().ticket == ticket
    context.close()
