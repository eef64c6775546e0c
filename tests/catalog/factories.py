"""Catalog test data: departments, halls, items with their guides. Small, explicit, and fast
enough to make hundreds of items."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from catalog import page_cache, services
from catalog.models import (
    Department,
    GuideVersion,
    Hall,
    HallOpeningHours,
    ItemType,
    Material,
    ServiceItem,
)

_seq = itertools.count(1)
EPOCH = dt.date(2026, 1, 1)


def department(**overrides: Any) -> Department:
    n = next(_seq)
    data = {
        "code": f"DEPT{n}",
        "name": f"测试部门{n}",
        "name_en": f"Test Department {n}",
        "enquiry_phone": "020-12345678",
    }
    return Department.objects.create(**{**data, **overrides})


def hall(**overrides: Any) -> Hall:
    n = next(_seq)
    data = {
        "code": f"H{n}",
        "name": f"测试政务服务中心{n}",
        "name_en": f"Test Service Centre {n}",
        "level": Hall.Level.DISTRICT,
        "district": "tianhe",
        "address": f"广州市天河区测试路{n}号",
        "phone": "020-87654321",
    }
    created = Hall.objects.create(**{**data, **overrides})
    for weekday in range(5):
        HallOpeningHours.objects.create(
            hall=created,
            weekday=weekday,
            morning_opens=dt.time(9),
            morning_closes=dt.time(12),
            afternoon_opens=dt.time(13),
            afternoon_closes=dt.time(17),
        )
    return created


def guide_fields(**overrides: Any) -> dict[str, Any]:
    data = {
        "applicant_type": GuideVersion.ApplicantType.INDIVIDUAL,
        "conditions": "申请人具有本市户籍。",
        "legal_basis": "《中华人民共和国居民身份证法》第三条",
        "procedure": "申请\n受理\n审核\n办结",
        "handling_kind": GuideVersion.HandlingKind.PROMISED,
        "statutory_limit_days": 20,
        "promised_limit_days": 5,
        "is_free": True,
        "result_description": "证件",
        "visits_required": 1,
    }
    return {**data, **overrides}


def item(
    *,
    dept: Department | None = None,
    code: str | None = None,
    name: str | None = None,
    effective_from: dt.date = EPOCH,
    materials: list[dict[str, Any]] | None = None,
    halls: list[Hall] = (),
    **fields: Any,
) -> ServiceItem:
    """An item with one published guide version in effect since ``effective_from``."""
    n = next(_seq)
    created = ServiceItem.objects.create(
        code=code or f"06{n:05d}000",
        item_type=(code or "06")[:2],
        name=name or f"测试事项{n}",
        name_en=f"Test item {n}",
        department=dept or department(),
    )
    version = services.guide_draft_create(
        item=created,
        effective_from=effective_from,
        fields=guide_fields(**fields),
        materials=materials
        or [
            {"name": "居民身份证", "form": Material.Form.ORIGINAL},
            {"name": "户口簿", "form": Material.Form.ORIGINAL_AND_COPY},
            {"name": "近期照片", "form": Material.Form.ORIGINAL, "may_follow_later": True},
        ],
    )
    services.guide_publish(version=version, actor=None, today=min(effective_from, timezone.localdate()))
    for h in halls:
        h.items.add(created)
    return created


def many_items(count: int, *, dept: Department, hall_: Hall | None = None) -> list[ServiceItem]:
    """``count`` items with a published guide and three materials each, in bulk."""
    start = ServiceItem.objects.count()
    items = ServiceItem.objects.bulk_create(
        ServiceItem(
            code=f"10{start + i:05d}001",
            item_type=ItemType.PUBLIC_SERVICE,
            name=f"批量事项{start + i}",
            department=dept,
        )
        for i in range(count)
    )
    now = timezone.now()
    versions = GuideVersion.objects.bulk_create(
        GuideVersion(
            item=it,
            number=1,
            status=GuideVersion.Status.PUBLISHED,
            effective_from=EPOCH,
            published_at=now,
            **guide_fields(),
        )
        for it in items
    )
    Material.objects.bulk_create(
        Material(version=v, order=k, name=f"材料{k}", form=Material.Form.ORIGINAL)
        for v in versions
        for k in range(1, 4)
    )
    if hall_ is not None:
        hall_.items.add(*items)
    page_cache.bump()  # bulk writes send no signal
    return items
