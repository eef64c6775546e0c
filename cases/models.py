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
from django.utils.translation import pgettext_lazy

from catalog.models import Department, GuideVersion, Hall, Material, ServiceItem, SpecialStep
from queueing.models import Ticket, Window
from servicehall.models import StepRecord

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
        # Forwarding (转办, Art. 12): received here, on its way to the hall of jurisdiction.
        FORWARDING = "forwarding", _("转办中")
        # A bundle's sub-case of a later stage (cases/bundles.py): accepted with the bundle, its
        # clock starts when every sub-case of the stage before it is decided.
        WAITING = "waiting", _("待前一阶段办结")

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

    # Up to 40 + 8 + 4 characters (catalog.ServiceItem.implementation_code; 31 in Guangdong).
    number = models.CharField(
        _("办件编号"),
        max_length=52,
        unique=True,
        help_text=_("事项实施编码（尚未登记的为事项编码）+ 收件日期（yyyyMMdd）+ 当日4位流水号。"),
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
    deemed_accepted = models.BooleanField(
        _("逾期未告知视为受理"),
        default=False,
        help_text=_("收件后5个工作日内既未受理、不予受理，也未出具一次性告知书：自收到申请材料之日起即为受理。"),
    )
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
    # 急事急办 (Art. 10 ¶3, cases/urgent.py): set when the chief representative approves.
    urgent = models.BooleanField(_("急事急办"), default=False)

    # Forwarding (转办, Art. 12; cases/forwarding.py): the hall that received the application when
    # another hall of jurisdiction took it over (``hall`` is then that hall), and the hall that
    # hands out the result when the applicant chose the receiving hall (else ``hall``).
    received_at_hall = models.ForeignKey(
        Hall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收件大厅（转办前）"),
        db_index=False,
    )
    collect_hall = models.ForeignKey(
        Hall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出件大厅"),
        help_text=_("申请人选择在收件大厅领取转办事项结果时填写；为空表示由办理大厅出件。"),
        db_index=False,
    )

    # Bundles (一件事, Art. 11; cases/bundles.py): a sub-case of one bundle application, for one
    # member item, and the member's stage.
    bundle_case = models.ForeignKey(
        "cases.BundleCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_cases",
        verbose_name=_("一件事申请"),
    )
    stage = models.PositiveSmallIntegerField(_("阶段"), null=True, blank=True)

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
                condition=Q(deemed_accepted=False) | Q(accepted_on=models.F("received_on")),
                name="case_deemed_accepted_on_receipt",
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
            # A hall's forwarded cases whose results it hands out (统一出件), oldest result first.
            models.Index(
                fields=["collect_hall", "result_ready_at", "id"],
                name="case_to_hand_out_idx",
                condition=Q(status="result_ready", collect_hall__isnull=False),
            ),
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


class OneTimeNotice(models.Model):
    """What every one-time notice (一次性告知书, Art. 13 ¶2) records: its number on the
    application, when and by whom it was issued, the requirements beyond the materials it cites,
    the supervisor's reason for a later notice, and when the corrections came in."""

    sequence = models.PositiveSmallIntegerField(_("第几次告知"))
    issued_at = models.DateTimeField(_("告知时间"))
    issued_on = models.DateField(_("告知日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("告知人")
    )
    requirements = models.TextField(_("其他要求"), blank=True)
    override_reason = models.CharField(_("再次告知理由"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("补正齐全时间"), null=True, blank=True)

    class Meta:
        abstract = True


class CorrectionNotice(OneTimeNotice):
    """A one-time notice of corrections (一次性告知书, Art. 13 ¶2): every missing or defective
    material and every other requirement, at once. A later notice on the same case may cite only
    materials supplied after the first; otherwise a supervisor overrides, with a reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices", verbose_name=_("办件"))
    before_acceptance = models.BooleanField(_("受理前告知"), default=True)

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


class CaseEvent(StepRecord):
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
        DEEMED_ACCEPTED = "deemed", _("逾期未告知视为受理")
        # 急事急办 (cases/urgent.py)
        URGENT_ASKED = "urgent_asked", _("申请急事急办")
        URGENT_APPROVED = "urgent_ok", _("批准急事急办")
        URGENT_REFUSED = "urgent_refused", _("不予急办")
        FORWARDED = "forwarded", _("转办")
        FORWARD_ACCEPTED = "forward_accept", _("转办接收")
        FORWARD_RETURNED = "forward_return", _("转办退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("办件"))
    kind = models.CharField(_("事件"), max_length=14, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

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


class TicketItem(models.Model):
    """An item handled for a queue ticket at a window, and what came of it (Art. 8 ¶4: waits and
    service times per item). The clerk records it from the console for anything handled,
    whether or not it led to a case (a consultation, a result collected); a case received from
    the ticket records its own row, with the outcome of receiving it, in the same transaction
    (``services.case_receive``). The dashboards count each (ticket, item) once."""

    class Outcome(models.TextChoices):
        CONSULTATION = "consultation", _("咨询")
        RECEIVED = "received", _("收件（待受理）")
        ACCEPTED = "accepted", _("受理")
        ACCEPTED_DEFERRED = "accepted_deferred", _("容缺受理")
        CORRECTION = "correction", _("补正")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        COLLECTED = "collected", _("领取结果")
        OTHER = "other", _("其他")

    # What the clerk picks at the counter; the others come from a case.
    MANUAL = (
        Outcome.CONSULTATION,
        Outcome.ACCEPTED,
        Outcome.ACCEPTED_DEFERRED,
        Outcome.CORRECTION,
        Outcome.NOT_ACCEPTED,
        Outcome.COLLECTED,
        Outcome.OTHER,
    )

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="handled_items", verbose_name=_("排队号"), db_index=False
    )
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    outcome = models.CharField(_("办理结果"), max_length=18, choices=Outcome.choices)
    case = models.OneToOneField(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ticket_item",
        verbose_name=_("办件"),
        help_text=_("由该号受理申请时自动记录。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("号码办理事项")
        verbose_name_plural = _("号码办理事项")
        ordering = ["ticket", "recorded_at", "pk"]
        constraints = [
            # Recorded at the counter: once per ticket and item (recording it again changes the
            # outcome); a ticket may still bring several cases of one item.
            models.UniqueConstraint(fields=["ticket", "item"], condition=Q(case__isnull=True), name="ticket_item_once"),
        ]
        indexes = [models.Index(fields=["ticket", "item"], name="ticket_item_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.item_id}: {self.outcome}"


# --- Urgent matters (急事急办, Art. 10 ¶3; cases/urgent.py) -----------------------------------


class UrgentRequest(models.Model):
    """An applicant's request for urgent handling (急事急办), made at the window on a case,
    online with a booking, or at the kiosk with a ticket (attached to the case opened from that
    booking's or ticket's ticket). The chief
    representative of the department at the hall approves it (a shorter promised limit, and
    perhaps a weekend or holiday staggered slot reserved for urgent matters) or refuses it with a
    reason, which produces a written report (``WrittenReport``) to the hall's management
    department."""

    class Reason(models.TextChoices):
        MEDICAL = "medical", _("就医")
        TRAVEL = "travel", _("出行")
        SCHOOL = "school", _("就学")
        EMPLOYMENT = "employment", _("就业")
        BUSINESS = "business", _("企业生产经营急需")
        DEADLINE = "deadline", _("法定期限将至")
        OTHER = "other", _("其他")

    class TicketChannel(models.TextChoices):
        KIOSK = "kiosk", _("取号机")
        PHONE = "phone", _("手机")
        # Registered by the clerk at the window for the ticket called there (the console).
        WINDOW = "window", _("窗口")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("事项")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="urgent_requests", verbose_name=_("办件")
    )
    booking = models.ForeignKey(
        "appointments.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="urgent_requests",
        verbose_name=_("预约"),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排队号"),
        help_text=_("在自助取号机上凭排队号申请的；批准时该号优先叫号。"),
    )
    applicant_masked = models.CharField(_("申请人（脱敏）"), max_length=60)
    mobile = models.CharField(_("联系手机"), max_length=11)
    ticket_channel = models.CharField(
        _("凭排队号申请的途径"),
        max_length=6,
        choices=TicketChannel.choices,
        blank=True,
        default="",
        help_text=_("凭排队号申请的：在取号机上、在手机上打开排队号页面，或叫号后由窗口工作人员登记；其他途径的为空。"),
    )
    reason_category = models.CharField(_("急办事由"), max_length=12, choices=Reason.choices)
    reason_text = models.CharField(_("具体情况"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
        help_text=_("窗口登记的为工作人员；网上预约时提出的为空。"),
    )
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办结（工作日）"),
        null=True,
        blank=True,
        help_text=_("已受理的办件自批准之日起计；尚未受理的自受理之日起计。"),
    )
    due_before = models.DateField(_("原办结期限"), null=True, blank=True)
    due_after = models.DateField(_("新办结期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=300, blank=True)
    staggered_booking = models.ForeignKey(
        "appointments.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("错时服务预约"),
        help_text=_("为已批准的急办事项预留的周末或节假日错时服务时段。"),
    )

    class Meta:
        verbose_name = _("急事急办申请")
        verbose_name_plural = _("急事急办申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(booking__isnull=False) | Q(ticket__isnull=False),
                name="urgent_on_case_booking_or_ticket",
            ),
            models.CheckConstraint(condition=~Q(reason_text=""), name="urgent_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(decision_reason=""), name="urgent_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(promised_days__isnull=False), name="urgent_approval_has_days"
            ),
            # One request waiting per case (a refused one may be asked again with new facts).
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested", case__isnull=False), name="urgent_one_pending_per_case"
            ),
            # One request per ticket asked at the kiosk (asked again, it is the same request).
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False), name="urgent_one_per_ticket"),
        ]
        indexes = [
            models.Index(fields=["hall", "department", "status"], name="urgent_inbox_idx"),
            # The chief's page of decided requests, newest first (read backwards; bench/README.md).
            models.Index(
                fields=["hall", "department", "requested_at", "id"],
                condition=~Q(status="requested"),
                name="urgent_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id}/{self.department_id} {self.get_reason_category_display()} {self.status}"


class WrittenReport(models.Model):
    """The written report (书面报告) to the hall's management department that a refused urgent
    request produces (Art. 10 ¶3), printable and listed for the supervisors covering the hall."""

    request = models.OneToOneField(
        UrgentRequest, on_delete=models.PROTECT, related_name="report", verbose_name=_("急事急办申请")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    number = models.CharField(_("报告编号"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("报告时间"))
    read_at = models.DateTimeField(_("阅知时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("阅知人"),
    )

    class Meta:
        verbose_name = _("书面报告")
        verbose_name_plural = _("书面报告")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hall", "created_at"], name="written_report_hall_idx")]

    def __str__(self) -> str:
        return self.number


# --- Forwarding (转办): citywide and cross-region handling (全市通办、跨域通办、跨境通办, Art. 12) ---


class Forwarding(models.Model):
    """A case received at one hall (收件) and sent to the hall of jurisdiction (转办), which takes
    it over (接收: the case's ``hall`` becomes that hall, and it is accepted, reviewed and decided
    there) or sends it back with a reason (退回). Only an item whose case's guide version is on the
    citywide, cross-region or cross-border list may be forwarded (cases/forwarding.py)."""

    class Status(models.TextChoices):
        SENT = "sent", _("转办中")
        ACCEPTED = "accepted", _("已接收")
        RETURNED = "returned", _("已退回")

    class CollectAt(models.TextChoices):
        RECEIVED_HALL = "received_hall", _("在收件大厅领取")
        JURISDICTION = "jurisdiction", _("在办理大厅领取")
        POST = "post", _("邮寄送达")
        ELECTRONIC = "electronic", _("电子送达")

    class Scope(models.TextChoices):
        CITYWIDE = "citywide", _("全市通办")
        CROSS_REGION = "cross_region", _("跨域通办")
        CROSS_BORDER = "cross_border", _("跨境通办")

    LIVE = (Status.SENT, Status.ACCEPTED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="forwardings", verbose_name=_("办件"))
    from_hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("收件大厅"), db_index=False
    )
    to_hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="forwardings_in", verbose_name=_("办理大厅"), db_index=False
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("实施部门"), db_index=False
    )
    scope = models.CharField(_("通办类型"), max_length=12, choices=Scope.choices)
    collect_at = models.CharField(_("结果领取方式"), max_length=14, choices=CollectAt.choices)
    # The applicant's postal address when they chose post (personal data: masked on public pages).
    post_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    note = models.CharField(_("转办说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("转办人"), db_index=False
    )
    sent_at = models.DateTimeField(_("转办时间"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收或退回人"),
        db_index=False,
    )
    handled_at = models.DateTimeField(_("接收或退回时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("转办")
        verbose_name_plural = _("转办")
        ordering = ["case", "sent_at", "pk"]
        constraints = [
            # One forwarding at a time per case: in transit or taken over (a returned one may be
            # followed by another).
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=("sent", "accepted")), name="forwarding_one_live"
            ),
            models.CheckConstraint(condition=~Q(from_hall=models.F("to_hall")), name="forwarding_to_another_hall"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="forwarding_return_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(collect_at="post") | ~Q(post_address=""), name="forwarding_post_has_address"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", handled_at__isnull=True)
                | (~Q(status="sent") & Q(handled_at__gte=models.F("sent_at"))),
                name="forwarding_handled_after_sent",
            ),
        ]
        indexes = [
            # A hall's incoming forwardings by status, oldest first (the inbox: those in transit).
            models.Index(fields=["to_hall", "status", "sent_at"], name="forwarding_incoming_idx"),
            # The inbox's latest handled and latest sent, whatever the history (bench: 100k a
            # hall): read newest first from the index instead of sorting every row of the hall.
            models.Index(
                fields=["to_hall", "handled_at", "id"], name="forwarding_handled_idx", condition=~Q(status="sent")
            ),
            models.Index(fields=["from_hall", "sent_at", "id"], name="forwarding_outgoing_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_hall_id} → {self.to_hall_id} ({self.status})"

    @property
    def duration(self) -> dt.timedelta | None:
        """How long the transfer took: from sending to taking over (or returning)."""
        return None if self.handled_at is None else self.handled_at - self.sent_at


# --- Bundles (一件事, Art. 11, 13 ¶3; cases/bundles.py) ----------------------------------------


def new_progress_token() -> str:
    """An unguessable key of a private progress link (as ``Case.progress_token``)."""
    import secrets

    return secrets.token_urlsafe(18)


class BundleCase(models.Model):
    """One application for a bundle (高效办成一件事) at the comprehensive window: one form with
    the union of the members' materials, one acceptance, one notice; then a sub-case (``Case``
    with ``bundle_case``) per member item at its department, stage after stage, and the results
    handed out together (统一出件) once every sub-case has its result."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("已收件")
        CORRECTION = "correction", _("待补正")
        # A context of its own: "in progress", not the queue ticket's "being served".
        ACCEPTED = "accepted", pgettext_lazy("bundle case status", "办理中")
        RESULT_READY = "result_ready", _("待统一出件")
        COLLECTED = "collected", _("已统一出件")

    bundle = models.ForeignKey(
        "catalog.Bundle", on_delete=models.PROTECT, related_name="applications", verbose_name=_("一件事")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="bundle_cases", verbose_name=_("大厅"))
    number = models.CharField(_("申请编号"), max_length=24, unique=True, help_text=_("YJS + 收件日期 + 流水号。"))
    channel = models.CharField(_("收件渠道"), max_length=8, choices=Case.Channel.choices)
    window = models.ForeignKey(
        Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("收件窗口")
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("收件人")
    )
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    applicant_name = models.CharField(_("申请人名称"), max_length=100)
    contact_name = models.CharField(_("经办人"), max_length=40, blank=True)
    contact_mobile = models.CharField(_("联系手机"), max_length=11)
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
    )
    limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("一件事公布的承诺时限，不超过各阶段最长承诺时限之和（同一阶段取最长，各阶段相加）。"),
    )
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限待确认"), default=False)
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), null=True, blank=True)
    deferred = models.BooleanField(
        _("容缺受理"), default=False, help_text=_("主要材料齐全、可后补的材料在各成员事项规定期限内补齐。")
    )
    deemed_accepted = models.BooleanField(
        _("逾期未告知视为受理"),
        default=False,
        help_text=_(
            "收件后5个工作日内既未受理，也未出具一次性告知书：自收到申请材料之日起即为受理，并分送各事项办理。"
        ),
    )
    progress_token = models.CharField(
        _("进度查询令牌"),
        max_length=32,
        unique=True,
        default=new_progress_token,
        help_text=_("申请人的私密进度链接（印在受理通知书和一次性告知书的二维码中）。"),
    )
    notice_requirements = models.TextField(_("一次性告知内容"), blank=True)
    notice_issued_at = models.DateTimeField(_("一次性告知时间"), null=True, blank=True)
    result_ready_at = models.DateTimeField(_("结果齐备时间"), null=True, blank=True)
    collection = models.CharField(_("出件方式"), max_length=10, choices=Case.Collection.choices, blank=True, default="")
    collection_note = models.CharField(_("出件说明"), max_length=200, blank=True)
    collected_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出件人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["hall", "received_at"], name="bundle_case_hall_idx")]

    def __str__(self) -> str:
        return self.number


class BundleCaseMaterial(models.Model):
    """One line of a bundle application's form: a material asked once however many member items
    need it (the members' current-guide materials deduplicated by name, ``cases.bundles.material_key``),
    and what was received of it. Accepting maps it to each sub-case's checklist line."""

    bundle_case = models.ForeignKey(
        BundleCase, on_delete=models.CASCADE, related_name="materials", verbose_name=_("一件事申请")
    )
    key = models.CharField(_("材料标识"), max_length=200)
    name = models.CharField(_("材料名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    conditional = models.BooleanField(_("视情形提交"), default=False)
    state = models.CharField(_("收取情况"), max_length=12, choices=CaseMaterial.State.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    supplied_at = models.DateTimeField(_("最近提交时间"))

    class Meta:
        verbose_name = _("一件事申请材料")
        verbose_name_plural = _("一件事申请材料")
        ordering = ["bundle_case", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["bundle_case", "key"], name="bundle_case_material_once")]

    def __str__(self) -> str:
        return f"{self.bundle_case} {self.name}"

    @property
    def is_lacking(self) -> bool:
        return self.state in CaseMaterial.LACKING


class BundleNotice(OneTimeNotice):
    """A one-time notice (一次性告知书) of a bundle application before acceptance: the first cites
    every missing or defective line at once; a later one only lines supplied after the first
    (else a supervisor's override with a reason), the rule of ``services.one_time_check``."""

    bundle_case = models.ForeignKey(
        BundleCase, on_delete=models.CASCADE, related_name="notices", verbose_name=_("一件事申请")
    )

    class Meta:
        verbose_name = _("一件事一次性告知书")
        verbose_name_plural = _("一件事一次性告知书")
        ordering = ["bundle_case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["bundle_case", "sequence"], name="bundle_notice_sequence_once")]

    def __str__(self) -> str:
        return f"{self.bundle_case} #{self.sequence}"


class BundleNoticeItem(models.Model):
    """A line of the bundle's form a notice cites (each line once, however many items need it)."""

    notice = models.ForeignKey(BundleNotice, on_delete=models.CASCADE, related_name="items", verbose_name=_("告知书"))
    line = models.ForeignKey(BundleCaseMaterial, on_delete=models.CASCADE, related_name="+", verbose_name=_("申请材料"))
    problem = models.CharField(_("问题"), max_length=10, choices=NoticeItem.Problem.choices)
    note = models.CharField(_("补正要求"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("一件事告知材料")
        verbose_name_plural = _("一件事告知材料")
        ordering = ["notice", "line__order"]
        constraints = [models.UniqueConstraint(fields=["notice", "line"], name="bundle_notice_line_once")]

    def __str__(self) -> str:
        return f"{self.notice} {self.line.name}"
