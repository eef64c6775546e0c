"""The kiosk reads an ID number on Enter (walkthrough): an ID card reader types the number and
Enter, which presses the form's hidden first button. That is no error: the number is checked as
the ticket will check it, shown masked on the public screen (the number itself goes with the
queue's button from a hidden input), and the elderly green channel it brings is shown chosen.
A wrong number is said beside its field, as before."""

from __future__ import annotations

import logging
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from queueing import services
from queueing.models import HallQueueSettings, Ticket
from servicehall import memo
from servicehall.personal_data import mask_id_number
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db
YOUNG = id_number("19900307")  # 36 on NOW
OLD = id_number("19620501")  # 64 on NOW
READ = "已读取身份证号码，请按下要办理业务的按钮取号。"


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def kiosk_url(qh) -> str:
    return reverse("queue-kiosk", args=[qh.hall.code])


def enter(client, qh, **data: str):
    """The ID field's Enter: the browser sends the form with its first submit button."""
    return client.post(kiosk_url(qh), {"read_id": "1", "priority": "", **data})


def chosen_priority(body: str) -> str:
    match = re.search(r'<input type="radio" name="priority" value="([^"]*)"[^>]*\bchecked\b', body)
    assert match, "no green channel option chosen"
    return match.group(1)


def id_inputs(body: str) -> list[str]:
    return re.findall(r'<input[^>]*name="id_number"[^>]*>', body)


def status_message(body: str) -> str:
    match = re.search(r'<p class="note kiosk-id-message" id="id-number-read" role="status"[^>]*>([^<]*)</p>', body)
    assert match, "no confirmation"
    return match.group(1)


def test_enter_after_the_id_number_reads_it_without_an_error_or_a_ticket(client, qh) -> None:
    response = enter(client, qh, id_number=YOUNG)

    body = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "error-summary" not in body and "未能取号" not in body and 'aria-invalid="true"' not in body
    assert status_message(body) == READ
    # Shown masked and read-only; the number goes with the queue's button from a hidden input.
    assert re.search(
        rf'<input type="text" id="id_id_number" value="{re.escape(mask_id_number(YOUNG))}"[^>]*readonly', body
    )
    assert id_inputs(body) == [f'<input type="hidden" name="id_number" value="{YOUNG}">']
    assert body.count(YOUNG) == 1
    assert 'name="clear_id"' in body and "重新输入身份证号码" in body
    assert chosen_priority(body) == ""
    # Every queue's button is still there to take the ticket.
    assert 'name="category" value="A"' in body and 'name="category" value="B"' in body


def test_an_id_number_of_the_green_channels_age_shows_the_green_channel_chosen(client, qh) -> None:
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW)
    body = enter(client, qh, id_number=OLD).content.decode()

    assert chosen_priority(body) == Ticket.Priority.ELDERLY
    assert status_message(body) == (
        "已读取身份证号码：您已满60周岁，已为您选择老年人绿色通道。请按下要办理业务的按钮取号。"
    )

    # The queue's button then takes the green channel's ticket with the number read.
    response = client.post(kiosk_url(qh), {"category": "B", "id_number": OLD, "priority": chosen_priority(body)})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.priority == Ticket.Priority.ELDERLY
    assert ticket.id_masked == mask_id_number(OLD) and ticket.source == Ticket.Source.KIOSK


def test_the_green_channels_age_is_the_halls(client, qh) -> None:
    HallQueueSettings.objects.update_or_create(hall=qh.hall, defaults={"green_channel_age": 65})
    memo.forget()  # the hall's settings are remembered for a while

    body = enter(client, qh, id_number=OLD).content.decode()

    assert chosen_priority(body) == "" and status_message(body) == READ


def test_a_green_channel_chosen_before_enter_is_kept(client, qh) -> None:
    body = enter(client, qh, id_number=YOUNG, priority=Ticket.Priority.DISABLED).content.decode()
    assert chosen_priority(body) == Ticket.Priority.DISABLED and status_message(body) == READ


def test_a_wrong_id_number_with_enter_is_said_beside_its_field_and_not_logged(client, qh, caplog) -> None:
    wrong = YOUNG[:-1] + ("0" if YOUNG[-1] != "0" else "1")
    with caplog.at_level(logging.DEBUG):
        response = enter(client, qh, id_number=wrong)

    body = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert '<p class="field-error" id="id-number-error">身份证号码校验位不正确' in body
    # As typed, in the field, to be corrected.
    assert re.search(rf'<input type="text" name="id_number" id="id_id_number" value="{wrong}"', body)
    assert 'id="id-number-read"' not in body and "请按下要办理业务的按钮取号。</a>" not in body
    assert wrong not in caplog.text and wrong not in (response.get("Location") or "")


def test_the_elderly_green_channel_for_someone_too_young_is_refused_on_enter(client, qh) -> None:
    response = enter(client, qh, id_number=YOUNG, priority=Ticket.Priority.ELDERLY)
    assert response.status_code == 400 and "老年人绿色通道适用于60周岁及以上的申请人" in response.content.decode()


def test_enter_with_an_empty_field_is_no_error_either(client, qh) -> None:
    response = enter(client, qh)
    body = response.content.decode()
    assert response.status_code == 200 and "error-summary" not in body
    assert status_message(body) == "请先输入身份证号码，或直接按下要办理业务的按钮取号。"
    assert re.search(r'<input type="text" name="id_number" id="id_id_number" value=""', body)


def test_another_number_replaces_the_one_read(client, qh) -> None:
    response = client.post(
        kiosk_url(qh),
        {
            "clear_id": "1",
            "id_number": OLD,
            "priority": Ticket.Priority.ELDERLY,
            "assistance": "on",
            "assistance_kind": "accompany",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200 and OLD not in body and mask_id_number(OLD) not in body
    assert re.search(r'<input type="text" name="id_number" id="id_id_number" value=""', body)
    assert chosen_priority(body) == "" and not Ticket.objects.exists()
    assert re.search(r'<input type="checkbox" name="assistance"[^>]*checked', body)  # the other choices stay


def test_a_right_number_stays_masked_when_the_queues_press_is_refused(client, qh) -> None:
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": YOUNG, "priority": Ticket.Priority.ELDERLY})

    body = response.content.decode()
    assert response.status_code == 400 and "老年人绿色通道适用于" in body
    assert id_inputs(body) == [f'<input type="hidden" name="id_number" value="{YOUNG}">']
    assert f'value="{mask_id_number(YOUNG)}"' in body
