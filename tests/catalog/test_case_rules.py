"""What the guide version says for cases (issue 10): whether it allows 容缺受理, by when each
material may follow, how far the limit may be extended; and deadlines that skip a stopped clock."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import selectors, services
from catalog.models import Material
from catalog.services import CatalogError
from tests.catalog import factories

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_guide_marking_a_material_that_may_follow_allows_deferred_acceptance_by_default() -> None:
    with_later = factories.item()  # the factory's photo may follow later
    without = factories.item(materials=[{"name": "居民身份证", "form": Material.Form.ORIGINAL}])
    assert with_later.versions.get().allows_deferred_acceptance
    assert not without.versions.get().allows_deferred_acceptance
    assert with_later.versions.get().extension_limit_days == 10
    assert with_later.versions.get().materials.get(may_follow_later=True).follow_within_days == 5


def test_allowing_deferral_without_a_material_that_may_follow_is_refused_at_publishing() -> None:
    item = factories.item()
    draft = services.guide_draft_create(
        item=item,
        effective_from=D(2099, 1, 1),
        fields=factories.guide_fields(allows_deferred_acceptance=True),
        materials=[{"name": "居民身份证", "form": Material.Form.ORIGINAL}],
    )
    with pytest.raises(CatalogError) as refused:
        services.guide_publish(version=draft, actor=None)
    assert refused.value.field == "allows_deferred_acceptance"


def test_a_revision_copies_the_case_rules() -> None:
    item = factories.item(extension_limit_days=5)
    revision = services.guide_draft_from_current(item=item, effective_from=D(2099, 1, 1), actor=None)
    assert revision.extension_limit_days == 5 and revision.allows_deferred_acceptance
    assert revision.materials.get(may_follow_later=True).follow_within_days == 5


def test_many_deadlines_in_one_query_answer_as_one_at_a_time(django_assert_num_queries) -> None:
    services.calendar_fill_year(year=2026)
    requests = [
        (D(2026, 9, 30), 3, ()),
        (D(2026, 2, 9), 10, ((D(2026, 2, 12), D(2026, 2, 25)),)),
        (D(2026, 1, 5), 0, ()),
    ]
    with django_assert_num_queries(1):
        batch = selectors.deadlines_after(requests)
    assert batch == [selectors.deadline_after(start, days, stops=stops) for start, days, stops in requests]
    # 10/8 1, 10/9 2, Sat 10/10 (worked) 3; the special step as counted in tests/cases/test_deadlines.py.
    assert [due for due, _provisional in batch] == [D(2026, 10, 10), D(2026, 3, 5), D(2026, 1, 5)]


def test_a_stop_that_ends_before_it_begins_is_refused() -> None:
    with pytest.raises(ValueError):
        selectors.deadline_after(D(2026, 9, 1), 3, stops=[(D(2026, 9, 5), D(2026, 9, 2))])
