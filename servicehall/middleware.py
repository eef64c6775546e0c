from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class CookieLanguageMiddleware:
    """Language from the switcher's cookie (and, under the API, Accept-Language); else zh-hans.

    A government portal speaks Chinese by default whatever the browser asks for
    (Accept-Language is ignored on the pages), and English is one click away. Under ``/api/``,
    without the cookie, Accept-Language chooses (a program has no switcher to click).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        # A program calling the API has no switcher: it says its language as HTTP does, and the
        # API's messages follow it (walkthrough finding 17); the cookie still wins.
        api = request.path_info.startswith("/api/")
        if language is None and api:
            language = translation.get_language_from_request(request)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        translation.deactivate()
        return response


class ApiJsonWritesMiddleware:
    """Writes to the API must be JSON (issue 9 §4: cross-site writes).

    A page on another site can make a browser send a form POST (or a text/plain one) to
    ``/api/v1/…`` without asking first, and an anonymous endpoint (taking a ticket, booking,
    cancelling by token) has no session and so no CSRF check to stop it. A request with
    ``Content-Type: application/json`` is one a browser sends cross-site only after a CORS
    preflight, which this server never grants. So every anonymous POST under the API that carries
    a body must say it is JSON (PUT, PATCH and DELETE are never sent cross-site without a
    preflight). A POST without a body is let through, as the schema documents it (issue 9, "the
    API says what it does"): it can only act on what its path names, and the anonymous writes
    without input (cancelling a ticket or a booking) are keyed by a secret token in the path that
    another site does not know; a write taking input refuses an empty one. Signed-in requests are
    checked for CSRF by DRF's session authentication instead.
    """

    UNSAFE = frozenset({"POST"})
    PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (
            request.method in self.UNSAFE
            and request.path.startswith(self.PREFIX)
            and not signed_in
            and self.has_body(request)
        ):
            content_type = request.content_type or ""
            if content_type != "application/json" and not content_type.endswith("+json"):
                from django.utils.translation import gettext as _

                from servicehall.errors import error_body
                from servicehall.http import JsonAnswer

                return JsonAnswer(
                    error_body(
                        _("接口写入请求须为 JSON（Content-Type: application/json）。"), "unsupported_media_type"
                    ),
                    status=415,
                )
        return self.get_response(request)

    @staticmethod
    def has_body(request: HttpRequest) -> bool:
        length = request.META.get("CONTENT_LENGTH") or "0"
        return (
            not (length.isascii() and length.isdigit() and int(length) == 0) or "HTTP_TRANSFER_ENCODING" in request.META
        )


class QueryCountMiddleware:
    """Bench only (``BENCH_QUERY_COUNT=1``, see bench/load.py): the number of database queries a
    request ran, on every connection (the primary and any replica), in an ``X-Query-Count``
    header, so that a load test reads the figure of each real request it sends. Installed first,
    so the session and user look-ups of the middleware below it are counted too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from contextlib import ExitStack

        from django.db import connections

        count = 0

        def counter(execute, sql, params, many, context):  # noqa: ANN001, ANN202 - Django's wrapper signature
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        # A streamed response (the CSV export) runs its queries after this point: counted as 0.
        response.headers["X-Query-Count"] = str(count)
        return response


class DatabaseUnavailableMiddleware:
    """A view (or its template) that finds the database away answers 503, not 500 (issue 14;
    see servicehall.errors). Errors raised in the middlewares themselves reach the 500 handler,
    which answers the same (servicehall.views.server_error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from servicehall.errors import database_unavailable_response, is_database_unavailable, log_database_unavailable

        if not is_database_unavailable(exception):
            return None
        log_database_unavailable(request, exception)
        return database_unavailable_response(request)
