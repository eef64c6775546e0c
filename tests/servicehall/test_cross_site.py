"""Anonymous writes to the API must be JSON, so a page on another site cannot make a browser
post them without a CORS preflight (issue 9 §4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from queueing.models import Ticket
from servicehall.clock import SHANGHAI
from tests.queueing.factories import make_queue_hall


@pytest.fixture(autouse=True)
def _hall_open():
    """Tickets are issued only in office hours: a Wednesday morning, whatever the clock says."""
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


pytestmark = pytest.mark.django_db


def test_a_cross_site_form_cannot_take_a_ticket(client) -> None:
    qh = make_queue_hall()
    url = f"/api/v1/halls/{qh.hall.code}/tickets/"
    form = client.post(url, {"category": "A"})  # what an HTML form on another site sends
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    plain = client.post(url, '{"category": "A"}', content_type="text/plain")  # also sent without preflight
    assert plain.status_code == 415
    assert not Ticket.objects.exists()
    assert client.post(url, {"category": "A"}, content_type="application/json").status_code == 201


def test_signed_in_staff_are_checked_for_csrf_instead(client) -> None:
    from django.test import Client

    from servicehall import roles
    from tests.servicehall.factories import staff_user

    qh = make_queue_hall()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_user("xs-w", role=roles.WINDOW_STAFF, hall_=qh.hall))
    # No CSRF token: refused by DRF's session authentication, whatever the content type.
    assert strict.post(f"/api/v1/windows/{qh.window_a.pk}/sign-in/").status_code == 403
