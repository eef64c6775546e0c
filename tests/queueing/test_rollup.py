"""The daily roll-up: a small known day, counted by hand, and reruns."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queueing import rollup, services
from queueing.models import DailyStat, HallQueueSettings, QueueCategory, Ticket
from servicehall.clock import SHANGHAI
from tests.queueing.factories import NOW, make_queue_hall

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
DAY = NOW.date()


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def day(qh):
    """Thursday 26 November 2026 at hall QH:

    ===  ===  ======  =====================================================  ====  =======
    no.  cat  taken   what happened                                          wait  service
    ===  ===  ======  =====================================================  ====  =======
    t1   A    10:00   called 10:05 at window 2, started 10:06, done 10:16       5'     10'
    t2   A    10:02   called 10:16 at window 2, no-show 10:20                 14'      –
    t3   B    10:10   cancelled 10:15                                          –       –
    t4   B    10:30   called 11:05 at window 1 (comprehensive), done 11:20    35'     15'
    t5   A    11:10   never called, expired at closing                         –       –
    ===  ===  ======  =====================================================  ====  =======
    """
    qh.sign_in_all(now=at(9, 30))
    staff = qh.staff

    def issue(category, moment):
        return services.ticket_issue(hall=qh.hall, category=category, source="kiosk", now=moment).ticket

    t1, t2, t3, t4 = issue(qh.a, at(10, 0)), issue(qh.a, at(10, 2)), issue(qh.b, at(10, 10)), issue(qh.b, at(10, 30))
    assert services.ticket_call_next(window=qh.window_a, staff=staff[2], now=at(10, 5)) == t1
    services.ticket_start(window=qh.window_a, ticket=t1, staff=staff[2], now=at(10, 6))
    services.ticket_finish(window=qh.window_a, ticket=t1, staff=staff[2], now=at(10, 16))
    assert services.ticket_call_next(window=qh.window_a, staff=staff[2], now=at(10, 16)) == t2
    services.ticket_no_show(window=qh.window_a, ticket=t2, staff=staff[2], now=at(10, 20))
    services.ticket_cancel(ticket=t3, now=at(10, 15))
    assert services.ticket_call_next(window=qh.comprehensive, staff=staff[1], now=at(11, 5)) == t4
    services.ticket_finish(window=qh.comprehensive, ticket=t4, staff=staff[1], now=at(11, 20))
    t5 = issue(qh.a, at(11, 10))
    assert services.tickets_expire(now=at(17, 5)) == 1
    return {"qh": qh, "tickets": (t1, t2, t3, t4, t5)}


def stats() -> dict[str, DailyStat]:
    return {row.scope: row for row in DailyStat.objects.filter(date=DAY)}


def figures(row: DailyStat) -> tuple[int, ...]:
    return (
        row.issued,
        row.served,
        row.no_show,
        row.cancelled,
        row.expired,
        row.waited,
        row.wait_seconds_total,
        row.max_wait_seconds,
        row.service_seconds_total,
    )


def test_a_known_day_rolls_up_per_hall_category_and_window(day) -> None:
    qh = day["qh"]

    assert rollup.rollup_day(day=DAY) == 5

    rows = stats()
    a, b = f"category:{qh.a.pk}", f"category:{qh.b.pk}"
    counter, comprehensive = f"window:{qh.window_a.pk}", f"window:{qh.comprehensive.pk}"
    assert set(rows) == {"hall", a, b, counter, comprehensive}
    #                                issued served no-show cancelled expired waited wait-total max-wait service
    assert figures(rows["hall"]) == (5, 2, 1, 1, 1, 3, (5 + 14 + 35) * 60, 35 * 60, (10 + 15) * 60)
    assert figures(rows[a]) == (3, 1, 1, 0, 1, 2, (5 + 14) * 60, 14 * 60, 10 * 60)
    assert figures(rows[b]) == (2, 1, 0, 1, 0, 1, 35 * 60, 35 * 60, 15 * 60)
    assert figures(rows[counter]) == (2, 1, 1, 0, 0, 2, (5 + 14) * 60, 14 * 60, 10 * 60)
    assert figures(rows[comprehensive]) == (1, 1, 0, 0, 0, 1, 35 * 60, 35 * 60, 15 * 60)
    assert (rows[a].category_id, rows[a].window_id) == (qh.a.pk, None)
    assert (rows[counter].category_id, rows[counter].window_id) == (None, qh.window_a.pk)
    assert rows["hall"].average_wait_seconds == 18 * 60
    assert rows["hall"].average_service_seconds == 12.5 * 60


def test_hourly_figures_are_by_shanghai_hour(day) -> None:
    qh = day["qh"]
    rollup.rollup_day(day=DAY)
    rows = stats()

    # Taken: 4 in the 10 o'clock hour, t5 at 11:10. Done: t1 at 10:16, t4 at 11:20. Called:
    # t1 (5') and t2 (14') in the 10 o'clock hour, t4 (35') at 11:05.
    # Within the target wait (15 minutes by default): t1 (5') and t2 (14'), not t4 (35').
    assert rows["hall"].hourly == {
        "10": {"arrivals": 4, "served": 1, "waited": 2, "wait_total": 19 * 60, "within": 2},
        "11": {"arrivals": 1, "served": 1, "waited": 1, "wait_total": 35 * 60, "within": 0},
    }
    assert rows[f"category:{qh.a.pk}"].hourly == {
        "10": {"arrivals": 2, "served": 1, "waited": 2, "wait_total": 19 * 60, "within": 2},
        "11": {"arrivals": 1, "served": 0, "waited": 0, "wait_total": 0, "within": 0},
    }
    assert rows[f"window:{qh.comprehensive.pk}"].hourly == {
        "10": {"arrivals": 1, "served": 0, "waited": 0, "wait_total": 0, "within": 0},
        "11": {"arrivals": 0, "served": 1, "waited": 1, "wait_total": 35 * 60, "within": 0},
    }


def test_calls_within_each_queues_own_target_wait(day) -> None:
    qh = day["qh"]
    rollup.rollup_day(day=DAY)
    rows = stats()
    a, b = f"category:{qh.a.pk}", f"category:{qh.b.pk}"
    assert [rows[s].waited_within_target for s in ("hall", a, b)] == [2, 2, 0]
    assert rows["hall"].within_target_share == pytest.approx(2 / 3)

    # B's own target (40 minutes) takes t4's 35-minute wait in; the hall's (10) puts t2's 14 out.
    QueueCategory.objects.filter(pk=qh.b.pk).update(target_wait_minutes=40)
    HallQueueSettings.objects.create(hall=qh.hall, target_wait_minutes=10)
    rollup.rollup_day(day=DAY)
    rows = stats()
    assert [rows[s].waited_within_target for s in ("hall", a, b)] == [2, 1, 1]
    assert rows["hall"].hourly["11"]["within"] == 1 and rows[a].hourly["10"]["within"] == 1


def test_rerunning_a_day_gives_the_same_rows(day) -> None:
    rollup.rollup_day(day=DAY)
    first = list(DailyStat.objects.order_by("scope").values())

    assert rollup.rollup_day(day=DAY) == 5
    assert list(DailyStat.objects.order_by("scope").values()) == first


def test_a_rerun_after_a_correction_updates_and_drops_what_no_longer_applies(day) -> None:
    qh = day["qh"]
    rollup.rollup_day(day=DAY)
    t4 = day["tickets"][3]
    # A correction: t4 is recorded as served at window 2 instead of the comprehensive window.
    Ticket.objects.filter(pk=t4.pk).update(window=qh.window_a)

    assert rollup.rollup_day(day=DAY) == 4

    rows = stats()
    assert f"window:{qh.comprehensive.pk}" not in rows
    assert rows[f"window:{qh.window_a.pk}"].served == 2
    assert DailyStat.objects.count() == 4


def test_other_days_and_halls_are_kept_apart(day) -> None:
    other = make_queue_hall("OT")
    services.ticket_issue(hall=other.hall, category=other.a, source="kiosk", now=at(10, 0))
    services.ticket_issue(
        hall=day["qh"].hall, category=day["qh"].a, source="kiosk", now=at(10, 0) + dt.timedelta(days=1)
    )

    assert rollup.rollup_day(day=DAY) == 5 + 2  # the other hall: its hall row and category A

    assert DailyStat.objects.get(hall=other.hall, scope="hall").issued == 1
    assert DailyStat.objects.get(hall=day["qh"].hall, scope="hall").issued == 5
    assert rollup.rollup_day(day=DAY + dt.timedelta(days=1)) == 2
    assert DailyStat.objects.filter(date=DAY).count() == 7


def test_a_day_without_tickets_writes_nothing(db) -> None:
    assert rollup.rollup_day(day=DAY) == 0
    assert not DailyStat.objects.exists()


def test_the_rollup_runs_a_fixed_number_of_queries(day) -> None:
    for n in range(5):
        extra = make_queue_hall(f"X{n}")
        services.ticket_issue(hall=extra.hall, category=extra.b, source="kiosk", now=at(10, n))
    # The categories' targets, four aggregates, the upsert, the existing rows of the day, and the
    # savepoint pair the test's transaction puts around the write; no stale rows to delete on a
    # first run.
    with CaptureQueriesContext(connection) as ctx:
        assert rollup.rollup_day(day=DAY) == 5 + 5 * 2
    assert len(ctx.captured_queries) == 9


def test_the_nightly_task_rolls_up_yesterday_in_shanghai(day) -> None:
    from queueing.tasks import rollup_yesterday

    # 01:05 in Guangzhou is still the previous evening in UTC: "yesterday" is Shanghai's.
    with time_machine.travel(dt.datetime(2026, 11, 27, 1, 5, tzinfo=SHANGHAI), tick=False):
        # ... and the day's service times are learned per queue and hour (queueing.learning).
        assert rollup_yesterday.delay().get() == {"day": "2026-11-26", "rows": 5, "learned": 2}
    assert DailyStat.objects.filter(date=DAY).count() == 5


def test_past_days_are_rolled_up_again_by_the_command(day) -> None:
    """`manage.py rollup_days`: after a correction (or rows written otherwise) the stored rows are
    rewritten from the tickets; today, not over, is refused."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    rollup.rollup_day(day=DAY)
    expected = {scope: figures(row) for scope, row in stats().items()}
    DailyStat.objects.filter(date=DAY, scope="hall").update(max_wait_seconds=1, no_show=0)
    DailyStat.objects.create(date=DAY, hall=day["qh"].hall, scope="window:999999", issued=3)
    out = StringIO()
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        call_command("rollup_days", "--start", (DAY - dt.timedelta(days=1)).isoformat(), stdout=out)
        with pytest.raises(CommandError):
            call_command(
                "rollup_days", "--start", DAY.isoformat(), "--end", (NOW + dt.timedelta(days=2)).date().isoformat()
            )
    assert {scope: figures(row) for scope, row in stats().items()} == expected
    assert "Rolled up" in out.getvalue()
