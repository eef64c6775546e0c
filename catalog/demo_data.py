"""Demo data for the catalog: Guangzhou's departments, halls, service items with their guides,
bundles ("一件事") and the demo staff accounts.

Pure data only (no database access, no Django models), so that it can be imported anywhere,
e.g. by ``make run`` to print the demo accounts. ``manage.py load_demo`` writes it to the
database. Choice fields hold the raw values of the model choices ("city", "01", "original",
...); the command checks them against the models before loading anything.

Addresses, phone numbers and staff names are invented but plausible; legal bases name real
laws and regulations. The data tables sit between ``# fmt: off`` and ``# fmt: on`` so that the
formatter keeps them compact (several short fields a line).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from catalog import demo_data_en
from servicehall import roles

# The effective date of every demo guide's first version, and the day the demo is "published".
GUIDE_EFFECTIVE_FROM = "2026-01-01"
DEMO_PASSWORD = "servicehall-demo"  # noqa: S105 - shared password of the demo accounts only
ONLINE_URL = "https://www.gdzwfw.gov.cn/portal/guide/{code}"


# --- Record types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentData:
    code: str
    name: str
    name_en: str
    short_name: str
    enquiry_phone: str
    website: str = ""
    complaint_phone: str = "12345"


@dataclass(frozen=True)
class HoursData:
    """Opening hours of one weekday (0 = Monday); times as "HH:MM"."""

    weekday: int
    morning_opens: str = "09:00"
    morning_closes: str = "12:00"
    afternoon_opens: str = "13:00"
    afternoon_closes: str = "17:00"
    extended_until: str | None = None
    appointment_only: bool = False  # weekend staggered service (错时服务): booking only


@dataclass(frozen=True)
class ZoneData:
    kind: str  # a HallZone.Kind value
    name: str
    location: str = ""
    description: str = ""

    def english_fields(self) -> dict[str, str]:
        """``name_en``, ``location_en`` and ``description_en`` from ``demo_data_en.ZONES``."""
        return {
            f"{field}_en": demo_data_en.english(getattr(self, field), demo_data_en.ZONES)
            for field in ("name", "location", "description")
        }


@dataclass(frozen=True)
class HallData:
    code: str
    name: str
    name_en: str
    level: str  # a Hall.Level value
    district: str  # a District value
    address: str
    phone: str
    transport: str
    hours: tuple[HoursData, ...]
    zones: tuple[ZoneData, ...]
    parent: str | None = None  # the parent hall's code

    @property
    def address_en(self) -> str:
        return demo_data_en.HALLS.get(self.code, ("", ""))[0]

    @property
    def transport_en(self) -> str:
        return demo_data_en.HALLS.get(self.code, ("", ""))[1]


@dataclass(frozen=True)
class MaterialData:
    name: str
    form: str = "original"  # a Material.Form value
    copies: int = 1
    may_follow_later: bool = False
    notes: str = ""
    conditional: bool = False  # needed only in some situations (视情形提交; its notes say which)

    def as_fields(self) -> dict[str, object]:
        return {
            "name": self.name,
            "name_en": demo_data_en.english(self.name, demo_data_en.MATERIALS),
            "form": self.form,
            "copies": self.copies,
            "may_follow_later": self.may_follow_later,
            "conditional": self.conditional,
            "notes": self.notes,
            "notes_en": demo_data_en.english(self.notes, demo_data_en.MATERIAL_NOTES),
        }


@dataclass(frozen=True)
class StepData:
    kind: str  # a SpecialStep.Kind value
    name: str
    max_days: int
    notes: str = ""

    def as_fields(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "name_en": demo_data_en.english(self.name, demo_data_en.SPECIAL_STEPS),
            "max_days": self.max_days,
            "notes": self.notes,
            "notes_en": demo_data_en.english(self.notes, demo_data_en.SPECIAL_STEPS),
        }


@dataclass(frozen=True)
class ItemData:
    """A service item with the content of its first guide version.

    ``scope`` says which halls offer it: "city" only the city centre; "district" also the
    district centres; "street" also the town/street centres; "station" every hall. An item
    with ``promised == 0`` is an instant item (即办件); ``fee`` is ``(description, basis)``
    for a charged item, ``None`` for a free one.
    """

    code: str
    name: str
    name_en: str
    department: str
    scope: str
    applicant_type: str
    conditions: str
    legal_basis: str
    procedure: tuple[str, ...]
    statutory: int
    promised: int
    result: str
    materials: tuple[MaterialData, ...]
    fee: tuple[str, str] | None = None
    online: bool = False
    visits: int = 1
    citywide: bool = False
    cross_region: bool = False
    cross_border: bool = False
    handling_methods: str = ""
    special_steps: tuple[StepData, ...] = ()
    enquiry_phone: str = ""  # blank: the department's enquiry phone

    @property
    def item_type(self) -> str:
        return self.code[:2]

    @property
    def implementation_code(self) -> str:
        """The implementation code (实施编码): the implementing department's credit code, the item
        code and the business item code ``001`` (31 characters, as in Guangdong)."""
        return f"{IMPLEMENTING_BODY_CREDIT_CODES[self.department]}{self.code}001"

    @property
    def handling_kind(self) -> str:
        return "instant" if self.promised == 0 else "promised"

    def guide_fields(self, *, department_phone: str) -> dict[str, object]:
        """The fields of the guide version (``catalog.services.GUIDE_FIELDS``), with the English
        of ``demo_data_en`` (the laws of the legal and fee bases by their usual English titles)."""
        english = demo_data_en.ITEMS.get(self.code, demo_data_en.ItemEnglish("", ""))
        return {
            "applicant_type": self.applicant_type,
            "conditions": self.conditions,
            "conditions_en": english.conditions,
            "legal_basis": self.legal_basis,
            "legal_basis_en": demo_data_en.legal_basis(self.legal_basis),
            "procedure": "\n".join(self.procedure),
            "procedure_en": "\n".join(english.procedure),
            "handling_kind": self.handling_kind,
            "statutory_limit_days": self.statutory,
            "promised_limit_days": self.promised,
            "is_free": self.fee is None,
            "fee_description": self.fee[0] if self.fee else "",
            "fee_description_en": demo_data_en.english(self.fee[0], demo_data_en.FEES) if self.fee else "",
            "fee_basis": self.fee[1] if self.fee else "",
            "fee_basis_en": demo_data_en.legal_basis(self.fee[1]) if self.fee else "",
            "result_description": self.result,
            "result_description_en": english.result,
            "online_url": ONLINE_URL.format(code=self.code) if self.online else "",
            "visits_required": self.visits,
            "citywide": self.citywide,
            "cross_region": self.cross_region,
            "cross_border": self.cross_border,
            "handling_methods": self.handling_methods,
            "handling_methods_en": demo_data_en.handling_methods(self.handling_methods),
            "enquiry_phone": self.enquiry_phone or department_phone,
            "complaint_phone": "12345",
        }


@dataclass(frozen=True)
class BundleData:
    """A bundle; ``stages`` lists the item codes of each stage in order (parallel within a stage)."""

    name: str
    name_en: str
    lead_department: str
    description: str
    promised_limit_days: int
    stages: tuple[tuple[str, ...], ...]

    @property
    def description_en(self) -> str:
        return demo_data_en.BUNDLES.get(self.name, "")


@dataclass(frozen=True)
class AccountData:
    username: str
    role: str  # a group name from servicehall.roles
    display_name: str
    staff_number: str
    hall: str | None = None  # hall code; None = citywide
    department: str | None = None  # department code
    is_staff: bool = False
    is_superuser: bool = False


# --- Departments -----------------------------------------------------------------------------

# fmt: off
DEPARTMENTS: tuple[DepartmentData, ...] = (
    DepartmentData(
        "GZGA", "广州市公安局", "Guangzhou Municipal Public Security Bureau", "市公安局", "020-83116110",
        "https://gaj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZSCJG", "广州市市场监督管理局", "Guangzhou Administration for Market Regulation", "市市场监管局",
        "020-82128315", "https://scjgj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZRSJ", "广州市人力资源和社会保障局", "Guangzhou Human Resources and Social Security Bureau", "市人社局",
        "12333", "https://rsj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZYBJ", "广州市医疗保障局", "Guangzhou Healthcare Security Administration", "市医保局", "12393",
        "https://ybj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZGHZY", "广州市规划和自然资源局", "Guangzhou Municipal Planning and Natural Resources Bureau",
        "市规划和自然资源局", "020-83550231", "https://ghzyj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZGJJ", "广州住房公积金管理中心", "Guangzhou Housing Provident Fund Management Centre", "市公积金中心",
        "12329", "https://gjj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZMZJ", "广州市民政局", "Guangzhou Civil Affairs Bureau", "市民政局", "020-83128051", "https://mzj.gz.gov.cn/"
    ),
    DepartmentData(
        "GZWJW", "广州市卫生健康委员会", "Guangzhou Municipal Health Commission", "市卫生健康委", "020-81080213",
        "https://wjw.gz.gov.cn/",
    ),
    DepartmentData(
        "GZSW", "国家税务总局广州市税务局", "Guangzhou Municipal Tax Service, State Taxation Administration",
        "市税务局", "12366", "https://guangdong.chinatax.gov.cn/",
    ),
    DepartmentData(
        "GZZJJ", "广州市住房和城乡建设局", "Guangzhou Housing and Urban-Rural Development Bureau", "市住房城乡建设局",
        "020-83123662", "https://zfcj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZJTJ", "广州市交通运输局", "Guangzhou Municipal Transport Bureau", "市交通运输局", "020-83363122",
        "https://jtj.gz.gov.cn/",
    ),
    DepartmentData(
        "GZJYJ", "广州市教育局", "Guangzhou Education Bureau", "市教育局", "020-83182163", "https://jyj.gz.gov.cn/"
    ),
    DepartmentData("GZSFJ", "广州市司法局", "Guangzhou Justice Bureau", "市司法局", "12348", "https://sfj.gz.gov.cn/"),
)
# fmt: on

# The unified social credit code of each department as the implementing body (实施主体) of its
# items: the first 18 characters of their implementation codes. Invented, but well formed (11 an
# organ of government, 12 a public institution, 440100 Guangzhou, MB2C… a body set up in the 2019
# reorganisation) with a correct check character.
IMPLEMENTING_BODY_CREDIT_CODES: dict[str, str] = {
    "GZGA": "11440100007502361D",
    "GZSCJG": "11440100MB2C92747J",
    "GZRSJ": "11440100007502529D",
    "GZYBJ": "11440100MB2C90518Q",
    "GZGHZY": "11440100MB2C91963C",
    "GZGJJ": "12440100455352140N",
    "GZMZJ": "11440100007502475G",
    "GZWJW": "11440100MB2C92122Y",
    "GZSW": "11440100MB2C37158A",
    "GZZJJ": "11440100MB2C928944",
    "GZJTJ": "11440100MB2C951160",
    "GZJYJ": "11440100007502416D",
    "GZSFJ": "11440100007502440X",
}


# --- Halls -----------------------------------------------------------------------------------


def _week(
    *,
    extended_until: str | None = None,
    extended_days: tuple[int, ...] = (0, 1, 2, 3, 4),
    saturday_morning: bool = False,
    weekend_by_appointment: bool = False,
    afternoon: tuple[str, str] = ("13:00", "17:00"),
) -> tuple[HoursData, ...]:
    """Monday to Friday with a lunch break, optional extended hours on ``extended_days``, an
    optional Saturday morning (09:00–12:00 straight through, stored without a lunch break) and
    optional weekend mornings by appointment only (the staggered service ``appointments.demo``
    makes slots for, at these hours)."""
    days = [
        HoursData(
            weekday,
            afternoon_opens=afternoon[0],
            afternoon_closes=afternoon[1],
            extended_until=extended_until if weekday in extended_days else None,
        )
        for weekday in range(5)
    ]
    if saturday_morning:
        days.append(HoursData(5, "09:00", "10:30", "10:30", "12:00"))
    if weekend_by_appointment:
        days += [HoursData(day, "09:00", "10:30", "10:30", "12:00", appointment_only=True) for day in (5, 6)]
    return tuple(days)


def _city_zones() -> tuple[ZoneData, ...]:
    return (
        ZoneData("guidance", "咨询引导台", "一楼大堂入口", "取号、业务咨询、帮办代办和预约服务"),
        ZoneData("windows", "综合受理窗口区", "一楼东区", "无差别综合受理：前台综合受理、后台分类审批、综合窗口出件"),
        ZoneData("windows", "公安出入境及户政服务区", "二楼西区", "居民身份证、户籍、出入境证件办理"),
        ZoneData("windows", "不动产登记及税务服务区", "三楼东区", "不动产登记、存量房交易税费申报“一窗办理”"),
        ZoneData("windows", "企业开办专区", "二楼东区", "企业设立登记、印章刻制、发票领用、社保和公积金开户一次办结"),
        ZoneData(
            "self_service",
            "24小时自助服务区",
            "一楼西侧（独立出入口）",
            "社保、医保、公积金、不动产查询打印，证照自助领取",
        ),
        ZoneData("waiting", "服务等候区", "各楼层窗口区对面", "设叫号显示屏、饮水点和充电设施"),
        ZoneData("complaints", "“办不成事”反映窗口", "一楼大堂北侧", "受理办事难、办事慢等问题反映及服务投诉"),
        ZoneData("other", "母婴室及爱心服务区", "一楼大堂南侧", "为老年人、残疾人、孕妇等提供绿色通道和轮椅借用"),
    )


def _district_zones(windows_location: str = "一楼东区、二楼") -> tuple[ZoneData, ...]:
    return (
        ZoneData("guidance", "咨询导办台", "一楼大堂入口", "取号、咨询、帮办代办"),
        ZoneData("windows", "综合受理窗口区", windows_location, "“一窗受理、集成服务”综合窗口"),
        ZoneData("self_service", "自助服务区", "一楼西侧", "政务服务一体机、社保卡即时制卡机、证照打印"),
        ZoneData("waiting", "服务等候区", "一楼中庭", "叫号屏及等候座椅"),
        ZoneData("complaints", "“办不成事”反映窗口", "一楼大堂服务台旁", "问题反映、投诉及“好差评”回访"),
    )


def _street_zones() -> tuple[ZoneData, ...]:
    return (
        ZoneData("guidance", "导服台", "一楼入口", "咨询引导、帮办代办"),
        ZoneData("windows", "综合服务窗口", "一楼", "社保、医保、户籍、民政等高频事项综合受理"),
        ZoneData("self_service", "自助服务区", "一楼东侧", "政务服务一体机、社保自助终端"),
        ZoneData("waiting", "等候区", "一楼中部"),
        ZoneData("complaints", "投诉意见及“好差评”评价点", "导服台旁"),
    )


def _station_zones() -> tuple[ZoneData, ...]:
    return (
        ZoneData("windows", "综合服务窗口", "社区党群服务中心一楼", "代收代办，帮办服务"),
        ZoneData("self_service", "自助服务终端", "服务窗口旁", "社保、医保查询打印"),
        ZoneData("waiting", "等候区", "服务窗口对面"),
    )


def _district_hall(
    code: str,
    district: str,
    name: str,
    name_en: str,
    address: str,
    phone: str,
    transport: str,
    hours: tuple[HoursData, ...] | None = None,
    windows_location: str = "一楼东区、二楼",
) -> HallData:
    return HallData(
        code=code,
        name=name,
        name_en=name_en,
        level="district",
        district=district,
        address=address,
        phone=phone,
        transport=transport,
        hours=hours or _week(),
        zones=_district_zones(windows_location),
    )


# fmt: off
HALLS: tuple[HallData, ...] = (
    # City centre.
    HallData(
        code="GZ-CITY", name="广州市政务服务中心", name_en="Guangzhou Government Service Centre", level="city",
        district="tianhe", address="广州市天河区华穗路406号", phone="020-83336345",
        transport="地铁3号线、5号线珠江新城站B1出口步行约10分钟；公交花城大道华穗路口站",
        hours=_week(extended_until="19:00", weekend_by_appointment=True), zones=_city_zones(),
    ),
    # District centres.
    _district_hall(
        "YX", "yuexiu", "越秀区政务服务中心", "Yuexiu District Government Service Centre", "广州市越秀区小北路183号",
        "020-83302345", "地铁5号线小北站D出口步行约5分钟", _week(extended_until="19:00", extended_days=(2,)),
    ),
    _district_hall(
        "HZ", "haizhu", "海珠区政务服务中心", "Haizhu District Government Service Centre",
        "广州市海珠区江南大道中168号", "020-89632345", "地铁2号线江南西站A出口步行约8分钟",
    ),
    _district_hall(
        "LW", "liwan", "荔湾区政务服务中心", "Liwan District Government Service Centre", "广州市荔湾区芳村大道东200号",
        "020-81862345", "地铁1号线芳村站C出口步行约6分钟", windows_location="一楼、二楼",
    ),
    _district_hall(
        "TH", "tianhe", "天河区政务服务中心", "Tianhe District Government Service Centre",
        "广州市天河区黄埔大道西638号", "020-38622345", "地铁5号线猎德站C出口步行约7分钟",
        _week(extended_until="19:00", extended_days=(1, 3), saturday_morning=True), windows_location="一楼至三楼",
    ),
    _district_hall(
        "BY", "baiyun", "白云区政务服务中心", "Baiyun District Government Service Centre", "广州市白云区云城东路530号",
        "020-36362345", "地铁2号线白云文化广场站B出口步行约10分钟", _week(extended_until="19:00", extended_days=(1, 3)),
    ),
    _district_hall(
        "HP", "huangpu", "黄埔区政务服务中心", "Huangpu District Government Service Centre", "广州市黄埔区香雪三路3号",
        "020-82112345", "地铁6号线香雪站A出口步行约5分钟", _week(extended_until="18:30", extended_days=(1, 3)),
    ),
    _district_hall(
        "PY", "panyu", "番禺区政务服务中心", "Panyu District Government Service Centre",
        "广州市番禺区市桥街清河东路319号", "020-84632345", "地铁3号线市桥站D出口步行约12分钟",
        _week(saturday_morning=True),
    ),
    _district_hall(
        "HD", "huadu", "花都区政务服务中心", "Huadu District Government Service Centre", "广州市花都区新华街公益路32号",
        "020-86892345", "地铁9号线花都广场站B出口步行约6分钟", _week(extended_until="18:30", extended_days=(3,)),
    ),
    _district_hall(
        "NS", "nansha", "南沙区政务服务中心", "Nansha District Government Service Centre", "广州市南沙区凤凰大道1号",
        "020-39052345", "地铁4号线蕉门站B出口步行约10分钟", _week(saturday_morning=True),
        windows_location="一楼东区（含港澳服务专区）",
    ),
    _district_hall(
        "CH", "conghua", "从化区政务服务中心", "Conghua District Government Service Centre",
        "广州市从化区街口街河滨北路128号", "020-87962345", "公交从化区政府站下车步行约3分钟",
    ),
    _district_hall(
        "ZC", "zengcheng", "增城区政务服务中心", "Zengcheng District Government Service Centre",
        "广州市增城区荔城街府佑路96号", "020-82752345", "地铁21号线增城广场站A出口步行约8分钟",
        _week(extended_until="19:00", extended_days=(1,)),
    ),
    # Town / street convenience centres (镇街便民服务中心).
    HallData(
        code="TH-LD", name="天河区猎德街便民服务中心", name_en="Liede Subdistrict Convenience Service Centre",
        level="street", district="tianhe", parent="TH", address="广州市天河区猎德大道65号", phone="020-38792345",
        transport="地铁5号线猎德站F出口步行约4分钟", hours=_week(saturday_morning=True), zones=_street_zones(),
    ),
    HallData(
        code="YX-BJ", name="越秀区北京街便民服务中心", name_en="Beijing Road Subdistrict Convenience Service Centre",
        level="street", district="yuexiu", parent="YX", address="广州市越秀区广卫路19号", phone="020-83332345",
        transport="地铁1号线、2号线公园前站C出口步行约6分钟", hours=_week(), zones=_street_zones(),
    ),
    HallData(
        code="HZ-BJ", name="海珠区滨江街便民服务中心", name_en="Binjiang Subdistrict Convenience Service Centre",
        level="street", district="haizhu", parent="HZ", address="广州市海珠区滨江东路288号", phone="020-84202345",
        transport="地铁6号线一德路站步行约15分钟；公交滨江东路站", hours=_week(), zones=_street_zones(),
    ),
    HallData(
        code="BY-JX", name="白云区京溪街便民服务中心", name_en="Jingxi Subdistrict Convenience Service Centre",
        level="street", district="baiyun", parent="BY", address="广州市白云区京溪路35号", phone="020-87702345",
        transport="地铁3号线北延段京溪南方医院站A出口步行约5分钟", hours=_week(), zones=_street_zones(),
    ),
    HallData(
        code="PY-DS", name="番禺区大石街便民服务中心", name_en="Dashi Subdistrict Convenience Service Centre",
        level="street", district="panyu", parent="PY", address="广州市番禺区大石街石北工业路8号", phone="020-34782345",
        transport="地铁3号线大石站B出口步行约10分钟", hours=_week(extended_until="18:30", extended_days=(1,)),
        zones=_street_zones(),
    ),
    HallData(
        code="ZC-XT", name="增城区新塘镇便民服务中心", name_en="Xintang Town Convenience Service Centre",
        level="street", district="zengcheng", parent="ZC", address="广州市增城区新塘镇港口大道318号",
        phone="020-82682345", transport="地铁13号线新塘站B出口步行约12分钟", hours=_week(saturday_morning=True),
        zones=_street_zones(),
    ),
    # Convenience stations (村居便民服务站).
    HallData(
        code="TH-LD-01", name="天河区猎德街猎德社区便民服务站", name_en="Liede Community Convenience Service Station",
        level="station", district="tianhe", parent="TH-LD", address="广州市天河区猎德路猎德村委会旁18号",
        phone="020-38792310", transport="地铁5号线猎德站A出口步行约6分钟", hours=_week(afternoon=("14:00", "17:30")),
        zones=_station_zones(),
    ),
    HallData(
        code="ZC-XT-01", name="增城区新塘镇瑶田村便民服务站", name_en="Yaotian Village Convenience Service Station",
        level="station", district="zengcheng", parent="ZC-XT", address="广州市增城区新塘镇瑶田村文化室一楼",
        phone="020-82682310", transport="公交瑶田村站下车步行约3分钟", hours=_week(afternoon=("14:30", "17:30")),
        zones=_station_zones(),
    ),
)
# fmt: on

# A hall of each level offers the items whose scope is at its level or below.
SCOPES_BY_LEVEL: dict[str, tuple[str, ...]] = {
    "city": ("city", "district", "street", "station"),
    "district": ("district", "street", "station"),
    "street": ("street", "station"),
    "station": ("station",),
}


# --- Shared materials and wording --------------------------------------------------------------


def mat(
    name: str,
    form: str = "original",
    copies: int = 1,
    *,
    later: bool = False,
    notes: str = "",
    conditional: bool = False,
) -> MaterialData:
    """A material; ``later`` marks one that may be supplied later under 容缺受理, ``conditional``
    one needed only in some situations (视情形提交, its notes say which): a case may mark it 不适用."""
    return MaterialData(name, form, copies, later, notes, conditional=conditional)


ID_CARD = mat("申请人居民身份证", notes="已申领电子身份证的，可出示“粤省事”电子证照")
ID_CARD_BOTH = mat("双方当事人居民身份证", notes="可出示“粤省事”电子证照")
HOUSEHOLD_REGISTER = mat("居民户口簿", notes="广州市户籍可通过电子证照共享核验，免于提交")
AGENT_AUTHORISATION = mat("授权委托书及受托人居民身份证", notes="委托他人代办时提交", conditional=True)
SOCIAL_SECURITY_CARD = mat("社会保障卡", notes="可出示电子社保卡")
BANK_ACCOUNT = mat("本人银行结算账户信息", "copy", notes="用于发放待遇或款项；已激活社保卡金融功能的可免于提交")
BUSINESS_LICENCE = mat("营业执照", "electronic", notes="通过电子证照库调取，无需提交纸质件")
LEGAL_REPRESENTATIVE_ID = mat("法定代表人（负责人）身份证件", "copy")
AGENT_LETTER = mat("经办人身份证件及单位授权委托书", notes="非法定代表人办理时提交", conditional=True)


def form(title: str, *, notes: str = "可在窗口领取或在广东政务服务网下载", copies: int = 1) -> MaterialData:
    """An application form (申请表)."""
    return mat(f"《{title}》", "original", copies, notes=notes)


def steps(*lines: str) -> tuple[str, ...]:
    return lines


# Handling methods (通办方式).
CITYWIDE = "全市通办：可在全市任一区政务服务中心综合窗口申请"
ONLINE = "全程网办：广东政务服务网、“粤省事”“粤商通”“穗好办”"
PROXY = "异地代收代办：收件窗口核验材料后转属地部门审批，结果邮寄送达"
NATIONWIDE = "跨省通办：可在全国任一同类业务窗口申请"
HK_MACAO = "跨境通办：港澳居民可通过“跨境通办”自助服务专区或视频远程方式办理"


def methods(*parts: str) -> str:
    return "；".join(parts)


# --- Service items ---------------------------------------------------------------------------

# fmt: off
ITEMS_PUBLIC_SECURITY: tuple[ItemData, ...] = (
    ItemData(
        code="0600101001", name="居民身份证申领", name_en="First application for a resident identity card",
        department="GZGA", scope="district", applicant_type="individual",
        conditions="本市户籍居民年满十六周岁的，应当申领居民身份证；未满十六周岁的，可以由监护人代为申领。"
        "申请人须到场采集人像和指纹信息。",
        legal_basis="《中华人民共和国居民身份证法》第二条、第八条、第十条\n《中华人民共和国居民身份证法》第二十条（工本费）",
        procedure=steps(
            "申请人（或监护人陪同）到户籍所在地或受理点取号，填写《居民身份证申领登记表》",
            "窗口核验户口簿等材料，现场采集人像、指纹信息",
            "申请人缴纳工本费，领取受理回执",
            "公安机关审核签发，证件制作完成后短信通知",
            "申请人凭回执领取证件，或选择邮政寄递送达",
        ),
        statutory=60, promised=15,
        fee=(
            "居民身份证工本费每证20元",
            "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        ),
        result="中华人民共和国居民身份证", citywide=True, handling_methods=methods(CITYWIDE, "可选择邮政寄递领证"),
        materials=(
            HOUSEHOLD_REGISTER,
            mat("监护人居民身份证", notes="未满十六周岁的申请人由监护人陪同办理时提交", conditional=True),
            mat("数码相片回执", "electronic", notes="可在受理点免费现场拍摄，或到具备资质的照相馆拍摄后上传"),
        ),
    ),
    ItemData(
        code="0600101002", name="居民身份证换领", name_en="Renewal of a resident identity card", department="GZGA",
        scope="district", applicant_type="individual",
        conditions="居民身份证有效期满、姓名等登记项目变更或证件严重损坏不能辨认的，应当申请换领新证。"
        "有效期满前三个月内可以申请换领。",
        legal_basis="《中华人民共和国居民身份证法》第十一条\n《公安部关于建立居民身份证异地受理挂失申报和丢失招领制度的意见》",
        procedure=steps(
            "申请人持原证到任一受理点取号",
            "窗口核验原证、采集人像和指纹信息",
            "缴纳工本费，领取受理回执",
            "公安机关审核签发新证，原证在领取新证时交回",
            "领取证件或邮政寄递送达",
        ),
        statutory=60, promised=15,
        fee=(
            "有效期满、登记项目变更换领每证20元；损坏换领每证40元",
            "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        ),
        result="中华人民共和国居民身份证", citywide=True, cross_region=True,
        handling_methods=methods(CITYWIDE, NATIONWIDE + "（异地受理，户籍地制证）"),
        materials=(
            mat("原居民身份证", notes="领取新证时交回"),
            mat("数码相片回执", "electronic", notes="可在受理点免费现场拍摄"),
            mat("姓名、民族等项目变更的户口簿变更页", "copy", notes="因登记项目变更换领时提交", conditional=True),
        ),
    ),
    ItemData(
        code="0600101003", name="居民身份证补领", name_en="Replacement of a lost resident identity card",
        department="GZGA", scope="district", applicant_type="individual",
        conditions="居民身份证丢失的，应当申请补领。申请补领的同时办理原证件挂失，挂失后原证件作废。"
        "补领期间需要身份证明的，可同时申领临时居民身份证。",
        legal_basis="《中华人民共和国居民身份证法》第十一条\n《中华人民共和国临时居民身份证管理办法》",
        procedure=steps(
            "申请人到任一受理点取号，口头或书面申报证件丢失",
            "窗口核验户籍信息，办理原证挂失，采集人像和指纹",
            "缴纳工本费，领取受理回执（需要时同时申领临时居民身份证）",
            "公安机关审核签发新证",
            "领取证件或邮政寄递送达",
        ),
        statutory=60, promised=15,
        fee=(
            "补领居民身份证每证40元；临时居民身份证每证10元",
            "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        ),
        result="中华人民共和国居民身份证", citywide=True, cross_region=True,
        handling_methods=methods(CITYWIDE, NATIONWIDE + "（异地受理，户籍地制证）"),
        materials=(
            HOUSEHOLD_REGISTER,
            mat("数码相片回执", "electronic", notes="可在受理点免费现场拍摄"),
        ),
    ),
    ItemData(
        code="0600102001", name="户口迁入登记（市外迁入）",
        name_en="Household registration: moving in from outside the city", department="GZGA", scope="district",
        applicant_type="individual",
        conditions="符合本市人才引进、积分入户、投靠亲属或政策性安置等入户条件，并已取得准予迁入证明的人员。"
        "迁入地址须为合法固定住所或单位、人才集体户。",
        legal_basis="《中华人民共和国户口登记条例》第十三条\n《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）",
        procedure=steps(
            "申请人持准予迁入证明到迁入地户政窗口申请",
            "窗口核验材料，跨省迁入的通过“跨省通办”电子迁移，无需回迁出地开具迁移证",
            "户政部门审核，办理迁入登记",
            "签发居民户口簿（或在集体户内登记）",
            "申请人领取户口簿，另行申领新居民身份证",
        ),
        statutory=20, promised=5, result="居民户口簿（户口迁入登记）", citywide=True, cross_region=True,
        handling_methods=methods("跨省通办：户口迁移“一站式”办理，迁入地直接受理", "全市通办"),
        materials=(
            ID_CARD,
            mat("准予迁入证明或人才引进入户核准通知", "original", notes="可通过信息共享核验的免于提交"),
            mat("迁入地居民户口簿或集体户户主同意入户证明"),
            mat(
                "迁入地合法固定住所证明（不动产权证书或购房合同）", "copy", later=True,
                notes="可先行受理，5个工作日内补交",
            ),
            mat("户口迁移证", notes="已实行电子迁移的免于提交"),
        ),
    ),
    ItemData(
        code="0600102002", name="出生登记", name_en="Birth registration (household registration of a newborn)",
        department="GZGA", scope="district", applicant_type="individual",
        conditions="在本市出生或父母一方为本市户籍的新生儿，可随父或随母申报出生登记。"
        "婴儿出生后一个月以内，由户主、亲属或抚养人申报。",
        legal_basis="《中华人民共和国户口登记条例》第七条\n《国务院办公厅关于解决无户口人员登记户口问题的意见》（国办发〔2015〕96号）",
        procedure=steps(
            "父母一方通过“粤省事”新生儿入户或到窗口提交申请",
            "户政窗口核验出生医学证明及父母身份信息",
            "录入新生儿户籍信息，确定公民身份号码",
            "在居民户口簿上加页打印，当场办结",
        ),
        statutory=10, promised=0, result="居民户口簿新生儿户口页", online=True, citywide=True,
        handling_methods=methods(CITYWIDE, "网上申办：“粤省事”新生儿入户"),
        materials=(
            mat("出生医学证明", notes="本市助产机构签发的可通过电子证照核验"),
            mat("父母双方居民身份证"),
            HOUSEHOLD_REGISTER,
            mat("父母结婚证", notes="非婚生育的，按规定提交相关证明或书面说明"),
        ),
    ),
    ItemData(
        code="1000102003", name="户籍类证明出具", name_en="Issuing household registration certificates",
        department="GZGA", scope="street", applicant_type="individual",
        conditions="本市户籍居民因办理各类事务需要证明本人户籍信息、亲属关系、死亡注销等情况的，可申请开具户籍类证明。"
        "通过数据共享可以核验的事项不再开具证明。",
        legal_basis="《中华人民共和国户口登记条例》\n《公安部关于改进和规范公安派出所出具证明工作的意见》（公治〔2016〕325号）",
        procedure=steps(
            "申请人到窗口或通过网上平台提交申请",
            "窗口查询户籍档案核实相关信息",
            "符合条件的当场出具证明（可选电子证明）",
            "申请人领取证明",
        ),
        statutory=5, promised=0, result="户籍类证明", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE + "（电子证明）"),
        materials=(ID_CARD, HOUSEHOLD_REGISTER, AGENT_AUTHORISATION),
    ),
    ItemData(
        code="0100103001", name="往来港澳通行证及签注签发",
        name_en="Exit-entry permit and endorsement for Hong Kong and Macao", department="GZGA", scope="district",
        applicant_type="individual",
        conditions="内地居民因旅游、探亲、商务、学习等事由前往香港、澳门的，可申请往来港澳通行证及相应签注。"
        "国家工作人员按规定须经所在单位审批。",
        legal_basis="《中华人民共和国出境入境管理法》第九条\n《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
        procedure=steps(
            "申请人到任一出入境受理点取号，或通过“移民局”App预约",
            "现场采集人像、指纹，填写申请表",
            "窗口受理并缴费，领取受理回执",
            "出入境管理部门审批制证",
            "自助或窗口领取证件，也可选择邮政寄递",
        ),
        statutory=30, promised=7,
        fee=(
            "往来港澳通行证每证60元；个人旅游签注一次有效每件15元、二次有效每件30元",
            "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）",
        ),
        result="往来港澳通行证及签注", citywide=True, cross_region=True, cross_border=True,
        handling_methods=methods(
            "全国通办：可在全国任一出入境管理机构申请", "签注可在自助签注机办理", "可选择邮政寄递送证"
        ),
        materials=(
            ID_CARD,
            mat("出入境证件数码相片", "electronic", notes="受理点免费现场采集"),
            mat("原往来港澳通行证", notes="换发、再次申请签注时提交", conditional=True),
            mat("国家工作人员出境审批意见", notes="国家工作人员申请时提交", conditional=True),
        ),
    ),
    ItemData(
        code="0100103002", name="普通护照签发", name_en="Issuance of an ordinary passport", department="GZGA",
        scope="district", applicant_type="individual",
        conditions="中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的，可申请普通护照。"
        "具有《中华人民共和国出境入境管理法》规定不准出境情形的，不予签发。",
        legal_basis="《中华人民共和国护照法》第五条、第六条\n《中华人民共和国出境入境管理法》第十二条",
        procedure=steps(
            "申请人到任一出入境受理点取号或网上预约",
            "现场采集人像、指纹，核验身份",
            "窗口受理并缴费，领取受理回执",
            "出入境管理部门审批制证",
            "窗口、自助机领取或邮政寄递送达",
        ),
        statutory=15, promised=7,
        fee=(
            "普通护照每本120元",
            "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）",
        ),
        result="中华人民共和国普通护照", citywide=True, cross_region=True,
        handling_methods=methods("全国通办：可在全国任一出入境管理机构申请", "可选择邮政寄递送证"),
        materials=(
            ID_CARD,
            mat("出入境证件数码相片", "electronic", notes="受理点免费现场采集"),
            mat("原普通护照", notes="换发或原护照仍有效时提交", conditional=True),
            mat("未成年人出生医学证明及监护人身份证件", notes="未满十六周岁的申请人由监护人陪同时提交", conditional=True),
        ),
    ),
    ItemData(
        code="0100103003", name="往来台湾通行证及签注签发", name_en="Exit-entry permit and endorsement for Taiwan",
        department="GZGA", scope="district", applicant_type="individual",
        conditions="大陆居民前往台湾地区旅游、探亲、商务等的，可申请往来台湾通行证及相应签注。"
        "团队旅游签注按规定组团办理。",
        legal_basis="《中国公民往来台湾地区管理办法》\n《中华人民共和国出境入境管理法》第九条",
        procedure=steps(
            "申请人到出入境受理点取号",
            "采集人像、指纹，填写申请表",
            "受理缴费，领取回执",
            "审批制证",
            "领取证件或邮政寄递",
        ),
        statutory=15, promised=7,
        fee=(
            "往来台湾通行证每证60元；签注一次有效每件15元",
            "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）",
        ),
        result="往来台湾通行证及签注", citywide=True, cross_region=True,
        handling_methods="全国通办：可在全国任一出入境管理机构申请",
        materials=(
            ID_CARD,
            mat("出入境证件数码相片", "electronic", notes="受理点免费现场采集"),
            mat("赴台事由证明材料", "copy", notes="申请探亲、商务等签注时提交", conditional=True),
        ),
    ),
    ItemData(
        code="0100104001", name="机动车注册登记", name_en="Registration of a motor vehicle", department="GZGA",
        scope="district", applicant_type="both",
        conditions="初次申领机动车号牌、行驶证的机动车，所有人应当向住所地车辆管理所申请注册登记。"
        "机动车应当经查验合格，并已投保机动车交通事故责任强制保险、完税或免税。",
        legal_basis="《中华人民共和国道路交通安全法》第八条、第九条\n《机动车登记规定》（公安部令第164号）",
        procedure=steps(
            "机动车所有人或代理人到车管所服务站提交申请",
            "机动车查验区查验车辆，拓印车辆识别代号",
            "窗口核验资料，选取号牌号码",
            "核发号牌、行驶证和登记证书，当场办结",
        ),
        statutory=5, promised=0,
        fee=("汽车号牌每副100元，行驶证每本10元，登记证书每本10元", "国家和广东省公安交通管理收费标准有关规定"),
        result="机动车号牌、机动车行驶证、机动车登记证书", citywide=True,
        handling_methods=methods("全市通办：可在全市任一车管所及登记服务站办理", "新车可由销售企业代办“出厂即上牌”"),
        materials=(
            mat("机动车所有人身份证明", notes="个人为居民身份证；单位为统一社会信用代码证明"),
            mat("购车发票", notes="可通过电子发票信息核验"),
            mat("机动车整车出厂合格证明或进口凭证"),
            mat("机动车交通事故责任强制保险凭证", "electronic"),
            mat("车辆购置税完税或免税证明", "electronic", notes="通过部门信息共享核验"),
        ),
    ),
    ItemData(
        code="0100104002", name="机动车驾驶证期满换证", name_en="Renewal of a driving licence on expiry",
        department="GZGA", scope="district", applicant_type="individual",
        conditions="机动车驾驶证有效期满前九十日内，驾驶人应当申请换证。驾驶人须身体条件符合申请相应准驾车型的要求。",
        legal_basis="《中华人民共和国道路交通安全法》第十九条\n《机动车驾驶证申领和使用规定》（公安部令第162号）",
        procedure=steps(
            "驾驶人通过“交管12123”App或到车管所、服务站申请",
            "上传或由体检机构推送身体条件证明",
            "核验身份、驾驶证状态及违法事故处理情况",
            "当场换发新驾驶证或邮寄送达",
        ),
        statutory=1, promised=0, fee=("机动车驾驶证工本费每证10元", "国家和广东省公安交通管理收费标准有关规定"),
        result="中华人民共和国机动车驾驶证", online=True, visits=0, citywide=True, cross_region=True,
        handling_methods=methods(NATIONWIDE, "网上办理：“交管12123”App"),
        materials=(
            ID_CARD,
            mat("机动车驾驶证"),
            mat("《机动车驾驶人身体条件证明》", "electronic", notes="体检医院已联网上传的无需提交纸质件"),
            mat("驾驶证相片", "electronic"),
        ),
    ),
    ItemData(
        code="0900104003", name="免检机动车检验标志核发", name_en="Inspection sticker for inspection-exempt vehicles",
        department="GZGA", scope="district", applicant_type="both",
        conditions="符合免予上线检验条件的非营运小型、微型载客汽车和摩托车，在检验有效期满前三个月内可申领检验标志。"
        "车辆涉及的交通违法和事故须处理完毕。",
        legal_basis="《中华人民共和国道路交通安全法》第十三条\n《公安部 国家市场监督管理总局关于深化机动车检验制度改革优化车检服务工作的意见》",
        procedure=steps(
            "机动车所有人通过“交管12123”App或窗口申请",
            "系统核验交强险、违法和事故处理情况",
            "核发电子检验标志（需要纸质标志的可邮寄或现场领取）",
            "办结",
        ),
        statutory=1, promised=0, result="机动车检验合格标志（电子凭证）", online=True, visits=0, citywide=True,
        handling_methods=methods(ONLINE, "网上办理：“交管12123”App"),
        materials=(
            mat("机动车所有人身份证明"),
            mat("机动车行驶证"),
            mat("机动车交通事故责任强制保险凭证", "electronic"),
        ),
    ),
)

ITEMS_MARKET_REGULATION: tuple[ItemData, ...] = (
    ItemData(
        code="0100201001", name="企业设立登记", name_en="Registration of a new enterprise", department="GZSCJG",
        scope="district", applicant_type="both",
        conditions="申请设立有限责任公司、股份有限公司、合伙企业、个人独资企业等，企业名称、住所、注册资本、经营范围等"
        "符合法律法规规定。港澳投资者可通过“跨境通办”在港澳办理。",
        legal_basis="《中华人民共和国公司法》第二十九条\n《中华人民共和国市场主体登记管理条例》（国务院令第746号）第十九条\n"
        "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）",
        procedure=steps(
            "申请人通过“广州市开办企业一网通平台”填报或到企业开办专区提交申请",
            "登记机关进行形式审查",
            "材料齐全、符合法定形式的予以登记，核发营业执照",
            "同步发放电子营业执照，免费刻制首套印章",
            "可一并办理社保、公积金开户和发票领用",
        ),
        statutory=3, promised=1, result="营业执照（含电子营业执照）", online=True, visits=0, citywide=True,
        cross_region=True, cross_border=True,
        handling_methods=methods(CITYWIDE, ONLINE, "跨城通办：广深“跨城通办”", HK_MACAO),
        materials=(
            form("企业设立登记申请书"),
            mat("公司章程或合伙协议", "original", notes="可使用平台提供的章程范本"),
            mat("股东（投资人）主体资格证明或自然人身份证件", "copy"),
            mat("法定代表人、董事、监事和经理的任职文件", "original"),
            mat("住所（经营场所）使用证明", "copy", notes="实行住所申报承诺制的可提交《住所（经营场所）信息申报表》"),
        ),
    ),
    ItemData(
        code="0100201002", name="企业变更登记", name_en="Registration of changes to an enterprise", department="GZSCJG",
        scope="district", applicant_type="legal_person",
        conditions="企业名称、住所、法定代表人、注册资本、经营范围、股东等登记事项发生变更的，应当自作出变更决议、"
        "决定之日起30日内申请变更登记。",
        legal_basis="《中华人民共和国公司法》第三十四条\n《中华人民共和国市场主体登记管理条例》第二十四条",
        procedure=steps(
            "企业通过一网通平台或窗口提交变更申请",
            "登记机关形式审查",
            "予以变更登记，换发营业执照（涉及执照记载事项的）",
            "领取营业执照或选择寄递",
        ),
        statutory=3, promised=1, result="准予变更登记通知书、营业执照", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            form("企业变更登记申请书"),
            mat("股东会决议或投资人决定", "original"),
            mat("修改后的公司章程或章程修正案", "original", later=True, notes="可容缺受理，领取执照前补交"),
            mat("营业执照正、副本", "original", notes="换发执照时交回"),
        ),
    ),
    ItemData(
        code="0100201003", name="企业注销登记", name_en="Deregistration of an enterprise", department="GZSCJG",
        scope="district", applicant_type="legal_person",
        conditions="企业因解散、被宣告破产或其他法定事由需要终止的，清算完毕后申请注销登记。"
        "未发生债权债务或已将债权债务清偿完结的，可以按照简易程序办理注销登记。",
        legal_basis="《中华人民共和国公司法》第二百三十九条\n《中华人民共和国市场主体登记管理条例》第三十一条、第三十三条",
        procedure=steps(
            "企业在“企业注销网上服务专区”进行清算组备案、债权人公告或简易注销公示",
            "办结清税、社保和公积金账户注销等相关事项",
            "提交注销登记申请",
            "登记机关审查并作出准予注销登记决定",
            "缴回营业执照，电子营业执照同步作废",
        ),
        statutory=3, promised=1, result="准予注销登记通知书", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        special_steps=(
            StepData(
                "public_notice", "简易注销公示", 15, "通过国家企业信用信息公示系统公示20日，公示期内无异议的方可申请"
            ),
        ),
        materials=(
            form("企业注销登记申请书"),
            mat("清算报告或全体投资人承诺书", "original"),
            mat("清税证明", "electronic", notes="通过税务部门信息共享获取，无需提交"),
            mat("营业执照正、副本", "original"),
        ),
    ),
    ItemData(
        code="0100201004", name="个体工商户登记", name_en="Registration of an individual business", department="GZSCJG",
        scope="street", applicant_type="individual",
        conditions="有经营能力的公民从事工商业经营的，可以申请登记为个体工商户。经营场所应当符合规划和安全要求，"
        "经营范围不属于禁止经营的项目。",
        legal_basis="《促进个体工商户发展条例》（国务院令第755号）\n《中华人民共和国市场主体登记管理条例》第二十条",
        procedure=steps(
            "经营者通过“粤商通”或到镇街便民服务中心提交申请",
            "窗口核对经营者身份及经营场所信息",
            "符合条件的当场登记，核发营业执照",
            "同步发放电子营业执照",
        ),
        statutory=3, promised=0, result="个体工商户营业执照", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            form("个体工商户登记（备案）申请书"),
            mat("经营者居民身份证"),
            mat("经营场所使用证明", "copy", notes="可提交租赁合同或《住所（经营场所）信息申报表》"),
        ),
    ),
    ItemData(
        code="0100202001", name="食品经营许可", name_en="Food business licence", department="GZSCJG", scope="district",
        applicant_type="both",
        conditions="从事食品销售和餐饮服务活动的，应当依法取得食品经营许可。申请人应当具有与经营的食品品种、数量相适应的"
        "经营场所、设备设施、食品安全管理人员和管理制度。",
        legal_basis="《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        procedure=steps(
            "申请人通过广东政务服务网或窗口提交申请",
            "市场监管部门对申请材料进行审查并决定是否受理",
            "需要现场核查的，组织对经营场所进行核查",
            "作出准予或不予许可的决定",
            "核发食品经营许可证（电子证同步生成）",
        ),
        statutory=10, promised=5, result="食品经营许可证", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        special_steps=(StepData("inspection", "经营场所现场核查", 5, "按规定需要现场核查的，核查时间不计入办理时限"),),
        materials=(
            form("食品经营许可申请书"),
            BUSINESS_LICENCE,
            mat("与食品经营相适应的主要设备设施、经营布局、操作流程等文件", "original"),
            mat(
                "食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度", "original", later=True,
                notes="可容缺受理，现场核查前补交",
            ),
            LEGAL_REPRESENTATIVE_ID,
        ),
    ),
    ItemData(
        code="0100203001", name="药品经营许可证核发（零售）", name_en="Drug retail licence", department="GZSCJG",
        scope="district", applicant_type="legal_person",
        conditions="开办药品零售企业应当具有依法经过资格认定的药师或者其他药学技术人员，具有与所经营药品相适应的营业场所、"
        "设备、仓储设施和卫生环境，以及保证药品质量的规章制度。",
        legal_basis="《中华人民共和国药品管理法》第五十一条、第五十二条\n《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）",
        procedure=steps(
            "申请人提交申请材料",
            "药品监督管理部门受理并进行资料审查",
            "组织现场检查",
            "作出许可决定",
            "核发药品经营许可证",
        ),
        statutory=20, promised=10, result="药品经营许可证", online=True, visits=1,
        materials=(
            form("药品经营许可证申请表"),
            BUSINESS_LICENCE,
            mat("执业药师注册证及身份证件", "copy"),
            mat("营业场所和仓库平面布置图及房屋使用证明", "copy"),
            mat("药品质量管理制度文件目录", "original", later=True, notes="可容缺受理，现场检查前补交"),
        ),
    ),
    ItemData(
        code="0100204001", name="特种设备使用登记", name_en="Registration of special equipment for use",
        department="GZSCJG", scope="district", applicant_type="legal_person",
        conditions="锅炉、压力容器、电梯、起重机械、场（厂）内专用机动车辆等特种设备在投入使用前或者投入使用后30日内，"
        "使用单位应当办理使用登记。",
        legal_basis="《中华人民共和国特种设备安全法》第三十三条\n《特种设备使用管理规则》（TSG 08）",
        procedure=steps(
            "使用单位通过特种设备使用登记系统或窗口提交申请",
            "登记机关审查材料",
            "材料符合要求的予以登记",
            "核发特种设备使用登记证，使用单位在设备显著位置张贴使用标志",
        ),
        statutory=15, promised=5, result="特种设备使用登记证", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            form("特种设备使用登记表", copies=2),
            mat("产品合格证（含产品数据表）", "copy"),
            mat("监督检验证明或定期检验报告", "copy"),
            mat("安全管理人员资格证书", "copy"),
        ),
    ),
    ItemData(
        code="0700205001", name="市场监管领域重大违法行为举报奖励",
        name_en="Reward for reporting major market-regulation violations", department="GZSCJG", scope="city",
        applicant_type="individual",
        conditions="举报人实名举报市场监管领域重大违法行为，举报内容经查证属实并结案，且符合奖励条件的，可申请举报奖励。"
        "奖励按照违法行为的社会危害程度和举报证据情况分级确定。",
        legal_basis="《市场监管领域重大违法行为举报奖励暂行办法》（国市监稽规〔2021〕4号）\n《中华人民共和国食品安全法》第一百一十五条",
        procedure=steps(
            "市场监管部门向举报人发送举报奖励告知",
            "举报人在规定期限内提交奖励申请",
            "市场监管部门审核并作出奖励决定",
            "向举报人发放奖金",
        ),
        statutory=30, promised=15, result="举报奖励决定及奖金", visits=1,
        materials=(
            form("举报奖励申请表"),
            ID_CARD,
            mat("举报奖励告知书", "original"),
            BANK_ACCOUNT,
        ),
    ),
)

ITEMS_HUMAN_RESOURCES: tuple[ItemData, ...] = (
    ItemData(
        code="1000301001", name="单位参加社会保险登记", name_en="Social insurance registration of an employer",
        department="GZRSJ", scope="district", applicant_type="legal_person",
        conditions="用人单位应当自成立之日起三十日内申请办理社会保险登记。已在企业开办时同步办理的，不再重复办理。",
        legal_basis="《中华人民共和国社会保险法》第五十七条\n《社会保险费申报缴纳管理规定》（人力资源社会保障部令第20号）",
        procedure=steps(
            "单位通过广东政务服务网或窗口提交登记信息",
            "系统比对市场主体登记信息",
            "当场完成社会保险登记",
            "单位可即时办理职工参保",
        ),
        statutory=15, promised=0, result="社会保险登记信息（单位参保编号）", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "企业开办“一网通办”同步办理"),
        materials=(BUSINESS_LICENCE, form("社会保险单位登记表"), LEGAL_REPRESENTATIVE_ID),
    ),
    ItemData(
        code="1000301002", name="灵活就业人员参加社会保险登记",
        name_en="Social insurance registration of a flexibly employed person", department="GZRSJ", scope="street",
        applicant_type="individual",
        conditions="无雇工的个体工商户、未在用人单位参加基本养老保险的非全日制从业人员以及其他灵活就业人员，"
        "可以参加企业职工基本养老保险和职工基本医疗保险。",
        legal_basis="《中华人民共和国社会保险法》第十条、第二十三条\n《广东省社会养老保险实施办法》",
        procedure=steps(
            "申请人通过“粤省事”或到窗口提交参保申请",
            "核验身份信息及参保状态",
            "确定缴费基数，签订缴费协议",
            "当场完成参保登记",
        ),
        statutory=15, promised=0, result="个人参保登记信息", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE), materials=(ID_CARD, form("灵活就业人员参保登记表"), BANK_ACCOUNT),
    ),
    ItemData(
        code="1000301003", name="单位社会保险注销登记", name_en="Deregistration of an employer's social insurance",
        department="GZRSJ", scope="district", applicant_type="legal_person",
        conditions="用人单位依法终止或者发生其他情形需要终止社会保险缴费义务的，应当申请注销社会保险登记。"
        "单位应已结清社会保险费、滞纳金及罚款，并已办理全部职工减员。",
        legal_basis="《中华人民共和国社会保险法》第五十七条\n《社会保险登记管理暂行办法》",
        procedure=steps(
            "单位提交注销申请",
            "核查职工减员及欠费情况",
            "核准注销社会保险登记",
            "出具注销结果，信息共享至登记机关",
        ),
        statutory=15, promised=3, result="社会保险注销登记结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "企业注销“一网通办”同步办理"),
        materials=(
            form("社会保险单位注销登记表"),
            mat("单位注销、撤销或解散的决定文件", "copy"),
            AGENT_LETTER,
        ),
    ),
    ItemData(
        code="1000301004", name="企业职工基本养老保险关系转移接续",
        name_en="Transfer of basic pension insurance between regions", department="GZRSJ", scope="district",
        applicant_type="individual",
        conditions="参保人员跨省、跨市流动就业并在新就业地参保的，可申请转移基本养老保险关系。"
        "参保人员在转入地申请，由转入地联系转出地办理。",
        legal_basis="《中华人民共和国社会保险法》第十九条\n《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）",
        procedure=steps(
            "参保人员通过国家社会保险公共服务平台或转入地窗口提出申请",
            "转入地审核后向转出地发出联系函",
            "转出地核对参保缴费信息，转移基金并出具信息表",
            "转入地接收基金，记录个人账户",
            "办结后短信告知参保人员",
        ),
        statutory=45, promised=15, result="基本养老保险关系转移接续完成", online=True, visits=0, citywide=True,
        cross_region=True, handling_methods=methods(NATIONWIDE, ONLINE + "（国家社会保险公共服务平台）"),
        materials=(ID_CARD, form("基本养老保险关系转移接续申请表")),
    ),
    ItemData(
        code="1000302001", name="社会保障卡申领", name_en="Application for a social security card", department="GZRSJ",
        scope="street", applicant_type="individual",
        conditions="在本市参加社会保险或需要在本市享受人力资源社会保障服务的人员可申领社会保障卡。"
        "新生儿可由监护人代为申领。", legal_basis="《中华人民共和国社会保险法》第五十八条\n《社会保障卡管理办法》",
        procedure=steps(
            "申请人通过“粤省事”或到窗口提交申请，选择合作银行",
            "采集或上传相片",
            "制卡机构制卡（设有即时制卡点的可当场领卡）",
            "申请人领卡并激活",
        ),
        statutory=20, promised=10, result="社会保障卡（第三代）", online=True, visits=1, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "部分网点可即时制卡"),
        materials=(
            ID_CARD,
            mat("近期免冠彩色证件照", "electronic", notes="可现场免费拍摄"),
            mat("监护人居民身份证", notes="未成年人由监护人代办时提交", conditional=True),
        ),
    ),
    ItemData(
        code="0600303001", name="职工正常退休（职）申请", name_en="Application for normal retirement of an employee",
        department="GZRSJ", scope="district", applicant_type="both",
        conditions="参加企业职工基本养老保险的职工，达到法定退休年龄（按渐进式延迟法定退休年龄的规定确定）"
        "且累计缴费年限达到规定最低缴费年限的，可以申请办理退休。",
        legal_basis="《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》\n"
        "《中华人民共和国社会保险法》第十六条\n《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）",
        procedure=steps(
            "用人单位或本人在达到退休年龄前提交申请",
            "人社部门核定出生时间、参加工作时间及缴费年限",
            "审核人事档案等材料",
            "作出退休审批决定",
            "出具退休审批结果，同步推送养老待遇核定",
        ),
        statutory=20, promised=5, result="职工退休审批表（退休核准结果）", online=True, visits=1, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            form("职工退休（职）审批表", copies=2),
            mat("职工人事档案", notes="由用人单位或档案保管机构提供"),
            mat("视同缴费年限认定材料", "copy", later=True, notes="有视同缴费年限的提交，可容缺后补", conditional=True),
        ),
    ),
    ItemData(
        code="0400303002", name="企业职工基本养老保险待遇申领",
        name_en="Claim for basic pension benefits of enterprise employees", department="GZRSJ", scope="district",
        applicant_type="individual",
        conditions="已办理退休审批、按月领取基本养老金的参保人员，应当申领养老保险待遇。待遇自退休审批次月起计发。",
        legal_basis="《中华人民共和国社会保险法》第十六条\n《国务院关于完善企业职工基本养老保险制度的决定》（国发〔2005〕38号）",
        procedure=steps(
            "参保人员在退休审批通过后提交待遇申领",
            "社保经办机构核定缴费年限、个人账户和养老金",
            "出具待遇核定结果",
            "按月发放基本养老金至社保卡金融账户",
        ),
        statutory=20, promised=5, result="基本养老金核定通知", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            form("基本养老保险待遇申领表"),
            mat("职工退休（职）审批表", "electronic", notes="通过系统共享获取"),
            BANK_ACCOUNT,
        ),
    ),
    ItemData(
        code="0400303003", name="城乡居民基本养老保险待遇申领",
        name_en="Claim for urban and rural residents' pension benefits", department="GZRSJ", scope="street",
        applicant_type="individual",
        conditions="参加城乡居民基本养老保险、年满60周岁、累计缴费满15年且未领取国家规定的基本养老保障待遇的人员，"
        "可申领城乡居民养老保险待遇。",
        legal_basis="《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）\n《中华人民共和国社会保险法》第二十一条",
        procedure=steps(
            "参保人员到镇街便民服务中心或通过“粤省事”申请",
            "窗口核验身份和缴费信息",
            "区社保经办机构审核并核定待遇",
            "按月发放待遇",
        ),
        statutory=20, promised=5, result="城乡居民养老保险待遇核定结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE), materials=(ID_CARD, HOUSEHOLD_REGISTER, SOCIAL_SECURITY_CARD),
    ),
    ItemData(
        code="0400304001", name="失业保险金申领", name_en="Claim for unemployment insurance benefits",
        department="GZRSJ", scope="street", applicant_type="individual",
        conditions="失业前用人单位和本人已经缴纳失业保险费满一年、非因本人意愿中断就业、已经进行失业登记并有求职要求的，"
        "可以申领失业保险金。",
        legal_basis="《中华人民共和国社会保险法》第四十五条\n《失业保险条例》第十四条\n《失业保险金申领发放办法》",
        procedure=steps(
            "失业人员通过“粤省事”或到窗口提出申请",
            "系统核验参保缴费及失业登记信息",
            "经办机构审核并核定领取期限",
            "按月发放失业保险金至社保卡金融账户",
        ),
        statutory=10, promised=3, result="失业保险金核定结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            mat("解除或终止劳动关系证明", "electronic", notes="单位已网上报送的免于提交"),
            SOCIAL_SECURITY_CARD,
        ),
    ),
    ItemData(
        code="0900305001", name="劳动人事争议仲裁申请",
        name_en="Application for labour and personnel dispute arbitration", department="GZRSJ", scope="district",
        applicant_type="both",
        conditions="发生劳动人事争议的当事人，可以在知道或者应当知道其权利被侵害之日起一年内向有管辖权的劳动人事争议"
        "仲裁委员会申请仲裁。申请人须有明确的被申请人、具体的仲裁请求和事实、理由。",
        legal_basis="《中华人民共和国劳动争议调解仲裁法》第二十七条、第二十八条、第二十九条\n《劳动人事争议仲裁办案规则》",
        procedure=steps(
            "申请人提交仲裁申请书及证据材料",
            "仲裁委员会审查是否符合受理条件",
            "决定受理的，向被申请人送达申请书副本",
            "组织调解或开庭审理",
            "作出仲裁调解书或裁决书",
        ),
        statutory=5, promised=3, result="受理通知书（或不予受理通知书）", online=True, visits=1, citywide=True,
        handling_methods=methods(
            CITYWIDE + "（接件后转有管辖权的仲裁委员会）", "网上申请：广东省劳动人事争议网络仲裁服务平台"
        ),
        materials=(
            mat("仲裁申请书", "original", 2, notes="按被申请人人数提交副本"),
            mat("申请人身份证件或主体资格证明", "copy"),
            mat("被申请人主体信息", "copy"),
            mat("证据材料", "copy", later=True, notes="可在举证期限内补充提交"),
        ),
    ),
    ItemData(
        code="1000306001", name="就业失业登记", name_en="Employment and unemployment registration", department="GZRSJ",
        scope="station", applicant_type="individual",
        conditions="在法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者，可在常住地办理失业登记；"
        "实现就业的，由用人单位或本人办理就业登记。",
        legal_basis="《中华人民共和国就业促进法》第三十五条\n《就业服务与就业管理规定》（劳动和社会保障部令第28号）",
        procedure=steps(
            "劳动者通过“粤省事”或到社区、镇街窗口申请",
            "核验身份及就业参保状态",
            "当场办理登记",
            "提供职业介绍、职业指导等就业服务",
        ),
        statutory=5, promised=0, result="就业失业登记信息", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE), materials=(ID_CARD, form("就业失业登记表")),
    ),
)

ITEMS_HEALTHCARE_SECURITY: tuple[ItemData, ...] = (
    ItemData(
        code="1000401001", name="城乡居民基本医疗保险参保登记",
        name_en="Enrolment in basic medical insurance for urban and rural residents", department="GZYBJ",
        scope="station", applicant_type="individual",
        conditions="本市户籍且未参加职工基本医疗保险的人员、持有本市居住证的非本市户籍人员、在穗就读的大中专院校学生"
        "及新生儿等，可参加城乡居民基本医疗保险。",
        legal_basis="《中华人民共和国社会保险法》第二十五条\n《广州市社会医疗保险办法》",
        procedure=steps(
            "参保人或监护人通过“粤医保”“粤省事”或到窗口申请",
            "核验身份及参保资格",
            "当场完成参保登记",
            "按年度缴纳医疗保险费",
        ),
        statutory=5, promised=0, result="城乡居民医保参保登记信息", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            mat("参保人居民身份证或居民户口簿", notes="新生儿提交出生医学证明"),
            mat("广东省居住证", notes="非本市户籍人员提交；可通过信息共享核验", conditional=True),
        ),
    ),
    ItemData(
        code="1000401002", name="职工医保退休人员待遇核定",
        name_en="Determination of medical insurance benefits for retirees", department="GZYBJ", scope="district",
        applicant_type="individual",
        conditions="参加职工基本医疗保险的人员办理退休手续时，累计缴费年限达到规定年限的，退休后不再缴纳基本医疗保险费，"
        "按规定享受退休人员医疗保险待遇；未达到规定年限的，可以按规定补缴。",
        legal_basis="《中华人民共和国社会保险法》第二十七条\n《广州市社会医疗保险办法》",
        procedure=steps(
            "退休审批完成后，单位或本人提交申请（系统可自动推送）",
            "医保经办机构核定职工医保累计缴费年限",
            "缴费年限不足的，告知补缴标准",
            "核定退休人员医保待遇，个人账户按退休人员标准划入",
        ),
        statutory=20, promised=5, result="退休人员医保待遇核定结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "退休“一件事”联办"),
        materials=(
            ID_CARD,
            mat("职工退休（职）审批表", "electronic", notes="通过信息共享获取"),
            mat(
                "外省市职工医保参保缴费凭证", "original", later=True, notes="有外地缴费年限需合并计算的提交，可容缺后补"
            ),
        ),
    ),
    ItemData(
        code="1000402001", name="异地就医备案", name_en="Registration for medical treatment in another region",
        department="GZYBJ", scope="station", applicant_type="individual",
        conditions="本市参保人员因异地长期居住、临时外出就医或转诊转院等需要在省外或省内其他城市就医，"
        "并直接结算医疗费用的，应当办理异地就医备案。",
        legal_basis="《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）\n"
        "《中华人民共和国社会保险法》第二十九条",
        procedure=steps(
            "参保人通过“国家医保服务平台”App、“粤医保”或窗口申请",
            "选择备案类型、就医地和备案期限，签署个人承诺书",
            "系统即时审核",
            "备案成功后即可在就医地定点医药机构直接结算",
        ),
        statutory=1, promised=0, result="异地就医备案信息", online=True, visits=0, citywide=True, cross_region=True,
        handling_methods=methods(NATIONWIDE, ONLINE + "（国家医保服务平台）"),
        materials=(
            mat("参保人社会保障卡或医保电子凭证", notes="可出示医保电子凭证"),
            form("异地就医登记备案表", notes="网上申请时在线填写"),
            mat("个人承诺书", "electronic", notes="长期居住人员以承诺代替居住证明"),
        ),
    ),
    ItemData(
        code="0400403001", name="生育津贴申领", name_en="Claim for maternity allowance", department="GZYBJ",
        scope="district", applicant_type="both",
        conditions="参加职工生育保险的用人单位职工，因生育或施行计划生育手术依法享受休假的，按规定领取生育津贴。"
        "生育时用人单位已为其连续足额缴纳生育保险费。",
        legal_basis="《中华人民共和国社会保险法》第五十四条、第五十六条\n《广东省职工生育保险规定》",
        procedure=steps(
            "用人单位或参保人通过网上服务平台或窗口申报",
            "医保经办机构核验生育信息和参保缴费情况",
            "核定生育津贴金额",
            "生育津贴发放至用人单位或本人账户",
        ),
        statutory=20, promised=10, result="生育津贴核定及发放", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            form("生育保险待遇申报表"),
            mat("出生医学证明", "electronic", notes="通过电子证照共享获取"),
            mat("产科诊断证明或出院小结", "copy", notes="医院未上传电子病历的提交", conditional=True),
        ),
    ),
    ItemData(
        code="0600404001", name="门诊特定病种待遇资格认定",
        name_en="Eligibility for outpatient treatment of specified diseases", department="GZYBJ", scope="district",
        applicant_type="individual",
        conditions="本市参保人员患有恶性肿瘤门诊治疗、慢性肾功能衰竭门诊透析、器官移植术后抗排异治疗等门诊特定病种的，"
        "可申请门诊特定病种待遇资格认定。",
        legal_basis="《广州市社会医疗保险办法》\n《广州市社会医疗保险门诊特定病种管理办法》",
        procedure=steps(
            "参保人到门特定点医疗机构就诊，由医生填写申请表",
            "医疗机构或参保人提交认定申请",
            "医保经办机构审核病历资料",
            "作出认定结果，认定后在选定的医疗机构享受待遇",
        ),
        statutory=10, promised=5, result="门诊特定病种待遇资格认定结果", citywide=True,
        handling_methods=methods(CITYWIDE, "定点医疗机构代办"),
        materials=(
            SOCIAL_SECURITY_CARD,
            form("门诊特定病种待遇申请表", notes="由定点医疗机构医生填写"),
            mat("诊断证明及相关检查报告", "copy"),
        ),
    ),
    ItemData(
        code="0400403002", name="零星医疗费用报销", name_en="Reimbursement of out-of-pocket medical expenses",
        department="GZYBJ", scope="district", applicant_type="individual",
        conditions="参保人员因急诊抢救、异地就医未直接结算等原因全额垫付医疗费用的，可在费用发生之日起规定期限内"
        "申请零星报销。", legal_basis="《中华人民共和国社会保险法》第二十八条、第二十九条\n《广州市社会医疗保险办法》",
        procedure=steps(
            "参保人通过“粤医保”上传材料或到窗口提交",
            "医保经办机构受理并审核费用明细",
            "核定报销金额",
            "报销款支付至参保人社保卡金融账户或银行账户",
        ),
        statutory=30, promised=20, result="医疗费用报销结算单", online=True, visits=0, citywide=True, cross_region=True,
        handling_methods=methods(CITYWIDE, ONLINE, "跨省异地就医手工报销可在参保地线上申请"),
        materials=(
            SOCIAL_SECURITY_CARD,
            mat("医疗费用收据或电子票据", "original"),
            mat("费用明细清单", "original"),
            mat("出院小结或门诊病历", "copy", later=True, notes="可容缺受理，10个工作日内补交"),
            BANK_ACCOUNT,
        ),
    ),
)

ITEMS_NATURAL_RESOURCES: tuple[ItemData, ...] = (
    ItemData(
        code="0600501001", name="不动产转移登记（存量房买卖）",
        name_en="Transfer registration of real estate (second-hand home sale)", department="GZGHZY", scope="district",
        applicant_type="both",
        conditions="因买卖导致不动产权利转移的，当事人应当共同申请转移登记。不动产应当已办理首次登记，"
        "且不存在查封、异议登记等限制转移的情形。",
        legal_basis="《中华人民共和国民法典》第二百零九条、第二百一十四条\n《不动产登记暂行条例》第十四条、第二十条\n"
        "《不动产登记暂行条例实施细则》第三十八条",
        procedure=steps(
            "买卖双方在不动产登记“一窗受理”窗口共同申请（可同步申报交易税费）",
            "登记机构查验申请材料和不动产状况",
            "审核并登簿",
            "缴纳登记费",
            "核发不动产权证书（电子证照同步生成）",
        ),
        statutory=30, promised=3,
        fee=(
            "住宅每件80元，非住宅每件550元；每增加一本证书加收证书工本费10元",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        ),
        result="不动产权证书", online=True, visits=1, citywide=True,
        handling_methods=methods("全市通办：可在全市任一不动产登记窗口申请", "网上申办：“穗好办”不动产登记"),
        materials=(
            form("不动产登记申请书"),
            mat("买卖双方身份证件", "original_and_copy"),
            mat("不动产权证书或房地产权证"),
            mat("存量房买卖合同（网签备案）", "electronic", notes="通过网签备案系统获取"),
            mat("契税、个人所得税等完税凭证", "electronic", notes="“一窗受理”同步办理，免于提交"),
        ),
    ),
    ItemData(
        code="0600501002", name="不动产抵押登记", name_en="Mortgage registration of real estate", department="GZGHZY",
        scope="district", applicant_type="both",
        conditions="以不动产设定抵押权的，抵押人和抵押权人应当共同申请抵押登记。抵押财产应当已办理不动产权属登记。",
        legal_basis="《中华人民共和国民法典》第三百九十五条、第四百零二条\n《不动产登记暂行条例》第五条、第十四条",
        procedure=steps(
            "抵押权人（银行）通过“不动产登记+金融服务”平台或窗口与抵押人共同申请",
            "登记机构查验材料",
            "审核并登簿",
            "核发不动产登记证明（电子证明）",
        ),
        statutory=30, promised=1,
        fee=(
            "住宅每件80元，非住宅每件550元",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        ),
        result="不动产登记证明（抵押权）", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "银行网点代办：“不动产登记+金融服务”不见面办理"),
        materials=(
            form("不动产登记申请书"),
            mat("抵押人、抵押权人身份证明或主体资格证明", "copy"),
            mat("不动产权证书"),
            mat("主债权合同及抵押合同", "original"),
        ),
    ),
    ItemData(
        code="0600501003", name="不动产权证书补发", name_en="Reissue of a lost real estate title certificate",
        department="GZGHZY", scope="district", applicant_type="both",
        conditions="不动产权证书遗失、灭失的，权利人可以申请补发。登记机构在门户网站刊发遗失声明15个工作日后补发。",
        legal_basis="《不动产登记暂行条例实施细则》第二十二条\n《不动产登记暂行条例》第二十条",
        procedure=steps(
            "权利人提交补发申请及遗失说明",
            "登记机构查验权属状况",
            "在登记机构门户网站刊发遗失声明",
            "声明期满无异议的，补发证书并注明“补发”字样",
        ),
        statutory=30, promised=5,
        fee=(
            "证书工本费每本10元",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        ),
        result="不动产权证书（补发）", citywide=True, handling_methods=CITYWIDE,
        special_steps=(StepData("public_notice", "遗失声明公告", 15, "在登记机构门户网站刊发遗失声明15个工作日"),),
        materials=(
            form("不动产登记申请书"),
            mat("权利人身份证件", "original_and_copy"),
            mat("不动产权证书遗失（灭失）情况说明", "original"),
        ),
    ),
    ItemData(
        code="0600501004", name="不动产首次登记（国有建设用地使用权及房屋所有权）",
        name_en="First registration of state-owned construction land use rights and buildings", department="GZGHZY",
        scope="city", applicant_type="legal_person",
        conditions="依法取得国有建设用地使用权并完成房屋建设、通过竣工验收的，可以申请国有建设用地使用权及房屋所有权首次登记。",
        legal_basis="《不动产登记暂行条例》第五条、第十四条\n《不动产登记暂行条例实施细则》第三十五条",
        procedure=steps(
            "开发企业提交首次登记申请",
            "登记机构查验规划核实、竣工验收及测绘成果",
            "实地查看（需要时）",
            "审核登簿",
            "核发不动产权证书",
        ),
        statutory=30, promised=10,
        fee=(
            "非住宅每件550元；住宅每件80元",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        ),
        result="不动产权证书", online=True, visits=1,
        materials=(
            form("不动产登记申请书"),
            BUSINESS_LICENCE,
            mat("国有建设用地使用权出让合同及价款缴纳凭证", "copy"),
            mat("建设工程规划条件核实意见及竣工验收备案材料", "copy"),
            mat("房屋测绘报告", "original", notes="已通过“多测合一”共享的免于提交"),
        ),
    ),
    ItemData(
        code="0800502001", name="土地权属争议行政裁决",
        name_en="Administrative adjudication of land ownership disputes", department="GZGHZY", scope="city",
        applicant_type="both",
        conditions="单位之间、个人之间、个人与单位之间发生的土地所有权和使用权争议，协商不成的，可以申请人民政府处理。"
        "申请人须与争议有直接利害关系，并有明确的请求事项和事实根据。",
        legal_basis="《中华人民共和国土地管理法》第十四条\n《土地权属争议调查处理办法》（国土资源部令第17号）",
        procedure=steps(
            "当事人提交调处申请书",
            "审查是否受理，受理后通知对方当事人答辩",
            "调查取证、现场勘查",
            "组织调解；调解不成的提出调查处理意见",
            "报人民政府作出处理决定并送达",
        ),
        statutory=120, promised=90, result="土地权属争议处理决定书（或调解书）", visits=2,
        special_steps=(
            StepData("inspection", "现场勘查及界址核实", 30),
            StepData("hearing", "听证", 20, "当事人申请或案情重大复杂的依法组织听证"),
        ),
        materials=(
            mat("土地权属争议调处申请书", "original", 2, notes="按对方当事人人数提交副本"),
            mat("申请人身份证件或主体资格证明", "copy"),
            mat("土地权属来源证明材料", "original_and_copy"),
            mat("争议土地界址示意图", "original", later=True, notes="可在调查阶段补交"),
        ),
    ),
    ItemData(
        code="0100503001", name="建设工程规划许可证核发", name_en="Construction project planning permit",
        department="GZGHZY", scope="city", applicant_type="legal_person",
        conditions="在城市规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位应当申请办理建设工程规划许可证。"
        "建设工程设计方案应当符合控制性详细规划和规划条件。",
        legal_basis="《中华人民共和国城乡规划法》第四十条\n《广州市城乡规划条例》",
        procedure=steps(
            "建设单位通过工程建设项目审批管理系统提交申请",
            "规划部门审查设计方案及规划指标",
            "作出许可决定",
            "核发建设工程规划许可证（电子证照）",
        ),
        statutory=20, promised=10, result="建设工程规划许可证", online=True, visits=0,
        handling_methods="全程网办：广州市工程建设项目联合审批系统",
        materials=(
            form("建设工程规划许可申请表"),
            mat("建设工程设计方案总平面图及建筑设计方案", "electronic"),
            mat("国有土地使用权证明文件", "copy"),
            mat("规划条件或已批准的修建性详细规划", "copy"),
        ),
    ),
)

ITEMS_PROVIDENT_FUND: tuple[ItemData, ...] = (
    ItemData(
        code="1000601001", name="住房公积金提取（购买住房）",
        name_en="Withdrawal of housing provident fund for a home purchase", department="GZGJJ", scope="district",
        applicant_type="individual",
        conditions="缴存职工及其配偶购买自住住房的，可以申请提取住房公积金。提取金额不超过购房实际支付金额，"
        "购房行为发生之日起规定期限内申请。",
        legal_basis="《住房公积金管理条例》第二十四条、第二十五条\n《广州市住房公积金提取管理办法》",
        procedure=steps(
            "职工通过“穗好办”、住房公积金网上服务平台或窗口申请",
            "公积金中心核验购房信息（不动产登记、网签数据共享）",
            "作出准予提取的决定",
            "提取款项转入职工本人银行账户",
        ),
        statutory=3, promised=1, result="住房公积金提取到账", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            mat("购房合同或不动产权证书", "electronic", notes="通过信息共享核验"),
            mat("购房发票或完税凭证", "copy", later=True, notes="可容缺受理，放款前补交"),
            BANK_ACCOUNT,
        ),
    ),
    ItemData(
        code="1000601002", name="住房公积金提取（租赁住房）", name_en="Withdrawal of housing provident fund for rent",
        department="GZGJJ", scope="street", applicant_type="individual",
        conditions="缴存职工及其配偶在本市无自有住房且租赁住房的，可以按月或按年提取住房公积金支付房租。"
        "提取额度按本市规定的租房提取标准确定。",
        legal_basis="《住房公积金管理条例》第二十四条\n《广州市住房公积金提取管理办法》",
        procedure=steps(
            "职工通过网上平台或窗口申请",
            "系统核验无房及租赁信息",
            "即时审批",
            "款项转入本人银行账户",
        ),
        statutory=3, promised=0, result="住房公积金提取到账", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            ID_CARD,
            mat("租赁合同登记备案信息", "electronic", notes="无备案的按本市标准提取，免于提交"),
            BANK_ACCOUNT,
        ),
    ),
    ItemData(
        code="1000602001", name="住房公积金个人住房贷款", name_en="Housing provident fund home loan",
        department="GZGJJ", scope="district", applicant_type="individual",
        conditions="正常连续足额缴存住房公积金满规定期限、购买本市自住住房且无未结清公积金贷款的职工，"
        "可以申请住房公积金个人住房贷款。",
        legal_basis="《住房公积金管理条例》第二十六条\n《广州市住房公积金个人住房贷款管理办法》",
        procedure=steps(
            "职工与受托银行面谈并提交贷款申请",
            "公积金中心审核贷款资格和额度",
            "作出准予贷款的决定",
            "签订借款及抵押合同，办理抵押登记",
            "发放贷款",
        ),
        statutory=15, promised=10, result="住房公积金贷款审批结果", visits=2, citywide=True,
        handling_methods=methods(CITYWIDE, "受托银行网点代收"),
        materials=(
            form("住房公积金个人住房借款申请表"),
            mat("借款人及配偶居民身份证", "original_and_copy"),
            mat("婚姻状况证明", "copy", notes="可通过婚姻登记信息共享核验"),
            mat("购房合同（网签备案）", "electronic"),
            mat("首付款凭证", "copy", later=True, notes="可容缺受理，签订借款合同前补交"),
        ),
    ),
    ItemData(
        code="1000603001", name="单位住房公积金缴存登记", name_en="Housing provident fund registration of an employer",
        department="GZGJJ", scope="district", applicant_type="legal_person",
        conditions="新设立的单位应当自设立之日起30日内办理住房公积金缴存登记，并为本单位职工办理住房公积金账户设立手续。",
        legal_basis="《住房公积金管理条例》第十三条、第十四条",
        procedure=steps(
            "单位通过网上平台或窗口提交登记信息",
            "系统比对市场主体登记信息",
            "当场完成缴存登记，设立单位账户",
            "单位为职工办理个人账户设立",
        ),
        statutory=5, promised=0, result="单位住房公积金账户", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "企业开办“一网通办”同步办理"),
        materials=(BUSINESS_LICENCE, form("住房公积金单位缴存登记表"), AGENT_LETTER),
    ),
    ItemData(
        code="1000603002", name="住房公积金单位账户注销",
        name_en="Closing an employer's housing provident fund account", department="GZGJJ", scope="district",
        applicant_type="legal_person",
        conditions="单位合并、分立、撤销、解散或者破产的，应当办理住房公积金账户注销。单位应已为全部职工办理转移或封存，"
        "且无欠缴。", legal_basis="《住房公积金管理条例》第十四条",
        procedure=steps(
            "单位提交注销申请",
            "核查职工账户转移、封存及缴存情况",
            "注销单位账户",
            "注销结果共享至登记机关",
        ),
        statutory=5, promised=3, result="单位住房公积金账户注销结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "企业注销“一网通办”同步办理"),
        materials=(
            form("住房公积金单位账户注销申请表"),
            mat("职工账户转移或封存清册", "original"),
            AGENT_LETTER,
        ),
    ),
)

ITEMS_CIVIL_AFFAIRS: tuple[ItemData, ...] = (
    ItemData(
        code="0600701001", name="内地居民结婚登记", name_en="Marriage registration of mainland residents",
        department="GZMZJ", scope="district", applicant_type="individual",
        conditions="男女双方完全自愿，达到法定婚龄（男不得早于二十二周岁，女不得早于二十周岁），双方均无配偶，"
        "且没有直系血亲和三代以内旁系血亲关系的，可以申请结婚登记。双方须亲自到场。",
        legal_basis="《中华人民共和国民法典》第一千零四十六条、第一千零四十七条、第一千零四十九条\n《婚姻登记条例》",
        procedure=steps(
            "双方通过“粤省事”预约或直接到婚姻登记处取号",
            "婚姻登记员查验证件，双方签署声明",
            "审查符合结婚条件的，当场予以登记",
            "颁发结婚证，可选择颁证仪式",
        ),
        statutory=1, promised=0, result="结婚证", citywide=True, cross_region=True,
        handling_methods=methods("全国通办：可在任一婚姻登记机关办理", "网上预约：“粤省事”"),
        materials=(
            ID_CARD_BOTH,
            mat("本人无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明", notes="在登记现场签署"),
            mat("双方近期半身免冠合影照片", "original", 3, notes="2寸，也可现场拍摄"),
        ),
    ),
    ItemData(
        code="0600701002", name="内地居民离婚登记", name_en="Divorce registration of mainland residents",
        department="GZMZJ", scope="district", applicant_type="individual",
        conditions="夫妻双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致并签订书面离婚协议的，可以申请离婚登记。"
        "双方须亲自到场两次（申请和领证）。",
        legal_basis="《中华人民共和国民法典》第一千零七十六条、第一千零七十七条、第一千零七十八条\n《婚姻登记条例》",
        procedure=steps(
            "双方持证件和离婚协议书到婚姻登记处提出申请",
            "登记机关受理，出具《离婚登记申请受理回执单》",
            "离婚冷静期：30日内任何一方不愿离婚的可以撤回申请",
            "冷静期届满后30日内，双方亲自到场申请发给离婚证",
            "审查符合条件的，当场予以登记并发给离婚证",
        ),
        statutory=1, promised=0, result="离婚证", visits=2, citywide=True, cross_region=True,
        handling_methods="全国通办：可在任一婚姻登记机关办理",
        special_steps=(StepData("other", "离婚冷静期", 22, "自受理之日起30日，不计入办理时限"),),
        materials=(
            ID_CARD_BOTH,
            mat("结婚证", notes="双方各持一本"),
            mat("离婚协议书", "original", 3),
            mat("双方近期半身免冠单人照片", "original", 2),
        ),
    ),
    ItemData(
        code="0400702001", name="最低生活保障审核确认", name_en="Approval of minimum living allowance",
        department="GZMZJ", scope="street", applicant_type="individual",
        conditions="共同生活的家庭成员人均收入低于本市最低生活保障标准，且家庭财产状况符合规定的本市户籍家庭，"
        "可以申请最低生活保障。申请人须如实申报家庭收入和财产并授权核对。",
        legal_basis="《社会救助暂行办法》（国务院令第649号）第九条至第十六条\n《最低生活保障审核确认办法》（民发〔2021〕57号）",
        procedure=steps(
            "申请人向户籍所在地镇街便民服务中心提出申请（可全市通办）",
            "镇街受理并开展家庭经济状况核对",
            "入户调查，提出初审意见",
            "在申请人所在村（居）公示",
            "审核确认并发放低保金",
        ),
        statutory=30, promised=20, result="最低生活保障审核确认决定", citywide=True,
        handling_methods=methods(CITYWIDE + "（接件后转户籍地镇街办理）", "网上申请：“穗好办”"),
        special_steps=(
            StepData("inspection", "入户调查", 10, "核实家庭人口、收入、财产和生活状况"),
            StepData("public_notice", "村（居）公示", 5, "公示期7日"),
        ),
        materials=(
            form("最低生活保障申请书"),
            mat("家庭成员居民身份证及居民户口簿", "original_and_copy"),
            mat("家庭经济状况核对授权书", "original", notes="由共同生活家庭成员签字"),
            mat("残疾证、疾病诊断证明等特殊情况证明", "copy", later=True, notes="有特殊情况的提交，可在入户调查前补交", conditional=True),
        ),
    ),
    ItemData(
        code="0400702002", name="特困人员认定", name_en="Recognition of persons in extreme poverty", department="GZMZJ",
        scope="street", applicant_type="individual",
        conditions="无劳动能力、无生活来源且无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力的老年人、"
        "残疾人以及未满十六周岁的未成年人，可申请特困人员救助供养。",
        legal_basis="《社会救助暂行办法》第十四条至第十九条\n《特困人员认定办法》（民发〔2021〕43号）",
        procedure=steps(
            "本人或委托村（居）委会向镇街提出申请",
            "镇街调查核实并提出初审意见",
            "在村（居）公示",
            "区民政部门审核确认",
            "落实救助供养待遇",
        ),
        statutory=40, promised=20, result="特困人员认定决定", citywide=True,
        handling_methods=CITYWIDE + "（接件后转户籍地镇街办理）",
        materials=(
            form("特困人员救助供养申请书"),
            ID_CARD,
            HOUSEHOLD_REGISTER,
            mat("残疾证或丧失劳动能力的证明", "copy", later=True, notes="可容缺受理，调查核实期间补交"),
        ),
    ),
    ItemData(
        code="0400703001", name="高龄老人长寿保健金申领", name_en="Longevity allowance for senior citizens",
        department="GZMZJ", scope="station", applicant_type="individual",
        conditions="具有本市户籍、年满80周岁的老年人，可申领高龄老人长寿保健金。保健金按年龄段分档按月发放。",
        legal_basis="《中华人民共和国老年人权益保障法》第三十三条\n《广州市高龄老人长寿保健金发放管理办法》",
        procedure=steps(
            "老年人或家属到村（居）便民服务站、镇街窗口或通过“穗好办”申请",
            "核验户籍和年龄信息",
            "区民政部门审核",
            "次月起按月发放至本人社保卡或银行账户",
        ),
        statutory=20, promised=10, result="长寿保健金发放", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE, "社区工作人员可上门代办"),
        materials=(ID_CARD, HOUSEHOLD_REGISTER, BANK_ACCOUNT),
    ),
    ItemData(
        code="0100704001", name="社会团体成立登记",
        name_en="Registration of the establishment of a social organisation", department="GZMZJ", scope="city",
        applicant_type="legal_person",
        conditions="成立社会团体应当有50个以上的个人会员或者30个以上的单位会员，有规范的名称和相应的组织机构、固定的住所、"
        "专职工作人员和合法的资产及经费来源，并经业务主管单位审查同意（依法直接登记的除外）。",
        legal_basis="《社会团体登记管理条例》第九条、第十条、第十二条",
        procedure=steps(
            "发起人提交成立登记申请",
            "登记管理机关受理并审查",
            "必要时进行实地核查",
            "作出准予登记的决定",
            "发给社会团体法人登记证书",
        ),
        statutory=60, promised=30, result="社会团体法人登记证书", online=True, visits=1,
        materials=(
            form("社会团体成立登记申请表"),
            mat("业务主管单位批准文件", "original", notes="依法直接登记的免于提交", conditional=True),
            mat("章程草案及会员大会通过章程的会议纪要", "original"),
            mat("验资报告及住所使用证明", "copy"),
            mat("拟任负责人的基本情况和身份证明", "copy"),
        ),
    ),
)

ITEMS_HEALTH: tuple[ItemData, ...] = (
    ItemData(
        code="1000801001", name="出生医学证明签发", name_en="Issuance of a medical birth certificate",
        department="GZWJW", scope="district", applicant_type="individual",
        conditions="在本市依法取得助产技术服务资质的医疗机构内出生的新生儿，由助产机构签发出生医学证明；"
        "院外出生的，经核实出生事实后由指定机构签发。",
        legal_basis="《中华人民共和国母婴保健法》第二十三条\n《国家卫生健康委办公厅关于做好出生医学证明管理工作的通知》",
        procedure=steps(
            "新生儿父母填写出生医学证明首次签发登记表",
            "签发机构核对父母身份及新生儿出生信息",
            "签发出生医学证明（电子证照同步生成）",
            "信息推送至公安、医保、人社部门联办后续事项",
        ),
        statutory=5, promised=1, result="出生医学证明", citywide=True,
        handling_methods=methods(CITYWIDE, "新生儿出生“一件事”联办"),
        materials=(
            mat("新生儿父母居民身份证", notes="外籍父母提交护照"),
            form("出生医学证明首次签发登记表", notes="在助产机构填写"),
        ),
    ),
    ItemData(
        code="0100802001", name="医师执业注册", name_en="Registration of a medical practitioner", department="GZWJW",
        scope="district", applicant_type="individual",
        conditions="取得医师资格、拟在本市医疗、预防、保健机构执业的医师，应当申请执业注册。"
        "申请人不存在《中华人民共和国医师法》规定不予注册的情形。",
        legal_basis="《中华人民共和国医师法》第十三条、第十四条\n《医师执业注册管理办法》（国家卫生和计划生育委员会令第13号）",
        procedure=steps(
            "医师通过电子化注册系统在线申请，由执业机构确认",
            "卫生健康部门审核",
            "作出准予注册的决定",
            "发放医师执业证书（电子证照）",
        ),
        statutory=20, promised=5, result="医师执业证书", online=True, visits=0, citywide=True,
        handling_methods=ONLINE + "（医疗机构、医师、护士电子化注册系统）",
        materials=(
            form("医师执业注册申请审核表", notes="在线填写"),
            mat("医师资格证书", "electronic"),
            mat("申请人身份证件", "electronic"),
            mat("六个月内的健康体检证明", "electronic"),
            mat("拟执业机构聘用证明", "electronic"),
        ),
    ),
    ItemData(
        code="0100803001", name="医疗机构执业登记", name_en="Practice registration of a medical institution",
        department="GZWJW", scope="district", applicant_type="legal_person",
        conditions="医疗机构执业应当进行登记，取得医疗机构执业许可证。申请人应当具有符合标准的场所、设备、"
        "卫生技术人员和规章制度。",
        legal_basis="《医疗机构管理条例》第十五条、第十六条、第十七条\n《医疗机构管理条例实施细则》",
        procedure=steps(
            "申请人提交执业登记申请",
            "卫生健康部门受理并审查材料",
            "组织现场审查",
            "作出准予登记的决定",
            "核发医疗机构执业许可证",
        ),
        statutory=45, promised=20, result="医疗机构执业许可证", online=True, visits=1, citywide=True,
        handling_methods=CITYWIDE,
        materials=(
            form("医疗机构申请执业登记注册书"),
            mat("医疗机构用房产权证明或使用证明", "copy"),
            mat("医疗机构建筑设计平面图", "original"),
            mat("卫生技术人员名录及资格证书、执业证书", "copy"),
            mat("医疗机构规章制度", "original", later=True, notes="可在现场审查前补交"),
        ),
    ),
    ItemData(
        code="0100804001", name="公共场所卫生许可", name_en="Hygiene licence for a public venue", department="GZWJW",
        scope="district", applicant_type="both",
        conditions="经营宾馆、游泳场所、美容美发场所（不含理发店、美容店）等公共场所的，应当取得公共场所卫生许可证。"
        "实行告知承诺制的，申请人承诺符合条件即可当场取得许可。",
        legal_basis="《公共场所卫生管理条例》第八条\n《公共场所卫生管理条例实施细则》第二十二条",
        procedure=steps(
            "申请人提交申请，选择告知承诺方式的签署承诺书",
            "卫生健康部门审查材料",
            "作出许可决定（告知承诺的当场作出）",
            "核发公共场所卫生许可证，事后开展核查",
        ),
        statutory=20, promised=5, result="公共场所卫生许可证", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            form("公共场所卫生许可申请表"),
            BUSINESS_LICENCE,
            mat("公共场所地址方位示意图、平面图和卫生设施平面布局图", "original"),
            mat("公共场所卫生检测或评价报告", "original", later=True, notes="告知承诺的可在领证后30日内补交"),
        ),
    ),
)

ITEMS_TAX: tuple[ItemData, ...] = (
    ItemData(
        code="0900901001", name="发票领用", name_en="Obtaining invoices", department="GZSW", scope="district",
        applicant_type="both",
        conditions="依法办理税务登记（信息确认）的单位和个人，在领取营业执照后需要使用发票的，可以申请发票领用。"
        "已纳入全面数字化电子发票试点的纳税人通过电子发票服务平台开具数电发票。",
        legal_basis="《中华人民共和国发票管理办法》第十五条\n《中华人民共和国发票管理办法实施细则》",
        procedure=steps(
            "纳税人通过电子税务局或办税服务厅申请",
            "税务机关核定发票种类、数量及开票额度",
            "即时办结",
            "纳税人通过电子发票服务平台开具发票",
        ),
        statutory=5, promised=0, result="发票领用核定结果（数电发票开票额度）", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "全程网办：广东省电子税务局"),
        materials=(
            mat("经办人身份证件", notes="已实名认证的网上办理无需提交"),
            form("发票领用表", notes="在线填报"),
        ),
    ),
    ItemData(
        code="1000902001", name="新办纳税人税务登记信息确认",
        name_en="Confirmation of tax registration information for new taxpayers", department="GZSW", scope="district",
        applicant_type="both",
        conditions="已领取营业执照的新办纳税人，首次办理涉税事项时确认登记信息，无需另行办理税务登记。",
        legal_basis="《中华人民共和国税收征收管理法》第十五条\n《税务登记管理办法》",
        procedure=steps(
            "纳税人登录电子税务局或到办税服务厅",
            "确认由市场监管部门共享的登记信息，补充财务会计制度等信息",
            "税务机关即时确认",
            "可同时办理税费种认定、发票领用",
        ),
        statutory=1, promised=0, result="税务登记信息确认结果", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "全程网办：广东省电子税务局", "企业开办“一网通办”同步办理"),
        materials=(mat("经办人身份证件", notes="实名认证后免于提交"), BUSINESS_LICENCE),
    ),
    ItemData(
        code="0100903001", name="增值税专用发票（增值税税控系统）最高开票限额审批",
        name_en="Approval of the maximum invoicing limit for special VAT invoices", department="GZSW", scope="district",
        applicant_type="legal_person",
        conditions="增值税一般纳税人和按规定可以自行开具增值税专用发票的小规模纳税人，因经营需要可申请调整最高开票限额。"
        "申请最高开票限额为十万元以下的，一般当场办结。",
        legal_basis="《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第236项\n"
        "《中华人民共和国行政许可法》第四十二条",
        procedure=steps(
            "纳税人通过电子税务局或办税服务厅提交申请",
            "税务机关审查申请及经营情况",
            "需要时进行实地核查",
            "作出准予许可的决定",
            "调整开票限额",
        ),
        statutory=20, promised=5, result="准予税务行政许可决定书", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "全程网办：广东省电子税务局"),
        special_steps=(StepData("inspection", "实地核查", 5, "申请最高开票限额为一百万元及以上的进行实地核查"),),
        materials=(
            form("税务行政许可申请表"),
            form("增值税专用发票最高开票限额申请单"),
            mat("经办人身份证件", "copy"),
        ),
    ),
    ItemData(
        code="1000904001", name="存量房交易税费申报", name_en="Tax filing for a second-hand home transaction",
        department="GZSW", scope="district", applicant_type="individual",
        conditions="存量房买卖双方在办理不动产转移登记前，应当申报缴纳契税、增值税、个人所得税等税费。"
        "在不动产登记“一窗受理”窗口可同步完成税费申报与登记申请。",
        legal_basis="《中华人民共和国契税法》第九条、第十一条\n《中华人民共和国个人所得税法》第二条",
        procedure=steps(
            "买卖双方在“一窗受理”窗口提交资料，或通过“穗好办”网上申报",
            "税务机关核定计税价格和应纳税费",
            "纳税人缴纳税费",
            "出具完税凭证，信息同步推送不动产登记机构",
        ),
        statutory=1, promised=0, result="完税凭证（电子）", online=True, visits=1, citywide=True,
        handling_methods=methods(CITYWIDE, "不动产登记、交易、缴税“一窗受理”"),
        materials=(
            mat("买卖双方身份证件"),
            mat("存量房买卖合同（网签备案）", "electronic"),
            mat("不动产权证书"),
            mat("家庭住房情况书面查询结果或承诺书", "electronic", notes="享受税收优惠的提交", conditional=True),
        ),
    ),
    ItemData(
        code="1000905001", name="清税证明开具", name_en="Issuing a tax clearance certificate", department="GZSW",
        scope="district", applicant_type="legal_person",
        conditions="纳税人办理注销登记前，应当结清应纳税款、滞纳金、罚款，缴销发票。"
        "未处于税务检查状态、无欠税且无未办结事项的纳税人，可即时开具清税证明。",
        legal_basis="《中华人民共和国税收征收管理法实施细则》第十五条\n《国家税务总局关于进一步优化办理企业税务注销程序的通知》（税总发〔2018〕149号）",
        procedure=steps(
            "纳税人通过电子税务局或办税服务厅提出清税申报",
            "税务机关检查申报、缴款、发票缴销情况",
            "结清税款、缴销发票",
            "出具清税证明，信息推送登记机关",
        ),
        statutory=20, promised=3, result="清税证明", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "全程网办：广东省电子税务局", "企业注销“一网通办”同步办理"),
        materials=(
            form("清税申报表"),
            mat("经办人身份证件", "copy"),
            mat("上级主管部门批复或股东会决议", "copy"),
        ),
    ),
    ItemData(
        code="1000906001", name="个人所得税综合所得年度汇算", name_en="Annual reconciliation of individual income tax",
        department="GZSW", scope="district", applicant_type="individual",
        conditions="取得综合所得的居民个人需要补税或申请退税的，应当在取得所得的次年3月1日至6月30日内办理年度汇算。",
        legal_basis="《中华人民共和国个人所得税法》第十一条\n《中华人民共和国个人所得税法实施条例》",
        procedure=steps(
            "纳税人通过个人所得税App或到办税服务厅申报",
            "核对收入、专项附加扣除等信息",
            "提交申报，需要补税的缴纳税款",
            "申请退税的，税务机关审核后退库到账",
        ),
        statutory=1, promised=0, result="个人所得税年度汇算申报结果", online=True, visits=0, citywide=True,
        cross_region=True, handling_methods=methods("全国通办：个人所得税App", "办税服务厅提供帮办"),
        materials=(ID_CARD, mat("银行账户信息", "electronic", notes="申请退税时提供本人银行账户", conditional=True)),
    ),
)

ITEMS_HOUSING: tuple[ItemData, ...] = (
    ItemData(
        code="0101001001", name="商品房预售许可", name_en="Pre-sale permit for commercial housing", department="GZZJJ",
        scope="city", applicant_type="legal_person",
        conditions="房地产开发企业已交付全部土地使用权出让金并取得土地使用权证书，持有建设工程规划许可证和施工许可证，"
        "投入开发建设的资金达到工程建设总投资的25%以上并已确定施工进度和竣工交付日期的，可以申请预售许可。",
        legal_basis="《中华人民共和国城市房地产管理法》第四十五条\n《城市商品房预售管理办法》第五条、第七条",
        procedure=steps(
            "开发企业通过房地产交易管理系统提交申请",
            "住房城乡建设部门审查材料",
            "现场查勘工程形象进度",
            "作出许可决定，核发商品房预售许可证",
            "公开预售方案及房源信息",
        ),
        statutory=10, promised=5, result="商品房预售许可证", online=True, visits=0,
        handling_methods="全程网办：广州市房地产交易管理系统",
        materials=(
            form("商品房预售许可申请表"),
            BUSINESS_LICENCE,
            mat("不动产权证书（国有建设用地使用权）", "copy"),
            mat("建设工程规划许可证和建筑工程施工许可证", "electronic"),
            mat("工程施工合同及投资进度证明", "copy"),
            mat("商品房预售方案", "original"),
        ),
    ),
    ItemData(
        code="0101002001", name="建筑工程施工许可证核发", name_en="Construction permit for a building project",
        department="GZZJJ", scope="district", applicant_type="legal_person",
        conditions="建设单位已办理用地批准手续和建设工程规划许可证，施工场地已基本具备施工条件，已确定施工企业，"
        "有满足施工需要的技术资料和保证工程质量安全的具体措施，建设资金已落实。",
        legal_basis="《中华人民共和国建筑法》第七条、第八条\n《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）第五条",
        procedure=steps(
            "建设单位通过工程建设项目联合审批系统提交申请",
            "住房城乡建设部门审查",
            "重大、技术复杂项目组织专家评审",
            "作出许可决定",
            "核发建筑工程施工许可证（电子证照）",
        ),
        statutory=7, promised=3, result="建筑工程施工许可证", online=True, visits=0, citywide=True,
        handling_methods="全程网办：广州市工程建设项目联合审批系统",
        special_steps=(StepData("expert_review", "专家评审", 10, "超过一定规模的危险性较大工程等组织专家论证评审"),),
        materials=(
            form("建筑工程施工许可证申请表"),
            mat("建设工程规划许可证", "electronic"),
            mat("施工合同及中标通知书", "copy"),
            mat("施工图设计文件审查合格书", "electronic"),
            mat("建设资金已落实承诺书", "original", later=True, notes="可容缺受理，发证前补交"),
        ),
    ),
    ItemData(
        code="1001003001", name="存量房买卖合同网签备案",
        name_en="Online signing and filing of a second-hand home sale contract", department="GZZJJ", scope="district",
        applicant_type="both",
        conditions="存量房买卖双方自行成交或通过房地产经纪机构成交的，应当通过房屋网签备案系统签订买卖合同并备案。"
        "房屋不存在查封、抵押未经抵押权人同意等限制交易情形。",
        legal_basis="《中华人民共和国城市房地产管理法》第四十一条\n《住房和城乡建设部关于进一步规范和加强房屋网签备案工作的指导意见》（建房〔2018〕128号）",
        procedure=steps(
            "买卖双方或经纪机构登录网签系统录入合同信息",
            "系统核验房屋权属和限制状态",
            "双方在线签署合同",
            "即时完成备案，合同信息共享至税务、不动产登记部门",
        ),
        statutory=1, promised=0, result="存量房买卖合同备案信息", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, "全程网办：“穗好办”、广州市房地产交易管理系统"),
        materials=(mat("买卖双方身份证件", "electronic"), mat("不动产权证书", "electronic", notes="通过信息共享核验")),
    ),
)

ITEMS_TRANSPORT: tuple[ItemData, ...] = (
    ItemData(
        code="0101101001", name="道路货物运输经营许可", name_en="Road freight transport business licence",
        department="GZJTJ", scope="district", applicant_type="both",
        conditions="使用总质量4500千克以上普通货运车辆从事道路货物运输经营的，应当有与其经营业务相适应并经检测合格的车辆、"
        "符合条件的驾驶人员和健全的安全生产管理制度。",
        legal_basis="《中华人民共和国道路运输条例》第二十一条、第二十四条\n《道路货物运输及站场管理规定》",
        procedure=steps(
            "申请人通过广东政务服务网或窗口提交申请",
            "交通运输部门审查材料",
            "作出许可决定",
            "核发道路运输经营许可证",
            "为车辆配发道路运输证",
        ),
        statutory=20, promised=5, result="道路运输经营许可证", online=True, visits=0, citywide=True,
        handling_methods=methods(CITYWIDE, ONLINE),
        materials=(
            form("道路货物运输经营申请表"),
            mat("负责人身份证件及经办人身份证件、委托书", "copy"),
            mat("机动车辆行驶证及车辆技术等级评定结论", "copy"),
            mat("驾驶人员的驾驶证和从业资格证", "copy"),
            mat("安全生产管理制度文本", "original"),
        ),
    ),
    ItemData(
        code="0101102001", name="网络预约出租汽车驾驶员证核发", name_en="Ride-hailing driver's permit",
        department="GZJTJ", scope="district", applicant_type="individual",
        conditions="取得相应准驾车型机动车驾驶证并具有3年以上驾驶经历，无交通肇事犯罪、危险驾驶犯罪记录，"
        "无吸毒记录，无暴力犯罪记录，并经考试合格的人员，可申请网约车驾驶员证。",
        legal_basis="《网络预约出租汽车经营服务管理暂行办法》第十四条、第十五条\n《出租汽车驾驶员从业资格管理规定》",
        procedure=steps(
            "申请人提交申请，参加全国公共科目和区域科目考试",
            "交通运输部门会同公安部门核查驾驶及犯罪记录",
            "作出许可决定",
            "发放网络预约出租汽车驾驶员证（电子证照）",
        ),
        statutory=20, promised=10, result="网络预约出租汽车驾驶员证", online=True, visits=1, citywide=True,
        handling_methods=CITYWIDE,
        materials=(
            form("网络预约出租汽车驾驶员证申请表"),
            ID_CARD,
            mat("机动车驾驶证", "original_and_copy"),
            mat("无犯罪记录证明", "electronic", notes="由公安机关信息共享核查，免于提交"),
        ),
    ),
    ItemData(
        code="0101102002", name="网络预约出租汽车运输证核发", name_en="Transport permit for a ride-hailing vehicle",
        department="GZJTJ", scope="city", applicant_type="legal_person",
        conditions="取得网络预约出租汽车经营许可的平台公司拟从事网约车经营的车辆，应为7座及以下乘用车，"
        "安装具有行驶记录功能的车辆卫星定位装置和应急报警装置，车辆技术性能符合运营安全标准。",
        legal_basis="《网络预约出租汽车经营服务管理暂行办法》第十二条、第十三条\n《广州市网络预约出租汽车经营服务管理暂行办法》",
        procedure=steps(
            "网约车平台公司或车辆所有人提交申请",
            "交通运输部门核查车辆技术条件",
            "作出许可决定",
            "核发网络预约出租汽车运输证",
        ),
        statutory=20, promised=5, result="网络预约出租汽车运输证", online=True, visits=0, handling_methods=ONLINE,
        materials=(
            form("网络预约出租汽车运输证申请表"),
            mat("机动车行驶证", "copy"),
            mat("车辆卫星定位装置及应急报警装置安装证明", "copy"),
            mat("营运车辆保险凭证", "copy", notes="承运人责任险等营运车辆保险"),
        ),
    ),
)

ITEMS_EDUCATION: tuple[ItemData, ...] = (
    ItemData(
        code="0601201001", name="教师资格认定", name_en="Teacher qualification certification", department="GZJYJ",
        scope="district", applicant_type="individual",
        conditions="遵守宪法和法律，热爱教育事业，具有良好的思想品德，具备规定学历，普通话水平达到相应等级，"
        "通过中小学教师资格考试或符合免考条件，且身体条件合格的中国公民，可申请教师资格认定。",
        legal_basis="《中华人民共和国教师法》第十条、第十一条、第十三条\n《教师资格条例》（国务院令第188号）\n《〈教师资格条例〉实施办法》（教育部令第10号）",
        procedure=steps(
            "申请人在中国教师资格网网上报名",
            "按要求到指定医院进行体检",
            "认定机构审查材料",
            "作出认定决定",
            "颁发教师资格证书（电子证照同步生成）",
        ),
        statutory=30, promised=20, result="教师资格证书", online=True, visits=0, citywide=True,
        handling_methods=ONLINE + "（中国教师资格网）",
        special_steps=(StepData("testing", "体格检查", 10, "按广东省申请认定教师资格人员体检标准进行"),),
        materials=(
            mat("申请人身份证件", "electronic"),
            mat("学历证书", "electronic", notes="可通过学信网核验的免于提交"),
            mat("中小学教师资格考试合格证明", "electronic"),
            mat("普通话水平测试等级证书", "electronic"),
            mat("体检合格证明", "original", notes="在规定时间内体检后由医院报送"),
        ),
    ),
    ItemData(
        code="1001202001", name="中小学生转学", name_en="School transfer of primary and secondary students",
        department="GZJYJ", scope="district", applicant_type="individual",
        conditions="因户籍迁移、家庭住址变动或监护人工作变动等原因需要转学的中小学生，经转入学校同意后可申请转学。"
        "转学不得跨学段，毕业年级原则上不办理转学。",
        legal_basis="《中华人民共和国义务教育法》第十二条\n《中小学生学籍管理办法》（教基一〔2013〕7号）",
        procedure=steps(
            "监护人向转入学校提出申请",
            "转入学校同意后在学籍系统发起转学",
            "转出学校及教育部门审核",
            "完成学籍转接，学生到转入学校报到",
        ),
        statutory=10, promised=5, result="学籍转接完成", online=True, visits=1, citywide=True,
        handling_methods=CITYWIDE,
        materials=(
            form("中小学生转学申请表"),
            mat("监护人居民身份证"),
            mat("学生居民户口簿或广东省居住证", "copy"),
            mat("转入学校同意接收证明", "original", later=True, notes="可由学校通过学籍系统确认后补交"),
        ),
    ),
    ItemData(
        code="0101203001", name="民办学校办学许可（正式设立）", name_en="Licence to run a private school",
        department="GZJYJ", scope="city", applicant_type="legal_person",
        conditions="举办者具备法人资格或为具有政治权利和完全民事行为能力的公民，具有与办学规模相适应的校舍、设施设备、"
        "师资和办学经费，章程和决策机构符合规定，可申请正式设立民办学校。",
        legal_basis="《中华人民共和国民办教育促进法》第十二条、第十六条、第十七条\n《中华人民共和国民办教育促进法实施条例》（国务院令第741号）",
        procedure=steps(
            "举办者提交正式设立申请",
            "教育部门审查材料",
            "组织专家评审和实地考察",
            "作出批准或不批准的决定",
            "颁发办学许可证",
        ),
        statutory=60, promised=40, result="民办学校办学许可证", visits=2,
        special_steps=(
            StepData("expert_review", "专家评审", 20),
            StepData("inspection", "实地考察", 10, "考察校舍、设施设备及安全条件"),
        ),
        materials=(
            form("民办学校正式设立申请书"),
            mat("筹设批准书", "copy", notes="经批准筹设的提交", conditional=True),
            mat("学校章程及首届决策机构组成人员名单", "original"),
            mat("校舍产权证明或租赁合同", "copy"),
            mat("验资报告及资产来源证明", "original"),
            mat("拟任校长和教师的资格证明", "copy"),
        ),
    ),
)

ITEMS_JUSTICE: tuple[ItemData, ...] = (
    ItemData(
        code="1001301001", name="法律援助申请", name_en="Application for legal aid", department="GZSFJ", scope="street",
        applicant_type="individual",
        conditions="因经济困难没有委托代理人的公民，就依法请求给予社会保险待遇、请求支付劳动报酬、请求给付赡养费等事项，"
        "可以申请法律援助。符合法定情形的，不受经济困难条件限制。",
        legal_basis="《中华人民共和国法律援助法》第三十一条、第四十一条、第四十三条\n《广东省法律援助条例》",
        procedure=steps(
            "申请人到法律援助机构、镇街公共法律服务工作站或通过“12348”平台申请",
            "法律援助机构审查经济困难状况及援助事项",
            "作出给予或不予法律援助的决定",
            "指派律师或法律援助人员提供服务",
        ),
        statutory=7, promised=3, result="给予法律援助决定书及指派通知", online=True, visits=1, citywide=True,
        handling_methods=methods(CITYWIDE, "网上申请：12348广东法网"),
        materials=(
            form("法律援助申请表"),
            ID_CARD,
            mat("经济困难状况说明表", "original", notes="实行个人诚信承诺制"),
            mat("与所申请法律援助事项有关的材料", "copy", later=True, notes="可在审查期间补充提交"),
        ),
    ),
    ItemData(
        code="1001302001", name="公证服务（民事类证明）", name_en="Notarisation of civil matters", department="GZSFJ",
        scope="district", applicant_type="both",
        conditions="自然人、法人或者其他组织需要证明出生、亲属关系、婚姻状况、学历、无犯罪记录等民事法律行为、"
        "有法律意义的事实和文书的真实性、合法性的，可以向公证机构申请办理公证。",
        legal_basis="《中华人民共和国公证法》第十一条、第二十五条\n《公证程序规则》（司法部令第145号）",
        procedure=steps(
            "当事人通过“粤省事”、公证机构网站或到现场提交申请",
            "公证机构审查申请人身份和申请事项",
            "核实证明材料，需要时调查取证",
            "出具公证书",
            "领取公证书或邮寄送达，涉外及涉港澳台公证书可办理送达使用",
        ),
        statutory=15, promised=10,
        fee=(
            "按公证事项类别收费，如出生、婚姻状况、亲属关系等民事证明类每件按广东省公证服务收费标准收取",
            "广东省发展改革委、广东省司法厅公布的公证服务收费标准",
        ),
        result="公证书", online=True, visits=1, citywide=True, cross_border=True,
        handling_methods=methods(CITYWIDE, "跨境通办：港澳居民和海外华侨可通过远程视频办理部分公证"),
        materials=(
            mat("申请人身份证件", "original_and_copy"),
            form("公证申请表"),
            mat("需公证的证明材料", "original_and_copy", notes="如户口簿、结婚证、学历证书等"),
            AGENT_AUTHORISATION,
        ),
    ),
    ItemData(
        code="1001303001", name="人民调解申请", name_en="Application for people's mediation", department="GZSFJ",
        scope="street", applicant_type="both",
        conditions="当事人之间发生邻里、婚姻家庭、物业、劳动等民间纠纷，双方自愿调解的，可以向人民调解委员会申请调解。"
        "已经人民法院、仲裁机构受理或者法律法规规定不得调解的纠纷不予受理。",
        legal_basis="《中华人民共和国人民调解法》第十七条、第二十二条\n《广东省实施〈中华人民共和国人民调解法〉办法》",
        procedure=steps(
            "当事人口头或书面向人民调解委员会申请",
            "调解委员会征得双方同意后受理",
            "指定人民调解员组织调解",
            "达成协议的制作人民调解协议书",
            "需要时指导当事人申请司法确认",
        ),
        statutory=5, promised=3, result="人民调解协议书（或调解终结告知）", visits=1, citywide=True,
        handling_methods=methods(CITYWIDE, "网上申请：“粤省事”人民调解"),
        materials=(
            mat("人民调解申请书", "original", notes="口头申请的由调解员记录"),
            mat("当事人身份证件", "copy"),
            mat("与纠纷有关的证据材料", "copy", notes="可在调解过程中补充"),
        ),
    ),
)
# fmt: on

ITEMS: tuple[ItemData, ...] = (
    ITEMS_PUBLIC_SECURITY
    + ITEMS_MARKET_REGULATION
    + ITEMS_HUMAN_RESOURCES
    + ITEMS_HEALTHCARE_SECURITY
    + ITEMS_NATURAL_RESOURCES
    + ITEMS_PROVIDENT_FUND
    + ITEMS_CIVIL_AFFAIRS
    + ITEMS_HEALTH
    + ITEMS_TAX
    + ITEMS_HOUSING
    + ITEMS_TRANSPORT
    + ITEMS_EDUCATION
    + ITEMS_JUSTICE
)


def items_for_level(level: str) -> list[str]:
    """Codes of the items a hall of ``level`` offers."""
    scopes = SCOPES_BY_LEVEL[level]
    return [item.code for item in ITEMS if item.scope in scopes]


# --- Common names (常用名, the search's aliases) ---------------------------------------------

# What people say when they want the item: the thing they want done (开饭店), the document they
# will hold (营业执照), the short or old name (社保, 驾照, 房产证), the situation (身份证丢了).
# Searched just below the name (docs/search.md); an administrator edits them in the admin.
# fmt: off
ALIASES: dict[str, tuple[str, ...]] = {
    # Public security
    "0600101001": ("身份证", "办身份证", "首次办身份证", "小孩办身份证", "满十六岁办身份证"),
    "0600101002": ("身份证", "换身份证", "身份证到期", "身份证过期", "改名换身份证"),
    "0600101003": ("身份证", "补办身份证", "身份证丢了", "身份证遗失", "身份证被偷"),
    "0600102001": ("入户", "落户", "迁户口", "户口迁入", "落户广州", "人才入户", "积分入户"),
    "0600102002": ("报户口", "上户口", "宝宝上户口", "新生儿入户", "生孩子", "户口本"),
    "1000102003": ("户籍证明", "户口证明", "开户口证明", "亲属关系证明", "开证明"),
    "0100103001": ("港澳通行证", "签注", "办签注", "港澳签注", "去香港", "去澳门", "续签"),
    "0100103002": ("护照", "办护照", "出国", "出国旅游", "护照过期", "护照换发"),
    "0100103003": ("台湾通行证", "台湾签注", "去台湾", "大通证", "签注"),
    "0100104001": ("上牌", "新车上牌", "车牌", "买车上牌", "车辆登记"),
    "0100104002": ("驾照", "驾照到期", "换驾照", "驾驶证换证", "驾驶证"),
    "0900104003": ("年检", "车辆年检", "年审", "免检标志", "六年免检"),
    # Market regulation
    "0100201001": ("营业执照", "开公司", "注册公司", "成立公司", "办执照", "办营业执照", "公司注册"),
    "0100201002": ("公司变更", "改公司名", "换法人", "变更营业执照", "改经营范围", "增资"),
    "0100201003": ("注销公司", "公司注销", "关公司", "公司不开了"),
    "0100201004": ("营业执照", "个体户", "开店", "开小店", "开饭店", "开网店", "办执照", "办营业执照", "个体执照"),
    "0100202001": ("开饭店", "开餐馆", "开餐厅", "开奶茶店", "开小吃店", "餐饮许可证", "食品许可证", "卖吃的"),
    "0100203001": ("开药店", "药店许可证", "药品许可证", "开药房"),
    "0100204001": ("电梯登记", "电梯使用登记证", "锅炉登记", "特种设备"),
    "0700205001": ("举报奖励", "举报有奖", "举报假货", "举报违法"),
    # Human resources and social security
    "1000301001": ("社保", "单位社保开户", "公司开社保户", "单位参保", "公司交社保"),
    "1000301002": ("社保", "自己交社保", "个人交社保", "灵活就业社保", "自由职业交社保", "个人参保"),
    "1000301003": ("社保", "注销社保户", "单位社保注销", "公司社保销户"),
    "1000301004": ("社保", "社保转移", "转社保", "养老保险转移", "社保转入", "社保转出"),
    "1000302001": ("社保卡", "办社保卡", "社保卡补办", "社保卡换卡", "医保卡"),
    "0600303001": ("退休", "办退休", "退休手续", "到龄退休"),
    "0400303002": ("养老金", "退休金", "领养老金", "领退休金", "退休"),
    "0400303003": ("养老金", "居民养老金", "农村养老金", "领养老金", "新农保"),
    "0400304001": ("失业金", "领失业金", "失业补助", "失业救济", "失业了"),
    "0900305001": ("劳动仲裁", "拖欠工资", "讨薪", "被辞退", "劳动纠纷", "欠薪"),
    "1000306001": ("失业登记", "就业登记", "就业创业证", "失业证"),
    # Healthcare security
    "1000401001": ("医保", "居民医保", "买医保", "交医保", "新生儿医保", "学生医保", "生孩子"),
    "1000401002": ("医保", "退休医保", "退休后医保", "医保退休待遇"),
    "1000402001": ("异地就医", "外地看病", "医保备案", "跨省就医", "回老家看病"),
    "0400403001": ("生孩子", "生育津贴", "生育保险", "产假工资", "生育险报销"),
    "0600404001": ("门特", "慢性病", "慢特病", "特殊病种", "门诊慢特病"),
    "0400403002": ("医药费报销", "看病报销", "医保报销", "手工报销", "医疗费报销"),
    # Natural resources
    "0600501001": ("过户", "房产过户", "二手房过户", "买二手房", "卖房"),
    "0600501002": ("房屋抵押", "房贷抵押", "抵押登记", "房子抵押"),
    "0600501003": ("房产证丢了", "补办房产证", "房产证补办", "房本丢了"),
    "0600501004": ("房产证", "办房产证", "新房办证", "收楼办证", "房本"),
    "0800502001": ("土地纠纷", "宅基地纠纷", "土地争议", "土地确权"),
    "0100503001": ("规划许可证", "工程规划许可证", "报建", "规划报建"),
    # Housing provident fund
    "1000601001": ("提公积金", "公积金提取", "取公积金", "买房提公积金", "公积金"),
    "1000601002": ("提公积金", "公积金提取", "取公积金", "租房提公积金", "公积金交房租", "公积金"),
    "1000602001": ("公积金贷款", "公积金买房", "贷款买房", "房贷", "公积金"),
    "1000603001": ("公积金开户", "单位交公积金", "公积金缴存", "公司交公积金"),
    "1000603002": ("公积金销户", "注销公积金账户", "单位公积金注销"),
    # Civil affairs
    "0600701001": ("结婚", "结婚证", "领结婚证", "登记结婚", "领证", "扯证"),
    "0600701002": ("离婚", "离婚证", "协议离婚", "办离婚"),
    "0400702001": ("低保", "申请低保", "困难补助", "生活困难", "低保户"),
    "0400702002": ("五保户", "特困供养", "特困补助", "困难补助"),
    "0400703001": ("长寿金", "高龄津贴", "老人补贴", "高龄补贴", "八十岁老人补贴"),
    "0100704001": ("成立协会", "成立商会", "社团登记", "成立社团"),
    # Health
    "1000801001": ("出生证", "出生证明", "生孩子", "宝宝出生证", "新生儿出生证明"),
    "0100802001": ("医师证", "医生执业证", "医生注册", "医师注册"),
    "0100803001": ("开诊所", "开医院", "诊所执照", "医疗机构许可证"),
    "0100804001": ("卫生许可证", "开美容院", "开理发店", "开宾馆", "开酒店", "开游泳馆"),
    # Tax
    "0900901001": ("领发票", "开发票", "申领发票", "发票"),
    "1000902001": ("税务登记", "税务报到", "新公司报税", "报税"),
    "0100903001": ("专票", "专票限额", "开票额度", "发票提额"),
    "1000904001": ("二手房交税", "契税", "过户交税", "房产交易税", "买房交税"),
    "1000905001": ("清税", "税务注销", "注销清税"),
    "1000906001": ("个税", "个税汇算", "退税", "个税退税", "个税年度汇算", "个人所得税"),
    # Housing and construction
    "0101001001": ("预售证", "楼盘预售证", "卖楼花", "预售许可证"),
    "0101002001": ("施工许可证", "开工证", "施工证"),
    "1001003001": ("网签", "二手房网签", "买卖合同备案", "买二手房"),
    # Transport
    "0101101001": ("道路运输证", "货运许可", "开物流公司", "跑货运", "货车营运证"),
    "0101102001": ("网约车", "网约车司机证", "网约车驾驶员证", "开网约车", "滴滴司机", "人证"),
    "0101102002": ("网约车", "网约车运输证", "车辆运输证", "车证"),
    # Education
    "0601201001": ("教师资格证", "教资", "当老师", "老师资格证"),
    "1001202001": ("转学", "孩子转学", "小孩转学", "转校"),
    "0101203001": ("办学许可证", "开培训机构", "开学校", "办学校"),
    # Justice
    "1001301001": ("法律援助", "免费律师", "请不起律师", "找律师"),
    "1001302001": ("公证", "办公证", "公证书", "亲属关系公证", "出国公证"),
    "1001303001": ("调解", "邻里纠纷", "纠纷调解", "人民调解"),
}
# fmt: on


# --- Bundles ("高效办成一件事") ----------------------------------------------------------------

BUNDLES: tuple[BundleData, ...] = (
    BundleData(
        name="新生儿出生一件事",
        name_en="Newborn birth services",
        lead_department="GZWJW",
        description="新生儿父母一次申请，联办出生医学证明、出生登记（户口）、城乡居民医保参保登记和社会保障卡申领。"
        "助产机构签发出生医学证明后信息自动推送，后续事项由各部门并联办理。",
        promised_limit_days=5,
        stages=(("1000801001",), ("0600102002",), ("1000401001", "1000302001")),
    ),
    BundleData(
        name="开办餐饮店一件事",
        name_en="Opening a restaurant",
        lead_department="GZSCJG",
        description="企业设立登记后，食品经营许可、社保和公积金单位登记、税务信息确认及发票领用并联办理，"
        "一表申请、一窗受理、一次办结。",
        promised_limit_days=4,
        stages=(
            ("0100201001",),
            ("0100202001", "1000301001", "1000603001", "1000902001", "0900901001"),
        ),
    ),
    BundleData(
        name="退休一件事",
        name_en="Retirement",
        lead_department="GZRSJ",
        description="职工退休审批通过后，企业职工养老保险待遇核定与职工医保退休人员待遇核定同步办理，"
        "退休人员无需分别到人社、医保窗口申请。",
        promised_limit_days=10,
        stages=(("0600303001",), ("0400303002", "1000401002")),
    ),
    BundleData(
        name="企业注销一件事",
        name_en="Closing a business",
        lead_department="GZSCJG",
        description="通过企业注销“一网通办”平台一次申请，清税、社保和公积金单位账户注销并联办理，"
        "办结后即时办理企业注销登记。",
        promised_limit_days=4,
        stages=(("1000905001", "1000301003", "1000603002"), ("0100201003",)),
    ),
    BundleData(
        name="二手房买卖及公积金提取一件事",
        name_en="Buying a second-hand home",
        lead_department="GZGHZY",
        description="存量房买卖合同网签备案后，在不动产登记“一窗受理”窗口同步办理交易税费申报和转移登记，"
        "登记完成后购房人可直接提取住房公积金。",
        promised_limit_days=4,
        stages=(("1001003001",), ("1000904001", "0600501001"), ("1000601001",)),
    ),
)


# --- Demo staff accounts ---------------------------------------------------------------------

# fmt: off
ACCOUNTS: tuple[AccountData, ...] = (
    AccountData("admin", roles.ADMINISTRATOR, "系统管理员", "GZ-0001", is_staff=True, is_superuser=True),
    AccountData("supervisor", roles.SUPERVISOR, "陈立群", "GZ-0101", is_staff=True),
    AccountData("supervisor_th", roles.SUPERVISOR, "黄思敏", "TH-0101", hall="TH", is_staff=True),
    AccountData(
        "chief_ga", roles.CHIEF_REPRESENTATIVE, "李建华", "GZGA-0201", hall="GZ-CITY", department="GZGA", is_staff=True
    ),
    # Every department with items at the city centre has its chief representative there (issue 11:
    # without one, nobody could approve an urgent request or an extension for its cases).
    AccountData(
        "chief_scjg", roles.CHIEF_REPRESENTATIVE, "周海涛", "GZSCJG-0201", hall="GZ-CITY", department="GZSCJG", is_staff=True
    ),
    AccountData(
        "chief_rsj", roles.CHIEF_REPRESENTATIVE, "吴丽娟", "GZRSJ-0201", hall="GZ-CITY", department="GZRSJ", is_staff=True
    ),
    AccountData(
        "chief_ybj", roles.CHIEF_REPRESENTATIVE, "郑国栋", "GZYBJ-0201", hall="GZ-CITY", department="GZYBJ", is_staff=True
    ),
    AccountData(
        "chief_ghzy", roles.CHIEF_REPRESENTATIVE, "何志明", "GZGHZY-0201", hall="GZ-CITY", department="GZGHZY", is_staff=True
    ),
    AccountData(
        "chief_gjj", roles.CHIEF_REPRESENTATIVE, "梁淑仪", "GZGJJ-0201", hall="GZ-CITY", department="GZGJJ", is_staff=True
    ),
    AccountData(
        "chief_mzj", roles.CHIEF_REPRESENTATIVE, "冯永康", "GZMZJ-0201", hall="GZ-CITY", department="GZMZJ", is_staff=True
    ),
    AccountData(
        "chief_wjw", roles.CHIEF_REPRESENTATIVE, "罗慧敏", "GZWJW-0201", hall="GZ-CITY", department="GZWJW", is_staff=True
    ),
    AccountData(
        "chief_sw", roles.CHIEF_REPRESENTATIVE, "许文斌", "GZSW-0201", hall="GZ-CITY", department="GZSW", is_staff=True
    ),
    AccountData(
        "chief_zjj", roles.CHIEF_REPRESENTATIVE, "谢家豪", "GZZJJ-0201", hall="GZ-CITY", department="GZZJJ", is_staff=True
    ),
    AccountData(
        "chief_jtj", roles.CHIEF_REPRESENTATIVE, "邓伟光", "GZJTJ-0201", hall="GZ-CITY", department="GZJTJ", is_staff=True
    ),
    AccountData(
        "chief_jyj", roles.CHIEF_REPRESENTATIVE, "曾雅琪", "GZJYJ-0201", hall="GZ-CITY", department="GZJYJ", is_staff=True
    ),
    AccountData(
        "chief_sfj", roles.CHIEF_REPRESENTATIVE, "彭建新", "GZSFJ-0201", hall="GZ-CITY", department="GZSFJ", is_staff=True
    ),
    AccountData("window01", roles.WINDOW_STAFF, "王晓燕", "GZ-W001", hall="GZ-CITY", department="GZGA"),
    AccountData("window02", roles.WINDOW_STAFF, "刘志强", "GZ-W002", hall="GZ-CITY", department="GZRSJ"),
    AccountData("window_th01", roles.WINDOW_STAFF, "张嘉欣", "TH-W001", hall="TH", department="GZSCJG"),
)
# fmt: on


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def accounts_table(*, password_note: bool = True) -> str:
    """The demo accounts as a plain-text table (username, role, hall, department), optionally
    followed by a line naming the shared demo password."""
    halls = {hall.code: hall.name for hall in HALLS}
    departments = {department.code: department.short_name for department in DEPARTMENTS}
    header = ("username", "role", "hall", "department")
    rows = [header] + [
        (
            account.username,
            account.role,
            halls[account.hall] if account.hall else "citywide",
            departments[account.department] if account.department else "-",
        )
        for account in ACCOUNTS
    ]
    widths = [max(_width(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    if password_note:
        lines.append(f"All demo accounts share the password: {DEMO_PASSWORD}")
    return "\n".join(lines)


__all__ = [
    "ACCOUNTS",
    "ALIASES",
    "BUNDLES",
    "DEMO_PASSWORD",
    "DEPARTMENTS",
    "GUIDE_EFFECTIVE_FROM",
    "HALLS",
    "ITEMS",
    "accounts_table",
    "items_for_level",
]
