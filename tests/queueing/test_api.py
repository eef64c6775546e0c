"""The queue API: issue, status by token, hall snapshot, window actions, alerts, statistics."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from queueing import services
from queueing.models import DailyStat, Ticket, WaitAlert
from servicehall import roles
from tests.queueing.factories import NOW, id_number, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(client, qh, **data):
    return client.post(
        f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "A", **data}, content_type="application/json"
    )


def test_issue_a_ticket_and_follow_it_by_token(client, qh) -> None:
    qh.sign_in_all()
    first = issue(client, qh)
    assert first.status_code == 201
    body = first.json()
    assert body["number"] == "A001" and body["status"] == "waiting" and body["people_ahead"] == 0
    assert body["url"] == f"/t/{body['token']}/" and body["existing"] is False
    second = issue(client, qh).json()
    status = client.get(f"/api/v1/tickets/{second['token']}/")
    assert status.status_code == 200 and status["Cache-Control"] == "no-store"
    # One ahead and three windows serving A, none busy: called at once (queueing.estimator, issue 14).
    assert status.json()["people_ahead"] == 1 and status.json()["estimated_wait_minutes"] == 0
    assert "token" not in status.json()


def test_the_answer_says_how_many_windows_serve_the_queue_and_none_is_zero(client, qh, commits) -> None:
    """The API's equivalent of the page's warning (walkthrough: the API issued into a queue no
    window served without saying so): ``open_windows`` 0 and no estimate; once a window opens,
    the ticket's status counts it."""
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # a published queue, as under load
    body = commits(lambda: issue(client, qh)).json()
    assert body["open_windows"] == 0 and body["estimated_wait_minutes"] is None
    commits(lambda: services.window_sign_in(window=qh.window_a, staff=qh.staff[2]))
    status = client.get(f"/api/v1/tickets/{body['token']}/").json()
    assert status["open_windows"] >= 1 and status["estimated_wait_minutes"] is not None
    schema = client.get("/api/schema/?format=json").json()
    assert "open_windows" in schema["components"]["schemas"]["TicketStatus"]["properties"]


def test_same_person_gets_the_existing_ticket_with_200(client, qh) -> None:
    person = id_number("19900307")
    assert issue(client, qh, id_number=person).status_code == 201
    again = issue(client, qh, id_number=person)
    assert again.status_code == 200 and again.json()["existing"] is True
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"category": "Q"}, 400, "category"),  # no such queue in this hall: an invalid field
        ({"id_number": "123"}, 400, "id_number"),
        ({"priority": "disabled"}, 400, "id_number"),
        ({"priority": "vip"}, 400, "priority"),
        ({"category": 1}, 400, "category"),  # not a string: refused, not read as "1"
    ],
)
def test_bad_input_is_refused_naming_the_field(client, qh, data, status, field) -> None:
    response = issue(client, qh, **data)
    assert response.status_code == status and field in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_a_closed_hall_is_409_with_the_next_opening(client, qh, clock) -> None:
    clock.move_to(NOW.replace(hour=20))
    response = issue(client, qh)
    assert response.status_code == 409 and "2026-11-27 09:00" in response.json()["detail"]


def test_unknown_hall_and_token_are_404(client, qh) -> None:
    assert (
        client.post("/api/v1/halls/NOPE/tickets/", {"category": "A"}, content_type="application/json").status_code
        == 404
    )
    assert client.get("/api/v1/tickets/not-a-token/").status_code == 404
    assert client.get("/api/v1/halls/NOPE/queue/").status_code == 404


def test_cancel_by_token(client, qh) -> None:
    token = issue(client, qh).json()["token"]
    cancel = f"/api/v1/tickets/{token}/cancel/"
    assert client.post(cancel, content_type="application/json").json()["status"] == "cancelled"
    assert client.post(cancel, content_type="application/json").status_code == 409


def test_hall_queue_snapshot_is_public_and_carries_no_tokens(client, qh) -> None:
    qh.sign_in_all()
    token = issue(client, qh).json()["token"]
    data = client.get(f"/api/v1/halls/{qh.hall.code}/queue/").json()
    assert data["open_now"] is True
    assert next(c for c in data["categories"] if c["letter"] == "A")["waiting"] == 1
    assert token not in str(data)


def test_issue_is_rate_limited_per_client(client, qh, monkeypatch) -> None:
    from servicehall.throttling import ScopedCounterThrottle

    # DRF reads the rates when the class is defined; the setting is THROTTLE_TICKET_ISSUE.
    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "3/hour"})
    codes = [issue(client, qh).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert Ticket.objects.count() == 3
    refused = issue(client, qh)
    assert "detail" in refused.json() and 0 < int(refused["Retry-After"]) <= 3600


def test_window_actions_for_signed_in_staff(client, qh) -> None:
    ticket_token = issue(client, qh).json()["token"]
    client.force_login(qh.staff[2])
    windows = client.get("/api/v1/windows/").json()
    assert [w["number"] for w in windows] == [1, 2, 3, 4]
    assert client.post(f"/api/v1/windows/{qh.window_a.pk}/sign-in/").json()["window"]["is_open"] is True
    called = client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/").json()["ticket"]
    assert called["number"] == "A001" and called["status"] == "called"
    base = f"/api/v1/windows/{qh.window_a.pk}/tickets/{called['id']}"
    assert client.post(f"{base}/start/").json()["status"] == "serving"
    moved = client.post(f"{base}/transfer/", {"reason": "转社保", "category": "B"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["category"] == "B" and moved.json()["status"] == "waiting"
    empty = client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/")
    assert empty.status_code == 409 and empty.json()["code"] == "queue_empty"
    assert client.get(f"/api/v1/tickets/{ticket_token}/").json()["category"] == "B"


def test_transfer_input_errors(client, qh) -> None:
    issue(client, qh)
    client.force_login(qh.staff[2])
    client.post(f"/api/v1/windows/{qh.window_a.pk}/sign-in/")
    called = client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/").json()["ticket"]
    base = f"/api/v1/windows/{qh.window_a.pk}/tickets/{called['id']}/transfer/"
    assert "reason" in client.post(base, {}, content_type="application/json").json()["errors"]
    unknown = client.post(base, {"reason": "x", "category": "Q"}, content_type="application/json")
    assert unknown.status_code == 404 and "category" in unknown.json()["errors"]
    nowhere = client.post(base, {"reason": "x", "target_window": 99}, content_type="application/json")
    assert nowhere.status_code == 404 and "target_window" in nowhere.json()["errors"]
    # Window 0 is a window number like any other (it was read as "no window").
    zero = client.post(base, {"reason": "x", "target_window": 0}, content_type="application/json")
    assert zero.status_code == 404 and "target_window" in zero.json()["errors"]


def test_staff_of_another_hall_cannot_act_through_the_api(client, qh) -> None:
    other = make_queue_hall("OT")
    issue(client, qh)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    client.force_login(other.staff[2])
    assert client.post(f"/api/v1/windows/{qh.window_a.pk}/call-next/").status_code == 403
    assert client.post(f"/api/v1/windows/{qh.window_a.pk}/sign-in/").status_code == 403
    assert Ticket.objects.get().status == "waiting"


def test_anonymous_cannot_use_window_actions(client, qh) -> None:
    call_next = f"/api/v1/windows/{qh.window_a.pk}/call-next/"
    # Not signed in: 401 with the session cookie's challenge (walkthrough finding 17).
    assert client.post(call_next, content_type="application/json").status_code == 401
    assert client.post(call_next).status_code == 415  # not even JSON: refused before anything else
    assert client.get("/api/v1/alerts/").status_code == 401


def _alert(qh, hall=None, category=None) -> WaitAlert:
    return WaitAlert.objects.create(
        hall=hall or qh.hall,
        category=category or qh.a,
        reason="long_wait",
        opened_at=NOW,
        run_id="r1",
        waiting=12,
        longest_wait_seconds=2400,
        open_windows=1,
        arrivals_per_hour=30,
        mean_service_seconds=480,
        recommended_extra_windows=2,
    )


def test_alerts_are_scoped_and_acknowledged_with_cause_and_action(client, qh) -> None:
    other = make_queue_hall("OT")
    mine, theirs = _alert(qh), _alert(other, other.hall, other.a)
    local = staff_user("sup-qh", role=roles.SUPERVISOR, hall_=qh.hall)
    client.force_login(local)
    assert [a["id"] for a in client.get("/api/v1/alerts/").json()] == [mine.pk]
    missing = client.post(f"/api/v1/alerts/{mine.pk}/acknowledge/", {"cause": "高峰"}, content_type="application/json")
    assert missing.status_code == 400 and "action" in missing.json()["errors"]
    ok = client.post(
        f"/api/v1/alerts/{mine.pk}/acknowledge/",
        {"cause": "午间高峰", "action": "增开2号窗口"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["acknowledged_at"] is not None
    assert (
        client.post(
            f"/api/v1/alerts/{theirs.pk}/acknowledge/", {"cause": "x", "action": "y"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_window_staff_cannot_read_alerts(client, qh) -> None:
    client.force_login(qh.staff[2])
    assert client.get("/api/v1/alerts/").status_code == 403


def test_daily_statistics(client, qh) -> None:
    DailyStat.objects.create(
        date=dt.date(2026, 11, 25), hall=qh.hall, scope="hall", issued=10, served=8, waited=9, wait_seconds_total=900
    )
    city = staff_user("sup-city", role=roles.SUPERVISOR)
    client.force_login(city)
    rows = client.get("/api/v1/statistics/daily/", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert rows[0]["served"] == 8 and rows[0]["average_wait_seconds"] == 100.0
    # An end before the start is an empty range; a range too long a rule the schema cannot state.
    assert client.get("/api/v1/statistics/daily/", {"start": "2026-11-30", "end": "2026-11-01"}).json() == []
    long = client.get("/api/v1/statistics/daily/", {"start": "2025-01-01", "end": "2026-11-01"})
    assert long.status_code == 422 and long.json()["code"] == "range_too_long" and "end" in long.json()["errors"]


def test_issue_answers_from_the_published_queue_and_status_gives_the_exact_place(
    client, qh, django_capture_on_commit_callbacks
) -> None:
    qh.sign_in_all()
    for _ in range(2):
        issue(client, qh)
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # the queue as published: 2 waiting
    with django_capture_on_commit_callbacks(execute=True):  # the issue marks the snapshot dirty
        third = issue(client, qh).json()
    assert third["people_ahead"] == 2
    assert client.get(f"/api/v1/tickets/{third['token']}/").json()["people_ahead"] == 2
