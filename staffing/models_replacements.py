"""Replacement requests (要求派出单位更换, Art. 8 ¶2): the hall's management department asks the
sending department to replace a seconded person, with a reason and a deadline, and follows the
request until a replacement is in post (or it is withdrawn)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The deadline a request gets unless the supervisor sets another.
DEFAULT_DEADLINE_DAYS = 30


class ReplacementRequest(models.Model):
    """A request to the sending department (派出单位) to replace one seconded person."""

    class Status(models.TextChoices):
        OPEN = "open", _("待更换")
        REPLACED = "replaced", _("已到岗接替")
        WITHDRAWN = "withdrawn", _("已撤回")

    secondment = models.ForeignKey(
        "staffing.Secondment",
        on_delete=models.PROTECT,
        related_name="replacement_requests",
        verbose_name=_("被要求更换的人员"),
    )
    reason = models.TextField(_("更换理由"))
    deadline = models.DateField(_("更换期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    requested_at = models.DateTimeField(_("提出时间"))
    requested_on = models.DateField(_("提出日期"), help_text=_("北京时间；接替人员须在此日或之后到岗。"))
    replacement = models.ForeignKey(
        "staffing.Secondment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_requests",
        verbose_name=_("接替人员"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)
    overdue_notified_at = models.DateTimeField(
        _("超期提醒时间"), null=True, blank=True, help_text=_("已就超期通知政务服务管理部门的时间（只通知一次）。")
    )

    class Meta:
        verbose_name = _("更换派驻人员要求")
        verbose_name_plural = _("更换派驻人员要求")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["secondment"],
                condition=Q(status="open"),
                name="staffing_one_open_replacement_per_secondment",
                violation_error_message=_("该人员已有未办结的更换要求：请先办结或撤回原要求。"),
            ),
            models.CheckConstraint(
                condition=Q(status="replaced", replacement__isnull=False)
                | Q(status="withdrawn", replacement__isnull=True)
                | Q(status="open", replacement__isnull=True),
                name="staffing_replacement_named_when_replaced",
            ),
        ]
        indexes = [
            # The open requests by deadline: the overdue flag reads only these.
            models.Index(fields=["deadline"], condition=Q(status="open"), name="staffing_replacement_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.deadline}"

    def is_overdue(self, today: dt.date) -> bool:
        """Still open after its deadline day."""
        return self.status == self.Status.OPEN and self.deadline < today
