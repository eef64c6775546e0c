from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    return {
        "portal_name": settings.PORTAL_NAME,
        "care_mode": request.COOKIES.get(settings.CARE_MODE_COOKIE) == "1",
    }
