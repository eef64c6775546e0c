"""Booking ahead (Art. 10 ¶2: 24-hour online booking; extended hours; weekend and holiday
staggered service): slot plans, the slots they generate, bookings, the people who book (for the
no-show rule), and reminders (REQUIREMENTS §5).

The database guarantees what must never happen: a slot's seats are taken and given back only by
conditional updates of its counter (``booked < capacity``), so the last seat is never sold twice;
a person has at most one active booking per hall and day (partial unique index); a reminder exists
once per booking and kind and is claimed before it is sent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Hall, ServiceItem
from queueing.models import AssistanceRequest, KioskDevice, QueueCategory, Ticket
from servicehall.clock import SHANGHAI


class HallBookingSettings(models.Model):
    """A hall's own booking rules; an empty field falls back to ``settings.APPOINTMENTS``."""

    hall = models.OneToOneField(Hall, on_delete=models.CASCADE, related_name="booking_settings", verbose_name=_("大厅"))
    horizon_working_days = models.PositiveSmallIntegerField(
        _("可预约工作日数"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    cancel_before_hours = models.PositiveSmallIntegerField(_("最晚取消或改约（小时前）"), null=True, blank=True)
    max_active = models.PositiveSmallIntegerField(
        _("每人最多有效预约数"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("爽约次数上限"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    no_show_window_days = models.PositiveSmallIntegerField(_("爽约统计天数"), null=True, blank=True)
    suspension_days = models.PositiveSmallIntegerField(_("暂停预约天数"), null=True, blank=True)
    checkin_before_minutes = models.PositiveSmallIntegerField(_("可提前签到（分钟）"), null=True, blank=True)
    checkin_after_minutes = models.PositiveSmallIntegerField(_("可迟到签到（分钟）"), null=True, blank=True)
    no_show_grace_minutes = models.PositiveSmallIntegerField(
        _("爽约认定宽限（分钟）"),
        null=True,
        blank=True,
        help_text=_("时段结束后超过该时间仍未签到的预约记为爽约。"),
    )

    class Meta:
        verbose_name = _("大厅预约规则")
        verbose_name_plural = _("大厅预约规则")

    def __str__(self) -> str:
        return str(self.hall)


class SlotKind(models.TextChoices):
    REGULAR = "regular", _("工作日正常时段")
    EXTENDED = "extended", _("工作日延时服务")
    STAGGERED = "staggered", _("周末及节假日错时服务")


class SlotPlan(models.Model):
    """How a queue of a hall is booked: from when to when, slots of what length, how many seats.

    Regular and extended-hours plans apply on working days (the calendar: holidays excluded,
    make-up workdays included); staggered plans apply on rest days (weekends and holidays), for
    urgent matters.
    """

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slot_plans", verbose_name=_("大厅"))
    category = models.ForeignKey(
        QueueCategory, on_delete=models.CASCADE, related_name="slot_plans", verbose_name=_("排队类别")
    )
    kind = models.CharField(_("时段类型"), max_length=10, choices=SlotKind.choices, default=SlotKind.REGULAR)
    starts = models.TimeField(_("开始时间"))
    ends = models.TimeField(pgettext_lazy("slot plan", "结束时间"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("每个时段（分钟）"), default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("每个时段名额"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    urgent_only = models.BooleanField(
        _("仅限急事急办"),
        default=False,
        help_text=_("名额只留给经首席事务代表批准的急办事项，由工作人员代为预约，网上不能预约。"),
    )

    class Meta:
        verbose_name = _("预约时段计划")
        verbose_name_plural = _("预约时段计划")
        ordering = ["hall", "category", "kind", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__lt=F("ends")),
                name="slot_plan_starts_before_ends",
                violation_error_message=_("开始时间须早于结束时间。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="slot_plan_valid_range",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.get_kind_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def on_rest_days(self) -> bool:
        return self.kind == SlotKind.STAGGERED

    def applies_on(self, day: dt.date) -> bool:
        return (
            self.is_active
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


class Slot(models.Model):
    """A bookable time with its seats. ``booked`` only moves by conditional updates."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slots", verbose_name=_("大厅"))
    category = models.ForeignKey(
        QueueCategory, on_delete=models.CASCADE, related_name="slots", verbose_name=_("排队类别")
    )
    plan = models.ForeignKey(
        SlotPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots", verbose_name=_("计划")
    )
    kind = models.CharField(_("时段类型"), max_length=10, choices=SlotKind.choices)
    date = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("名额"))
    booked = models.PositiveSmallIntegerField(_("已约"), default=0)
    is_closed = models.BooleanField(_("已关闭"), default=False)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    # Closed because a correction of the working-day calendar made its day a rest day (not by
    # staff): shown as such, and opened again should the correction be undone (slots_generate).
    closed_by_calendar = models.BooleanField(_("因工作日历调整关闭"), default=False)
    # Copied from the plan (急事急办, cases/urgent.py): seats reserved for approved urgent matters.
    urgent_only = models.BooleanField(_("仅限急事急办"), default=False)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "category"]
        constraints = [
            # One open slot per queue and start time. A closed slot keeps its time beside a new one:
            # a booked working-day slot a calendar correction closed stays as its bookings' record
            # while the staggered slot the rest day wants at the same time is made.
            models.UniqueConstraint(
                fields=["category", "starts_at"],
                condition=Q(is_closed=False),
                name="slot_open_once_per_category_and_start",
            ),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_never_overbooked"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_starts_before_ends"),
        ]
        indexes = [
            models.Index(fields=["hall", "category", "date"], name="slot_day_idx"),
            # The day's staggered slots of every hall (the wait monitor, every minute).
            models.Index(fields=["date", "kind"], name="slot_date_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category.letter} {self.starts_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return 0 if self.is_closed else max(0, self.capacity - self.booked)


class BookingPerson(models.Model):
    """Someone who books, known only by the keyed digest of their ID number: the row every
    booking of theirs locks (so two requests of the same person cannot both pass the rules), and
    where a no-show suspension is kept."""

    id_hash = models.CharField(_("证件摘要"), max_length=64, primary_key=True)
    id_masked = models.CharField(_("证件号（脱敏）"), max_length=18)
    suspended_until = models.DateTimeField(_("暂停预约至"), null=True, blank=True)
    suspension_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    lifted_at = models.DateTimeField(pgettext_lazy("suspension", "解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解除人"),
    )
    lift_reason = models.CharField(_("解除原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预约人")
        verbose_name_plural = _("预约人")
        indexes = [models.Index(fields=["suspended_until"], name="person_suspended_idx")]

    def __str__(self) -> str:
        return self.id_masked

    def is_suspended(self, now: dt.datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("爽约")
        DISPLACED = "displaced", _("时段已关闭，待改约")

    ACTIVE = (Status.BOOKED, Status.CHECKED_IN, Status.DISPLACED)

    code = models.CharField(_("预约码"), max_length=8, unique=True)
    manage_token = models.CharField(_("管理令牌"), max_length=40, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("大厅"))
    category = models.ForeignKey(
        QueueCategory, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("排队类别")
    )
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("办理事项"),
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=pgettext_lazy("booking", "时段")
    )
    date = models.DateField(_("日期"))
    person = models.ForeignKey(
        BookingPerson, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("预约人")
    )
    name = models.CharField(_("姓名"), max_length=40)
    mobile = models.CharField(_("手机号码"), max_length=11, help_text=_("用于发送预约提醒，页面上始终脱敏显示。"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("预约时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(pgettext_lazy("booking", "签到时间"), null=True, blank=True)
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="booking", verbose_name=_("排队号")
    )
    rescheduled_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("改约自")
    )
    source = models.CharField(_("来源"), max_length=8, default="web")
    # Asked for accompanied or assisted handling when booking (Art. 10 ¶1): the request waits at
    # the hall's assistance desk and follows the booking's ticket at check-in.
    assistance = models.OneToOneField(
        AssistanceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking",
        verbose_name=_("帮办代办请求"),
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One booking per person, hall and day (REQUIREMENTS §5).
            models.UniqueConstraint(
                fields=["person", "hall", "date"],
                condition=Q(status__in=["booked", "checked_in", "displaced"]),
                name="booking_one_per_person_hall_day",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "date", "status"], name="booking_day_idx"),
            models.Index(fields=["person", "status", "date"], name="booking_person_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class Reminder(models.Model):
    """A message to the applicant, sent at most once: claimed with a conditional update (a lease
    that a worker dying half-way lets expire) and handed to the backend with its own id as the
    idempotency key."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("预约成功")
        DAY_BEFORE = "day_before", _("前一天提醒")
        HOUR_BEFORE = "hour_before", _("一小时前提醒")
        CANCELLATION = "cancellation", _("取消通知")
        SLOT_CLOSED = "slot_closed", _("时段关闭通知")
        SLOT_REOPENED = "slot_reopened", _("时段恢复通知")
        RESCHEDULED = "rescheduled", _("改约成功")
        SUSPENDED = "suspended", _("暂停预约通知")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("无需发送")
        FAILED = "failed", _("发送失败")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("预约"))
    slot = models.ForeignKey(
        Slot,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("booking", "时段"),
        help_text=_("消息所涉及的时段（改约后为新时段）。"),
    )
    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    due_at = models.DateTimeField(_("计划发送时间"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预约提醒")
        verbose_name_plural = _("预约提醒")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind", "slot"], name="reminder_once_per_booking_kind_slot")
        ]
        indexes = [
            models.Index(fields=["due_at"], name="reminder_due_idx", condition=Q(status__in=["pending", "sending"])),
        ]

    def __str__(self) -> str:
        return f"{self.booking} {self.get_kind_display()}"


class BookingLookup(models.Model):
    """A request to find one's bookings without the SMS link (找回预约): ID and mobile number,
    confirmed by a one-time code sent to that mobile.

    A row is written for every request, whether or not the person has bookings, so that the
    request and the code check behave the same either way; the code is drawn and sent (by a
    task) only when they do, and only its keyed hash is kept (``code_hash`` stays empty
    otherwise, which no code matches). The session holds ``token``, never the pk. The mobile
    number is kept to send the code and to list the bookings made with it; rows are deleted a
    day after they were made."""

    token = models.CharField(_("查询令牌"), max_length=64, unique=True)
    id_hash = models.CharField(_("证件摘要"), max_length=64)
    mobile = models.CharField(_("手机号码"), max_length=11)
    code_hash = models.CharField(_("验证码摘要"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    expires_at = models.DateTimeField(_("验证码有效至"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约查询")
        verbose_name_plural = _("预约查询")
        indexes = [models.Index(fields=["created_at"], name="booking_lookup_created_idx")]

    def __str__(self) -> str:
        return f"{self.pk}"


class CheckInFailure(models.Model):
    """A check-in by someone other than the hall's staff that found no booking to check in (a
    wrong code, ID number or mobile digits), kept to limit guessing (issue 9 §3): too many at one
    kiosk within minutes stop check-in there for a while; too many wrong ID and mobile pairs for
    one booking in a day stop check-in by ID number for that booking until the next day (its
    code and the window still work). Holds no ID or mobile number."""

    class Reason(models.TextChoices):
        NOT_FOUND = "not_found", _("未找到预约")
        WRONG_MOBILE = "wrong_mobile", _("手机号码后四位不符")
        LOCKED = "locked", _("身份证签到已锁定")
        DEVICE_LOCKED = "device_locked", _("终端尝试过多")

    at = models.DateTimeField(_("时间"))
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("大厅"))
    device = models.ForeignKey(
        KioskDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_in_failures",
        verbose_name=_("自助终端"),
    )
    booking = models.ForeignKey(
        "Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_in_failures",
        verbose_name=_("预约"),
        help_text=_("身份证号码对上了今天本大厅的预约、手机号码后四位不符时记录。"),
    )
    by_id_number = models.BooleanField(_("凭身份证号码"), default=False)
    reason = models.CharField(_("原因"), max_length=14, choices=Reason.choices)

    class Meta:
        verbose_name = _("签到失败记录")
        verbose_name_plural = _("签到失败记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["device", "at"], name="checkin_failure_device_idx"),
            models.Index(fields=["booking", "at"], name="checkin_failure_booking_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_reason_display()}"
