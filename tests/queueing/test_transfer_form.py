"""The console's transfer form: the reason is marked required (as the browser requires it), the
form says before submitting that category and window are one or the other, and a transfer into a
queue (or to a window) no open window serves is asked about before it is done."""

from __future__ import annotations

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


@pytest.fixture
def called(called_at_console):
    return called_at_console


def transfer(client, qh, ticket, **data):
    url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "transfer"])
    return client.post(url, {"reason": "需社保窗口办理", **data}, headers=HTMX)


def test_the_form_marks_the_reason_required_and_says_category_or_window(client, qh, called) -> None:
    body = client.get("/staff/").content.decode()
    assert '<label for="transfer-reason">转办原因（必填）</label>' in body
    reason = re.search(r'<input[^>]*id="transfer-reason"[^>]*>', body).group(0)
    assert "required" in reason  # as the browser requires it
    for field, text in (("category", "与“转至窗口”二选一"), ("target_window", "与“转至类别”二选一")):
        assert f'<p class="muted help" id="transfer-{field}_helptext">{text}' in body
        tag = re.search(rf'<select[^>]*id="transfer-{field}"[^>]*>', body).group(0)
        assert f'aria-describedby="transfer-{field}_helptext"' in tag


def test_a_transfer_no_open_window_would_call_is_asked_about_first(client, qh, called) -> None:
    asked = transfer(client, qh, called, category=qh.b.pk)
    body = asked.content.decode()
    assert asked.status_code == 409
    assert "当前没有开放的窗口办理B类（社保业务）：转办后 A001 要等有窗口开放后才会被叫号。" in body
    assert '<details class="transfer" open>' in body and f'<option value="{qh.b.pk}" selected>' in body
    assert 'name="confirm_unserved" value="1" required' in body and "仍然转办" in body
    ticket = Ticket.objects.get(pk=called.pk)
    assert ticket.status == "called" and ticket.category_id == qh.a.pk  # nothing done yet

    done = transfer(client, qh, called, category=qh.b.pk, confirm_unserved="1")
    assert done.status_code == 200 and "已转办：A001 注意：当前没有开放的窗口办理B类" in done.content.decode()
    assert Ticket.objects.get(pk=called.pk).category_id == qh.b.pk


def test_a_transfer_to_a_closed_window_is_asked_about_first(client, qh, called) -> None:
    asked = transfer(client, qh, called, target_window=qh.window_b.pk)
    assert asked.status_code == 409
    assert "3号窗口当前未开放：转办后 A001 要等该窗口开放后才会被叫号。" in asked.content.decode()
    assert Ticket.objects.get(pk=called.pk).status == "called"


def test_a_transfer_into_a_served_queue_is_not_asked_about(client, qh, called) -> None:
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    done = transfer(client, qh, called, category=qh.b.pk)
    assert done.status_code == 200 and "仍然转办" not in done.content.decode()
    assert Ticket.objects.get(pk=called.pk).category_id == qh.b.pk


def test_without_javascript_the_question_is_the_console_with_the_box(client, qh, called) -> None:
    url = reverse("console-ticket-action", args=[qh.window_a.pk, called.pk, "transfer"])
    asked = client.post(url, {"reason": "需社保窗口办理", "category": qh.b.pk})
    page = asked.content.decode()
    assert asked.status_code == 409 and "<html" in page and "要等有窗口开放后才会被叫号" in page
    assert 'name="confirm_unserved" value="1" required' in page
    assert Ticket.objects.get(pk=called.pk).status == "called"
    done = client.post(url, {"reason": "需社保窗口办理", "category": qh.b.pk, "confirm_unserved": "1"})
    assert done.status_code == 302 and Ticket.objects.get(pk=called.pk).category_id == qh.b.pk
