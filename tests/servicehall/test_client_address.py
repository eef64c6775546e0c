"""Per-address limits use the one client address (issue 9 §1): X-Forwarded-For is trusted only
from the configured proxies, so a client rotating the header does not escape a limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from servicehall.clock import SHANGHAI
from servicehall.http import client_address
from servicehall.throttling import ScopedCounterThrottle
from tests.queueing.factories import make_queue_hall


@pytest.fixture(autouse=True)
def _hall_open():
    """Tickets are issued only in office hours: a Wednesday morning, whatever the clock says."""
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def _request(remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_with_no_trusted_proxy_the_header_is_ignored(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_proxies_the_client_is_what_the_outermost_trusted_proxy_saw(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
    assert client_address(_request("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    # Fewer entries than proxies: it did not come through them; the peer is the client.
    assert client_address(_request("198.51.100.8", "")) == "198.51.100.8"
    assert client_address(_request("198.51.100.8")) == "198.51.100.8"


@pytest.mark.django_db
def test_rotating_the_header_does_not_escape_the_ticket_limit(client, monkeypatch, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "3/hour"})
    qh = make_queue_hall()
    codes = [
        client.post(
            f"/api/v1/halls/{qh.hall.code}/tickets/",
            {"category": "A"},
            content_type="application/json",
            headers={"X-Forwarded-For": f"192.0.2.{k}"},
        ).status_code
        for k in range(6)
    ]
    assert codes == [201, 201, 201, 429, 429, 429]


@pytest.mark.django_db
def test_behind_a_proxy_two_clients_have_two_limits(client, monkeypatch, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(ScopedCounterThrottle, "THROTTLE_RATES", {"ticket_issue": "1/hour"})
    qh = make_queue_hall()

    def issue(forwarded: str) -> int:
        return client.post(
            f"/api/v1/halls/{qh.hall.code}/tickets/",
            {"category": "A"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    assert issue("198.51.100.1") == 201
    assert issue("6.6.6.6, 198.51.100.1") == 429  # the same client, whatever it wrote first
    assert issue("198.51.100.2") == 201
