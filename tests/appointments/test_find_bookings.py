"""Find my bookings without the SMS link: ID and mobile number, a one-time code sent to that
mobile (only when there is something to find), then the list with a link to each manage page.

The page never says whether the numbers have bookings; codes are six digits, valid ten minutes,
five tries, stored hashed; requests are limited per mobile number and per client address; the
ID and mobile numbers never appear in an address or a log line. Time is frozen at Monday
23 November 2026, 10:00 in Guangzhou (``NOW``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.urls import reverse

from appointments import services
from appointments.models import Booking, BookingLookup
from servicehall.notifications import MemoryBackend
from servicehall.personal_data import MaskPersonalDataFilter, mask_mobile
from tests.appointments.factories import NOW, person

TUESDAY = dt.date(2026, 11, 24)
WEDNESDAY = dt.date(2026, 11, 25)
FIND = reverse("booking-find")
CODE = reverse("booking-find-code")
LIST = reverse("booking-find-list")
END = reverse("booking-find-end")
ME = person(1)  # has bookings
STRANGER = person(9)  # has none


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def mine(bh) -> dict[str, Booking]:
    """Person 1's bookings: Tuesday (active), Wednesday (cancelled); and one of person 2."""
    active = services.booking_create(slot=bh.slot(TUESDAY, 10), **ME)
    cancelled = services.booking_create(slot=bh.slot(WEDNESDAY, 10), **ME)
    services.booking_cancel(booking=cancelled)
    other = services.booking_create(slot=bh.slot(TUESDAY, 10), **person(2))
    return {"active": Booking.objects.get(pk=active.pk), "cancelled": cancelled, "other": other}


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST the find form (the code task runs when the request commits, as with a worker)."""

    def post(who: dict[str, str] = ME, *, ip: str = "192.0.2.10", http=None, **overrides: str):
        data = {"id_number": who["id_number"], "mobile": who["mobile"], **overrides}
        with django_capture_on_commit_callbacks(execute=True):
            return (http or client).post(FIND, data, REMOTE_ADDR=ip)

    return post


def text(response) -> str:
    return response.content.decode()


def sent_code(outbox) -> str:
    (message,) = outbox
    return re.search(r"验证码 (\d{6})", message.body).group(1)


def without_csrf(body: str) -> str:
    """The page without what differs on every response anyway (the CSRF token, the CSP nonce)."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    return re.sub(r'nonce="[^"]+"', "", body)


# --- The whole way -----------------------------------------------------------------------------


def test_a_person_with_bookings_gets_a_code_and_then_their_list_with_manage_links(client, ask, outbox, mine) -> None:
    response = ask()

    assert response.status_code == 302 and response.url == CODE
    (message,) = outbox
    assert message.recipients == [ME["mobile"]]
    assert "/book/manage/" not in message.body and "10分钟内有效" in message.body
    code = sent_code(outbox)

    page = client.get(CODE)
    body = text(page)
    assert page.status_code == 200
    assert f"如该号码有预约，验证码已发送至 {mask_mobile(ME['mobile'])}。" in body
    assert ME["mobile"] not in body and ME["id_number"] not in body
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body

    confirmed = client.post(CODE, {"code": code})
    assert confirmed.status_code == 302 and confirmed.url == LIST  # no token in the list's address

    listing = client.get(LIST)
    body = text(listing)
    assert listing.status_code == 200
    assert "no-store" in listing.headers["Cache-Control"] and listing.headers["X-Robots-Tag"] == "noindex, nofollow"
    active, cancelled, other = mine["active"], mine["cancelled"], mine["other"]
    assert f'href="{reverse("booking-manage", args=[active.manage_token])}"' in body
    assert f'href="{reverse("booking-manage", args=[cancelled.manage_token])}"' in body
    assert other.code not in body and other.manage_token not in body  # someone else's
    upcoming, recent = body.split('id="recent-heading"')
    assert active.code in upcoming and "查看、取消或改约" in upcoming and cancelled.code in recent
    assert "已取消" in recent
    # Masked on screen; the numbers typed are nowhere on the page.
    assert active.person.id_masked in body and mask_mobile(ME["mobile"]) in body
    assert ME["id_number"] not in body and ME["mobile"] not in body


def test_only_bookings_made_with_both_numbers_are_found(client, ask, outbox, mine) -> None:
    # The right ID with another mobile number (someone who knows the ID but not the phone).
    ask({**ME, "mobile": "13912345678"})
    assert outbox == []
    # The right mobile number with another ID.
    ask({**STRANGER, "mobile": ME["mobile"]}, ip="192.0.2.11")
    assert outbox == []


def test_old_bookings_are_not_found(client, ask, outbox, mine, clock) -> None:
    clock.move_to(NOW + dt.timedelta(days=36))  # both of person 1's bookings are over a month old

    ask()

    assert outbox == []


# --- No hint whether a booking exists ----------------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_there_are_bookings(client, ask, outbox, mine) -> None:
    from django.test import Client

    stranger = Client()
    known = ask(ME)
    unknown = ask({**STRANGER, "mobile": ME["mobile"]}, ip="192.0.2.11", http=stranger)

    # The same redirect; both lookups written alike.
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, CODE)
    assert BookingLookup.objects.count() == 2
    # The same code page, word for word.
    assert without_csrf(text(client.get(CODE))) == without_csrf(text(stranger.get(CODE)))
    # A wrong code is refused in the same words; the stranger's lookup refuses every code.
    code = sent_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    known_wrong, unknown_wrong = client.post(CODE, {"code": wrong}), stranger.post(CODE, {"code": code})
    assert known_wrong.status_code == unknown_wrong.status_code == 400
    assert without_csrf(text(known_wrong)) == without_csrf(text(unknown_wrong))
    assert "验证码不正确，还可以再试 4 次。" in text(unknown_wrong)
    assert stranger.get(LIST).status_code == 302
    # The one message went to the person with bookings.
    assert len(outbox) == 1


def test_the_request_takes_the_same_queries_either_way(client, ask, outbox, mine) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def queries(who, ip):
        with CaptureQueriesContext(connection) as captured:
            # The request alone: the task (run on commit by ``ask``) is the worker's.
            Client().post(FIND, {"id_number": who["id_number"], "mobile": who["mobile"]}, REMOTE_ADDR=ip)
        return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"]) for q in captured.captured_queries]

    assert queries(ME, "192.0.2.20") == queries({**STRANGER, "mobile": ME["mobile"]}, "192.0.2.21")


# --- The code ----------------------------------------------------------------------------------


def test_the_code_is_stored_hashed_and_sent_once(client, ask, outbox, mine) -> None:
    ask()
    code = sent_code(outbox)
    lookup = BookingLookup.objects.get()

    assert len(lookup.code_hash) == 64 and code not in lookup.code_hash
    assert code not in {str(value) for value in vars(lookup).values()}
    # The task run again (a retry, a second worker) sends nothing more.
    assert services.booking_lookup_send_code(lookup_id=lookup.pk) is False
    assert len(outbox) == 1


def test_a_failed_send_is_undone_so_that_a_retry_sends_a_new_code(mine, outbox, settings) -> None:
    lookup = services.booking_lookup_start(id_number=ME["id_number"], mobile=ME["mobile"])
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port

    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the gateway raised, the task retries
        services.booking_lookup_send_code(lookup_id=lookup.pk)
    lookup.refresh_from_db()
    assert lookup.sent_at is None and lookup.code_hash == ""

    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    assert services.booking_lookup_send_code(lookup_id=lookup.pk) is True
    assert len(outbox) == 1


def test_a_new_code_after_a_gateway_timeout_goes_out_under_a_new_idempotency_key(mine, settings) -> None:
    from servicehall.notifications import SmsGatewayBackend
    from tests.servicehall.test_notifications import FakeGateway

    lookup = services.booking_lookup_start(id_number=ME["id_number"], mobile=ME["mobile"])
    with FakeGateway() as gateway:
        settings.NOTIFICATION_BACKEND = "servicehall.notifications.SmsGatewayBackend"
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = gateway.url, ""
        # The gateway takes the first code but answers too late: the task retries with a new code.
        gateway.delay = 0.5
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(SmsGatewayBackend, "timeout_seconds", 0.1)
            with pytest.raises(Exception):  # noqa: B017, PT011 - the timeout, as the task sees it
                services.booking_lookup_send_code(lookup_id=lookup.pk)
        gateway.delay = 0
        assert services.booking_lookup_send_code(lookup_id=lookup.pk) is True
    first, second = (request["headers"]["Idempotency-Key"] for request in gateway.requests)
    assert first != second  # a gateway honouring the key would have dropped the new code
    codes = [re.search(r"验证码 (\d{6})", request["json"]["body"]).group(1) for request in gateway.requests]
    assert len(codes) == 2


def test_the_code_expires_after_ten_minutes(client, ask, outbox, mine, clock) -> None:
    ask()
    code = sent_code(outbox)
    clock.move_to(NOW + dt.timedelta(minutes=10))

    response = client.post(CODE, {"code": code})

    assert response.status_code == 410
    body = text(response)
    assert "验证码已过期，请重新获取。" in body and f'href="{FIND}"' in body
    assert client.get(LIST).status_code == 302
    assert BookingLookup.objects.get().verified_at is None


def test_the_code_works_until_its_last_second(client, ask, outbox, mine, clock) -> None:
    ask()
    clock.move_to(NOW + dt.timedelta(minutes=10) - dt.timedelta(seconds=1))

    assert client.post(CODE, {"code": sent_code(outbox)}).url == LIST


def test_five_wrong_codes_end_the_lookup_even_for_the_right_code(client, ask, outbox, mine) -> None:
    ask()
    code = sent_code(outbox)
    wrong = [f"{(int(code) + k) % 1_000_000:06d}" for k in range(1, 6)]

    answers = [client.post(CODE, {"code": guess}) for guess in wrong]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    for left, answer in zip((4, 3, 2, 1), answers, strict=False):
        assert f"验证码不正确，还可以再试 {left} 次。" in text(answer)
    assert "验证码不正确，错误次数已达上限，请重新获取。" in text(answers[-1])
    late = client.post(CODE, {"code": code})
    assert late.status_code == 429 and "验证码错误次数过多，请重新获取。" in text(late)
    assert client.get(LIST).status_code == 302
    assert BookingLookup.objects.get().attempts == 5


def test_a_malformed_code_is_explained_and_not_counted(client, ask, outbox, mine) -> None:
    ask()

    for typed in ("12345", "abcdef", ""):
        response = client.post(CODE, {"code": typed})
        assert response.status_code == 400
        assert "请输入短信中的6位数字验证码。" in text(response) and 'aria-invalid="true"' in text(response)
    assert BookingLookup.objects.get().attempts == 0


def test_the_code_page_without_a_lookup_sends_back_to_the_form(client) -> None:
    response = client.get(CODE)
    assert response.status_code == 302 and response.url == FIND
    assert client.post(CODE, {"code": "123456"}).url == FIND


# --- Rate limits and refusals ------------------------------------------------------------------


def test_requests_are_limited_per_mobile_number_whether_or_not_it_has_bookings(
    client, ask, outbox, mine, settings
) -> None:
    settings.THROTTLE_BOOKING_LOOKUP_MOBILE = "3/hour"
    for who in (ME, {**STRANGER, "mobile": "13700137000"}):
        answers = [ask(who, ip=f"198.51.100.{k}") for k in range(4)]
        assert [a.status_code for a in answers] == [302, 302, 302, 429]
        assert "操作过于频繁，请" in text(answers[-1])
    assert BookingLookup.objects.count() == 6  # a refused request writes nothing
    assert len(outbox) == 3


def test_requests_are_limited_per_client_address(client, ask, outbox, bh, settings) -> None:
    settings.THROTTLE_BOOKING_LOOKUP_IP = "2/hour"
    answers = [ask({**person(k)}, ip="203.0.113.5") for k in range(3, 6)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert ask(person(6), ip="203.0.113.6").status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "110105199003070011", "身份证号码校验位不正确"),
        ("id_number", "", "请填写身份证号码。"),
        ("mobile", "12345", "请输入11位中国大陆手机号码。"),
    ],
)
def test_invalid_numbers_are_refused_on_their_field(client, ask, outbox, mine, field, value, message) -> None:
    response = ask(**{field: value})

    assert response.status_code == 400
    body = text(response)
    assert message in body and f'<a href="#id_{field}">' in body
    assert BookingLookup.objects.count() == 0 and outbox == []


def test_a_wrong_id_and_a_wrong_mobile_are_both_named_at_once(client, ask, outbox, mine) -> None:
    """Both numbers are checked before either is refused (walkthrough: the mobile's error came
    only once the ID number was put right)."""
    response = ask(id_number="110105199003070011", mobile="12345")

    assert response.status_code == 400
    body = text(response)
    assert "身份证号码校验位不正确" in body and "请输入11位中国大陆手机号码。" in body
    assert '<a href="#id_id_number">' in body and '<a href="#id_mobile">' in body
    assert BookingLookup.objects.count() == 0 and outbox == []


# --- The list ------------------------------------------------------------------------------------


def test_the_list_belongs_to_the_session_that_typed_the_code_and_lasts_thirty_minutes(
    client, ask, outbox, mine, clock
) -> None:
    from django.test import Client

    ask()
    client.post(CODE, {"code": sent_code(outbox)})
    assert client.get(LIST).status_code == 200
    assert Client().get(LIST).status_code == 302  # another browser

    clock.move_to(NOW + dt.timedelta(minutes=31))
    expired = client.get(LIST)
    assert expired.status_code == 302 and expired.url == FIND


def test_leaving_ends_the_lookup_in_this_browser(client, ask, outbox, mine) -> None:
    ask()
    client.post(CODE, {"code": sent_code(outbox)})

    response = client.post(END)

    assert response.status_code == 302 and response.url == FIND
    assert client.get(LIST).status_code == 302
    assert "已退出预约查询。" in text(client.get(FIND))


def test_lookups_are_deleted_after_a_day(ask, outbox, mine, clock) -> None:
    ask()
    clock.move_to(NOW + dt.timedelta(days=1, minutes=1))

    ask(person(2), ip="192.0.2.99")

    assert list(BookingLookup.objects.values_list("mobile", flat=True)) == [person(2)["mobile"]]


def test_the_pages_take_a_fixed_number_of_queries(client, ask, outbox, mine, bh, django_assert_num_queries) -> None:
    for day in (dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 30)):
        booking = services.booking_create(slot=bh.slot(day, 10), **ME)
        services.booking_cancel(booking=booking)
    ask()
    client.post(CODE, {"code": sent_code(outbox)})

    # The session, then the lookup and the bookings with their hall, queue, slot, item and person.
    with django_assert_num_queries(3):
        assert client.get(LIST).status_code == 200
    # The session and the lookup.
    with django_assert_num_queries(2):
        assert client.get(CODE).status_code == 200
    # The session (for the messages the page may show).
    with django_assert_num_queries(1):
        assert client.get(FIND).status_code == 200


def test_the_booking_pages_lead_to_it_and_it_follows_care_mode_and_english(client, ask, outbox, mine) -> None:
    assert f'href="{FIND}"' in text(client.get(reverse("booking-start")))
    ask()
    client.post(CODE, {"code": sent_code(outbox)})
    client.cookies["servicehall_care"] = "1"
    client.cookies["servicehall_language"] = "en"
    for url in (FIND, CODE, LIST):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en" class="care">' in text(response), url
        assert " style=" not in text(response) and "<script>" not in text(response)


# --- Logs and addresses ------------------------------------------------------------------------


def test_no_log_line_and_no_address_holds_the_id_or_the_mobile_number(
    client, ask, mine, settings, caplog, django_capture_on_commit_callbacks
) -> None:
    """The whole way with the log backend (as ``make run``), refusals included: every record the
    handlers write is masked, and no record at all carries the ID number."""
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.LogBackend"
    settings.THROTTLE_BOOKING_LOOKUP_MOBILE = "2/hour"
    addresses = []
    with caplog.at_level(logging.DEBUG):
        addresses.append(ask(ME).url)
        code = re.search(r"验证码 (\d{6})", caplog.text).group(1)
        client.post(CODE, {"code": "000000" if code != "000000" else "111111"})  # 400: django.request warns
        addresses.append(client.post(CODE, {"code": code}).url)
        addresses.append(LIST)
        client.get(LIST)
        ask(ME)
        ask(ME)  # 429
        ask(ME, id_number=ME["id_number"][:-1] + "0")  # 400 on the ID field
        ask(STRANGER, mobile=ME["mobile"])

    assert any(r.name == "servicehall.notifications" for r in caplog.records)  # the code went out
    assert any(r.name == "django.request" for r in caplog.records)  # the refusals were logged
    for number in (ME["id_number"], ME["mobile"], STRANGER["id_number"]):
        assert all(number not in address for address in addresses), number
    masking = MaskPersonalDataFilter()  # on the console handler (settings.LOGGING)
    for record in caplog.records:
        raw = record.getMessage()
        assert ME["id_number"] not in raw and STRANGER["id_number"] not in raw, raw
        if ME["mobile"] in raw:
            # Only the log backend names the recipient, and the handler's filter masks it.
            assert record.name == "servicehall.notifications", raw
            masking.filter(record)
            assert ME["mobile"] not in record.getMessage()
