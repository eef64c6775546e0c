#!/usr/bin/env python
"""Bench helper for staffing (issue 13), run in the bench database's environment. Prints JSON.

staffing_data.py setup     200 halls (``SRG-000`` …, bench/city.py), five weeks of tickets and
                           today's bulk-loaded with generate_series (once a day: a load from an
                           earlier day is replaced), a citywide supervisor and a session cookie
staffing_data.py surges    time ``staffing.services.surge_detect`` at the end of today (every
                           ticket of the day and of the four baseline days counted): the run
                           that raises the day's flags and tells people, and the next run ten
                           minutes later (nothing new: most runs); queries of each

The tickets: 2.45M over the 35 days before today (70,000 a day; the four days on today's weekday
100,000, a busy weekday) and 100,000 today plus 100 more in queue A of each of the last ten
halls (the surges to find). Halls are skewed as a city's are: ``SRG-000`` (the city centre) takes
7 % of them, about 7,000 a day; the smallest a few dozen. Issued 08:30–17:00 local, eight
queues per hall, all served (10 minutes each).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.city import ensure_halls, roles, session_cookie  # noqa: E402
from catalog.models import Hall  # noqa: E402
from queueing.models import QueueCategory, Ticket  # noqa: E402
from servicehall.clock import SHANGHAI, local_date  # noqa: E402
from staffing.models import SurgeFlag  # noqa: E402
from staffing.services import surge_detect  # noqa: E402

PREFIX = "SRG"
HALLS = 200
HISTORY_DAYS = 35
PER_DAY = 70_000
BUSY_DAY = 100_000  # today's weekday, and today
SURGE_HALLS = 10
SURGE_EXTRA = 100

# Hall k of a ticket numbered g: floor((g mod 1000)^2 / 5000), so hall 0 takes 7.1 % and the
# last ones 0.1–0.2 % (a city centre and street halls). Queue: (g div 1000) mod 8, so that every
# hall has all eight. 510 minutes a day.
_INSERT = """
INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source, priority, urgent,
    status, id_hash, id_masked, issued_at, arrived_at, called_at, started_at, finished_at, call_count, transfer_count)
SELECT h.id, c.id, d, g, 'S' || g, %(token)s || g, 'kiosk', '', false, 'done', '', '', ts, ts,
    ts + interval '9 minutes', ts + interval '10 minutes', ts + interval '20 minutes', 1, 0
FROM (
    SELECT g, %(day)s::date AS d, (((g %% 1000) * (g %% 1000)) / 5000)::int AS k, ((g / 1000) %% 8)::int AS q,
        ((%(day)s::date + time '08:30' + ((g * 7) %% 510) * interval '1 minute') AT TIME ZONE 'Asia/Shanghai') AS ts
    FROM generate_series(%(first)s, %(last)s) AS g
) AS rows
JOIN unnest(%(halls)s::bigint[]) WITH ORDINALITY AS h(id, n) ON h.n = rows.k + 1
JOIN unnest(%(categories)s::bigint[]) WITH ORDINALITY AS c(id, n) ON c.n = rows.k * 8 + rows.q + 1
"""


def _halls() -> tuple[list[int], list[int]]:
    halls = ensure_halls(PREFIX, HALLS, "激增基准大厅")
    hall_ids = [h.pk for h in halls]
    by_hall = {
        (c.hall_id, c.letter): c.pk for c in QueueCategory.objects.filter(hall_id__in=hall_ids, letter__in="ABCDEFGH")
    }
    categories = [by_hall[(h, letter)] for h in hall_ids for letter in "ABCDEFGH"]
    return hall_ids, categories


def setup() -> dict:
    hall_ids, categories = _halls()
    today = local_date()
    tickets = Ticket.objects.filter(hall_id__in=hall_ids)
    loaded_today = tickets.filter(service_date=today).exists()
    started = time.perf_counter()
    if not loaded_today:
        with connection.cursor() as cursor:
            ids = "SELECT id FROM queueing_ticket WHERE hall_id = ANY(%s)"
            cursor.execute(f"DELETE FROM queueing_ticketevent WHERE ticket_id IN ({ids})", [hall_ids])
            cursor.execute("DELETE FROM feedback_rating WHERE ticket_id IN (" + ids + ")", [hall_ids])
            cursor.execute("DELETE FROM queueing_ticket WHERE hall_id = ANY(%s)", [hall_ids])
            first = 1
            days = [(today - dt.timedelta(days=back)) for back in range(HISTORY_DAYS, -1, -1)]
            for day in days:
                size = BUSY_DAY if day.weekday() == today.weekday() else PER_DAY
                cursor.execute(
                    _INSERT,
                    {
                        "token": f"srg{day:%y%m%d}-",
                        "day": day,
                        "first": first,
                        "last": first + size - 1,
                        "halls": hall_ids,
                        "categories": categories,
                    },
                )
                first += size
            # The surges: 100 more tickets in queue A of the last ten halls today.
            for k in range(HALLS - SURGE_HALLS, HALLS):
                cursor.execute(
                    """
                    INSERT INTO queueing_ticket (hall_id, category_id, service_date, sequence, number, token, source,
                        priority, urgent, status, id_hash, id_masked, issued_at, arrived_at, called_at, started_at,
                        finished_at, call_count, transfer_count)
                    SELECT %(hall)s, %(category)s, %(day)s, 1000000 + g, 'X' || g, %(token)s || g, 'kiosk', '', false,
                        'done', '', '', ts, ts, ts, ts, ts + interval '10 minutes', 1, 0
                    FROM (SELECT g, (%(day)s::date + time '09:00' + g * interval '4 minutes')
                        AT TIME ZONE 'Asia/Shanghai' AS ts FROM generate_series(1, %(n)s) AS g) AS rows
                    """,
                    {
                        "hall": hall_ids[k],
                        "category": categories[k * 8],
                        "day": today,
                        "token": f"srgx{today:%y%m%d}-{k}-",
                        "n": SURGE_EXTRA,
                    },
                )
            cursor.execute("ANALYZE queueing_ticket")
    return {
        "hall": f"{PREFIX}-000",
        "tickets_today": tickets.filter(service_date=today).count(),
        "tickets_history": tickets.filter(service_date__lt=today).count(),
        "busy_hall_today": tickets.filter(service_date=today, hall_id=hall_ids[0]).count(),
        "load_seconds": round(time.perf_counter() - started, 1),
        "cookie": session_cookie("bench-staffing-supervisor", roles.SUPERVISOR),
    }


def _timed(now: dt.datetime) -> tuple[float, int, dict]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = surge_detect(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), vars(result)


def surges() -> dict:
    hall_ids, _categories = _halls()
    today = local_date()
    SurgeFlag.objects.filter(hall_id__in=hall_ids, date=today).delete()
    for pk in hall_ids[HALLS - SURGE_HALLS :]:  # the surge halls' own supervisors are told
        session_cookie(f"bench-srg-supervisor-{pk}", roles.SUPERVISOR, hall=Hall.objects.get(pk=pk))
    end_of_day = dt.datetime.combine(today, dt.time(17, 30), tzinfo=SHANGHAI)
    first = _timed(end_of_day)
    steady = _timed(end_of_day + dt.timedelta(minutes=10))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="bench-staffing-supervisor"))
    _session = client.session  # past the second factor (servicehall.twofactor), as a bench client
    _session["_two_factor"] = "ok"
    _session.save()
    path = f"/api/v1/staffing/planner/?hall={PREFIX}-000&date={today:%Y-%m-%d}"
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return {
        "planner_queries": len(captured.captured_queries),
        "first_seconds": round(first[0], 3),
        "first_queries": first[1],
        "first": first[2],
        "steady_seconds": round(steady[0], 3),
        "steady_queries": steady[1],
        "steady": steady[2],
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {"setup": setup, "surges": surges}
    print(json.dumps(handlers[command](), default=str))
