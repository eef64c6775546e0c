"""过号 (no-show) on the console: not within the wait after the call (the person needs time to
hear the call and walk to the window), and asked again before it is done — by hx-confirm with
JavaScript, by the console's own confirmation without."""

from __future__ import annotations

import datetime as dt

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
