"""Reads that may go to a PostgreSQL read replica (docs/scaling.md).

Only reads explicitly marked go there: the supervisors' dashboards, the history from the nightly
roll-ups, the exports and the roll-up statistics, each wrapped in ``use_replica()`` (a context
manager) or decorated with ``replica_view`` (a view). Everything else — every request path that
writes, every citizen's page — reads and writes the primary exactly as before, so a replica a
second behind can never show a clerk or a citizen a state older than the one they made.

Read-your-writes inside a marked block: once anything in the block writes (the router is asked
where to write), or while a transaction is open on the primary, its reads go to the primary too.
Across requests: a staff member's unsafe request (a supervisor opening a window, then redirected
to the dashboard) sets a short-lived cookie (``ReplicaPinMiddleware``) for which marked views
read the primary for ``REPLICA_PIN_SECONDS``.

With no replica configured (``DATABASE_REPLICA_URL`` unset: ``settings.REPLICA_DATABASE`` is
empty) the router answers nothing and every query goes to ``default``.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.template.response import TemplateResponse

PIN_COOKIE = "sh_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class _Marked:
    wrote: bool = False


_marked: contextvars.ContextVar[_Marked | None] = contextvars.ContextVar("servicehall_replica_reads", default=None)


def replica_alias() -> str:
    """The replica's alias when one is configured, else ''."""
    alias = getattr(settings, "REPLICA_DATABASE", "")
    return alias if alias and alias in settings.DATABASES else ""


@contextmanager
def use_replica() -> Iterator[None]:
    """Reads inside go to the replica (when one is configured), writes to the primary."""
    token = _marked.set(_Marked())
    try:
        yield
    finally:
        _marked.reset(token)


def _reading_replica() -> bool:
    marked = _marked.get()
    if marked is None or marked.wrote:
        return False
    return not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """``DATABASE_ROUTERS``: marked reads to the replica, everything else to ``default``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = replica_alias()
        if alias and _reading_replica():
            return alias
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        marked = _marked.get()
        if marked is not None:
            marked.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS


def _streamed_on_replica(content: Iterator[Any]) -> Iterator[Any]:
    """A streamed body (the CSV export) runs its queries as it is sent, after the view returned:
    each chunk is produced inside ``use_replica()``, and the mark never outlives the chunk."""
    iterator = iter(content)
    while True:
        with use_replica():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


@contextmanager
def replica_reads(request: HttpRequest) -> Iterator[None]:
    """``use_replica()`` for a request's reads, unless the request is unsafe or comes just after
    the user's own write (the pin cookie), or no replica is configured."""
    if not replica_alias() or request.method not in SAFE_METHODS or request.COOKIES.get(PIN_COOKIE):
        yield
        return
    with use_replica():
        yield


def replica_view[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Run a read-only view's queries — its template's and its streamed body's too — inside
    ``replica_reads``. Put it under the access decorators: the session and permission look-ups
    before it stay on the primary."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads(request):
            response = view(request, *args, **kwargs)
            marked = _marked.get() is not None
            if marked and isinstance(response, TemplateResponse) and not response.is_rendered:
                response.render()
        if marked and isinstance(response, StreamingHttpResponse) and not response.is_async:
            response.streaming_content = _streamed_on_replica(cast(Iterator[Any], response.streaming_content))
        return response

    return cast(View, wrapped)


class ReplicaPinMiddleware:
    """After a signed-in user's unsafe request succeeds, their marked views read the primary for
    ``REPLICA_PIN_SECONDS`` (what they just changed is there at once, whatever the replica's lag).
    Does nothing while no replica is configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            replica_alias()
            and request.method not in SAFE_METHODS
            and response.status_code < 400
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
