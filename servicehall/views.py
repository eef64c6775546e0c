"""Project-wide pages: preferences (care mode), the staff landing page, health check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

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


@require_POST
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
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe, and the bare baseline view the benchmarks compare against."""
    return JsonResponse({"status": "ok"})


def _error_page(request: HttpRequest, exception: Exception | None, template: str, status: int) -> HttpResponse:
    # Only messages we wrote ourselves are shown (Http404/PermissionDenied raised with a
    # string); a resolver's internals never reach the page.
    args = getattr(exception, "args", ())
    message = args[0] if args and isinstance(args[0], str) else ""
    return render(request, template, {"message": message}, status=status)


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
