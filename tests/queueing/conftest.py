from __future__ import annotations

import pytest
from django.urls import reverse

from queueing import services
from tests.queueing.factories import QueueHall, make_queue_hall


@pytest.fixture
def qh(db) -> QueueHall:
    return make_queue_hall()


@pytest.fixture
def clerk(client, qh):
    """Window 2's clerk, signed in there and logged in."""
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    qh.window_a.refresh_from_db()
    client.force_login(qh.staff[2])
    return qh.staff[2]


@pytest.fixture
def console_shared_queue(settings):
    """The hall's queue shared by its consoles, as in production (off by default in tests/settings.py)."""
    settings.QUEUE = {**settings.QUEUE, "console_shared_queue": True}


@pytest.fixture
def called_at_console(client, qh, clerk):
    """A kiosk ticket, A001, called by window 2's clerk through the console (as an htmx post)."""
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    return ticket
