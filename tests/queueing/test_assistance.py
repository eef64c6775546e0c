"""Assisted and accompanied handling (帮办代办、陪同办, Art. 10 ¶1): the green-channel age per hall
(60 by default), requests from the kiosk and from a booking reaching the hall's assistance desk,
taking them and marking them done with the helper recorded, who may work the desk, bad input,
the API and the badge on the window console."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from queueing import services
from queueing.models import AssistanceRequest, HallQueueSettings, Ticket
from servicehall import memo, roles
from tests.queueing.factories import NOW, id_number, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)
YOUNG = id_number("19900307")
SIXTY_ONE = id_number("19650101")  # 61 on NOW (26 November 2026)
ACCOMPANY = {"assistance": "on", "assistance_kind": "accompany", "assistance_reason": "elderly"}


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    memo.forget()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def kiosk_url(qh) -> str:
    return reverse("queue-kiosk", args=[qh.hall.code])


def desk_url() -> str:
    return reverse("assistance-desk")


def set_age(hall, age: int) -> None:
    HallQueueSettings.objects.update_or_create(hall=hall, defaults={"green_channel_age": age})
    cache.clear()
    memo.forget()  # the hall's settings are remembered for a while


# --- The green-channel age, per hall ----------------------------------------------------------


def test_the_default_green_channel_age_is_60(client, qh) -> None:
    qh.sign_in_all()
    body = text(client.get(kiosk_url(qh)))
    assert "年满 60 周岁的老年人填写后自动进入绿色通道" in body
    client.post(kiosk_url(qh), {"category": "A", "id_number": SIXTY_ONE, "priority": ""})
    assert Ticket.objects.get().priority == Ticket.Priority.ELDERLY


def test_a_61_year_old_qualifies_at_a_hall_set_to_60_and_not_at_one_set_to_65(client, qh) -> None:
    other = make_queue_hall("QX")
    qh.sign_in_all()
    other.sign_in_all()
    set_age(qh.hall, 60)
    set_age(other.hall, 65)

    client.post(kiosk_url(qh), {"category": "A", "id_number": SIXTY_ONE, "priority": ""})
    client.post(kiosk_url(other), {"category": "A", "id_number": SIXTY_ONE, "priority": ""})

    assert Ticket.objects.get(hall=qh.hall).priority == Ticket.Priority.ELDERLY
    assert Ticket.objects.get(hall=other.hall).priority == ""
    assert "年满 65 周岁" in text(client.get(kiosk_url(other)))
    # Asking for the elderly green channel at the 65 hall is refused with that hall's age.
    response = client.post(kiosk_url(other), {"category": "B", "id_number": SIXTY_ONE, "priority": "elderly"})
    assert response.status_code == 400 and "65周岁及以上" in text(response)


@pytest.mark.parametrize("age", [49, 81])
def test_a_hall_green_channel_age_outside_50_to_80_is_refused(qh, age) -> None:
    settings = HallQueueSettings(hall=qh.hall, green_channel_age=age)
    with pytest.raises(ValidationError) as excinfo:
        settings.full_clean()
    assert excinfo.value.message_dict["green_channel_age"] == ["绿色通道年龄须在 50 至 80 周岁之间。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        HallQueueSettings.objects.create(hall=qh.hall, green_channel_age=age)


def test_the_admin_edits_the_hall_green_channel_age(admin_client, qh) -> None:
    url = reverse("admin:queueing_hallqueuesettings_add")
    response = admin_client.post(url, {"hall": qh.hall.pk, "green_channel_age": "90"})
    assert response.status_code == 200 and "绿色通道年龄须在 50 至 80 周岁之间。" in text(response)
    response = admin_client.post(url, {"hall": qh.hall.pk, "green_channel_age": "62"})
    assert response.status_code == 302
    assert HallQueueSettings.objects.get(hall=qh.hall).green_channel_age == 62


# --- Requests from the kiosk reach the desk -------------------------------------------------


def test_a_request_at_the_kiosk_reaches_the_assistance_desk(client, qh) -> None:
    qh.sign_in_all()
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": SIXTY_ONE, "priority": "", **ACCOMPANY})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    request = AssistanceRequest.objects.get()
    assert (request.ticket, request.hall, request.kind, request.reason, request.status) == (
        ticket,
        qh.hall,
        "accompany",
        "elderly",
        "requested",
    )
    assert request.source == "kiosk" and request.id_masked == ticket.id_masked
    assert "已申请陪同办" in text(client.get(response["Location"]))

    client.force_login(qh.staff[1])
    body = text(client.get(desk_url()))
    assert ticket.number in body and "陪同办" in body and "高龄" in body
    assert ticket.id_masked in body and SIXTY_ONE not in body  # masked, never the number


def test_kiosk_assistance_bad_input_is_shown_and_nothing_is_saved(client, qh) -> None:
    qh.sign_in_all()
    bad_kind = {**ACCOMPANY, "assistance_kind": "fly"}
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": "", "priority": "", **bad_kind})
    assert response.status_code == 400 and "请选择服务类型：陪同办或帮办代办。" in text(response)
    other_without_note = {**ACCOMPANY, "assistance_reason": "other"}
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": "", "priority": "", **other_without_note})
    assert response.status_code == 400 and "原因选择“其他”时，请简要说明需要协助的情况。" in text(response)
    no_kind = {"assistance": "on", "assistance_reason": "disabled"}
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": "", "priority": "", **no_kind})
    assert response.status_code == 400 and "请选择服务类型" in text(response)
    assert not Ticket.objects.exists() and not AssistanceRequest.objects.exists()


def test_asking_again_for_the_same_ticket_returns_the_open_request(qh) -> None:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW).ticket
    wish = services.assistance_wish(kind="proxy", reason="mobility")
    first = services.assistance_request(hall=qh.hall, wish=wish, source="kiosk", ticket=ticket)
    again = services.assistance_request(hall=qh.hall, wish=wish, source="online", ticket=ticket)
    assert first.pk == again.pk and AssistanceRequest.objects.count() == 1
    with pytest.raises(services.QueueError, match="请选择服务类型") as excinfo:
        services.assistance_wish(kind="carry", reason="elderly")
    assert excinfo.value.field == "kind"
    with pytest.raises(services.QueueError) as excinfo:
        services.assistance_wish(kind="proxy", reason="bored")
    assert excinfo.value.field == "reason"


# --- Take and done, with the helper ------------------------------------------------------------


def _kiosk_request(qh, kind: str = "accompany") -> AssistanceRequest:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", id_number=YOUNG, now=NOW).ticket
    wish = services.assistance_wish(kind=kind, reason="other", note="腿脚不便，需轮椅")
    return services.assistance_request(hall=qh.hall, wish=wish, source="kiosk", ticket=ticket)


def test_take_and_done_record_who_helped(client, qh) -> None:
    request = _kiosk_request(qh)
    helper = qh.staff[4]
    client.force_login(helper)

    response = client.post(reverse("assistance-desk-action", args=[request.pk, "take"]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.helper, request.assigned_at) == ("assigned", helper, NOW)
    assert "qh-w4 协助中" in text(client.get(desk_url()))

    # Somebody else cannot take it again: told who has it, nothing changes.
    client.force_login(qh.staff[1])
    client.post(reverse("assistance-desk-action", args=[request.pk, "take"]))
    assert "该请求已由其他工作人员接单。" in text(client.get(desk_url()))
    request.refresh_from_db()
    assert request.helper == helper

    client.force_login(helper)
    client.post(reverse("assistance-desk-action", args=[request.pk, "done"]))
    request.refresh_from_db()
    assert (request.status, request.helper, request.done_at) == ("done", helper, NOW)
    body = text(client.get(desk_url()))
    assert "今日已完成" in body and "暂无待处理的请求。" in body
    with pytest.raises(services.QueueError, match="已完成"):
        services.assistance_done(request=request, staff=helper)


def test_done_without_take_records_the_one_who_did_it(qh) -> None:
    request = _kiosk_request(qh, kind="proxy")
    request = services.assistance_done(request=request, staff=qh.staff[2])
    assert (request.status, request.helper, request.assigned_at, request.done_at) == ("done", qh.staff[2], NOW, NOW)


# --- Who may work the desk --------------------------------------------------------------------


def test_only_the_hall_own_staff_work_its_desk(client, qh) -> None:
    request = _kiosk_request(qh)
    action = reverse("assistance-desk-action", args=[request.pk, "take"])

    assert client.get(desk_url()).status_code == 302  # to the login page
    assert client.post(action).status_code == 302
    other = make_queue_hall("QY")
    client.force_login(other.staff[1])
    assert client.post(action).status_code == 403
    city = staff_user("city-supervisor", role=roles.SUPERVISOR)  # citywide: no hall, no desk
    client.force_login(city)
    assert client.get(desk_url()).status_code == 403
    assert client.post(action).status_code == 403
    nobody = staff_user("no-role", hall_=qh.hall)
    client.force_login(nobody)
    assert client.get(desk_url()).status_code == 403
    request.refresh_from_db()
    assert request.status == "requested" and request.helper is None
    with pytest.raises(PermissionDenied):
        services.assistance_take(request=request, staff=other.staff[1])


def test_another_hall_desk_does_not_list_the_request(client, qh) -> None:
    request = _kiosk_request(qh)
    other = make_queue_hall("QZ")
    client.force_login(other.staff[1])
    body = text(client.get(desk_url()))
    assert request.ticket.number not in body and "暂无待处理的请求。" in body


# --- API ---------------------------------------------------------------------------------------


def test_the_api_creates_lists_takes_and_finishes(client, qh) -> None:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="online", id_number=YOUNG, now=NOW).ticket
    url = reverse("api:ticket-assistance", args=[ticket.token])

    bad = client.post(url, {"kind": "fly", "reason": "elderly"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["kind"] == ["请选择服务类型：陪同办或帮办代办。"]
    no_note = client.post(url, {"kind": "proxy", "reason": "other"}, content_type="application/json")
    assert no_note.status_code == 400 and "note" in no_note.json()["errors"]
    assert not AssistanceRequest.objects.exists()

    created = client.post(url, {"kind": "proxy", "reason": "disabled"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["ticket"], body["kind"], body["status"], body["helper"]) == (ticket.number, "proxy", "requested", None)
    assert YOUNG not in created.content.decode()
    again = client.post(url, {"kind": "proxy", "reason": "disabled"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]

    assert client.get(reverse("api:assistance-list")).status_code in (401, 403)
    client.force_login(qh.staff[3])
    listed = client.get(reverse("api:assistance-list")).json()
    assert [row["id"] for row in listed] == [body["id"]]
    taken = client.post(reverse("api:assistance-take", args=[body["id"]]))
    assert taken.status_code == 200 and taken.json()["helper"] == "qh-w3"
    retaken = client.post(reverse("api:assistance-take", args=[body["id"]]))
    assert retaken.status_code == 409
    done = client.post(reverse("api:assistance-done", args=[body["id"]]))
    assert done.status_code == 200 and done.json()["status"] == "done"

    other = make_queue_hall("QW")
    client.force_login(other.staff[1])
    assert client.post(reverse("api:assistance-done", args=[body["id"]])).status_code == 403
    assert client.get(reverse("api:assistance-list")).json() == []


# --- The window console shows it with the ticket ----------------------------------------------


def test_the_console_shows_the_request_with_the_ticket(client, qh, clerk) -> None:
    request = _kiosk_request(qh)
    plain = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW + dt.timedelta(minutes=1))

    body = text(client.get(reverse("staff-home")))
    row = body.split(f'<th scope="row">{request.ticket.number}</th>')[1].split("</tr>")[0]
    assert "需陪同办理" in row
    plain_row = body.split(f'<th scope="row">{plain.ticket.number}</th>')[1].split("</tr>")[0]
    assert "需陪同办理" not in plain_row

    client.post(reverse("console-call-next", args=[qh.window_a.pk]))
    current = text(client.get(reverse("staff-home"))).split('id="current-heading"')[1].split("</section>")[0]
    assert request.ticket.number in current and "需陪同办理" in current

    services.assistance_done(request=request, staff=qh.staff[4])
    current = text(client.get(reverse("staff-home"))).split('id="current-heading"')[1].split("</section>")[0]
    assert "需陪同办理" not in current
