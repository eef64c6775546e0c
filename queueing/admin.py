"""Admin for queue categories, windows, hall queue settings; tickets, alerts and statistics read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Hall
from queueing import services
from queueing.models import (
    AssistanceRequest,
    BoardMessage,
    DailyStat,
    HallQueueSettings,
    KioskDevice,
    QueueCategory,
    Ticket,
    TicketEvent,
    WaitAlert,
    Window,
)
from servicehall.access import staff_scope
from servicehall.admin import HallScopedQuerysetMixin


class _UpperLetter(forms.CharField):
    """A queue letter as typed, upper-cased before it is checked ("h" is H, not a refusal)."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return text.upper() if text else text


class QueueCategoryForm(forms.ModelForm):
    letter = _UpperLetter(label=_("字母"), max_length=1, strip=True)
    order = forms.IntegerField(
        label=_("顺序"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("取号机、大屏和取号页面按此顺序列出排队类别（小的在前）；新增时留空则排在本大厅现有类别之后。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "order" not in self.initial:
            self.initial["order"] = None  # not the model's 0, which would put it before every other

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("order") is not None or "order" in self.errors:
            return cleaned
        if self.instance.pk is not None:  # left blank on a change: the order it has
            cleaned["order"] = self.instance.order
        elif cleaned.get("hall") is not None:  # a new one: after the hall's others
            last = QueueCategory.objects.filter(hall=cleaned["hall"]).aggregate(last=Max("order"))["last"]
            cleaned["order"] = 0 if last is None else last + 1
        return cleaned

    class Meta:
        model = QueueCategory
        fields = [
            "hall",
            "letter",
            "name",
            "name_en",
            "order",
            "is_active",
            "items",
            "max_wait_minutes",
            "max_waiting_per_window",
            "target_wait_minutes",
            "target_share_percent",
        ]


@admin.register(QueueCategory)
class QueueCategoryAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    form = QueueCategoryForm
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

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """A category with history (tickets, bookings, statistics) cannot go: its records would go
        with it. Django says so as "your account lacks permission to delete …", which reads as a
        permission problem (walkthrough); said here as what it is, and what to do instead."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if perms_needed:
            kinds = "、".join(sorted(str(name) for name in perms_needed))
            # First, above the records Django lists (a category's tickets may be hundreds).
            protected = [
                _("已有历史记录（%(kinds)s），不能删除，以免记录随之删除；如不再使用，请取消勾选“启用”。")
                % {"kinds": kinds},
                *protected,
            ]
            perms_needed = set()
        return deleted, model_count, perms_needed, protected


@admin.register(Window)
class WindowAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    list_display = ["hall", "number", "kind", "is_open", "staff", "signed_in_at"]
    list_filter = ["kind", "is_open", "hall"]
    search_fields = ["hall__name", "hall__code"]
    list_select_related = ["hall", "staff"]
    autocomplete_fields = ["hall"]
    filter_horizontal = ["categories"]
    readonly_fields = ["staff", "signed_in_at"]


@admin.register(HallQueueSettings)
class HallQueueSettingsAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    list_display = [
        "hall",
        "max_wait_minutes",
        "max_waiting_per_window",
        "starvation_minutes",
        "target_wait_minutes",
        "target_share_percent",
        "green_channel_age",
        "no_show_wait_seconds",
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
class TicketAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ["number", "hall", "category", "service_date", "status", "priority", "source", "window", "issued_at"]
    list_filter = ["status", "priority", "source", "service_date", "hall"]
    search_fields = ["number", "hall__code"]
    list_select_related = ["hall", "category", "window"]
    date_hierarchy = "service_date"
    exclude = ["id_hash", "token"]
    inlines = [TicketEventInline]


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(HallScopedQuerysetMixin, _ReadOnly):
    """Made at the kiosk or when booking; taken and done at the hall's assistance desk."""

    list_display = ["service_date", "hall", "ticket", "kind", "reason", "status", "helper", "requested_at", "done_at"]
    list_filter = ["status", "kind", "reason", "source", "hall"]
    list_select_related = ["hall", "ticket", "helper"]
    date_hierarchy = "service_date"


@admin.register(WaitAlert)
class WaitAlertAdmin(HallScopedQuerysetMixin, _ReadOnly):
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
class DailyStatAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ["date", "hall", "scope", "issued", "served", "no_show", "max_wait_seconds"]
    list_filter = ["hall", "date"]
    list_select_related = ["hall"]
    date_hierarchy = "date"


@admin.register(BoardMessage)
class BoardMessageAdmin(HallScopedQuerysetMixin, _ReadOnly):
    """Posted and withdrawn from the supervisors' dashboard (audited there)."""

    list_display = ["hall", "text", "posted_at", "expires_at", "posted_by", "withdrawn_at"]
    list_filter = ["hall"]
    list_select_related = ["hall", "posted_by"]
    date_hierarchy = "posted_at"


class KioskDeviceForm(forms.ModelForm):
    class Meta:
        model = KioskDevice
        fields = ["hall", "name"]


@admin.register(KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    """Register a hall's kiosk (its credential is shown once, on the page after saving) or revoke
    one. Administrators see the kiosks of the halls they cover. Kiosk browsers are usually paired
    on the spot instead (``/halls/<code>/kiosk/pair/``), which registers them here too."""

    form = KioskDeviceForm
    list_display = ["name", "hall", "is_active", "created_at", "created_by", "last_seen_at", "revoked_at"]
    list_filter = ["is_active", "hall"]
    search_fields = ["name", "hall__code", "hall__name"]
    list_select_related = ["hall", "created_by"]
    actions = ["revoke"]
    credential_template = "admin/queueing/kioskdevice/credential.html"

    def _hall_ids(self, request: HttpRequest) -> list[int] | None:
        return staff_scope(request.user).hall_ids()

    def get_queryset(self, request: HttpRequest) -> QuerySet[KioskDevice]:
        hall_ids = self._hall_ids(request)
        queryset = super().get_queryset(request)
        return queryset if hall_ids is None else queryset.filter(hall_id__in=hall_ids)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "hall":
            hall_ids = self._hall_ids(request)
            halls = Hall.objects.order_by("code")
            kwargs["queryset"] = halls if hall_ids is None else halls.filter(pk__in=hall_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: KioskDevice | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("hall", "name")
        return ("hall", "name", "is_active", "created_at", "created_by", "last_seen_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: KioskDevice | None = None) -> list[str]:
        if obj is None:
            return []
        return ["hall", "is_active", "created_at", "created_by", "last_seen_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the check-in records point at it

    def save_model(self, request: HttpRequest, obj: KioskDevice, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        device, credential = services.kiosk_device_register(hall=obj.hall, name=obj.name, actor=request.user)
        obj.pk, obj.credential_hash, obj.created_at = device.pk, device.credential_hash, device.created_at
        request._kiosk_credential = credential  # type: ignore[attr-defined]  # for response_add, once

    def response_add(
        self, request: HttpRequest, obj: KioskDevice, post_url_continue: str | None = None
    ) -> HttpResponse:
        credential = getattr(request, "_kiosk_credential", "")
        return TemplateResponse(
            request,
            self.credential_template,
            {
                **self.admin_site.each_context(request),
                "title": _("自助终端凭证"),
                "opts": self.model._meta,
                "device": obj,
                "credential": credential,
                "pair_url": reverse("queue-kiosk-pair", args=[obj.hall.code]),
                "list_url": reverse("admin:queueing_kioskdevice_changelist"),
            },
            headers={"Cache-Control": "no-store"},
        )

    @admin.action(permissions=["change"], description=_("停用所选自助终端"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[KioskDevice]) -> None:
        devices = list(queryset.filter(is_active=True))
        for device in devices:
            services.kiosk_device_revoke(device=device, actor=request.user)
        self.message_user(
            request,
            ngettext("已停用 %(count)d 个自助终端。", "已停用 %(count)d 个自助终端。", len(devices))
            % {"count": len(devices)},
            messages.SUCCESS,
        )
