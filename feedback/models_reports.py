"""“办不成事” reports (Art. 6 ¶1: 市、区政务服务中心应当设置“办不成事”反映窗口，受理、协调解决复杂、疑难问题;
REQUIREMENTS §9) and their closed loop: 受理 (registered, with a reference number and a private
progress link) → 转派 (assigned to one or several departments, whose chief representatives at the
hall answer) → 协调督办 (supervisors' notes and intermediate dates) → 办结 (the resolution: what was
done and whether the matter got done) → 回访 (the follow-up call: reached or not, satisfied or not).

Every step is a ``ReportEvent`` with who and when (and a line in the kernel's audit log). The reply
is due ``FEEDBACK_REPORTS["reply_working_days"]`` working days after registration (``due_on``,
stored); the flag job (feedback/reports.py ``report_flags_run``) colours the open reports yellow
near it and red past it through a partial index that covers only open reports.

The reporter's mobile number is validated, stored masked with its keyed digest, and kept whole
only until the follow-up call needs it: recording the call erases it (``contact_mobile``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Department, Hall, ServiceItem
from queueing.models import Window
from servicehall.models import StepRecord

# The statuses in which the reply is still owed (the flag job's rows).
REPORT_OPEN_STATUSES = ("registered", "assigned")


class ReportCategory(models.Model):
    """What kind of problem a report is about (缺少政策依据, 跨部门协同, …): edited by administrators,
    so supervisors see what keeps going wrong."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再供新反映选择，已有反映不受影响。"))

    class Meta:
        verbose_name = _("“办不成事”问题类别")
        verbose_name_plural = _("“办不成事”问题类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ReportSequence(models.Model):
    """The last reference number drawn per day; advanced by one atomic upsert."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Report(models.Model):
    """A “办不成事” report (办不成事反映)."""

    class Channel(models.TextChoices):
        WINDOW = "window", _("“办不成事”反映窗口")
        ONLINE = "online", _("网上反映")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已受理")
        ASSIGNED = "assigned", _("已转派")
        RESOLVED = "resolved", _("已办结")
        FOLLOWED_UP = "followed_up", _("已回访")

    class Flag(models.TextChoices):
        NONE = "", _("正常")
        YELLOW = "yellow", _("临近答复期限")
        RED = "red", _("已超答复期限")

    OPEN = (Status.REGISTERED, Status.ASSIGNED)

    number = models.CharField(
        _("受理编号"), max_length=14, unique=True, help_text=_("BC + 受理日期（yyyyMMdd）+ 当日4位流水号。")
    )
    progress_token = models.CharField(_("进度查询令牌"), max_length=32, unique=True)
    channel = models.CharField(_("反映渠道"), max_length=8, choices=Channel.choices)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="reports", verbose_name=_("办事大厅"))
    window = models.ForeignKey(
        Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("办事窗口")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("办理事项")
    )
    tried_on = models.DateField(_("办事日期"))
    problem = models.TextField(_("反映的问题"), max_length=2000)
    category = models.ForeignKey(
        ReportCategory, on_delete=models.PROTECT, related_name="reports", verbose_name=_("问题类别")
    )
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_mobile_masked = models.CharField(_("联系手机（脱敏）"), max_length=11)
    contact_mobile_digest = models.CharField(_("联系手机摘要"), max_length=64, db_index=True)
    # Kept whole only for the follow-up call (回访); erased when the call is recorded.
    contact_mobile = models.CharField(_("回访电话"), max_length=11, blank=True)
    # The one-time token of the public form that submitted it (feedback/form_tokens.py): a second
    # submit of the same form finds this report instead of registering another.
    submission_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("受理时间"))
    registered_on = models.DateField(_("受理日期"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
        help_text=_("网上反映为空。"),
    )
    due_on = models.DateField(_("答复期限"))
    due_provisional = models.BooleanField(_("期限待定"), default=False)
    next_check_on = models.DateField(_("督办节点"), null=True, blank=True)

    flag = models.CharField(_("预警"), max_length=6, choices=Flag.choices, default=Flag.NONE, blank=True)
    flag_changed_at = models.DateTimeField(_("预警变化时间"), null=True, blank=True)
    flag_run = models.CharField(max_length=32, blank=True)
    flag_notified_at = models.DateTimeField(_("预警通知时间"), null=True, blank=True)

    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    resolution = models.TextField(_("办理结果"), max_length=2000, blank=True)
    matter_done = models.BooleanField(_("事项已办成"), null=True, blank=True)

    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    reached = models.BooleanField(_("回访接通"), null=True, blank=True)
    satisfied = models.BooleanField(_("满意"), null=True, blank=True)

    class Meta:
        verbose_name = _("“办不成事”反映")
        verbose_name_plural = _("“办不成事”反映")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["hall", "status", "registered_at"], name="report_hall_status_idx"),
            # The flag job's ranges: only the reports whose reply is still owed.
            models.Index(
                fields=["flag", "due_on"], name="report_open_flag_idx", condition=Q(status__in=REPORT_OPEN_STATUSES)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "followed_up"])
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="report_resolved_has_resolution",
                violation_error_message=_("办结须写明办理结果。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="followed_up") | Q(followed_up_at__isnull=False, reached__isnull=False),
                name="report_followed_up_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReportAssignment(models.Model):
    """转派: a department (its chief representative at the report's hall) answers for the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("反映"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门"))
    assigned_at = models.DateTimeField(_("转派时间"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("转派人")
    )
    # The department's own answer for its part (部门答复), by its chief representative at the hall;
    # the report is resolved when every assigned department has answered (or by a supervisor).
    # Cleared when the report is sent back (重新转派); the events keep every round.
    answer = models.TextField(_("部门答复"), max_length=2000, blank=True)
    matter_done = models.BooleanField(_("事项已办成"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )

    class Meta:
        verbose_name = _("转派")
        verbose_name_plural = _("转派")
        ordering = ["report", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "department"], name="report_assignment_once"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="", matter_done__isnull=True)
                | (Q(answered_at__isnull=False, matter_done__isnull=False) & ~Q(answer="")),
                name="report_assignment_answer_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.department}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class ReportEvent(StepRecord):
    """One step of the loop, with who and when."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("受理")
        ASSIGNED = "assigned", _("转派")
        NOTE = "note", _("协调督办")
        ANSWERED = "answered", _("部门答复")
        RESOLVED = "resolved", _("办结")
        FOLLOWED_UP = "followed_up", _("回访")
        REOPENED = "reopened", _("重新转派")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("反映"))
    kind = models.CharField(_("环节"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("说明"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["report", "at", "pk"]
        indexes = [models.Index(fields=["report", "at"], name="report_event_idx")]

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()}"
