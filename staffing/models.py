"""The staffing app's models: seconded staff (派驻人员) and their chief affairs representatives
(首席事务代表, Art. 8), training, pre-job education and skill levels, the code of conduct and
conduct incidents (Art. 7), and attendance at the windows (dual management, Art. 8 ¶1).

Who may act where stays in the kernel (``servicehall.StaffProfile`` and the role groups); a
secondment activated through ``staffing.services`` brings the profile and groups into line.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Art. 8 ¶2: 派驻人员在政务服务中心工作时间一般不少于两年.
MIN_TENURE_YEARS = 2


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later; 29 February falls back to 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Secondment(models.Model):
    """One person's secondment (派驻) by a sending department (派出单位) to a hall."""

    class Role(models.TextChoices):
        WINDOW_STAFF = "window_staff", _("窗口人员")
        CHIEF = "chief", _("首席事务代表")
        SUPERVISOR = "supervisor", _("现场管理人员")

    class Status(models.TextChoices):
        PLANNED = "planned", _("拟派驻")
        ACTIVE = "active", _("在岗")
        ENDED = "ended", _("已结束")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="secondments", verbose_name=_("用户")
    )
    staff_number = models.CharField(_("工号"), max_length=20)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="secondments", verbose_name=_("派出单位")
    )
    hall = models.ForeignKey(
        "catalog.Hall", on_delete=models.PROTECT, related_name="secondments", verbose_name=_("大厅")
    )
    role = models.CharField(_("岗位"), max_length=20, choices=Role.choices, default=Role.WINDOW_STAFF)
    seconded_from = models.DateField(_("派驻起始日"))
    seconded_until = models.DateField(
        _("派驻截止日"), null=True, blank=True, help_text=_("计划或实际结束的日期；留空表示尚未确定。")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    short_tenure_reason = models.CharField(
        _("不足两年的原因"),
        max_length=300,
        blank=True,
        help_text=_("派驻时间计划或实际不足两年的，须写明原因（《广州市政务服务条例》第八条第二款）。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("派驻人员")
        verbose_name_plural = _("派驻人员")
        ordering = ["hall_id", "department_id", "staff_number", "pk"]
        constraints = [
            # Art. 8 ¶3: each department names one chief representative in a hall.
            models.UniqueConstraint(
                fields=["hall", "department"],
                condition=Q(role="chief", status="active"),
                name="staffing_one_active_chief_per_department_hall",
                violation_error_message=_("该部门在该大厅已有在岗的首席事务代表：请先结束其派驻或改任其他岗位。"),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="active"),
                name="staffing_one_active_secondment_per_user",
                violation_error_message=_("该人员已有在岗的派驻记录：请先结束原派驻。"),
            ),
            models.CheckConstraint(
                condition=Q(seconded_until__isnull=True) | Q(seconded_until__gte=models.F("seconded_from")),
                name="staffing_secondment_until_after_from",
                violation_error_message=_("派驻截止日不能早于起始日。"),
            ),
        ]
        indexes = [models.Index(fields=["hall", "department", "status"], name="staffing_secondment_roster_idx")]

    def __str__(self) -> str:
        return f"{self.staff_number} {self.get_role_display()}"

    @property
    def tenure_ends_at_least(self) -> dt.date:
        return add_years(self.seconded_from, MIN_TENURE_YEARS)

    @property
    def short_tenure(self) -> bool:
        """Planned or ended before two years at the hall (flagged on the roster)."""
        return self.seconded_until is not None and self.seconded_until < self.tenure_ends_at_least

    def clean(self) -> None:
        self.short_tenure_reason = (self.short_tenure_reason or "").strip()
        if self.seconded_from and self.short_tenure and not self.short_tenure_reason:
            raise ValidationError(
                {
                    "short_tenure_reason": _("派驻时间不足两年（须至少到%(date)s），请写明提前轮换或结束的原因。")
                    % {"date": self.tenure_ends_at_least.isoformat()}
                }
            )


class TrainingRecord(models.Model):
    """A training a person completed, pre-job education (岗前教育, Art. 7 ¶2) among them."""

    class Kind(models.TextChoices):
        PRE_JOB = "pre_job", _("岗前教育")
        SKILLS = "skills", _("业务技能培训")
        CONDUCT = "conduct", _("服务规范培训")
        OTHER = "other", _("其他培训")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records", verbose_name=_("人员")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("培训名称"), max_length=120)
    completed_on = models.DateField(_("完成日期"))
    hours = models.PositiveSmallIntegerField(_("学时"), null=True, blank=True, validators=[MaxValueValidator(999)])
    provider = models.CharField(_("组织单位"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["user", "kind"], name="staffing_training_user_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class SkillCertification(models.Model):
    """A vocational skill level (职业技能等级, Art. 7 ¶1) certified on a day; the latest counts."""

    class Level(models.IntegerChoices):
        # The national vocational qualification levels, from 五级 (entry) to 一级 (highest).
        FIVE = 5, _("五级/初级工")
        FOUR = 4, _("四级/中级工")
        THREE = 3, _("三级/高级工")
        TWO = 2, _("二级/技师")
        ONE = 1, _("一级/高级技师")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_certifications", verbose_name=_("人员")
    )
    level = models.PositiveSmallIntegerField(
        _("技能等级"), choices=Level.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    certified_on = models.DateField(_("认定日期"))
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("技能等级认定")
        verbose_name_plural = _("技能等级认定")
        ordering = ["-certified_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="staffing_skill_level_1_to_5",
                violation_error_message=_("技能等级须为一级至五级。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.certified_on}"


class AttendanceRecord(models.Model):
    """A spell at a window, from sign-in to sign-out (the daily attendance the hall's management
    department keeps: dual management, Art. 8 ¶1). Written when queueing signs a clerk in or out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance_records", verbose_name=_("人员")
    )
    hall = models.ForeignKey("catalog.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("窗口")
    )
    window_label = models.CharField(_("窗口"), max_length=40)
    signed_in_at = models.DateTimeField(_("签到时间"))
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    sign_out_cause = models.CharField(_("签退方式"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["-signed_in_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(signed_out_at__isnull=True), name="staffing_one_open_attendance"
            )
        ]
        indexes = [models.Index(fields=["user", "-signed_in_at"], name="staffing_attendance_user")]

    def __str__(self) -> str:
        return f"{self.window_label} {self.signed_in_at:%Y-%m-%d %H:%M}"

    @property
    def window_name(self) -> str:
        """The window in the page's language ("Window 4" on English pages); the label written
        at sign-in only once the window is gone."""
        return str(self.window) if self.window is not None else self.window_label

    @property
    def minutes(self) -> int | None:
        if self.signed_out_at is None:
            return None
        return int((self.signed_out_at - self.signed_in_at).total_seconds() // 60)


class ConductCode(models.Model):
    """The published code of conduct for window staff (行为规范, Art. 7 ¶2): forbidden phrases and
    behaviours, dress, discipline. Administrators edit it in the admin; staff read the latest
    published version."""

    title = models.CharField(_("标题"), max_length=120)
    forbidden_phrases = models.TextField(_("禁止用语"), help_text=_("每行一条。"))
    forbidden_behaviours = models.TextField(_("禁止行为"), help_text=_("每行一条。"))
    dress = models.TextField(_("仪容着装"))
    discipline = models.TextField(_("服务纪律"))
    published_at = models.DateTimeField(
        _("发布时间"), null=True, blank=True, help_text=_("留空为草稿，不向工作人员展示。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("窗口工作人员行为规范")
        verbose_name_plural = _("窗口工作人员行为规范")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def phrase_list(self) -> list[str]:
        return self._lines(self.forbidden_phrases)

    @property
    def behaviour_list(self) -> list[str]:
        return self._lines(self.forbidden_behaviours)


class ConductIncident(models.Model):
    """A breach of the code of conduct recorded against a person by a supervisor: on their own
    observation, or from feedback (Art. 7 ¶2 with REQUIREMENTS §9): a bad rating's rectification
    order found valid (``rectification_order``, at most one incident per order) or a "办不成事"
    report or complaint (``report``, at most one per report and person). ``occurred_on``,
    ``secondment`` and ``source`` are what the annual assessment counts per person and year
    (``staffing.selectors.incident_counts``)."""

    class Source(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        BAD_RATING = "bad_rating", _("差评")
        OBSERVATION = "observation", _("现场督查")

    secondment = models.ForeignKey(
        Secondment, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("派驻人员")
    )
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    reference = models.CharField(_("关联编号"), max_length=40, blank=True, help_text=_("投诉或评价的编号（如有）。"))
    description = models.TextField(_("情况描述"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    rectification_order = models.ForeignKey(
        "feedback.RectificationOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("差评整改单"),
    )
    report = models.ForeignKey(
        "feedback.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("“办不成事”反映"),
    )

    class Meta:
        verbose_name = _("行为规范违规记录")
        verbose_name_plural = _("行为规范违规记录")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rectification_order"],
                name="staffing_one_incident_per_order",
                violation_error_message=_("该整改单已记录行为问题。"),
            ),
            models.UniqueConstraint(
                fields=["report", "secondment"],
                name="staffing_one_incident_per_report_person",
                violation_error_message=_("该反映已对此人记录行为问题。"),
            ),
        ]
        indexes = [models.Index(fields=["secondment", "occurred_on"], name="staffing_incident_person_day")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.occurred_on}"


class SurgeFlag(models.Model):
    """A request for temporary extra staff (临时增派人员, Art. 6 ¶4, Art. 8 ¶1): a queue of a hall
    took markedly more tickets today, up to the time of the check, than on the same weekday of
    the last four weeks up to the same time. Raised once per hall, queue and day by the surge job
    (``staffing.services.surge_detect``); a supervisor of the hall or the department's chief
    representative records what was decided."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    class Decision(models.TextChoices):
        EXTRA_STAFF = "extra_staff", _("增派人员")
        NOT_NEEDED = "not_needed", _("无需增派")

    hall = models.ForeignKey("catalog.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("大厅"))
    category = models.ForeignKey(
        "queueing.QueueCategory", on_delete=models.CASCADE, related_name="+", verbose_name=_("排队类别")
    )
    # The department whose items the queue covers, when they are all one department's; a queue
    # of several departments' items names none and its flag goes to each of their chiefs.
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("部门")
    )
    date = models.DateField(_("日期"))
    checked_until = models.TimeField(_("统计截至"))
    arrivals = models.PositiveIntegerField(_("今日取号数"))
    baseline = models.FloatField(_("近四周同期平均"))
    baseline_days = models.PositiveSmallIntegerField(
        _("可比工作日数"),
        default=4,
        help_text=_("计算同期平均所用的此前同一星期几的工作日天数（跳过节假日），通常为4天。"),
    )
    ratio = models.FloatField(_("增幅"))
    raised_at = models.DateTimeField(_("提示时间"))
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(_("处理结果"), max_length=12, choices=Decision.choices, blank=True)
    extra_staff = models.PositiveSmallIntegerField(_("增派人数"), null=True, blank=True)
    note = models.CharField(_("处理说明"), max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("客流激增提示")
        verbose_name_plural = _("客流激增提示")
        ordering = ["-date", "hall_id", "category_id"]
        constraints = [
            # Once a day per queue, however many runs see it: the job's insert relies on it.
            models.UniqueConstraint(fields=["hall", "category", "date"], name="staffing_one_surge_per_queue_day"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(handled_at__isnull=False) & ~Q(decision="")),
                name="staffing_surge_handled_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(decision="extra_staff") | Q(extra_staff__gte=1),
                name="staffing_surge_extra_staff_counted",
            ),
        ]
        indexes = [models.Index(fields=["hall", "date"], condition=Q(status="open"), name="staffing_surge_open_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.category_id} +{round(self.ratio * 100)}%"

    @property
    def increase_percent(self) -> int:
        """The increase in whole percent, from the exact mean (``ratio``, what the threshold
        judged), everywhere: the message, the pages and the API. The mean is shown to one decimal
        (half up, ``floatformat:1``), so a reader dividing by the shown figure may find a point or
        two less: 26 against a mean of 10.25 is shown "10.3" and "+154%" (26 ÷ 10.3 is +152%).
        The API gives the exact ``baseline`` and ``ratio`` it comes from."""
        return round(self.ratio * 100)


# Replacement requests to the sending department (Art. 8 ¶2) and annual assessment proposals
# (Art. 8 ¶1): dual management, kept in their own modules.
from staffing.models_assessments import AssessmentProposal  # noqa: E402, F401
from staffing.models_replacements import ReplacementRequest  # noqa: E402, F401
