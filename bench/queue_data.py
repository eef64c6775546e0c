#!/usr/bin/env python
"""Bench helper for the queues, run in the bench database's environment. Prints JSON.

queue_data.py setup            a hall open around the clock (categories, signed-in windows),
                               a citywide supervisor and a session cookie for the dashboard
queue_data.py history N        make the hall's ticket history N rows long (past days)
queue_data.py duplicates       duplicated ticket numbers per hall and day (must be 0)
queue_data.py monitor          200 halls × 8 categories with waiting tickets: time monitor_run
                               and count its queries
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.hours import SHANGHAI  # noqa: E402
from catalog.models import CalendarDay, Hall, HallOpeningHours  # noqa: E402
from queueing import services  # noqa: E402
from queueing.models import QueueCategory, Ticket, Window  # noqa: E402
from queueing.monitor import monitor_run  # noqa: E402
from servicehall import roles  # noqa: E402
from servicehall.models import StaffProfile  # noqa: E402
from servicehall.sessions import SessionStore  # noqa: E402

BENCH_HALL = "BENCH"
LETTERS = "ABCDEFGH"


def _open_all_day(hall: Hall) -> None:
    for weekday in range(7):
        HallOpeningHours.objects.update_or_create(
            hall=hall,
            weekday=weekday,
            defaults={
                "morning_opens": dt.time(0, 0),
                "morning_closes": dt.time(12, 0),
                "afternoon_opens": dt.time(12, 0),
                "afternoon_closes": dt.time(23, 59, 59),
            },
        )


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def setup() -> dict:
    # The bench must not depend on today being a working day in China.
    CalendarDay.objects.update_or_create(date=_today(), defaults={"kind": "workday", "source": "manual"})
    hall, _ = Hall.objects.get_or_create(
        code=BENCH_HALL,
        defaults={"name": "基准测试大厅", "level": "district", "district": "tianhe", "address": "基准测试"},
    )
    _open_all_day(hall)
    # Each run starts with an empty queue, as a hall does in the morning.
    Ticket.objects.filter(hall=hall, service_date=_today(), status="waiting").update(status="expired")
    categories = []
    for order, letter in enumerate("AB", start=1):
        category, _ = QueueCategory.objects.get_or_create(
            hall=hall, letter=letter, defaults={"name": f"类别{letter}", "order": order}
        )
        categories.append(category)
    users = get_user_model().objects
    for number in range(1, 5):
        window, _ = Window.objects.get_or_create(hall=hall, number=number, defaults={"kind": Window.Kind.SPECIALISED})
        window.categories.add(categories[number % 2])
        staff, _ = users.get_or_create(username=f"bench-window-{number}")
        staff.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
        StaffProfile.objects.get_or_create(user=staff, defaults={"hall": hall, "display_name": staff.username})
        if window.staff_id is None:
            services.window_sign_in(window=window, staff=staff)
    supervisor, _ = users.get_or_create(username="bench-supervisor")
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    StaffProfile.objects.get_or_create(user=supervisor, defaults={"display_name": "基准测试监督员"})
    session = SessionStore()
    session["_auth_user_id"] = str(supervisor.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = supervisor.get_session_auth_hash()
    session["_two_factor"] = "ok"  # past the second factor (servicehall.twofactor.VERIFIED), as a bench client
    session.create()
    return {"hall": BENCH_HALL, "cookie": f"sessionid={session.session_key}"}


def history(target: int) -> dict:
    """Top the bench hall's history up to ``target`` tickets over the past year (not today)."""
    hall = Hall.objects.get(code=BENCH_HALL)
    category = QueueCategory.objects.get(hall=hall, letter="A")
    history_rows = Ticket.objects.filter(hall=hall).exclude(service_date=_today())
    have = history_rows.count()
    if have > target:  # measuring a smaller history after a larger one: start again
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM queueing_ticketevent WHERE ticket_id IN "
                "(SELECT id FROM queueing_ticket WHERE hall_id = %s AND service_date < %s)",
                [hall.pk, _today()],
            )
            cursor.execute("DELETE FROM queueing_ticket WHERE hall_id = %s AND service_date < %s", [hall.pk, _today()])
        have = 0
    missing = max(0, target - have)
    if missing and connection.vendor == "postgresql":
        # generate_series: a million rows in seconds, where the ORM would take minutes.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source,
                    priority, urgent, status, id_hash, id_masked, issued_at, arrived_at, called_at, started_at,
                    finished_at, call_count, transfer_count)
                SELECT %(hall)s, %(category)s, d, n, 'H' || (%(offset)s + g), md5('bench' || (%(offset)s + g)),
                    'kiosk', '', false, 'done', '', '', ts, ts, ts + interval '9 minutes', ts + interval '10 minutes',
                    ts + interval '18 minutes', 1, 0
                FROM (
                    SELECT g, (CURRENT_DATE - 1 - (g %% 365))::date AS d, g / 365 AS n,
                        (CURRENT_DATE - 1 - (g %% 365))::timestamp + interval '9 hours' + (g %% 420) * interval '1 minute' AS ts
                    FROM generate_series(1, %(missing)s) AS g
                ) AS rows
                """,
                {"hall": hall.pk, "category": category.pk, "offset": have, "missing": missing},
            )
    elif missing:
        now = timezone.now()
        batch = []
        for g in range(have + 1, have + missing + 1):
            day = _today() - dt.timedelta(days=1 + g % 365)
            at = now - dt.timedelta(days=1 + g % 365)
            batch.append(
                Ticket(
                    hall=hall,
                    category=category,
                    service_date=day,
                    sequence=g,
                    number=f"H{g}",
                    token=f"bench{g}",
                    source="kiosk",
                    status="done",
                    issued_at=at,
                    arrived_at=at,
                    called_at=at,
                    started_at=at,
                    finished_at=at,
                )
            )
            if len(batch) == 5000:
                Ticket.objects.bulk_create(batch)
                batch = []
        Ticket.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # The table as a running server has it, not as a million rows inserted a second ago left
        # it: vacuumed (the visibility map set, so the counts read the index only), analysed, and
        # the dirty pages written out now rather than by a checkpoint during the measurement (a run
        # once gave the 1 M dashboard 1.35 × the 10 k one, its p95 below the 10 k one's).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) queueing_ticket")
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:  # not a superuser (pg_checkpoint role since PostgreSQL 15)
                pass
    return {"history_tickets": Ticket.objects.filter(hall=hall).exclude(service_date=_today()).count()}


def duplicates() -> dict:
    rows = Ticket.objects.values("hall_id", "service_date", "number").annotate(n=Count("pk")).filter(n__gt=1)
    issued_today = Ticket.objects.filter(hall__code=BENCH_HALL, service_date=_today()).count()
    return {"duplicates": sum(r["n"] - 1 for r in rows), "issued_today": issued_today}


def monitor() -> dict:
    """200 halls × 8 categories, each with windows and waiting tickets; time monitor_run."""
    now = timezone.now()
    today = _today()
    have = Hall.objects.filter(code__startswith="MON-").count()
    if have < 200:
        halls = Hall.objects.bulk_create(
            Hall(code=f"MON-{k:03d}", name=f"监测基准大厅{k}", level="street", district="tianhe", address="基准测试")
            for k in range(have, 200)
        )
        HallOpeningHours.objects.bulk_create(
            HallOpeningHours(
                hall=h,
                weekday=w,
                morning_opens=dt.time(0),
                morning_closes=dt.time(12),
                afternoon_opens=dt.time(12),
                afternoon_closes=dt.time(23, 59, 59),
            )
            for h in halls
            for w in range(7)
        )
        categories = QueueCategory.objects.bulk_create(
            QueueCategory(hall=h, letter=letter, name=f"类别{letter}", order=i)
            for h in halls
            for i, letter in enumerate(LETTERS)
        )
        Window.objects.bulk_create(
            Window(hall=h, number=n, kind="comprehensive", is_open=True) for h in halls for n in (1, 2)
        )
        tickets = []
        for c in categories:
            for k in range(6):
                at = now - dt.timedelta(minutes=5 * k + (40 if c.letter == "A" else 0))
                tickets.append(
                    Ticket(
                        hall_id=c.hall_id,
                        category=c,
                        service_date=today,
                        sequence=k + 1,
                        number=f"{c.letter}{k + 1:03d}",
                        token=f"mon-{c.pk}-{k}",
                        source="kiosk",
                        issued_at=at,
                        arrived_at=at,
                    )
                )
        Ticket.objects.bulk_create(tickets, batch_size=5000)
    durations, queries = [], []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = monitor_run(now=timezone.now())
            durations.append(time.perf_counter() - started)
        queries.append(len(ctx.captured_queries))
    return {
        "monitor_seconds_200_halls": round(statistics.median(durations), 4),
        "monitor_queries": queries[-1],
        "monitor_queries_all_runs": queries,
        "monitor_queues_evaluated": result.queues_evaluated,
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {"setup": setup, "history": lambda: history(int(rest[0])), "duplicates": duplicates, "monitor": monitor}
    print(json.dumps(handlers[command]()))
