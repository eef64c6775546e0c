"""Recording staff actions. Call inside the service's transaction so the record and the
change it describes are committed together.

Every record says where it came from (等保三级: who, what, when, from where): the request's
client address and user agent reach ``audit_record`` through a context variable that
``AuditRequestMiddleware`` sets for the length of each request, so services record them
without taking the request as an argument. Jobs with no request leave them empty.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from servicehall.audit_actions import LABELS
from servicehall.models import AuditEvent


@dataclass
class RequestOrigin:
    ip_address: str | None
    user_agent: str
    records: int = 0  # audit records written during this request


logger = logging.getLogger(__name__)

_origin: contextvars.ContextVar[RequestOrigin | None] = contextvars.ContextVar("audit_origin", default=None)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    summary: str,
    details: dict | None = None,
) -> AuditEvent:
    """Record ``action`` on ``target`` (or on what ``target_type``/``target_id`` name when there is
    no row to point at, e.g. a login attempt for a user name that may not exist)."""
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    if action not in LABELS:
        # Recorded all the same (the trail must not lose an action), but the audit page will show
        # the bare code: give it a label in servicehall/audit_actions.py.
        logger.warning("Audit action %r has no label in servicehall/audit_actions.py", action)
    origin = _origin.get()
    if origin is not None:
        origin.records += 1
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:300],
        details=details or {},
        ip_address=origin.ip_address if origin else None,
        user_agent=origin.user_agent if origin else "",
    )


RETENTION_FLOOR_DAYS = 180  # 等保三级: audit records are kept at least six months
PRUNE_BATCH = 5000


def audit_events_prune(*, now: Any = None) -> int:
    """Delete the audit records older than ``AUDIT_RETENTION_DAYS`` (never fewer than 180 days,
    whatever the setting says), in batches so that no transaction holds the table long."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    days = max(int(settings.AUDIT_RETENTION_DAYS), RETENTION_FLOOR_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted = 0
    while True:
        batch = list(AuditEvent.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            return deleted
        deleted += AuditEvent.objects.filter(pk__in=batch).delete()[0]


def request_origin(request: HttpRequest) -> RequestOrigin:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    from servicehall.http import client_address

    address = client_address(request)
    try:
        validate_ipv46_address(address)
    except ValidationError:
        address = ""  # a unix socket's peer: no address to record
    return RequestOrigin(ip_address=address or None, user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300])


# Staff requests that change something: each leaves an audit record, from its service or,
# when the service keeps none (a preference, a form refused), from the middleware below.
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_ACTION = "request"
ROUTE_ACTION = re.compile(r"[a-z][a-z_-]{0,29}")


class AuditRequestMiddleware:
    """Sets the request's origin for ``audit_record`` and audits every signed-in write.

    A signed-in user's POST, PUT, PATCH or DELETE that no service recorded is recorded here
    by the route's name (never the path or query string, which may carry a token or a number
    that identifies a person) with the method and status: so every staff action is in the
    trail, including the ones refused. Citizens have no accounts, so signed-in means staff.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request_origin(request)
        token = _origin.set(origin)
        try:
            user = getattr(request, "user", None)
            staff = request.method in MUTATING and user is not None and user.is_authenticated
            actor = user if staff else None  # before the view: a logout leaves request.user anonymous
            response = self.get_response(request)
            # A server error rolled back whatever the service recorded: recorded here too. A
            # refusal (4xx) the service recorded (a wrong code, a failed login) is not doubled.
            if staff and (origin.records == 0 or response.status_code >= 500):
                match = getattr(request, "resolver_match", None)
                route = match.view_name if match is not None else ""
                details: dict[str, Any] = {"method": request.method, "status": response.status_code}
                # A route that takes the action as a word (the console's ticket actions: call,
                # no-show, transfer…) says which one was refused; never another argument.
                step = match.kwargs.get("action") if match is not None else None
                step = step if isinstance(step, str) and ROUTE_ACTION.fullmatch(step) else ""
                if step:
                    details["route_action"] = step
                audit_record(
                    actor=actor,
                    action=REQUEST_ACTION,
                    target_type=REQUEST_ACTION,
                    target_id=route[:100],
                    summary=" ".join(
                        part for part in (request.method, route or "-", step, str(response.status_code)) if part
                    ),
                    details=details,
                )
            return response
        finally:
            _origin.reset(token)
