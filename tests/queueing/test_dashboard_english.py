"""The supervisors' hall page on English pages: queue categories in the history and items in
today's figures by their English names where they have them."""

from __future__ import annotations

from django.utils import translation

from cases.selectors import ItemFigures
from queueing import dashboard
from queueing.models import QueueCategory
from tests.queueing.test_dashboard import DAY1, DAY2, history  # noqa: F401 (the fixture)


def test_hall_history_names_the_categories_in_english(qh, history) -> None:  # noqa: F811
    QueueCategory.objects.filter(pk=qh.a.pk).update(name_en="Household registration")
    with translation.override("en"):
        [row] = dashboard.hall_history(hall=qh.hall, start=DAY1, end=DAY2).categories
    assert "Household registration" in row.label and "户政业务" not in row.label
    with translation.override("zh-hans"):
        [row] = dashboard.hall_history(hall=qh.hall, start=DAY1, end=DAY2).categories
    assert row.label == "A类 户政业务"


def test_item_figures_name_the_item_in_english_where_it_has_one() -> None:
    figures = ItemFigures("0100103002", "普通护照签发", 1, 0, None, None, item_name_en="Ordinary passport issuance")
    bare = ItemFigures("0100103003", "往来港澳通行证", 1, 0, None, None)
    with translation.override("en"):
        assert figures.item_display_name == "Ordinary passport issuance" and bare.item_display_name == "往来港澳通行证"
    with translation.override("zh-hans"):
        assert figures.item_display_name == "普通护照签发"
