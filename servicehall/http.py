"""Request helpers: the request type of pages that read ``request.htmx``, and the client address.

django-htmx's middleware sets ``request.htmx`` on every request, but ``HttpRequest`` does not
declare it; views that read it take an ``HtmxHttpRequest`` (the django-htmx docs' advice).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django_htmx.middleware import HtmxDetails

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    """Whether htmx asks for a page's swapped part alone: an htmx request that is neither boosted
    nor restoring the history (on Back after ``hx-push-url``, with htmx's history cache missed,
    htmx asks again for the whole page). A view answering a fragment at a page's own address
    also says ``Vary: HX-Request`` (``vary_on_htmx``), or the browser's Back shows the fragment
    it cached under that address alone, unstyled (walkthrough: the guides' search)."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def vary_on_htmx[R: HttpResponseBase](response: R) -> R:
    patch_vary_headers(response, ("HX-Request",))
    return response


class JsonAnswer(JsonResponse):
    """A JSON answer with its Chinese as written, as the API's own (DRF's ``UNICODE_JSON``), not
    escaped into ASCII (``号`` as a backslash, ``u`` and four hex digits): the portal's answers
    outside DRF (``/api/``, the 403, 404, 415, 500 and 503 answers, the readiness probe)."""

    def __init__(self, data: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_dumps_params", {"ensure_ascii": False})
        super().__init__(data, **kwargs)


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


def post_action(url_name: str, *kept: str, keep_query: bool = False) -> Callable[[View], View]:
    """``require_POST`` for a form's action URL (``/staff/cases/<number>/accept/``), except that
    a GET or HEAD of it goes to the page the form is on: ``url_name``, reversed with the view
    arguments named in ``kept``.

    A refused form is drawn again at its action URL (with the refusal beside the field); the
    address bar then shows that URL, and reloading it after a back-and-forth, opening it from
    the history or sharing it makes a GET, which met a bare 405 page. Other methods still get 405.

    ``keep_query`` carries the query string along, for forms that post to their page's own query
    (the day or the page of a list the form was on: ``?day=2026-11-25``).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in ("GET", "HEAD"):
                target = reverse(url_name, kwargs={name: kwargs[name] for name in kept})
                query = request.GET.urlencode() if keep_query else ""
                return redirect(f"{target}?{query}" if query else target)
            if request.method != "POST":
                response = HttpResponseNotAllowed(["GET", "HEAD", "POST"])
                log_response(
                    "Method Not Allowed (%s): %s", request.method, request.path, response=response, request=request
                )
                return response
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
