"""English filter dropdowns: the halls (/ratings/, /supervisor/reports/) and the report
categories (/supervisor/reports/) by their English names on English pages."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.models import Hall
from feedback.forms_ratings import StatisticsFilterForm
from feedback.forms_reports import ListFilterForm
from feedback.models_reports import ReportCategory
from tests.catalog import factories

pytestmark = pytest.mark.django_db


def _labels(form, name: str) -> list[str]:
    return [str(label) for _value, label in form.fields[name].choices]


def test_the_ratings_hall_filter_names_halls_in_english() -> None:
    factories.hall(code="GZ-X1", name="英文测试中心", name_en="English Test Centre")
    with translation.override("en"):
        labels = _labels(StatisticsFilterForm(), "hall")
    assert "English Test Centre" in labels and "英文测试中心" not in labels
    with translation.override("zh-hans"):
        assert "英文测试中心" in _labels(StatisticsFilterForm(), "hall")


def test_the_reports_filters_name_halls_and_categories_in_english() -> None:
    factories.hall(code="GZ-X2", name="英文测试中心二", name_en="English Test Centre 2")
    ReportCategory.objects.create(code="x-test", name="测试类别", name_en="Test category", order=99)
    with translation.override("en"):
        form = ListFilterForm(halls=Hall.objects.order_by("code"))
        halls, categories = _labels(form, "hall"), _labels(form, "category")
    assert "English Test Centre 2" in halls and "英文测试中心二" not in halls
    assert "Test category" in categories and "测试类别" not in categories
