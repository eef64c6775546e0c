"""Who staff members are (their hall and department scope) and what they did (audit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    """Where a staff member works. No hall means citywide (city supervisors, administrators)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("用户")
    )
    hall = models.ForeignKey(
        "catalog.Hall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profiles",
        verbose_name=_("所属大厅"),
        help_text=_("留空表示全市范围（市级监督人员、系统管理员）。"),
    )
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profiles",
        verbose_name=_("派出单位"),
    )
    display_name = models.CharField(_("姓名"), max_length=40)
    staff_number = models.CharField(_("工号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self) -> str:
        return self.display_name


class AuditEvent(models.Model):
    """One staff action, kept for supervision (REQUIREMENTS §10: every staff action is audited)."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=100)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class Heartbeat(models.Model):
    """The last time a periodic job ran, by name: ``/readyz`` tells from it that beat, the broker
    and a worker are all alive (the beat's ``heartbeat`` task writes it every minute)."""

    name = models.CharField(_("名称"), max_length=60, primary_key=True)
    beat_at = models.DateTimeField(_("最近运行"))

    class Meta:
        verbose_name = _("运行心跳")
        verbose_name_plural = _("运行心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
