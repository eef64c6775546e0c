"""Annual assessment proposals (年度考核建议, Art. 8 ¶1): the hall's management department proposes
a grade for each seconded person for a year, with the evidence from the system's figures
(snapshotted when saved, so the export to the sending department does not change later) and a
written justification. Revised until submitted; submitting locks it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AssessmentProposal(models.Model):
    """One person's proposed grade for one year."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职")
        BASIC = "basic", _("基本称职")
        INCOMPETENT = "incompetent", _("不称职")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    secondment = models.ForeignKey(
        "staffing.Secondment",
        on_delete=models.PROTECT,
        related_name="assessment_proposals",
        verbose_name=_("派驻人员"),
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    grade = models.CharField(_("建议等次"), max_length=12, choices=Grade.choices)
    justification = models.TextField(_("考核意见"))
    evidence = models.JSONField(_("考核依据数据"), default=dict, help_text=_("保存时的各项数据快照。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    revised_at = models.DateTimeField(_("最近修改时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度考核建议")
        verbose_name_plural = _("年度考核建议")
        ordering = ["-year", "secondment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["secondment", "year"],
                name="staffing_one_assessment_per_secondment_year",
                violation_error_message=_("该人员本年度已有考核建议：请修改原建议。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="staffing_assessment_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_grade_display()}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.SUBMITTED
