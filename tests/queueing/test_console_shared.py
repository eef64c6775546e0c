"""The consoles of a hall share one read of the hall's queue per change (issue 14).

After any change of a hall every console of it renders its queue again at its next poll; what
they read alike (``selectors.HallQueue``) is read once, kept under the hall's console generation
(``queueing.console.shared_hall_queue``), and each window picks its own queue from it. These
tests hold the window's pick to the call's own query (``services.callable_tickets``), and check
that a change anywhere still shows at every window's next poll.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from queueing import selectors, services, snapshot
from queueing.models import Ticket
from servicehall import cache as shared_cache
from tests.queueing.factories import NOW
from tests.queueing.test_console_poll import HTMX, issue, poll, version_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("console_shared_queue")]
DB = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerks(qh, commits) -> dict[int, Client]:
    """A logged-in browser for each of the hall's four windows, its clerk signed in there."""
    commits(qh.sign_in_all)
    browsers = {}
    for number, user in qh.staff.items():
        browsers[number] = Client()
        browsers[number].force_login(user)
    return browsers


tickets_spec = st.lists(
    st.fixed_dictionaries(
        {
            "category": st.sampled_from("AB"),
            "priority": st.sampled_from(["", "", Ticket.Priority.ELDERLY, Ticket.Priority.APPOINTMENT]),
            "urgent": st.sampled_from([False, False, False, True]),
            "waited": st.sampled_from([0, 5, 44, 46, 90]),  # past 45 minutes: waited too long
            "slot_in": st.sampled_from([None, None, None, -5, 10]),  # an appointment's slot, minutes from now
            "target": st.sampled_from([None, None, None, None, 2, 3]),  # transferred to window 2 or 3
        }
    ),
    min_size=1,
    max_size=12,
)


@DB
@given(tickets_spec)
def test_each_window_shows_what_its_calls_would_take_in_their_order(qh, spec) -> None:
    with transaction.atomic():
        qh.sign_in_all(NOW)
        windows = {w.number: w for w in (qh.comprehensive, qh.window_a, qh.window_b, qh.green)}
        for item in spec:
            n = next(_serial)
            category = qh.a if item["category"] == "A" else qh.b
            arrived = NOW - dt.timedelta(minutes=item["waited"])
            Ticket.objects.create(
                hall=qh.hall,
                category=category,
                service_date=NOW.date(),
                sequence=n,
                number=f"{category.letter}{n:03d}",
                token=f"shared-{n}",
                source=Ticket.Source.KIOSK,
                status=Ticket.Status.WAITING,
                issued_at=arrived,
                arrived_at=arrived,
                priority=item["priority"],
                urgent=item["urgent"],
                not_before=None if item["slot_in"] is None else NOW + dt.timedelta(minutes=item["slot_in"]),
                target_window=None if item["target"] is None else windows[item["target"]],
            )
        shared = selectors.hall_queue(hall_id=qh.hall.pk, now=NOW)
        for window in windows.values():
            console = selectors.console(window=window, now=NOW, shared=shared)
            callable_now = list(services.callable_tickets(window=window, now=NOW).values_list("pk", flat=True))
            later = list(services.scheduled_tickets(window=window, now=NOW).values_list("pk", flat=True))
            assert [t.pk for t in console.upcoming] == callable_now[: selectors.CONSOLE_LIST_LENGTH], window.number
            assert console.waiting_total == len(callable_now)
            assert [t.pk for t in console.scheduled] == later and console.scheduled_total == len(later)
            assert sum(n for _, _, n in console.per_category) == len(callable_now)
            # Read here from the database or shared: the same console.
            assert selectors.console(window=window, now=NOW).upcoming == console.upcoming
        transaction.set_rollback(True)


def test_the_windows_of_a_hall_share_one_read_per_change(qh, clerks, commits) -> None:
    for _ in range(3):
        commits(lambda: issue(qh))

    def queries(number: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert poll(clerks[number], getattr(qh, {2: "window_a", 3: "window_b"}[number])).status_code == 200
        return len(ctx.captured_queries)

    first = queries(2)
    assert queries(3) == first - 4  # the hall's waiting tickets, categories, windows' categories, assistance
    commits(lambda: issue(qh))  # the hall changed: read once more, then shared again
    assert queries(3) == first and queries(2) == first - 4


def test_two_windows_with_different_queues_see_their_own(qh, clerks, commits) -> None:
    commits(lambda: issue(qh, qh.a))
    commits(lambda: issue(qh, qh.b))
    a = poll(clerks[2], qh.window_a).content.decode()
    b = poll(clerks[3], qh.window_b).content.decode()  # from the read window 2's poll shared
    assert "A001" in a and "B001" not in a
    assert "B001" in b and "A001" not in b


def test_a_call_or_issue_at_another_window_shows_at_the_next_poll(qh, clerks, commits) -> None:
    commits(lambda: issue(qh, qh.a))
    commits(lambda: issue(qh, qh.a))
    seen = version_of(poll(clerks[2], qh.window_a).content.decode())
    poll(clerks[1], qh.comprehensive)  # another console of the hall renders from the shared read
    commits(lambda: services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1]))
    response = poll(clerks[2], qh.window_a, seen)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A001" not in body and "A002" in body
    seen = version_of(body)
    commits(lambda: issue(qh, qh.a))  # a ticket issued at the kiosk
    response = poll(clerks[2], qh.window_a, seen)
    assert response.status_code == 200 and "A003" in response.content.decode()


def test_a_shared_read_lasts_a_minute_at_most(qh, clerks, commits, clock) -> None:
    """A change the generation does not see (made outside the services) shows within a minute."""
    commits(lambda: issue(qh))
    assert "A001" in poll(clerks[2], qh.window_a).content.decode()
    Ticket.objects.filter(number="A001").update(status=Ticket.Status.CANCELLED)
    clock.shift(dt.timedelta(seconds=61))
    assert "A001" not in poll(clerks[2], qh.window_a).content.decode()


def test_redis_away_each_poll_reads_the_database(qh, clerks, commits) -> None:
    commits(lambda: issue(qh))
    assert "A001" in poll(clerks[2], qh.window_a).content.decode()
    shared_cache._went_down(OSError("Redis did not answer (test)"))
    Ticket.objects.filter(number="A001").update(status=Ticket.Status.CANCELLED)  # no generation replaced
    assert "A001" not in poll(clerks[2], qh.window_a).content.decode()


def test_a_new_day_is_not_read_from_the_day_before(qh, clerks, commits, clock) -> None:
    commits(lambda: issue(qh))
    generation = snapshot.console_key(qh.hall.pk)
    assert "A001" in poll(clerks[2], qh.window_a).content.decode()
    from django.core.cache import cache

    token = cache.get(generation)
    clock.shift(dt.timedelta(hours=16))  # two in the morning of the next day
    assert cache.get(generation) == token  # the generation still stands
    assert "A001" not in poll(clerks[2], qh.window_a).content.decode()


def test_the_whole_panel_shows_the_same_queue(qh, clerks, commits) -> None:
    commits(lambda: issue(qh))
    poll(clerks[1], qh.comprehensive)
    page = clerks[2].get("/staff/", headers=HTMX).content.decode()
    assert "A001" in page
