"""Read-only catalog API under /api/v1/: items (with their current guide), departments, halls,
bundles and the working-day calendar. Same selectors and filters as the pages.

The catalog is public information (what can be done, where, needing what), so every view here
says ``AllowAny`` explicitly, against the project default of ``IsAuthenticated``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import page_cache, selectors
from catalog.filters import ApiGuideFilter, CalendarFilter, HallFilter
from catalog.models import (
    Bundle,
    CalendarDay,
    Department,
    GuideVersion,
    Hall,
    HallOpeningHours,
    HallZone,
    Material,
    ServiceItem,
    SpecialStep,
)
from servicehall.clock import local_date

# --- Serializers ------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "short_name", "enquiry_phone", "complaint_phone", "website"]


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = [
            "order",
            "name",
            "name_en",
            "form",
            "copies",
            "may_follow_later",
            "follow_within_days",
            "conditional",
            "notes",
            "notes_en",
        ]
        extra_kwargs = {
            "conditional": {
                "help_text": _("视情形提交：仅在特定情形下需要提交（备注说明何种情形），不属该情形的办件可标记为不适用")
            },
        }


class SpecialStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecialStep
        fields = ["order", "kind", "name", "name_en", "max_days", "notes", "notes_en"]


class GuideSerializer(serializers.ModelSerializer):
    """An item of the basic catalog with its current guide version.

    Every text has its English beside it (``conditions`` and ``conditions_en``, …), blank where
    no English was written: a client shows the English where it is filled and the Chinese
    otherwise, as the pages do."""

    code = serializers.CharField(source="item.code", help_text=_("事项编码"))
    implementation_code = serializers.CharField(
        source="item.implementation_code",
        help_text=_("实施编码（事项实施清单编码，办件编号以它开头）；尚未登记的为空字符串"),
    )
    name = serializers.CharField(source="item.name")
    name_en = serializers.CharField(source="item.name_en")
    aliases = serializers.ListField(
        source="item.alias_list", child=serializers.CharField(), read_only=True, help_text=_("常用名（用于搜索）")
    )
    aliases_en = serializers.ListField(
        source="item.alias_en_list",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("英文常用名（用于搜索）"),
    )
    item_type = serializers.CharField(source="item.item_type")
    department = DepartmentRefSerializer(source="item.department")
    version = serializers.IntegerField(source="number", help_text=_("办事指南版本号"))
    materials = MaterialSerializer(many=True)
    special_steps = SpecialStepSerializer(many=True)
    halls: serializers.SlugRelatedField[Hall] = serializers.SlugRelatedField(
        source="item.halls", slug_field="code", many=True, read_only=True, help_text=_("可办理该事项的大厅编码")
    )

    class Meta:
        model = GuideVersion
        fields = [
            "code",
            "implementation_code",
            "name",
            "name_en",
            "aliases",
            "aliases_en",
            "item_type",
            "department",
            "version",
            "effective_from",
            "applicant_type",
            "conditions",
            "conditions_en",
            "legal_basis",
            "legal_basis_en",
            "procedure",
            "procedure_en",
            "handling_kind",
            "statutory_limit_days",
            "promised_limit_days",
            "allows_deferred_acceptance",
            "extension_limit_days",
            "is_free",
            "fee_description",
            "fee_description_en",
            "fee_basis",
            "fee_basis_en",
            "result_description",
            "result_description_en",
            "online_url",
            "visits_required",
            "citywide",
            "cross_region",
            "cross_border",
            "handling_methods",
            "handling_methods_en",
            "enquiry_phone",
            "complaint_phone",
            "materials",
            "special_steps",
            "halls",
        ]


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = HallOpeningHours
        fields = [
            "weekday",
            "morning_opens",
            "morning_closes",
            "afternoon_opens",
            "afternoon_closes",
            "extended_until",
            "appointment_only",
        ]


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = HallZone
        fields = ["kind", "name", "name_en", "location", "location_en", "description", "description_en"]


class HallSerializer(serializers.ModelSerializer):
    # The serializer metaclass takes declared fields off the class, so this never shadows the
    # ``Field.parent`` (the enclosing serializer) that the stubs see.
    parent: serializers.SlugRelatedField[Hall] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True, help_text=_("上级中心的大厅编码；市级中心为 null")
    )

    class Meta:
        model = Hall
        fields = [
            "code",
            "name",
            "name_en",
            "level",
            "district",
            "parent",
            "address",
            "address_en",
            "phone",
            "transport",
            "transport_en",
        ]


class HallDetailSerializer(HallSerializer):
    opening_hours = OpeningHoursSerializer(many=True)
    zones = ZoneSerializer(many=True)
    items: serializers.SlugRelatedField[ServiceItem] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta(HallSerializer.Meta):
        fields = [*HallSerializer.Meta.fields, "opening_hours", "zones", "items"]


class BundleMemberSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    name_en = serializers.CharField(source="item.name_en")
    department = serializers.CharField(source="item.department.code")


class BundleSerializer(serializers.ModelSerializer):
    lead_department = DepartmentRefSerializer()
    members = BundleMemberSerializer(many=True)

    class Meta:
        model = Bundle
        fields = [
            "id",
            "name",
            "name_en",
            "lead_department",
            "description",
            "description_en",
            "promised_limit_days",
            "members",
        ]


class CalendarDaySerializer(serializers.ModelSerializer):
    is_working_day = serializers.BooleanField()

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "is_working_day", "reason", "provisional"]


@extend_schema_field({"type": "string", "format": "date", "pattern": r"^(199[0-9]|20[0-9]{2}|2100)-"})
class CalendarDateField(serializers.DateField):
    """A date in the years the working-day calendar can answer (1990–2100): the schema says so
    as ``DeadlineQuerySerializer.validate_start`` checks it."""


class DeadlineQuerySerializer(serializers.Serializer):
    start = CalendarDateField(help_text=_("起算日（受理之日，不计入）；1990–2100年"))
    days = serializers.IntegerField(min_value=0, max_value=365, help_text=_("工作日数"))

    def validate_start(self, value: dt.date) -> dt.date:
        if not 1990 <= value.year <= 2100:
            raise serializers.ValidationError(_("日期超出可计算的范围（1990–2100年）。"))
        return value


class DeadlineSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    deadline = serializers.DateField(help_text=_("第N个工作日"))
    provisional = serializers.BooleanField(help_text=_("计算涉及尚未确认的年度放假安排"))


# --- Views ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List service items with their current guides", tags=["catalog"]),
    retrieve=extend_schema(summary="One service item with its current guide", tags=["catalog"]),
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = GuideSerializer
    filterset_class = ApiGuideFilter
    lookup_field = "item__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[0-9]{10}"

    def get_queryset(self):
        return selectors.current_guides_full(today=local_date())

    # Served from the page cache (catalog/page_cache.py, docs/caching.md): the JSON body per
    # guide version, query, address and media type, with ETag / Last-Modified and 304s.

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        pairs, bounded = page_cache.query_parts(request._request, API_ITEM_PARAMS)
        searching = any(name == "q" and value.strip() for name, value in pairs)

        def parts(ctx: page_cache.Context) -> tuple[object, ...]:
            search = ctx.generation.search if searching and ctx.generation is not None else ""
            return ("api-items", pairs, request.build_absolute_uri("/"), ctx.state and ctx.state.current_digest, search)

        return self._cached(
            request,
            parts,
            lambda: super(ItemViewSet, self).list(request, *args, **kwargs),
            cacheable=bounded,
            seconds=page_cache.SEARCH_SECONDS if searching else page_cache.ENTRY_SECONDS,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        code = kwargs.get(self.lookup_url_kwarg or "", "")
        versions: list[tuple[int | None, int] | None] = []

        def parts(ctx: page_cache.Context) -> tuple[object, ...]:
            versions.append(ctx.state.versions.get(code) if ctx.state is not None else None)
            return ("api-item", code, versions[-1])

        return self._cached(
            request,
            parts,
            lambda: super(ItemViewSet, self).retrieve(request, *args, **kwargs),
            cacheable=lambda: bool(versions and versions[-1] is not None),
        )

    def _cached(
        self,
        request: Request,
        parts: Callable[[page_cache.Context], tuple[object, ...]],
        produce: Callable[[], HttpResponseBase],
        *,
        cacheable: bool | Callable[[], bool],
        seconds: int = page_cache.ENTRY_SECONDS,
    ) -> HttpResponseBase:
        renderer = request.accepted_renderer
        if getattr(renderer, "format", None) != "json":
            return produce()
        media_type = request.accepted_media_type
        ctx = page_cache.context(local_date())
        # The language is in the key: the payload holds both, but messages and any later
        # localised field would not.
        digest = page_cache.entry_key(ctx, (*parts(ctx), media_type, get_language()))
        may_cache = cacheable() if callable(cacheable) else cacheable
        if ctx.caching and may_cache:
            not_modified = page_cache.conditional(
                request._request, etag=quote_etag(digest), last_modified=ctx.last_modified, private=False
            )
            if not_modified is not None:
                return not_modified

        def compute() -> tuple[dict[str, Any], bool]:
            response = produce()
            if response.status_code != 200 or not isinstance(response, Response):
                return {"response": response}, False
            body = renderer.render(response.data, media_type, self.get_renderer_context())
            return {"body": body}, may_cache

        payload = page_cache.entry(ctx, digest, compute, seconds=seconds).payload
        if "response" in payload:
            return payload["response"]
        answer = HttpResponse(payload["body"], content_type=media_type)
        if ctx.caching and may_cache:
            page_cache.set_validators(answer, etag=quote_etag(digest), last_modified=ctx.last_modified, private=False)
        return answer


# Every parameter the items list takes; a request with any other is served uncached.
API_ITEM_PARAMS = frozenset({*ApiGuideFilter.base_filters, "page", "page_size", "format"})


@extend_schema_view(
    list=extend_schema(summary="List departments", tags=["catalog"]),
    retrieve=extend_schema(summary="One department", tags=["catalog"]),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("code")
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary="List halls", tags=["catalog"]),
    retrieve=extend_schema(summary="One hall with hours, zones and items", tags=["catalog"]),
)
class HallViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    filterset_class = HallFilter
    lookup_field = "code"

    def get_queryset(self):
        if self.action == "retrieve":
            return Hall.objects.select_related("parent").prefetch_related("opening_hours", "zones", "items")
        return selectors.halls_list()

    def get_serializer_class(self):
        return HallDetailSerializer if self.action == "retrieve" else HallSerializer


@extend_schema_view(
    list=extend_schema(summary="List bundles (一件事)", tags=["catalog"]),
    retrieve=extend_schema(summary="One bundle with its staged member items", tags=["catalog"]),
)
class BundleViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = BundleSerializer

    def get_queryset(self):
        return selectors.bundles_list().prefetch_related("members__item__department")


@extend_schema_view(list=extend_schema(summary="Working-day calendar", tags=["calendar"]))
class CalendarViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarFilter
    queryset = CalendarDay.objects.order_by("date")

    @extend_schema(
        summary="The N-th working day after a date (a time limit's deadline)",
        parameters=[DeadlineQuerySerializer],
        responses=DeadlineSerializer,
        tags=["calendar"],
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def deadline(self, request: Request) -> Response:
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        deadline, provisional = selectors.deadline_after(start, days)
        return Response(
            DeadlineSerializer({"start": start, "days": days, "deadline": deadline, "provisional": provisional}).data
        )
