"""The API's plain paths (issue 14): the requests the city makes most, served without DRF's
request, negotiation, serializer and response around them, answered with the same bytes and
headers as the DRF view would. A plain path takes only the common, well-formed request of an
anonymous caller; for anything else it returns None and the DRF view serves the request, so
every other answer (a wrong field, another content type, a signed-in caller) stays the DRF
view's own. Used by the ticket issue (``queueing.apis.issue_plainly``) and the booking
(``appointments.apis.book_plainly``).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.renderers import JSONRenderer

# Rendered as DRF renders the views' answers: compact, the Chinese as written.
RENDERER = JSONRenderer()


def plain_json_body(request: HttpRequest, *, fields: frozenset[str]) -> dict[str, Any] | None:
    """The body of an anonymous ``POST`` of JSON whose keys are among ``fields``, or None when the
    request is anything else: another method or content type, a session or credentials, an
    ``Accept`` other than JSON's, a body that is not a JSON object or names another field."""
    if request.method != "POST" or request.content_type != "application/json":
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return None
    if request.META.get("HTTP_ACCEPT", "*/*") not in ("*/*", "application/json"):
        return None
    try:
        data = json.loads(request.body.decode(request.encoding or "utf-8"))
    except (ValueError, LookupError):
        return None
    if not isinstance(data, dict) or not data.keys() <= fields:
        return None
    return data


def plain_answer(body: Any, *, status: int, allow: str, **headers: str) -> HttpResponse:
    """The answer as the DRF view gives it: its JSON, its status and its ``Allow``."""
    return HttpResponse(
        RENDERER.render(body), status=status, content_type="application/json", headers={"Allow": allow, **headers}
    )
