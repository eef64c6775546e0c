"""Admin for staffing. Administrators keep the secondments, training records, skill levels and
the code of conduct here (supervisors read them); a secondment saved here is checked like one
recorded through the API (two years' tenure or a reason, one active chief representative per
department and hall) and brings the person's profile and role into line. Attendance (from the
windows), conduct incidents (recorded by supervisors on their pages) and surge flags (raised by
the surge job, decided on the pages) are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from servicehall.admin import HallScopedQuerysetMixin
from servicehall.audit import audit_record
from staffing import services
from staffing.models import (
    AssessmentProposal,
    AttendanceRecord,
    ConductCode,
    ConductIncident,
    ReplacementRequest,
    Secondment,
    SkillCertification,
    SurgeFlag,
    TrainingRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Secondment)
class SecondmentAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    list_display = ["staff_number", "user", "hall", "department", "role", "seconded_from", "seconded_until", "status"]
    list_filter = ["status", "role", "hall", "department"]
    search_fields = ["staff_number", "user__username", "user__staff_profile__display_name"]
    list_select_related = ["user", "hall", "department"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Secondment, form: Any, change: bool) -> None:
        # full_clean already ran (the form): the tenure reason and the one active chief.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.sync_kernel(obj)
            audit_record(
                actor=request.user,
                action="secondment.change" if change else "secondment.create",
                target=obj,
                summary=str(obj),
                details={"via": "admin", "status": obj.status, "role": obj.role},
            )


@admin.register(TrainingRecord)
class TrainingRecordAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    hall_path = "user__staff_profile__hall"

    list_display = ["user", "kind", "title", "completed_on", "hours"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__staff_profile__display_name", "title"]
    autocomplete_fields = ["user"]


@admin.register(SkillCertification)
class SkillCertificationAdmin(HallScopedQuerysetMixin, admin.ModelAdmin):
    hall_path = "user__staff_profile__hall"

    list_display = ["user", "level", "certified_on", "certificate_number"]
    list_filter = ["level"]
    search_fields = ["user__username", "user__staff_profile__display_name", "certificate_number"]
    autocomplete_fields = ["user"]


@admin.register(ConductCode)
class ConductCodeAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "updated_at"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    list_display = ["user", "hall", "window_label", "signed_in_at", "signed_out_at", "sign_out_cause"]
    list_filter = ["hall"]
    date_hierarchy = "signed_in_at"
    list_select_related = ["user", "hall"]


@admin.register(ConductIncident)
class ConductIncidentAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    hall_path = "secondment__hall"

    list_display = ["secondment", "occurred_on", "source", "recorded_by"]
    list_filter = ["source"]
    list_select_related = ["secondment", "recorded_by"]


@admin.register(ReplacementRequest)
class ReplacementRequestAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    hall_path = "secondment__hall"

    """Made, closed and withdrawn by supervisors on their pages (audited there); read here."""

    list_display = ["secondment", "status", "deadline", "requested_by", "requested_at", "replacement", "closed_at"]
    list_filter = ["status", "secondment__hall", "secondment__department"]
    list_select_related = ["secondment", "requested_by", "replacement"]
    search_fields = ["secondment__staff_number"]


@admin.register(AssessmentProposal)
class AssessmentProposalAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    hall_path = "secondment__hall"

    """Proposed, revised and submitted by supervisors on their pages (audited there); read here."""

    list_display = ["secondment", "year", "grade", "status", "revised_at", "submitted_at"]
    list_filter = ["year", "grade", "status", "secondment__hall", "secondment__department"]
    list_select_related = ["secondment"]
    search_fields = ["secondment__staff_number"]


@admin.register(SurgeFlag)
class SurgeFlagAdmin(HallScopedQuerysetMixin, ReadOnlyAdmin):
    """Raised by the surge job, decided on the supervisors' and chief representatives' pages
    (audited there): read-only here."""

    list_display = ["date", "hall", "category", "department", "arrivals", "baseline", "ratio", "status", "decision"]
    list_filter = ["status", "hall"]
    date_hierarchy = "date"
    list_select_related = ["hall", "category", "department"]
