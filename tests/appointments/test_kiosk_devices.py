"""Registered kiosks (issue 9 §3): check-in by ID number belongs to the hall's kiosks (devices with
a credential of their own) and its staff. A browser that merely opens the kiosk's address checks
in by booking code; the public API takes the code, or the ID number with the mobile's last four
digits. Guesses are limited and recorded: five wrong ID and mobile pairs for a booking stop its
check-in by ID number for the day (answering exactly as "no booking"); ten failures at one kiosk
within ten minutes stop check-in there for a while. Administrators pair a kiosk's browser on the
spot (a signed cookie, then they are logged out) or register a kiosk program in the admin (its
credential shown once, sent as a header), and revoke either."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from appointments import services
from appointments.models import Booking, CheckInFailure
from queueing import services as queue_services
from queueing.access import KIOSK_COOKIE, KIOSK_HEADER
from queueing.models import KioskDevice, Ticket
from servicehall import roles
from servicehall.models import AuditEvent
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.queueing.factories import pair_kiosk
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
ME = person(1)
RIGHT = ME["mobile"][-4:]


@pytest.fixture(autouse=True)
def clock():
    # Monday 23 November 2026, 10:20: check-in for the 10:30 slot is open.
    with time_machine.travel(NOW + 20 * MIN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(bh) -> Booking:
    return services.booking_create(slot=bh.slot(NOW.date(), 10, 30), now=NOW, **ME)


def checkin_url(hall) -> str:
    return reverse("booking-kiosk-checkin", args=[hall.code])


def api(client, hall, data: dict, **headers: str):
    return client.post(
        f"/api/v1/halls/{hall.code}/check-in/", data, content_type="application/json", headers=headers or None
    )


def checked_in(booking: Booking) -> bool:
    booking.refresh_from_db()
    return booking.status == Booking.Status.CHECKED_IN


# --- The kiosk page: by ID number only when paired -----------------------------------------------


def test_an_unpaired_browser_checks_in_by_code_only(client, bh, booking) -> None:
    page = client.get(checkin_url(bh.hall)).content.decode()
    assert 'name="code"' in page and 'name="id_number"' not in page and 'name="mobile_last4"' not in page
    assert "本机不是本大厅登记的自助终端" in page

    by_id = client.post(checkin_url(bh.hall), {"id_number": ME["id_number"], "mobile_last4": RIGHT})
    assert by_id.status_code == 403 and "请使用预约码签到，或到窗口出示身份证件签到" in by_id.content.decode()
    assert not checked_in(booking) and not Ticket.objects.exists()

    by_code = client.post(checkin_url(bh.hall), {"code": booking.code})
    assert by_code.status_code == 200 and checked_in(booking)


CODES_ONLY = "本机只能凭预约码签到：请输入短信中的8位预约码，或到服务窗口凭身份证签到。"


@pytest.mark.parametrize(
    "typed",
    [
        ME["id_number"],
        "110105 199003 07005x",  # grouped as on the card, a small x (someone else's number)
        ME["id_number"][:-1],  # one character short: still no booking code
    ],
)
def test_an_id_number_typed_at_an_unpaired_browser_is_told_codes_only(client, bh, booking, typed) -> None:
    """Walkthrough: the person has a booking today, so "no booking, check your ID number" was
    wrong; the page takes booking codes only and says so beside the box."""
    response = client.post(checkin_url(bh.hall), {"code": typed})

    body = response.content.decode()
    assert response.status_code == 400 and not checked_in(booking)
    assert re.search(rf'<p class="field-error" id="id_code_error">{CODES_ONLY}</p>', body)
    assert 'aria-invalid="true"' in body and "没有找到" not in body
    assert not CheckInFailure.objects.exists()
    # A public screen: the number typed is not shown back in the box (walkthrough).
    assert f'value="{typed}"' not in body and typed[:10] not in body


def test_an_unknown_code_at_an_unpaired_browser_does_not_ask_for_the_id_number(client, bh, booking) -> None:
    response = client.post(checkin_url(bh.hall), {"code": "ZZZZ2345"})

    body = response.content.decode()
    assert response.status_code == 404 and "没有找到您今天在本大厅的预约，请核对短信中的8位预约码" in body
    assert "证件号码" not in body and "身份证号码" not in body.split('class="kiosk-unpaired"')[0]


def test_a_paired_kiosk_answers_an_id_number_typed_as_the_code_as_before(client, bh, booking) -> None:
    pair_kiosk(client, bh.hall)
    response = client.post(checkin_url(bh.hall), {"code": ME["id_number"]})
    assert response.status_code == 404 and "请核对预约码或证件号码" in response.content.decode()
    assert CODES_ONLY not in response.content.decode()


def test_a_paired_kiosk_checks_in_by_id_number_and_is_seen(client, bh, booking) -> None:
    device = pair_kiosk(client, bh.hall)
    page = client.get(checkin_url(bh.hall)).content.decode()
    assert 'name="id_number"' in page and "本机不是本大厅登记的自助终端" not in page
    response = client.post(checkin_url(bh.hall), {"id_number": ME["id_number"], "mobile_last4": RIGHT})
    assert response.status_code == 200 and checked_in(booking)
    device.refresh_from_db()
    assert device.last_seen_at == NOW + 20 * MIN


def test_a_kiosk_of_another_hall_or_a_revoked_one_is_not_a_kiosk_here(client, bh, booking) -> None:
    other = make_booking_hall("BK2")
    pair_kiosk(client, other.hall)
    by_id = client.post(checkin_url(bh.hall), {"id_number": ME["id_number"], "mobile_last4": RIGHT})
    assert by_id.status_code == 403 and not checked_in(booking)

    device = pair_kiosk(client, bh.hall, name="二楼1号机")
    queue_services.kiosk_device_revoke(device=device, actor=None)
    by_id = client.post(checkin_url(bh.hall), {"id_number": ME["id_number"], "mobile_last4": RIGHT})
    assert by_id.status_code == 403 and not checked_in(booking)


def test_the_kiosk_start_page_renews_a_paired_kiosks_cookie(client, bh) -> None:
    pair_kiosk(client, bh.hall)
    response = client.get(reverse("queue-kiosk", args=[bh.hall.code]))
    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["max-age"] == 400 * 24 * 3600 and cookie["path"] == f"/halls/{bh.hall.code}/"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert KIOSK_COOKIE not in client.get(reverse("queue-kiosk", args=[make_booking_hall("BK3").hall.code])).cookies


# --- The API: the header, and the public ways -----------------------------------------------------


def test_the_public_api_takes_the_code_or_the_id_number_with_the_last_digits(client, bh, booking) -> None:
    assert api(client, bh.hall, {"id_number": ME["id_number"], "mobile_last4": RIGHT}).status_code == 200
    assert checked_in(booking)


def test_a_kiosk_program_sends_its_credential_in_a_header(client, bh, booking) -> None:
    device, credential = queue_services.kiosk_device_register(hall=bh.hall, name="接口终端", actor=None)
    other, foreign = queue_services.kiosk_device_register(hall=make_booking_hall("BK2").hall, name="外厅", actor=None)
    data = {"id_number": ME["id_number"], "mobile_last4": RIGHT}
    for bad in ("kd_not-a-credential", foreign):
        refused = api(client, bh.hall, data, **{KIOSK_HEADER: bad})
        assert refused.status_code == 403 and "未在本大厅登记或已停用" in refused.json()["detail"]
    assert not checked_in(booking)
    assert api(client, bh.hall, data, **{KIOSK_HEADER: credential}).status_code == 200 and checked_in(booking)
    queue_services.kiosk_device_revoke(device=device, actor=None)
    assert api(client, bh.hall, {"code": booking.code}, **{KIOSK_HEADER: credential}).status_code == 403


def test_a_registered_kiosk_is_not_limited_by_its_address(client, bh, monkeypatch) -> None:
    from servicehall.throttling import ScopedCounterThrottle

    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"booking_check_in": "1/hour"})
    _device, credential = queue_services.kiosk_device_register(hall=bh.hall, name="接口终端", actor=None)
    # The hall's kiosks share one address: one of them must not lock the others out.
    kiosk = [api(client, bh.hall, {"code": "ZZZZ2222"}, **{KIOSK_HEADER: credential}).status_code for _ in range(3)]
    assert kiosk == [404, 404, 404]
    assert [api(client, bh.hall, {"code": "ZZZZ2222"}).status_code for _ in range(2)] == [404, 429]


# --- Limits on guessing ----------------------------------------------------------------------------


def test_five_wrong_mobile_digits_lock_check_in_by_id_number_for_that_booking_today(client, bh, booking) -> None:
    wrong = {"id_number": ME["id_number"], "mobile_last4": "0000"}
    unknown = api(client, bh.hall, {"id_number": person(9)["id_number"], "mobile_last4": "0000"})
    for _ in range(5):
        response = api(client, bh.hall, wrong)
        assert (response.status_code, response.json()) == (unknown.status_code, unknown.json())
    locked = api(client, bh.hall, {"id_number": ME["id_number"], "mobile_last4": RIGHT})
    # Locked: answered exactly as a wrong pair or an unknown ID number, so the lock tells nothing.
    assert (locked.status_code, locked.json()) == (unknown.status_code, unknown.json())
    assert not checked_in(booking)
    failures = CheckInFailure.objects.filter(booking=booking)
    assert sorted(failures.values_list("reason", flat=True)) == ["locked"] + ["wrong_mobile"] * 5
    assert all(f.by_id_number and f.device_id is None for f in failures)

    # The booking code and the window still work.
    staff = staff_user("bk-window", role=roles.WINDOW_STAFF, hall_=bh.hall)
    client.force_login(staff)
    assert api(client, bh.hall, {"id_number": ME["id_number"]}).status_code == 200 and checked_in(booking)


def test_the_booking_code_still_checks_in_a_locked_booking(client, bh, booking) -> None:
    for _ in range(5):
        api(client, bh.hall, {"id_number": ME["id_number"], "mobile_last4": "0000"})
    assert api(client, bh.hall, {"code": booking.code}).status_code == 200 and checked_in(booking)


def test_failures_of_other_days_do_not_count(client, bh, booking, clock) -> None:
    CheckInFailure.objects.bulk_create(
        CheckInFailure(at=NOW - dt.timedelta(days=1), hall=bh.hall, booking=booking, reason="wrong_mobile")
        for _ in range(5)
    )
    assert api(client, bh.hall, {"id_number": ME["id_number"], "mobile_last4": RIGHT}).status_code == 200


def test_ten_failures_at_a_kiosk_stop_check_in_there_for_ten_minutes(client, bh, booking, clock) -> None:
    device = pair_kiosk(client, bh.hall)
    for k in range(10):
        guess = client.post(checkin_url(bh.hall), {"code": f"ZZZZ{k:04d}"})
        assert guess.status_code == 404
    stopped = client.post(checkin_url(bh.hall), {"code": booking.code})
    assert stopped.status_code == 429 and "本终端签到失败次数过多，请10分钟后再试" in stopped.content.decode()
    assert not checked_in(booking)
    assert CheckInFailure.objects.filter(device=device, reason="not_found").count() == 10
    assert CheckInFailure.objects.filter(device=device, reason="device_locked").count() == 1

    # Another kiosk of the hall is not stopped.
    from django.test import Client

    second = Client()
    pair_kiosk(second, bh.hall, name="一楼大堂2号机")
    assert second.post(checkin_url(bh.hall), {"code": "ZZZZ9999"}).status_code == 404

    clock.shift(dt.timedelta(minutes=10))
    assert client.post(checkin_url(bh.hall), {"code": booking.code}).status_code == 200 and checked_in(booking)


def test_staff_are_not_limited(client, bh, booking) -> None:
    for _ in range(6):
        api(client, bh.hall, {"id_number": ME["id_number"], "mobile_last4": "0000"})
    client.force_login(staff_user("bk-window", role=roles.WINDOW_STAFF, hall_=bh.hall))
    for _ in range(12):
        assert api(client, bh.hall, {"code": "ZZZZ2222"}).status_code == 404
    assert api(client, bh.hall, {"id_number": ME["id_number"]}).status_code == 200
    assert not CheckInFailure.objects.filter(reason="not_found").exists()


# --- Pairing a kiosk's browser ----------------------------------------------------------------------


def pair_url(hall) -> str:
    return reverse("queue-kiosk-pair", args=[hall.code])


def test_only_an_administrator_of_the_hall_pairs_a_kiosk(client, bh) -> None:
    assert client.get(pair_url(bh.hall)).status_code == 302  # to the login page
    other = make_booking_hall("BK2")
    for user in (
        staff_user("w", role=roles.WINDOW_STAFF, hall_=bh.hall),
        staff_user("s", role=roles.SUPERVISOR, hall_=bh.hall),
        staff_user("a2", role=roles.ADMINISTRATOR, hall_=other.hall),
    ):
        client.force_login(user)
        assert client.get(pair_url(bh.hall)).status_code == 403, user
        assert client.post(pair_url(bh.hall), {"name": "一楼1号机"}).status_code == 403, user
    assert not KioskDevice.objects.exists()


def test_pairing_sets_the_cookie_logs_the_administrator_out_and_lands_on_the_kiosk(client, bh, booking) -> None:
    admin = staff_user("bk-admin", role=roles.ADMINISTRATOR, hall_=bh.hall)
    client.force_login(admin)
    page = client.get(pair_url(bh.hall))
    assert page.status_code == 200 and "登记并配对本机" in page.content.decode()
    assert client.post(pair_url(bh.hall), {"name": "  "}).status_code == 400

    response = client.post(pair_url(bh.hall), {"name": "一楼大堂1号机"})
    assert response.status_code == 302 and response.url == reverse("queue-kiosk", args=[bh.hall.code])
    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["path"] == f"/halls/{bh.hall.code}/" and cookie["max-age"] == 400 * 86400
    device = KioskDevice.objects.get()
    assert (device.hall, device.name, device.created_by, device.is_active) == (bh.hall, "一楼大堂1号机", admin, True)
    assert device.credential_hash not in cookie.value  # the cookie holds the credential, the table its hash
    assert AuditEvent.objects.filter(action="kiosk_device.register", actor=admin).exists()
    assert "_auth_user_id" not in client.session  # the kiosk is not left signed in

    # The browser is now the hall's kiosk: check-in by ID number.
    assert client.post(checkin_url(bh.hall), {"id_number": ME["id_number"], "mobile_last4": RIGHT}).status_code == 200
    assert checked_in(booking)


def test_unpairing_revokes_the_device_and_removes_the_cookie(client, bh) -> None:
    device = pair_kiosk(client, bh.hall)
    admin = staff_user("bk-admin", role=roles.ADMINISTRATOR, hall_=bh.hall)
    client.force_login(admin)
    assert "一楼大堂1号机" in client.get(pair_url(bh.hall)).content.decode()
    response = client.post(pair_url(bh.hall), {"action": "unpair"})
    assert response.status_code == 302 and response.cookies[KIOSK_COOKIE].value == ""
    device.refresh_from_db()
    assert not device.is_active and device.revoked_at is not None
    assert AuditEvent.objects.filter(action="kiosk_device.revoke", actor=admin).exists()


# --- The admin: register a kiosk program (credential shown once), revoke ----------------------------


def test_the_admin_registers_a_kiosk_and_shows_its_credential_once(client, bh, booking) -> None:
    admin = staff_user("city-admin", role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("admin:queueing_kioskdevice_add"), {"hall": bh.hall.pk, "name": "接口终端"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    credential = response.context["credential"]
    assert credential.startswith("kd_") and credential in response.content.decode()
    device = KioskDevice.objects.get()
    assert device.credential_hash == queue_services.kiosk_credential_hash(credential)
    assert credential not in client.get(reverse("admin:queueing_kioskdevice_change", args=[device.pk])).content.decode()

    client.logout()
    data = {"id_number": ME["id_number"], "mobile_last4": RIGHT}
    assert api(client, bh.hall, data, **{KIOSK_HEADER: credential}).status_code == 200

    client.force_login(admin)
    client.post(
        reverse("admin:queueing_kioskdevice_changelist"), {"action": "revoke", ACTION_CHECKBOX_NAME: [device.pk]}
    )
    device.refresh_from_db()
    assert not device.is_active
    client.logout()
    assert api(client, bh.hall, {"code": booking.code}, **{KIOSK_HEADER: credential}).status_code == 403


def test_an_administrator_of_a_hall_sees_and_registers_only_its_kiosks(client, bh) -> None:
    other = make_booking_hall("BK2")
    queue_services.kiosk_device_register(hall=other.hall, name="外厅", actor=None)
    mine, _credential = queue_services.kiosk_device_register(hall=bh.hall, name="本厅", actor=None)
    client.force_login(staff_user("bk-admin", role=roles.ADMINISTRATOR, hall_=bh.hall, is_staff=True))
    listing = client.get(reverse("admin:queueing_kioskdevice_changelist"))
    assert list(listing.context["cl"].queryset) == [mine]
    refused = client.post(reverse("admin:queueing_kioskdevice_add"), {"hall": other.hall.pk, "name": "偷偷登记"})
    assert refused.status_code == 200 and "credential" not in refused.context
    assert not KioskDevice.objects.filter(name="偷偷登记").exists()
