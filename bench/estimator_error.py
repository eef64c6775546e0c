#!/usr/bin/env python
"""How wrong is the waiting-time estimate? Consecutive working days at a simulated city-level
hall (seven queues, eleven windows as the demo's city centre), each run through the real
services by the hall-day simulator (servicehall/simulator.py, docs/simulator.md): arrivals with a
morning peak, appointments, the green channel, no-shows, transfers, log-normal service times
per queue. At every ticket issued the estimate the ticket page would show is recorded and, when
the ticket is called, compared with the wait that actually happened. Between days the estimator
learns the day's service times per queue and hour (queueing/learning.py), as the nightly job does.

A naive estimate (people ahead × the default service time / open windows, no learning) is scored
on the same tickets. Prints JSON (run in the bench database's environment by bench/run.py, or
alone: `python bench/estimator_error.py [days]`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from catalog.models import CalendarDay, Hall, HallOpeningHours  # noqa: E402
from queueing.demo import CENTRE_CATEGORIES, CITY_WINDOWS  # noqa: E402
from queueing.models import QueueCategory, ServiceTimeProfile, Ticket, TicketEvent, WaitAlert, Window  # noqa: E402
from servicehall import simulator  # noqa: E402

CODE = "SIM-EST"
FIRST_DAY = dt.date(2026, 11, 2)  # a Monday; the days are marked working days below


def setup() -> Hall:
    hall, _ = Hall.objects.get_or_create(
        code=CODE, defaults={"name": "估算误差模拟大厅", "level": "city", "district": "tianhe", "address": "模拟"}
    )
    for weekday in range(7):
        HallOpeningHours.objects.update_or_create(
            hall=hall,
            weekday=weekday,
            defaults={
                "morning_opens": dt.time(9),
                "morning_closes": dt.time(12),
                "afternoon_opens": dt.time(13),
                "afternoon_closes": dt.time(18),
            },
        )
    WaitAlert.objects.filter(hall=hall).delete()
    TicketEvent.objects.filter(ticket__hall=hall).delete()
    Ticket.objects.filter(hall=hall).delete()
    ServiceTimeProfile.objects.filter(category__hall=hall).delete()
    categories = {}
    for order, data in enumerate(CENTRE_CATEGORIES, start=1):
        categories[data.letter], _ = QueueCategory.objects.get_or_create(
            hall=hall, letter=data.letter, defaults={"name": data.name, "order": order}
        )
    for number, kind, letters in CITY_WINDOWS:
        window, _ = Window.objects.get_or_create(hall=hall, number=number, defaults={"kind": kind})
        window.categories.set([categories[letter] for letter in letters])
    for window in Window.objects.filter(hall=hall, staff__isnull=False):
        from queueing import services

        services.window_sign_out(window=window, staff=window.staff, return_current=True)
    return hall


def score(values: list[float]) -> dict:
    absolute = sorted(abs(v) for v in values)
    return {
        "mae_minutes": round(statistics.fmean(absolute), 2),
        "median_abs_minutes": round(statistics.median(absolute), 2),
        "p90_abs_minutes": round(absolute[int(0.9 * (len(absolute) - 1))], 2),
        "bias_minutes": round(statistics.fmean(values), 2),
        "within_5_minutes": round(sum(1 for v in absolute if v <= 5) / len(absolute), 3),
    }


def main(days: int = 4, *, first_seed: int = 1, dump: str | None = None) -> dict:
    hall = setup()
    errors, naive_errors, waits, records, per_day = [], [], [], [], []
    for n in range(days):
        day = FIRST_DAY + dt.timedelta(days=n)
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "source": "manual"})
        report = simulator.simulate_day(
            Hall.objects.prefetch_related("opening_hours").get(pk=hall.pk),
            day,
            simulator.Options(seed=first_seed + n, extras=False),
        )
        summary = report.summary()
        per_day.append({"date": day.isoformat(), **summary["estimate"], "wait_mean": summary["wait_minutes"]["mean"]})
        errors += report.errors
        naive_errors += report.naive_errors
        waits += report.waits
        records += [{**r, "day": n} for r in report.records]
    if dump:
        Path(dump).write_text(json.dumps(records))
    ours, naive = score(errors), score(naive_errors)
    return {
        "days": days,
        "seeds": [first_seed, first_seed + days - 1],
        "tickets": len(errors),
        "mean_actual_wait_minutes": round(statistics.fmean(waits), 2),
        "estimator": ours,
        "naive": naive,
        "ratio": round(ours["mae_minutes"] / naive["mae_minutes"], 2),
        "per_day": per_day,
    }


if __name__ == "__main__":
    # python bench/estimator_error.py [days [first seed]]; ESTIMATOR_DUMP=path keeps every estimate's inputs.
    arguments = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(main(*arguments[:1], first_seed=(arguments[1:] or [1])[0], dump=os.environ.get("ESTIMATOR_DUMP"))))
