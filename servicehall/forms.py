"""Form helpers shared by the apps."""

from __future__ import annotations

from django import forms


def form_field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]`` as the field class the form declares it with (the stubs type every
    entry of ``fields`` as ``Field``), to set its per-request queryset or choices."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
