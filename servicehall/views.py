"""Project-wide pages: preferences (care mode), the staff landing page, health check."""

from __future__ import annotations

import datetime as dt
import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_safe

from servicehall.errors import error_body
from servicehall.http import JsonAnswer, post_action

CARE_MODE_MAX_AGE = 365 * 24 * 3600


def page_number(request: HttpRequest) -> tuple[int, str]:
    """The ``page`` query parameter: (number, error message or '')."""
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        return 1, _("页码必须是正整数。")
    return int(raw), ""


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@post_action("home")
def care_mode(request: HttpRequest) -> HttpResponse:
    """Turn care mode (关怀模式: large text, high contrast, simpler layout) on or off."""
    response = HttpResponseRedirect(_safe_next(request))
    if request.POST.get("care_mode") == "on":
        response.set_cookie(
            settings.CARE_MODE_COOKIE,
            "1",
            max_age=CARE_MODE_MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(settings.CARE_MODE_COOKIE, samesite="Lax")
    return response


@require_safe
def api_index(request: HttpRequest) -> JsonAnswer:
    """``/api/`` and ``/api/v1/``: where the documentation and the schema are, not a bare 404
    (walkthrough finding 17)."""
    return JsonAnswer(
        {
            "detail": _("接口文档见 /api/docs/，OpenAPI 描述见 /api/schema/。"),
            "docs": reverse("api-docs"),
            "schema": reverse("api-schema"),
            "versions": {"v1": "/api/v1/"},
        }
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe, and the bare baseline view the benchmarks compare against (kept Django's
    own response: its body is ASCII, and the baseline stays what it has always measured)."""
    return JsonResponse({"status": "ok"})


BEAT_STALE_AFTER = dt.timedelta(minutes=3)


@require_safe
def readyz(request: HttpRequest) -> JsonAnswer:
    """Readiness: the database (the truth: without it, 503), the cache and broker (Redis: the
    portal works degraded without it) and the last beat heartbeat (periodic jobs running).

    ``status`` is ``ok``, ``degraded`` (serving, something to look at) or ``unavailable``.
    """
    from django.core.cache import cache
    from django.db import connection

    from servicehall.models import Heartbeat
    from servicehall.tasks import BEAT

    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the type is reported
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        cache.set("readyz", 1, 10)
        # The Redis backend answers from local memory while Redis is away: ask Redis itself.
        ping = getattr(cache, "ping", None)
        ok = cache.get("readyz") == 1 and (ping is None or ping())
        checks["cache"] = {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"]}
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = {"ok": False, "error": type(exc).__name__}
    beat_at = None
    if checks["database"]["ok"]:
        beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
    fresh = beat_at is not None and timezone.now() - beat_at <= BEAT_STALE_AFTER
    checks["beat"] = {"ok": fresh, "last_run": beat_at.isoformat() if beat_at else None}
    if not checks["database"]["ok"]:
        status, code = "unavailable", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    response = JsonAnswer({"status": status, "checks": checks}, status=code)
    response["Cache-Control"] = "no-store"
    return response


# What the API answers when Django, not a view, refuses: a path no route matches (a ticket id
# that is not a number). Same shape as servicehall.errors.error_body.
_API_ERRORS = {
    400: ("parse_error", _lazy("请求格式有误。")),
    403: ("permission_denied", _lazy("您没有执行该操作的权限。")),
    404: ("not_found", _lazy("没有找到该接口或对象。")),
    500: ("server_error", _lazy("系统繁忙，请稍后再试。")),
}


def _error_page(request: HttpRequest, exception: Exception | None, template: str, status: int) -> HttpResponse:
    # Only messages we wrote ourselves are shown (Http404/PermissionDenied raised with a
    # string); a resolver's internals never reach the page.
    args = getattr(exception, "args", ())
    message = args[0] if args and isinstance(args[0], str) else ""
    if request.path.startswith("/api/"):
        code, default = _API_ERRORS[status]
        return JsonAnswer(error_body(message or default, code), status=status)
    return render(request, template, {"message": message}, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under the API (issue 9: an error raised by the cache or a middleware reached
    programs as an HTML page); elsewhere Django's own handler, the static 500.html.

    The database away (an OperationalError or InterfaceError raised in a middleware: the session
    or the signed-in user read before any view) is a 503, as in a view (issue 14)."""
    from servicehall.errors import database_unavailable_response, is_database_unavailable

    # Django calls the handler inside its ``except`` block: the exception is the one handled.
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    if request.path.startswith("/api/"):
        code, default = _API_ERRORS[500]
        response = JsonAnswer(error_body(default, code), status=500)
        response["Cache-Control"] = "no-store"
        return response
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, None, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, exception, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, exception, "404.html", 404)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the admin, the API docs)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
