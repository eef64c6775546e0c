"""Admin for cases: read-only. A case changes only through ``cases.services`` (the API and the
staff pages), which check who may act, keep the deadline and write the history; the admin lets
administrators, supervisors and chief representatives look a case up with everything about it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseWarningSummary,
    ClockStop,
    CorrectionNotice,
    Extension,
    Forwarding,
    NoticeItem,
    OwedMaterial,
    UrgentRequest,
    WrittenReport,
)
from servicehall.access import staff_scope
from servicehall.admin import HallScopedQuerysetMixin
from servicehall.personal_data import mask_mobile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaterialInline(ReadOnlyInline):
    model = CaseMaterial
    fields = (
        "material",
        "state",
        "note",
        "supplied_at",
    )
    readonly_fields = fields


class OwedInline(ReadOnlyInline):
    model = OwedMaterial
    fields = (
        "material",
        "due_on",
        "supplied_at",
        "reminded_at",
    )
    readonly_fields = fields


class NoticeInline(ReadOnlyInline):
    model = CorrectionNotice
    fields = (
        "sequence",
        "issued_at",
        "issued_by",
        "requirements",
        "override_reason",
        "answered_at",
    )
    readonly_fields = fields
    show_change_link = True


class ClockStopInline(ReadOnlyInline):
    model = ClockStop
    fields = (
        "kind",
        "special_step",
        "started_on",
        "ended_on",
        "started_by",
        "ended_by",
        "note",
    )
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = Extension
    fields = (
        "days",
        "reason",
        "approved_by",
        "approved_at",
        "due_before",
        "due_after",
    )
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = (
        "at",
        "kind",
        "actor",
        "note",
    )
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "item",
        "hall",
        "department",
        "status",
        "received_on",
        "accepted_on",
        "due_on",
        "warning",
        "owed_overdue",
    ]
    list_filter = [
        "status",
        "clock__warning",
        "owed_overdue",
        "channel",
        "deferred",
        "deemed_accepted",
        "department",
        "hall",
    ]
    search_fields = ["number", "item__code", "item__name", "applicant_name"]
    list_select_related = ["item", "hall", "department", "clock"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    exclude = ["progress_token", "contact_mobile"]
    readonly_fields = ["masked_mobile"]
    inlines = [MaterialInline, NoticeInline, OwedInline, ClockStopInline, ExtensionInline, EventInline]

    @admin.display(description=_("联系手机"))
    def masked_mobile(self, obj: Case) -> str:
        return mask_mobile(obj.contact_mobile)

    @admin.display(description=_("预警"))
    def warning(self, obj: Case) -> str:
        clock = getattr(obj, "clock", None)
        return clock.get_warning_display() if clock is not None and clock.warning else ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields if f.name not in self.exclude] + ["masked_mobile"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        cases = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        return cases if hall_ids is None else cases.filter(hall_id__in=hall_ids)


class NoticeItemInline(ReadOnlyInline):
    model = NoticeItem
    fields = (
        "material",
        "problem",
        "note",
    )
    readonly_fields = fields


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "issued_at", "issued_by", "before_acceptance", "override_reason"]
    list_select_related = ["case", "issued_by"]
    search_fields = ["case__number"]
    inlines = [NoticeItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CorrectionNotice]:
        notices = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        return notices if hall_ids is None else notices.filter(case__hall_id__in=hall_ids)


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ["kind", "display_identity", "created_at"]
    list_filter = ["kind"]
    search_fields = ["credit_code"]
    exclude = ["identity_key"]


@admin.register(CaseWarningSummary)
class CaseWarningSummaryAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    list_display = ["hall", "department", "yellow", "red", "owed_overdue", "computed_at"]
    list_select_related = ["hall", "department"]
    list_filter = ["hall"]


# --- Forwarding (转办, Art. 12; cases/forwarding.py) -------------------------------------------


@admin.register(Forwarding)
class ForwardingAdmin(ReadOnlyAdmin):
    list_display = ["case", "from_hall", "to_hall", "scope", "status", "sent_at", "handled_at", "collect_at"]
    list_select_related = ["case", "from_hall", "to_hall"]
    list_filter = ["status", "scope", "to_hall"]
    search_fields = ["case__number"]
    date_hierarchy = "sent_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Forwarding]:
        rows = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        if hall_ids is None:
            return rows
        return rows.filter(Q(from_hall_id__in=hall_ids) | Q(to_hall_id__in=hall_ids))


# --- Urgent matters (急事急办, Art. 10 ¶3; cases/urgent.py) -----------------------------------


@admin.register(UrgentRequest)
class UrgentRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "hall", "department", "item", "case", "reason_category", "status", "decided_at"]
    list_select_related = ["hall", "department", "item", "case"]
    list_filter = ["status", "reason_category", "hall"]
    search_fields = ["case__number", "booking__code"]
    date_hierarchy = "requested_at"
    exclude = ["mobile"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UrgentRequest]:
        rows = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        return rows if hall_ids is None else rows.filter(hall_id__in=hall_ids)


@admin.register(WrittenReport)
class WrittenReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "created_at", "hall", "department", "refusal_reason", "read_at"]
    list_select_related = ["hall", "department", "request"]
    list_filter = ["hall", "department"]
    search_fields = ["number", "request__case__number"]
    date_hierarchy = "created_at"

    @admin.display(description=_("不予急办理由"))
    def refusal_reason(self, obj: WrittenReport) -> str:
        return obj.request.decision_reason

    def get_queryset(self, request: HttpRequest) -> QuerySet[WrittenReport]:
        rows = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        return rows if hall_ids is None else rows.filter(hall_id__in=hall_ids)


# --- Bundle applications (一件事, cases/bundles.py) ------------------------------------------------

from cases.models import BundleCase, BundleCaseMaterial, BundleNotice  # noqa: E402


class BundleCaseMaterialInline(ReadOnlyInline):
    model = BundleCaseMaterial
    fields = ("name", "state", "note", "supplied_at")
    readonly_fields = fields


class BundleNoticeInline(ReadOnlyInline):
    model = BundleNotice
    fields = ("sequence", "issued_at", "issued_by", "requirements", "override_reason", "answered_at")
    readonly_fields = fields


class SubCaseInline(ReadOnlyInline):
    model = Case
    fields = ("number", "item", "department", "stage", "status", "accepted_on", "due_on")
    readonly_fields = fields
    show_change_link = True


@admin.register(BundleCase)
class BundleCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "bundle", "hall", "status", "received_on", "accepted_on", "due_on", "collected_at"]
    list_select_related = ["bundle", "hall"]
    list_filter = ["status", "hall", "bundle"]
    search_fields = ["number", "applicant_name", "bundle__name"]
    date_hierarchy = "received_at"
    exclude = ["contact_mobile", "progress_token"]  # the private link is the applicant's
    inlines = [BundleCaseMaterialInline, BundleNoticeInline, SubCaseInline]

    @admin.display(description=_("联系手机"))
    def masked_mobile(self, obj: BundleCase) -> str:
        return mask_mobile(obj.contact_mobile)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in BundleCase._meta.fields if f.name not in self.exclude] + ["masked_mobile"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BundleCase]:
        rows = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        return rows if hall_ids is None else rows.filter(hall_id__in=hall_ids)
