"""One domain error type for every service, turned into a clear message by the API and pages.

Every error the API answers has one shape (``ErrorSerializer``, the ``Error`` component of the
OpenAPI schema)::

    {"detail": "该时段已约满，请选择其他时段。", "code": "full", "errors": {"slot": ["该时段已约满，请选择其他时段。"]}}

``detail`` is the message for the person, ``code`` the machine-readable reason, and ``errors``
the messages per request field (empty when the error concerns no field). The field messages sit
under their own key, so a request field may be called ``code`` or ``detail`` without its
message overwriting the error code (issue 9: a check-in error reached the client as
``{"code": "invalid"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
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
        message = str(self.message)
        return error_body(message, self.code, {self.field: [message]} if self.field else None)


def error_body(detail: Any, code: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """The API's one error shape (see the module docstring)."""
    return {"detail": str(detail), "code": code, "errors": dict(errors or {})}


class ErrorSerializer(serializers.Serializer):
    """What every error response of the API carries (documented once, as ``Error``)."""

    detail = serializers.CharField(help_text="The message for the person, in the language of the request.")
    code = serializers.CharField(
        help_text="Why, for programs: invalid, not_found, permission_denied, not_authenticated, throttled, "
        "unsupported_media_type, method_not_allowed, or the rule that refused (full, duplicate, too_late, …)."
    )
    # The serializer metaclass takes declared fields off the class: this never shadows the
    # ``Serializer.errors`` that the stubs see (the serializer only documents the shape).
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field (a nested field as a.b, an item of a list as a.0); empty when "
        "the error concerns no field in particular.",
    )


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {field path: [messages]}."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for name, value in detail.items():
            flat.update(_field_errors(value, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_field_errors(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages}


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    errors = _field_errors(exc.detail)
    messages = [message for field_messages in errors.values() for message in field_messages]
    # One message says it all; several are read beside their fields.
    detail = messages[0] if len(messages) == 1 else gettext("提交的内容有误，请按各项提示修改。")
    return error_body(detail, "invalid", errors)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        # The access helpers say why in Chinese ("您只能在本人所属大厅的窗口办理。"): keep it,
        # where DRF would answer its generic text.
        exc = exceptions.PermissionDenied(detail=str(exc) if exc.args else None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(detail=str(exc) if exc.args else None)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    else:
        code = exc.detail.code if isinstance(exc.detail, exceptions.ErrorDetail) else exc.default_code
        response.data = error_body(exc.detail, str(code or exc.default_code))
    return response
