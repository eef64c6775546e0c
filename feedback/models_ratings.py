"""好差评 ratings (REQUIREMENTS §9, Art. 6; the national 政务服务“好差评”制度): one rating per served
ticket (一次一评) or completed case (一事一评), the rectification order (整改单) a bad rating opens,
the rated staff member's appeal (申诉) and its review (复核), and the monthly satisfaction rolled
up per hall, department and window for the public page (评价公开).

The rating records where the service happened (hall, window, department, staff) when it is
made, so later moves of staff or windows never rewrite history. The database guarantees one
rating per ticket and per case, one order per rating and one appeal per order.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Department, Hall
from servicehall.models import StepRecord


class Level(models.TextChoices):
    """The five levels of the national scheme, best first."""

    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    VERY_DISSATISFIED = "very_dissatisfied", _("非常不满意")


# Counted as satisfied in the published satisfaction (满意度 = these / all counted ratings).
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC)
# A bad rating (差评): opens a rectification order.
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

_LEVEL_LENGTH = 20


class RatingPolicy(models.Model):
    """The city's rating rules, one row edited in the admin (``feedback.ratings.policy()`` falls
    back to these defaults while no row exists)."""

    default_after_days = models.PositiveSmallIntegerField(
        _("默认好评天数"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("办结（号码办理完毕或办件办结）后超过该天数仍未评价的，由定时任务记为“满意”的默认好评。"),
    )
    default_ratings_enabled = models.BooleanField(
        _("记录默认好评"), default=True, help_text=_("关闭后，未评价的服务不再记为默认好评。")
    )
    defaults_in_statistics = models.BooleanField(
        _("默认好评计入满意度"),
        default=False,
        help_text=_("默认好评不是群众本人的评价，默认不计入公开的满意度，只单列其数量。"),
    )
    rectify_working_days = models.PositiveSmallIntegerField(
        _("整改时限（工作日）"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("差评核实属实后，自核实之日起（当日不计）的整改期限。"),
    )
    tablet_minutes = models.PositiveSmallIntegerField(
        _("评价器显示时长（分钟）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("窗口评价器显示本窗口刚办结、尚未评价的号码的时长。"),
    )

    class Meta:
        verbose_name = _("好差评规则")
        verbose_name_plural = _("好差评规则")

    def __str__(self) -> str:
        return str(_("好差评规则"))


class Rating(models.Model):
    """A citizen's rating of one service (服务评价)."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("一次一评（排队号）")
        CASE = "case", _("一事一评（办件）")

    class Source(models.TextChoices):
        LINK = "link", _("扫码或链接")
        TABLET = "tablet", _("窗口评价器")
        DEFAULT = "default", _("默认好评")

    kind = models.CharField(_("评价对象"), max_length=8, choices=Kind.choices)
    ticket = models.OneToOneField(
        "queueing.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating",
        verbose_name=_("排队号"),
    )
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="rating", verbose_name=_("办件")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("窗口")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("部门")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("工作人员"),
    )
    level = models.CharField(_("总体评价"), max_length=_LEVEL_LENGTH, choices=Level.choices)
    # The national indicators for the hall (政务服务中心评价指标); none on a default rating.
    overall = models.CharField(_("整体满意度"), max_length=_LEVEL_LENGTH, choices=Level.choices, blank=True)
    efficiency = models.CharField(_("服务效率"), max_length=_LEVEL_LENGTH, choices=Level.choices, blank=True)
    quality = models.CharField(_("服务水平"), max_length=_LEVEL_LENGTH, choices=Level.choices, blank=True)
    attitude = models.CharField(_("服务态度"), max_length=_LEVEL_LENGTH, choices=Level.choices, blank=True)
    comment = models.CharField(_("评价内容"), max_length=300, blank=True)
    source = models.CharField(_("评价方式"), max_length=8, choices=Source.choices)
    is_default = models.BooleanField(_("默认好评"), default=False)
    served_at = models.DateTimeField(
        _("办结时间"), help_text=_("号码办理完毕或办件办结的时间；统计按该时间所在月份归属。")
    )
    served_month = models.DateField(_("统计月份"), help_text=_("办结时间所在月份的第一天（北京时间）。"))
    rated_at = models.DateTimeField(_("评价时间"))
    excluded = models.BooleanField(
        _("不计入统计"), default=False, help_text=_("差评经申诉复核撤销的，不计入满意度统计。")
    )
    excluded_reason = models.CharField(_("不计入理由"), max_length=300, blank=True)

    # The one-time token of the rating form that submitted it (feedback/form_tokens.py): a second
    # submit of the same form shows this rating again instead of refusing it as rated by another.
    submission_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ticket", ticket__isnull=False, case__isnull=True))
                | Q(kind="case", case__isnull=False, ticket__isnull=True),
                name="rating_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(source="default", level="satisfied"),
                name="rating_default_is_satisfied",
            ),
            models.CheckConstraint(
                condition=Q(is_default=True) | ~Q(overall="") & ~Q(efficiency="") & ~Q(quality="") & ~Q(attitude=""),
                name="rating_indicators_given",
            ),
        ]
        indexes = [
            models.Index(fields=["served_month", "hall"], name="rating_month_hall_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationOrder(models.Model):
    """The rectification order (整改单) a bad rating opens for the department of the window or
    case: 核实 (valid or not, with reasons) → 整改 (within the working days of the policy) → 回访
    (a follow-up call); the rated staff member may appeal (申诉) and a supervisor decides (复核)."""

    class Status(models.TextChoices):
        VERIFYING = "verifying", _("待核实")
        RECTIFYING = "rectifying", _("整改中")
        FOLLOW_UP = "follow_up", _("待回访")
        CLOSED = "closed", _("已办结")
        INVALID = "invalid", _("核实不属实")
        APPEALED = "appealed", _("申诉复核中")
        OVERTURNED = "overturned", _("申诉成立，差评撤销")

    OPEN = (Status.VERIFYING, Status.RECTIFYING, Status.FOLLOW_UP, Status.APPEALED)
    APPEALABLE = (Status.VERIFYING, Status.RECTIFYING, Status.INVALID)

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("评价")
    )
    number = models.CharField(_("整改单编号"), max_length=24, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任部门")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VERIFYING)
    opened_at = models.DateTimeField(_("生成时间"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )
    verification_valid = models.BooleanField(_("核实属实"), null=True, blank=True)
    verification_reason = models.CharField(_("核实情况"), max_length=500, blank=True)
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限待确认"), default=False)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改人"),
    )
    measures = models.CharField(_("整改措施"), max_length=500, blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    follow_up_reached = models.BooleanField(_("回访联系上"), null=True, blank=True)
    follow_up_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    # The rater left no way to reach them (a ticket rated at the tablet or by its link, without a
    # booking's mobile): no call was possible, recorded as such rather than as "not reached".
    follow_up_no_contact = models.BooleanField(_("评价人未留联系方式"), default=False)
    follow_up_note = models.CharField(_("回访记录"), max_length=500, blank=True)
    overdue = models.BooleanField(_("整改超期"), default=False)
    overdue_flagged_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改单")
        verbose_name_plural = _("差评整改单")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rectifying") | Q(due_on__isnull=False), name="rectification_rectifying_has_due"
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | ~Q(verification_reason=""),
                name="rectification_verification_has_reason",
            ),
        ]
        indexes = [
            # The overdue job reads only orders being rectified and not yet flagged.
            models.Index(
                fields=["due_on"], name="rectification_due_idx", condition=Q(status="rectifying", overdue=False)
            ),
            models.Index(fields=["hall", "status"], name="rectification_hall_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def overdue_state(self, today: dt.date) -> str:
        """逾期 as a pure function of the stored fields and ``today``: "open" while being rectified
        past the deadline (whether or not the periodic job has flagged it yet), "late" once
        rectified after it (the job's flag stays), "" otherwise."""
        if self.status == self.Status.RECTIFYING:
            return "open" if self.overdue or (self.due_on is not None and self.due_on < today) else ""
        return "late" if self.overdue else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class RectificationEvent(StepRecord):
    """One step of a rectification order, with who and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("生成整改单")
        VERIFIED_VALID = "verified_valid", _("核实属实")
        VERIFIED_INVALID = "verified_invalid", _("核实不属实")
        RECTIFIED = "rectified", _("整改完成")
        FOLLOWED_UP = "followed_up", _("回访")
        APPEALED = "appealed", _("提出申诉")
        APPEAL_UPHELD = "appeal_upheld", _("复核维持差评")
        APPEAL_OVERTURNED = "appeal_overturned", _("复核撤销差评")
        OVERDUE = "overdue", _("整改超期")

    order = models.ForeignKey(
        RectificationOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("整改单")
    )
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("整改单事件")
        verbose_name_plural = _("整改单事件")
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_kind_display()}"


class RatingAppeal(models.Model):
    """The rated staff member's appeal (申诉) against a bad rating, decided by a supervisor covering
    the hall (复核): upheld (维持, the order goes on where it was) or overturned (撤销, the rating
    no longer counts in the statistics and the order is closed)."""

    class Decision(models.TextChoices):
        PENDING = "", _("待复核")
        UPHELD = "upheld", _("维持差评")
        OVERTURNED = "overturned", _("撤销差评")

    order = models.OneToOneField(
        RectificationOrder, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("整改单")
    )
    reason = models.CharField(_("申诉理由"), max_length=500)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申诉人")
    )
    appealed_at = models.DateTimeField(_("申诉时间"))
    status_before = models.CharField(_("申诉前状态"), max_length=12, choices=RectificationOrder.Status.choices)
    decision = models.CharField(_("复核结果"), max_length=12, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("复核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-appealed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="rating_appeal_has_reason"),
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(decision_reason=""), name="rating_appeal_decision_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_decision_display()}"


class SatisfactionMonth(models.Model):
    """A month's ratings rolled up per hall (scope "hall"), department ("department:<id>") or
    window ("window:<id>") for the public page (feedback/rollup_ratings.py)."""

    month = models.DateField(_("月份"))
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("大厅"))
    scope = models.CharField(_("范围"), max_length=24)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("部门")
    )
    window = models.ForeignKey(
        "queueing.Window", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("窗口")
    )
    very_satisfied = models.PositiveIntegerField(_("非常满意"), default=0)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    dissatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    very_dissatisfied = models.PositiveIntegerField(_("非常不满意"), default=0)
    defaults = models.PositiveIntegerField(_("默认好评"), default=0, help_text=_("不论是否计入满意度，均单列。"))
    excluded = models.PositiveIntegerField(_("申诉撤销"), default=0)
    computed_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        verbose_name = _("月度满意度")
        verbose_name_plural = _("月度满意度")
        ordering = ["-month", "hall", "scope"]
        constraints = [models.UniqueConstraint(fields=["month", "hall", "scope"], name="satisfaction_month_once")]
        indexes = [models.Index(fields=["month", "scope"], name="satisfaction_month_scope_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.hall_id} {self.scope}"

    @property
    def counted(self) -> int:
        return self.very_satisfied + self.satisfied + self.basic + self.dissatisfied + self.very_dissatisfied

    @property
    def satisfaction(self) -> float | None:
        """满意度 = (非常满意 + 满意 + 基本满意) / counted ratings; None with no rating."""
        total = self.counted
        return (self.very_satisfied + self.satisfied + self.basic) / total if total else None
