"""Getting served: queue categories, windows, tickets and their events, wait alerts, daily
statistics (REQUIREMENTS §1, §4; Art. 6, 8, 10).

A ticket's status is a small state machine (waiting → called → serving → done, or no-show,
cancelled, expired); every transition is written to ``TicketEvent`` with the staff member, the
window and the reason. The database itself guarantees what must never happen twice: a number
per hall and day, a waiting ticket per person and category, a current ticket per window, an open
alert per queue.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import BilingualName, Hall, ServiceItem

QUEUE_LETTER_VALIDATOR = RegexValidator(
    r"^[A-HJ-NP-UWXZ]$", _("队列字母须为一个大写字母（I、O、V、Y 除外：V 为绿色通道、Y 为预约前缀）。")
)


class QueueCategory(BilingualName):
    """A queue of a hall (排队类别): one letter, the items it covers, optional thresholds."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="queue_categories", verbose_name=_("大厅"))
    letter = models.CharField(_("字母"), max_length=1, validators=[QUEUE_LETTER_VALIDATOR])
    items = models.ManyToManyField(ServiceItem, blank=True, related_name="queue_categories", verbose_name=_("涵盖事项"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    max_wait_minutes = models.PositiveSmallIntegerField(
        _("最长等候预警（分钟）"), null=True, blank=True, help_text=_("留空则用大厅或全市默认值。")
    )
    max_waiting_per_window = models.PositiveSmallIntegerField(
        _("每窗口等候人数预警"), null=True, blank=True, help_text=_("留空则用大厅或全市默认值。")
    )
    target_wait_minutes = models.PositiveSmallIntegerField(
        _("目标等候时间（分钟）"), null=True, blank=True, help_text=_("留空则用大厅或全市默认值。")
    )
    target_share_percent = models.PositiveSmallIntegerField(
        _("目标时间内叫号占比（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("在目标等候时间内被叫号的人数应占的比例，例如 80。留空则用大厅或全市默认值。"),
    )

    class Meta:
        verbose_name = _("排队类别")
        verbose_name_plural = _("排队类别")
        ordering = ["hall", "order", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "letter"],
                name="queue_letter_unique_per_hall",
                violation_error_message=_("本大厅已有使用该字母的排队类别，请换一个字母。"),
            ),
            models.CheckConstraint(condition=Q(letter__regex=r"^[A-HJ-NP-UWXZ]$"), name="queue_letter_format"),
            models.CheckConstraint(
                condition=Q(target_share_percent__isnull=True) | Q(target_share_percent__range=(1, 100)),
                name="queue_target_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


# The green-channel age a hall may set (REQUIREMENTS §6: 60 in Chinese law by default).
GREEN_CHANNEL_AGE_RANGE = (50, 80)
GREEN_CHANNEL_AGE_MESSAGE = _("绿色通道年龄须在 50 至 80 周岁之间。")
NO_SHOW_WAIT_RANGE = (0, 600)
NO_SHOW_WAIT_MESSAGE = _("过号等待时间须在 0 至 600 秒之间。")


class HallQueueSettings(models.Model):
    """A hall's own queue settings; an empty field falls back to ``settings.QUEUE``."""

    hall = models.OneToOneField(Hall, on_delete=models.CASCADE, related_name="queue_settings", verbose_name=_("大厅"))
    max_wait_minutes = models.PositiveSmallIntegerField(_("最长等候预警（分钟）"), null=True, blank=True)
    max_waiting_per_window = models.PositiveSmallIntegerField(_("每窗口等候人数预警"), null=True, blank=True)
    starvation_minutes = models.PositiveSmallIntegerField(
        _("普通号最长等候（分钟）"),
        null=True,
        blank=True,
        help_text=_("超过此时间的普通号优先于绿色通道叫号，防止长时间得不到服务。"),
    )
    target_wait_minutes = models.PositiveSmallIntegerField(_("目标等候时间（分钟）"), null=True, blank=True)
    target_share_percent = models.PositiveSmallIntegerField(
        _("目标时间内叫号占比（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("在目标等候时间内被叫号的人数应占的比例，例如 80。"),
    )
    green_channel_age = models.PositiveSmallIntegerField(
        _("绿色通道年龄"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(GREEN_CHANNEL_AGE_RANGE[0], message=GREEN_CHANNEL_AGE_MESSAGE),
            MaxValueValidator(GREEN_CHANNEL_AGE_RANGE[1], message=GREEN_CHANNEL_AGE_MESSAGE),
        ],
        help_text=_("年满该周岁的申请人凭身份证号码自动进入绿色通道，可设为 50 至 80；留空则用全市默认值（60 周岁）。"),
    )
    no_show_wait_seconds = models.PositiveSmallIntegerField(
        _("过号等待（秒）"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(NO_SHOW_WAIT_RANGE[0], message=NO_SHOW_WAIT_MESSAGE),
            MaxValueValidator(NO_SHOW_WAIT_RANGE[1], message=NO_SHOW_WAIT_MESSAGE),
        ],
        help_text=_(
            "叫号（或重新叫号）后须等待多少秒才能标记过号，让群众有时间听到叫号并走到窗口；大厅较大时可设长一些。"
            "可设为 0 至 600；留空则用全市默认值（60 秒）。"
        ),
    )

    class Meta:
        verbose_name = _("大厅排队设置")
        verbose_name_plural = _("大厅排队设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_share_percent__isnull=True) | Q(target_share_percent__range=(1, 100)),
                name="hall_queue_target_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(green_channel_age__isnull=True) | Q(green_channel_age__range=GREEN_CHANNEL_AGE_RANGE),
                name="hall_queue_green_channel_age",
                violation_error_message=GREEN_CHANNEL_AGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(no_show_wait_seconds__isnull=True) | Q(no_show_wait_seconds__range=NO_SHOW_WAIT_RANGE),
                name="hall_queue_no_show_wait",
                violation_error_message=NO_SHOW_WAIT_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return str(self.hall)


class Window(models.Model):
    """A service window (服务窗口) of a hall."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合窗口")
        CANNOT_HANDLE = "cannot_handle", _("“办不成事”反映窗口")
        SPECIALISED = "specialised", _("专业窗口")
        GREEN_CHANNEL = "green_channel", _("绿色通道窗口")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows", verbose_name=_("大厅"))
    number = models.PositiveSmallIntegerField(_("窗口号"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.SPECIALISED)
    categories = models.ManyToManyField(
        QueueCategory,
        blank=True,
        related_name="windows",
        verbose_name=_("服务类别"),
        help_text=_("综合窗口服务本大厅全部类别，无需勾选。"),
    )
    is_open = models.BooleanField(_("开放"), default=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("当前工作人员"),
    )
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique_per_hall"),
            # A staff member is signed in at one window at a time.
            models.UniqueConstraint(fields=["staff"], condition=Q(staff__isnull=False), name="window_one_per_staff"),
        ]

    def __str__(self) -> str:
        return _("%(number)s号窗口") % {"number": self.number}

    @property
    def serves_every_category(self) -> bool:
        return self.kind == self.Kind.COMPREHENSIVE


class TicketSequence(models.Model):
    """How a queue's numbers are drawn on a day (``queueing.services``): on PostgreSQL the value
    of the queue's database sequence before the day's first number (``number_offset``: the day's
    number is the sequence's next value less it); elsewhere the last number issued (``last``),
    advanced by one atomic upsert."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, related_name="+")
    service_date = models.DateField()
    last = models.PositiveIntegerField(default=0)
    number_offset = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "category", "service_date"], name="ticket_sequence_unique"),
        ]

    def __str__(self) -> str:
        drawn = self.last if self.number_offset is None else f"+{self.number_offset}"
        return f"{self.service_date} {self.category_id}: {drawn}"


class Ticket(models.Model):
    """A queue ticket (排队号)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        DONE = "done", _("已办结")
        NO_SHOW = "no_show", _("过号")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已失效")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("自助取号机")
        ONLINE = "online", _("线上取号")
        APPOINTMENT = "appointment", _("预约签到")
        STAFF = "staff", _("工作人员代取")

    class Priority(models.TextChoices):
        NONE = "", _("普通")
        ELDERLY = "elderly", _("老年人")
        DISABLED = "disabled", _("残疾人")
        PREGNANT = "pregnant", _("孕妇")
        STAFF_GRANTED = "staff_granted", _("工作人员认定")
        APPOINTMENT = "appointment", _("预约")

    ACTIVE = (Status.WAITING, Status.CALLED, Status.SERVING)
    AT_WINDOW = (Status.CALLED, Status.SERVING)
    GREEN_CHANNEL = (Priority.ELDERLY, Priority.DISABLED, Priority.PREGNANT, Priority.STAFF_GRANTED)

    # Indexes (issue 14): every issue inserts into each of them, so only those the reads need. The
    # hall's own index is not (ticket_day_idx and the number's constraint begin with it); the
    # token keeps its unique index but not the LIKE index Django adds beside it on PostgreSQL (a
    # token is only ever looked up whole: migration 0008 drops it); the windows and the staff
    # member, empty on every new ticket, are indexed only where set.
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("大厅"), db_index=False
    )
    category = models.ForeignKey(
        QueueCategory, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("类别")
    )
    service_date = models.DateField(_("日期"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    token = models.CharField(_("查询令牌"), max_length=32, unique=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    priority = models.CharField(_("优先原因"), max_length=16, choices=Priority.choices, blank=True, default="")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING)
    id_hash = models.CharField(_("证件摘要"), max_length=64, blank=True, default="")
    id_masked = models.CharField(_("证件号（脱敏）"), max_length=18, blank=True, default="")
    issued_at = models.DateTimeField(_("取号时间"))
    arrived_at = models.DateTimeField(_("排队时间"), help_text=_("排队顺序依据；转办后保持不变。"))
    not_before = models.DateTimeField(_("最早叫号时间"), null=True, blank=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("窗口"),
        db_index=False,
    )
    target_window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("指定窗口"),
        help_text=_("转至指定窗口的号码只由该窗口叫号。"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("工作人员"),
    )
    call_count = models.PositiveSmallIntegerField(_("叫号次数"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("转办次数"), default=0)
    # 急事急办 (Art. 10 ¶3): set through ``services.ticket_mark_urgent`` by the app that decides
    # urgent matters (cases); queueing knows only that the ticket is called first.
    urgent = models.BooleanField(_("急事急办"), default=False, help_text=_("经首席事务代表批准的急办事项，优先叫号。"))

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # The number (letter of the category it was issued in + daily sequence) is unique per
            # hall and day; a transfer moves the ticket to another category but keeps its number.
            models.UniqueConstraint(fields=["hall", "service_date", "number"], name="ticket_number_once_per_day"),
            # One ticket in the queue per person and category (when an ID number was given).
            models.UniqueConstraint(
                fields=["hall", "category", "id_hash"],
                condition=Q(status__in=["waiting", "called", "serving"]) & ~Q(id_hash=""),
                name="ticket_one_active_per_person",
            ),
            # A window has at most one ticket at the counter.
            models.UniqueConstraint(
                fields=["window"], condition=Q(status__in=["called", "serving"]), name="ticket_one_current_per_window"
            ),
        ]
        indexes = [
            models.Index(
                fields=["hall", "category", "arrived_at"], name="ticket_waiting_idx", condition=Q(status="waiting")
            ),
            models.Index(fields=["hall", "service_date", "status"], name="ticket_day_idx"),
            models.Index(fields=["service_date", "status"], name="ticket_date_status_idx"),
            models.Index(fields=["window"], name="ticket_window_idx", condition=Q(window__isnull=False)),
            models.Index(
                fields=["target_window"], name="ticket_target_window_idx", condition=Q(target_window__isnull=False)
            ),
            models.Index(fields=["staff"], name="ticket_staff_idx", condition=Q(staff__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_green_channel(self) -> bool:
        return self.priority in self.GREEN_CHANNEL

    @property
    def priority_label(self) -> str:
        """How the ticket's priority is told to its holder: "绿色通道：老年人", "预约", or ""."""
        if self.is_green_channel:
            return gettext("绿色通道：%(kind)s") % {"kind": self.Priority(self.priority).label}
        if self.priority:
            return str(self.Priority(self.priority).label)
        return ""

    @property
    def is_priority(self) -> bool:
        return bool(self.priority)

    def wait_seconds(self, now: dt.datetime) -> int:
        """Seconds from joining the queue to being called (or to ``now`` if still waiting)."""
        end = self.called_at or now
        return max(0, int((end - self.arrived_at).total_seconds()))


class TicketEvent(models.Model):
    """One transition of a ticket, with who, where and why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("取号")
        CALLED = "called", _("叫号")
        RECALLED = "recalled", _("重新叫号")
        STARTED = "started", _("开始办理")
        FINISHED = "finished", _("办结")
        NO_SHOW = "no_show", _("过号")
        TRANSFERRED = "transferred", _("转办")
        CANCELLED = "cancelled", _("取消")
        EXPIRED = "expired", _("失效")
        PRIORITY_GRANTED = "priority_granted", _("认定绿色通道")
        URGENT = "urgent", _("急事急办优先")

    # The ticket's own index is not needed: ticket_event_idx begins with it (issue 14).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("排队号"), db_index=False
    )
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    # The window and the staff member are indexed only where set (Meta): an issue's event has
    # neither, and a hundred thousand issues a day need not write two index entries of nothing.
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("窗口"),
        db_index=False,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("工作人员"),
        db_index=False,
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("排队号事件")
        verbose_name_plural = _("排队号事件")
        ordering = ["ticket", "at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="ticket_event_idx"),
            models.Index(fields=["window"], name="ticket_event_window_idx", condition=Q(window__isnull=False)),
            models.Index(fields=["staff"], name="ticket_event_staff_idx", condition=Q(staff__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_kind_display()}"


class WaitAlert(models.Model):
    """A queue past its threshold (Art. 6 ¶4, Art. 8 ¶4). One open alert per queue."""

    class Reason(models.TextChoices):
        LONG_WAIT = "long_wait", _("等候时间过长")
        LONG_QUEUE = "long_queue", _("排队人数过多")
        BOTH = "both", _("等候时间过长且排队人数过多")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="wait_alerts", verbose_name=_("大厅"))
    category = models.ForeignKey(
        QueueCategory, on_delete=models.CASCADE, related_name="wait_alerts", verbose_name=_("类别")
    )
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    opened_at = models.DateTimeField(_("触发时间"))
    run_id = models.CharField(_("监测批次"), max_length=32)
    waiting = models.PositiveIntegerField(_("等候人数"))
    longest_wait_seconds = models.PositiveIntegerField(_("最长等候（秒）"))
    open_windows = models.PositiveSmallIntegerField(_("开放窗口数"))
    arrivals_per_hour = models.FloatField(_("到达率（人/小时）"))
    mean_service_seconds = models.FloatField(_("平均办理时长（秒）"))
    recommended_extra_windows = models.PositiveSmallIntegerField(_("建议增开窗口数"))
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    cause = models.CharField(_("原因分析"), max_length=300, blank=True)
    action = models.CharField(_("改进措施"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("等候预警")
        verbose_name_plural = _("等候预警")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "category"], condition=Q(closed_at__isnull=True), name="wait_alert_one_open_per_queue"
            ),
        ]
        indexes = [models.Index(fields=["hall", "opened_at"], name="wait_alert_hall_idx")]

    def __str__(self) -> str:
        return f"{self.hall} {self.category.letter} {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class DailyStat(models.Model):
    """A day's figures rolled up per hall (scope "hall"), category ("category:<id>") or window
    ("window:<id>"), for history that does not rescan tickets."""

    date = models.DateField(_("日期"))
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="daily_stats", verbose_name=_("大厅"))
    scope = models.CharField(_("范围"), max_length=24)
    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    window = models.ForeignKey(Window, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    issued = models.PositiveIntegerField(_("取号数"), default=0)
    served = models.PositiveIntegerField(_("办结数"), default=0)
    no_show = models.PositiveIntegerField(_("过号数"), default=0)
    cancelled = models.PositiveIntegerField(_("取消数"), default=0)
    expired = models.PositiveIntegerField(_("失效数"), default=0)
    wait_seconds_total = models.BigIntegerField(_("等候总时长（秒）"), default=0)
    waited = models.PositiveIntegerField(_("被叫号数"), default=0)
    max_wait_seconds = models.PositiveIntegerField(_("最长等候（秒）"), default=0)
    service_seconds_total = models.BigIntegerField(_("办理总时长（秒）"), default=0)
    waited_within_target = models.PositiveIntegerField(
        _("目标时间内叫号数"),
        default=0,
        help_text=_("等候不超过所在排队类别目标等候时间的被叫号数（按汇总时的设置）。"),
    )
    hourly = models.JSONField(_("分时数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        ordering = ["-date", "hall", "scope"]
        constraints = [models.UniqueConstraint(fields=["date", "hall", "scope"], name="daily_stat_once")]
        indexes = [models.Index(fields=["hall", "scope", "date"], name="daily_stat_hall_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.hall} {self.scope}"

    @property
    def average_wait_seconds(self) -> float | None:
        return self.wait_seconds_total / self.waited if self.waited else None

    @property
    def average_service_seconds(self) -> float | None:
        return self.service_seconds_total / self.served if self.served else None

    @property
    def within_target_share(self) -> float | None:
        """The fraction of the called people whose wait stayed within their queue's target."""
        return self.waited_within_target / self.waited if self.waited else None


class BoardMessage(models.Model):
    """A short notice a supervisor puts on a hall's display board (显示屏通知) until it expires.
    Boards read it from the hall's queue snapshot, never from this table."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="board_messages", verbose_name=_("大厅"))
    text = models.CharField(_("通知内容"), max_length=120)
    posted_at = models.DateTimeField(_("发布时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤下人"),
    )

    class Meta:
        verbose_name = _("显示屏通知")
        verbose_name_plural = _("显示屏通知")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("posted_at")), name="board_message_expires_after_post"),
        ]
        indexes = [
            models.Index(
                fields=["hall", "expires_at"], name="board_message_live_idx", condition=Q(withdrawn_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.text[:20]}"

    def is_shown(self, now: dt.datetime) -> bool:
        return self.withdrawn_at is None and self.posted_at <= now < self.expires_at


class KioskDevice(models.Model):
    """A hall's self-service kiosk (自助终端), registered with a credential of its own (issue 9
    §3): checking a booking in by ID number belongs to the hall's kiosks and its staff, not to
    any browser that opens the kiosk's address. The credential is shown once when a device is
    registered in the admin (a kiosk program sends it as the ``X-Kiosk-Device`` header), or goes
    straight into the kiosk browser's signed cookie when an administrator pairs it there; only
    its SHA-256 is kept. Revoked devices are kept (with their check-in records), inactive."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="kiosk_devices", verbose_name=_("大厅"))
    name = models.CharField(_("终端名称"), max_length=60, help_text=_("如“一楼大堂1号机”。"))
    credential_hash = models.CharField(_("凭证摘要"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")
        ordering = ["hall", "name"]
        constraints = [models.UniqueConstraint(fields=["hall", "name"], name="kiosk_device_name_per_hall")]

    def __str__(self) -> str:
        return f"{self.hall} · {self.name}"


class AssistanceRequest(models.Model):
    """A request for accompanied (陪同办) or assisted/proxy (帮办代办) handling (Art. 10 ¶1),
    made at the kiosk with a ticket, when booking online, or by the window clerk for the walk-in
    at the counter. It waits at the hall's assistance desk
    (帮办代办台) until a member of the hall's staff takes it and marks it done, and is shown on the
    window console with the ticket. A booking's request (``appointments.Booking.assistance``)
    carries the slot's start and gets the booking's ticket at check-in."""

    class Kind(models.TextChoices):
        ACCOMPANY = "accompany", _("陪同办")
        PROXY = "proxy", _("帮办代办")

    class Reason(models.TextChoices):
        ELDERLY = "elderly", _("高龄")
        DISABLED = "disabled", _("残疾")
        MOBILITY = "mobility", _("行动不便")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待接单")
        ASSIGNED = "assigned", _("协助中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("自助取号机")
        BOOKING = "booking", _("网上预约")
        ONLINE = "online", _("线上取号")
        WINDOW = "window", _("窗口代为申请")

    OPEN = (Status.REQUESTED, Status.ASSIGNED)

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="assistance_requests", verbose_name=_("大厅"))
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assistance_requests",
        verbose_name=_("排队号"),
    )
    service_date = models.DateField(_("日期"))
    expected_at = models.DateTimeField(
        _("预约时段开始"), null=True, blank=True, help_text=_("网上预约时提出的请求：预约时段的开始时间。")
    )
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    kind = models.CharField(_("服务类型"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("原因"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    id_masked = models.CharField(_("证件号（脱敏）"), max_length=18, blank=True, default="")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"))
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("协助人员"),
    )
    assigned_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮办代办请求")
        verbose_name_plural = _("帮办代办请求")
        ordering = ["service_date", "requested_at", "pk"]
        constraints = [
            # One open request per ticket.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status__in=["requested", "assigned"]) & Q(ticket__isnull=False),
                name="assistance_one_open_per_ticket",
            ),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(note=""), name="assistance_other_has_note"),
            models.CheckConstraint(
                condition=Q(status="requested")
                | Q(status="cancelled")
                | Q(helper__isnull=False, assigned_at__isnull=False),
                name="assistance_taken_has_helper",
            ),
        ]
        indexes = [models.Index(fields=["hall", "service_date", "status"], name="assistance_desk_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.service_date}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ServiceTimeProfile(models.Model):
    """The service time a queue has learned for an hour of the day (started → finished, hour of
    the start in Asia/Shanghai), from its finished days (``queueing.learning``): the estimator's
    prior for that queue and hour instead of the one default service time."""

    category = models.ForeignKey(
        QueueCategory, on_delete=models.CASCADE, related_name="service_time_profile", verbose_name=_("类别")
    )
    hour = models.PositiveSmallIntegerField(_("时段（时）"), validators=[MaxValueValidator(23)])
    samples = models.PositiveIntegerField(_("样本数"), default=0)
    mean_seconds = models.FloatField(_("平均办理时长（秒）"))
    learned_through = models.DateField(_("已学习至"))

    class Meta:
        verbose_name = _("办理时长画像")
        verbose_name_plural = _("办理时长画像")
        ordering = ["category", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["category", "hour"], name="service_time_profile_once"),
            models.CheckConstraint(condition=Q(hour__lte=23), name="service_time_profile_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.hour}:00 {self.mean_seconds:.0f}s"
