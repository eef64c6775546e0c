"""Names for the link tables Django makes for many-to-many fields, as the admin shows them.

An auto-created through model is named "Queuecategory-serviceitem relationship" (under zh-hans
"Queuecategory-serviceitem关系") and each row "QueueCategory_items object (1)": that is what the
admin's delete confirmation listed beside a category or an item (walkthrough). Each is named here
from its two models' own names ("队列类别—服务事项关联"), and each row from its two ends.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

PROJECT_APPS = ("catalog", "queueing", "appointments", "cases", "feedback", "staffing", "servicehall")


def _row_name(self: models.Model) -> str:
    ends = [field for field in self._meta.fields if isinstance(field, models.ForeignKey)]
    return " — ".join(str(getattr(self, field.name)) for field in ends)


def name_link_tables() -> int:
    """Name every auto-created through model of the project's apps; returns how many."""
    named = 0
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.local_many_to_many:
                through: Any = field.remote_field.through
                if not through._meta.auto_created:
                    continue
                target = field.remote_field.model._meta
                through._meta.verbose_name = format_lazy(
                    _("{source}—{target}关联"), source=model._meta.verbose_name, target=target.verbose_name
                )
                through._meta.verbose_name_plural = through._meta.verbose_name
                through.__str__ = _row_name
                named += 1
    return named
