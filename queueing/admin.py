"""Admin for queue categories, windows, hall queue settings; tickets, alerts and statistics read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from queueing.models import (
    BoardMessage,
    DailyStat,
    HallQueueSettings,
    QueueCategory,
    Ticket,
    TicketEvent,
    WaitAlert,
    Window,
)


@admin.register(QueueCategory)
class QueueCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "hall",
        "letter",
        "name",
        "is_active",
        "max_wait_minutes",
        "max_waiting_per_window",
        "target_wait_minutes",
        "target_share_percent",
    ]
    list_filter = ["is_active", "hall__level", "hall"]
    search_fields = ["name", "hall__name", "hall__code"]
    list_select_related = ["hall"]
    autocomplete_fields = ["hall"]
    filter_horizontal = ["items"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "kind", "is_open", "staff", "signed_in_at"]
    list_filter = ["kind", "is_open", "hall"]
    search_fields = ["hall__name", "hall__code"]
    list_select_related = ["hall", "staff"]
    autocomplete_fields = ["hall"]
    filter_horizontal = ["categories"]
    readonly_fields = ["staff", "signed_in_at"]


@admin.register(HallQueueSettings)
class HallQueueSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "hall",
        "max_wait_minutes",
        "max_waiting_per_window",
        "starvation_minutes",
        "target_wait_minutes",
        "target_share_percent",
    ]
    autocomplete_fields = ["hall"]


class _ReadOnly(admin.ModelAdmin):
    """Records of what happened: written by the services, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("at", "kind", "window", "staff", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(_ReadOnly):
    list_display = ["number", "hall", "category", "service_date", "status", "priority", "source", "window", "issued_at"]
    list_filter = ["status", "priority", "source", "service_date", "hall"]
    search_fields = ["number", "hall__code"]
    list_select_related = ["hall", "category", "window"]
    date_hierarchy = "service_date"
    exclude = ["id_hash", "token"]
    inlines = [TicketEventInline]


@admin.register(WaitAlert)
class WaitAlertAdmin(_ReadOnly):
    list_display = [
        "hall",
        "category",
        "reason",
        "opened_at",
        "waiting",
        "recommended_extra_windows",
        "acknowledged_at",
        "closed_at",
    ]
    list_filter = ["reason", "hall"]
    list_select_related = ["hall", "category"]
    date_hierarchy = "opened_at"


@admin.register(DailyStat)
class DailyStatAdmin(_ReadOnly):
    list_display = ["date", "hall", "scope", "issued", "served", "no_show", "max_wait_seconds"]
    list_filter = ["hall", "date"]
    list_select_related = ["hall"]
    date_hierarchy = "date"


@admin.register(BoardMessage)
class BoardMessageAdmin(_ReadOnly):
    """Posted and withdrawn from the supervisors' dashboard (audited there)."""

    list_display = ["hall", "text", "posted_at", "expires_at", "posted_by", "withdrawn_at"]
    list_filter = ["hall"]
    list_select_related = ["hall", "posted_by"]
    date_hierarchy = "posted_at"
