from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicehall import roles
from servicehall.access import staff_scope
from servicehall.models import AuditEvent, StaffProfile, TwoFactorDevice


def _administrator(request: HttpRequest) -> bool:
    return staff_scope(request.user).has_role(roles.ADMINISTRATOR)


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


class AdministratorsReadOnlyMixin:
    """Rows that no one edits in the admin and only administrators read (the audit trail, the
    second-factor devices). A supervisor granted the view permission before issue 14 keeps it in
    the database: refused here all the same."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _administrator(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _administrator(request) and super().has_module_permission(request)  # type: ignore[misc]


@admin.register(AuditEvent)
class AuditEventAdmin(AdministratorsReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "summary", "ip_address"]
    list_filter = ["action"]
    search_fields = ["summary", "target_id", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(AdministratorsReadOnlyMixin, admin.ModelAdmin):
    """Who has an authenticator; the one change is the reset of a lost one (audited). The
    secret is never shown."""

    list_display = ["user", "confirmed_at", "created_at"]
    search_fields = ["user__username"]
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = ("user", "confirmed_at", "created_at")
    list_select_related = ["user"]
    actions = ["reset_second_factor"]

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return _administrator(request)

    @admin.action(description=_("重置所选用户的双因素认证（丢失手机时）"), permissions=["reset"])
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        from servicehall import twofactor

        users = [device.user for device in queryset.select_related("user")]
        for user in users:
            twofactor.two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request, _("已重置 %(count)s 个用户的双因素认证，其下次登录时须重新绑定。") % {"count": len(users)}
        )
