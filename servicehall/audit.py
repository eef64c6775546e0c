"""Recording staff actions. Call inside the service's transaction so the record and the
change it describes are committed together."""

from __future__ import annotations

from typing import Any

from django.db import models

from servicehall.models import AuditEvent


def audit_record(
    *, actor: Any, action: str, target: models.Model, summary: str, details: dict | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:300],
        details=details or {},
    )
