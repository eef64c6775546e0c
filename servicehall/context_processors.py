from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def portal(request: HttpRequest) -> dict[str, object]:
    return {
        "portal_name": settings.PORTAL_NAME,
        "care_mode": request.COOKIES.get(settings.CARE_MODE_COOKIE) == "1",
        # The staff pages (/staff/…) keep the site's column even where they borrow the
        # dashboard's tables (portal.css ``.staff-page main``); the supervisors' dashboards do not.
        "staff_page": request.path.startswith(reverse("staff-home")),
    }
