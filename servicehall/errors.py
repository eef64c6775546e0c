"""One domain error type for every service, turned into a clear message by the API and pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A rule of the domain refused the request.

    ``message`` is shown to the person (in Chinese, translated for English); ``field`` names the
    input it concerns, if any; ``status`` is the HTTP status the API answers with.
    """

    def __init__(self, message: Any, *, code: str = "invalid", field: str | None = None, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [str(self.message)], "code": self.code}
        return {"detail": str(self.message), "code": self.code}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        # The access helpers say why in Chinese ("您只能在本人所属大厅的窗口办理。"): keep it,
        # where DRF would answer its generic text.
        exc = exceptions.PermissionDenied(detail=str(exc))
    elif isinstance(exc, Http404) and exc.args:
        exc = exceptions.NotFound(detail=str(exc))
    response = exception_handler(exc, context)
    if (
        response is not None
        and response.status_code == status.HTTP_404_NOT_FOUND
        and isinstance(exc, exceptions.NotFound)
    ):
        response.data = {"detail": str(exc.detail), "code": "not_found"}
    return response
