"""The request type of pages that read ``request.htmx``.

django-htmx's middleware sets ``request.htmx`` on every request, but ``HttpRequest`` does not
declare it; views that read it take an ``HtmxHttpRequest`` (the django-htmx docs' advice).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
