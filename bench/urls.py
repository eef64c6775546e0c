"""The portal's URLs plus the bench-only baseline views (loaded by ``bench/settings.py`` only)."""

from django.urls import path

from bench.writes import bare_issue, bare_write
from servicehall.urls import handler400, handler403, handler404, handler500
from servicehall.urls import urlpatterns as portal

urlpatterns = [
    path("bench/write/", bare_write, name="bench-write"),
    path("bench/issue-floor/", bare_issue, name="bench-issue-floor"),
    *portal,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
