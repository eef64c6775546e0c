"""API fields for personal data whose OpenAPI schema states what the services check
(``servicehall.personal_data``), so that a request the schema allows is one the services accept
and one it forbids is refused with 400 naming the field (issue 9)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicehall.clock import local_date
from servicehall.personal_data import validate_id_number, validate_mobile


def _id_number_today(value: str) -> str:
    return validate_id_number(value, today=local_date(timezone.now()))


class CheckedCharField(serializers.CharField):
    """A text field whose value a service's validator (``check``: the value in, the clean value
    out, Django's ValidationError raised) checks here and not only in the service, so that its
    message comes with every other field's in one 400 (walkthrough finding 3); the service checks
    it again (pure, no query)."""

    max_chars = 0

    def __init__(self, *, check: Callable[[str], str], **kwargs: Any) -> None:
        self.check = check
        kwargs.setdefault("max_length", self.max_chars)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return self.check(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code="invalid") from exc


class IdNumberField(CheckedCharField):
    """A resident ID number (居民身份证号码): 18 characters, the last a digit or X, with a valid
    birth date and check character. The schema's ``format: cn-resident-id`` names the rules a
    pattern cannot state (the birth date and the ISO 7064 check character)."""

    openapi_format = "cn-resident-id"
    openapi_pattern = r"^[0-9]{17}[0-9Xx]$"
    max_chars = 18

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(check=_id_number_today, **kwargs)


class MobileField(CheckedCharField):
    """A mainland mobile number: 11 digits starting 13–19."""

    openapi_pattern = r"^1[3-9][0-9]{9}$"
    max_chars = 11

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(check=validate_mobile, **kwargs)


class JsonBodySerializer(serializers.Serializer):
    """A request body read as JSON, taken at its word: a value of another JSON type than its
    field's is an error naming the field, where DRF would read 12 as "12", "12" as 12 or 1.0 as 1
    (issue 9: the schema says "string" or "integer", so the API refuses anything else)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {
                name: [message]
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and data[name] is not None  # null: the field's allow_null decides
                and (message := _wrong_json_type(field, data[name]))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _wrong_json_type(field: serializers.Field, value: Any) -> str | None:
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else str(_("必须是 true 或 false。"))
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else str(_("必须是整数。"))
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else str(_("必须是数字。"))
    if isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.DateField):
        return None if isinstance(value, str) else str(_("必须是文本。"))
    return None
