"""Search by everyday words (issue 8): analysis, ranking, the stored documents and keeping them
fresh, and the same search on the page and in the API at the same query cost."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import page_cache, search, services
from catalog.models import GuideSearchDocument, GuideVersion, ServiceItem
from catalog.search import IndexedVersion, SearchIndex, document_terms, parse_query, within_one_edit
from tests.catalog import factories

TODAY = dt.date(2026, 12, 2)


def index_of(*guides: dict, today: dt.date = TODAY) -> SearchIndex:
    """An index of hand-made guides: each a dict of ``document_terms`` arguments plus ``code``."""
    documents = []
    for position, guide in enumerate(guides, start=1):
        fields = dict(guide)
        code = fields.pop("code")
        effective = fields.pop("effective_from", today)
        item = fields.pop("item", position)
        version = IndexedVersion(position, item, code, effective, position)
        documents.append((version, document_terms(**fields)))
    return SearchIndex(documents, generation="test")


def codes(index: SearchIndex, query: str, today: dt.date = TODAY) -> list[str]:
    return [index.versions[hit.version_id].code for hit in index.search(query, today=today)]


# --- Analysis ---------------------------------------------------------------------------------


def test_a_document_holds_phrases_words_pinyin_initials_and_everyday_synonyms() -> None:
    terms = document_terms(
        name="不动产权证书补发", aliases=["营业执照", "开公司"], result="社会保障卡（第三代）", materials=["居民户口簿"]
    )
    assert ["营业执照", "ying ye zhi zhao", "yyzz", 1] in terms["alias"]
    assert ["执照", "zhi zhao", "zz", 0] in terms["alias"]
    name = {t[0] for t in terms["name"]}
    assert {"不动产权证书补发", "不动产", "补发", "房产证"} <= name  # 房产证: what people call 不动产权证书
    result = {t[0] for t in terms["result"]}
    assert {"社会保障卡", "第三代", "社保卡"} <= result
    assert "户口本" in {t[0] for t in terms["material"]}


def test_english_names_are_words_of_the_name() -> None:
    terms = document_terms(name="普通护照签发", name_en="Issuance of an ordinary passport")
    assert {"issuance", "ordinary", "passport"} <= {t[0] for t in terms["name"]}


def test_english_text_is_indexed_per_field_as_phrases_and_words() -> None:
    terms = document_terms(
        name="个体工商户登记",
        name_en="Registration of an individual business",
        aliases_en=["Open a restaurant", "business licence"],
        result_en="Business licence of an individual business",
        materials_en=["Applicant's resident identity card"],
        keywords_en=["Opening a restaurant"],
    )
    # Stopwords out, plural to singular, a phrase stored whole (1) beside its words (0).
    assert ["open restaurant", "", "", 1] in terms["alias"] and ["restaurant", "", "", 0] in terms["alias"]
    assert ["registration individual business", "", "", 1] in terms["name"]
    assert "business licence individual business" in {t[0] for t in terms["result"]}
    assert "applicant resident identity card" in {t[0] for t in terms["material"]}
    assert "opening restaurant" in {t[0] for t in terms["keyword"]}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("withdrawal", "withdrawn", True),
        ("register", "registration", True),
        ("marriage", "married", True),
        ("open", "opening", True),
        ("register", "region", False),  # "regi" and both go on
        ("car", "card", False),
        ("transfer", "transport", False),
    ],
)
def test_same_stem(a, b, same) -> None:
    assert search.same_stem(a, b) is same and search.same_stem(b, a) is same


ENGLISH = (
    {"code": "individual", "name": "个体工商户登记", "name_en": "Registration of an individual business",
     "aliases_en": ["open a restaurant", "business licence"]},
    {"code": "food", "name": "食品经营许可", "name_en": "Food business licence", "aliases_en": ["open a restaurant"]},
    {"code": "pharmacy", "name": "药品经营许可证核发", "name_en": "Drug retail licence", "aliases_en": ["open a pharmacy"]},
    {"code": "fund", "name": "住房公积金提取", "name_en": "Withdrawal of housing provident fund for rent",
     "aliases_en": ["housing fund"]},
    {"code": "loan", "name": "住房公积金个人住房贷款", "name_en": "Housing provident fund home loan",
     "aliases_en": ["housing fund"]},
    {"code": "legal", "name": "法律援助申请", "name_en": "Application for legal aid"},
    {"code": "passport", "name": "普通护照签发", "name_en": "Issuance of an ordinary passport",
     "result_en": "Ordinary passport"},
)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("open a restaurant", ["food", "individual"]),  # the phrase, not every "open"
        ("housing fund withdrawal", ["fund", "loan"]),  # the loan only shares "housing fund": after
        ("withdrawn", ["fund"]),  # another form of the word
        ("pasport", ["passport"]),  # one letter missing
        ("legal aid", ["legal"]),
        ("How do I apply for a passport?", ["passport"]),
    ],
)
def test_english_everyday_words_find_the_guide(query, expected) -> None:
    assert codes(index_of(*ENGLISH), query) == expected


def test_american_spelling_finds_the_british_licence() -> None:
    assert codes(index_of(*ENGLISH), "food license") == ["food"]


@pytest.mark.parametrize(
    ("query", "units", "phrase"),
    [
        ("生孩子要办什么", ("生", "孩子"), "生孩子"),
        ("我想开饭店", ("开饭", "饭店", "开饭店"), "开饭店"),
        ("身份证丢了怎么办", ("身份", "身份证", "丢"), "身份证丢"),
        ("办签注", ("签注",), ""),
        ("ＹＹＺＺ", ("yyzz",), ""),  # full-width letters of a Chinese keyboard
        ("ying ye zhi zhao", ("ying", "ye", "zhi", "zhao"), "yingyezhizhao"),
    ],
)
def test_a_query_loses_its_filler_words(query, units, phrase) -> None:
    parsed = parse_query(query)
    assert parsed.units == units and parsed.phrase == phrase


def test_code_queries_are_digits() -> None:
    assert search.is_code_query("0600") and search.is_code_query("01002…")
    assert not search.is_code_query("0") and not search.is_code_query("16岁")


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("营业执照", "营业执证", True),  # one replaced
        ("营业执照", "营业照", True),  # one missing
        ("yingyezhizhao", "yingyezhizao", True),
        ("营业执照", "营业证照", True),
        ("营业执照", "执照营业", False),
        ("abc", "bca", False),
        ("社保", "社保卡卡", False),
    ],
)
def test_within_one_edit(a, b, near) -> None:
    assert within_one_edit(a, b) is near and within_one_edit(b, a) is near


# --- Ranking ----------------------------------------------------------------------------------

LICENCE_EVERYWHERE = (
    {"code": "material", "name": "食品经营许可", "materials": ["营业执照", "居民身份证"]},
    {"code": "result", "name": "个体工商户登记", "result": "个体工商户营业执照"},
    {"code": "alias", "name": "企业设立登记", "aliases": ["营业执照", "开公司"]},
    {"code": "name", "name": "营业执照遗失补领"},
)


def test_fields_rank_name_alias_result_and_a_required_material_falls_away() -> None:
    index = index_of(*LICENCE_EVERYWHERE)
    assert codes(index, "营业执照") == ["name", "alias", "result"]
    # Needed as a material is not what a person searching for the licence wants, unless nothing else has it.
    assert codes(index_of(LICENCE_EVERYWHERE[0]), "营业执照") == ["material"]


@pytest.mark.parametrize(
    "query",
    [
        "营业执照",
        "yingyezhizhao",
        "ying ye zhi zhao",
        "yyzz",
        "营业执找",
        "营业执证",
        "营业照",
        "yingyezhizao",
        "yingye",
    ],
)
def test_pinyin_initials_and_small_typos_find_the_alias(query) -> None:
    index = index_of(
        *LICENCE_EVERYWHERE[1:3], {"code": "other", "name": "药品经营许可证核发", "result": "药品经营许可证"}
    )
    assert codes(index, query)[:1] in (["alias"], ["result"])
    assert "other" not in codes(index, query)


def test_initials_of_two_letters_match_a_whole_alias_not_a_word_inside_a_name() -> None:
    index = index_of(
        {"code": "equipment", "name": "特种设备使用登记"},  # 设备: sb
        {"code": "insurance", "name": "单位参加社会保险登记", "aliases": ["社保"]},
    )
    assert codes(index, "sb") == ["insurance"]


def test_pinyin_inside_a_phrase_matches_whole_syllables_only() -> None:
    index = index_of(
        {"code": "card", "name": "社会保障卡申领", "aliases": ["社保卡补办"]},
        {"code": "account", "name": "单位参加社会保险登记", "aliases": ["单位社保开户"]},  # …she bao kai hu
    )
    assert codes(index, "shebaoka") == ["card"]


def test_the_query_found_whole_outranks_its_words_found_apart() -> None:
    index = index_of(
        {"code": "transfer", "name": "中小学生转学", "aliases": ["孩子转学"]},
        {"code": "birth", "name": "出生登记", "aliases": ["生孩子", "上户口"]},
    )
    assert codes(index, "生孩子要办什么") == ["birth"]
    assert codes(index, "小孩上户口") == ["birth"]  # a run of the question's words


def test_a_homophone_typo_finds_the_word_but_nothing_finds_junk() -> None:
    index = index_of(
        {"code": "fund", "name": "住房公积金提取", "aliases": ["提公积金"]},
        {"code": "pension", "name": "城乡居民基本养老保险待遇申领"},
    )
    assert codes(index, "公基金") == ["fund"]
    assert codes(index, "不存在的事项") == []
    assert codes(index, "的") == []


def test_one_character_finds_every_name_with_it() -> None:
    index = index_of({"code": "a", "name": "居民身份证换领"}, {"code": "b", "name": "结婚登记", "result": "结婚证"})
    assert codes(index, "证") == ["a", "b"]


def test_the_version_in_effect_is_searched_and_a_future_one_from_its_day() -> None:
    index = index_of(
        {"code": "old", "item": 1, "name": "居民身份证换领", "effective_from": dt.date(2026, 1, 1)},
        {
            "code": "new",
            "item": 1,
            "name": "居民身份证换领（含电子证）",
            "effective_from": TODAY + dt.timedelta(days=1),
        },
    )
    assert codes(index, "身份证") == ["old"]
    assert codes(index, "身份证", today=TODAY + dt.timedelta(days=1)) == ["new"]


# --- Stored documents and their freshness -----------------------------------------------------

needs_db = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def result_names(client, query: str) -> list[str]:
    return [row["name"] for row in client.get("/api/v1/items/", {"q": query}).json()["results"]]


@needs_db
def test_publishing_a_guide_writes_its_search_document(catalog) -> None:
    version = GuideVersion.objects.get(item=catalog["id_card"])
    document = GuideSearchDocument.objects.get(version=version)
    assert document.analyser == search.ANALYSER
    assert ["居民身份证换领", "ju min shen fen zheng huan ling", "jmsfzhl", 1] in document.terms["name"]
    assert "广州市公安局" in {t[0] for t in document.terms["keyword"]}
    # The bundle's name is a keyword of its members.
    licence = GuideSearchDocument.objects.get(version__item=catalog["licence"])
    assert "开办餐饮店一件事" in {t[0] for t in licence.terms["keyword"]}


@needs_db
def test_the_english_content_and_bundle_names_are_searched(client, catalog) -> None:
    """Issue 8 walkthrough: English search read only the item's English name."""
    version = GuideVersion.objects.get(item=catalog["hukou"])
    assert result_names(client, "household register") == []
    GuideVersion.objects.filter(pk=version.pk).update(result_description_en="Household register (hukou booklet)")
    version.materials.update(name_en="Approval to move in")
    ServiceItem.objects.filter(pk=catalog["id_card"].pk).update(aliases_en="ID card\nrenew identity card")
    services.search_documents_rebuild()
    assert result_names(client, "household register") == ["户口迁入登记"]
    assert result_names(client, "hukou") == ["户口迁入登记"]
    assert result_names(client, "approval to move in") == ["户口迁入登记"]
    assert result_names(client, "ID card") == ["居民身份证换领"]
    # The bundle's English name is a keyword of its members (with nothing better, they are found).
    assert set(result_names(client, "opening a restaurant")) == {"食品经营许可", "户口迁入登记", "企业印章刻制备案"}


@needs_db
def test_aliases_edited_in_the_admin_are_searched_at_once(client, admin_client, catalog) -> None:
    item = catalog["licence"]
    assert result_names(client, "开饭店") == []
    version = item.versions.get()
    data = {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "item_type": item.item_type,
        "department": item.department.pk,
        "aliases": "开饭店\n开餐馆、卖吃的",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": version.pk,
        "versions-0-item": item.pk,
    }
    response = admin_client.post(reverse("admin:catalog_serviceitem_change", args=[item.pk]), data)
    assert response.status_code == 302, body(response)
    item.refresh_from_db()
    assert item.alias_list == ["开饭店", "开餐馆", "卖吃的"]
    assert result_names(client, "开饭店") == ["食品经营许可"]
    assert result_names(client, "kaicanguan") == ["食品经营许可"]


@needs_db
def test_a_version_taking_effect_tomorrow_is_searched_from_tomorrow_without_a_rebuild(
    client, catalog, admin_user
) -> None:
    item = catalog["hukou"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    draft = services.guide_draft_from_current(item=item, effective_from=tomorrow, actor=admin_user)
    draft.result_description = "居住证"
    draft.save()
    services.guide_publish(version=draft, actor=admin_user)
    assert GuideSearchDocument.objects.filter(version__item=item).count() == 2
    assert result_names(client, "居住证") == []
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(8), tzinfo=timezone.get_current_timezone())):
        assert result_names(client, "居住证") == ["户口迁入登记"]
        # The nightly rebuild then drops the superseded version's document.
        call_command("search_rebuild", verbosity=0)
        numbers = GuideSearchDocument.objects.filter(version__item=item).values_list("version__number", flat=True)
        assert list(numbers) == [2]


@needs_db
def test_documents_of_another_analyser_are_ignored_until_rebuilt(client, catalog) -> None:
    ServiceItem.objects.filter(pk=catalog["hukou"].pk).update(aliases="落户")
    services.search_documents_rebuild()
    assert result_names(client, "落户") == ["户口迁入登记"]
    GuideSearchDocument.objects.update(analyser=search.ANALYSER + 1)
    cache.clear()  # as after a deploy that changed the analyser: every process reloads its index
    page_cache.forget()  # and starts with nothing of its own (a restarted process)
    assert result_names(client, "落户") == []
    assert result_names(client, "户口") == ["户口迁入登记"]  # names still work meanwhile
    call_command("search_rebuild", verbosity=0)
    assert result_names(client, "落户") == ["户口迁入登记"]


@needs_db
def test_without_any_document_the_search_falls_back_to_names(client, catalog) -> None:
    GuideSearchDocument.objects.all().delete()
    cache.clear()
    assert result_names(client, "身份证") == ["居民身份证换领"]


@needs_db
def test_the_nightly_job_rebuilds_every_document(catalog, settings) -> None:
    from catalog import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["search-documents-rebuild"]
    assert entry["task"] == "catalog.tasks.search_documents_rebuild"
    GuideSearchDocument.objects.all().delete()
    assert tasks.search_documents_rebuild.delay().get() == 4
    assert GuideSearchDocument.objects.count() == 4


# --- The page, the API and the home page ------------------------------------------------------


@needs_db
def test_the_page_and_the_api_give_the_same_results_in_the_same_order(client, catalog) -> None:
    ServiceItem.objects.filter(pk=catalog["stamp"].pk).update(aliases="开店\n刻章")
    ServiceItem.objects.filter(pk=catalog["licence"].pk).update(aliases="开饭店\n开店")
    services.search_documents_rebuild()
    api = [row["code"] for row in client.get("/api/v1/items/", {"q": "开店"}).json()["results"]]
    assert sorted(api) == ["0100201000", "1000301000"]
    page = body(client.get("/guides/", {"q": "开店"}))
    assert [page.index(f"/guides/{code}/") for code in api] == sorted(page.index(f"/guides/{code}/") for code in api)
    assert "共 2 项事项" in page and "常用名：开饭店、开店" in page
    assert client.get("/api/v1/items/0100201000/").json()["aliases"] == ["开饭店", "开店"]


@needs_db
def test_a_search_costs_the_queries_of_the_plain_list_whatever_the_catalog(client, catalog) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    hall = catalog["city"]
    ServiceItem.objects.filter(pk=catalog["id_card"].pk).update(aliases="身份证\n办身份证")
    services.search_documents_rebuild()
    client.get("/guides/?q=x")  # this process loads its index once (one query) on its first search
    small = (count("/guides/?q=身份证"), count("/api/v1/items/?q=身份证"), count("/guides/?q=sfz&hall=GZ-CITY"))
    items = factories.many_items(200, dept=catalog["market"], hall_=hall)
    services.search_documents_rebuild(item_ids=[item.pk for item in items])
    client.get("/guides/?q=x")
    large = (count("/guides/?q=身份证"), count("/api/v1/items/?q=身份证"), count("/guides/?q=sfz&hall=GZ-CITY"))
    assert small == large == (count("/guides/"), count("/api/v1/items/"), count("/guides/?hall=GZ-CITY"))


@needs_db
def test_an_item_code_is_still_searched_by_its_start(client, catalog) -> None:
    assert result_names(client, "0600") == ["居民身份证换领", "户口迁入登记"]


@needs_db
def test_the_home_search_box_asks_for_everyday_words(client, catalog) -> None:
    page = body(client.get("/"))
    assert 'action="/guides/"' in page and 'name="q"' in page
    assert "想办什么事" in page and "yyzz" in page


@needs_db
def test_search_still_answers_when_the_cache_is_down(client, catalog, monkeypatch) -> None:
    assert result_names(client, "身份证") == ["居民身份证换领"]

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    assert result_names(client, "身份证") == ["居民身份证换领"]
