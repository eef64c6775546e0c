"""English content (issue 8): the guides', halls' and zones' English beside the Chinese, shown
on English pages where it is filled and the Chinese where it is not; both in the API; versioned
with the guide; "Centre" spelt one way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog import demo_data, demo_data_en, services
from catalog.english import localized
from catalog.models import GuideVersion, Hall, HallZone, Material, ServiceItem
from tests.catalog import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.fixture
def bilingual(db):
    """An item whose guide is partly translated, offered by a hall with a translated address and
    one translated and one untranslated zone."""
    hall = factories.hall(
        code="GZ-CITY",
        name="广州市政务服务中心",
        name_en="Guangzhou Government Service Centre",
        address="广州市天河区华穗路406号",
        address_en="406 Huasui Road, Tianhe District, Guangzhou",
        transport="地铁珠江新城站B1出口",
        transport_en="Metro Zhujiang New Town station, exit B1",
    )
    HallZone.objects.create(
        hall=hall,
        kind=HallZone.Kind.WAITING,
        name="服务等候区",
        name_en="Waiting area",
        location="一楼中庭",
        location_en="1F, atrium",
        description="叫号屏及等候座椅",
        description_en="Queue display screens and seating",
        order=1,
    )
    HallZone.objects.create(hall=hall, kind=HallZone.Kind.OTHER, name="母婴室", description="一楼南侧", order=2)
    item = factories.item(
        code="0600101000",
        name="居民身份证换领",
        halls=[hall],
        conditions="居民身份证有效期满的，应当申请换领。",
        conditions_en="Apply for a new card when yours expires.",
        procedure="取号\n采集人像\n领取证件",
        procedure_en="Take a ticket\nHave your photo taken\nCollect the card",
        result_description="中华人民共和国居民身份证",
        handling_methods="全市通办",
        handling_methods_en="Citywide",
        is_free=False,
        fee_description="工本费20元",
        fee_description_en="CNY 20 per card",
        materials=[
            {
                "name": "原居民身份证",
                "name_en": "Current identity card",
                "form": Material.Form.ORIGINAL,
                "notes": "领取新证时交回",
                "notes_en": "Hand it in when you collect the new card",
            },
            {"name": "数码相片回执", "form": Material.Form.ELECTRONIC, "notes": "可在受理点免费现场拍摄"},
        ],
    )
    return {"hall": hall, "item": item}


# --- Pages -------------------------------------------------------------------------------------


def test_english_guide_shows_the_english_where_written_and_the_chinese_where_not(client, bilingual) -> None:
    english(client)
    body = text(client.get("/guides/0600101000/"))
    for shown in [
        "Apply for a new card when yours expires.",
        "<li>Take a ticket</li><li>Have your photo taken</li><li>Collect the card</li>",
        "Current identity card",
        "Hand it in when you collect the new card",
        "Citywide",
        "CNY 20 per card",
        # No English written: the Chinese, never an empty cell.
        "中华人民共和国居民身份证",
        "数码相片回执",
        "可在受理点免费现场拍摄",
    ]:
        assert shown in body, shown
    for hidden in ["居民身份证有效期满的", "<li>取号</li>", "原居民身份证", "领取新证时交回", "工本费20元"]:
        assert hidden not in body, hidden


def test_chinese_guide_never_shows_the_english(client, bilingual) -> None:
    body = text(client.get("/guides/0600101000/"))
    assert "居民身份证有效期满的，应当申请换领。" in body and "<li>取号</li>" in body and "原居民身份证" in body
    for hidden in ["Apply for a new card", "Take a ticket", "Current identity card", "CNY 20"]:
        assert hidden not in body, hidden


def test_english_print_page_shows_the_same_english_and_the_halls_english_address(client, bilingual) -> None:
    english(client)
    body = text(client.get("/guides/0600101000/print/"))
    assert "Apply for a new card when yours expires." in body and "Current identity card" in body
    assert "数码相片回执" in body
    assert "Guangzhou Government Service Centre (406 Huasui Road, Tianhe District, Guangzhou)" in body
    assert "华穗路406号" not in body


def test_english_pages_show_the_english_bases_with_english_punctuation(client, bilingual) -> None:
    """Issue 8 walkthrough: the Chinese legal and fee bases, and Chinese brackets and list commas
    around English text, on English pages."""
    GuideVersion.objects.filter(item=bilingual["item"]).update(
        legal_basis="《中华人民共和国居民身份证法》第二十条",
        legal_basis_en="Resident Identity Card Law of the People's Republic of China, Article 20",
        fee_basis="《关于居民身份证收费标准的通知》",
        fee_basis_en="Notice on the Fees for Resident Identity Cards",
        citywide=True,
        cross_region=True,
        change_note="首次发布",
        change_note_en="First publication",
    )
    english(client)
    body = text(client.get("/guides/0600101000/"))
    for shown in [
        "Resident Identity Card Law of the People&#x27;s Republic of China, Article 20",
        "Notice on the Fees for Resident Identity Cards",
        "Handling method",
        "Citywide",
        "(First publication)",
    ]:
        assert shown in body, shown
    for hidden in ["居民身份证法", "收费标准的通知", "（Citywide）", "（First publication）", "handling、"]:
        assert hidden not in body, hidden
    basic = body[body.index('id="basic-heading"') : body.index('id="conditions-heading"')]
    assert not re.search("[（）、；：，。]", basic), re.findall(".{20}[（）、；：，。].{20}", basic)
    chinese = text(client.get("/guides/0600101000/", headers={"cookie": "servicehall_language=zh-hans"}))
    assert "《中华人民共和国居民身份证法》第二十条" in chinese and "通办方式" in chinese


def test_english_hall_page_shows_address_directions_and_zones(client, bilingual) -> None:
    english(client)
    body = text(client.get("/halls/GZ-CITY/"))
    for shown in [
        "406 Huasui Road, Tianhe District, Guangzhou",
        "Metro Zhujiang New Town station, exit B1",
        "<strong>Waiting area</strong>",
        "1F, atrium",
        "Queue display screens and seating",
        "<strong>母婴室</strong>",  # no English written
        "一楼南侧",
    ]:
        assert shown in body, shown
    assert "华穗路406号" not in body and "服务等候区" not in body
    assert "406 Huasui Road" in text(client.get("/halls/"))
    assert "406 Huasui Road" in text(client.get("/"))


def test_english_costs_no_extra_query(client, bilingual) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/guides/0600101000/", "/guides/0600101000/print/", "/halls/GZ-CITY/", "/halls/"]
    client.get("/guides/")  # the page cache's catalog state is read once per generation, not per page
    chinese = [count(url) for url in urls]
    english(client)
    assert [count(url) for url in urls] == chinese


# --- API ---------------------------------------------------------------------------------------


def test_api_gives_the_chinese_and_the_english_side_by_side_whatever_the_language(client, bilingual) -> None:
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}):
        item = client.get("/api/v1/items/0600101000/", **headers).json()
        assert item["conditions"] == "居民身份证有效期满的，应当申请换领。"
        assert item["conditions_en"] == "Apply for a new card when yours expires."
        assert item["procedure_en"] == "Take a ticket\nHave your photo taken\nCollect the card"
        assert item["result_description"] == "中华人民共和国居民身份证" and item["result_description_en"] == ""
        assert [(m["name"], m["name_en"]) for m in item["materials"]] == [
            ("原居民身份证", "Current identity card"),
            ("数码相片回执", ""),
        ]
        hall = client.get("/api/v1/halls/GZ-CITY/", **headers).json()
        assert hall["address_en"] == "406 Huasui Road, Tianhe District, Guangzhou"
        assert [(z["name"], z["name_en"]) for z in hall["zones"]] == [("服务等候区", "Waiting area"), ("母婴室", "")]
    listed = client.get("/api/v1/items/").json()["results"][0]
    assert listed["conditions_en"] and "notes_en" in listed["materials"][0]
    assert client.get("/api/v1/halls/").json()["results"][0]["address_en"]


def test_localized_reads_objects_and_cached_rows_alike() -> None:
    row = {"address": "华穗路406号", "address_en": "406 Huasui Road"}
    blank = {"address": "华穗路406号", "address_en": ""}
    zone = HallZone(name="等候区", name_en="")
    with translation.override("en"):
        assert localized(row, "address") == "406 Huasui Road"
        assert localized(blank, "address") == "华穗路406号"
        assert localized(zone, "name") == "等候区"
    with translation.override("zh-hans"):
        assert localized(row, "address") == "华穗路406号"


# --- Versioning and the admin ------------------------------------------------------------------


def test_the_english_belongs_to_the_version(bilingual, admin_user) -> None:
    item = bilingual["item"]
    draft = services.guide_draft_from_current(item=item, effective_from=dt.date(2099, 1, 1), actor=admin_user)
    assert draft.conditions_en == "Apply for a new card when yours expires."
    assert [m.name_en for m in draft.materials.all()] == ["Current identity card", ""]
    draft.conditions_en = "From 2099: apply online."
    draft.save()
    services.guide_publish(version=draft, actor=admin_user)
    first = item.versions.get(number=1)
    assert first.conditions_en == "Apply for a new card when yours expires."


def test_admin_edits_the_english_beside_the_chinese(admin_client, bilingual, admin_user) -> None:
    draft = services.guide_draft_from_current(
        item=bilingual["item"], effective_from=dt.date(2099, 1, 1), actor=admin_user
    )
    page = text(admin_client.get(reverse("admin:catalog_guideversion_change", args=[draft.pk])))
    for field in ("conditions", "procedure", "result_description", "fee_description", "handling_methods"):
        assert f"field-{field} field-{field}_en" in page, field
    assert 'name="materials-0-name_en"' in page and 'name="materials-0-notes_en"' in page
    hall = text(admin_client.get(reverse("admin:catalog_hall_change", args=[bilingual["hall"].pk])))
    assert "field-address field-address_en" in hall and 'name="zones-0-description_en"' in hall
    assert "field-description field-description_en" in text(admin_client.get(reverse("admin:catalog_bundle_add")))
    assert "field-name field-name_en" in text(admin_client.get(reverse("admin:catalog_department_add")))
    assert "field-conditions field-conditions_en" in text(admin_client.get(reverse("admin:catalog_guideversion_add")))


def test_a_published_version_keeps_its_english(admin_client, bilingual) -> None:
    version = bilingual["item"].versions.get()
    url = reverse("admin:catalog_guideversion_change", args=[version.pk])
    admin_client.post(url, {"conditions_en": "Rewritten"})
    version.refresh_from_db()
    assert version.conditions_en == "Apply for a new card when yours expires."


# --- Demo data ---------------------------------------------------------------------------------


def test_every_demo_item_and_hall_has_its_english() -> None:
    for item in demo_data.ITEMS:
        fields = item.guide_fields(department_phone="")
        for name in ("conditions_en", "result_description_en", "procedure_en", "legal_basis_en"):
            assert fields[name], (item.code, name)
        # The walkthrough read the Chinese legal and fee bases on English pages.
        assert len(fields["legal_basis_en"].splitlines()) == len(item.legal_basis.splitlines()), item.code
        assert fields["fee_basis_en"] or not fields["fee_basis"], item.code
        assert demo_data_en.ALIASES[item.code], item.code
        assert len(fields["procedure_en"].splitlines()) == len(item.procedure), item.code
        for material in item.materials:
            english_fields = material.as_fields()
            assert english_fields["name_en"], (item.code, material.name)
            assert english_fields["notes_en"] or not material.notes, (item.code, material.notes)
    for hall in demo_data.HALLS:
        assert hall.address_en and hall.transport_en, hall.code
        for zone in hall.zones:
            zone_english = zone.english_fields()
            for name in ("name", "location", "description"):
                assert zone_english[f"{name}_en"] or not getattr(zone, name), (hall.code, getattr(zone, name))


def test_the_demo_loads_with_its_english() -> None:
    call_command("load_demo", "--no-calendar", verbosity=0)
    assert not Hall.objects.filter(address_en="").exists()
    assert not HallZone.objects.filter(name_en="").exists()
    assert not GuideVersion.objects.filter(conditions_en="").exists()
    assert not Material.objects.filter(name_en="").exists()
    assert not GuideVersion.objects.filter(legal_basis_en="").exists()
    assert not GuideVersion.objects.filter(is_free=False, fee_basis_en="").exists()
    assert not ServiceItem.objects.filter(aliases_en="").exists()
    city = Hall.objects.get(code="GZ-CITY")
    assert city.name_en == "Guangzhou Government Service Centre"
    assert city.address_en == "406 Huasui Road, Tianhe District, Guangzhou"


# --- "Centre", spelt one way -------------------------------------------------------------------

# The American spelling as a word of English text ("Service Center", "centers"); CSS and HTML
# attributes are taken out first (``text-align: center``, ``class="center"``).
AMERICAN = re.compile(r"\bcenters?\b", re.IGNORECASE)
MARKUP = re.compile(r"<style.*?</style>|<script.*?</script>|\s(?:style|class|id)=\"[^\"]*\"", re.DOTALL)


def _user_visible_sources() -> list[tuple[str, str]]:
    texts = [(str(path), MARKUP.sub("", path.read_text())) for path in (ROOT / "templates").rglob("*.html")]
    po = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    msgstrs, in_msgstr = [], False
    for line in po.read_text().splitlines():
        in_msgstr = line.startswith("msgstr") or (in_msgstr and line.startswith('"'))
        if in_msgstr:
            msgstrs.append(line)
    texts.append((str(po), "\n".join(msgstrs)))
    for module in ("demo_data.py", "demo_data_en.py"):
        texts.append((module, (ROOT / "catalog" / module).read_text()))
    return texts


def test_centre_is_spelt_the_british_way_everywhere_a_reader_sees_it() -> None:
    found = [(where, match) for where, source in _user_visible_sources() for match in AMERICAN.findall(source)]
    assert found == []


def test_the_spelling_check_sees_text_but_not_css() -> None:
    assert AMERICAN.findall(MARKUP.sub("", '<p style="text-align: center" class="center">Service Center</p>')) == [
        "Center"
    ]


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        (
            "《中华人民共和国居民身份证法》第二条、第八条、第十条\n《中华人民共和国居民身份证法》第二十条（工本费）",
            "Resident Identity Card Law of the People's Republic of China, Articles 2, 8 and 10\n"
            "Resident Identity Card Law of the People's Republic of China, Article 20 (card fee)",
        ),
        (
            "《社会救助暂行办法》（国务院令第649号）第九条至第十六条",
            "Interim Measures on Social Assistance (Order No. 649 of the State Council), Articles 9 to 16",
        ),
        ("《中华人民共和国民法典》第一千零七十六条", "Civil Code of the People's Republic of China, Article 1076"),
        (
            "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）",
            "Opinions of the State Council on Further Reform of the Household Registration System "
            "(Guo Fa [2014] No. 25)",
        ),
        ("《某不知名的规定》第一条", ""),  # a law without an English title: the page shows the Chinese
        ("《中华人民共和国公司法》第二十九条\n《某不知名的规定》", ""),  # never half a basis
    ],
)
def test_demo_legal_bases_read_in_english(chinese, english) -> None:
    assert demo_data_en.legal_basis(chinese) == english
