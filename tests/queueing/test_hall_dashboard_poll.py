"""A hall's live figures and window controls answer 204 while nothing they show has changed
(issue 14).

The regions ``hall-live`` and ``hall-controls`` of ``/supervisor/halls/<code>/`` carry a signed
version (``?v=``, ``queueing.dashboard_poll.poll_version`` with ``dashboard=True``): the hall's
console generation, its dashboard generation (the sections other apps add, the staff who may be
put at a window), the user's generation, the path, the region, the language and the next minute.
The sections' own changes are tested with their apps (tests/cases, tests/feedback).
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

from queueing import services
from servicehall import cache as shared_cache
from servicehall import roles
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
LIVE, CONTROLS = "hall-live", "hall-controls"
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
def supervisor(client, qh):
    user = staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    client.force_login(user)
    return user


# --- Helpers the sections' tests share ------------------------------------------------------------


def region_version(body: str, region: str) -> str:
    found = re.search(rf'id="{region}"[^>]*hx-get="[^"]*\?v=([^"&]+)"', html.unescape(body))
    assert found, f"the region {region} carries no version"
    return unquote(found.group(1))


def poll_region(client, hall, region: str, version: str | None = None):
    url = reverse("supervisor-hall", args=[hall.code])
    if version is not None:
        url += f"?v={version}"
    return client.get(url, headers={"HX-Request": "true", "HX-Target": region})


def seen_region(client, hall, region: str) -> str:
    """The version a poll of ``region`` renders (and asserts it stands: a second poll is 204)."""
    response = poll_region(client, hall, region)
    assert response.status_code == 200
    version = region_version(response.content.decode(), region)
    assert poll_region(client, hall, region, version).status_code == 204
    return version


def assert_renders_after(client, hall, commits, change, regions=(LIVE,)) -> None:
    """Each of ``regions`` answers 204 before ``change`` and renders (200) after it."""
    versions = {region: seen_region(client, hall, region) for region in regions}
    commits(change)
    for region, version in versions.items():
        response = poll_region(client, hall, region, version)
        assert response.status_code == 200, region
        # The new version stands until the next change.
        fresh = region_version(response.content.decode(), region)
        assert poll_region(client, hall, region, fresh).status_code == 204, region


# --- The tests -------------------------------------------------------------------------------------


def _count(client, hall, region, version=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = poll_region(client, hall, region, version)
    return response.status_code, len(ctx.captured_queries)


def test_unchanged_live_figures_and_controls_are_answered_204_with_two_queries(
    client, qh, supervisor, commits, django_assert_max_num_queries
) -> None:
    commits(lambda: services.window_sign_in(window=qh.window_a, staff=qh.staff[2]))
    commits(lambda: services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk"))
    client.get(reverse("supervisor-hall", args=[qh.hall.code]))  # the session's first request may write it
    for region in (LIVE, CONTROLS):
        status, rendered = _count(client, qh.hall, region)
        version = region_version(poll_region(client, qh.hall, region).content.decode(), region)
        with django_assert_max_num_queries(2):
            response = poll_region(client, qh.hall, region, version)
        assert response.status_code == 204 and response.content == b""
        assert "no-cache" in response["Cache-Control"]
        assert status == 200 and rendered > 2
    # The whole page carries the same versions, and its regions poll the same way.
    page = client.get(reverse("supervisor-hall", args=[qh.hall.code])).content.decode()
    for region in (LIVE, CONTROLS, "hall-alerts"):
        assert poll_region(client, qh.hall, region, region_version(page, region)).status_code == 204
    # A region is not answered with another's version.
    live = region_version(page, LIVE)
    assert poll_region(client, qh.hall, CONTROLS, live).status_code == 200
    assert poll_region(client, qh.hall, "hall-alerts", live).status_code == 200


def test_a_queue_change_renders_the_live_figures_and_the_controls(client, qh, supervisor, commits) -> None:
    assert_renders_after(
        client,
        qh.hall,
        commits,
        lambda: services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk"),
        regions=(LIVE, CONTROLS),
    )
    assert_renders_after(
        client,
        qh.hall,
        commits,
        lambda: services.window_sign_in(window=qh.window_b, staff=qh.staff[3]),
        regions=(LIVE, CONTROLS),
    )
    assert_renders_after(
        client,
        qh.hall,
        commits,
        lambda: services.board_message_post(hall=qh.hall, user=supervisor, text="系统维护", minutes=30),
        regions=(CONTROLS,),
    )


def test_a_change_in_another_hall_keeps_the_204(client, qh, other, supervisor, commits) -> None:
    versions = {region: seen_region(client, qh.hall, region) for region in (LIVE, CONTROLS)}
    commits(lambda: services.ticket_issue(hall=other.hall, category=other.a, source="kiosk"))
    commits(lambda: Client().force_login(other.staff[2]))
    for region, version in versions.items():
        assert poll_region(client, qh.hall, region, version).status_code == 204


def test_a_clerk_logging_in_or_out_renders_the_controls(client, qh, supervisor, commits) -> None:
    def not_logged_in() -> int:
        return poll_region(client, qh.hall, CONTROLS).content.decode().count("（未登录）")

    clerk = Client()
    nobody = not_logged_in()
    assert_renders_after(client, qh.hall, commits, lambda: clerk.force_login(qh.staff[3]), regions=(CONTROLS,))
    assert not_logged_in() < nobody  # qh-w3 may now be put at a window
    assert_renders_after(client, qh.hall, commits, lambda: clerk.post(reverse("logout")), regions=(CONTROLS,))
    assert not_logged_in() == nobody


def test_a_clerk_moved_to_another_hall_renders_both_halls_controls(client, qh, other, commits) -> None:
    client.force_login(staff_user("city-sup", role=roles.SUPERVISOR))
    versions = {hall.pk: seen_region(client, hall, CONTROLS) for hall in (qh.hall, other.hall)}
    profile = qh.staff[3].staff_profile
    profile.hall = other.hall
    commits(profile.save)
    for hall in (qh.hall, other.hall):
        assert poll_region(client, hall, CONTROLS, versions[hall.pk]).status_code == 200


def test_a_role_given_or_taken_renders_the_controls(client, qh, supervisor, commits) -> None:
    newcomer = staff_user("newcomer", hall_=qh.hall)
    window_staff = Group.objects.get_or_create(name=roles.WINDOW_STAFF)[0]
    assert_renders_after(client, qh.hall, commits, lambda: newcomer.groups.add(window_staff), regions=(CONTROLS,))
    assert "newcomer" in poll_region(client, qh.hall, CONTROLS).content.decode()
    assert_renders_after(client, qh.hall, commits, lambda: newcomer.groups.remove(window_staff), regions=(CONTROLS,))


def test_the_outcome_of_a_change_is_said_until_the_next_poll_renders(client, qh, supervisor, commits) -> None:
    """The controls answered to a change carry no version: the next poll renders them without
    the notice, as before versions."""
    Client().force_login(qh.staff[3])
    url = reverse("supervisor-window-open", args=[qh.hall.code, qh.window_b.pk])
    response = commits(
        lambda: client.post(url, {"clerk": qh.staff[3].pk}, headers={"HX-Request": "true", "HX-Target": CONTROLS})
    )
    body = response.content.decode()
    assert response.status_code == 200 and "已开放3号窗口" in body
    assert body.count('id="hall-controls"') == 1 and "?v=" not in re.search(r'id="hall-controls"[^>]*', body).group(0)
    response = poll_region(client, qh.hall, CONTROLS)
    assert response.status_code == 200 and "已开放3号窗口，" not in response.content.decode()


def test_a_supervisor_of_another_hall_learns_nothing_from_a_version(client, qh, other, supervisor, commits) -> None:
    mine = {region: seen_region(client, qh.hall, region) for region in (LIVE, CONTROLS)}
    stranger = Client()
    stranger.force_login(staff_user("other-sup", role=roles.SUPERVISOR, hall_=other.hall))
    theirs = {region: seen_region(stranger, other.hall, region) for region in (LIVE, CONTROLS)}
    for region in (LIVE, CONTROLS):
        # Another user's version (signed with that user) and their own version for their own
        # hall are both refused as for any request for a hall outside their scope: never a 204.
        assert poll_region(stranger, qh.hall, region, mine[region]).status_code == 403
        assert poll_region(stranger, qh.hall, region, theirs[region]).status_code == 403
        # A version altered to name them fails its signature.
        forged = mine[region].replace(f"|{supervisor.pk}|", f"|{stranger.session['_auth_user_id']}|")
        assert poll_region(stranger, qh.hall, region, forged).status_code == 403
    # Still standing for the supervisor who was given it.
    assert all(poll_region(client, qh.hall, region, mine[region]).status_code == 204 for region in (LIVE, CONTROLS))


def test_the_live_figures_render_again_when_the_minute_turns(client, qh, supervisor, commits, clock) -> None:
    version = seen_region(client, qh.hall, LIVE)
    clock.shift(dt.timedelta(seconds=54))  # 10:00:59
    assert poll_region(client, qh.hall, LIVE, version).status_code == 204
    clock.shift(dt.timedelta(seconds=1))
    response = poll_region(client, qh.hall, LIVE, version)
    assert response.status_code == 200 and "数据更新于 10:01:00" in response.content.decode()


def test_redis_away_the_live_figures_and_controls_always_render(client, qh, supervisor) -> None:
    versions = {region: seen_region(client, qh.hall, region) for region in (LIVE, CONTROLS)}
    shared_cache._went_down(OSError("Redis did not answer (test)"))
    assert shared_cache.degraded()
    for region, version in versions.items():
        response = poll_region(client, qh.hall, region, version)
        assert response.status_code == 200
        assert "?v=" not in re.search(rf'id="{region}"[^>]*', response.content.decode()).group(0)


def test_a_role_taken_from_the_supervisor_is_refused_at_the_next_poll(client, qh, supervisor) -> None:
    version = seen_region(client, qh.hall, LIVE)
    supervisor.groups.remove(Group.objects.get(name=roles.SUPERVISOR))
    assert poll_region(client, qh.hall, LIVE, version).status_code == 403
