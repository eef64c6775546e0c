"""过号 (no-show) on the console: not within the wait after the call (the person needs time to
hear the call and walk to the window), and asked again before it is done — by hx-confirm with
JavaScript, by the console's own confirmation without."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from queueing import services
from queueing.models import Ticket
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def wait(settings):
    """The production setting (tests/settings.py sets no wait for the other tests)."""
    settings.QUEUE = {**settings.QUEUE, "no_show_wait_seconds": 60}


@pytest.fixture
def called(called_at_console):
    return called_at_console


def url(qh, ticket):
    return reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "no-show"])


def test_a_no_show_right_after_the_call_is_refused_with_the_time_left(client, qh, called, clock) -> None:
    clock.shift(dt.timedelta(seconds=20))
    response = client.post(url(qh, called), {"confirm": "1"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 409
    assert "叫号 60 秒后才能标记过号（还需 40 秒）" in body and "可先重新叫号" in body
    assert Ticket.objects.get(pk=called.pk).status == "called"
    # The service refuses it too (the API, a request racing the page).
    with pytest.raises(services.QueueError) as refused:
        services.ticket_no_show(window=qh.window_a, ticket=called, staff=qh.staff[2])
    assert refused.value.code == "no_show_too_early"


def test_after_the_wait_the_console_asks_then_marks(client, qh, called, clock) -> None:
    page = client.get("/staff/").content.decode()
    assert 'hx-confirm="确认将 A001 标记为过号？' in page and 'hx-vals=\'{"confirm": "1"}\'' in page
    clock.shift(dt.timedelta(seconds=61))
    asked = client.post(url(qh, called), headers=HTMX)
    body = asked.content.decode()
    assert asked.status_code == 409 and "确认将 A001 标记为过号？" in body
    assert '<input type="hidden" name="confirm" value="1">' in body and "确认过号" in body
    assert Ticket.objects.get(pk=called.pk).status == "called"  # nothing done yet
    done = client.post(url(qh, called), {"confirm": "1"}, headers=HTMX)
    assert done.status_code == 200 and "已标记过号：A001" in done.content.decode()
    assert Ticket.objects.get(pk=called.pk).status == "no_show"


def test_without_javascript_the_confirmation_is_a_page_with_a_form(client, qh, called, clock) -> None:
    clock.shift(dt.timedelta(minutes=2))
    asked = client.post(url(qh, called))
    body = asked.content.decode()
    assert asked.status_code == 409 and "<html" in body and "确认过号" in body
    assert client.post(url(qh, called), {"confirm": "1"}).status_code == 302
    assert Ticket.objects.get(pk=called.pk).status == "no_show"


def test_a_no_show_of_a_ticket_no_longer_called_is_refused_not_asked(client, qh, called, clock) -> None:
    clock.shift(dt.timedelta(minutes=2))
    services.ticket_start(window=qh.window_a, ticket=called, staff=qh.staff[2])
    response = client.post(url(qh, called), headers=HTMX)
    assert response.status_code == 409 and "不能执行该操作" in response.content.decode()
    assert "确认过号" not in response.content.decode()


def _no_show_button(page: str) -> str:
    """The 过号 button's opening tag on the console."""
    return re.search(r'<button [^>]*data-shortcut="x"[^>]*>', page).group(0)


def test_within_the_wait_the_button_is_disabled_and_says_when_it_can_be_used(client, qh, called, clock) -> None:
    """The console shows the wait before the clerk presses 过号 (not a confirm() then a refusal)."""
    clock.shift(dt.timedelta(seconds=20))
    page = client.get("/staff/").content.decode()
    button = _no_show_button(page)
    assert " disabled" in button and 'aria-describedby="no-show-wait"' in button
    assert 'data-enable-in="40"' in button  # static/js/console.js enables it then
    assert '<p class="muted help no-show-wait" id="no-show-wait">叫号 60 秒后可标记过号（10:01:00 起）。</p>' in page
    # The panel swapped in by an action says the same: the call's own answer.
    services.ticket_finish(window=qh.window_a, ticket=called, staff=qh.staff[2])
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    answer = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX).content.decode()
    assert "已叫号：A002" in answer and " disabled" in _no_show_button(answer)
    assert "叫号 60 秒后可标记过号（10:01:20 起）" in answer


def test_after_the_wait_the_button_is_enabled_without_the_hint(client, qh, called, clock) -> None:
    clock.shift(dt.timedelta(seconds=60))
    page = client.get("/staff/").content.decode()
    button = _no_show_button(page)
    assert " disabled" not in button and "data-enable-in" not in button
    assert "后可标记过号" not in page


def test_a_recall_starts_the_wait_again(client, qh, called, clock) -> None:
    """The person is given the whole wait after every announcement: 60 s from the latest call."""
    clock.shift(dt.timedelta(seconds=50))
    recall = reverse("console-ticket-action", args=[qh.window_a.pk, called.pk, "recall"])
    answer = client.post(recall, headers=HTMX).content.decode()
    assert "已重新叫号：A001" in answer and " disabled" in _no_show_button(answer)
    assert "叫号 60 秒后可标记过号（10:01:50 起）" in answer
    clock.shift(dt.timedelta(seconds=20))  # 70 s after the call, 20 s after the recall
    refused = client.post(url(qh, called), {"confirm": "1"}, headers=HTMX)
    assert refused.status_code == 409 and "还需 40 秒" in refused.content.decode()
    with pytest.raises(services.QueueError):
        services.ticket_no_show(window=qh.window_a, ticket=called, staff=qh.staff[2])
    assert Ticket.objects.get(pk=called.pk).called_at == NOW  # the wait figures still count from the call
    clock.shift(dt.timedelta(seconds=40))
    assert " disabled" not in _no_show_button(client.get("/staff/").content.decode())
    done = client.post(url(qh, called), {"confirm": "1"}, headers=HTMX)
    assert done.status_code == 200 and Ticket.objects.get(pk=called.pk).status == "no_show"


def test_a_hall_sets_its_own_wait_and_the_console_and_service_follow_it(client, qh, called, clock) -> None:
    """A large hall gives the person longer to reach the window (HallQueueSettings), shown on the
    console's disabled button and held by the service; another hall keeps the city's 60 s."""
    from queueing.models import HallQueueSettings
    from servicehall.memo import forget

    HallQueueSettings.objects.update_or_create(hall=qh.hall, defaults={"no_show_wait_seconds": 120})
    forget()
    clock.shift(dt.timedelta(seconds=90))
    page = client.get("/staff/").content.decode()
    assert "叫号 120 秒后可标记过号" in page
    response = client.post(url(qh, called), {"confirm": "1"}, headers=HTMX)
    assert response.status_code == 409
    assert "叫号 120 秒后才能标记过号（还需 30 秒）" in response.content.decode()
    clock.shift(dt.timedelta(seconds=31))
    services.ticket_no_show(window=qh.window_a, ticket=called, staff=qh.staff[2])
    assert Ticket.objects.get(pk=called.pk).status == "no_show"


def test_a_halls_wait_is_checked_in_the_admin(admin_client, qh) -> None:
    from queueing.models import HallQueueSettings

    response = admin_client.post(
        reverse("admin:queueing_hallqueuesettings_add"), {"hall": qh.hall.pk, "no_show_wait_seconds": 700}
    )
    assert response.status_code == 200
    assert "过号等待时间须在 0 至 600 秒之间。" in response.content.decode()
    assert not HallQueueSettings.objects.filter(hall=qh.hall).exists()
