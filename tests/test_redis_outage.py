"""Redis is a cache and a broker, never the truth (issue 9): with the cache pointed at a Redis that
does not answer, every request path still works from the database, and a change that committed
is never reported as a failure.

The dead Redis is an address where nothing listens (connections are refused at once), configured
exactly as production configures the cache (``settings.REDIS_CACHE``). The database is real and
its transactions really commit (``transactional_db``), so the work done on commit runs as in
production. Needs no Redis: the point is its absence; runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from appointments.models import Booking
from queueing import snapshot
from queueing.models import Ticket, Window
from servicehall import roles
from tests.appointments.factories import NOW as BOOKING_NOW
from tests.appointments.factories import make_booking_hall, person
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_REDIS = "redis://127.0.0.1:6399/0"


@pytest.fixture
def dead_redis(settings):
    """The cache as production configures it, at an address where no Redis listens."""
    settings.CACHES = {"default": {**django_settings.REDIS_CACHE, "LOCATION": DEAD_REDIS}}
    from servicehall import cache as shared_cache

    shared_cache.reset_state()
    yield
    shared_cache.reset_state()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(client, code: str, **data):
    return client.post(f"/api/v1/halls/{code}/tickets/", {"category": "A", **data}, content_type="application/json")


def test_the_dead_address_really_refuses(dead_redis) -> None:
    import redis

    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.5).ping()


def test_issue_call_and_every_queue_page_and_api_answer_from_the_database(client, dead_redis, clock, caplog) -> None:
    qh = make_queue_hall()
    qh.sign_in_all()
    tokens = []
    with caplog.at_level(logging.WARNING, logger="servicehall.cache"):
        for _ in range(3):
            response = issue(client, qh.hall.code)
            assert response.status_code == 201, response.content
            tokens.append(response.json()["token"])
    assert list(Ticket.objects.order_by("number").values_list("number", flat=True)) == ["A001", "A002", "A003"]
    # One warning for the outage, not one per request.
    assert len([r for r in caplog.records if r.name == "servicehall.cache"]) == 1

    queue = client.get(f"/api/v1/halls/{qh.hall.code}/queue/")
    assert queue.status_code == 200 and queue["Content-Type"] == "application/json"
    row = next(c for c in queue.json()["categories"] if c["letter"] == "A")
    assert row["waiting"] == 3
    status = client.get(f"/api/v1/tickets/{tokens[2]}/")
    assert status.status_code == 200 and status.json()["people_ahead"] == 2

    for page in (f"/halls/{qh.hall.code}/queue/", f"/halls/{qh.hall.code}/board/", f"/t/{tokens[0]}/"):
        response = client.get(page)
        assert response.status_code == 200, page
    assert "A001" in client.get(f"/t/{tokens[0]}/").content.decode()

    # Call next from the console and the API: success, and the window goes on working.
    client.force_login(qh.staff[2])
    response = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    first = Ticket.objects.get(token=tokens[0])
    assert first.status == Ticket.Status.CALLED and first.window_id == qh.window_a.pk
    called = client.post(f"/api/v1/windows/{qh.window_a.pk}/tickets/{first.pk}/finish/")
    assert called.status_code == 200 and called.json()["status"] == "done"
    response = client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/")
    assert response.status_code == 200 and response.json()["ticket"]["number"] == "A002"

    # The snapshot this process serves follows its own changes at once.
    board = client.get(f"/api/v1/halls/{qh.hall.code}/queue/").json()
    assert next(c for c in board["categories"] if c["letter"] == "A")["waiting"] == 1
    assert next(w for w in board["windows"] if w["number"] == 2)["current"] == "A002"


def test_the_dashboard_answers(client, dead_redis, clock) -> None:
    qh = make_queue_hall()
    qh.sign_in_all()
    issue(client, qh.hall.code)
    client.force_login(staff_user("sup", role=roles.SUPERVISOR))
    assert client.get(reverse("supervisor-overview")).status_code == 200
    assert client.get(reverse("supervisor-hall", args=[qh.hall.code])).status_code == 200


def test_the_ticket_issue_limit_still_holds_in_this_process(client, dead_redis, clock, monkeypatch) -> None:
    """Fail-open across processes, but never unlimited: each process counts on its own."""
    from servicehall.throttling import ScopedCounterThrottle

    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "2/hour"})
    qh = make_queue_hall()
    qh.sign_in_all()
    codes = [issue(client, qh.hall.code).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_booking_check_in_and_find_my_bookings(client, dead_redis) -> None:
    with time_machine.travel(BOOKING_NOW, tick=False) as traveller:
        bh = make_booking_hall()
        day = dt.date(2026, 11, 25)
        slot = bh.slot(day, 10)
        response = client.post("/api/v1/bookings/", {"slot": slot.pk, **person(1)}, content_type="application/json")
        assert response.status_code == 201, response.content
        booking = Booking.objects.get()
        assert booking.status == Booking.Status.BOOKED

        start = client.post(
            reverse("booking-find"), {"id_number": person(1)["id_number"], "mobile": person(1)["mobile"]}
        )
        assert start.status_code in (200, 302)

        traveller.move_to(dt.datetime.combine(day, dt.time(9, 40), NOW.tzinfo))
        checked = client.post(
            f"/api/v1/halls/{bh.hall.code}/check-in/", {"code": booking.code}, content_type="application/json"
        )
        assert checked.status_code == 200, checked.content
        assert checked.json()["ticket"].startswith("YA")
        assert Ticket.objects.filter(token=checked.json()["token"]).exists()


def test_a_call_whose_work_after_commit_fails_still_succeeds(client, clock, monkeypatch) -> None:
    """Whatever goes wrong after the commit (here: marking the snapshot dirty), the committed call
    is reported as done, and the window is not left busy with a ticket nobody was told about."""
    qh = make_queue_hall()
    qh.sign_in_all()
    issue(client, qh.hall.code)
    issue(client, qh.hall.code)

    def broken(_hall_id: int) -> None:
        raise ConnectionError("the cache went away after the commit")

    monkeypatch.setattr(snapshot, "mark_dirty", broken)
    client.force_login(qh.staff[2])
    response = client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/")
    assert response.status_code == 200 and response.json()["ticket"]["number"] == "A001"
    ticket = Ticket.objects.get(number="A001")
    assert client.post(f"/api/v1/windows/{qh.window_a.pk}/tickets/{ticket.pk}/finish/").status_code == 200
    response = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Ticket.objects.get(number="A002").status == Ticket.Status.CALLED
    assert Window.objects.get(pk=qh.window_a.pk).is_open


def test_a_change_made_through_another_process_reaches_the_board_within_seconds(
    client, dead_redis, clock, monkeypatch
) -> None:
    """Without Redis each process keeps its own snapshot and sees only its own dirty marks: what
    another process changed shows once the snapshot runs out (DEGRADED_FRESH_SECONDS, not 15 s)."""
    qh = make_queue_hall()
    qh.sign_in_all()
    issue(client, qh.hall.code)

    def waiting() -> int:
        board = client.get(f"/api/v1/halls/{qh.hall.code}/queue/").json()
        return next(c for c in board["categories"] if c["letter"] == "A")["waiting"]

    assert waiting() == 1
    with monkeypatch.context() as elsewhere:  # another web process: its dirty mark stays there
        elsewhere.setattr(snapshot, "mark_dirty", lambda _hall_id: None)
        issue(client, qh.hall.code)
    assert waiting() == 1
    clock.shift(dt.timedelta(seconds=snapshot.DEGRADED_FRESH_SECONDS + 0.5))
    assert waiting() == 2


def test_readiness_says_degraded_while_the_portal_serves(client, dead_redis, clock) -> None:
    from servicehall.tasks import heartbeat

    heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_find_my_bookings_counts_codes_per_mobile_in_the_database(client, dead_redis, settings) -> None:
    """The code costs an SMS to someone's phone: without Redis its per-mobile limit is not left
    to each process's own count."""
    from servicehall import cache as shared_cache

    settings.THROTTLE_BOOKING_LOOKUP_MOBILE = "2/hour"
    with time_machine.travel(BOOKING_NOW, tick=False):
        me = person(1)
        statuses = []
        for k in range(3):
            if k == 2:  # as if this request reached another web process, whose own counter is at zero
                shared_cache.reset_state()
            response = client.post(reverse("booking-find"), {"id_number": me["id_number"], "mobile": me["mobile"]})
            statuses.append(response.status_code)
    assert statuses == [302, 302, 429]


# --- The API answers JSON, whatever fails ------------------------------------------------------


@pytest.fixture
def unraised_client():
    """A client that gets the 500 response, as a browser or program would, instead of the exception."""
    from django.test import Client

    return Client(raise_request_exception=False)


def test_an_unexpected_error_in_an_api_view_is_a_json_500(unraised_client, monkeypatch, caplog) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(snapshot, "get_public", broken)
    make_queue_hall()
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = unraised_client.get("/api/v1/halls/QH/queue/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "系统繁忙，请稍后再试。", "code": "server_error", "errors": {}}
    assert any("RuntimeError" in (r.exc_text or "") or r.exc_info for r in caplog.records)  # still logged
    page = unraised_client.get("/halls/QH/queue/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_an_error_raised_by_a_middleware_is_json_under_the_api(unraised_client, monkeypatch) -> None:
    from servicehall.middleware import CookieLanguageMiddleware

    def broken(self, request):
        raise ConnectionError("the session store went away")

    monkeypatch.setattr(CookieLanguageMiddleware, "__call__", broken)
    response = unraised_client.post("/api/v1/halls/QH/tickets/", {}, content_type="application/json")
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    assert unraised_client.get("/api/v1/no/such/endpoint/").json()["code"] == "server_error"
