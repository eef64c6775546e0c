"""线上取号: a citizen takes a ticket from the hall's page on a phone or a PC. The page calls the
same service as the kiosk and the API (``services.ticket_issue``), shows its refusals as form
errors in Chinese, shares the API's rate limit, and sends the person to the ticket page by token:
the ID number is never in a URL nor in a log line."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from queueing import services
from queueing.models import QueueCategory, Ticket
from servicehall.clock import SHANGHAI
from servicehall.throttling import ScopedCounterThrottle
from tests.queueing.factories import NOW, id_number, make_queue_hall

pytestmark = pytest.mark.django_db

YOUNG = id_number("19900307")
OLD = id_number("19500101")  # 76 on NOW: the green channel from the ID alone


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def qh(db):
    """The hall with window 2 open for queue A: a queue no open window serves asks first
    (``test_a_queue_without_an_open_window_warns_and_offers_booking_and_other_halls``)."""
    qh = make_queue_hall()
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=NOW)
    return qh


def take_url(qh) -> str:
    return reverse("queue-ticket-take", args=[qh.hall.code])


def take(client, qh, **data):
    return client.post(take_url(qh), {"category": "A", "id_number": "", "priority": "", **data})


def text(response) -> str:
    return response.content.decode()


def errors(response) -> str:
    """The page's error summary (the refusals, each once)."""
    match = re.search(r'<div class="error-summary".*?</div>', text(response), re.S)
    assert match, "no error summary on the page"
    return match.group(0)


# --- The page --------------------------------------------------------------------------------


def test_the_hall_page_and_its_live_queue_lead_to_the_online_ticket_form(client, qh) -> None:
    url = take_url(qh)
    assert f'href="{url}"' in text(client.get(reverse("hall-detail", args=[qh.hall.code])))
    assert f'href="{url}"' in text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))


def test_the_form_offers_each_active_queue_with_its_waiting_and_estimated_wait(client, qh) -> None:
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2], now=NOW)
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk")
    QueueCategory.objects.create(hall=qh.hall, letter="Z", name="已停用业务", order=9, is_active=False)

    page = client.get(take_url(qh))

    body = text(page)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in body
    assert 'name="category" id="id_category_0" value="A"' in body
    assert 'name="category" id="id_category_1" value="B"' in body
    assert 'value="Z"' not in body and "已停用业务" not in body
    # B: one waiting, one window, the 8-minute prior: a newcomer waits about (1 + ¼) × 8 = 10
    # minutes (as the kiosk says); no open window serves A.
    a, b = (body[body.index(f'value="{letter}"') :] for letter in "AB")
    assert "当前等候 0 人，暂无开放窗口，暂无法估算" in a[: a.index("</div>")]
    assert "当前等候 1 人，预计等候约 10 分钟" in b[: b.index("</div>")]
    assert '<label for="id_id_number">身份证号码（选填）</label>' in body
    assert 'autocomplete="off"' in body


def test_the_page_costs_the_same_queries_however_many_queues(client, qh, django_assert_num_queries) -> None:
    # The hall, its active queues, their first items: the people waiting and the estimates come
    # from the snapshot (built by the first request).
    client.get(take_url(qh))
    with django_assert_num_queries(3):
        client.get(take_url(qh))
    for n in range(6):
        category = QueueCategory.objects.create(hall=qh.hall, letter=chr(ord("C") + n), name=f"业务{n}", order=3 + n)
        services.ticket_issue(hall=qh.hall, category=category, source="kiosk")
    client.get(take_url(qh))
    with django_assert_num_queries(3):
        body = text(client.get(take_url(qh)))
    assert body.count('name="category"') == 8


# --- Taking a ticket -------------------------------------------------------------------------


def test_taking_a_ticket_redirects_to_its_page_by_token(client, qh) -> None:
    response = take(client, qh, id_number=YOUNG)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("queue-ticket", args=[ticket.token])
    assert ticket.source == Ticket.Source.ONLINE and ticket.category == qh.a and ticket.priority == ""
    assert ticket.id_masked and YOUNG not in ticket.id_masked
    page = client.get(response["Location"])
    assert "取号成功：A001 号" in text(page)
    # The message is said once.
    assert "取号成功" not in text(client.get(response["Location"]))


def test_without_an_id_number_a_ticket_is_taken_too(client, qh) -> None:
    assert take(client, qh).status_code == 302
    assert Ticket.objects.get().number == "A001"


def test_sixty_and_over_is_recognised_from_the_id_number(client, qh) -> None:
    assert take(client, qh, id_number=OLD).status_code == 302
    assert Ticket.objects.get().priority == Ticket.Priority.ELDERLY


def test_the_ticket_page_and_its_api_say_the_ticket_is_on_the_green_channel(client, qh) -> None:
    taken = take(client, qh, id_number=OLD)
    ticket = Ticket.objects.get()
    assert ticket.number == "VA001"

    page = text(client.get(taken["Location"]))
    assert "绿色通道：老年人" in page
    assert client.get(f"/api/v1/tickets/{ticket.token}/").json()["priority_display"] == "绿色通道：老年人"
    # A normal ticket says nothing of the kind.
    normal = take(client, qh, category="A", id_number=YOUNG)
    assert normal.status_code == 302
    assert 'class="ticket-priority"' not in text(client.get(normal["Location"]))
    other = Ticket.objects.exclude(pk=ticket.pk).get()
    assert client.get(f"/api/v1/tickets/{other.token}/").json()["priority_display"] == ""


def test_a_person_already_waiting_gets_their_ticket_with_a_message(client, qh) -> None:
    first = take(client, qh, id_number=YOUNG)
    again = take(client, qh, id_number=YOUNG.lower())

    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Ticket.objects.count() == 1
    body = text(client.get(again["Location"]))
    assert "您在该业务已有等候中的号码 A001，无需重复取号" in body


# --- Refusals, as form errors ----------------------------------------------------------------


def test_a_closed_hall_says_when_it_opens(client, qh, clock) -> None:
    clock.move_to(dt.datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI))
    cache.clear()

    page = client.get(take_url(qh))
    assert "本大厅现不在办公时间（今日开放 09:00–17:00），暂不能取号。" in text(page)
    refused = take(client, qh)

    assert refused.status_code == 409
    body = text(refused)
    # Said once, with the next opening, and focused; nothing to correct is suggested.
    assert body.count("本大厅现不在办公时间（今日开放 09:00–17:00），暂不能取号。") == 1
    assert body.count("下次开放时间：2026-11-27 09:00") == 1
    assert "现在不在办公时间，暂不能取号" not in body and "请按提示修改" not in body
    assert 'class="error-summary"' not in body
    assert re.search(
        r'<div class="note warning take-closed" id="take-closed" role="alert" tabindex="-1" data-error-summary>', body
    )
    assert not Ticket.objects.exists()


def test_a_closed_hall_offers_no_active_form(client, qh, clock) -> None:
    """Finding 8: the whole form stayed active while the hall was closed."""
    clock.move_to(dt.datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI))
    cache.clear()

    body = text(client.get(take_url(qh)))

    form = re.search(r'<form method="post" action="[^"]*" class="stack-form take-form".*?</form>', body, re.S)
    assert form is not None
    controls = re.findall(r"<(?:input|button)\b[^>]*>", form.group(0))
    active = [c for c in controls if 'type="hidden"' not in c and " disabled" not in c]
    assert active == [] and len(controls) > 3, active
    assert "大厅开放后才能取号。" in body and 'aria-describedby="take-closed-hint"' in body
    assert 'role="alert"' not in body  # a GET refuses nothing: the note is not an alert
    # Open again: an active form.
    clock.move_to(NOW)
    cache.clear()
    assert " disabled" not in text(client.get(take_url(qh))).split("take-form", 1)[1]


def test_a_hall_closing_after_the_page_was_drawn_is_a_refusal_not_a_correction(client, qh, monkeypatch) -> None:
    """The page thought the hall open, the service found it closed (at closing time): the
    service's message under "暂时不能取号", not "请按提示修改"."""

    def closed(**kwargs):
        raise services.QueueError("现在不在办公时间，暂不能取号。", code="hall_closed", status=409)

    monkeypatch.setattr(services, "ticket_issue", closed)
    refused = take(client, qh)

    assert refused.status_code == 409
    summary = errors(refused)
    assert "暂时不能取号" in summary and "现在不在办公时间，暂不能取号。" in summary
    assert "请按提示修改" not in text(refused) and 'tabindex="-1" data-error-summary' in summary


def test_a_queue_stopped_meanwhile_is_refused(client, qh) -> None:
    client.get(take_url(qh))
    QueueCategory.objects.filter(pk=qh.a.pk).update(is_active=False)

    refused = take(client, qh)

    assert refused.status_code == 400
    assert '<a href="#id_category_0">办理业务：该排队类别不属于本大厅或已停用。</a>' in errors(refused)
    assert not Ticket.objects.exists()


def test_no_queue_chosen_or_an_unknown_one_is_refused(client, qh) -> None:
    assert "请选择要办理的业务。" in errors(take(client, qh, category=""))
    unknown = take(client, qh, category="Q")
    assert unknown.status_code == 400 and "该业务类别不存在或已停用，请重新选择。" in errors(unknown)


def test_an_invalid_id_number_is_refused_on_its_field(client, qh) -> None:
    refused = take(client, qh, id_number="110105199003070021")

    body = text(refused)
    assert refused.status_code == 400
    assert '<a href="#id_id_number">' in errors(refused)
    assert 'id="id-number-error"' in body and 'aria-invalid="true"' in body
    assert not Ticket.objects.exists()


def test_the_green_channel_needs_an_id_number(client, qh) -> None:
    refused = take(client, qh, priority=Ticket.Priority.DISABLED)
    assert refused.status_code == 400 and "绿色通道取号须填写身份证号码。" in errors(refused)
    # What was chosen stays chosen.
    assert re.search(r'id="id_priority_2" value="disabled" checked', text(refused))


def test_the_elderly_green_channel_is_for_sixty_and_over(client, qh) -> None:
    refused = take(client, qh, id_number=YOUNG, priority=Ticket.Priority.ELDERLY)

    assert refused.status_code == 400
    assert '<a href="#id_priority_0">绿色通道：老年人绿色通道适用于60周岁及以上的申请人。</a>' in errors(refused)
    assert not Ticket.objects.exists()


def test_staff_granted_green_channel_cannot_be_asked_for_online(client, qh) -> None:
    refused = take(client, qh, id_number=YOUNG, priority=Ticket.Priority.STAFF_GRANTED)
    assert refused.status_code == 400 and "请选择有效的绿色通道类别。" in errors(refused)


# --- Rate limit, CSRF, logs ------------------------------------------------------------------


def test_the_page_shares_the_api_rate_limit_and_answers_a_friendly_page(client, qh, monkeypatch) -> None:
    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "3/hour"})
    api = client.post(f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "B"}, content_type="application/json")
    assert api.status_code == 201
    assert [take(client, qh).status_code for _ in range(3)] == [302, 302, 429]

    refused = take(client, qh, category="B", id_number="bad")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert re.search(r"取号过于频繁，请 \d+ 分钟后再试", errors(refused))
    # Nothing was checked: the choice stays, no field error, the ID number not echoed.
    body = text(refused)
    assert 'value="B" checked' in body and "field-error" not in body and 'value="bad"' not in body
    assert Ticket.objects.count() == 3
    assert (
        client.post(
            f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "B"}, content_type="application/json"
        ).status_code
        == 429
    )


def test_the_form_needs_its_csrf_token(qh) -> None:
    client = Client(enforce_csrf_checks=True)
    assert take(client, qh).status_code == 403
    page = client.get(take_url(qh))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)
    assert take(client, qh, csrfmiddlewaretoken=token).status_code == 302


def test_the_id_number_is_in_no_url_and_no_log_line(client, qh, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    taken = take(client, qh, id_number=YOUNG)
    again = take(client, qh, id_number=YOUNG)
    young_elderly = take(client, qh, id_number=YOUNG, priority=Ticket.Priority.ELDERLY)
    bad = "110105199003070021"
    invalid = take(client, qh, id_number=bad)
    client.get(taken["Location"])

    assert young_elderly.status_code == invalid.status_code == 400
    logged = caplog.text + "".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert caplog.records, "the scan read nothing: the requests logged no line at all"
    for needle in (YOUNG, bad):
        assert needle not in logged
    for response in (taken, again):
        assert YOUNG not in response["Location"] and "id_number" not in response["Location"]


def test_a_queue_without_an_open_window_warns_and_offers_booking_and_other_halls(client, qh) -> None:
    """B has no open window: the page says so before any ticket, offers booking that queue and
    the nearest hall serving it now, and takes the ticket only on a second, explicit press."""
    from appointments.models import SlotPlan
    from catalog.models import Hall

    other = make_queue_hall("QH2")
    Hall.objects.filter(pk=other.hall.pk).update(district=qh.hall.district, level=qh.hall.level)
    services.window_sign_in(window=other.window_b, staff=other.staff[3], now=NOW)
    SlotPlan.objects.create(
        hall=qh.hall, category=qh.b, starts=dt.time(9), ends=dt.time(11), slot_minutes=30, capacity=2
    )

    response = take(client, qh, category="B", id_number=YOUNG)

    assert response.status_code == 200 and not Ticket.objects.exists()
    body = text(response)
    warning = body[body.index('<section class="note warning take-unstaffed"') :]
    warning = warning[: warning.index("</form>")]
    assert 'role="alert"' in warning and "data-error-summary" in warning
    assert "“社保业务”现在没有开放的窗口办理" in warning
    assert "现在取号无法估算等候时间" in warning
    assert f'href="{reverse("booking-days", args=[qh.hall.code, "B"])}"' in warning
    assert f'href="{reverse("queue-ticket-take", args=["QH2"])}"' in warning
    for name, value in (("category", "B"), ("id_number", YOUNG), ("confirm_unstaffed", "1")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in warning

    # A served queue is taken at once, with no warning.
    assert take(client, qh, category="A").status_code == 302

    # Taking B anyway, confirmed.
    anyway = take(client, qh, category="B", id_number=YOUNG, confirm_unstaffed="1")
    assert anyway.status_code == 302
    assert Ticket.objects.get(category=qh.b).number == "B001"


def test_a_wrong_id_number_for_a_queue_without_an_open_window_is_said_before_the_warning(client, qh) -> None:
    """The ID number is checked first: its error beside its field, not after the person has
    confirmed taking a ticket that no window serves (walkthrough)."""
    refused = take(client, qh, category="B", id_number="110105199003070021")

    assert refused.status_code == 400 and not Ticket.objects.exists()
    assert '<a href="#id_id_number">' in errors(refused)
    assert "take-unstaffed" not in text(refused)
    too_young = take(client, qh, category="B", id_number=YOUNG, priority=Ticket.Priority.ELDERLY)
    assert too_young.status_code == 400 and "take-unstaffed" not in text(too_young)


def test_an_unknown_hall_is_a_404(client, qh) -> None:
    url = reverse("queue-ticket-take", args=["NOPE"])
    assert client.get(url).status_code == client.post(url, {"category": "A"}).status_code == 404
    assert not Ticket.objects.exists()
