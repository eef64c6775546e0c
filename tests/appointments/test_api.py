"""The appointments API: availability, booking by manage token, check-in at the kiosk or a window,
and the supervisors' statistics. Each refusal with its status; personal data masked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from appointments import services, stats
from appointments.models import Booking, BookingPerson, Slot
from queueing.models import Ticket
from servicehall import roles
from servicehall.clock import SHANGHAI
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.THROTTLE_BOOKING_IP = settings.THROTTLE_BOOKING_MOBILE = "1000/hour"


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def post(client, url: str, data: dict | None = None, **extra):
    return client.post(url, data or {}, content_type="application/json", **extra)


def create(client, at_slot: Slot, k: int = 1, **data):
    extra = {key: data.pop(key) for key in list(data) if key.isupper()}  # WSGI environ, e.g. REMOTE_ADDR
    return post(client, "/api/v1/bookings/", {"slot": at_slot.pk, **person(k), **data}, **extra)


def book(slot: Slot, k: int = 1, now: dt.datetime = NOW) -> Booking:
    return services.booking_create(slot=slot, now=now, **person(k))


# --- Availability -----------------------------------------------------------------------------


def test_availability_lists_days_and_slots_with_seats_left_and_kind(client, bh) -> None:
    book(bh.slot(D(2026, 11, 24), 9))
    body = client.get(
        f"/api/v1/halls/{bh.hall.code}/slots/", {"category": "a", "start": "2026-11-24", "end": "2026-11-24"}
    ).json()
    assert body["hall"] == "BK" and body["bookable_until"] == "2026-12-02"
    assert [c["letter"] for c in body["categories"]] == ["A"]
    (day,) = body["days"]
    assert day["date"] == "2026-11-24" and not day["full"]
    first = day["slots"][0]
    assert first["kind"] == "regular" and first["kind_display"] == "工作日正常时段"
    assert (first["capacity"], first["seats_left"]) == (3, 2)
    assert first["starts_at"] == "2026-11-24T09:00:00+08:00"
    assert [s["kind"] for s in day["slots"]].count("extended") == 2  # 17:00 and 18:00
    assert day["seats_left"] == 14 * 3 - 1 + 2 * 2


def test_availability_defaults_to_today_until_the_horizon_and_never_beyond(client, bh) -> None:
    body = client.get(f"/api/v1/halls/{bh.hall.code}/slots/", {"end": "2027-01-10"}).json()
    assert (body["start"], body["end"]) == ("2026-11-23", "2026-12-02")
    assert [c["letter"] for c in body["categories"]] == ["A", "B"]
    dates = [d["date"] for d in body["days"]]
    assert dates[0] == "2026-11-23" and dates[-1] == "2026-12-02"
    today = body["days"][0]["slots"]
    assert all(s["starts_at"] > "2026-11-23T10:00:00+08:00" for s in today)  # started slots are gone
    weekend = next(d for d in body["days"] if d["date"] == "2026-11-28")
    assert {s["kind"] for s in weekend["slots"]} == {"staggered"}
    assert {s["category"] for s in body["days"][1]["slots"]} == {"A", "B"}


def test_full_days_are_marked_and_closed_slots_left_out(client, bh, admin_user) -> None:
    day = D(2026, 11, 24)
    for slot in Slot.objects.filter(category=bh.b, date=day):
        Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    services.slot_close(slot=bh.slot(day, 9), reason="设备检修", actor=admin_user, now=NOW)
    url = f"/api/v1/halls/{bh.hall.code}/slots/"
    full = client.get(url, {"category": "B", "start": "2026-11-24", "end": "2026-11-24"}).json()["days"][0]
    assert full["full"] and full["seats_left"] == 0 and all(s["seats_left"] == 0 for s in full["slots"])
    a_slots = client.get(url, {"category": "A", "start": "2026-11-24", "end": "2026-11-24"}).json()["days"][0]
    assert bh.slot(day, 9).pk not in {s["id"] for s in a_slots["slots"]}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"start": "24/11/2026"}, 400, "start"),
        ({"category": "Q"}, 404, "category"),  # no such queue in this hall
        ({"category": "AB"}, 400, "category"),
    ],
)
def test_availability_bad_input_is_refused_naming_the_field(client, bh, query, status, field) -> None:
    response = client.get(f"/api/v1/halls/{bh.hall.code}/slots/", query)
    assert response.status_code == status and field in response.json()["errors"]


@pytest.mark.parametrize(
    "query", [{"start": "2026-11-30", "end": "2026-11-24"}, {"start": "2020-01-01", "end": "2020-03-01"}]
)
def test_availability_of_a_range_without_bookable_days_is_empty(client, bh, query) -> None:
    # Issue 9: valid by the schema, so not refused; the answer is only ever today to the horizon.
    response = client.get(f"/api/v1/halls/{bh.hall.code}/slots/", query)
    assert response.status_code == 200 and response.json()["days"] == []


def test_availability_of_an_unknown_hall_is_404(client, bh) -> None:
    assert client.get("/api/v1/halls/NOPE/slots/").status_code == 404


def test_availability_costs_the_same_queries_whatever_the_range(client, bh, django_assert_num_queries) -> None:
    url = f"/api/v1/halls/{bh.hall.code}/slots/"
    for k in range(1, 4):
        book(bh.slot(D(2026, 11, 24 + k), 9), k)
    client.get(url)  # the hall's rules and horizon are worked out once per process and kept a moment
    # hall, categories, slots
    with django_assert_num_queries(3):
        one = client.get(url, {"category": "A", "start": "2026-11-24", "end": "2026-11-24"})
    with django_assert_num_queries(3):
        every = client.get(url, {"start": "2026-11-23", "end": "2026-12-02"})
    slots_in = sum(len(d["slots"]) for d in every.json()["days"])
    assert sum(len(d["slots"]) for d in one.json()["days"]) == 16 and slots_in > 150


# --- Booking ----------------------------------------------------------------------------------


def test_book_then_view_by_token_with_personal_data_masked(client, bh) -> None:
    slot = bh.slot(D(2026, 11, 25), 9)
    me = person(1)
    response = create(client, slot, 1)
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert len(body["code"]) == 8 and len(body["manage_token"]) >= 32
    assert body["slot"]["id"] == slot.pk and body["slot"]["kind"] == "regular"
    assert body["status"] == "booked" and body["hall"]["code"] == "BK" and body["category"]["letter"] == "A"
    assert body["id_number"] == "1101**********" + me["id_number"][-4:]
    assert body["mobile"] == "138****0001" and body["name"] == "申**"
    assert body["manage_until"] == "2026-11-25T07:00:00+08:00" and body["ticket"] is None
    for raw in (me["id_number"], me["mobile"], me["name"]):
        assert raw not in response.content.decode()
    booking = Booking.objects.get(code=body["code"])
    assert booking.source == "api" and Slot.objects.get(pk=slot.pk).booked == 1

    seen = client.get(f"/api/v1/bookings/{body['manage_token']}/")
    assert seen.status_code == 200 and seen["Cache-Control"] == "no-store"
    assert seen.json()["code"] == body["code"] and "manage_token" not in seen.json()
    assert me["id_number"] not in seen.content.decode() and me["mobile"] not in seen.content.decode()


def test_book_with_an_item_of_the_queue(client, bh) -> None:
    dept = factories.department()
    item = factories.item(code="0600101000", dept=dept, name="居民身份证换领", halls=[bh.hall])
    bh.a.items.add(item)
    other = factories.item(code="0600102000", dept=dept, name="户口迁入登记", halls=[bh.hall])
    slot = bh.slot(D(2026, 11, 25), 9)
    wrong = create(client, slot, 1, item=other.code)
    assert wrong.status_code == 409 and wrong.json()["code"] == "item_not_here" and "item" in wrong.json()["errors"]
    unknown = create(client, slot, 1, item="9999999999")
    assert unknown.status_code == 404 and "item" in unknown.json()["errors"]
    ok = create(client, slot, 1, item=item.code)
    assert ok.status_code == 201 and ok.json()["item"]["code"] == item.code


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"id_number": "110105199003070021"}, 400, "id_number"),
        ({"mobile": "12345678901"}, 400, "mobile"),
        ({"name": "   "}, 400, "name"),
        ({"slot": 999999}, 404, "slot"),  # no such slot
        ({"slot": "soon"}, 400, "slot"),
        ({"slot": "12"}, 400, "slot"),  # a string is not the integer the schema says
    ],
)
def test_bad_booking_input_is_refused_naming_the_field_and_changes_nothing(client, bh, data, status, field) -> None:
    response = create(client, bh.slot(D(2026, 11, 25), 9), 1, **data)
    assert response.status_code == status and field in response.json()["errors"]
    assert not Booking.objects.exists() and Slot.objects.get(pk=bh.slot(D(2026, 11, 25), 9).pk).booked == 0


def test_missing_fields_are_named(client, bh) -> None:
    response = post(client, "/api/v1/bookings/", {})
    assert response.status_code == 400
    assert {"slot", "name", "id_number", "mobile"} <= set(response.json()["errors"])


def test_refusals_with_their_status_and_message(client, bh, clock) -> None:
    day = D(2026, 11, 25)
    slot = bh.slot(day, 9)
    for k in (1, 2, 3):
        assert create(client, slot, k).status_code == 201
    full = create(client, slot, 4)
    assert full.status_code == 409 and full.json()["code"] == "full" and "已约满" in full.json()["errors"]["slot"][0]

    duplicate = create(client, bh.slot(day, 10), 1)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    assert "同一大厅只能预约一次" in duplicate.json()["detail"]

    services.slots_generate(start=D(2026, 12, 3), end=D(2026, 12, 3), now=NOW)
    beyond = create(client, bh.slot(D(2026, 12, 3), 9), 5)
    assert beyond.status_code == 409 and "7 个工作日内" in beyond.json()["errors"]["slot"][0]

    person_row = BookingPerson.objects.get(id_masked__endswith=person(1)["id_number"][-4:])
    BookingPerson.objects.filter(pk=person_row.pk).update(suspended_until=at(D(2027, 2, 21), 10))
    suspended = create(client, bh.slot(D(2026, 11, 26), 9), 1)
    assert suspended.status_code == 409 and suspended.json()["code"] == "suspended"
    assert "2027-02-21" in suspended.json()["detail"]

    clock.move_to(at(D(2026, 11, 23), 10, 31))
    started = create(client, bh.slot(D(2026, 11, 23), 10, 30), 5)
    assert started.status_code == 409 and "已经开始或已过去" in started.json()["errors"]["slot"][0]
    assert Booking.objects.count() == 3


def test_rate_limits_apply_per_client_address(client, bh, settings) -> None:
    settings.THROTTLE_BOOKING_IP = "2/hour"
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1, REMOTE_ADDR="10.0.0.7").status_code == 201
    assert create(client, slot, 2, REMOTE_ADDR="10.0.0.7").status_code == 201
    limited = create(client, bh.slot(D(2026, 11, 25), 10), 3, REMOTE_ADDR="10.0.0.7")
    assert (
        limited.status_code == 429
        and limited.json()["code"] == "rate_limited"
        and "分钟后再试" in limited.json()["detail"]
    )
    assert create(client, slot, 3, REMOTE_ADDR="10.0.0.8").status_code == 201  # another address
    assert Booking.objects.count() == 3


def test_rate_limit_per_mobile_number(client, bh, settings) -> None:
    settings.THROTTLE_BOOKING_MOBILE = "1/hour"
    slot = bh.slot(D(2026, 11, 25), 9)
    assert create(client, slot, 1, mobile="13900139000").status_code == 201
    assert create(client, slot, 2, mobile="13900139000").status_code == 429


def test_cancel_by_token_gives_the_seat_back(client, bh, clock) -> None:
    slot = bh.slot(D(2026, 11, 25), 9)
    token = create(client, slot, 1).json()["manage_token"]
    cancelled = post(client, f"/api/v1/bookings/{token}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] is not None and Slot.objects.get(pk=slot.pk).booked == 0
    again = post(client, f"/api/v1/bookings/{token}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "stale"


def test_cancel_within_two_hours_is_409(client, bh, clock) -> None:
    token = create(client, bh.slot(D(2026, 11, 23), 13), 1).json()["manage_token"]
    clock.move_to(at(D(2026, 11, 23), 11, 30))
    late = post(client, f"/api/v1/bookings/{token}/cancel/")
    assert late.status_code == 409 and late.json()["code"] == "too_late" and "2 小时内" in late.json()["detail"]
    assert Booking.objects.get().status == "booked"


def test_reschedule_by_token(client, bh) -> None:
    old, new = bh.slot(D(2026, 11, 25), 9), bh.slot(D(2026, 11, 26), 10)
    created = create(client, old, 1).json()
    moved = post(client, f"/api/v1/bookings/{created['manage_token']}/reschedule/", {"slot": new.pk})
    assert moved.status_code == 200
    assert moved.json()["slot"]["id"] == new.pk and moved.json()["code"] == created["code"]
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=new.pk).booked) == (0, 1)


def test_refused_reschedules_change_nothing(client, bh) -> None:
    old, full = bh.slot(D(2026, 11, 25), 9), bh.slot(D(2026, 11, 26), 10)
    token = create(client, old, 1).json()["manage_token"]
    for k in (2, 3, 4):
        book(full, k)
    url = f"/api/v1/bookings/{token}/reschedule/"
    refused = post(client, url, {"slot": full.pk})
    assert refused.status_code == 409 and refused.json()["code"] == "full"
    assert post(client, url, {"slot": old.pk}).status_code == 409  # the same slot
    assert "slot" in post(client, url, {"slot": 999999}).json()["errors"]
    assert "slot" in post(client, url, {}).json()["errors"]
    other = make_booking_hall("BK2")
    elsewhere = post(client, url, {"slot": other.slot(D(2026, 11, 26), 10).pk})
    assert elsewhere.status_code == 409 and "同一大厅" in elsewhere.json()["errors"]["slot"][0]
    booking = Booking.objects.get(manage_token=token)
    assert booking.slot_id == old.pk and Slot.objects.get(pk=old.pk).booked == 1
    assert Slot.objects.get(pk=full.pk).booked == 3


def test_an_unknown_token_is_404(client, bh) -> None:
    assert client.get("/api/v1/bookings/not-a-token/").status_code == 404
    assert post(client, "/api/v1/bookings/not-a-token/cancel/").status_code == 404
    assert post(client, "/api/v1/bookings/not-a-token/reschedule/", {"slot": 1}).status_code == 404


def test_booking_view_costs_one_query(client, bh, django_assert_num_queries) -> None:
    token = create(client, bh.slot(D(2026, 11, 25), 9), 1).json()["manage_token"]
    client.get(f"/api/v1/bookings/{token}/")
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/bookings/{token}/").status_code == 200


# --- Check-in ---------------------------------------------------------------------------------


def check_in(client, bh, **data):
    return post(client, f"/api/v1/halls/{bh.hall.code}/check-in/", data)


def test_kiosk_check_in_by_code_gives_a_priority_ticket(client, bh, clock) -> None:
    day = D(2026, 11, 25)
    booking = book(bh.slot(day, 10), 1)
    clock.move_to(at(day, 9, 40))
    response = check_in(client, bh, code=booking.code.lower())
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["ticket"].startswith("YA") and body["late"] is False and body["priority"] == "appointment"
    assert body["booking"] == booking.code and "10:00" in body["message"]
    ticket = Ticket.objects.get(token=body["token"])
    assert body["url"] == f"/t/{ticket.token}/" and ticket.source == "appointment"
    again = check_in(client, bh, code=booking.code)
    assert again.status_code == 200 and again.json()["ticket"] == body["ticket"]


def test_anonymous_check_in_by_id_number_needs_the_mobiles_last_digits(client, bh, clock) -> None:
    # Issue 9 §3: the ID number alone once handed a stranger someone's ticket and its token.
    day = D(2026, 11, 25)
    book(bh.slot(day, 10), 1)
    clock.move_to(at(day, 9, 40))
    alone = check_in(client, bh, id_number=person(1)["id_number"])
    assert alone.status_code == 403 and "mobile_last4" in alone.json()["errors"]
    wrong = check_in(client, bh, id_number=person(1)["id_number"], mobile_last4="0000")
    unknown = check_in(client, bh, id_number=person(8)["id_number"], mobile_last4="0000")
    assert wrong.status_code == unknown.status_code and wrong.json() == unknown.json()
    assert not Ticket.objects.exists()
    client.force_login(staff_user("bk-window-id", role=roles.WINDOW_STAFF, hall_=bh.hall))
    assert check_in(client, bh, id_number=person(1)["id_number"]).status_code == 200  # staff see the card


def test_kiosk_check_in_by_id_number_late_gets_a_normal_ticket(client, bh, clock) -> None:
    day = D(2026, 11, 25)
    book(bh.slot(day, 9, 30), 2)
    clock.move_to(at(day, 9, 46))
    body = check_in(client, bh, id_number=person(2)["id_number"], mobile_last4=person(2)["mobile"][-4:]).json()
    assert body["late"] is True and body["ticket"].startswith("A") and body["priority"] == ""
    assert "09:45" in body["message"] and Ticket.objects.get(token=body["token"]).source == "kiosk"


def test_check_in_refusals(client, bh, clock) -> None:
    day = D(2026, 11, 25)
    booking = book(bh.slot(day, 10), 1)
    clock.move_to(at(day, 9, 20))
    early = check_in(client, bh, code=booking.code)
    assert early.status_code == 409 and early.json()["code"] == "too_early" and "09:30" in early.json()["detail"]
    missing = check_in(client, bh, code="ZZZZZZZZ")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    nothing = check_in(client, bh).json()
    # The field "code" is named under "errors", apart from the error's own code (issue 9).
    assert nothing["code"] == "invalid" and nothing["errors"]["code"] == [nothing["detail"]]
    bad_id = check_in(client, bh, id_number="110105199003070021")
    assert bad_id.status_code == 400 and "id_number" in bad_id.json()["errors"]
    assert post(client, "/api/v1/halls/NOPE/check-in/", {"code": booking.code}).status_code == 404
    assert not Ticket.objects.exists()


def test_window_staff_of_the_hall_check_in_others_are_refused(client, bh, clock) -> None:
    day = D(2026, 11, 25)
    booking = book(bh.slot(day, 10), 1)
    clock.move_to(at(day, 9, 45))
    other = make_booking_hall("BK2")
    client.force_login(staff_user("bk2-window", role=roles.WINDOW_STAFF, hall_=other.hall))
    assert check_in(client, bh, code=booking.code).status_code == 403
    client.force_login(staff_user("bk-supervisor", role=roles.SUPERVISOR, hall_=bh.hall))
    assert check_in(client, bh, code=booking.code).status_code == 403
    assert not Ticket.objects.exists()
    client.force_login(staff_user("bk-window", role=roles.WINDOW_STAFF, hall_=bh.hall))
    response = check_in(client, bh, code=booking.code)
    assert response.status_code == 200 and response.json()["ticket"].startswith("YA")


def test_kiosk_check_in_is_rate_limited_per_address_but_staff_are_not(client, bh, clock, monkeypatch) -> None:
    from servicehall.throttling import ScopedCounterThrottle

    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"booking_check_in": "2/hour"})
    clock.move_to(at(D(2026, 11, 25), 9, 45))
    codes = [check_in(client, bh, code="ZZZZZZZZ").status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    client.force_login(staff_user("bk-window", role=roles.WINDOW_STAFF, hall_=bh.hall))
    assert check_in(client, bh, code="ZZZZZZZZ").status_code == 404


def test_kiosk_check_in_falls_back_to_the_ticket_issue_rate(client, bh, clock, monkeypatch) -> None:
    from servicehall.throttling import ScopedCounterThrottle

    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "1/hour"})
    assert [check_in(client, bh, code="ZZZZZZZZ").status_code for _ in range(2)] == [404, 429]


def test_check_in_takes_no_id_number_in_the_url(client, bh) -> None:
    response = client.get(f"/api/v1/halls/{bh.hall.code}/check-in/", {"id_number": person(1)["id_number"]})
    assert response.status_code == 405


# --- Statistics -------------------------------------------------------------------------------


def _a_day_of_bookings(bh) -> None:
    """Tuesday 24 November: 4 bookings in queue A, one cancelled, one checked in, one no-show."""
    day = D(2026, 11, 24)
    kept = book(bh.slot(day, 9), 1)
    missed = book(bh.slot(day, 10), 2)
    book(bh.slot(day, 11), 3)
    gone = book(bh.slot(day, 11), 4)
    services.booking_cancel(booking=gone, now=NOW)
    services.booking_check_in(hall=bh.hall, code=kept.code, now=at(day, 8, 50))
    Booking.objects.filter(pk=missed.pk).update(status=Booking.Status.NO_SHOW)


def test_statistics_per_hall_and_day(client, bh) -> None:
    _a_day_of_bookings(bh)
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    rows = client.get("/api/v1/statistics/bookings/", {"start": "2026-11-24", "end": "2026-11-24"}).json()
    (row,) = rows
    capacity = 14 * 3 + 2 * 2 + 6 * 3  # A regular and extended, B regular
    assert row["date"] == "2026-11-24" and row["hall"] == "BK" and row["capacity"] == capacity
    assert (row["bookings"], row["checked_in"], row["no_shows"], row["cancelled"]) == (3, 1, 1, 1)
    assert row["fill_rate"] == round(100 * 3 / capacity, 1) and row["no_show_rate"] == 50.0


def test_statistics_are_the_figures_of_the_supervisors_pages(client, bh) -> None:
    _a_day_of_bookings(bh)
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    (row,) = client.get("/api/v1/statistics/bookings/", {"start": "2026-11-24", "end": "2026-11-24"}).json()
    (day,) = stats.hall_range(hall=bh.hall, start=D(2026, 11, 24), end=D(2026, 11, 24)).days
    figures = day.figures
    assert (row["slots"], row["closed_slots"], row["capacity"], row["bookings"]) == (
        figures.slots,
        figures.closed_slots,
        figures.capacity,
        figures.booked,
    )
    assert (row["checked_in"], row["no_shows"], row["displaced"]) == (
        figures.checked_in,
        figures.no_show,
        figures.displaced,
    )
    assert row["fill_rate"] == round(figures.fill_rate, 1) and row["no_show_rate"] == round(figures.no_show_rate, 1)


def test_statistics_are_scoped_to_the_supervisors_halls(client, bh) -> None:
    other = make_booking_hall("BK2")
    book(bh.slot(D(2026, 11, 24), 9), 1)
    book(other.slot(D(2026, 11, 24), 9), 2)
    query = {"start": "2026-11-24", "end": "2026-11-25"}
    client.force_login(staff_user("sup-bk", role=roles.SUPERVISOR, hall_=bh.hall))
    assert {r["hall"] for r in client.get("/api/v1/statistics/bookings/", query).json()} == {"BK"}
    assert client.get("/api/v1/statistics/bookings/", {**query, "hall": "BK2"}).status_code == 403
    assert client.get("/api/v1/statistics/bookings/", {**query, "hall": "NOPE"}).status_code == 404
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    rows = client.get("/api/v1/statistics/bookings/", query).json()
    assert [(r["date"], r["hall"]) for r in rows] == [
        ("2026-11-24", "BK"),
        ("2026-11-24", "BK2"),
        ("2026-11-25", "BK"),
        ("2026-11-25", "BK2"),
    ]
    only = client.get("/api/v1/statistics/bookings/", {**query, "hall": "BK2"}).json()
    assert {r["hall"] for r in only} == {"BK2"}


def test_statistics_are_for_supervisors_only(client, bh) -> None:
    query = {"start": "2026-11-24", "end": "2026-11-25"}
    assert client.get("/api/v1/statistics/bookings/", query).status_code == 401  # not signed in
    client.force_login(staff_user("bk-window", role=roles.WINDOW_STAFF, hall_=bh.hall))
    assert client.get("/api/v1/statistics/bookings/", query).status_code == 403


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"start": "2026-01-01", "end": "2027-06-30"}, 422, "end"),  # too long: a rule across two fields
        ({"end": "2026-11-30"}, 400, "start"),
    ],
)
def test_statistics_bad_range_is_refused(client, bh, query, status, field) -> None:
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    response = client.get("/api/v1/statistics/bookings/", query)
    assert response.status_code == status and field in response.json()["errors"]


def test_statistics_of_an_end_before_the_start_are_empty(client, bh) -> None:
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    response = client.get("/api/v1/statistics/bookings/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 200 and response.json() == []


def test_statistics_cost_the_same_queries_for_one_day_or_many_halls(client, bh, django_assert_num_queries) -> None:
    _a_day_of_bookings(bh)
    make_booking_hall("BK2")
    make_booking_hall("BK3")
    client.force_login(staff_user("sup-city", role=roles.SUPERVISOR))
    url = "/api/v1/statistics/bookings/"
    client.get(url, {"start": "2026-11-24", "end": "2026-11-24"})
    # session, user, staff scope (profile, groups), [the hall asked for], slots grouped, bookings grouped
    with django_assert_num_queries(7):
        one = client.get(url, {"start": "2026-11-24", "end": "2026-11-24", "hall": "BK"}).json()
    with django_assert_num_queries(6):
        many = client.get(url, {"start": "2026-11-23", "end": "2026-12-02"}).json()
    assert len(one) == 1 and len(many) == 3 * 10
