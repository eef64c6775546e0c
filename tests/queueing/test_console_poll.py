"""The console's queue poll answers 204 while nothing it shows has changed (issue 14).

The queue fragment carries a signed version (``?v=``, ``queueing.console.poll_version``); a poll
that sends back a version that still stands is answered 204 with no query beyond the session and
its user, and every change the fragment shows makes the next poll render it again.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from queueing import services
from queueing.models import AssistanceRequest, Ticket
from servicehall import cache as shared_cache
from servicehall import roles
from tests.queueing.factories import NOW
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("console_shared_queue")]
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(qh, category=None):
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk").ticket


def version_of(body: str) -> str:
    found = re.search(
        r'id="console-queue"[^>]*hx-get="[^"]*[?&](?:amp;)?v=([^"&]+)"', html.unescape(body).replace("&", "&amp;")
    )
    assert found, "the queue carries no version"
    return unquote(found.group(1))


def poll(client, window, version=None):
    url = reverse("console-panel", args=[window.pk]) + "?part=queue"
    if version is not None:
        url += f"&v={version}"
    return client.get(url, headers=HTMX)


def seen(client, qh) -> str:
    """The version of the queue as the console shows it now."""
    response = poll(client, qh.window_a)
    assert response.status_code == 200
    return version_of(response.content.decode())


def test_unchanged_queue_is_answered_204_with_the_session_and_user_only(
    client, qh, clerk, commits, django_assert_max_num_queries
) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    with django_assert_max_num_queries(2):
        response = poll(client, qh.window_a, version)
    assert response.status_code == 204 and response.content == b""
    assert "no-cache" in response["Cache-Control"]
    # The whole panel (page load, after an action) carries the same kind of version.
    panel = client.get("/staff/").content.decode()
    assert poll(client, qh.window_a, version_of(panel)).status_code == 204


def test_without_a_version_or_with_a_forged_one_the_queue_renders(client, qh, clerk, commits) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    assert poll(client, qh.window_a).status_code == 200
    assert poll(client, qh.window_a, version[:-2] + "xx").status_code == 200
    # Another window's poll does not take this window's version.
    assert poll(client, qh.window_b, version).status_code != 204


CHANGES = {
    "issue": lambda qh: issue(qh),
    "issue_elsewhere": lambda qh: issue(qh, qh.b),  # another queue of the hall: renders too (cheap, safe)
    "call_by_this_window": lambda qh: services.ticket_call_next(window=qh.window_a, staff=qh.staff[2]),
    "call_by_the_green_window": lambda qh: (
        services.window_sign_in(window=qh.green, staff=qh.staff[4]),
        services.ticket_call_next(window=qh.green, staff=qh.staff[4]),
    ),
    "green_channel": lambda qh: services.ticket_grant_priority(
        window=qh.window_a,
        ticket=Ticket.objects.get(number="A001"),
        staff=qh.staff[2],
        reason="行动不便",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_of_the_queue_renders_it_again(client, qh, clerk, commits, change) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    commits(lambda: CHANGES[change](qh))
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200
    body = response.content.decode()
    if change == "issue":
        assert "A002" in body
    if change == "call_by_this_window":
        assert "叫下一号" not in body  # a ticket is at the counter now
    # The new version stands until the next change.
    assert poll(client, qh.window_a, version_of(body)).status_code == 204


def test_a_ticket_transferred_into_the_queue_renders_it_again(client, qh, clerk, commits) -> None:
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    commits(lambda: issue(qh, qh.b))
    commits(lambda: services.ticket_call_next(window=qh.window_b, staff=qh.staff[3]))
    version = seen(client, qh)
    assert "B001" not in poll(client, qh.window_a).content.decode()
    ticket = Ticket.objects.get(number="B001")
    commits(
        lambda: services.ticket_transfer(
            window=qh.window_b, ticket=ticket, staff=qh.staff[3], reason="业务类别选错", category=qh.a
        )
    )
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "B001" in response.content.decode()


def test_finishing_at_the_counter_renders_the_call_button_again(client, qh, clerk, commits) -> None:
    commits(lambda: issue(qh))
    ticket = commits(lambda: services.ticket_call_next(window=qh.window_a, staff=qh.staff[2]))
    version = seen(client, qh)
    commits(lambda: services.ticket_finish(window=qh.window_a, ticket=ticket, staff=qh.staff[2]))
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "叫下一号" in response.content.decode()


def test_an_assistance_request_renders_the_badge(client, qh, clerk, commits) -> None:
    ticket = commits(lambda: issue(qh))
    version = seen(client, qh)
    kinds, reasons = AssistanceRequest.Kind, AssistanceRequest.Reason
    wish = services.assistance_wish(kind=kinds.values[0], reason=reasons.values[0])
    request = commits(lambda: services.assistance_request(hall=qh.hall, wish=wish, source="kiosk", ticket=ticket))
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "badge-assist" in response.content.decode()
    assert "协助人员已接单" not in response.content.decode()
    # A helper takes it: the badge says so at the next poll.
    version = version_of(response.content.decode())
    commits(lambda: services.assistance_take(request=request, staff=qh.staff[1]))
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "协助人员已接单" in response.content.decode()


@pytest.mark.parametrize("how", ["signed_out", "closed_by_supervisor"])
def test_a_window_that_closed_is_said_so_at_the_next_poll(client, qh, clerk, commits, how) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    if how == "signed_out":
        commits(lambda: services.window_sign_out(window=qh.window_a, staff=qh.staff[2]))
    else:
        supervisor = staff_user("sup", role=roles.SUPERVISOR, hall_=qh.hall)
        commits(lambda: services.window_close(window=qh.window_a, user=supervisor))
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#console-panel" and "叫下一号" not in response.content.decode()


def test_a_role_taken_away_is_refused_at_the_next_poll(client, qh, clerk, commits) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    clerk.groups.remove(Group.objects.get(name=roles.WINDOW_STAFF))
    assert poll(client, qh.window_a, version).status_code == 403
    clerk.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
    version = seen(client, qh)
    Group.objects.get(name=roles.WINDOW_STAFF).user_set.remove(clerk)  # from the group's side
    assert poll(client, qh.window_a, version).status_code == 403


def test_an_ended_session_still_gets_the_login_redirect(client, qh, clerk, commits) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    client.session.delete()  # the session expired (or was ended elsewhere)
    response = poll(client, qh.window_a, version)
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))
    # Another user in the same browser is not answered with the first one's version.
    client.force_login(qh.staff[3])
    assert poll(client, qh.window_a, version).status_code == 200  # the not-signed-in notice


def test_redis_away_the_queue_always_renders(client, qh, clerk, commits) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    shared_cache._went_down(OSError("Redis did not answer (test)"))
    assert shared_cache.degraded()
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "A001" in response.content.decode()
    # A queue rendered meanwhile carries no version: its polls render every time.
    assert "v=" not in re.search(r'id="console-queue"[^>]*', response.content.decode()).group(0)


def test_an_appointment_whose_slot_starts_renders_the_queue(client, qh, clerk, commits, clock) -> None:
    ticket = commits(lambda: issue(qh))
    Ticket.objects.filter(pk=ticket.pk).update(not_before=NOW + dt.timedelta(seconds=30))
    commits(lambda: services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk"))  # a change, to re-render
    version = seen(client, qh)
    assert "起可叫" in poll(client, qh.window_a).content.decode()
    clock.shift(dt.timedelta(seconds=20))
    assert poll(client, qh.window_a, version).status_code == 204
    clock.shift(dt.timedelta(seconds=11))  # the slot has started: A001 is callable now
    response = poll(client, qh.window_a, version)
    assert response.status_code == 200 and "起可叫" not in response.content.decode()


def test_a_version_stands_a_minute_at_most(client, qh, clerk, commits, clock) -> None:
    commits(lambda: issue(qh))
    version = seen(client, qh)
    clock.shift(dt.timedelta(seconds=59))
    assert poll(client, qh.window_a, version).status_code == 204
    clock.shift(dt.timedelta(seconds=2))
    assert poll(client, qh.window_a, version).status_code == 200
