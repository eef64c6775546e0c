#!/usr/bin/env python
"""Bench helper: top the catalog up to N items (`catalog_data.py 500`), or print the number of
database queries each benchmarked URL runs (`catalog_data.py --queries`), as JSON."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog import page_cache  # noqa: E402
from catalog.models import Department, GuideVersion, Hall, ItemType, Material, ServiceItem  # noqa: E402
from catalog.selectors import search_index  # noqa: E402
from catalog.services import search_documents_rebuild  # noqa: E402

PATHS = {
    "hello": "/healthz",
    "home": "/",
    "guide_list": "/guides/",
    "guide_filter": "/guides/?hall=GZ-CITY&applicant=individual&page=2",
    "guide_search": "/guides/?q=%E8%AF%81",
    "guide_words": "/guides/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
    "api_search": "/api/v1/items/?q=%E7%A4%BE%E4%BF%9D",
    "hall_detail": "/halls/GZ-CITY/",
    "api_items": "/api/v1/items/",
    "ratings_page": "/ratings/",
}


def top_up(target: int) -> None:
    have = ServiceItem.objects.count()
    if have >= target:
        return
    dept = Department.objects.order_by("code").first()
    template = GuideVersion.objects.published().order_by("pk").first()
    fields = {
        f.name: getattr(template, f.name)
        for f in GuideVersion._meta.concrete_fields
        if f.name not in {"id", "item", "number"}
    }
    fields["published_at"] = timezone.now()
    items = ServiceItem.objects.bulk_create(
        ServiceItem(
            code=f"10{90000 + i:05d}000", item_type=ItemType.PUBLIC_SERVICE, name=f"基准测试事项{i}", department=dept
        )
        for i in range(target - have)
    )
    versions = GuideVersion.objects.bulk_create(GuideVersion(item=item, number=1, **fields) for item in items)
    Material.objects.bulk_create(
        Material(version=v, order=k, name=f"材料{k}", form=Material.Form.ORIGINAL)
        for v in versions
        for k in range(1, 5)
    )
    Hall.objects.get(code="GZ-CITY").items.add(*items)
    # Written in bulk, past the services: index them as publishing would.
    search_documents_rebuild(item_ids=[item.pk for item in items])
    page_cache.bump()  # bulk writes send no signal: the cached pages start again


def count_queries() -> dict[str, object]:
    setup_test_environment()
    client = Client()
    sample = (
        GuideVersion.objects.current(timezone.localdate())
        .order_by("item__code")
        .values_list("item__code", flat=True)
        .first()
    )
    paths = {**PATHS, "guide_detail": f"/guides/{sample}/", "api_item": f"/api/v1/items/{sample}/"}
    search_index()  # loaded once per process (one query), as each server worker does on its first search
    per_request, per_render = {}, {}
    for name, path in paths.items():
        # A render (the page cache just invalidated, as after a publish), then a cached answer.
        page_cache.bump()
        page_cache.forget()
        for counts in (per_render, per_request):
            with CaptureQueriesContext(connection) as ctx:
                client.get(path, HTTP_HOST="127.0.0.1")
            counts[name] = len(ctx.captured_queries)
    return {
        "sample_code": sample,
        "items": ServiceItem.objects.count(),
        "per_request": per_request,
        "per_render": per_render,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--queries"]:
        print(json.dumps(count_queries()))
    else:
        top_up(int(sys.argv[1]))
