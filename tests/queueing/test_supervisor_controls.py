"""From the dashboard a supervisor opens and closes windows and puts a message on the hall's
board; every change is audited, refused with a clear message when it cannot be done, and the
board reads the message from the cached snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from queueing import services, snapshot
from queueing.models import BoardMessage, Ticket, TicketEvent, Window
from queueing.services import QueueError
from servicehall import roles
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true", "HX-Target": "hall-controls"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def supervisor(qh):
    return staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)


def body(response) -> str:
    return response.content.decode()


def log_in(*users) -> None:
    """The clerks log in (a live session each): only a logged-in clerk can be put at a window."""
    for user in users:
        Client().force_login(user)


def open_url(qh, window: Window) -> str:
    return reverse("supervisor-window-open", args=[qh.hall.code, window.pk])


def close_url(qh, window: Window) -> str:
    return reverse("supervisor-window-close", args=[qh.hall.code, window.pk])


# --- Opening and closing windows (services) --------------------------------------------------


def test_opening_a_window_puts_the_clerk_there_and_is_audited(qh, supervisor) -> None:
    log_in(qh.staff[3])
    window = services.window_open(window=qh.window_b, clerk=qh.staff[3], user=supervisor).window

    assert window.is_open and window.staff == qh.staff[3] and window.signed_in_at == NOW
    event = AuditEvent.objects.get(action="window.open")
    assert event.actor == supervisor and event.target_id == str(qh.window_b.pk)
    assert event.details == {"staff": "qh-w3", "moved_from": None, "released": []}
    # The board and the estimates count the window at once.
    row = next(w for w in snapshot.get(qh.hall.code)["windows"] if w["number"] == 3)
    assert row["is_open"]


def test_a_clerk_signed_in_elsewhere_moves_and_their_old_window_closes(qh, supervisor) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.window_close(window=qh.window_b, user=supervisor)
    log_in(qh.staff[2])

    opened = services.window_open(window=qh.window_b, clerk=qh.staff[2], user=supervisor)

    assert opened.moved_from is not None and opened.moved_from.pk == qh.window_a.pk

    qh.window_a.refresh_from_db()
    assert not qh.window_a.is_open and qh.window_a.staff is None
    assert Window.objects.get(pk=qh.window_b.pk).staff == qh.staff[2]
    assert AuditEvent.objects.get(action="window.open").details["moved_from"] == 2


def test_opening_is_refused_with_a_reason(qh, supervisor) -> None:
    other = make_queue_hall("OT")
    with pytest.raises(QueueError, match="只能安排本大厅的窗口工作人员"):
        services.window_open(window=qh.window_b, clerk=other.staff[1], user=supervisor)
    with pytest.raises(QueueError, match="只能安排本大厅的窗口工作人员"):
        services.window_open(window=qh.window_b, clerk=supervisor, user=supervisor)

    qh.sign_in_all(now=NOW - 30 * MIN)
    log_in(qh.staff[2])
    with pytest.raises(QueueError, match="3号窗口已有其他工作人员签到") as taken:
        services.window_open(window=qh.window_b, clerk=qh.staff[2], user=supervisor)
    assert taken.value.status == 409

    # A clerk with someone at their counter cannot be moved away mid-service.
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 5 * MIN)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW - 4 * MIN)
    services.window_close(window=qh.window_b, user=supervisor)
    with pytest.raises(QueueError, match="qh-w2在2号窗口已叫号 A001"):
        services.window_open(window=qh.window_b, clerk=qh.staff[2], user=supervisor)
    assert not AuditEvent.objects.filter(action="window.open").exists()


def test_closing_a_window_with_a_ticket_at_the_counter_is_refused_and_says_which(qh, supervisor) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW - 5 * MIN)
    services.ticket_call_next(window=qh.window_b, staff=qh.staff[3], now=NOW - 4 * MIN)

    with pytest.raises(QueueError, match="3号窗口已叫号 B001，暂不能关闭") as refused:
        services.window_close(window=qh.window_b, user=supervisor)
    # Once the person is at the counter it says they are being served.
    services.ticket_start(window=qh.window_b, ticket=Ticket.objects.get(number="B001"), staff=qh.staff[3])
    with pytest.raises(QueueError, match="3号窗口正在办理 B001，暂不能关闭"):
        services.window_close(window=qh.window_b, user=supervisor)

    assert refused.value.status == 409
    qh.window_b.refresh_from_db()
    assert qh.window_b.is_open and qh.window_b.staff == qh.staff[3]
    assert not AuditEvent.objects.filter(action="window.close").exists()


def test_closing_signs_the_clerk_out_and_sends_tickets_waiting_for_this_window_back_to_their_queue(
    qh, supervisor
) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 20 * MIN).ticket
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW - 10 * MIN)
    services.ticket_transfer(
        window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="需要3号窗口复核", target_window=qh.window_b
    )

    closed = services.window_close(window=qh.window_b, user=supervisor)

    assert (closed.signed_out, closed.released) == ("qh-w3", ["A001"])
    assert not closed.window.is_open and closed.window.staff is None
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING and ticket.target_window is None
    assert ticket.arrived_at == NOW - 20 * MIN  # keeps its place
    event = TicketEvent.objects.filter(ticket=ticket).latest("pk")
    assert event.kind == TicketEvent.Kind.TRANSFERRED and event.data["cause"] == "window_closed"
    audit = AuditEvent.objects.get(action="window.close")
    assert audit.actor == supervisor and audit.details == {"signed_out": "qh-w3", "released": ["A001"]}
    # The clerk's console now finds the window closed.
    with pytest.raises(QueueError, match="该窗口未开放"):
        services.ticket_call_next(window=qh.window_b, staff=qh.staff[3])
    with pytest.raises(QueueError, match="3号窗口已关闭"):
        services.window_close(window=qh.window_b, user=supervisor)


# --- Opening and closing windows (pages) -----------------------------------------------------


def test_the_controls_open_and_close_windows_without_javascript(client, qh, supervisor) -> None:
    log_in(qh.staff[3])
    client.force_login(supervisor)
    page = body(client.get(reverse("supervisor-hall", args=[qh.hall.code])))
    assert 'id="hall-controls"' in page and "开放3号窗口" in page and 'name="clerk"' in page

    response = client.post(open_url(qh, qh.window_b), {"clerk": qh.staff[3].pk}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#controls")
    assert "已开放3号窗口，由qh-w3办理。" in body(response) and "关闭3号窗口" in body(response)

    response = client.post(close_url(qh, qh.window_b), follow=True)
    assert "已关闭3号窗口。qh-w3已从该窗口签退。" in body(response)
    actions = AuditEvent.objects.filter(action__startswith="window.").values_list("action", flat=True).order_by("pk")
    assert list(actions) == ["window.open", "window.close"]


def test_the_controls_answer_htmx_with_the_refreshed_controls_and_the_outcome(client, qh, supervisor) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW - 5 * MIN)
    services.ticket_call_next(window=qh.window_b, staff=qh.staff[3], now=NOW - 4 * MIN)
    client.force_login(supervisor)

    refused = client.post(close_url(qh, qh.window_b), headers=HTMX)
    assert refused.status_code == 409 and "<html" not in body(refused)
    assert 'role="alert"' in body(refused) and "3号窗口已叫号 B001，暂不能关闭" in body(refused)

    closed = client.post(close_url(qh, qh.window_a), headers=HTMX)
    assert closed.status_code == 200 and closed.headers["HX-Trigger"] == "dashboard-changed"
    assert 'role="status"' in body(closed) and "已关闭2号窗口" in body(closed) and "开放2号窗口" in body(closed)

    missing = client.post(open_url(qh, qh.window_a), {"clerk": ""}, headers=HTMX)
    assert missing.status_code == 400 and "请选择到该窗口办理的工作人员。" in body(missing)
    other = make_queue_hall("OT")
    foreign = client.post(open_url(qh, qh.window_a), {"clerk": other.staff[1].pk}, headers=HTMX)
    assert foreign.status_code == 400 and "请选择本大厅的窗口工作人员。" in body(foreign)


def test_the_controls_tell_a_ticket_called_from_one_being_served(client, qh, supervisor) -> None:
    """A ticket only called (the person may still be on the way) is not "正在办理"."""
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 6 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW - 5 * MIN)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW - 4 * MIN)
    b001 = services.ticket_call_next(window=qh.window_b, staff=qh.staff[3], now=NOW - 4 * MIN)
    services.ticket_start(window=qh.window_b, ticket=b001, staff=qh.staff[3], now=NOW - 3 * MIN)
    client.force_login(supervisor)

    controls = body(client.get(reverse("supervisor-hall", args=[qh.hall.code]), headers=HTMX))
    assert "已叫号 A001，等候群众到窗口" in controls and "正在办理 A001" not in controls
    assert "正在办理 B001" in controls and "已叫号 B001" not in controls
    assert "有已叫号的号码时不能关闭，请待工作人员办结、转办或标记过号。" in controls
    assert "有号码正在办理时不能关闭，请待办结或转办。" in controls


def test_only_supervisors_of_the_hall_may_use_the_controls(client, qh, supervisor) -> None:
    other = make_queue_hall("OT")
    client.force_login(supervisor)
    assert client.post(open_url(other, other.window_b), {"clerk": other.staff[3].pk}).status_code == 403
    assert client.post(close_url(other, other.window_b)).status_code == 403
    assert (
        client.post(reverse("supervisor-board-message", args=["OT"]), {"text": "x", "minutes": 30}).status_code == 403
    )
    # A window of another hall is not found through this hall.
    assert client.post(reverse("supervisor-window-close", args=[qh.hall.code, other.window_b.pk])).status_code == 404
    response = client.get(close_url(qh, qh.window_b))  # to the dashboard, closing nothing
    assert response.status_code == 302 and response["Location"] == reverse("supervisor-hall", args=[qh.hall.code])

    client.force_login(qh.staff[2])  # window staff: not a supervisor
    assert client.post(close_url(qh, qh.window_b)).status_code == 403
    client.logout()
    assert client.post(close_url(qh, qh.window_b)).status_code == 302
    assert not AuditEvent.objects.filter(action__regex=r"^(window|board_message)\.").exists()


def test_the_controls_cost_the_same_queries_for_more_windows_and_staff(
    client, qh, supervisor, django_assert_num_queries
) -> None:
    client.force_login(supervisor)
    url = reverse("supervisor-hall", args=[qh.hall.code])
    client.get(url, headers=HTMX)
    # 4 for the session, user and scope; the hall; windows with their staff, tickets at the
    # counters, the hall's staff and which of them are logged in, the board message.
    with django_assert_num_queries(10):
        client.get(url, headers=HTMX)
    for n in range(5, 15):
        Window.objects.create(hall=qh.hall, number=n, kind=Window.Kind.COMPREHENSIVE)
        staff_user(f"more-{n}", role=roles.WINDOW_STAFF, hall_=qh.hall)
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.board_message_post(hall=qh.hall, user=supervisor, text="午间暂停取号", minutes=30)
    with django_assert_num_queries(10):
        response = client.get(url, headers=HTMX)
    assert "14号窗口" in body(response) and "午间暂停取号" in body(response)


# --- The board message -----------------------------------------------------------------------


def test_a_message_goes_to_the_board_through_the_snapshot_and_leaves_when_it_expires(
    client, qh, supervisor, clock, django_assert_num_queries
) -> None:
    message = services.board_message_post(
        hall=qh.hall, user=supervisor, text="  社保系统维护，\n B类暂停 30 分钟  ", minutes=30
    )

    assert message.text == "社保系统维护， B类暂停 30 分钟" and message.expires_at == NOW + 30 * MIN
    audit = AuditEvent.objects.get(action="board_message.post")
    assert audit.actor == supervisor and audit.details["text"] == message.text
    board = reverse("queue-board", args=[qh.hall.code])
    first = body(client.get(board))
    assert "大厅通知" in first and "社保系统维护， B类暂停 30 分钟" in first
    # Boards read the message from the cached snapshot, never from the database.
    with django_assert_num_queries(0):
        assert "社保系统维护" in body(client.get(board))
    api = client.get(reverse("api:hall-queue", args=[qh.hall.code])).json()
    assert api["message"]["text"] == message.text

    clock.move_to(NOW + 31 * MIN)
    assert "社保系统维护" not in body(client.get(board))
    assert client.get(reverse("api:hall-queue", args=[qh.hall.code])).json()["message"] is None


def test_a_new_message_replaces_the_one_shown_and_a_message_can_be_withdrawn(
    client, qh, supervisor, django_capture_on_commit_callbacks
) -> None:
    first = services.board_message_post(hall=qh.hall, user=supervisor, text="第一条", minutes=60)
    second = services.board_message_post(hall=qh.hall, user=supervisor, text="第二条", minutes=15)
    first.refresh_from_db()
    assert first.withdrawn_at == NOW and first.withdrawn_by == supervisor
    assert AuditEvent.objects.filter(action="board_message.post").latest("pk").details["replaced"] == [first.pk]
    assert snapshot.get_public(qh.hall.code)["public"]["message"]["text"] == "第二条"

    client.force_login(supervisor)
    withdraw = reverse("supervisor-board-message-withdraw", args=[qh.hall.code, second.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the snapshot is marked dirty on commit
        response = client.post(withdraw, follow=True)
    assert "通知已从显示屏撤下。" in body(response) and "显示屏当前没有通知。" in body(response)
    assert snapshot.get_public(qh.hall.code)["public"]["message"] is None
    assert AuditEvent.objects.filter(action="board_message.withdraw", target_id=str(second.pk)).exists()
    again = client.post(withdraw, headers=HTMX)
    assert again.status_code == 409 and "该通知已撤下或已到期。" in body(again)


def test_posting_a_message_from_the_page(client, qh, supervisor) -> None:
    client.force_login(supervisor)
    url = reverse("supervisor-board-message", args=[qh.hall.code])

    posted = client.post(url, {"text": "请留意叫号", "minutes": "60"}, headers=HTMX)
    assert posted.status_code == 200 and posted.headers["HX-Trigger"] == "dashboard-changed"
    assert "通知已发布到显示屏，显示至 11:00。" in body(posted) and "请留意叫号" in body(posted)

    empty = client.post(url, {"text": "   ", "minutes": "30"}, headers=HTMX)
    assert empty.status_code == 400 and "请填写通知内容。" in body(empty) and 'aria-invalid="true"' in body(empty)
    too_long = client.post(url, {"text": "长" * 121, "minutes": "30"})
    assert too_long.status_code == 400 and "通知内容最多 120 字。" in body(too_long)
    assert "长" * 121 in body(too_long)  # the page keeps what was typed
    odd = client.post(url, {"text": "x", "minutes": "7"}, headers=HTMX)
    assert odd.status_code == 400 and "请选择显示时长。" in body(odd)
    assert BoardMessage.objects.count() == 1


def test_the_service_checks_the_message_itself(qh, supervisor) -> None:
    with pytest.raises(QueueError, match="请填写通知内容"):
        services.board_message_post(hall=qh.hall, user=supervisor, text=" \n ", minutes=30)
    with pytest.raises(QueueError, match="最多 120 字"):
        services.board_message_post(hall=qh.hall, user=supervisor, text="长" * 121, minutes=30)
    with pytest.raises(QueueError, match="显示时长"):
        services.board_message_post(hall=qh.hall, user=supervisor, text="x", minutes=0)
    assert not BoardMessage.objects.exists() and not AuditEvent.objects.exists()
