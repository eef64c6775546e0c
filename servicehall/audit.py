"""Recording staff actions. Call inside the service's transaction so the record and the
change it describes are committed together."""

from __future__ import annotations

from typing import Any

from django.db import models

from servicehall.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    summary: str,
    details: dict | None = None,
) -> AuditEvent:
    """Record ``action`` on ``target`` (or on what ``target_type``/``target_id`` name when there is
    no row to point at, e.g. a login attempt for a user name that may not exist)."""
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:300],
        details=details or {},
    )
