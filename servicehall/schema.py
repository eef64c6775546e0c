"""The OpenAPI schema says what the API does (issue 9): every operation lists the errors it can
answer, all in the one shape of ``servicehall.errors.ErrorSerializer``, and local times are
documented as what they are.

The errors an operation can answer follow from how it is built, so they are added here once
rather than on every view (and a new app's views get them too); a view adds what only it can
answer (a service's own rate limit, say) with ``@extend_schema(responses={429: ERROR_429})``.
Checked by schemathesis over every operation in tests/servicehall/test_schemathesis.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters import filters as django_filters
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from servicehall.errors import ErrorSerializer

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# A text field that must hold more than spaces: DRF strips what ``str.isspace`` calls space before
# refusing a blank value; \x1c-\x1f and \x85 are such spaces that ECMA's \s does not name. DRF
# also refuses a null character anywhere in a text field (``ProhibitNullCharactersValidator``).
NOT_BLANK_PATTERN = r"^[^\x00]*[^\s\x1c-\x1f\x85\x00][^\x00]*$"
# DRF refuses a NUL character in any text field (ProhibitNullCharactersValidator), blank allowed or not.
NO_NUL_PATTERN = r"^[^\x00]*$"

# Times of day are local to the hall (Asia/Shanghai) and carry no offset, which OpenAPI's
# ``format: time`` (RFC 3339 full-time) requires.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$"


def error_response(description: str) -> OpenApiResponse:
    """An error response in the API's one error shape, for ``@extend_schema(responses=...)``."""
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_400 = error_response("The request is malformed or a field is invalid: `errors` names each field.")
ERROR_401 = error_response(
    "Not signed in (`code` not_authenticated): sign in at `/accounts/login/`; the session cookie is the "
    "credential (`WWW-Authenticate: Cookie …`)."
)
ERROR_403 = error_response(
    "Signed in but not allowed for this role or scope, (signed in) the CSRF token is missing, or a public "
    "operation refusing this caller."
)
ERROR_404 = error_response("No such object (or not one the caller may know of), or a page past the last.")
ERROR_409 = error_response("A rule refused the request in the object's current state: `code` says which.")
ERROR_415 = error_response("The body is not JSON: send `Content-Type: application/json`.")
# Only where a view documents it: well formed, but a rule across fields that a schema cannot
# state refuses it (a date range longer than allowed).
ERROR_422 = error_response("Well formed, but a rule across fields refuses it (see the operation): `errors` says which.")
ERROR_429 = error_response("Too many requests from this client: try again after the `Retry-After` seconds.")
ERROR_503 = error_response(
    "The database is briefly unavailable (a restart, a failover): nothing was done; "
    "try again after the `Retry-After` seconds."
)


class CookieSessionScheme(SessionScheme):
    """Our session authentication is documented as DRF's (the cookie ``sessionid``)."""

    target_class = "servicehall.authentication.SessionAuthentication"


def _is_public(view: Any) -> bool:
    classes = getattr(view, "permission_classes", None) or []
    return all(issubclass(cls, permissions.AllowAny) for cls in classes if isinstance(cls, type))


class PortalAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):  # noqa: ANN001, ANN201
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        paging = {"page", "page_size"} if self._is_paginated() else set()
        for parameter in operation.get("parameters", []):
            # DRF reads an empty optional query value as no value at all (as django-filter does);
            # PortalPagination refuses an empty page, as the schema says.
            if parameter["in"] == "query" and not parameter.get("required") and parameter["name"] not in paging:
                parameter["schema"] = _or_empty(parameter["schema"])
        responses = operation["responses"]
        for status, response in self._errors(operation).items():
            if status not in responses:
                responses[status] = self._get_response_for_code(response, status)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _get_request_body(self, direction="request"):  # noqa: ANN001, ANN201
        """A body whose fields are each optional but that must name one of them (a serializer's
        ``openapi_schema_extra``: "a booking code or an ID number") is itself required: a POST
        without a body is refused, as the schema then says (schemathesis sent one)."""
        body = super()._get_request_body(direction)
        if not body:
            return body
        serializer = force_instance(self.get_request_serializer())
        if any("required" in rule for rule in getattr(serializer, "openapi_schema_extra", {}).get("anyOf", [])):
            body["required"] = True
        return body

    def _errors(self, operation: dict[str, Any]) -> dict[str, OpenApiResponse]:
        parameters = operation.get("parameters", [])
        unsafe = self.method in UNSAFE_METHODS
        errors: dict[str, OpenApiResponse] = {}
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            errors["400"] = ERROR_400
        if not _is_public(self.view):
            errors["401"] = ERROR_401
        if unsafe or not _is_public(self.view):
            errors["403"] = ERROR_403
        if any(p["in"] == "path" for p in parameters) or self._is_paginated():
            errors["404"] = ERROR_404
        if unsafe:
            # Services refuse in the object's state (409); bodies must be JSON (the API's only
            # parser; servicehall.middleware.ApiJsonWritesMiddleware for anonymous writes).
            errors["409"] = ERROR_409
            errors["415"] = ERROR_415
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = ERROR_429
        # Any operation, while the database is away (servicehall.errors; issue 14).
        errors["503"] = ERROR_503
        return errors

    def _is_paginated(self) -> bool:
        # A page past the last one is a 404 (servicehall.pagination.PortalPagination).
        return self._is_list_view() and self._get_paginator() is not None

    def _map_basic_serializer(self, serializer, direction):  # noqa: ANN001, ANN201
        """Request fields say what DRF and the services check beyond types and lengths: text that
        is more than spaces, the shape of personal data (``servicehall.api_fields``), and rules
        across fields (a serializer's ``openapi_schema_extra``, e.g. "a code or an ID number")."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        serializer = force_instance(serializer)
        for name, field in serializer.fields.items():
            prop = schema.get("properties", {}).get(name)
            if not isinstance(field, serializers.CharField) or prop is None or "$ref" in prop:
                continue
            if hasattr(field, "openapi_pattern"):
                pattern = field.openapi_pattern
                prop["pattern"] = f"^({pattern.strip('^$')})?$" if field.allow_blank else pattern
                if hasattr(field, "openapi_format"):
                    prop["format"] = field.openapi_format
            elif field.trim_whitespace and not field.allow_blank and "pattern" not in prop and "enum" not in prop:
                prop["pattern"] = NOT_BLANK_PATTERN
            elif "pattern" not in prop and "enum" not in prop:
                prop["pattern"] = NO_NUL_PATTERN
        schema.update(getattr(serializer, "openapi_schema_extra", {}))
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):  # noqa: ANN001, ANN201
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema = {key: value for key, value in schema.items() if key != "format"}
            schema.update(pattern=LOCAL_TIME_PATTERN, example="09:00:00")
            schema.setdefault("description", "Local time in Asia/Shanghai (hh:mm:ss), without an offset.")
        return schema


class PortalFilterExtension(DjangoFilterExtension):
    """Query filters documented as their form fields check them: lengths and bounds, booleans as
    booleans, and an empty value meaning "not filtered" (what every django-filter does with it,
    and what the pages' forms send for "全部")."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):  # noqa: ANN001, ANN201
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        # The form field's class and arguments, not ``filter_field.field``: that would build the
        # field once on the class's filter and every filter set would copy it from there.
        field_class, extra = filter_field.field_class, filter_field.extra
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, django_filters.BooleanFilter):
                schema = {"type": "boolean"}
            if issubclass(field_class, forms.CharField) and extra.get("max_length") is not None:
                schema["maxLength"] = extra["max_length"]
            if issubclass(field_class, forms.IntegerField):
                if not issubclass(field_class, forms.DecimalField | forms.FloatField):
                    schema["type"] = "integer"
                if extra.get("min_value") is not None:
                    schema["minimum"] = extra["min_value"]
                if extra.get("max_value") is not None:
                    schema["maximum"] = extra["max_value"]
            parameter["schema"] = _or_empty(schema)
        return parameters


def _accepts_empty(schema: dict[str, Any]) -> bool:
    if "anyOf" in schema:
        return any(_accepts_empty(branch) for branch in schema["anyOf"])
    if "enum" in schema:
        return "" in schema["enum"]
    return (
        schema.get("type") == "string" and not ({"format", "pattern"} & schema.keys()) and not schema.get("minLength")
    )


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or an empty value meaning "not given"."""
    if _accepts_empty(schema):
        return schema
    if schema.get("type") == "string" and "enum" in schema:
        return {**schema, "enum": [*schema["enum"], ""]}
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}], "description": "Empty: not given."}
