"""Rating a served ticket in real Chromium (好差评, 一次一评): the clerk serves the ticket, the
person opens the ticket page from the slip's QR code, follows the rating link, is told what is
missing, rates, and the window's tablet then has nothing left to rate; axe on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models_ratings import Rating, RectificationOrder
from queueing import services as queue_services
from queueing.models import QueueCategory
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.cases.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rate_a_served_ticket_from_its_page(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务", order=1)
    ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk").ticket
    called = queue_services.ticket_call_next(window=world.window, staff=world.clerk)
    queue_services.ticket_start(window=world.window, ticket=called, staff=world.clerk)
    queue_services.ticket_finish(window=world.window, ticket=called, staff=world.clerk)
    base = live_server.url

    page.goto(f"{base}{reverse('queue-ticket', args=[ticket.token])}")
    expect(page.locator("#ticket-status")).to_contain_text("本号码的业务已办理完毕")
    page.get_by_role("link", name="评价本次服务").click()
    expect(page.get_by_role("heading", name="服务评价（好差评）")).to_be_visible()
    axe_check(page, "rating form")

    # Only the overall level: each indicator says what is missing, nothing is saved.
    # 整体满意度 is the overall level, asked once (no separate 总体评价).
    expect(page.get_by_role("group", name="总体评价")).to_have_count(0)
    page.get_by_role("group", name="整体满意度").get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator("#id_attitude_error")).to_have_text("请评价服务态度。")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert not Rating.objects.exists()
    axe_check(page, "rating form with errors")

    for group in ("服务效率", "服务水平"):
        page.get_by_role("group", name=group).get_by_label("基本满意", exact=True).check()
    page.get_by_role("group", name="服务态度").get_by_label("不满意", exact=True).check()
    page.get_by_label("评价内容（可选）").fill("材料要求没有一次说清楚")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(page.get_by_text("我们已将您反映的问题转交责任部门核实整改")).to_be_visible()
    axe_check(page, "rating thanks")
    rating = Rating.objects.get()
    assert (rating.level, rating.attitude, rating.window_id) == ("dissatisfied", "dissatisfied", world.window.pk)
    assert rating.overall == "dissatisfied"
    assert RectificationOrder.objects.filter(rating=rating, department=world.police).exists()

    page.goto(f"{base}{reverse('queue-ticket', args=[ticket.token])}")
    expect(page.get_by_text("您已评价本次服务：不满意")).to_be_visible()

    log_in(page, base, world.clerk.username)
    page.goto(f"{base}{reverse('rating-tablet', args=[world.window.pk])}")
    expect(page.get_by_text("欢迎光临。办理完毕后，请在此对本次服务进行评价。")).to_be_visible()
    axe_check(page, "window rating tablet")
    # The one refusal (the form sent incomplete) is a 400 the browser logs; nothing else.
    refused = [e for e in page.console_errors if "status of 400" in e]
    assert len(refused) == 1 and len(page.console_errors) == 1, page.console_errors
