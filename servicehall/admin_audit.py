"""The Django admin's changes in the audit trail (等保三级: who changed what, when, from where).

Django's admin writes a ``LogEntry`` for each object it adds, changes or deletes; each one also
becomes an audit record here, in the same transaction, naming the object (its type, id and
name, ID and mobile numbers masked) and the fields changed. Until this, an admin change was in
the trail only as the middleware's "其他请求（按路由记录）" with its route and status (walkthrough).
Several objects deleted by one action are written by Django in one bulk insert, which sends no
signal: they keep the middleware's record of the request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from servicehall.audit import audit_record
from servicehall.personal_data import mask_free_text


def _recorded(sender: type[LogEntry], instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    flag = instance.action_flag
    content_type = instance.content_type
    model = content_type.model_class() if content_type is not None else None
    kind = str(model._meta.verbose_name) if model is not None else (content_type.model if content_type else "")
    verb = _("新增") if flag == ADDITION else (_("删除") if flag == DELETION else _("修改"))
    name = mask_free_text(instance.object_repr)
    change = mask_free_text(instance.get_change_message()) if flag == CHANGE else ""
    summary = _("管理后台%(verb)s%(kind)s“%(name)s”") % {"verb": verb, "kind": kind, "name": name}
    audit_record(
        actor=instance.user,
        action="admin.added" if flag == ADDITION else ("admin.deleted" if flag == DELETION else "admin.changed"),
        target_type=f"{content_type.app_label}.{content_type.model}" if content_type is not None else "",
        target_id=str(instance.object_id or "")[:64],
        # The fields changed, on the audit page and in its CSV too (walkthrough: only in details).
        summary=f"{summary}：{change}" if change else summary,
        details={"change": change} if change else {},
    )


def connect() -> None:
    post_save.connect(_recorded, sender=LogEntry, dispatch_uid="servicehall.admin_audit")
