"""The supervisors' overview poll answers 204 while nothing it shows has changed (issue 14).

The live region of ``/supervisor/`` carries a signed version (``?v=``,
``queueing.dashboard_poll.poll_version``); a poll that sends back a version that still stands is
answered 204 with no query beyond the session and its user, and every change the region shows
(in any hall of the supervisor's scope) makes the next poll render it again.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing import monitor, services
from queueing.models import AssistanceRequest, Ticket, WaitAlert
from servicehall import cache as shared_cache
from servicehall import roles
from tests.queueing.factories import NOW, make_queue_hall
from tests.queueing.test_dashboard import _alert_fields
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
LIVE = {"HX-Request": "true", "HX-Target": "overview-live"}
# NOW is 10:00:00; the versions made at NOW + 5 s stand until 10:01:00.
START = NOW + dt.timedelta(seconds=5)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def other(db):
    return make_queue_hall("OT")


@pytest.fixture
def city(client, qh, other):
    user = staff_user("city-sup", role=roles.SUPERVISOR)
    client.force_login(user)
    return user


def issue(hall, category):
    return services.ticket_issue(hall=hall, category=category, source="kiosk").ticket


def version_of(body: str) -> str:
    found = re.search(r'id="overview-live"[^>]*hx-get="[^"]*\?v=([^"&]+)"', html.unescape(body))
    assert found, "the live region carries no version"
    return unquote(found.group(1))


def poll(client, version=None, headers=LIVE):
    url = reverse("supervisor-overview")
    if version is not None:
        url += f"?v={version}"
    return client.get(url, headers=headers)


def seen(client) -> str:
    response = poll(client)
    assert response.status_code == 200
    return version_of(response.content.decode())


def test_unchanged_overview_is_answered_204_with_the_session_and_user_only(
    client, qh, city, commits, django_assert_max_num_queries
) -> None:
    commits(lambda: issue(qh.hall, qh.a))
    version = seen(client)
    with django_assert_max_num_queries(2):
        response = poll(client, version)
    assert response.status_code == 204 and response.content == b""
    assert "no-cache" in response["Cache-Control"]
    # The whole page carries the same kind of version, and its region polls the same way.
    page = client.get(reverse("supervisor-overview"))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert poll(client, version_of(page.content.decode())).status_code == 204
    # A version of the live region renders the page when asked without htmx.
    assert "<html" in poll(client, version, headers={}).content.decode()


def test_without_a_version_or_with_a_forged_one_the_overview_renders(client, qh, city, commits) -> None:
    commits(lambda: issue(qh.hall, qh.a))
    version = seen(client)
    assert poll(client).status_code == 200
    assert poll(client, version[:-2] + "xx").status_code == 200
    # Another region (a hall's alerts) does not take the overview's version.
    hall_alerts = {"HX-Request": "true", "HX-Target": "hall-alerts"}
    url = reverse("supervisor-hall", args=[qh.hall.code]) + f"?v={version}"
    assert client.get(url, headers=hall_alerts).status_code == 200


def _raise_alert(qh):
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    for _ in range(10):
        issue(qh.hall, qh.a)


CHANGES = {
    "issue": lambda qh, other, sup: issue(qh.hall, qh.a),
    "issue_in_another_hall_in_scope": lambda qh, other, sup: issue(other.hall, other.b),
    "window_signed_in": lambda qh, other, sup: services.window_sign_in(window=qh.window_b, staff=qh.staff[3]),
    "window_opened_by_a_supervisor": lambda qh, other, sup: services.window_open(
        window=qh.window_b, clerk=qh.staff[3], user=sup
    ),
    "ticket_called": lambda qh, other, sup: services.ticket_call_next(window=qh.window_a, staff=qh.staff[2]),
    "assistance_requested": lambda qh, other, sup: services.assistance_request(
        hall=qh.hall,
        wish=services.assistance_wish(kind=AssistanceRequest.Kind.values[0], reason=AssistanceRequest.Reason.values[0]),
        source="kiosk",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_in_the_scope_renders_the_overview_again(client, qh, other, city, commits, change) -> None:
    commits(lambda: services.window_sign_in(window=qh.window_a, staff=qh.staff[2]))
    commits(lambda: issue(qh.hall, qh.a))
    if change == "window_opened_by_a_supervisor":
        Client().force_login(qh.staff[3])  # only a clerk logged in now may be put at a window
    version = seen(client)
    commits(lambda: CHANGES[change](qh, other, city))
    response = poll(client, version)
    assert response.status_code == 200
    # The new version stands until the next change.
    assert poll(client, version_of(response.content.decode())).status_code == 204


def test_a_window_closed_by_a_supervisor_renders_the_overview(client, qh, city, commits) -> None:
    commits(lambda: services.window_sign_in(window=qh.window_b, staff=qh.staff[3]))
    version = seen(client)
    commits(lambda: services.window_close(window=qh.window_b, user=city))
    response = poll(client, version)
    assert response.status_code == 200


def test_alerts_raised_acknowledged_and_closed_render_the_overview(client, qh, city, commits) -> None:
    commits(lambda: _raise_alert(qh))
    version = seen(client)
    assert "未解除预警 0 条" in poll(client).content.decode()
    commits(lambda: monitor.monitor_run())  # A: 10 waiting for one window, over 8 per window
    response = poll(client, version)
    assert response.status_code == 200 and "未解除预警 1 条" in response.content.decode()
    version = version_of(response.content.decode())
    assert poll(client, version).status_code == 204
    alert = WaitAlert.objects.get()
    commits(lambda: services.alert_acknowledge(alert=alert, user=city, cause="人手不足", action="增开窗口"))
    response = poll(client, version)
    assert response.status_code == 200 and "待确认" not in response.content.decode()
    version = version_of(response.content.decode())
    # The queue is back under: the next run closes the alert.
    Ticket.objects.filter(status=Ticket.Status.WAITING).update(status=Ticket.Status.CANCELLED)
    assert poll(client, version).status_code == 204  # a write outside the services: the minute covers it
    commits(lambda: monitor.monitor_run())
    response = poll(client, version)
    assert response.status_code == 200 and "未解除预警 0 条" in response.content.decode()


def test_a_change_outside_a_hall_supervisors_scope_keeps_the_204(client, qh, other, commits) -> None:
    client.force_login(staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall))
    version = seen(client)
    commits(lambda: issue(other.hall, other.a))
    assert poll(client, version).status_code == 204
    commits(lambda: issue(qh.hall, qh.a))
    assert poll(client, version).status_code == 200


def test_the_waits_render_again_when_the_minute_turns(client, qh, city, commits, clock) -> None:
    commits(lambda: issue(qh.hall, qh.a))
    version = seen(client)
    clock.shift(dt.timedelta(seconds=54))  # 10:00:59
    assert poll(client, version).status_code == 204
    clock.shift(dt.timedelta(seconds=1))  # 10:01:00: "waited 1.0 minutes" now, not 0.9
    response = poll(client, version)
    assert response.status_code == 200 and "数据更新于 10:01:00" in response.content.decode()


def test_a_role_taken_away_is_refused_at_the_next_poll(client, qh, city, commits) -> None:
    version = seen(client)
    city.groups.remove(Group.objects.get(name=roles.SUPERVISOR))
    assert poll(client, version).status_code == 403


def test_a_hall_given_to_the_supervisor_changes_the_scope_at_the_next_poll(client, qh, other, commits) -> None:
    supervisor = staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    client.force_login(supervisor)
    version = seen(client)
    supervisor.staff_profile.hall = other.hall
    supervisor.staff_profile.save()
    response = poll(client, version)
    assert response.status_code == 200 and other.hall.code in response.content.decode()


def test_an_ended_session_still_gets_the_login_redirect(client, qh, city, commits) -> None:
    version = seen(client)
    client.session.delete()
    response = poll(client, version)
    assert response.status_code != 200 and reverse("login") in response.get("HX-Redirect", "")
    # Another supervisor in the same browser is not answered with the first one's version.
    client.force_login(staff_user("other-sup", role=roles.SUPERVISOR))
    assert poll(client, version).status_code == 200


def test_redis_away_the_overview_always_renders(client, qh, city, commits) -> None:
    version = seen(client)
    shared_cache._went_down(OSError("Redis did not answer (test)"))
    assert shared_cache.degraded()
    response = poll(client, version)
    assert response.status_code == 200
    assert "?v=" not in re.search(r'id="overview-live"[^>]*', response.content.decode()).group(0)


def _count(client, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("supervisor-overview"), **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_costs_the_same_queries_for_2_and_20_halls(client, qh, other, city, commits) -> None:
    for hall in (qh, other):
        commits(lambda hall=hall: issue(hall.hall, hall.a))
    client.get(reverse("supervisor-overview"))  # the session's first request may write it
    page, region = _count(client), _count(client, headers=LIVE)
    for n in range(18):
        extra = make_queue_hall(f"H{n:02d}")
        services.window_sign_in(window=extra.window_a, staff=extra.staff[2])
        commits(lambda extra=extra: issue(extra.hall, extra.a))
        WaitAlert.objects.create(**_alert_fields(extra.hall, extra.a))
    body = poll(client).content.decode()
    assert body.count('scope="row"><a href') == 20
    assert (_count(client), _count(client, headers=LIVE)) == (page, region)
    # session, user, the user's groups and profile (staff scope), halls, queue categories with
    # their settings, tickets by queue, open windows with their queues, open alerts by hall, last
    # week's roll-ups, the halls' opening hours and today's calendar kind, today's assistance
    # requests by hall.
    assert region == 13


# --- A hall's wait alerts ------------------------------------------------------------------------

ALERTS = {"HX-Request": "true", "HX-Target": "hall-alerts"}


def alerts_version(body: str) -> str:
    found = re.search(r'id="hall-alerts"[^>]*hx-get="[^"]*\?v=([^"&]+)"', html.unescape(body))
    assert found, "the alerts region carries no version"
    return unquote(found.group(1))


def poll_alerts(client, hall, version=None, headers=ALERTS):
    url = reverse("supervisor-hall", args=[hall.code])
    if version is not None:
        url += f"?v={version}"
    return client.get(url, headers=headers)


def test_a_halls_alerts_answer_204_until_one_is_raised_acknowledged_or_closed(
    client, qh, other, commits, django_assert_max_num_queries
) -> None:
    supervisor = staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    client.force_login(supervisor)
    commits(lambda: _raise_alert(qh))
    page = client.get(reverse("supervisor-hall", args=[qh.hall.code])).content.decode()
    version = alerts_version(page)
    with django_assert_max_num_queries(2):
        assert poll_alerts(client, qh.hall, version).status_code == 204
    # The live figures and the controls are not answered with the alerts' version.
    live = {"HX-Request": "true", "HX-Target": "hall-live"}
    assert poll_alerts(client, qh.hall, version, headers=live).status_code == 200
    commits(lambda: monitor.monitor_run())
    response = poll_alerts(client, qh.hall, version)
    assert response.status_code == 200 and "确认预警" in response.content.decode()
    version = alerts_version(response.content.decode())
    assert poll_alerts(client, qh.hall, version).status_code == 204
    alert = WaitAlert.objects.get()
    commits(lambda: services.alert_acknowledge(alert=alert, user=supervisor, cause="人手不足", action="增开窗口"))
    response = poll_alerts(client, qh.hall, version)
    assert response.status_code == 200 and "已确认，待解除" in response.content.decode()


def test_the_overview_reads_the_halls_targets_with_the_halls_or_in_one_query(qh, other, commits) -> None:
    """``halls_in_scope`` brings each hall's settings along; halls read without them cost one
    query more, never one per hall or per queue."""
    from catalog.models import Hall
    from queueing import dashboard
    from queueing.models import HallQueueSettings

    HallQueueSettings.objects.create(hall=qh.hall, max_waiting_per_window=0)
    commits(lambda: issue(qh.hall, qh.a))  # one waiting, no window open: over 0 per window
    with CaptureQueriesContext(connection) as scoped:
        rows = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=START).rows
    with CaptureQueriesContext(connection) as plain:
        bare = dashboard.city_overview(halls=list(Hall.objects.order_by("code")), now=START).rows
    assert len(plain) == len(scoped) + 1
    light = {row.hall.code: row.light.name for row in rows}
    assert light == {row.hall.code: row.light.name for row in bare}
    assert light[qh.hall.code] == "red" and light[other.hall.code] == "green"
