"""Page titles end with the portal's name once, also on the city hall's pages, whose name is the
portal's (finding 6: "线上取号 · 广州市政务服务中心 · 广州市政务服务中心")."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Hall
from servicehall.templatetags.page_title import with_brand
from tests.queueing.factories import make_queue_hall

BRAND = "广州市政务服务中心"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("线上取号", f"线上取号 · {BRAND}"),
        (BRAND, BRAND),
        ("", BRAND),
        (f"线上取号 · {BRAND}", f"线上取号 · {BRAND}"),
        (f"{BRAND} · 预约", f"预约 · {BRAND}"),
        ("越秀区政务服务中心 · 线上取号", f"越秀区政务服务中心 · 线上取号 · {BRAND}"),
        ("A·B", f"A·B · {BRAND}"),
    ],
)
def test_the_brand_ends_the_title_once(title: str, expected: str) -> None:
    assert with_brand(title, BRAND) == expected


@pytest.mark.django_db
def test_the_city_hall_s_take_page_names_the_hall_once(client) -> None:
    qh = make_queue_hall("CITYT")
    Hall.objects.filter(pk=qh.hall.pk).update(name=settings.PORTAL_NAME)

    page = client.get(reverse("queue-ticket-take", args=["CITYT"])).content.decode()

    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    assert title == f"线上取号 · {settings.PORTAL_NAME}"
