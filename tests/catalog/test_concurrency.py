"""Races against PostgreSQL with real threads: one draft per item, whoever asks at once."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import services
from catalog.models import GuideVersion
from catalog.services import CatalogError
from tests.catalog import factories
from tests.concurrency import in_threads
from tests.markers import needs_postgres

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]


def test_ten_editors_starting_a_revision_at_once_make_one_draft() -> None:
    item = factories.item()

    def attempt(k: int) -> str:
        try:
            version = services.guide_draft_from_current(
                item=item, effective_from=dt.date(2099, 1, 1), actor=None, change_note=f"编辑{k}"
            )
        except CatalogError:
            return "refused"
        return f"v{version.number}"

    results = in_threads(10, attempt)
    assert sorted(results) == ["refused"] * 9 + ["v2"]
    assert item.versions.filter(status=GuideVersion.Status.DRAFT).count() == 1
