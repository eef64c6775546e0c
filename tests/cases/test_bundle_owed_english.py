"""Owed materials of a bundle (容缺受理) on English pages: the guide's material and the items by
their English names where they have them, on the private progress link and the staff page."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases import bundles
from cases.models import CaseMaterial
from catalog.models import Material, ServiceItem
from tests.cases.test_bundle_deferred_notices import ACCEPTED, receive, setup  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_owed_materials_are_named_in_english_on_english_pages(client, world, setup) -> None:  # noqa: F811
    Material.objects.filter(name="经营场所使用证明").update(name_en="Proof of business premises")
    ServiceItem.objects.filter(pk=world.licence.pk).update(name_en="Food business licence")
    bc = receive(
        world, setup["bundle"], outcome="accept_deferred", states={"经营场所使用证明": CaseMaterial.State.MISSING}
    )
    with translation.override("en"):
        [line] = bundles.owed_lines(bc, today=ACCEPTED)
        assert line.name == "Proof of business premises" and "Food business licence" in line.items
        assert [o.name for o in bundles.bundle_progress(bc).owed] == ["Proof of business premises"]
    with translation.override("zh-hans"):
        [line] = bundles.owed_lines(bc, today=ACCEPTED)
        assert line.name == "经营场所使用证明" and "食品经营许可" in line.items

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/cases/progress/b/{bc.progress_token}/").content.decode()
    assert "Proof of business premises" in page and "经营场所使用证明" not in page
