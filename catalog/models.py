"""The catalog: what can be done, where, needing what (REQUIREMENTS §1, §3).

The basic catalog entry (基本目录) is a ``ServiceItem``; its guide (办事指南) is a series of
``GuideVersion`` rows. A published version is never changed again: a change is a new version
with an effective date, and the current version is the latest published one already in effect.
One record drives the public page, the API, the printed guide and the staff console (Art. 9 ¶3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from catalog.english import localized

ITEM_CODE_VALIDATOR = RegexValidator(
    r"^[0-9]{10}$",
    _("事项编码应为10位数字：2位事项类型 + 5位主项编码 + 3位子项编码。"),
)
# An implementation code (实施编码, GB/T 39554.1-2020): the implementing body's 18-character unified
# social credit code (GB 32100-2015) first, then the item's codes in the implementation list (31
# characters in Guangdong: 13 after the credit code). Only the credit code's part is checked
# strictly; the rest is 2-22 digits or capitals (docs/decisions.md, "Item codes").
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
IMPLEMENTATION_CODE_PATTERN = r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}[0-9A-Z]{2,22}$"
IMPLEMENTATION_CODE_MESSAGE = _(
    "实施编码应为20至40位数字或大写字母：前18位为实施主体的统一社会信用代码（不含I、O、S、V、Z），"
    "其后为事项编码和业务办理项编码，如 11440100007502361D0600102001001。"
)
HALL_CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,19}$", _("大厅编码只能包含大写字母、数字和连字符。"))
DEPARTMENT_CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,19}$", _("部门编码只能包含大写字母、数字和连字符。"))
# Aliases are written one a line; a list typed with the usual Chinese or Western separators works too.
ALIAS_SEPARATORS = re.compile(r"[\n\r、，,；;]+")
SYNONYM_SEPARATORS = re.compile(r"[\s、，,；;]+")


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015: weights 3^i mod 31)."""
    total = sum(CREDIT_CODE_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(first17))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_implementation_code(value: str) -> None:
    """The shape of an implementation code and the check character of its credit code."""
    if not re.match(IMPLEMENTATION_CODE_PATTERN, value):
        raise ValidationError(IMPLEMENTATION_CODE_MESSAGE, code="implementation_code_shape")
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("实施编码前18位（实施主体的统一社会信用代码）校验位不正确，请核对后重新输入。"),
            code="implementation_code_check",
        )


class BilingualName(models.Model):
    """A Chinese name with an optional English one, shown when the interface is in English."""

    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class District(models.TextChoices):
    YUEXIU = "yuexiu", _("越秀区")
    HAIZHU = "haizhu", _("海珠区")
    LIWAN = "liwan", _("荔湾区")
    TIANHE = "tianhe", _("天河区")
    BAIYUN = "baiyun", _("白云区")
    HUANGPU = "huangpu", _("黄埔区")
    PANYU = "panyu", _("番禺区")
    HUADU = "huadu", _("花都区")
    NANSHA = "nansha", _("南沙区")
    CONGHUA = "conghua", _("从化区")
    ZENGCHENG = "zengcheng", _("增城区")


class Department(BilingualName):
    """A department that provides services (提供政务服务的相关单位)."""

    code = models.CharField(_("部门编码"), max_length=20, unique=True, validators=[DEPARTMENT_CODE_VALIDATOR])
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    enquiry_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=40, default="12345")
    website = models.URLField(_("网站"), blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]


class Hall(BilingualName):
    """A government-service venue (政务服务场所) of one of the four levels."""

    class Level(models.TextChoices):
        CITY = "city", _("市级政务服务中心")
        DISTRICT = "district", _("区级政务服务中心")
        STREET = "street", _("镇（街）便民服务中心")
        STATION = "station", _("便民服务站")

    code = models.CharField(_("大厅编码"), max_length=20, unique=True, validators=[HALL_CODE_VALIDATOR])
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    district = models.CharField(_("所在区"), max_length=12, choices=District.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级中心"),
    )
    address = models.CharField(_("地址"), max_length=200)
    address_en = models.CharField(_("英文地址"), max_length=300, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    transport = models.CharField(_("交通指引"), max_length=300, blank=True)
    transport_en = models.CharField(_("英文交通指引"), max_length=600, blank=True)
    # App-qualified: django-stubs cannot type a bare forward reference (django-stubs#1802).
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="halls", verbose_name=_("可办理事项")
    )

    class Meta:
        verbose_name = _("政务服务场所")
        verbose_name_plural = _("政务服务场所")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(level="city"),
                name="hall_city_has_no_parent",
                violation_error_message=_("市级中心不能有上级中心。"),
            ),
        ]


# The order halls are listed in wherever a person reads or picks one (/halls/, the "办不成事"
# report form, the dashboards): by level, city first, then district centres, town and street
# centres and stations, each level by code. ``Hall.objects.order_by(*HALL_ORDER)``.
# ``hall_order("hall__")`` orders rows of another model by their hall the same way.
def hall_order(prefix: str = "") -> tuple[Case, str]:
    rank = Case(
        *(When(**{f"{prefix}level": level}, then=Value(rank)) for rank, level in enumerate(Hall.Level.values)),
        default=Value(len(Hall.Level.values)),
        output_field=IntegerField(),
    )
    return rank, f"{prefix}code"


HALL_LEVEL_RANK, _HALL_CODE = hall_order()
HALL_ORDER = (HALL_LEVEL_RANK, "code")


class HallOpeningHours(models.Model):
    """Opening hours of a hall on one weekday, with the lunch break and extended hours.

    A make-up workday (调休上班) on a weekend uses Monday's hours; a statutory holiday closes
    the hall (weekend and holiday service is booked as staggered slots, issue 4).
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("大厅"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    morning_opens = models.TimeField(_("上午开始"))
    morning_closes = models.TimeField(_("上午结束"))
    afternoon_opens = models.TimeField(_("下午开始"))
    afternoon_closes = models.TimeField(_("下午结束"))
    extended_until = models.TimeField(
        _("延时服务至"), null=True, blank=True, help_text=_("工作日延时服务的结束时间；不提供则留空。")
    )
    # A weekend day served only by booking (周末错时服务, Art. 10 ¶3): no walk-in tickets that
    # day, only bookings checked in; the slots themselves are appointments' staggered slot plans.
    appointment_only = models.BooleanField(
        _("仅预约（错时服务）"),
        default=False,
        help_text=_("仅周六、周日可选：当天只接待网上预约的错时服务，不现场取号。"),
    )

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["hall", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "weekday"], name="hours_one_row_per_weekday"),
            models.CheckConstraint(
                condition=Q(morning_opens__lt=models.F("morning_closes"))
                & Q(morning_closes__lte=models.F("afternoon_opens"))
                & Q(afternoon_opens__lt=models.F("afternoon_closes")),
                name="hours_in_order",
                violation_error_message=_("开放时间须按上午开始、上午结束、下午开始、下午结束的顺序排列。"),
            ),
            models.CheckConstraint(
                condition=Q(extended_until__isnull=True) | Q(extended_until__gt=models.F("afternoon_closes")),
                name="hours_extension_after_close",
                violation_error_message=_("延时服务结束时间须晚于下午结束时间。"),
            ),
            models.CheckConstraint(
                condition=Q(appointment_only=False) | Q(weekday__gte=5, extended_until__isnull=True),
                name="hours_appointment_only_on_weekends",
                violation_error_message=_("仅周六、周日可设为仅预约（错时服务），且不设延时服务。"),
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.get_weekday_display()} {self.morning_opens:%H:%M}–{self.afternoon_closes:%H:%M}"
        return f"{hours} {_('仅预约（错时服务）')}" if self.appointment_only else hours

    @property
    def has_lunch_break(self) -> bool:
        return self.morning_closes < self.afternoon_opens


class HallZone(models.Model):
    """A functional zone of a hall (Art. 6 ¶2: 功能分区)."""

    class Kind(models.TextChoices):
        WINDOWS = "windows", _("服务窗口区")
        GUIDANCE = "guidance", _("咨询引导区")
        SELF_SERVICE = "self_service", _("自助办理区")
        WAITING = "waiting", _("服务等候区")
        COMPLAINTS = "complaints", _("投诉监督区")
        OTHER = "other", _("其他")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="zones", verbose_name=_("大厅"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    location = models.CharField(_("位置"), max_length=100, blank=True)
    location_en = models.CharField(_("英文位置"), max_length=200, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    description_en = models.CharField(_("英文说明"), max_length=600, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("功能分区")
        verbose_name_plural = _("功能分区")
        ordering = ["hall", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.TextChoices):
    """Item types; the code's first two digits (the basic catalog code's type segment)."""

    LICENSING = "01", _("行政许可")
    BENEFIT = "04", _("行政给付")
    CONFIRMATION = "06", _("行政确认")
    REWARD = "07", _("行政奖励")
    ADJUDICATION = "08", _("行政裁决")
    OTHER_POWER = "09", _("其他行政权力")
    PUBLIC_SERVICE = "10", _("公共服务")


class ServiceItem(BilingualName):
    """An entry of the basic catalog (政务服务事项基本目录)."""

    code = models.CharField(_("事项编码"), max_length=10, unique=True, validators=[ITEM_CODE_VALIDATOR])
    # The code of the item in the implementation list (实施清单): what case numbers start with.
    # Optional (blank until the data platform provides it), unique when set.
    implementation_code = models.CharField(
        _("实施编码"),
        max_length=40,
        blank=True,
        validators=[validate_implementation_code],
        help_text=_(
            "事项实施清单中的实施编码（以实施主体的统一社会信用代码开头，广东省为31位），办件编号以它开头；"
            "尚未取得的留空，办件编号暂以事项编码开头。"
        ),
    )
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name=_("实施部门")
    )
    # What people call the item, not its legal version: searched like the name (docs/search.md).
    aliases = models.TextField(
        _("常用名"),
        blank=True,
        help_text=_(
            "群众的叫法、想办的事或拿到的证照，每行一个（也可用顿号分隔），用于搜索。如：营业执照、开公司、开店。"
        ),
    )
    aliases_en = models.TextField(
        _("英文常用名"),
        blank=True,
        help_text=_("英文的常用叫法，每行一个，用于英文搜索。如：business licence、open a restaurant。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{10}$"),
                name="item_code_format",
                violation_error_message=ITEM_CODE_VALIDATOR.message,
            ),
            models.CheckConstraint(
                condition=Q(code__startswith=models.F("item_type")),
                name="item_code_matches_type",
                violation_error_message=_("事项编码的前两位须与事项类型代码一致。"),
            ),
            models.UniqueConstraint(
                fields=["implementation_code"],
                condition=~Q(implementation_code=""),
                name="item_implementation_code_unique",
                violation_error_message=_("该实施编码已登记在另一事项上，同一实施编码只能对应一个事项。"),
            ),
            models.CheckConstraint(
                condition=Q(implementation_code="") | Q(implementation_code__regex=IMPLEMENTATION_CODE_PATTERN),
                name="item_implementation_code_format",
                violation_error_message=IMPLEMENTATION_CODE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in ALIAS_SEPARATORS.split(self.aliases) if alias.strip()]

    @property
    def alias_en_list(self) -> list[str]:
        return [alias.strip() for alias in ALIAS_SEPARATORS.split(self.aliases_en) if alias.strip()]


class GuideVersionQuerySet(models.QuerySet):
    def published(self) -> GuideVersionQuerySet:
        return self.filter(status=GuideVersion.Status.PUBLISHED)

    def in_effect(self, on: dt.date) -> GuideVersionQuerySet:
        return self.published().filter(effective_from__lte=on)

    def current(self, on: dt.date) -> GuideVersionQuerySet:
        """The version of each item in effect on ``on``: the latest effective published one.

        A correlated ``ORDER BY … LIMIT 1`` per item walks the partial index
        ``guide_published_idx`` backwards: one index probe per row, where a NOT EXISTS with an
        OR of comparisons degrades to comparing every pair of versions.
        """
        latest = (
            GuideVersion.objects.in_effect(on)
            .filter(item=OuterRef("item"))
            .order_by("-effective_from", "-number")
            .values("pk")[:1]
        )
        return self.in_effect(on).filter(pk=Subquery(latest))


# The most any guide may allow extending a case by (its ``extension_limit_days``), in working days;
# each guide's own limit (10 unless it says otherwise) is what a case is held to.
EXTENSION_LIMIT_MAX_DAYS = 60


class GuideVersion(models.Model):
    """One version of an item's guide (办事指南). Published versions are immutable."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    class ApplicantType(models.TextChoices):
        INDIVIDUAL = "individual", _("自然人")
        LEGAL_PERSON = "legal_person", _("法人")
        BOTH = "both", _("自然人、法人")

    class HandlingKind(models.TextChoices):
        INSTANT = "instant", _("即办件")
        PROMISED = "promised", _("承诺件")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions", verbose_name=_("事项"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("生效日期"))
    change_note = models.CharField(_("修订说明"), max_length=300, blank=True)
    change_note_en = models.CharField(_("英文修订说明"), max_length=600, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    applicant_type = models.CharField(_("服务对象"), max_length=12, choices=ApplicantType.choices)
    conditions = models.TextField(_("受理条件"))
    conditions_en = models.TextField(_("英文受理条件"), blank=True)
    legal_basis = models.TextField(_("设定依据"))
    legal_basis_en = models.TextField(_("英文设定依据"), blank=True)
    procedure = models.TextField(_("办理流程"), help_text=_("每行一个步骤。"))
    procedure_en = models.TextField(
        _("英文办理流程"), blank=True, help_text=_("每行一个步骤；留空则英文页面显示中文流程。")
    )
    handling_kind = models.CharField(_("办件类型"), max_length=10, choices=HandlingKind.choices)
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), validators=[MaxValueValidator(365)]
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), validators=[MaxValueValidator(365)], help_text=_("即办件填0。")
    )
    # Cases (issue 10): 容缺受理 is a property of the guide version, the materials that may follow
    # are those marked ``may_follow_later`` (each with its own period); an extension (延期) of a
    # case's limit needs the chief representative's approval and stays within this many days.
    allows_deferred_acceptance = models.BooleanField(
        _("可容缺受理"),
        default=False,
        help_text=_("勾选表示主要材料齐全时可先行受理，标为“可容缺后补”的材料在规定期限内补齐。"),
    )
    extension_limit_days = models.PositiveSmallIntegerField(
        _("可延长时限（工作日）"),
        default=10,
        validators=[MaxValueValidator(EXTENSION_LIMIT_MAX_DAYS)],
        help_text=_("经首席事务代表批准可延长的办理时限合计，一般为10个工作日。"),
    )
    is_free = models.BooleanField(_("不收费"), default=True)
    fee_description = models.CharField(_("收费标准"), max_length=300, blank=True)
    fee_description_en = models.CharField(_("英文收费标准"), max_length=600, blank=True)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    fee_basis_en = models.CharField(_("英文收费依据"), max_length=600, blank=True)
    result_description = models.CharField(_("办理结果"), max_length=200)
    result_description_en = models.CharField(_("英文办理结果"), max_length=400, blank=True)
    online_url = models.URLField(_("网上办理地址"), blank=True)
    visits_required = models.PositiveSmallIntegerField(_("到现场次数"), default=1, validators=[MaxValueValidator(5)])
    citywide = models.BooleanField(_("全市通办"), default=False)
    cross_region = models.BooleanField(_("跨域通办"), default=False)
    cross_border = models.BooleanField(_("跨境通办"), default=False)
    handling_methods = models.CharField(
        _("通办方式"),
        max_length=300,
        blank=True,
        help_text=_(
            "按条例第十二条的方式填写，如：全程网办、异地委托或者授权办理、接件后转至业务属地窗口办理、"
            "利用远程技术异地办理；可注明所属的具体安排，如跨省通办、广深跨城通办。"
        ),
    )
    handling_methods_en = models.CharField(_("英文通办方式"), max_length=600, blank=True)
    enquiry_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=40, default="12345")

    objects = GuideVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("办事指南版本")
        verbose_name_plural = _("办事指南版本")
        ordering = ["item", "-number"]
        permissions = [("publish_guideversion", _("可以发布办事指南"))]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="guide_version_number_unique"),
            # One revision at a time: two drafts of one item would each be published over the
            # other's changes. The service checks first; this index holds against any other path.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="draft"),
                name="guide_one_draft_per_item",
                violation_error_message=_("该事项已有未发布的草稿，请先编辑或发布该草稿。"),
            ),
            models.CheckConstraint(
                condition=Q(promised_limit_days__lte=models.F("statutory_limit_days")),
                name="guide_promised_within_statutory",
                violation_error_message=_("承诺办结时限不得超过法定办结时限。"),
            ),
            models.CheckConstraint(
                condition=~Q(handling_kind="instant") | Q(promised_limit_days=0),
                name="guide_instant_promises_same_day",
                violation_error_message=_("即办件的承诺时限应为0个工作日（当场办结）。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="guide_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(is_free=True) | ~Q(fee_description=""),
                name="guide_fee_described",
                violation_error_message=_("收费事项须填写收费标准。"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["item", "effective_from", "number"],
                name="guide_published_idx",
                condition=Q(status="published"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def procedure_steps(self) -> list[str]:
        """The steps in the interface language (the English ones when filled)."""
        return [line.strip() for line in localized(self, "procedure").splitlines() if line.strip()]

    @property
    def handling_scopes(self) -> list[str]:
        scopes = [
            str(label)
            for flag, label in (
                (self.citywide, _("全市通办")),
                (self.cross_region, _("跨域通办")),
                (self.cross_border, _("跨境通办")),
            )
            if flag
        ]
        return scopes or [str(_("本大厅办理"))]


class Material(models.Model):
    """An application material (申请材料) of one guide version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        ORIGINAL_AND_COPY = "original_and_copy", _("原件和复印件")
        ELECTRONIC = "electronic", _("电子材料")

    version = models.ForeignKey(
        GuideVersion, on_delete=models.CASCADE, related_name="materials", verbose_name=_("指南版本")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    name_en = models.CharField(_("英文材料名称"), max_length=400, blank=True)
    form = models.CharField(_("材料形式"), max_length=20, choices=Form.choices)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    may_follow_later = models.BooleanField(
        _("可容缺后补"),
        default=False,
        help_text=_("勾选表示容缺受理时可以后补；不勾选即为主要材料。"),
    )
    conditional = models.BooleanField(
        _("视情形提交"),
        default=False,
        help_text=_("仅在特定情形下需要提交（如未成年人申请、委托代办）；收件时可标记为不适用。"),
    )
    follow_within_days = models.PositiveSmallIntegerField(
        _("容缺后补期限（工作日）"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("容缺受理后，该材料须在受理之日起多少个工作日内补齐。"),
    )
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    notes_en = models.CharField(_("英文备注"), max_length=600, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1), name="material_at_least_one_copy"),
        ]

    def __str__(self) -> str:
        return self.name


class SpecialStep(models.Model):
    """A special step (特殊环节) whose time is not counted in the limit."""

    class Kind(models.TextChoices):
        EXPERT_REVIEW = "expert_review", _("专家评审")
        INSPECTION = "inspection", _("现场勘查")
        HEARING = "hearing", _("听证")
        TESTING = "testing", _("检验检测")
        PUBLIC_NOTICE = "public_notice", _("公示")
        OTHER = "other", _("其他")

    version = models.ForeignKey(
        GuideVersion, on_delete=models.CASCADE, related_name="special_steps", verbose_name=_("指南版本")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    max_days = models.PositiveSmallIntegerField(_("最长时间（工作日）"), validators=[MaxValueValidator(365)])
    notes = models.CharField(_("说明"), max_length=300, blank=True)
    notes_en = models.CharField(_("英文说明"), max_length=600, blank=True)

    class Meta:
        verbose_name = _("特殊环节")
        verbose_name_plural = _("特殊环节")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Bundle(BilingualName):
    """Related items handled as one ("高效办成一件事", Art. 11).

    Members are grouped into ordered stages; items of one stage are approved in parallel. The
    promised limit may not exceed the sum over stages of each stage's longest item limit
    (Art. 13 ¶3); ``catalog.bundles`` computes that bound.
    """

    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_bundles", verbose_name=_("牵头部门")
    )
    description = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("英文说明"), blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), validators=[MaxValueValidator(365)]
    )
    is_published = models.BooleanField(_("已公布"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Issue 11: the promised limit is re-checked against the members' current promised limits
    # whenever a member's guide is published or takes effect (``services.bundle_limits_recheck``);
    # a bundle that no longer satisfies the rule is flagged here until it does again.
    limit_breached_since = models.DateField(
        _("超出承诺时限之和日期"),
        null=True,
        blank=True,
        help_text=_("成员事项的承诺时限变化后，本一件事的承诺办结时限超出按阶段计算的承诺时限之和的日期。"),
    )
    limit_breach_note = models.CharField(_("超限说明"), max_length=300, blank=True)
    limit_breach_notified_at = models.DateTimeField(_("超限通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["pk"]


class BundleMember(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members", verbose_name=_("一件事"))
    stage = models.PositiveSmallIntegerField(
        _("阶段"), validators=[MinValueValidator(1)], help_text=_("同一阶段的事项并联审批，各阶段依次进行。")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="bundle_memberships", verbose_name=_("事项")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    duties = models.TextField(
        _("部门职责"), blank=True, help_text=_("该事项实施部门在本一件事中的职责（各自职责），在公开页面显示。")
    )

    class Meta:
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        ordering = ["bundle", "stage", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_once"),
            models.CheckConstraint(condition=Q(stage__gte=1), name="bundle_stage_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} / {self.item}"


class CalendarDay(models.Model):
    """One day of the working-day calendar (working / rest, and why).

    Seeded from the `holidays` package (China, with make-up workdays 调休); administrators may
    correct a day, and a corrected day is never overwritten by the seeding job. A year the
    package has no State Council notice for is provisional.
    """

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("工作日")
        WEEKEND = "weekend", _("周末")
        HOLIDAY = "holiday", _("法定节假日")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")

    class Source(models.TextChoices):
        PACKAGE = "package", _("节假日数据包")
        MANUAL = "manual", _("人工修正")

    WORKING_KINDS = (Kind.WORKDAY, Kind.MAKEUP_WORKDAY)

    date = models.DateField(_("日期"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("说明"), max_length=100, blank=True)
    provisional = models.BooleanField(
        _("待确认"), default=False, help_text=_("国务院办公厅尚未公布（或数据包尚未收录）该年度放假安排。")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.PACKAGE)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_working_day(self) -> bool:
        return self.kind in self.WORKING_KINDS


class GuideSearchDocument(models.Model):
    """What a search matches for one published guide version, worked out in advance (搜索索引).

    Per field (name, aliases, result, materials, other keywords), the phrases and the words
    Chinese segmentation finds in them, each with its pinyin and initials: segmenting and
    romanising is the slow part of indexing, so it is done once, when a version is published or
    an item's aliases change, never while searching. Versions in effect today and later have one;
    the catalog services keep them and ``manage.py search_rebuild`` rebuilds them all
    (docs/search.md). ``analyser`` names the format: documents of another one are ignored.
    """

    version = models.OneToOneField(
        GuideVersion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("指南版本"),
    )
    analyser = models.PositiveSmallIntegerField(_("分析器版本"))
    terms = models.JSONField(_("检索词"))
    built_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("搜索索引")
        verbose_name_plural = _("搜索索引")

    def __str__(self) -> str:
        return f"search document of version {self.version_id}"


class SearchSynonym(models.Model):
    """Words a search treats as one (搜索同义词), kept by administrators: 户籍 and 户口, 社保 and
    社会保险. A guide whose name, common names, result, materials or keywords hold one of the words
    is also found by the others, in the same field (``catalog.search.document_terms``): worked
    into the search documents when they are written, so a search costs nothing more. A change
    rewrites every document (docs/search.md)."""

    words = models.CharField(
        _("同义词"),
        max_length=200,
        unique=True,
        help_text=_("两个或以上意思相同的词，用空格或顿号分隔，例如：户籍 户口。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["words"]

    def __str__(self) -> str:
        return " ↔ ".join(self.word_list)

    @property
    def word_list(self) -> list[str]:
        seen: dict[str, None] = {}
        for word in SYNONYM_SEPARATORS.split(self.words):
            if word.strip():
                seen.setdefault(word.strip(), None)
        return list(seen)

    def clean(self) -> None:
        super().clean()
        if not self.word_list:
            return  # left empty: the field's own "required" says so, alone
        if len(self.word_list) < 2:
            raise ValidationError({"words": _("请至少填写两个词，用空格或顿号分隔。")})
        # Stored in one spelling, so the unique constraint sees "户籍 户口" and "户籍、户口" as one.
        self.words = " ".join(self.word_list)

    def unique_error_message(self, model_class: type[models.Model], unique_check: Sequence[str]) -> ValidationError:
        # Django's own reads "具有 同义词 的 搜索同义词 已存在。"
        if tuple(unique_check) == ("words",):
            return ValidationError(
                _("这组同义词已经有了：%(words)s。请修改原有的一组，或填写另一组。"),
                code="unique",
                params={"words": str(self)},
            )
        return super().unique_error_message(model_class, unique_check)
