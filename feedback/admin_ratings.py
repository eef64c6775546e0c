"""Admin of the 好差评 ratings: administrators edit the rules (``RatingPolicy``, one row); ratings,
rectification orders, appeals and the monthly rollup are read-only here, since they change only
through ``feedback.ratings`` and ``feedback.rectification`` (who may act, events, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from feedback.models_ratings import (
    Rating,
    RatingAppeal,
    RatingPolicy,
    RectificationEvent,
    RectificationOrder,
    SatisfactionMonth,
)
from servicehall.admin import HallScopedQuerysetMixin


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "default_ratings_enabled",
        "default_after_days",
        "defaults_in_statistics",
        "rectify_working_days",
        "tablet_minutes",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row of rules: add it once, then change it.
        return super().has_add_permission(request) and not RatingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ("rated_at", "kind", "hall", "department", "window", "level", "source", "is_default", "excluded")
    list_filter = ("kind", "level", "source", "is_default", "excluded", "hall")
    date_hierarchy = "rated_at"
    list_select_related = ("hall", "department", "window")
    raw_id_fields = ("ticket", "case", "staff")


class EventInline(admin.TabularInline):
    model = RectificationEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RectificationOrder)
class RectificationOrderAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ("number", "opened_at", "hall", "department", "status", "due_on", "overdue")
    list_filter = ("status", "overdue", "hall")
    search_fields = ("number",)
    list_select_related = ("hall", "department")
    raw_id_fields = ("rating",)
    inlines = [EventInline]


@admin.register(RatingAppeal)
class RatingAppealAdmin(HallScopedQuerysetMixin, _ReadOnly):
    hall_path = "order__hall"

    list_display = ("order", "appealed_at", "decision", "decided_at")
    list_filter = ("decision",)
    list_select_related = ("order",)


@admin.register(SatisfactionMonth)
class SatisfactionMonthAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ("month", "hall", "scope", "counted", "satisfaction", "defaults", "excluded", "computed_at")
    list_filter = ("month", "hall")
    list_select_related = ("hall",)
