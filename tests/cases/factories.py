"""Case test data: two halls, two departments, items with their guides (one allowing 容缺受理,
one not, one instant), the staff of every role and scope, and valid ID numbers and credit codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cases import services
from cases.identity import credit_code_check_character
from cases.models import Case, CaseMaterial
from catalog import services as catalog_services
from catalog.models import Department, GuideVersion, Hall, Material, ServiceItem
from queueing.models import Window
from servicehall import roles
from servicehall.clock import SHANGHAI
from servicehall.personal_data import id_number_check_character
from tests.catalog import factories
from tests.servicehall.factories import staff_user

D = dt.date
GUIDES_FROM = D(2025, 1, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of ``day`` in Guangzhou."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def id_number(birth: str = "19900307", seq: str = "002") -> str:
    first17 = f"440106{birth}{seq}"
    return first17 + id_number_check_character(first17)


def credit_code(body: str = "91440101MA59UU6T5") -> str:
    return body + credit_code_check_character(body)


PERSON = services.ApplicantInput(kind="person", name="陈志强", id_number=id_number())
COMPANY = services.ApplicantInput(kind="organisation", name="广州市示例餐饮有限公司", credit_code=credit_code())
MOBILE = "13800138001"


def guide_item(
    *,
    code: str,
    dept: Department,
    name: str,
    halls: list[Hall],
    materials: list[dict[str, Any]],
    special_steps: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> ServiceItem:
    item = ServiceItem.objects.create(code=code, item_type=code[:2], name=name, department=dept)
    version = catalog_services.guide_draft_create(
        item=item,
        effective_from=GUIDES_FROM,
        fields=factories.guide_fields(**fields),
        materials=materials,
        special_steps=special_steps,
    )
    catalog_services.guide_publish(version=version, actor=None, today=GUIDES_FROM)
    for hall in halls:
        hall.items.add(item)
    return item


@dataclass
class World:
    city: Hall
    tianhe: Hall
    police: Department
    market: Department
    licence: ServiceItem  # market, 10 working days, 容缺 allowed, a special step
    hukou: ServiceItem  # police, 5 working days, no 容缺
    stamp: ServiceItem  # market, instant
    window: Window  # the city's comprehensive window 1, clerk signed in
    clerk: Any  # window staff at the city centre, police department (accepts every item)
    market_clerk: Any  # window staff at the city centre, market department
    market_chief: Any  # the market department's chief representative at the city centre
    police_chief: Any
    tianhe_clerk: Any  # window staff at Tianhe, market department
    tianhe_market_chief: Any
    supervisor: Any  # the city centre's supervisor
    city_supervisor: Any  # citywide

    def materials(self, item: ServiceItem) -> dict[str, Material]:
        version = GuideVersion.objects.current(GUIDES_FROM).get(item=item)
        return {m.name: m for m in version.materials.all()}

    def checklist(self, item: ServiceItem, **states: str) -> list[services.MaterialCheck]:
        """Every material of the item's guide received as an original, unless ``states`` (by
        material name) says otherwise."""
        return [
            services.MaterialCheck(m.pk, states.get(name, CaseMaterial.State.ORIGINAL))
            for name, m in self.materials(item).items()
        ]

    def receive(
        self,
        item: ServiceItem,
        *,
        now: dt.datetime,
        actor: Any = None,
        outcome: str = "",
        states: dict[str, str] | None = None,
        applicant: services.ApplicantInput = PERSON,
        hall: Hall | None = None,
        **extra: Any,
    ) -> Case:
        return services.case_receive(
            actor=actor or self.clerk,
            hall=hall or self.city,
            item=item,
            channel=extra.pop("channel", Case.Channel.MAIL),
            applicant=applicant,
            mobile=extra.pop("mobile", MOBILE),
            checklist=self.checklist(item, **(states or {})),
            outcome=outcome,
            now=now,
            **extra,
        )


def make_world() -> World:
    for year in (2025, 2026):
        catalog_services.calendar_fill_year(year=year)
    police = factories.department(code="GZGA", name="广州市公安局")
    market = factories.department(code="GZSCJG", name="广州市市场监督管理局")
    city = factories.hall(code="GZ-CITY", name="广州市政务服务中心", level=Hall.Level.CITY)
    tianhe = factories.hall(code="TH", name="天河区政务服务中心")
    licence = guide_item(
        code="0100201000",
        dept=market,
        name="食品经营许可",
        halls=[city, tianhe],
        materials=[
            {"name": "食品经营许可申请书", "form": Material.Form.ORIGINAL},
            {"name": "营业执照", "form": Material.Form.COPY},
            {"name": "经营场所使用证明", "form": Material.Form.COPY, "may_follow_later": True, "follow_within_days": 5},
        ],
        special_steps=[{"kind": "inspection", "name": "现场核查", "max_days": 10}],
        applicant_type="legal_person",
        statutory_limit_days=20,
        promised_limit_days=10,
    )
    hukou = guide_item(
        code="0600102000",
        dept=police,
        name="户口迁入登记",
        halls=[city],
        materials=[
            {"name": "居民身份证", "form": Material.Form.ORIGINAL},
            {"name": "户口簿", "form": Material.Form.ORIGINAL},
        ],
        promised_limit_days=5,
    )
    stamp = guide_item(
        code="1000301000",
        dept=market,
        name="企业印章刻制备案",
        halls=[city],
        materials=[{"name": "营业执照", "form": Material.Form.COPY}],
        handling_kind="instant",
        promised_limit_days=0,
    )
    clerk = staff_user("clerk", role=roles.WINDOW_STAFF, hall_=city, dept=police)
    window = Window.objects.create(hall=city, number=1, kind=Window.Kind.COMPREHENSIVE, is_open=True, staff=clerk)
    return World(
        city=city,
        tianhe=tianhe,
        police=police,
        market=market,
        licence=licence,
        hukou=hukou,
        stamp=stamp,
        window=window,
        clerk=clerk,
        market_clerk=staff_user("market-clerk", role=roles.WINDOW_STAFF, hall_=city, dept=market),
        market_chief=staff_user("market-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=city, dept=market),
        police_chief=staff_user("police-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=city, dept=police),
        tianhe_clerk=staff_user("tianhe-clerk", role=roles.WINDOW_STAFF, hall_=tianhe, dept=market),
        tianhe_market_chief=staff_user("tianhe-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=tianhe, dept=market),
        supervisor=staff_user("city-centre-supervisor", role=roles.SUPERVISOR, hall_=city),
        city_supervisor=staff_user("citywide-supervisor", role=roles.SUPERVISOR),
    )
