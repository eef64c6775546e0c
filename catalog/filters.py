"""Filters shared by the guide pages and the API: one definition, one set of error messages."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from catalog import search, selectors
from catalog.models import CalendarDay, Department, GuideVersion, Hall, ItemType
from servicehall.clock import local_date


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class _RawValue(forms.TextInput):
    """The value as sent (the select widgets turn what they do not know into "not chosen")."""

    def value_from_datadict(self, data, files, name):  # noqa: ANN001, ANN201
        return data.get(name)


class _StrictNullBooleanField(forms.NullBooleanField):
    widget = _RawValue
    TRUE, FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})

    def to_python(self, value):  # noqa: ANN001, ANN201
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        lowered = str(value).strip().lower()
        if lowered in self.TRUE | self.FALSE:
            return lowered in self.TRUE
        raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value):  # noqa: ANN001, ANN201
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (or 1/0); empty is "not filtered"; anything else is an error naming the field
    (django-filter's own boolean reads "abc" as "not filtered", which the API must not)."""

    field_class = _StrictNullBooleanField


class _UnknownCode:
    """What a code that names nothing becomes: it matches nothing."""


UNKNOWN_CODE = _UnknownCode()


class _LenientModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):  # noqa: ANN001, ANN201
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return UNKNOWN_CODE


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A department or hall by its code. On the pages a code that names none is an error on its
    field (the select would otherwise read "all" over an empty list); in the API, whose filter
    set says ``unknown_codes_match_nothing``, it matches no item, as any filter that matches
    nothing: which codes exist is data, not something the API schema can state (issue 9)."""

    @property
    def field_class(self):  # noqa: ANN201
        lenient = getattr(getattr(self, "parent", None), "unknown_codes_match_nothing", False)
        return _LenientModelChoiceField if lenient else forms.ModelChoiceField

    def filter(self, qs, value):  # noqa: ANN001, ANN201
        if value is UNKNOWN_CODE:
            return qs.none()
        return super().filter(qs, value)


class GuideFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("事项名称、常用名或编码"),
        method="filter_text",
        max_length=60,
        error_messages={"max_length": _("关键词最多 60 个字，请缩短后再查询。")},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("例如：营业执照、社保、提公积金、yyzz")}),
    )
    department = CodeChoiceFilter(
        label=_("实施部门"),
        field_name="item__department",
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("全部部门"),
    )
    hall = CodeChoiceFilter(
        label=_("办理大厅"),
        field_name="item__halls",
        queryset=Hall.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("全部大厅"),
    )
    applicant = django_filters.ChoiceFilter(
        label=_("服务对象"),
        method="filter_applicant",
        choices=[
            (GuideVersion.ApplicantType.INDIVIDUAL, _("自然人")),
            (GuideVersion.ApplicantType.LEGAL_PERSON, _("法人")),
        ],
        empty_label=_("全部"),
    )
    scope = django_filters.ChoiceFilter(
        label=_("通办范围"),
        method="filter_scope",
        choices=[
            ("local", _("本大厅办理")),
            ("citywide", _("全市通办")),
            ("cross_region", _("跨域通办")),
            ("cross_border", _("跨境通办")),
        ],
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("办件类型"),
        field_name="handling_kind",
        choices=GuideVersion.HandlingKind.choices,
        empty_label=_("全部"),
    )
    item_type = django_filters.ChoiceFilter(
        label=_("事项类型"), field_name="item__item_type", choices=ItemType.choices, empty_label=_("全部")
    )

    class Meta:
        model = GuideVersion
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        """Everyday words, pinyin and initials, ranked best first (``catalog.search``); digits are
        the start of an item code."""
        value = value.strip()
        if not value:
            return queryset
        if search.is_code_query(value):
            return queryset.filter(item__code__startswith=search.normalise(value).strip().rstrip(".…"))
        index = selectors.search_index()
        if not len(index):
            # No document built yet (a fresh database before ``search_rebuild``): names only.
            return queryset.filter(Q(item__name__icontains=value) | Q(item__name_en__icontains=value))
        hits = index.search(value, today=local_date())
        if not hits:
            return queryset.none()
        rank = Case(
            *(When(pk=hit.version_id, then=Value(position)) for position, hit in enumerate(hits)),
            output_field=IntegerField(),
        )
        return queryset.filter(pk__in=[hit.version_id for hit in hits]).order_by(rank)

    def filter_applicant(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(applicant_type__in=[value, GuideVersion.ApplicantType.BOTH])

    def filter_scope(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        if value == "local":
            return queryset.filter(citywide=False, cross_region=False, cross_border=False)
        return queryset.filter(**{value: True})


class ApiGuideFilter(GuideFilter):
    """The API's guide filter: a department or hall code that names nothing matches nothing."""

    unknown_codes_match_nothing = True


class HallFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("层级"), choices=Hall.Level.choices, empty_label=_("全部"))
    district = django_filters.ChoiceFilter(
        label=_("所在区"), choices=Hall._meta.get_field("district").choices, empty_label=_("全部")
    )
    item = django_filters.CharFilter(label=_("可办理事项编码"), field_name="items__code", max_length=10, distinct=True)

    class Meta:
        model = Hall
        fields: list[str] = []


class CalendarFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(label=_("起始日期"), field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(label=_("截止日期"), field_name="date", lookup_expr="lte")
    year = IntegerFilter(label=_("年份"), field_name="date__year", min_value=1990, max_value=2100)
    month = IntegerFilter(label=_("月份"), field_name="date__month", min_value=1, max_value=12)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=CalendarDay.Kind.choices)
    working = StrictBooleanFilter(label=_("是否工作日"), method="filter_working")

    class Meta:
        model = CalendarDay
        fields: list[str] = []

    def filter_working(self, queryset: QuerySet, _name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        lookup = Q(kind__in=CalendarDay.WORKING_KINDS)
        return queryset.filter(lookup if value else ~lookup)
