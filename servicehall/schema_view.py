"""The OpenAPI schema's view, apart from ``servicehall.schema`` (which DRF's settings import)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: the schema generated once per process, language and API version.

    Generating it walks every view and serializer (about 2 s a request, walkthrough 2026-12-04),
    and it depends on nothing but the code (``SERVE_PUBLIC``: not on who asks), so a process keeps
    what it made; a deploy restarts the processes. Swagger UI (``/api/docs/``) loads it on every
    visit."""

    _generated: dict[tuple[str | None, str | None, str], dict[str, Any]] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request: Any) -> Response:
        if not self.serve_public:
            return super()._get_schema_response(request)
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, str(settings.ROOT_URLCONF))
        schema = self._generated.get(key)
        if schema is None:
            with self._lock:
                schema = self._generated.get(key)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    schema = self._generated[key] = generator.get_schema(request=request, public=True)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
