"""Reads for the window console and the queue API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from queueing.config import hall_config
from queueing.models import QueueCategory, Ticket, Window
from queueing.services import callable_tickets
from servicehall.access import AnyUser
from servicehall.clock import local_date
from servicehall.models import StaffProfile

CONSOLE_LIST_LENGTH = 30


@dataclass
class Console:
    window: Window
    current: Ticket | None
    upcoming: list[Ticket]
    waiting_total: int
    per_category: list[tuple[str, str, int]]  # (letter, name, waiting) for the queues this window calls
    categories: list[QueueCategory]
    other_windows: list[Window]


def console(*, window: Window, now: dt.datetime) -> Console:
    """What the window's console shows: its current ticket, the tickets it would call next (in
    call order) and what it can transfer to. A fixed number of queries."""
    current = Ticket.objects.select_related("category").filter(window=window, status__in=Ticket.AT_WINDOW).first()
    queue = callable_tickets(window=window, now=now).select_related("category")
    counts = {
        row["category_id"]: row["n"]
        for row in callable_tickets(window=window, now=now).order_by().values("category_id").annotate(n=Count("pk"))
    }
    categories = list(QueueCategory.objects.filter(hall_id=window.hall_id, is_active=True).order_by("order", "letter"))
    return Console(
        window=window,
        current=current,
        upcoming=list(queue[:CONSOLE_LIST_LENGTH]),
        waiting_total=sum(counts.values()),
        per_category=[(c.letter, c.display_name, counts[c.pk]) for c in categories if c.pk in counts],
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


def window_of(user: AnyUser) -> Window | None:
    """The window the user is signed in at, if any."""
    if not user.is_authenticated:
        return None
    return Window.objects.select_related("hall").filter(staff=user).first()


def staff_profile(user: AnyUser) -> StaffProfile | None:
    """The user's profile with their hall and department (the staff home page names them)."""
    if not user.is_authenticated:
        return None
    return StaffProfile.objects.select_related("hall", "department").filter(user=user).first()


def people_ahead(*, ticket: Ticket, now: dt.datetime) -> int:
    """How many waiting tickets of the same queue come before ``ticket`` in call order (one
    COUNT on the waiting-tickets index). The order is the one the snapshot uses: long waits
    first, then priority, then arrival."""
    starving_before = now - hall_config(ticket.hall).starvation

    def group(t_priority: str, t_arrived: dt.datetime) -> int:
        return 0 if t_arrived <= starving_before else (1 if t_priority else 2)

    mine = group(ticket.priority, ticket.arrived_at)
    starving = Q(arrived_at__lte=starving_before)
    priority = ~starving & ~Q(priority="")
    normal = ~starving & Q(priority="")
    same_group = (starving, priority, normal)[mine]
    earlier_groups = [starving, priority][:mine]
    before = same_group & (Q(arrived_at__lt=ticket.arrived_at) | Q(arrived_at=ticket.arrived_at, pk__lt=ticket.pk))
    for condition in earlier_groups:
        before |= condition
    return (
        Ticket.objects.filter(
            hall_id=ticket.hall_id,
            category_id=ticket.category_id,
            service_date=ticket.service_date,
            status=Ticket.Status.WAITING,
        )
        .filter(before)
        .count()
    )


def waiting_today(*, hall_id: int, now: dt.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_id=hall_id, service_date=local_date(now), status=Ticket.Status.WAITING)
