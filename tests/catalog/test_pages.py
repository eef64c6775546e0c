"""Public catalog pages: content, filters, bad input, htmx fragments and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from tests.catalog import factories

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_home_offers_search_halls_and_bundles(client, catalog) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert 'action="/guides/"' in body and 'name="q"' in body
    assert "广州市政务服务中心" in body and "开办餐饮店一件事" in body
    assert response.headers["Content-Language"] == "zh-hans"


def test_guide_list_searches_by_name_or_code(client, catalog) -> None:
    body = text(client.get("/guides/", {"q": "身份证"}))
    assert "居民身份证换领" in body and "户口迁入登记" not in body
    body = text(client.get("/guides/", {"q": "01002"}))
    assert "食品经营许可" in body and "居民身份证换领" not in body


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"department": "GZSCJG"}, ["食品经营许可", "企业印章刻制备案"], ["居民身份证换领"]),
        ({"hall": "TH"}, ["居民身份证换领", "企业印章刻制备案"], ["户口迁入登记"]),
        ({"applicant": "legal_person"}, ["食品经营许可"], ["居民身份证换领"]),
        ({"scope": "citywide"}, ["居民身份证换领"], ["户口迁入登记"]),
        ({"scope": "cross_region"}, ["户口迁入登记"], ["居民身份证换领"]),
        ({"scope": "local"}, ["食品经营许可"], ["居民身份证换领", "户口迁入登记"]),
        ({"kind": "instant"}, ["企业印章刻制备案"], ["食品经营许可"]),
    ],
)
def test_guide_list_filters(client, catalog, params, present, absent) -> None:
    response = client.get("/guides/", params)
    assert response.status_code == 200
    body = text(response)
    for name in present:
        assert name in body
    for name in absent:
        assert name not in body


@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({"department": "NOPE"}, "选择一个有效的选项"),
        ({"scope": "galaxy"}, "选择一个有效的选项"),
        ({"hall": "x" * 30}, "选择一个有效的选项"),
        ({"q": "字" * 61}, "最多 60 个字"),
        ({"page": "abc"}, "页码必须是正整数"),
    ],
)
def test_invalid_filter_values_get_400_with_a_field_message(client, catalog, params, field_message) -> None:
    response = client.get("/guides/", params)
    assert response.status_code == 400
    assert field_message in text(response)


def test_guide_list_htmx_request_gets_only_the_results_fragment(client, catalog) -> None:
    response = client.get("/guides/", {"q": "许可"}, headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body and "食品经营许可" in body


def test_guide_list_paginates(client, catalog) -> None:
    factories.many_items(45, dept=catalog["market"])
    first = text(client.get("/guides/"))
    assert "第 1 页，共 3 页" in first and 'rel="next"' in first
    last = text(client.get("/guides/", {"page": 99}))
    assert "第 3 页，共 3 页" in last


def test_empty_search_explains_what_to_do(client, catalog) -> None:
    body = text(client.get("/guides/", {"q": "不存在的事项"}))
    assert "没有符合条件的事项" in body and "12345" in body


def test_guide_detail_shows_every_field(client, catalog) -> None:
    body = text(client.get("/guides/0600101000/"))
    for expected in [
        "居民身份证换领",
        "0600101000",
        "行政确认",
        "广州市公安局",
        "自然人",
        "承诺件",
        "60 个工作日",
        "20 个工作日",
        "工本费20元",
        "《关于居民身份证收费标准的通知》",
        "全市通办",
        "申请人具有本市户籍",
        "居民身份证",
        "主要材料",
        "可容缺后补",
        "本事项可容缺受理",
        "申请",
        "《中华人民共和国居民身份证法》第三条",
        "广州市政务服务中心",
        "天河区政务服务中心",
        "第 1 版",
        "2026-01-01",
        "打印版办事指南",
    ]:
        assert expected in body, expected


def test_guide_detail_lists_the_bundles_the_item_belongs_to(client, catalog) -> None:
    body = text(client.get("/guides/0100201000/"))
    assert "所属一件事" in body and "开办餐饮店一件事" in body


def test_print_page_shows_the_same_current_version(client, catalog, admin_user) -> None:
    item = catalog["id_card"]
    draft = services.guide_draft_from_current(item=item, effective_from=dt.date(2099, 1, 1), actor=admin_user)
    draft.conditions = "未来版本的受理条件"
    draft.save()
    services.guide_publish(version=draft, actor=admin_user)
    body = text(client.get("/guides/0600101000/print/"))
    assert "办事指南 第 1 版" in body and "未来版本的受理条件" not in body
    assert "print.css" in body and "data-print" in body


def test_old_version_page_is_marked_historical(client, catalog, admin_user) -> None:
    item = catalog["hukou"]
    draft = services.guide_draft_from_current(item=item, effective_from=dt.date.today(), actor=admin_user)
    services.guide_publish(version=draft, actor=admin_user)
    current = text(client.get("/guides/0600102000/"))
    assert "第 2 版" in current and "您正在查看历史版本" not in current
    old = text(client.get("/guides/0600102000/versions/1/"))
    assert "您正在查看历史版本" in old


@pytest.mark.parametrize(
    "url", ["/guides/9999999999/", "/halls/NOPE/", "/bundles/999/", "/no-such-page/", "/guides/0600101000/versions/7/"]
)
def test_unknown_things_get_a_404_page_in_chinese_with_a_way_back(client, catalog, url) -> None:
    response = client.get(url)
    assert response.status_code == 404
    body = text(response)
    assert "页面不存在" in body and 'href="/"' in body and "返回首页" in body
    assert "Resolver404" not in body


def test_hall_pages(client, catalog) -> None:
    listing = text(client.get("/halls/"))
    assert "广州市政务服务中心" in listing and "天河区政务服务中心" in listing
    assert "天河区政务服务中心" not in text(client.get("/halls/", {"level": "city"}))
    assert client.get("/halls/", {"level": "galaxy"}).status_code == 400
    detail = text(client.get("/halls/GZ-CITY/"))
    for expected in [
        "广州市政务服务中心",
        "星期一",
        "09:00–12:00",
        "13:00–17:00",
        "可办理事项（3 项）",
        "居民身份证换领",
    ]:
        assert expected in detail, expected


def test_bundle_pages(client, catalog) -> None:
    assert "开办餐饮店一件事" in text(client.get("/bundles/"))
    body = text(client.get(f"/bundles/{catalog['bundle'].pk}/"))
    for expected in [
        "牵头部门",
        "广州市市场监督管理局",
        "配合部门",
        "广州市公安局",
        "第 1 阶段",
        "第 2 阶段",
        "8 个工作日",
        "不超过各事项承诺时限之和 10 个工作日",
    ]:
        assert expected in body, expected


def test_a_limit_of_no_working_days_reads_instant_not_zero_days(client, catalog) -> None:
    """Issue 8 walkthrough: "最长 0 个工作日" for a stage of instant items."""
    body = text(client.get(f"/bundles/{catalog['bundle'].pk}/"))
    assert "第 1 阶段（并联审批，即办）" in body  # the seal-engraving filing alone: instant
    assert "第 2 阶段（并联审批，最长 10 个工作日）" in body
    assert not re.search(r"(?<![0-9])0 个工作日", body)
    factories.item(
        code="0600199000", name="即办证明", handling_kind="instant", statutory_limit_days=0, promised_limit_days=0
    )
    guide = text(client.get("/guides/0600199000/"))
    statutory = guide[guide.index("法定办结时限") :].split("</dd>")[0]
    assert "即办" in statutory and not re.search(r"(?<![0-9])0 个工作日", guide)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert not re.search(r"\b0 working days", text(client.get("/guides/0600199000/")))
    english = text(client.get(f"/bundles/{catalog['bundle'].pk}/"))
    assert "Stage 1 (parallel approval, instant)" in english and not re.search(r"\b0 working days", english)


def test_english_interface_shows_english_names(client, catalog) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/halls/GZ-CITY/")
    assert response.headers["Content-Language"] == "en"
    body = text(response)
    assert "Guangzhou Government Service Centre" in body and 'lang="en"' in body


def test_care_mode_is_remembered_by_cookie(client, catalog) -> None:
    response = client.post("/preferences/care-mode/", {"care_mode": "on", "next": "/guides/"})
    assert response.status_code == 302 and response["Location"] == "/guides/"
    assert client.get("/guides/").content.decode().count('class="care"') == 1
    client.post("/preferences/care-mode/", {"care_mode": "off", "next": "/"})
    assert 'class="care"' not in text(client.get("/guides/"))


def test_care_mode_refuses_to_redirect_elsewhere(client) -> None:
    response = client.post("/preferences/care-mode/", {"care_mode": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_page_carries_skip_link_landmarks_and_a_nonced_htmx(client, catalog) -> None:
    response = client.get("/guides/")
    body = text(response)
    assert 'class="skip-link" href="#main"' in body and '<main id="main"' in body and "<nav" in body
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in body and "htmx" in body
    assert "unsafe-inline" not in csp


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_guide_list_query_count_does_not_grow_with_the_catalog(client, catalog) -> None:
    hall = catalog["city"]
    factories.many_items(20, dept=catalog["market"], hall_=hall)
    small = _count_queries(client, "/guides/?hall=GZ-CITY")
    factories.many_items(480, dept=catalog["police"], hall_=hall)
    large = _count_queries(client, "/guides/?hall=GZ-CITY")
    # 5 to render, and the catalog state (which guide is current), read once per generation.
    assert large == small <= 6
    assert _count_queries(client, "/guides/") <= 4


def test_hall_page_query_count_does_not_grow_with_its_items(client, catalog) -> None:
    small = _count_queries(client, "/halls/GZ-CITY/")
    factories.many_items(200, dept=catalog["market"], hall_=catalog["city"])
    assert _count_queries(client, "/halls/GZ-CITY/") == small


def test_english_counts_working_days_in_the_singular_and_plural(client, catalog) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = text(client.get("/guides/0600101000/"))
    assert "60 working days" in body and "20 working days" in body
    assert "More filters" in text(client.get("/guides/"))


def test_a_hall_with_many_items_links_to_the_full_list(client, catalog) -> None:
    factories.many_items(40, dept=catalog["market"], hall_=catalog["city"])
    body = text(client.get("/halls/GZ-CITY/"))
    assert "可办理事项（43 项）" in body
    assert body.count('<td class="code" ') == 30
    assert '/guides/?hall=GZ-CITY">查看本场所全部 43 项事项' in body


@pytest.mark.django_db
def test_the_guide_names_the_lists_in_the_laws_words_and_the_arrangement_apart(client) -> None:
    # Art. 12 names the lists 全市通办、跨域通办、跨境通办 (the home page's links and the filters use
    # them); a guide's way of handling may name a particular arrangement within one (跨省通办 is a
    # kind of 跨域通办). A walkthrough read "跨域通办（…跨省通办…）" as two labels for one thing:
    # the arrangement is its own row, the scope keeps the law's word.
    factories.item(
        code="0600102000",
        name="居民身份证申领",
        citywide=True,
        cross_region=True,
        handling_methods="全市通办：可在全市任一区政务服务中心综合窗口申请；跨省通办：可在全国任一同类业务窗口申请",
    )
    body = text(client.get("/guides/0600102000/"))
    scope = re.search(r"<dt>通办范围</dt><dd>(.*?)</dd>", body)
    assert scope is not None and scope.group(1).strip() == "全市通办、跨域通办"
    way = re.search(r"<dt>通办方式</dt><dd>(.*?)</dd>", body)
    assert way is not None and "跨省通办：可在全国任一同类业务窗口申请" in way.group(1)
    home = text(client.get("/"))
    assert "跨域通办事项" in home and "跨省通办" not in home


def _title(response) -> str:
    found = re.search(r"<title>(.*?)</title>", text(response), re.S)
    assert found is not None
    return found.group(1)


def test_the_city_halls_page_names_the_portal_once_in_its_title(client, catalog) -> None:
    # The portal's brand is the city hall's name: "广州市政务服务中心 · 广州市政务服务中心" before.
    assert _title(client.get("/halls/GZ-CITY/")) == "广州市政务服务中心"
    assert _title(client.get("/halls/TH/")) == "天河区政务服务中心 · 广州市政务服务中心"
    assert _title(client.get("/halls/")) == "服务大厅 · 广州市政务服务中心"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _title(client.get("/halls/GZ-CITY/"))
    assert english == "Guangzhou Government Service Centre", english


def test_an_unknown_version_of_a_known_guide_says_which_is_missing(client, catalog) -> None:
    # Walkthrough: /guides/<code>/versions/99/ said the item had no guide, while it has one.
    body = text(client.get("/guides/0600102000/versions/99/"))
    assert "该事项的办事指南没有第 99 版" in body and "没有找到该事项的办事指南" not in body
    assert "没有找到该事项的办事指南" in text(client.get("/guides/9999999999/versions/1/"))
