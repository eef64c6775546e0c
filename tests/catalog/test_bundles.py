"""The bundle time-limit rule (Art. 13 ¶3) in the library, the service and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from catalog import services
from catalog.bundles import StageLimit, bound_explanation, limit_bound
from catalog.models import Bundle, BundleMember
from catalog.services import BundleMemberSpec, CatalogError
from tests.catalog import factories


def test_bound_is_the_sum_over_stages_of_each_stages_longest_limit() -> None:
    members = [StageLimit(1, "a", 5), StageLimit(2, "b", 10), StageLimit(2, "c", 7), StageLimit(3, "d", 3)]
    assert limit_bound(members) == 5 + 10 + 3
    assert bound_explanation(members) == "阶段1最长5 + 阶段2最长10 + 阶段3最长3 = 18 个工作日"


def test_the_explanation_counts_working_days_in_english_too() -> None:
    with translation.override("en"):
        assert bound_explanation([StageLimit(1, "a", 1)]).endswith("= 1 working day")
        assert bound_explanation([StageLimit(1, "a", 2)]).endswith("= 2 working days")


def test_all_parallel_means_the_longest_single_limit_all_sequential_the_sum() -> None:
    assert limit_bound([StageLimit(1, "a", 5), StageLimit(1, "b", 9)]) == 9
    assert limit_bound([StageLimit(1, "a", 5), StageLimit(2, "b", 9)]) == 14


@pytest.fixture
def three_items(db):
    dept = factories.department()
    return (
        factories.item(dept=dept, promised_limit_days=5),
        factories.item(dept=dept, promised_limit_days=10),
        factories.item(dept=dept, promised_limit_days=7),
    )


@pytest.mark.django_db
def test_service_refuses_an_over_long_bundle_showing_the_bound(three_items) -> None:
    a, b, c = three_items
    members = [BundleMemberSpec(1, a), BundleMemberSpec(2, b), BundleMemberSpec(2, c)]
    bundle = Bundle(name="测试一件事", lead_department=a.department, promised_limit_days=16)
    with pytest.raises(CatalogError) as excinfo:
        services.bundle_save(bundle=bundle, members=members, actor=None)
    assert "阶段1最长5 + 阶段2最长10 = 15 个工作日" in str(excinfo.value.message)
    assert excinfo.value.field == "promised_limit_days"
    assert not Bundle.objects.exists() and not BundleMember.objects.exists()

    bundle.promised_limit_days = 15
    services.bundle_save(bundle=bundle, members=members, actor=None)
    assert bundle.members.count() == 3


@pytest.mark.django_db
def test_stages_must_be_numbered_from_one_without_gaps(three_items) -> None:
    a, b, _c = three_items
    with pytest.raises(CatalogError, match="阶段须从1开始连续编号"):
        services.bundle_check_limit(
            promised_limit_days=1, members=[BundleMemberSpec(1, a), BundleMemberSpec(3, b)], today=factories.EPOCH
        )


@pytest.mark.django_db
def test_admin_refuses_an_over_long_bundle_in_chinese_and_saves_nothing(admin_client, three_items) -> None:
    a, b, c = three_items
    data = {
        "name": "开办测试店一件事",
        "name_en": "",
        "lead_department": a.department.pk,
        "description": "",
        "promised_limit_days": 20,
        "is_published": "on",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, (stage, item) in enumerate([(1, a), (2, b), (2, c)]):
        data.update({f"members-{i}-stage": stage, f"members-{i}-order": i, f"members-{i}-item": item.pk})
    response = admin_client.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "承诺办结时限20个工作日超过了各事项承诺时限之和" in body
    assert "阶段1最长5 + 阶段2最长10 = 15 个工作日" in body
    assert not Bundle.objects.exists()

    data["promised_limit_days"] = 12
    response = admin_client.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 302
    assert Bundle.objects.get().members.count() == 3


def test_every_count_of_working_days_on_the_catalog_pages_has_plural_forms() -> None:
    """Walkthrough: /bundles/1/ read "up to 1 working days" in English. A phrase that counts
    working days is a plural blocktranslate (its English singular and plural forms differ)."""
    from pathlib import Path

    from django.conf import settings
    from django.template import engines
    from django.templatetags.i18n import BlockTranslateNode

    engine = engines["django"]
    folder = Path(settings.BASE_DIR) / "templates" / "catalog"
    counted = {}
    for path in sorted(folder.glob("*.html")):
        template = engine.get_template(f"catalog/{path.name}").template
        for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
            text, _vars = node.render_token_list(node.singular)
            if "个工作日" in text and "%(" in text.split("个工作日")[0]:
                counted[(path.name, text)] = node.countervar
    assert any(name == "bundle_detail.html" for name, _ in counted)
    assert {key: var for key, var in counted.items() if not var} == {}
