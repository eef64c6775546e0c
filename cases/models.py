"""Cases (办件): applications received at a window, by post or online, and what becomes of them
(REQUIREMENTS §8; Art. 13 ¶1–2, Art. 6 ¶3).

A case keeps the guide version it was received under, so a later revision of the guide never
changes it. Its materials are a checklist of that version's materials. The outcome of receiving
it is one of: accepted (受理), accepted with materials to follow (容缺受理), corrections needed
(补正, a one-time notice), not accepted (不予受理). An accepted case has a deadline counted in
working days from the day of acceptance (the day itself not counted), with the time waiting for
corrections and in special steps not counted, and extended only with the chief representative's
approval; ``due_on`` is stored, and copied with the warning colour into the narrow ``CaseClock``
row of each open case, which the warning job reads and writes through its own small indexes.
Every step is a ``CaseEvent`` with who and when (and a line in the kernel's audit log).
docs/cases.md has the rules.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Department, GuideVersion, Hall, Material, ServiceItem, SpecialStep
from queueing.models import Ticket, Window

# The statuses of an accepted case whose clock runs (or stands, waiting) until the decision: the
# rows the overdue and due-soon lists read, through indexes that cover only them.
OPEN_STATUSES = ("accepted", "in_review", "special_step", "correction")


class Applicant(models.Model):
    """Who applies, identified once: a person by the keyed digest of their ID number (the number
    itself is never stored, only its masked copy), a company or organisation by its unified
    social credit code (public, stored as it is)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("法人或其他组织")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    identity_key = models.CharField(
        _("识别码"), max_length=64, help_text=_("自然人为身份证号码的摘要，法人为统一社会信用代码。")
    )
    id_masked = models.CharField(_("证件号（脱敏）"), max_length=18, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [
            models.UniqueConstraint(fields=["kind", "identity_key"], name="applicant_once"),
            models.CheckConstraint(
                condition=Q(kind="person", credit_code="") | Q(kind="organisation", id_masked=""),
                name="applicant_one_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.display_identity

    @property
    def display_identity(self) -> str:
        """What pages show: the masked ID number, or the credit code."""
        return self.id_masked if self.kind == self.Kind.PERSON else self.credit_code


class CaseSequence(models.Model):
    """The last case number drawn per item and day; advanced by one atomic upsert."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.item_id}: {self.last}"


class Case(models.Model):
    """An application for one item (办件)."""

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        MAIL = "mail", _("邮寄")
        ONLINE = "online", _("网上")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已收件")
        CORRECTION = "correction", _("待补正")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        ACCEPTED = "accepted", _("已受理")
        IN_REVIEW = "in_review", _("审查中")
        SPECIAL_STEP = "special_step", _("特殊环节")
        DECIDED = "decided", _("已作出决定")
        RESULT_READY = "result_ready", _("待领取结果")
        COLLECTED = "collected", _("已办结出件")

    class Decision(models.TextChoices):
        NONE = "", _("未决定")
        APPROVED = "approved", _("准予")
        REFUSED = "refused", _("不予批准")

    class Collection(models.TextChoices):
        NONE = "", _("未出件")
        WINDOW = "window", _("窗口领取")
        POST = "post", _("邮寄送达")
        ELECTRONIC = "electronic", _("电子送达")

    class Warning(models.TextChoices):
        NONE = "", _("正常")
        YELLOW = "yellow", _("临近期限")
        RED = "red", _("已超期")

    OPEN = (Status.ACCEPTED, Status.IN_REVIEW, Status.SPECIAL_STEP, Status.CORRECTION)
    BEFORE_ACCEPTANCE = (Status.RECEIVED, Status.CORRECTION)
    FINISHED = (Status.NOT_ACCEPTED, Status.DECIDED, Status.RESULT_READY, Status.COLLECTED)

    number = models.CharField(
        _("办件编号"), max_length=24, unique=True, help_text=_("事项编码 + 收件日期（yyyyMMdd）+ 当日4位流水号。")
    )
    progress_token = models.CharField(_("进度查询令牌"), max_length=32, unique=True)
    # A million open cases carry every index on every write: foreign keys get their own index only
    # where something looks cases up by them (the hall and the applicant lead composite indexes).
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="cases", verbose_name=_("大厅"), db_index=False
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", verbose_name=_("实施部门")
    )
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项"))
    guide_version = models.ForeignKey(
        GuideVersion,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("办事指南版本"),
        help_text=_("收件时现行有效的版本；此后指南修订不影响本件。"),
    )
    channel = models.CharField(_("收件渠道"), max_length=8, choices=Channel.choices)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("收件窗口"),
        db_index=False,
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("排队号"),
        help_text=_("窗口叫号办理时的排队号：一个号办理的事项及其结果。"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("收件人"),
        db_index=False,
    )

    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="cases", verbose_name=_("申请人"), db_index=False
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=100)
    contact_name = models.CharField(_("经办人"), max_length=40, blank=True)
    contact_mobile = models.CharField(
        _("联系手机"), max_length=11, help_text=_("用于发送补正、容缺和办结提醒，页面上始终脱敏显示。")
    )

    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("收件时间"))
    received_on = models.DateField(_("收件日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
        db_index=False,
    )
    deferred = models.BooleanField(_("容缺受理"), default=False)
    limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True, help_text=_("受理时所依据指南版本的承诺时限。")
    )
    extension_days = models.PositiveSmallIntegerField(_("已延长（工作日）"), default=0)
    due_on = models.DateField(
        _("办结期限"), null=True, blank=True, help_text=_("计时暂停（等待补正、特殊环节）期间为空。")
    )
    due_provisional = models.BooleanField(
        _("期限待确认"), default=False, help_text=_("期限跨越尚未公布放假安排的年度，公布后自动重算。")
    )
    clock_stopped_on = models.DateField(_("计时暂停日期"), null=True, blank=True)

    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    refer_to = models.CharField(_("告知向何处申请"), max_length=200, blank=True)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
        db_index=False,
    )
    result_ready_at = models.DateTimeField(_("结果生成时间"), null=True, blank=True)
    collection = models.CharField(_("出件方式"), max_length=10, choices=Collection.choices, blank=True, default="")
    collection_note = models.CharField(_("出件说明"), max_length=200, blank=True)
    collected_at = models.DateTimeField(_("出件时间"), null=True, blank=True)

    owed_overdue = models.BooleanField(_("容缺材料逾期未补"), default=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=models.F("received_on")),
                name="case_accepted_after_received",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(accepted_on__isnull=False),
                name="case_due_only_when_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | ~Q(decision=""),
                name="case_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(decision_reason=""),
                name="case_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_accepted") | ~Q(not_accepted_reason=""),
                name="case_not_accepted_has_reason",
            ),
        ]
        indexes = [
            # Overdue and due-soon lists, citywide and per hall, oldest deadline first.
            models.Index(fields=["due_on", "id"], name="case_open_due_idx", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(
                fields=["hall", "due_on", "id"], name="case_open_hall_due_idx", condition=Q(status__in=OPEN_STATUSES)
            ),
            models.Index(fields=["hall", "department"], name="case_owed_overdue_idx", condition=Q(owed_overdue=True)),
            models.Index(fields=["hall", "department", "status"], name="case_hall_department_idx"),
            models.Index(fields=["hall", "received_at"], name="case_hall_received_idx"),
            models.Index(fields=["applicant", "received_at"], name="case_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_accepted(self) -> bool:
        return self.accepted_on is not None

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN and self.accepted_on is not None

    @property
    def clock_stopped(self) -> bool:
        return self.clock_stopped_on is not None

    def overdue_on(self, today: dt.date) -> bool:
        """Past its deadline and not decided (the day of the deadline itself is still in time)."""
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def finished_in_time(self) -> bool | None:
        """Decided by the deadline (None while undecided, or when no deadline was ever set)."""
        if self.decided_on is None or self.due_on is None:
            return None
        return self.decided_on <= self.due_on


class CaseClock(models.Model):
    """The clock of an open case: its deadline and warning colour, one narrow row per accepted,
    undecided case (created at acceptance, deleted at the decision).

    The warning job (cases/warnings.py) turns colours with set-wise ``UPDATE``s of these rows: a
    few short columns under four indexes, where the same update of the wide ``Case`` row would
    write a new entry in each of its many indexes (measured: ten times the cost over a million
    open cases). ``due_on`` is the case's, copied by the services whenever it changes.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="clock", verbose_name=_("办件")
    )
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("大厅"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("部门")
    )
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    warning = models.CharField(_("预警"), max_length=6, choices=Case.Warning.choices, blank=True, default="")
    warning_run = models.CharField(_("预警批次"), max_length=32, blank=True)
    changed_at = models.DateTimeField(_("预警变化时间"), null=True, blank=True)
    notified_at = models.DateTimeField(
        _("预警通知时间"), null=True, blank=True, help_text=_("空表示颜色变化尚未通知。")
    )

    class Meta:
        verbose_name = _("办件计时")
        verbose_name_plural = _("办件计时")
        indexes = [
            # Per colour, the deadlines: every turn of colour is a range of this index.
            models.Index(fields=["warning", "due_on"], name="case_clock_warning_idx"),
            # Colour changes a run has not told anyone about yet (normally none).
            models.Index(
                fields=["warning_run"],
                name="case_clock_unnotified_idx",
                condition=Q(notified_at__isnull=True) & ~Q(warning=""),
            ),
            # The counts per hall and department, over the flagged rows only.
            models.Index(
                fields=["hall", "department", "warning"], name="case_clock_flagged_idx", condition=~Q(warning="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_on} {self.warning}"

    @property
    def stopped(self) -> bool:
        return self.due_on is None


class CaseMaterial(models.Model):
    """One line of a case's checklist: a material of the case's guide version and what was
    received of it."""

    class State(models.TextChoices):
        ORIGINAL = "original", _("已收原件")
        COPY = "copy", _("已收复印件")
        ELECTRONIC = "electronic", _("已收电子材料")
        MISSING = "missing", _("缺失")
        DEFECTIVE = "defective", _("不符合要求")
        # Only for a conditional material (catalog ``Material.conditional``) whose case does
        # not arise, e.g. the guardian's papers of an adult applicant: nothing is owed.
        NOT_APPLICABLE = "inapplicable", _("不适用")

    PRESENT = (State.ORIGINAL, State.COPY, State.ELECTRONIC)
    LACKING = (State.MISSING, State.DEFECTIVE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name=_("办件"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请材料"))
    state = models.CharField(_("收取情况"), max_length=12, choices=State.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    supplied_at = models.DateTimeField(_("最近提交时间"), help_text=_("申请人最近一次提交该材料的时间（收件或补正）。"))

    class Meta:
        verbose_name = _("材料清单")
        verbose_name_plural = _("材料清单")
        ordering = ["case", "material__order", "material_id"]
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="case_material_once")]

    def __str__(self) -> str:
        return f"{self.case} {self.material_id} {self.state}"

    @property
    def is_present(self) -> bool:
        return self.state in self.PRESENT

    @property
    def is_lacking(self) -> bool:
        """Missing or defective: not present, and not a conditional material marked 不适用."""
        return self.state in self.LACKING


class CorrectionNotice(models.Model):
    """A one-time notice of corrections (一次性告知书, Art. 13 ¶2): every missing or defective
    material and every other requirement, at once. A later notice on the same case may cite only
    materials supplied after the first; otherwise a supervisor overrides, with a reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices", verbose_name=_("办件"))
    sequence = models.PositiveSmallIntegerField(_("第几次告知"))
    issued_at = models.DateTimeField(_("告知时间"))
    issued_on = models.DateField(_("告知日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("告知人")
    )
    requirements = models.TextField(_("其他要求"), blank=True)
    before_acceptance = models.BooleanField(_("受理前告知"), default=True)
    override_reason = models.CharField(_("再次告知理由"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("补正齐全时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="notice_sequence_once")]

    def __str__(self) -> str:
        return f"{self.case} #{self.sequence}"


class NoticeItem(models.Model):
    """A material a notice cites, and what is wrong with it."""

    class Problem(models.TextChoices):
        MISSING = "missing", _("缺失")
        DEFECTIVE = "defective", _("不符合要求")

    notice = models.ForeignKey(
        CorrectionNotice, on_delete=models.CASCADE, related_name="items", verbose_name=_("告知书")
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请材料"))
    problem = models.CharField(_("问题"), max_length=10, choices=Problem.choices)
    note = models.CharField(_("补正要求"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("告知材料")
        verbose_name_plural = _("告知材料")
        ordering = ["notice", "material__order", "material_id"]
        constraints = [models.UniqueConstraint(fields=["notice", "material"], name="notice_item_once")]

    def __str__(self) -> str:
        return f"{self.notice} {self.material_id}"


class OwedMaterial(models.Model):
    """A material accepted as owed (容缺受理), to be supplied by ``due_on``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="owed", verbose_name=_("办件"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请材料"))
    due_on = models.DateField(_("补齐期限"))
    supplied_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("容缺后补材料")
        verbose_name_plural = _("容缺后补材料")
        ordering = ["case", "due_on", "material_id"]
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="owed_material_once")]
        indexes = [
            models.Index(fields=["due_on"], name="owed_outstanding_idx", condition=Q(supplied_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.material_id} {self.due_on}"


class ClockStop(models.Model):
    """Time not counted in the limit: waiting for the applicant's corrections, or a special step
    of the guide (专家评审, 现场勘查, 听证, 公示…). The working days in ``(started_on, ended_on]``
    are not counted."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("等待补正")
        SPECIAL_STEP = "special_step", _("特殊环节")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_stops", verbose_name=_("办件"))
    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    special_step = models.ForeignKey(
        SpecialStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("特殊环节")
    )
    notice = models.ForeignKey(
        CorrectionNotice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("告知书")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    started_on = models.DateField(_("暂停日期"))
    started_at = models.DateTimeField(_("暂停时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("暂停操作人")
    )
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("恢复操作人"),
    )

    class Meta:
        verbose_name = _("计时暂停")
        verbose_name_plural = _("计时暂停")
        ordering = ["case", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True), name="clock_one_open_stop"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="clock_stop_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="special_step") | Q(special_step__isnull=False), name="clock_stop_names_its_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.started_on}–{self.ended_on or ''}"


class Extension(models.Model):
    """An extension of the limit (延期), approved by the department's chief representative."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("办件"))
    days = models.PositiveSmallIntegerField(_("延长（工作日）"))
    reason = models.CharField(_("延期理由"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"))
    due_before = models.DateField(_("原期限"), null=True, blank=True)
    due_after = models.DateField(_("新期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["case", "approved_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_at_least_one_day"),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"


class CaseEvent(models.Model):
    """One step of a case, with who and when (the case's own history; the kernel's audit log
    records the same actions among everyone's)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("收件")
        ACCEPTED = "accepted", _("受理")
        NOTICE = "notice", _("一次性告知")
        CORRECTIONS = "corrections", _("补正材料")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        REVIEW = "review", _("开始审查")
        STEP_STARTED = "step_started", _("特殊环节开始")
        STEP_ENDED = "step_ended", _("特殊环节结束")
        EXTENDED = "extended", _("延期")
        DECIDED = "decided", _("作出决定")
        RESULT_READY = "result_ready", _("结果已生成")
        COLLECTED = "collected", _("出件")
        OWED_SUPPLIED = "owed_supplied", _("容缺材料补齐")
        DEADLINE = "deadline", _("期限重算")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("办件"))
    kind = models.CharField(_("事件"), max_length=14, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class CaseWarningSummary(models.Model):
    """How many open cases of a department at a hall are due soon, overdue, or owe a material past
    its date, as of the warning job's last run: what the dashboards count, at the cost of one row
    per hall and department whatever the number of cases."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("大厅"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("部门"))
    yellow = models.PositiveIntegerField(_("临近期限"), default=0)
    red = models.PositiveIntegerField(_("已超期"), default=0)
    owed_overdue = models.PositiveIntegerField(_("容缺材料逾期"), default=0)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("办件预警统计")
        verbose_name_plural = _("办件预警统计")
        ordering = ["hall", "department"]
        constraints = [models.UniqueConstraint(fields=["hall", "department"], name="case_summary_once")]

    def __str__(self) -> str:
        return f"{self.hall_id}/{self.department_id}: {self.yellow} yellow, {self.red} red"
