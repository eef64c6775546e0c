"""Admin of the “办不成事” reports: the categories (edited by administrators), the reports
read-only with their assignments and events, and the rule of Art. 6 ¶1 on the hall and window
admins: a city or district hall keeps at least one “办不成事” window.

The hall and window admins belong to catalog and queueing, which must not know feedback: they are
re-registered here as subclasses that add the rule (the hall's windows inline, checked on save;
a window's kind or hall change, or its deletion, refused when it is the hall's last such window).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin import HallAdmin
from catalog.models import Hall
from feedback.models_reports import Report, ReportAssignment, ReportCategory, ReportEvent
from feedback.selectors_reports import LEVELS_REQUIRING_WINDOW
from queueing.admin import WindowAdmin
from queueing.models import Window
from servicehall.admin import HallScopedQuerysetMixin

RULE_MESSAGE = gettext_lazy(
    "市级、区级政务服务中心应当设置“办不成事”反映窗口（《广州市政务服务条例》第六条）："
    "请在“服务窗口”中保留或添加一个类型为“办不成事”反映窗口的窗口。"
)


@admin.register(ReportCategory)
class ReportCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A category in use stays (PROTECT); one never used may go.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.reports.exists())


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssignmentInline(admin.TabularInline):
    model = ReportAssignment
    extra = 0
    fields = ("department", "assigned_at", "assigned_by", "answer", "matter_done", "answered_at", "answered_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(HallScopedQuerysetMixin, _ReadOnly):
    list_display = ["number", "hall", "category", "status", "flag", "registered_at", "due_on"]
    list_filter = ["status", "flag", "channel", "category", "hall"]
    search_fields = ["number"]
    list_select_related = ["hall", "category"]
    date_hierarchy = "registered_at"
    # Never the whole mobile number, nor its digest.
    exclude = ["contact_mobile", "contact_mobile_digest", "progress_token", "flag_run"]
    inlines = [AssignmentInline, EventInline]


# --- Art. 6 ¶1 on the hall and window admins ---------------------------------------------------


class ReportWindowFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        hall = self.instance
        if getattr(hall, "level", None) not in LEVELS_REQUIRING_WINDOW:
            return
        kept = [
            form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if not any(data.get("kind") == Window.Kind.CANNOT_HANDLE for data in kept):
            raise ValidationError(RULE_MESSAGE, code="report_window_required")


class HallWindowInline(admin.TabularInline):
    model = Window
    formset = ReportWindowFormSet
    fields = ["number", "kind", "is_open"]
    readonly_fields = ["is_open"]
    extra = 0
    verbose_name_plural = gettext_lazy("服务窗口")


# Catalog's hall admin with the hall's windows inline: a new city or district hall is saved with
# its “办不成事” window, and an existing one cannot lose it.
admin.site.unregister(Hall)


@admin.register(Hall)
class HallWithReportWindowAdmin(HallAdmin):
    inlines = [*HallAdmin.inlines, HallWindowInline]


def _last_report_window(window: Window, *, exclude_pks: set[int] | None = None) -> bool:
    """Whether ``window`` is the last “办不成事” window of a hall that must have one."""
    if window.pk is None or window.kind != Window.Kind.CANNOT_HANDLE:
        return False
    if window.hall.level not in LEVELS_REQUIRING_WINDOW:
        return False
    others = Window.objects.filter(hall_id=window.hall_id, kind=Window.Kind.CANNOT_HANDLE).exclude(
        pk__in={window.pk, *(exclude_pks or set())}
    )
    return not others.exists()


class WindowRuleForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["hall", "number", "kind", "categories", "is_open"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None:
            return data
        before = Window.objects.select_related("hall").get(pk=self.instance.pk)
        moves = data.get("kind") != Window.Kind.CANNOT_HANDLE or (
            data.get("hall") and data["hall"].pk != before.hall_id
        )
        if moves and _last_report_window(before):
            raise ValidationError(RULE_MESSAGE, code="report_window_required")
        return data


admin.site.unregister(Window)


@admin.register(Window)
class WindowWithRuleAdmin(WindowAdmin):
    form = WindowRuleForm

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        windows = list(objs) if not isinstance(objs, QuerySet) else list(objs.select_related("hall"))
        pks = {w.pk for w in windows}
        for window in windows:
            if _last_report_window(window, exclude_pks=pks):
                protected = [
                    *protected,
                    _("%(hall)s的%(window)s：%(rule)s")
                    % {"hall": window.hall.name, "window": window, "rule": RULE_MESSAGE},
                ]
        return deleted, model_count, perms_needed, protected
