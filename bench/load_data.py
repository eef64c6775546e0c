#!/usr/bin/env python
"""`make load` helper, run in the load database's environment. Prints JSON.

load_data.py setup     20 halls (``LOAD-000`` …, bench/city.py: eight queues and five windows
                       each) open around the clock, every window with a signed-in clerk and a
                       session; whatever a previous run left at a window finished and its waiting
                       tickets expired; 40 tickets waiting per hall (the morning's queue); a slot
                       of 30,000 seats tomorrow per hall; a citywide supervisor and one per
                       hall; sample guide codes for the catalog reads
load_data.py summary   what the run did to the database: tickets issued, called, finished today,
                       bookings made, duplicated numbers (must be 0)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models import Count  # noqa: E402

from appointments.models import Booking, Slot, SlotKind  # noqa: E402
from bench.city import ensure_halls, session_cookie  # noqa: E402
from catalog.models import CalendarDay, Hall, HallOpeningHours, ServiceItem  # noqa: E402
from queueing import services  # noqa: E402
from queueing.models import QueueCategory, Ticket, Window  # noqa: E402
from servicehall import roles  # noqa: E402
from servicehall.clock import SHANGHAI, local_date  # noqa: E402
from servicehall.models import StaffProfile  # noqa: E402

PREFIX = "LOAD"
HALLS = 20
WAITING_PER_HALL = 40


def _open_all_day(halls: list[Hall]) -> None:
    """The load test must not depend on the hour it runs at."""
    HallOpeningHours.objects.filter(hall__in=halls).update(
        morning_opens=dt.time(0, 0),
        morning_closes=dt.time(12, 0),
        afternoon_opens=dt.time(12, 0),
        afternoon_closes=dt.time(23, 59, 59),
    )


def setup() -> dict:
    today = local_date()
    tomorrow = today + dt.timedelta(days=1)
    for day in (today, tomorrow):
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "source": "manual"})
    halls = ensure_halls(PREFIX, HALLS, "负载测试大厅")
    _open_all_day(halls)
    users = get_user_model().objects
    window_group = Group.objects.get(name=roles.WINDOW_STAFF)
    # What a previous run left at the windows is finished, its queue expired: each run starts
    # from the same morning.
    for ticket in Ticket.objects.filter(hall__in=halls, status__in=Ticket.AT_WINDOW).select_related("window"):
        window = ticket.window
        if window is not None and window.staff_id is not None:
            services.ticket_finish(window=window, ticket=ticket, staff=window.staff)
    Ticket.objects.filter(hall__in=halls, status=Ticket.Status.WAITING).update(status=Ticket.Status.EXPIRED)
    windows = []
    for hall in halls:
        for window in Window.objects.filter(hall=hall).order_by("number"):
            username = f"load-{hall.code.lower()}-w{window.number}"
            clerk, _ = users.get_or_create(username=username)
            clerk.groups.add(window_group)
            StaffProfile.objects.update_or_create(user=clerk, defaults={"hall": hall, "display_name": username})
            if window.staff_id is None:
                services.window_sign_in(window=window, staff=clerk)
            cookie = session_cookie(username, roles.WINDOW_STAFF, hall=hall)
            windows.append({"pk": window.pk, "hall": hall.code, "cookie": cookie})
    categories = {c.pk: c for c in QueueCategory.objects.filter(hall__in=halls).select_related("hall")}
    letters = "ABCDEFGH"
    tokens = []
    by_hall = {}
    for category in categories.values():
        by_hall.setdefault(category.hall.code, {})[category.letter] = category
    for hall in halls:
        for k in range(WAITING_PER_HALL):
            category = by_hall[hall.code][letters[k % len(letters)]]
            result = services.ticket_issue(hall=hall, category=category, source=Ticket.Source.ONLINE)
            tokens.append(result.ticket.token)
    slots = []
    for hall in halls:
        category = by_hall[hall.code]["A"]
        starts = dt.datetime.combine(tomorrow, dt.time(10), SHANGHAI)
        slot, _ = Slot.objects.update_or_create(
            category=category,
            starts_at=starts,
            defaults={
                "hall": hall,
                "kind": SlotKind.REGULAR,
                "date": tomorrow,
                "ends_at": starts + dt.timedelta(minutes=30),
                "capacity": 30_000,
                "is_closed": False,
            },
        )
        slots.append(slot.pk)
    supervisors = [session_cookie("load-supervisor-city", roles.SUPERVISOR)]
    supervisors += [
        session_cookie(f"load-supervisor-{hall.code.lower()}", roles.SUPERVISOR, hall=hall) for hall in halls[:5]
    ]
    guides = list(ServiceItem.objects.order_by("code").values_list("code", flat=True)[:200:10])
    return {
        "halls": [hall.code for hall in halls],
        "letters": letters,
        "windows": windows,
        "tokens": tokens,
        "slots": slots,
        "tomorrow": tomorrow.isoformat(),
        "supervisors": supervisors,
        "supervised_halls": [hall.code for hall in halls[:5]],
        "guides": guides,
    }


def summary() -> dict:
    today = local_date()
    tickets = Ticket.objects.filter(hall__code__startswith=f"{PREFIX}-", service_date=today)
    duplicates = tickets.values("hall_id", "number").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {
        "tickets_today": tickets.count(),
        "done_today": tickets.filter(status=Ticket.Status.DONE).count(),
        "bookings": Booking.objects.filter(hall__code__startswith=f"{PREFIX}-").count(),
        "duplicates": duplicates,
    }


if __name__ == "__main__":
    command = sys.argv[1]
    print(json.dumps({"setup": setup, "summary": summary}[command]()))
