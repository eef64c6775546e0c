"""Test data for the 好差评 ratings: the cases' world (two halls, two departments, the staff of
every role) with a queue at the city centre and helpers making served tickets and decided cases."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from cases import services as case_services
from cases.models import Case
from feedback import ratings
from feedback.models_ratings import Rating
from queueing.models import QueueCategory, Ticket, Window
from servicehall.clock import SHANGHAI
from tests.cases.factories import World

D = dt.date
GOOD = {
    "level": "satisfied",
    "efficiency": "satisfied",
    "quality": "satisfied",
    "attitude": "satisfied",
}


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def rating_input(level: str = "satisfied", comment: str = "") -> ratings.RatingInput:
    return ratings.rating_input_clean({**GOOD, "level": level, "comment": comment})


def posted(**fields: str) -> dict[str, str]:
    """The rating form as the page posts it: ``GOOD`` with ``fields`` and a fresh one-time token."""
    from feedback import form_tokens

    return {**GOOD, "form_token": form_tokens.issue(), **fields}


def category(world: World) -> QueueCategory:
    return QueueCategory.objects.get_or_create(hall=world.city, letter="A", defaults={"name": "综合业务"})[0]


def ticket(
    world: World,
    *,
    finished_at: dt.datetime | None = None,
    status: str = Ticket.Status.DONE,
    window: Window | None = None,
    staff: Any = None,
) -> Ticket:
    """A ticket of the city centre, served (done) at ``window`` by ``staff`` unless ``status``
    says otherwise; written directly (the queue's own services are tested in tests/queueing)."""
    finished_at = finished_at or at(D(2026, 11, 26))
    cat = category(world)
    day = finished_at.astimezone(SHANGHAI).date()
    sequence = Ticket.objects.filter(hall=world.city, service_date=day).count() + 1
    done = status == Ticket.Status.DONE
    return Ticket.objects.create(
        hall=world.city,
        category=cat,
        service_date=day,
        sequence=sequence,
        number=f"A{sequence:03d}",
        token=secrets.token_urlsafe(16),
        source=Ticket.Source.KIOSK,
        status=status,
        issued_at=finished_at - dt.timedelta(minutes=30),
        arrived_at=finished_at - dt.timedelta(minutes=30),
        called_at=finished_at - dt.timedelta(minutes=10) if done else None,
        started_at=finished_at - dt.timedelta(minutes=9) if done else None,
        finished_at=finished_at if done else None,
        window=(window or world.window) if done else None,
        staff=(staff or world.clerk) if done else None,
    )


def decided_case(world: World, *, now: dt.datetime | None = None) -> Case:
    """A hukou case (police) received and accepted at window 1 and approved the next day."""
    now = now or at(D(2026, 11, 2))
    case = world.receive(world.hukou, now=now, outcome="accept", window=world.window, channel=Case.Channel.WINDOW)
    return case_services.case_decide(case=case, actor=world.police_chief, approved=True, now=now + dt.timedelta(days=1))


def rate_case(world: World, level: str) -> Rating:
    """A decided case (its applicant left a contact mobile) rated ``level``."""
    case = decided_case(world)
    return ratings.rating_submit_case(case=case, data=rating_input(level), now=at(D(2026, 11, 20), 10))


def rate_ticket(world: World, level: str, *, finished_at: dt.datetime | None = None, **kwargs: Any) -> Rating:
    t = ticket(world, finished_at=finished_at, **kwargs)
    return ratings.rating_submit_ticket(ticket=t, data=rating_input(level), now=(finished_at or t.finished_at))
