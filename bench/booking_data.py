#!/usr/bin/env python
"""Bench helper for the appointments, run in the bench database's environment. Prints JSON.

booking_data.py setup                          a hall with one slot of 50 seats (tomorrow 10:00), emptied
booking_data.py load BASE SLOT CLIENTS SECONDS  CLIENTS processes book that slot through
                                               POST /api/v1/bookings/ for SECONDS, each request as another
                                               person (real-name rules: one booking per person, hall and day)
booking_data.py verify SLOT                    bookings held in the slot against its seats (oversold must be 0)
booking_data.py availability                   a hall with 20 queues × 30 days of slots; the availability
                                               endpoint's query count for 1 queue × 1 day and 20 × 30
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from appointments.models import (  # noqa: E402
    Booking,
    BookingPerson,
    HallBookingSettings,
    Slot,
    SlotKind,
    SlotPlan,
)
from catalog.hours import SHANGHAI  # noqa: E402
from catalog.models import Hall  # noqa: E402
from queueing.models import QueueCategory  # noqa: E402
from servicehall.personal_data import id_number_check_character  # noqa: E402

BOOKING_HALL = "BENCH-BK"
AVAILABILITY_HALL = "BENCH-AV"
SEATS = 50
# The bench applicants' ID numbers start with this (not a real area code), so a run can clear
# the previous run's people.
ID_PREFIX = "990101"
# 20 queue letters (I, O, V and Y are not used as queue letters).
LETTERS = "ABCDEFGHJKLMNPQRSTUW"
DAYS = 30
SLOT_TIMES = [dt.time(h, m) for h in (9, 10, 11, 13, 14, 15, 16) for m in (0, 30)]


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _hall(code: str, name: str) -> Hall:
    hall, _ = Hall.objects.get_or_create(
        code=code, defaults={"name": name, "level": "district", "district": "tianhe", "address": "基准测试"}
    )
    return hall


def setup() -> dict:
    hall = _hall(BOOKING_HALL, "预约基准测试大厅")
    category, _ = QueueCategory.objects.get_or_create(hall=hall, letter="A", defaults={"name": "预约业务"})
    tomorrow = _today() + dt.timedelta(days=1)
    starts = dt.datetime.combine(tomorrow, dt.time(10), SHANGHAI)
    with transaction.atomic():
        # Each run starts with an empty slot and without the previous run's applicants; the
        # bench makes this hall's slots itself, so no plan may regenerate or close them.
        SlotPlan.objects.filter(hall=hall).delete()
        Booking.objects.filter(hall=hall).delete()
        BookingPerson.objects.filter(id_masked__startswith=ID_PREFIX[:4], bookings__isnull=True).delete()
        Slot.objects.filter(hall=hall).exclude(starts_at=starts).delete()
        slot, _ = Slot.objects.update_or_create(
            category=category,
            starts_at=starts,
            defaults={
                "hall": hall,
                "kind": SlotKind.REGULAR,
                "date": tomorrow,
                "ends_at": starts + dt.timedelta(minutes=30),
                "capacity": SEATS,
                "booked": 0,
                "is_closed": False,
            },
        )
    return {"hall": BOOKING_HALL, "slot": slot.pk, "capacity": SEATS}


def applicant(client: int, n: int) -> dict[str, str]:
    """The n-th applicant of a client: a valid and unique ID number and mobile number."""
    i = client * 100_000 + n
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 18_000)
    first17 = f"{ID_PREFIX}{birth:%Y%m%d}{(i // 18_000) % 1000:03d}"
    return {
        "name": f"测试{client}号{n}",
        "id_number": first17 + id_number_check_character(first17),
        "mobile": f"13{i:09d}",
    }


def _client(base: str, slot: int, client: int, seconds: float, queue: mp.Queue) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    successes: list[float] = []
    end = time.perf_counter() + seconds
    n = 0
    while True:
        started = time.perf_counter()
        if started >= end:
            break
        body = json.dumps({"slot": slot, **applicant(client, n)}).encode()
        n += 1
        try:
            conn.request("POST", "/api/v1/bookings/", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            statuses[0] += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        finished = time.perf_counter()
        statuses[response.status] += 1
        latencies.append((finished - started) * 1000)
        if response.status == 201:
            successes.append(time.time())
    conn.close()
    queue.put((dict(statuses), latencies, successes))


def load(base: str, slot: int, clients: int, seconds: float) -> dict:
    context = mp.get_context("fork")  # the children only speak HTTP: no database connection to share
    queue = context.Queue()
    procs = [context.Process(target=_client, args=(base, slot, c, seconds, queue)) for c in range(clients)]
    started_wall, started = time.time(), time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = min(time.perf_counter() - started, seconds + 1)
    statuses: Counter[int] = Counter()
    for counts, _l, _s in results:
        statuses.update({int(k): v for k, v in counts.items()})
    latencies = sorted(ms for _c, lat, _s in results for ms in lat)
    successes = sorted(t for _c, _l, ok in results for t in ok)
    requests = sum(statuses.values())
    return {
        "requests": requests,
        "rps": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "successes": statuses[201],
        "sold_out_seconds": round(successes[-1] - started_wall, 3) if successes else None,
    }


def verify(slot_id: int) -> dict:
    slot = Slot.objects.get(pk=slot_id)
    held = Booking.objects.filter(slot=slot, status__in=Booking.ACTIVE).count()
    return {
        "capacity": slot.capacity,
        "counter": slot.booked,
        "bookings": held,
        "oversold": max(0, held - slot.capacity),
        "counter_matches": slot.booked == held,
    }


def availability() -> dict:
    """20 queues × 30 days × 14 slots at one hall (created once), its horizon widened to 30
    working days; the endpoint's queries counted in this process for a small and a large ask."""
    hall = _hall(AVAILABILITY_HALL, "可预约时段基准测试大厅")
    HallBookingSettings.objects.update_or_create(hall=hall, defaults={"horizon_working_days": 30})
    categories = [
        QueueCategory.objects.get_or_create(hall=hall, letter=letter, defaults={"name": f"类别{letter}", "order": k})[0]
        for k, letter in enumerate(LETTERS)
    ]
    first = _today() + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=d) for d in range(DAYS)]
    # The bench makes this hall's slots itself: no plan's, none outside the 30 days, none closed.
    Slot.objects.filter(hall=hall).exclude(date__range=(first, days[-1]), plan__isnull=True).delete()
    SlotPlan.objects.filter(hall=hall).delete()
    Slot.objects.filter(hall=hall, is_closed=True).update(is_closed=False, closed_reason="")
    have = set(Slot.objects.filter(hall=hall, date__gte=first).values_list("category_id", "starts_at"))
    missing = []
    for day in days:
        for at in SLOT_TIMES:
            starts = dt.datetime.combine(day, at, SHANGHAI)
            for k, category in enumerate(categories):
                if (category.pk, starts) not in have:
                    missing.append(
                        Slot(
                            hall=hall,
                            category=category,
                            kind=SlotKind.REGULAR,
                            date=day,
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(minutes=30),
                            capacity=10,
                            booked=(k + at.hour) % 11,  # some full, most not
                        )
                    )
    Slot.objects.bulk_create(missing, batch_size=5000, ignore_conflicts=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE appointments_slot")
    client = Client(HTTP_HOST="127.0.0.1")
    path = f"/api/v1/halls/{AVAILABILITY_HALL}/slots/"
    small = {"category": "A", "start": first.isoformat(), "end": first.isoformat()}
    large = {"start": first.isoformat(), "end": days[-1].isoformat()}
    client.get(path, small)  # the hall's booking rules are read once per process
    counts, sizes = {}, {}
    for label, query in (("small", small), ("large", large)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, query)
        assert response.status_code == 200, response.content[:300]
        counts[label] = len(ctx.captured_queries)
        sizes[label] = sum(len(day["slots"]) for day in response.json()["days"])
    return {
        "path": f"{path}?{urlencode(large)}",
        "queries_1x1": counts["small"],
        "queries_20x30": counts["large"],
        "slots_1x1": sizes["small"],
        "slots_20x30": sizes["large"],
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {
        "setup": setup,
        "load": lambda: load(rest[0], int(rest[1]), int(rest[2]), float(rest[3])),
        "verify": lambda: verify(int(rest[0])),
        "availability": availability,
    }
    print(json.dumps(handlers[command]()))
