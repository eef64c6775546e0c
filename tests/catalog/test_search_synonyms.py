"""Words a search treats as one (finding 12): 户籍 found only 户籍类证明出具, not 户口迁入登记（市外迁入）
or 出生登记. Administrators keep groups of synonyms (``SearchSynonym``, seeded with the common
ones: 户籍 户口, 营业执照 工商登记, 社保 社会保险, 公积金 住房公积金, 身份证 居民身份证) that are worked
into the search documents when they are written: a search costs no more queries."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import search, services
from catalog.models import SearchSynonym
from catalog.search import document_terms, synonym_map
from servicehall.models import AuditEvent
from tests.catalog.test_search import TODAY, index_of, result_names

pytestmark = pytest.mark.django_db


def test_a_group_of_synonyms_leads_each_word_to_the_others_both_ways() -> None:
    synonyms = synonym_map([["户籍", "户口"]])
    assert synonyms["户籍"] == ("户口",) and synonyms["户口"] == ("户籍",)
    assert synonyms["驾驶证"] == ("驾照",)  # the code's one-way synonyms stay
    name = {t[0] for t in document_terms(name="户口迁入登记（市外迁入）", synonyms=synonyms)["name"]}
    assert "户籍" in name
    index = index_of(
        {"code": "0600102001", "name": "户口迁入登记（市外迁入）", "synonyms": synonyms},
        {"code": "1000102003", "name": "户籍类证明出具", "synonyms": synonyms},
        {"code": "0100201000", "name": "食品经营许可", "synonyms": synonyms},
    )
    found = [index.versions[hit.version_id].code for hit in index.search("户籍", today=TODAY)]
    assert set(found) == {"0600102001", "1000102003"}


def test_the_common_groups_are_there_from_the_start() -> None:
    call_command("load_demo_catalog", "--no-calendar", verbosity=0)
    groups = {frozenset(s.word_list) for s in SearchSynonym.objects.all()}
    assert {frozenset(group) for group in search.DEFAULT_SYNONYM_GROUPS} <= groups
    assert {frozenset({"户籍", "户口"}), frozenset({"社保", "社会保险"})} <= groups


def test_in_the_demo_catalog_hukou_and_huji_find_each_other(client) -> None:
    call_command("load_demo_catalog", "--no-calendar", verbosity=0)
    huji = result_names(client, "户籍")
    assert {"户口迁入登记（市外迁入）", "出生登记", "户籍类证明出具"} <= set(huji), huji
    assert "户籍类证明出具" in result_names(client, "户口")
    # The page agrees with the API.
    page = client.get("/guides/", {"q": "户籍"}).content.decode()
    assert "户口迁入登记（市外迁入）" in page and "出生登记" in page


def test_a_synonym_search_costs_the_queries_of_the_plain_list(client, catalog) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.search_synonyms_ensure_defaults()  # the migration's rows, should a flush have removed them
    services.search_documents_rebuild()
    client.get("/guides/?q=x")  # the process loads its index once
    assert count("/guides/?q=户籍") == count("/guides/")
    assert count("/api/v1/items/?q=户籍") == count("/api/v1/items/")
    assert result_names(client, "户口") == result_names(client, "户籍") == ["户口迁入登记"]


def test_a_group_added_in_the_admin_is_searched_after_the_commit(
    client, admin_client, catalog, django_capture_on_commit_callbacks
) -> None:
    services.search_documents_rebuild()
    assert result_names(client, "开饭馆") == []
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:catalog_searchsynonym_add"), {"words": "食品经营许可、开饭馆"})
    assert response.status_code == 302, response.content.decode()
    synonym = SearchSynonym.objects.get(words="食品经营许可 开饭馆")
    assert result_names(client, "开饭馆") == ["食品经营许可"]
    assert AuditEvent.objects.filter(action="search.synonyms", target_id=str(synonym.pk)).exists()

    # One word is not a group.
    refused = admin_client.post(reverse("admin:catalog_searchsynonym_add"), {"words": "户籍"})
    assert refused.status_code == 200 and "请至少填写两个词" in refused.content.decode()
    # Left empty: only that it is required, not also "two words" (finding 9).
    empty = admin_client.post(reverse("admin:catalog_searchsynonym_add"), {"words": ""}).content.decode()
    assert "请至少填写两个词" not in empty
    assert empty.count('class="errorlist') == 1 and "请填写此项。" in empty
    # The same group again, in another spelling: said plainly, not "具有 同义词 的 搜索同义词 已存在。"
    again = admin_client.post(reverse("admin:catalog_searchsynonym_add"), {"words": "食品经营许可  开饭馆"})
    assert again.status_code == 200
    page = again.content.decode()
    assert "这组同义词已经有了：食品经营许可 ↔ 开饭馆。" in page and "已存在" not in page
    assert SearchSynonym.objects.filter(words__contains="开饭馆").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:catalog_searchsynonym_changelist"),
            {"action": "delete_selected", "_selected_action": [synonym.pk], "post": "yes"},
        )
    assert not SearchSynonym.objects.filter(pk=synonym.pk).exists()
    assert result_names(client, "开饭馆") == []
    assert AuditEvent.objects.filter(action="search.synonyms", target_id=str(synonym.pk)).count() == 2


def test_the_migration_seeds_the_default_groups() -> None:
    import importlib

    migration = importlib.import_module("catalog.migrations.0011_search_synonyms")
    assert [tuple(words.split()) for words in migration.GROUPS] == list(search.DEFAULT_SYNONYM_GROUPS)
