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

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Self

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from servicehall.http import JsonAnswer


class DomainError(Exception):
    """A rule of the domain refused the request.

    ``message`` is shown to the person (in Chinese, translated for English); ``field`` names the
    input it concerns, if any; ``status`` is the HTTP status the API answers with. ``errors``
    holds every field's messages when several inputs are wrong at once (a name, an ID number and
    a mobile number), so that the person reads them all in one answer (walkthrough finding 3);
    ``field_errors`` is what the API and the pages put beside their fields.
    """

    def __init__(
        self,
        message: Any,
        *,
        code: str = "invalid",
        field: str | None = None,
        status: int = 400,
        errors: Mapping[str, list[Any]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.status = status
        self.errors: dict[str, list[str]] = {
            name: [str(m) for m in messages] for name, messages in (errors or {}).items()
        }

    @classmethod
    def for_fields(cls, errors: Mapping[str, list[Any]], **kwargs: Any) -> Self:
        """One refusal naming every field in ``errors``: its message is the field's own when
        there is one, otherwise a summary (the messages are read beside their fields)."""
        messages = [message for field_messages in errors.values() for message in field_messages]
        message = messages[0] if len(messages) == 1 else gettext("提交的内容有误，请按各项提示修改。")
        return cls(message, field=next(iter(errors), None), errors=errors, **kwargs)

    def field_errors(self) -> dict[str, list[str]]:
        """Messages per field: ``errors``, and ``field`` with the message unless ``errors`` says
        what is wrong with it (the message may then be a summary of every field's)."""
        merged: dict[str, list[str]] = (
            {self.field: [str(self.message)]} if self.field and self.field not in self.errors else {}
        )
        for name, messages in self.errors.items():
            merged.setdefault(name, [])
            merged[name] += [m for m in messages if m not in merged[name]]
        return merged

    def as_dict(self) -> dict[str, Any]:
        return error_body(str(self.message), self.code, self.field_errors())


def not_found_with(detail: Any, missing: Mapping[str, list[Any]]) -> DomainError:
    """A request naming an object that does not exist (``missing``: its field and message) whose
    other fields are wrong too (DRF's validation ``detail``): a 404, as the object alone would
    be, with every field's message in ``errors`` (walkthrough finding 3). Not a 400: a value of
    the right shape that fails a rule no schema can state (an ID number's check character) must
    not turn the documented 404 into a refusal of a schema-valid request."""
    return DomainError.for_fields({**missing, **_field_errors(detail)}, code="not_found", status=404)


def add_domain_error(form: Any, exc: DomainError, *, fields: Iterable[str] | None = None) -> None:
    """Put a refusal of the services on a Django form: each message beside its field (when the
    form has it, and it is one of ``fields`` if given), the others above the form."""
    allowed = set(form.fields if fields is None else fields) & set(form.fields)
    for name, messages in (exc.field_errors() or {"": [str(exc.message)]}).items():
        for message in messages:
            form.add_error(name if name in allowed else None, message)


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
    where = prefix or api_settings.NON_FIELD_ERRORS_KEY
    whole_body = where == api_settings.NON_FIELD_ERRORS_KEY
    messages = [
        _in_our_words(item, whole_body=whole_body) for item in (detail if isinstance(detail, list) else [detail])
    ]
    return {where: messages}


# The JSON types, named as the person sent them, for DRF's "Expected a dictionary, but got list"
# (Python's type names, and under zh-hans a stilted translation: "期待为字典类型，得到的是 list").
JSON_TYPE_NAMES = {
    "list": lambda: gettext("数组"),
    "str": lambda: gettext("字符串"),
    "int": lambda: gettext("数字"),
    "float": lambda: gettext("数字"),
    "bool": lambda: gettext("true 或 false"),
}


def _in_our_words(item: Any, *, whole_body: bool) -> str:
    """A message of DRF's own about the shape of the body said clearly, in the request's language:
    a body of ``null`` ("No data provided", English whatever the language) and a body (or a nested
    object) of another JSON type than an object. Any other message as it is."""
    message = str(item)
    code = getattr(item, "code", None)
    if code == "null" and message == "No data provided":
        return gettext("请求体不能为空（null）：请发送一个JSON对象，即 {…}。")
    if code == "invalid":
        template = str(serializers.Serializer.default_error_messages["invalid"])
        for python_name, json_name in JSON_TYPE_NAMES.items():
            if message == template.format(datatype=python_name):
                if whole_body:
                    return gettext("请求体须为JSON对象，即 {…}，而不是%(type)s。") % {"type": json_name()}
                return gettext("须为JSON对象，即 {…}，而不是%(type)s。") % {"type": json_name()}
    return message


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    errors = _field_errors(exc.detail)
    messages = [(field, message) for field, field_messages in errors.items() for message in field_messages]
    # One message says it all, naming its field ("category：请填写此项。": DRF's messages do not);
    # several are read beside their fields.
    if len(messages) != 1:
        detail = gettext("提交的内容有误，请按各项提示修改。")
    elif messages[0][0] == api_settings.NON_FIELD_ERRORS_KEY:
        detail = messages[0][1]
    else:
        detail = gettext("%(field)s：%(message)s") % {"field": messages[0][0], "message": messages[0][1]}
    return error_body(detail, "invalid", errors)


# --- The database away (issue 14: PostgreSQL restarted under load) ---------------------------
#
# While PostgreSQL restarts (or a failover, or the network to it drops) every query raises
# OperationalError (the server refused or dropped the connection) or InterfaceError (a connection
# already closed). Neither is a bug in the request: the person is told to try again in a moment
# (503 with Retry-After), JSON under the API, a page elsewhere, never a 500. Django closes the
# broken connection at the end of the request (CONN_HEALTH_CHECKS checks a reused one before its
# first query), so the first request after the restart reconnects: no process is restarted.
# Caught in three places, whichever the error reaches first: DRF's exception handler (API views),
# DatabaseUnavailableMiddleware.process_exception (page views and their templates) and the 500
# handler (the error raised in a middleware, reading the session or the user).

DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 5

database_logger = logging.getLogger("servicehall.database")


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable_message() -> str:
    return gettext("系统正在维护或恢复，请稍后再试。您提交的内容如未成功，请稍后重新提交。")


def log_database_unavailable(request: HttpRequest, exc: BaseException) -> None:
    # The class and the driver's message only: no traceback per request while the database is
    # away (hundreds a second), and no query text (which may carry personal data).
    database_logger.warning(
        "database unavailable: %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503: JSON in the API's error shape under /api/, a page without database or session
    elsewhere (the template reads no context processor, which might query)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonAnswer(error_body(database_unavailable_message(), "service_unavailable"), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def parse_error_message(exc: exceptions.ParseError) -> str:
    """DRF's "JSON parse error - Expecting …" is the decoder's English: said in the language of
    the request instead, with where the body went wrong (walkthrough finding 17)."""
    cause = exc.__cause__ or exc.__context__  # DRF raises it while handling the decoder's error
    if isinstance(cause, json.JSONDecodeError):
        return gettext("请求体不是有效的JSON：第%(line)s行第%(column)s列有误。") % {
            "line": cause.lineno,
            "column": cause.colno,
        }
    return gettext("请求体不是有效的JSON。")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if is_database_unavailable(exc):
        request = context.get("request")
        if request is not None:
            log_database_unavailable(request, exc)
        return Response(
            error_body(database_unavailable_message(), "service_unavailable"),
            status=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
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
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(parse_error_message(exc), "parse_error")
    else:
        code = exc.detail.code if isinstance(exc.detail, exceptions.ErrorDetail) else exc.default_code
        response.data = error_body(exc.detail, str(code or exc.default_code))
    return response
