from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicehall.access import staff_scope
from servicehall.models import AuditEvent, StaffProfile


class HallScopedQuerysetMixin:
    """An admin's rows of the user's hall only, every hall for citywide users (no row for a staff
    member without a hall): the admin answers "which halls" as the pages do, so a hall's
    supervisor does not read another hall's tickets, reports or staff records there (the change
    page of a row out of scope says it does not exist). Put it first among the bases; the
    ``hall_path`` is the lookup from the model to its hall."""

    hall_path = "hall"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        hall_ids = staff_scope(request.user).hall_ids()
        if hall_ids is None:
            return rows
        return rows.filter(**{f"{self.hall_path}__in": hall_ids}) if hall_ids else rows.none()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["hall", "department"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "profile_name", "profile_hall", "is_active", "is_staff"]
    list_select_related = ["staff_profile", "staff_profile__hall"]

    @admin.display(description=_("姓名"))
    def profile_name(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.display_name if profile else ""

    @admin.display(description=_("所属大厅"))
    def profile_hall(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.hall) if profile and profile.hall else str(_("全市"))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
