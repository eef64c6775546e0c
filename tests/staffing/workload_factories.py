"""Made-up queue history for the planner and surge tests: tickets written straight to the table."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from catalog.models import Hall
from queueing.models import QueueCategory, Ticket, Window
from servicehall.clock import SHANGHAI
from staffing.models import AttendanceRecord

_seq = itertools.count(1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def tickets(
    hall: Hall,
    category: QueueCategory,
    day: dt.date,
    *,
    hour: int,
    count: int,
    service_minutes: float | None = None,
    start_minute: int = 0,
) -> list[Ticket]:
    """``count`` tickets taken in ``hour`` (spread over its minutes from ``start_minute``); served
    in ``service_minutes`` each when given, else still waiting."""
    rows = []
    for k in range(count):
        n = next(_seq)
        issued = at(day, hour, min(59, start_minute + k * max(1, (60 - start_minute) // max(count, 1))))
        ticket = Ticket(
            hall=hall,
            category=category,
            service_date=day,
            sequence=n,
            number=f"{category.letter}{n % 1000:03d}",
            token=secrets.token_hex(16),
            source=Ticket.Source.KIOSK if hasattr(Ticket.Source, "KIOSK") else Ticket.Source.values[0],
            issued_at=issued,
            arrived_at=issued,
        )
        if service_minutes is not None:
            ticket.status = Ticket.Status.DONE
            ticket.called_at = ticket.started_at = issued + dt.timedelta(minutes=5)
            ticket.finished_at = ticket.started_at + dt.timedelta(minutes=service_minutes)
        rows.append(ticket)
    return Ticket.objects.bulk_create(rows)


def spell(user, window: Window, start: dt.datetime, end: dt.datetime | None) -> AttendanceRecord:
    return AttendanceRecord.objects.create(
        user=user,
        hall_id=window.hall_id,
        window=window,
        window_label=str(window),
        signed_in_at=start,
        signed_out_at=end,
    )
