#!/usr/bin/env python
"""How wrong is the waiting-time estimate? A simulated morning at a hall, run through the real
services with the time passed in: Poisson arrivals, windows serving with random (log-normal)
service times, and at every arrival the estimate the ticket page would show (snapshot +
estimator). When everyone has been called, each estimate is compared with the wait that
actually happened. Prints JSON (run in the bench database's environment by bench/run.py).

A naive estimate (people ahead × the default service time / windows, no learning) is scored on
the same tickets for comparison.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import math
import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.hours import SHANGHAI  # noqa: E402
from catalog.models import CalendarDay, Hall, HallOpeningHours  # noqa: E402
from queueing import estimator, services, snapshot  # noqa: E402
from queueing.models import QueueCategory, Ticket, TicketEvent, Window  # noqa: E402
from servicehall import roles  # noqa: E402
from servicehall.models import StaffProfile  # noqa: E402

CODE = "SIM"
WINDOWS = 3
MEAN_SERVICE_MINUTES = 11.0
# Arrivals per minute by hour: a busy first hour, then calmer.
ARRIVALS = {9: 0.36, 10: 0.30, 11: 0.22}


def setup(day: dt.date) -> tuple[Hall, QueueCategory, list[tuple[Window, object]]]:
    CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "source": "manual"})
    hall, _ = Hall.objects.get_or_create(
        code=CODE, defaults={"name": "估算误差模拟大厅", "level": "district", "district": "tianhe", "address": "模拟"}
    )
    for weekday in range(7):
        HallOpeningHours.objects.update_or_create(
            hall=hall,
            weekday=weekday,
            defaults={
                "morning_opens": dt.time(0),
                "morning_closes": dt.time(12),
                "afternoon_opens": dt.time(12),
                "afternoon_closes": dt.time(23, 59, 59),
            },
        )
    TicketEvent.objects.filter(ticket__hall=hall).delete()
    Ticket.objects.filter(hall=hall).delete()
    category, _ = QueueCategory.objects.get_or_create(hall=hall, letter="A", defaults={"name": "综合业务"})
    windows = []
    for number in range(1, WINDOWS + 1):
        window, _ = Window.objects.get_or_create(hall=hall, number=number, defaults={"kind": Window.Kind.SPECIALISED})
        window.categories.add(category)
        Window.objects.filter(pk=window.pk).update(staff=None, is_open=False)
        staff, _ = get_user_model().objects.get_or_create(username=f"sim-window-{number}")
        staff.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
        StaffProfile.objects.update_or_create(user=staff, defaults={"hall": hall, "display_name": staff.username})
        windows.append((window, staff))
    return hall, category, windows


def simulate(seed: int) -> tuple[list[float], list[float], list[float]]:
    """One simulated morning: (our errors, naive errors, actual waits), in minutes."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not security
    day = timezone.now().astimezone(SHANGHAI).date()
    hall, category, windows = setup(day)
    start = dt.datetime.combine(day, dt.time(9), SHANGHAI)
    for window, staff in windows:
        services.window_sign_in(window=window, staff=staff, now=start)

    arrivals = []
    moment = start
    while moment.hour in ARRIVALS:
        moment += dt.timedelta(minutes=rng.expovariate(ARRIVALS[moment.hour]))
        if moment.hour in ARRIVALS:
            arrivals.append(moment)
    sigma = 0.5
    mu = math.log(MEAN_SERVICE_MINUTES) - sigma**2 / 2

    free_at = [(start, k) for k in range(WINDOWS)]  # when each window is next free
    heapq.heapify(free_at)
    estimates: dict[int, tuple[float, float]] = {}
    current: dict[int, Ticket | None] = dict.fromkeys(range(WINDOWS))

    def serve_until(limit: dt.datetime) -> None:
        """Let the windows finish and call, in time order, up to ``limit``."""
        while free_at and free_at[0][0] <= limit:
            at, k = heapq.heappop(free_at)
            window, staff = windows[k]
            if current[k] is not None:
                services.ticket_finish(window=window, ticket=current[k], staff=staff, now=at)
                current[k] = None
            try:
                ticket = services.ticket_call_next(window=window, staff=staff, now=at)
            except services.QueueError:
                heapq.heappush(free_at, (limit + dt.timedelta(seconds=30), k))  # idle: look again later
                continue
            services.ticket_start(window=window, ticket=ticket, staff=staff, now=at)
            current[k] = ticket
            heapq.heappush(free_at, (at + dt.timedelta(minutes=rng.lognormvariate(mu, sigma)), k))

    prior = settings.QUEUE["default_service_minutes"] * 60
    for at in arrivals:
        serve_until(at)
        ticket = services.ticket_issue(hall=hall, category=category, source="kiosk", now=at).ticket
        data = snapshot.build(Hall.objects.prefetch_related("opening_hours").get(pk=hall.pk), now=at)
        row = snapshot.category_row(data, category.pk)
        ahead = snapshot.position(data, ticket) or 0
        ours = estimator.wait_seconds(
            ahead=ahead, windows=row["open_windows"], mean_service=row["mean_service_seconds"]
        )
        naive = estimator.wait_seconds(ahead=ahead, windows=row["open_windows"], mean_service=prior)
        estimates[ticket.pk] = (ours or 0.0, naive or 0.0)
    serve_until(arrivals[-1] + dt.timedelta(hours=6))

    errors, naive_errors, waits = [], [], []
    for ticket in Ticket.objects.filter(pk__in=estimates, called_at__isnull=False):
        actual = (ticket.called_at - ticket.arrived_at).total_seconds()
        ours, naive = estimates[ticket.pk]
        errors.append((ours - actual) / 60)
        naive_errors.append((naive - actual) / 60)
        waits.append(actual / 60)
    return errors, naive_errors, waits


def score(values: list[float]) -> dict:
    absolute = sorted(abs(v) for v in values)
    return {
        "mae_minutes": round(statistics.fmean(absolute), 2),
        "median_abs_minutes": round(statistics.median(absolute), 2),
        "p90_abs_minutes": round(absolute[int(0.9 * (len(absolute) - 1))], 2),
        "bias_minutes": round(statistics.fmean(values), 2),
        "within_5_minutes": round(sum(1 for v in absolute if v <= 5) / len(absolute), 3),
    }


def main(mornings: int = 5) -> dict:
    errors, naive_errors, waits = [], [], []
    for seed in range(1, mornings + 1):
        ours, naive, actual = simulate(seed)
        errors += ours
        naive_errors += naive
        waits += actual
    return {
        "mornings": mornings,
        "tickets": len(errors),
        "mean_actual_wait_minutes": round(statistics.fmean(waits), 2),
        "estimator": score(errors),
        "naive": score(naive_errors),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
