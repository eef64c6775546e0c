"""The public queue pages: kiosk, slip, ticket page, hall queue and display board."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from queueing import services, snapshot
from queueing.models import QueueCategory, Ticket, TicketEvent
from queueing.qr import qr_data_uri
from tests.catalog import factories
from tests.queueing.factories import NOW, booking_only_saturdays, id_number

# Snapshots are rebuilt after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)
MIN = dt.timedelta(minutes=1)
YOUNG = id_number("19900307")
OLD = id_number("19500101")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    """Services default to timezone.now() and snapshots are rebuilt after commit: freeze both."""
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def kiosk_url(qh) -> str:
    return reverse("queue-kiosk", args=[qh.hall.code])


def issue(qh, category=None, **kwargs) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk", **kwargs).ticket


def poll_url(body: str, name: str) -> str:
    """The URL an htmx fragment polls (with the version it shows)."""
    match = re.search(rf'id="{name}"[^>]*hx-get="([^"]+)"', body, re.S)
    assert match, f"#{name} does not poll"
    return match.group(1).replace("&amp;", "&")


def bulk_tickets(qh, count: int) -> None:
    """``count`` waiting tickets of today, split over both queues, without the services."""
    Ticket.objects.bulk_create(
        Ticket(
            hall=qh.hall,
            category=qh.a if k % 2 else qh.b,
            service_date=NOW.date(),
            sequence=k,
            number=f"{'A' if k % 2 else 'B'}{k:05d}",
            token=f"bulk-token-{k:06d}",
            source=Ticket.Source.KIOSK,
            issued_at=NOW - dt.timedelta(seconds=k),
            arrived_at=NOW - dt.timedelta(seconds=k),
        )
        for k in range(1, count + 1)
    )


# --- Kiosk -----------------------------------------------------------------------------------


def test_the_kiosk_shows_a_big_button_per_active_queue_in_care_mode(client, qh) -> None:
    department = factories.department()
    for code, name in (
        ("0600101000", "居民身份证换领"),
        ("0600102000", "户口迁入登记"),
        ("0600103000", "户口迁出登记"),
    ):
        qh.a.items.add(factories.item(code=code, name=name, dept=department))
    qh.a.items.add(factories.item(code="0600104000", name="出生登记", dept=department))
    QueueCategory.objects.create(hall=qh.hall, letter="C", name="停用业务", is_active=False)

    response = client.get(kiosk_url(qh))

    assert response.status_code == 200
    body = text(response)
    assert '<html lang="zh-Hans" class="care">' in body
    assert '<button type="submit" name="category" value="A"' in body
    assert '<button type="submit" name="category" value="B"' in body
    assert 'value="C"' not in body and "停用业务" not in body
    # The first three items of the queue by code, and how many it covers in all.
    assert "居民身份证换领、户口迁入登记、户口迁出登记等 4 项" in body
    assert "出生登记" not in body
    assert "仅用于避免重复取号和办理绿色通道" in body and "脱敏" in body and "60 周岁" in body
    for label in ("老年人", "残疾人", "孕妇"):
        assert f"<span>{label}</span>" in body
    assert "当前等候 0 人" in body
    assert response.headers["Cache-Control"].count("no-store") == 1


def test_taking_a_ticket_at_the_kiosk_leads_to_its_slip(client, qh) -> None:
    qh.sign_in_all()
    issue(qh)  # someone is already waiting

    response = client.post(kiosk_url(qh), {"category": "A", "id_number": "", "priority": ""})

    ticket = Ticket.objects.get(number="A002")
    assert ticket.source == "kiosk" and ticket.id_hash == ""
    assert response.status_code == 302 and response.url == reverse("queue-slip", args=[ticket.token])
    slip = client.get(response.url)
    body = text(slip)
    assert slip.status_code == 200
    assert '<p class="slip-number"><span class="visually-hidden">您的号码：</span>A002</p>' in body
    assert "A · 户政业务" in body and qh.hall.name in body and "2026-11-26 10:00" in body
    # One ahead, and three open windows serve A, none busy: a free window calls at once (issue 14,
    # queueing.estimator.row_wait_seconds), so no minutes are promised.
    assert "1 人" in body and "即将叫号" in body and "约 3 分钟" not in body
    # The QR code points to the ticket page's absolute URL.
    ticket_url = "http://testserver" + reverse("queue-ticket", args=[ticket.token])
    assert f'src="{qr_data_uri(ticket_url)}"' in body
    assert qr_data_uri(ticket_url).startswith("data:image/svg+xml;base64,")
    assert "data-print" in body and f'href="{kiosk_url(qh)}"' in body
    assert 'href="/static/css/queue.css"' in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "no-store" in slip.headers["Cache-Control"] and slip.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_slip_prints_on_an_80_mm_roll() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "queue.css").read_text()
    assert "@page { size: 80mm auto;" in css
    assert re.search(r"@media print \{[^@]*\.site-header", css)


def test_a_person_already_in_the_queue_gets_their_ticket_again(client, qh) -> None:
    qh.sign_in_all()
    first = client.post(kiosk_url(qh), {"category": "A", "id_number": YOUNG})
    again = client.post(kiosk_url(qh), {"category": "A", "id_number": f" {YOUNG[:6]} {YOUNG[6:]} "})

    ticket = Ticket.objects.get()
    slip_url = reverse("queue-slip", args=[ticket.token])
    assert first.url == slip_url and again.url == f"{slip_url}?existing=1"
    assert "已有号码" not in text(client.get(first.url))
    body = text(client.get(again.url))
    assert "您在该业务已有号码 A001，无需重复取号" in body
    assert YOUNG not in body
    assert ticket.id_masked == YOUNG[:4] + "*" * 10 + YOUNG[-4:]


def test_the_green_channel_at_the_kiosk(client, qh) -> None:
    qh.sign_in_all()
    client.post(kiosk_url(qh), {"category": "A", "id_number": YOUNG, "priority": "disabled"})
    client.post(kiosk_url(qh), {"category": "A", "id_number": OLD, "priority": ""})  # 60+: recognised
    client.post(kiosk_url(qh), {"category": "B", "id_number": YOUNG, "priority": "pregnant"})

    tickets = {t.number: t.priority for t in Ticket.objects.all()}
    assert tickets == {"VA001": "disabled", "VA002": "elderly", "VB001": "pregnant"}
    slip = text(client.get(reverse("queue-slip", args=[Ticket.objects.get(number="VA002").token])))
    assert "绿色通道（老年人）" in slip


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"category": "A", "id_number": "110105199003070021"}, "id_number", "校验位不正确"),
        ({"category": "A", "id_number": "12345"}, "id_number", "身份证号码应为18位"),
        ({"category": "A", "id_number": "1" * 31}, "id_number", "身份证号码应为18位"),
        ({"category": "Z"}, "category", "该业务类别不存在或已停用"),
        ({"category": "C"}, "category", "该业务类别不存在或已停用"),
        ({"id_number": YOUNG}, "category", "请按下要办理业务的按钮取号"),
        ({"category": "A", "priority": "disabled"}, "id_number", "绿色通道取号须填写身份证号码"),
        ({"category": "A", "priority": "elderly", "id_number": YOUNG}, "priority", "60周岁及以上"),
        ({"category": "A", "priority": "staff_granted", "id_number": YOUNG}, "priority", "请选择有效的绿色通道类别"),
    ],
)
def test_bad_kiosk_input_is_shown_on_the_form_with_400(client, qh, data, field, message) -> None:
    qh.sign_in_all()
    QueueCategory.objects.create(hall=qh.hall, letter="C", name="停用业务", is_active=False)

    response = client.post(kiosk_url(qh), data)

    assert response.status_code == 400
    body = text(response)
    assert message in body
    assert 'role="alert"' in body
    assert Ticket.objects.count() == 0
    errors = {"id_number": 'id="id-number-error"', "priority": 'id="priority-error"', "category": 'id="category-error"'}
    assert errors[field] in body
    if field == "id_number":
        assert 'aria-invalid="true"' in body
    # The summary names the field of each message (walk C finding 1), as the other forms' does.
    summary = re.search(r'<div class="form-errors kiosk-errors error-summary".*?</div>', body, re.S).group(0)
    label = {"id_number": "身份证号码（选填）", "priority": "绿色通道", "category": "办理业务"}[field]
    assert re.search(rf"<a href=\"#[^\"]+\">{re.escape(label)}：[^<]*{message}", summary)
    # What was typed stays, so a mistyped number can be corrected.
    if data.get("id_number") and len(data["id_number"]) <= 30:
        assert f'value="{data["id_number"]}"' in body


def test_pressing_enter_in_the_id_field_takes_no_ticket(client, qh) -> None:
    """An ID card reader types the number and Enter: the form's first submit button (which
    implicit submission presses) carries no category."""
    body = text(client.get(kiosk_url(qh)))
    form = body[body.index('<form method="post"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="category"' not in first_button and 'type="submit"' in first_button


def test_a_closed_hall_says_when_it_opens_next(client, qh, clock) -> None:
    clock.move_to(NOW.replace(hour=18))

    page = client.get(kiosk_url(qh))
    assert page.status_code == 200
    assert "本大厅现不在办公时间" in text(page) and "下次开放时间：2026-11-27 09:00" in text(page)
    assert 'name="category"' not in text(page)

    response = client.post(kiosk_url(qh), {"category": "A"})
    assert response.status_code == 409
    assert "现在不在办公时间，暂不能取号。下次开放时间：2026-11-27 09:00" in text(response)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("name", ["queue-kiosk", "queue-hall-status", "queue-board"])
def test_an_unknown_hall_is_404(client, db, name) -> None:
    response = client.get(reverse(name, args=["NOPE"]))
    assert response.status_code == 404
    assert "没有找到该政务服务场所" in text(response)


# --- Ticket page -----------------------------------------------------------------------------


def ticket_page(client, ticket: Ticket, **extra):
    return client.get(reverse("queue-ticket", args=[ticket.token]), **extra)


def test_a_waiting_ticket_shows_people_ahead_and_the_estimate(client, qh) -> None:
    qh.sign_in_all()
    for k in range(2):
        issue(qh, now=NOW - (5 - k) * MIN)
    ticket = issue(qh)

    response = ticket_page(client, ticket)

    body = text(response)
    assert response.status_code == 200
    assert "排队进度：A003 号" in body and "等候中" in body
    # Two ahead, three windows serve A and none is busy: they are called at once, and so is this one.
    assert "前面还有 2 人" in body and "即将叫号" in body and "约 6 分钟" not in body
    assert 'role="status" aria-live="polite"' in body
    assert 'hx-trigger="every 5s"' in body and poll_url(body, "ticket-status").startswith(f"/t/{ticket.token}/?v=")
    assert reverse("queue-ticket-cancel", args=[ticket.token]) in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_a_waiting_ticket_without_open_windows_has_no_estimate(client, qh) -> None:
    # Walkthrough: "no one ahead, get ready" beside "no open window" — nobody will call it.
    ticket = issue(qh)
    body = text(ticket_page(client, ticket))
    assert "您前面已没有人" not in body and "暂无开放窗口，暂无法估算" in body
    assert "目前没有开放的窗口办理该类业务" in body and "已转办" not in body


def test_a_ticket_transferred_to_a_queue_no_window_serves_says_so(client, qh) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    ticket = issue(qh)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    services.ticket_transfer(window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="需社保窗口", category=qh.b)
    snapshot.refresh(qh.hall.pk)

    body = text(ticket_page(client, ticket))

    assert "您前面已没有人" not in body
    assert f"您的号码已转办到 {qh.b.letter} 类" in body and "目前没有开放的窗口办理该类业务" in body


def test_a_called_ticket_says_which_window(client, qh) -> None:
    qh.sign_in_all()
    ticket = issue(qh, now=NOW - MIN)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])

    body = text(ticket_page(client, ticket))

    assert '<p class="ticket-call">请 A001 号到 2 号窗口办理</p>' in body
    assert 'data-call-text="请 A001 号到 2 号窗口办理"' in body
    assert 'hx-trigger="every 5s"' in body  # still polling: it may be served, or marked no-show
    assert reverse("queue-ticket-cancel", args=[ticket.token]) not in body


@pytest.mark.parametrize(
    ("final", "message"),
    [
        ("done", "本号码的业务已办理完毕"),
        ("no_show", "已过号：叫号时您未到窗口"),
        ("cancelled", "您已取消本号码"),
        ("expired", "本号码已失效：大厅当天的服务已结束"),
    ],
)
def test_final_states_are_explained_and_stop_polling(client, qh, clock, final, message) -> None:
    qh.sign_in_all()
    ticket = issue(qh, now=NOW - MIN)
    if final in ("done", "no_show"):
        services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
        action = services.ticket_finish if final == "done" else services.ticket_no_show
        action(window=qh.window_a, ticket=ticket, staff=qh.staff[2])
    elif final == "cancelled":
        services.ticket_cancel(ticket=ticket)
    else:
        clock.move_to(NOW.replace(hour=18))
        assert services.tickets_expire() == 1

    body = text(ticket_page(client, ticket))

    assert message in body
    assert "hx-trigger" not in body[body.index('id="ticket-status"') :]
    assert reverse("queue-ticket-cancel", args=[ticket.token]) not in body


def test_htmx_polls_get_the_fragment_and_nothing_when_it_has_not_changed(client, qh) -> None:
    qh.sign_in_all()
    ticket = issue(qh)
    fragment = ticket_page(client, ticket, **HTMX)
    body = text(fragment)
    assert fragment.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="ticket-status"')
    assert "HX-Request" in fragment.headers["Vary"]

    unchanged = client.get(poll_url(body, "ticket-status"), **HTMX)
    assert unchanged.status_code == 204 and "no-store" in unchanged.headers["Cache-Control"]

    services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1])
    changed = client.get(poll_url(body, "ticket-status"), **HTMX)
    assert changed.status_code == 200 and "请 A001 号到 1 号窗口办理" in text(changed)


def test_cancelling_a_waiting_ticket(client, qh) -> None:
    ticket = issue(qh)

    response = client.post(reverse("queue-ticket-cancel", args=[ticket.token]))

    assert response.status_code == 302 and response.url == reverse("queue-ticket", args=[ticket.token])
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED
    assert TicketEvent.objects.filter(ticket=ticket, kind="cancelled").exists()
    body = text(client.get(response.url))
    assert "您已取消本号码" in body and "本号码已作废" in body
    assert snapshot.category_row(snapshot.get(qh.hall.code), qh.a.pk)["waiting"] == 0


def test_a_ticket_no_longer_waiting_cannot_be_cancelled(client, qh) -> None:
    qh.sign_in_all()
    ticket = issue(qh, now=NOW - MIN)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])

    response = client.post(reverse("queue-ticket-cancel", args=[ticket.token]))

    assert response.status_code == 409
    body = text(response)
    assert "当前状态为“已叫号”，不能执行该操作" in body and "只有等候中的号码可以取消" in body
    assert "请 A001 号到 2 号窗口办理" in body
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CALLED


def test_cancel_takes_only_post(client, qh) -> None:
    ticket = issue(qh)
    # A GET (a reload of the page the refusal was drawn on) goes back to the ticket, cancelling nothing.
    response = client.get(reverse("queue-ticket-cancel", args=[ticket.token]))
    assert response.status_code == 302 and response["Location"] == reverse("queue-ticket", args=[ticket.token])
    assert client.put(reverse("queue-ticket-cancel", args=[ticket.token])).status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING


@pytest.mark.parametrize("name", ["queue-ticket", "queue-slip"])
def test_an_unknown_token_is_404(client, qh, name) -> None:
    issue(qh)
    response = client.get(reverse(name, args=["not-a-real-token-000000"]))
    assert response.status_code == 404 and "没有找到该排队号" in text(response)
    assert client.post(reverse("queue-ticket-cancel", args=["not-a-real-token-000000"])).status_code == 404


def test_the_ticket_page_reads_one_row_and_the_cached_snapshot(client, qh, django_assert_num_queries) -> None:
    qh.sign_in_all()
    bulk_tickets(qh, 300)
    ticket = issue(qh)
    snapshot.get(qh.hall.code)  # a web process has served this hall before: the snapshot is cached
    # The ticket's row, and the 急事急办 asked with it or, none asked, whether it may be asked
    # (a chief representative there to decide: issue 11) — cases' section of the page, drawn
    # once per page load, never on a poll.
    with django_assert_num_queries(3) as captured:
        body = text(ticket_page(client, ticket))
    assert "queueing_ticket" in captured.captured_queries[0]["sql"]
    assert "cases_urgentrequest" in captured.captured_queries[1]["sql"]
    assert "catalog_serviceitem" in captured.captured_queries[2]["sql"]
    assert "前面还有 150 人" in body
    with django_assert_num_queries(1):
        ticket_page(client, ticket, **HTMX)


# --- Hall queue and board --------------------------------------------------------------------


def test_the_hall_queue_shows_each_queue(client, qh) -> None:
    qh.sign_in_all()
    for k in range(4):
        issue(qh, now=NOW - (20 - k) * MIN)
    issue(qh, qh.b, now=NOW - 3 * MIN)

    response = client.get(reverse("queue-hall-status", args=[qh.hall.code]))

    body = text(response)
    assert response.status_code == 200
    assert "现有 5 人等候" in body and "开放窗口 4 个" in body
    row_a = re.search(
        r"<tr>\s*<th scope=\"row\"><span class=\"code\">A</span> 户政业务</th>(.*?)</tr>", body, re.S
    ).group(1)
    # 4 waiting, the oldest for 20 minutes; a newcomer waits (4 + ¼) × 8 minutes over A's share of its
    # three windows (the comprehensive one shared with B): 13 minutes (queueing.estimator, issue 14).
    assert re.findall(r"<td[^>]*>(.*?)</td>", row_a) == ["4 人", "20 分钟", "约 13 分钟", "3"]
    assert 'hx-trigger="every 30s"' in body
    assert f'href="{reverse("hall-detail", args=[qh.hall.code])}"' in body


def test_the_hall_queue_when_the_hall_is_closed(client, qh, clock) -> None:
    clock.move_to(NOW.replace(hour=18))
    body = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "本大厅现不在办公时间（今日开放 09:00–17:00）" in body

    clock.move_to(NOW + dt.timedelta(days=2))  # a Saturday
    body = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "本大厅今日不开放" in body


def test_the_hall_queue_on_a_booking_only_day_says_so(client, qh, clock) -> None:
    # Walkthrough: a Saturday by appointment only read "本大厅今日不开放" on the hall's page while
    # the same page listed the day's slots; it says what the take page and the kiosk say.
    booking_only_saturdays(qh.hall)
    clock.move_to(NOW + dt.timedelta(days=2))  # a Saturday
    body = text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))
    assert "今天为错时服务日，本大厅只为已预约的群众办理，现场不能取号。" in body and "今日不开放" not in body


def test_the_hall_page_loads_the_live_queue(client, qh) -> None:
    body = text(client.get(reverse("hall-detail", args=[qh.hall.code])))
    url = reverse("queue-hall-status", args=[qh.hall.code])
    assert f'hx-get="{url}" hx-trigger="load"' in body
    assert f'<a href="{url}">' in body  # without JavaScript, a link
    fragment = client.get(url, **HTMX)
    assert text(fragment).lstrip().startswith('<div id="hall-queue"')


def test_the_hall_queue_poll_answers_204_across_snapshot_rebuilds_until_what_it_shows_changes(
    client, qh, clock
) -> None:
    """The snapshot is rebuilt every FRESH_SECONDS whether or not anything changed; the hall page's
    version held the rebuild's time, so every phone's poll rendered the page again (seen in
    `make bench`: the poll with its version no faster than a render)."""
    qh.sign_in_all()
    issue(qh, now=NOW - MIN)
    url = reverse("queue-hall-status", args=[qh.hall.code])
    shown = text(client.get(url, **HTMX))
    assert "数据更新于 <time data-poll-checked>10:00:00</time>" in shown
    poll = poll_url(shown, "hall-queue")

    clock.move_to(NOW + dt.timedelta(seconds=snapshot.FRESH_SECONDS + 5))
    assert client.get(url).status_code == 200  # a reader without the version: the snapshot rebuilt
    assert snapshot.get(qh.hall.code)["generated_at"] > NOW.timestamp()
    assert client.get(poll, **HTMX).status_code == 204

    issue(qh, qh.b)  # something the page shows changed
    changed = client.get(poll, **HTMX)
    assert changed.status_code == 200 and "现有 2 人等候" in text(changed)


def test_the_board_shows_calls_windows_and_queues(client, qh) -> None:
    qh.sign_in_all()
    first, second = issue(qh, now=NOW - 2 * MIN), issue(qh, now=NOW - MIN)
    issue(qh, qh.b)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1])
    services.ticket_recall(window=qh.window_a, ticket=first, staff=qh.staff[2])
    recall = TicketEvent.objects.get(ticket=first, kind="recalled")

    response = client.get(reverse("queue-board", args=[qh.hall.code]))

    body = text(response)
    assert response.status_code == 200
    latest = re.search(r'<p class="board-latest"([^>]*)>(.*?)</p>', body, re.S)
    assert f'data-event="{recall.pk}"' in latest.group(1) and 'data-number="A001"' in latest.group(1)
    assert 'data-window="2"' in latest.group(1) and "请到 2 号窗口" in latest.group(2)
    # The earlier call of A001 gave way to its recall; A002 was called at window 1.
    calls = re.findall(r'<li data-call data-event="\d+" data-number="(\w+)" data-window="(\d+)">', body)
    assert calls == [(second.number, "1")]
    assert 'data-speech-template="请 {number} 号到 {window} 号窗口办理"' in body
    assert re.search(
        r'<span class="board-window-label">3 号窗口</span>\s*<span class="board-window-current">—</span>', body
    )
    assert 'board-queue-count">1 人' in body
    assert 'hx-trigger="every 2s"' in body
    assert '<script src="/static/js/board.js" defer></script>' in body
    assert '"includeIndicatorStyles": false' in body


def test_the_board_and_hall_queue_cost_no_query_with_the_snapshot_cached(client, qh, django_assert_num_queries) -> None:
    qh.sign_in_all()
    bulk_tickets(qh, 5000)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])
    data = snapshot.get(qh.hall.code)  # a web process has served this hall before: the snapshot is cached
    assert sum(row["waiting"] for row in data["categories"]) == 4999

    for name in ("queue-hall-status", "queue-board"):
        url = reverse(name, args=[qh.hall.code])
        with django_assert_num_queries(0):
            page = client.get(url)
        with django_assert_num_queries(0):
            fragment = client.get(url, **HTMX)
        with django_assert_num_queries(0):
            unchanged = client.get(
                poll_url(text(fragment), "hall-queue" if name == "queue-hall-status" else "board-live"), **HTMX
            )
        assert (page.status_code, fragment.status_code, unchanged.status_code) == (200, 200, 204)
    assert "现有 4999 人等候" in text(client.get(reverse("queue-hall-status", args=[qh.hall.code])))


def test_a_call_reaches_the_board_poll(client, qh) -> None:
    qh.sign_in_all()
    issue(qh, now=NOW - MIN)
    url = reverse("queue-board", args=[qh.hall.code])
    poll = poll_url(text(client.get(url, **HTMX)), "board-live")
    assert client.get(poll, **HTMX).status_code == 204

    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2])

    response = client.get(poll, **HTMX)
    assert response.status_code == 200 and 'data-number="A001" data-window="2"' in text(response)


def test_the_board_lists_every_queue_with_its_estimated_wait(client, qh) -> None:
    """All queues are on the board (board.js pages them when they do not fit the screen), each
    with its people waiting and what a newcomer would wait."""
    letters = "CDEFGHJ"
    for order, letter in enumerate(letters, start=3):
        QueueCategory.objects.create(hall=qh.hall, letter=letter, name=f"业务{letter}", order=order)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=NOW)
    for k in range(3):
        issue(qh, now=NOW - (3 - k) * MIN)

    body = text(client.get(reverse("queue-board", args=[qh.hall.code])))

    rows = re.findall(r'<tr data-page-item data-letter="(\w)">(.*?)</tr>', body, re.S)
    assert [letter for letter, _ in rows] == ["A", "B", *letters]
    cells = {letter: re.findall(r'<td class="board-queue-(\w+)">(.*?)</td>', row) for letter, row in rows}
    # Three waiting at the one window serving A: ceil((3 + ¼) × 8 / 1) = 26 minutes.
    assert cells["A"] == [("count", "3 人"), ("wait", "约 26 分钟")]
    assert cells["J"] == [("count", "0 人"), ("wait", "暂无开放窗口，暂无法估算")]
    assert '<main id="main" class="board" data-board data-page-seconds="10"' in body
    assert body.count("data-board-pager=") == 2 and body.count("data-page-indicator hidden") == 2
    assert re.search(r'<section class="board-queues"[^>]*data-board-pager="queues"', body)


def test_a_new_estimate_reaches_the_board_poll(client, qh) -> None:
    qh.sign_in_all()
    issue(qh, qh.b, now=NOW - MIN)
    url = reverse("queue-board", args=[qh.hall.code])
    poll = poll_url(text(client.get(url, **HTMX)), "board-live")
    assert client.get(poll, **HTMX).status_code == 204

    services.window_sign_out(window=qh.comprehensive, staff=qh.staff[1])  # B loses one of its two windows

    response = client.get(poll, **HTMX)
    assert response.status_code == 200 and "约 10 分钟" in text(response)


# --- All pages -------------------------------------------------------------------------------


def test_no_page_has_inline_styles_or_scripts(client, qh) -> None:
    """The CSP refuses inline styles and scripts; the browser test sees any violation too."""
    ticket = issue(qh)
    urls = [
        kiosk_url(qh),
        reverse("queue-slip", args=[ticket.token]),
        reverse("queue-ticket", args=[ticket.token]),
        reverse("queue-hall-status", args=[qh.hall.code]),
        reverse("queue-board", args=[qh.hall.code]),
    ]
    for url in urls:
        body = text(client.get(url))
        assert " style=" not in body and "<style" not in body, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert not re.search(r"\son[a-z]+=", body), url


def test_the_hall_queue_and_the_ticket_page_agree_when_no_window_is_open(client, qh) -> None:
    """Issue 11's walkthrough: the live-queue page estimated waits while no window was open,
    where the ticket's page says it cannot estimate. Both say it cannot."""
    ticket = issue(qh, now=NOW - 10 * MIN)
    issue(qh, now=NOW - 5 * MIN)
    ticket_body = text(client.get(reverse("queue-ticket", args=[ticket.token])))
    assert "暂无开放窗口，暂无法估算" in ticket_body
    for name in ("queue-hall-status", "queue-board"):
        body = text(client.get(reverse(name, args=[qh.hall.code])))
        row = re.search(r'<tr[^>]*>\s*<th scope="row">.{0,80}?户政业务.*?</tr>', body, re.S).group(0)
        assert "暂无开放窗口，暂无法估算" in row, (name, row)
        assert "约" not in row and "无需等候" not in row, (name, row)
