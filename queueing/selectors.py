"""Reads for the window console and the queue API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from queueing.models import QueueCategory, Ticket, Window
from queueing.services import callable_tickets, service_date

CONSOLE_LIST_LENGTH = 30


@dataclass
class Console:
    window: Window
    current: Ticket | None
    upcoming: list[Ticket]
    waiting_total: int
    categories: list[QueueCategory]
    other_windows: list[Window]


def console(*, window: Window, now: dt.datetime) -> Console:
    """What the window's console shows: its current ticket, the tickets it would call next (in
    call order) and what it can transfer to. A fixed number of queries."""
    current = Ticket.objects.select_related("category").filter(window=window, status__in=Ticket.AT_WINDOW).first()
    queue = callable_tickets(window=window, now=now).select_related("category")
    return Console(
        window=window,
        current=current,
        upcoming=list(queue[:CONSOLE_LIST_LENGTH]),
        waiting_total=queue.count(),
        categories=list(
            QueueCategory.objects.filter(hall_id=window.hall_id, is_active=True).order_by("order", "letter")
        ),
        other_windows=list(Window.objects.filter(hall_id=window.hall_id).exclude(pk=window.pk).order_by("number")),
    )


def hall_windows(*, hall_id: int) -> QuerySet[Window]:
    return (
        Window.objects.filter(hall_id=hall_id)
        .select_related("staff__staff_profile")
        .prefetch_related("categories")
        .order_by("number")
    )


def window_of(user: Any) -> Window | None:
    """The window the user is signed in at, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Window.objects.select_related("hall").filter(staff=user).first()


def waiting_today(*, hall_id: int, now: dt.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_id=hall_id, service_date=service_date(now), status=Ticket.Status.WAITING)
