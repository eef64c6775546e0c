"""Booking started at a kiosk stays on the kiosk (issue 8, h1 §1): every step in the kiosk's
layout (no site navigation, care mode, back to the kiosk's start when idle), no link off the
kiosk, and an end that shows the code and QR code with the SMS notice but never the private
manage link, and forgets itself. The check-in button shows only where the hall takes bookings."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from appointments.models import Booking
from catalog.models import Hall
from queueing.models import QueueCategory
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.catalog import factories

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def links(body: str) -> list[str]:
    return re.findall(r'<(?:a|form) [^>]*(?:href|action)="([^"]*)"', body)


def kiosk_url(bh) -> str:
    return reverse("queue-kiosk", args=[bh.hall.code])


def assert_kiosk_page(bh, body: str) -> None:
    """The kiosk's layout: care mode, no site chrome, the idle return to the kiosk's start, and
    no link or form leading off the kiosk (the language switch posts to Django's set_language)."""
    assert '<html lang="zh-Hans" class="care">' in body
    for chrome in ("site-header", "site-footer", "main-nav", "breadcrumbs", "skip-link"):
        assert chrome not in body, chrome
    body_tag = re.search(r"<body [^>]*>", body).group(0)
    assert f'data-kiosk-home="{kiosk_url(bh)}?reset=1"' in body_tag and 'data-kiosk-idle-seconds="60"' in body_tag
    assert "/static/js/kiosk.js" in body
    for target in links(body):
        if target.startswith("#"):  # within the page (the error summary's links to its fields)
            continue
        path = target.split("?")[0].split("#")[0]
        assert path.startswith(f"/halls/{bh.hall.code}/kiosk/") or path == reverse("set_language"), target


def book_at_the_kiosk(client, bh, k: int = 1):
    slot = bh.slot(TODAY, 11, 30)
    url = reverse("booking-kiosk-form", args=[bh.hall.code, slot.pk])
    return client.post(url, {**person(k), "consent": "on"})


def test_the_kiosk_offer_leads_into_the_kiosk_booking(client, bh) -> None:
    # Nobody sits at the hall's window: pressing queue A offers booking, on this kiosk.
    page = text(client.post(kiosk_url(bh), {"category": "A"}))
    assert f'href="{reverse("booking-kiosk-hall", args=[bh.hall.code])}"' in page


def test_every_booking_step_at_the_kiosk_is_a_kiosk_page(client, bh) -> None:
    hall_page = client.get(reverse("booking-kiosk-hall", args=[bh.hall.code]))
    days_url = reverse("booking-kiosk-days", args=[bh.hall.code, "A"])
    days = client.get(days_url)
    slots = client.get(f"{days_url}?day={TODAY:%Y-%m-%d}")
    slot = bh.slot(TODAY, 11, 30)
    chosen = client.get(f"{days_url}?day={TODAY:%Y-%m-%d}&slot={slot.pk}")
    form_url = reverse("booking-kiosk-form", args=[bh.hall.code, slot.pk])
    form = client.get(form_url)
    refused = client.post(form_url, {**person(1), "id_number": "123", "consent": "on"})

    assert chosen.status_code == 302 and chosen.url == form_url
    for response in (hall_page, days, slots, form, refused):
        assert response.status_code in (200, 400)
        assert_kiosk_page(bh, text(response))
        assert "no-store" in response.headers["Cache-Control"]
    assert f'href="{days_url}"' in text(hall_page)
    assert f'action="{form_url}"' in text(form)
    assert refused.status_code == 400 and "身份证号码" in text(refused)
    # A shared screen: the browser offers no one's name or number to the next person.
    for name in ("name", "id_number", "mobile"):
        field = re.search(rf'<input type="text" name="{name}"[^>]*>', text(form)).group(0)
        assert 'autocomplete="off"' in field, name


def test_the_site_booking_keeps_the_site_layout(client, bh) -> None:
    body = text(client.get(reverse("booking-hall", args=[bh.hall.code])))
    assert "site-header" in body and "data-kiosk-home" not in body
    slot = bh.slot(TODAY, 11, 30)
    form = text(client.get(reverse("booking-form", args=[slot.pk])))
    assert f'action="{reverse("booking-form", args=[slot.pk])}"' in form and 'autocomplete="name"' in form


def test_a_kiosk_booking_ends_without_the_manage_link_and_forgets_itself(client, bh) -> None:
    done_url = reverse("booking-kiosk-done", args=[bh.hall.code])

    response = book_at_the_kiosk(client, bh)

    booking = Booking.objects.get()
    assert booking.source == "kiosk"
    assert response.status_code == 302 and response.url == done_url  # no token in the address
    done = client.get(done_url)
    body = text(done)
    assert done.status_code == 200 and done.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in done.headers["Cache-Control"]
    assert_kiosk_page(bh, body)
    assert "预约成功" in body and booking.code in body
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="预约码 [A-Z0-9]{8} 的二维码"', body)
    assert "我们已向 138****0001 发送短信，内含预约码和管理预约的链接" in body
    # Nothing that would let the next person at the kiosk manage the booking, or read the person.
    for private in (booking.manage_token, "/book/manage/", person(1)["id_number"], person(1)["mobile"]):
        assert private not in body, private
    assert booking.manage_token not in str(client.session.items())
    # Shown once: a reload (or the back button, or the next person) finds the kiosk's start.
    again = client.get(done_url)
    assert again.status_code == 302 and again.url == kiosk_url(bh)


def test_the_confirmation_of_another_hall_or_of_long_ago_is_not_shown(client, bh, clock) -> None:
    other = make_booking_hall("BK2")
    book_at_the_kiosk(client, bh)
    elsewhere = client.get(reverse("booking-kiosk-done", args=[other.hall.code]))
    assert elsewhere.status_code == 302 and elsewhere.url == reverse("queue-kiosk", args=[other.hall.code])

    book_at_the_kiosk(client, bh, k=2)
    clock.shift(300)  # nobody came to look at it for five minutes
    late = client.get(reverse("booking-kiosk-done", args=[bh.hall.code]))
    assert late.status_code == 302 and late.url == kiosk_url(bh)
    assert client.get(reverse("booking-kiosk-done", args=[bh.hall.code])).status_code == 302


def test_a_slot_of_another_hall_is_not_booked_at_this_kiosk(client, bh) -> None:
    other = make_booking_hall("BK2")
    slot = other.slot(TODAY, 11, 30)
    url = reverse("booking-kiosk-form", args=[bh.hall.code, slot.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**person(1), "consent": "on"}).status_code == 404
    assert not Booking.objects.exists()


def test_the_check_in_button_shows_only_where_the_hall_takes_bookings(client, bh) -> None:
    check_in = reverse("booking-kiosk-checkin", args=[bh.hall.code])
    assert f'href="{check_in}"' in text(client.get(kiosk_url(bh)))

    station = factories.hall(code="ST01", level=Hall.Level.STATION)
    QueueCategory.objects.create(hall=station, letter="A", name="综合业务")
    body = text(client.get(reverse("queue-kiosk", args=[station.code])))
    assert "预约签到" not in body
    assert reverse("booking-kiosk-checkin", args=[station.code]) not in body


def test_a_closed_hall_kiosk_offers_booking_for_its_opening_hours(client, bh, clock) -> None:
    # After hours the kiosk gives no ticket; where the hall takes bookings it offers them, on this
    # kiosk, instead of only saying that one can book online.
    clock.move_to(NOW.replace(hour=20))
    body = text(client.get(kiosk_url(bh)))
    assert "本大厅现不在办公时间，暂不能取号。" in body
    assert "网上预约，在开放时间来办理" in body
    assert f'href="{reverse("booking-kiosk-hall", args=[bh.hall.code])}"' in body
    assert_kiosk_page(bh, body)

    # A station without slot plans offers no booking: only the hotline.
    station = factories.hall(code="ST01", level=Hall.Level.STATION)
    QueueCategory.objects.create(hall=station, letter="A", name="综合业务")
    body = text(client.get(reverse("queue-kiosk", args=[station.code])))
    assert "本大厅现不在办公时间，暂不能取号。" in body and "12345" in body
    assert "网上预约" not in body and "booking" not in body
