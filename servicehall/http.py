"""Request helpers: the request type of pages that read ``request.htmx``, and the client address.

django-htmx's middleware sets ``request.htmx`` on every request, but ``HttpRequest`` does not
declare it; views that read it take an ``HtmxHttpRequest`` (the django-htmx docs' advice).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The client's address, for every per-address limit (tickets, bookings, check-in guesses).

    ``X-Forwarded-For`` is trusted only from the ``TRUSTED_PROXY_COUNT`` proxies in front of the
    server: each appends the address it received the request from, so the client is the entry
    the outermost trusted proxy wrote, counted from the right. Entries to its left were written
    by the client and mean nothing. With no trusted proxy (the default) the header is ignored.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    # Fewer entries than proxies: the request did not come through them all; the peer is the client.
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
