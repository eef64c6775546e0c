"""Someone holding a booking for today who also took a ticket (issue 8, h1 §3 c–d).

- The kiosk tells them: a normal ticket taken with an ID number at a registered kiosk of the
  hall offers check-in below its slip, for every such ticket while the hall has bookings to check
  in, so it reveals nothing about the ID number typed; the check-in asks the booking's mobile
  number's last four digits (and, as check-in by ID number, a registered kiosk: issue 9 §3).
- A later check-in is truthful (docs/appointments.md, "Check-in"): one ticket per person and
  queue, so on time the waiting normal ticket is given up for the appointment's priority ticket
  and both numbers are named; a green-channel ticket, a ticket already called, or a late
  check-in keeps the ticket held, and the message says how it is called — never "priority" for a
  ticket that has none.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from appointments import services
from appointments.models import Booking
from queueing import services as queue_services
from queueing.models import Ticket
from servicehall import roles
from tests.appointments.factories import NOW, person
from tests.queueing.factories import pair_kiosk
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
TODAY = NOW.date()
ON_TIME = NOW + 5 * MIN  # 10:05, within the check-in window of the 10:30 slot


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(bh):
    user = staff_user("bk-w1", role=roles.WINDOW_STAFF, hall_=bh.hall)
    queue_services.window_sign_in(window=bh.window, staff=user)
    bh.window.refresh_from_db()
    return user


@pytest.fixture
def booking(bh) -> Booking:
    return services.booking_create(slot=bh.slot(TODAY, 10, 30), now=NOW, **person(1))


def text(response) -> str:
    return response.content.decode()


def kiosk_ticket(bh, k: int = 1, **kwargs) -> Ticket:
    """A ticket of queue A taken at the kiosk with person ``k``'s ID number."""
    return queue_services.ticket_issue(
        hall=bh.hall, category=bh.a, source="kiosk", id_number=person(k)["id_number"], **kwargs
    ).ticket


def check_in(bh, booking, **kwargs):
    return services.booking_check_in(hall=bh.hall, code=booking.code, now=ON_TIME, **kwargs)


# --- A later check-in --------------------------------------------------------------------------


def test_on_time_the_waiting_normal_ticket_is_given_up_for_the_appointments(bh, booking, clerk) -> None:
    normal = kiosk_ticket(bh)

    result = check_in(bh, booking)

    assert result.ticket.number == "YA002" and result.ticket.priority == Ticket.Priority.APPOINTMENT
    assert result.ticket.not_before == booking.slot.starts_at
    assert result.message == "签到成功，您的预约号为 YA002，将在 10:30 起优先叫号；您之前取的普通号 A001 已作废。"
    normal.refresh_from_db()
    assert normal.status == Ticket.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).ticket == result.ticket


def test_at_the_window_the_clerk_is_told_both_numbers(bh, booking, clerk) -> None:
    kiosk_ticket(bh)
    result = check_in(bh, booking, via="window", staff=clerk)
    assert result.message == "签到成功：预约号 YA002，10:30 起优先叫号；申请人之前取的普通号 A001 已作废。"


def test_a_green_channel_ticket_is_kept_and_no_appointment_priority_is_promised(bh, booking, clerk) -> None:
    green = kiosk_ticket(bh, priority=Ticket.Priority.DISABLED)

    result = check_in(bh, booking)

    assert result.ticket == green and green.number == "VA001"
    assert result.message == "签到成功。您在本队列已有号码 VA001，继续使用该号码，绿色通道，优先叫号。"
    green.refresh_from_db()
    assert green.status == Ticket.Status.WAITING and green.not_before is None
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CHECKED_IN


def test_a_late_check_in_keeps_the_normal_ticket_and_its_arrival_order(bh, booking, clerk, clock) -> None:
    normal = kiosk_ticket(bh)
    clock.move_to(NOW + 50 * MIN)  # 10:50, after 10:45

    result = services.booking_check_in(hall=bh.hall, code=booking.code)

    assert result.late and result.ticket == normal and result.ticket.priority == ""
    assert result.message == "您已超过签到时间（10:45）。您在本队列已有号码 A001，继续使用该号码，按到达顺序叫号。"
    assert Ticket.objects.count() == 1


def test_a_ticket_already_called_is_kept(bh, booking, clerk) -> None:
    normal = kiosk_ticket(bh)
    queue_services.ticket_call_next(window=bh.window, staff=clerk, now=NOW + MIN)

    result = check_in(bh, booking)

    assert result.ticket == normal
    assert result.message == "签到成功。您的号码 A001 已叫号，请到窗口办理。"
    normal.refresh_from_db()
    assert normal.status == Ticket.Status.CALLED


def test_a_ticket_of_another_queue_is_not_touched(bh, booking, clerk) -> None:
    other = queue_services.ticket_issue(
        hall=bh.hall, category=bh.b, source="kiosk", id_number=person(1)["id_number"]
    ).ticket

    result = check_in(bh, booking)

    assert result.ticket.number == "YA001" and "作废" not in result.message
    other.refresh_from_db()
    assert other.status == Ticket.Status.WAITING


# --- The kiosk tells whoever takes a ticket with an ID number -----------------------------------


def take_at_the_kiosk(client, bh, k: int | None = 1):
    data = {"category": "A", "id_number": person(k)["id_number"] if k else ""}
    response = client.post(reverse("queue-kiosk", args=[bh.hall.code]), data)
    assert response.status_code == 302
    return client.get(response.url)


def offer(body: str) -> str:
    """The check-in section below the slip, its ticket and CSRF tokens taken out (the rest of the
    section must be the same for everyone)."""
    match = re.search(r'<section class="kiosk-offer slip-check-in".*?</section>', body, re.S)
    return re.sub(r'name="(ticket|csrfmiddlewaretoken)" value="[^"]+"', "", match.group(0)) if match else ""


def test_the_slip_offers_check_in_to_everyone_who_gave_an_id_number(client, bh, booking, clerk) -> None:
    pair_kiosk(client, bh.hall)
    with_booking = text(take_at_the_kiosk(client, bh, 1))
    without = text(take_at_the_kiosk(client, bh, 2))
    anonymous = text(take_at_the_kiosk(client, bh, None))

    assert "今天已在本大厅网上预约？" in with_booking
    assert f'action="{reverse("booking-kiosk-checkin", args=[bh.hall.code])}"' in with_booking
    # The same words for someone who has no booking: nothing tells the typist whose ID it was.
    assert offer(with_booking) and offer(with_booking) == offer(without)
    assert "slip-check-in" not in anonymous  # no ID number: nobody to check in


def test_a_browser_that_is_not_a_registered_kiosk_gets_no_offer_and_no_check_in(client, bh, booking, clerk) -> None:
    assert "slip-check-in" not in text(take_at_the_kiosk(client, bh, 1))
    normal = Ticket.objects.get()
    response = client.post(
        reverse("booking-kiosk-checkin", args=[bh.hall.code]),
        {"ticket": normal.token, "mobile_last4": person(1)["mobile"][-4:]},
    )
    assert response.status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_no_offer_when_the_hall_has_nobody_left_to_check_in(client, bh, clerk) -> None:
    pair_kiosk(client, bh.hall)
    assert "slip-check-in" not in text(take_at_the_kiosk(client, bh, 1))


def test_checking_in_from_the_slip_with_the_mobiles_last_digits(client, bh, booking, clerk, clock) -> None:
    pair_kiosk(client, bh.hall)
    take_at_the_kiosk(client, bh, 1)
    normal = Ticket.objects.get()
    clock.move_to(ON_TIME)
    url = reverse("booking-kiosk-checkin", args=[bh.hall.code])

    wrong = client.post(url, {"ticket": normal.token, "mobile_last4": "0000"})
    stranger = kiosk_ticket(bh, 2)
    nobody = client.post(url, {"ticket": stranger.token, "mobile_last4": "0000"})
    assert wrong.status_code == nobody.status_code == 404
    assert "没有找到您今天在本大厅的预约" in text(wrong)
    normal.refresh_from_db()
    assert normal.status == Ticket.Status.WAITING and Booking.objects.get(pk=booking.pk).status == "booked"

    right = client.post(url, {"ticket": normal.token, "mobile_last4": person(1)["mobile"][-4:]})

    body = text(right)
    assert right.status_code == 200
    assert "签到成功，您的预约号为 YA003，将在 10:30 起优先叫号；您之前取的普通号 A001 已作废。" in body
    assert person(1)["id_number"] not in body
    normal.refresh_from_db()
    assert normal.status == Ticket.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CHECKED_IN


def test_a_ticket_no_longer_waiting_cannot_stand_for_its_holder(client, bh, booking, clerk) -> None:
    pair_kiosk(client, bh.hall)
    take_at_the_kiosk(client, bh, 1)
    normal = Ticket.objects.get()
    queue_services.ticket_cancel(ticket=normal)
    response = client.post(
        reverse("booking-kiosk-checkin", args=[bh.hall.code]),
        {"ticket": normal.token, "mobile_last4": person(1)["mobile"][-4:]},
    )
    assert response.status_code == 400 and "该排队号已叫号、已取消或已失效" in text(response)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED
