"""Admin for the appointments: slot plans (saving one regenerates its hall's slots), slots (closed
only through an action that asks for the reason and tells the people booked), each hall's
booking rules; bookings, the people who book and reminders read-only, personal data masked.

Scope: a supervisor or administrator tied to a hall (``StaffProfile.hall``) sees and edits only
that hall — querysets, filters and form choices are narrowed to it; citywide supervisors,
administrators and superusers see every hall (``servicehall.access.staff_scope``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from appointments import services
from appointments.forms_staff import AdminReasonForm
from appointments.models import (
    Booking,
    BookingPerson,
    CheckInFailure,
    HallBookingSettings,
    Reminder,
    Slot,
    SlotPlan,
)
from appointments.services import BookingError
from catalog.models import Hall
from queueing.models import QueueCategory
from servicehall.access import staff_scope
from servicehall.clock import SHANGHAI, local_date
from servicehall.personal_data import mask_mobile, mask_name, scrub
from servicehall.roles import SUPERVISION_ROLES

REASON_PAGE = "appointments/supervisor/admin_reason.html"


def _in_scope(queryset: QuerySet, request: HttpRequest, hall_path: str) -> QuerySet:
    """``queryset`` narrowed to the user's hall unless they are citywide."""
    hall_ids = staff_scope(request.user).hall_ids()
    if hall_ids is None:
        return queryset
    return queryset.filter(**{f"{hall_path}__in": hall_ids}) if hall_ids else queryset.none()


class _CategoryChoiceField(forms.ModelChoiceField):
    """Queue categories named with their hall (halls share letters and names)."""

    def label_from_instance(self, obj: QueueCategory) -> str:
        return f"{obj.hall} · {obj}"


class HallScopedAdmin(admin.ModelAdmin):
    """Rows, filters and choices of the user's hall only (every hall for citywide users)."""

    hall_path = "hall"  # lookup from the model to its hall's pk

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _in_scope(super().get_queryset(request), request, self.hall_path)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Hall:
            kwargs["queryset"] = _in_scope(Hall.objects.order_by("code"), request, "pk")
        elif db_field.related_model is QueueCategory:
            kwargs["queryset"] = _in_scope(
                QueueCategory.objects.select_related("hall").order_by("hall__code", "order", "letter"),
                request,
                "hall",
            )
            kwargs["form_class"] = _CategoryChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _ReadOnly(admin.ModelAdmin):
    """Records written by the services, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _reason_page(
    admin_: admin.ModelAdmin,
    request: HttpRequest,
    *,
    queryset: QuerySet,
    objects: list[Any],
    form: AdminReasonForm,
    action: str,
    title: str,
    intro: str,
    submit: str,
) -> TemplateResponse:
    """The intermediate page of an action that needs a reason (Django's delete-confirmation pattern:
    the selected rows go back as ``_selected_action``, the answer comes with ``apply``)."""
    opts = admin_.model._meta
    return TemplateResponse(
        request,
        REASON_PAGE,
        {
            **admin_.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "opts": opts,
            "objects": objects,
            "selected": [obj.pk for obj in queryset],
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": admin_.media,
        },
        status=400 if form.is_bound else 200,
    )


# --- Configuration -----------------------------------------------------------------------------


class SlotPlanForm(forms.ModelForm):
    class Meta:
        model = SlotPlan
        fields = [
            "hall",
            "category",
            "kind",
            "starts",
            "ends",
            "slot_minutes",
            "capacity",
            "is_active",
            "valid_from",
            "valid_until",
            "urgent_only",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        hall, category = cleaned.get("hall"), cleaned.get("category")
        if hall is not None and category is not None and category.hall_id != hall.pk:
            self.add_error("category", _("所选排队类别不属于该大厅，请选择该大厅的排队类别。"))
        return cleaned


@admin.register(SlotPlan)
class SlotPlanAdmin(HallScopedAdmin):
    form = SlotPlanForm
    list_display = [
        "hall",
        "category",
        "kind",
        "starts",
        "ends",
        "slot_minutes",
        "capacity",
        "is_active",
        "valid_from",
        "valid_until",
        "urgent_only",
    ]
    list_filter = ["kind", "is_active", "urgent_only", ("hall", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["hall", "category"]
    search_fields = ["hall__code", "hall__name", "category__name"]
    ordering = ["hall__code", "category__order", "category__letter", "kind", "starts"]

    def save_model(self, request: HttpRequest, obj: SlotPlan, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        halls = {obj.hall_id}
        if change and "hall" in form.changed_data and form.initial.get("hall"):
            halls.add(form.initial["hall"])  # the plan moved: the old hall loses its slots too
        self._regenerate(request, halls)

    def delete_model(self, request: HttpRequest, obj: SlotPlan) -> None:
        hall_id = obj.hall_id
        super().delete_model(request, obj)
        self._regenerate(request, {hall_id})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SlotPlan]) -> None:
        halls = set(queryset.values_list("hall_id", flat=True))
        super().delete_queryset(request, queryset)
        self._regenerate(request, halls)

    def _regenerate(self, request: HttpRequest, hall_ids: set[int]) -> None:
        """Make the hall's slots up to its booking horizon follow its plans now, rather than at
        the next periodic run: new slots appear, empty ones no plan wants go, booked ones are
        closed and their bookings told. Slots already generated keep their seats."""
        now = timezone.now()
        today = local_date(now)
        for hall_id in sorted(hall_ids):
            end = services.horizon_end(hall=hall_id, today=today)
            result = services.slots_generate(start=today, end=end, halls=[hall_id], now=now)
            self.message_user(
                request,
                _(
                    "已按预约时段计划更新至 %(end)s 的可预约时段：新增 %(created)s 个，删除 %(removed)s 个空时段，"
                    "关闭 %(closed)s 个已有预约的时段（已通知预约人改约）。已生成时段的名额不随计划改变，"
                    "如需调整请在“预约管理”页按日调整。"
                )
                % {
                    "end": end.isoformat(),
                    "created": result.created,
                    "removed": result.removed,
                    "closed": result.closed,
                },
            )


@admin.register(Slot)
class SlotAdmin(HallScopedAdmin):
    """Slots come from the plans; the only change by hand is closing one (``slot_close``), so the
    change form is read-only and seats are changed per day on the supervisors' page."""

    list_display = [
        "starts_local",
        "hall",
        "category",
        "kind",
        "capacity",
        "booked",
        "seats_left_display",
        "is_closed",
        "closed_reason",
        "urgent_only",
    ]
    list_filter = ["is_closed", "kind", "urgent_only", ("hall", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["hall", "category"]
    search_fields = ["hall__code", "hall__name", "category__name", "closed_reason"]
    date_hierarchy = "date"
    ordering = ["starts_at", "category__order"]
    actions = ["close_slots"]

    def get_readonly_fields(self, request: HttpRequest, obj: Slot | None = None) -> list[str]:
        return [field.name for field in Slot._meta.fields if field.name != "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        nothing_to_save = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **nothing_to_save})

    @admin.display(description=gettext_lazy("开始"), ordering="starts_at")
    def starts_local(self, obj: Slot) -> str:
        return f"{obj.starts_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}–{obj.ends_at.astimezone(SHANGHAI):%H:%M}"

    @admin.display(description=gettext_lazy("余位"))
    def seats_left_display(self, obj: Slot) -> int:
        return obj.seats_left

    @admin.action(description=gettext_lazy("关闭所选时段"), permissions=["change"])
    def close_slots(self, request: HttpRequest, queryset: QuerySet[Slot]) -> TemplateResponse | None:
        slots = list(queryset.select_related("hall", "category").order_by("starts_at", "category__order"))
        form = AdminReasonForm(
            request.POST if "apply" in request.POST else None,
            label=gettext_lazy("关闭原因"),
            required_message=gettext_lazy("请填写关闭原因。"),
        )
        if not form.is_bound or not form.is_valid():
            booked = sum(slot.booked for slot in slots if not slot.is_closed)
            return _reason_page(
                self,
                request,
                queryset=queryset,
                objects=slots,
                form=form,
                action="close_slots",
                title=_("关闭所选预约时段"),
                intro=_(
                    "关闭后这些时段不再接受预约；所选时段共已约 %(n)s 人，其中尚未签到的预约人将收到时段关闭通知，"
                    "并可通过管理链接改约到其他时间。已关闭的时段将被跳过。"
                )
                % {"n": booked},
                submit=_("确认关闭"),
            )
        closed = displaced = 0
        for slot in slots:
            if slot.is_closed:
                continue
            try:
                displaced += services.slot_close(slot=slot, reason=form.cleaned_data["reason"], actor=request.user)
            except BookingError as exc:
                self.message_user(request, f"{slot}：{exc.message}", messages.ERROR)
            else:
                closed += 1
        skipped = len(slots) - closed
        self.message_user(
            request,
            _("已关闭 %(closed)s 个时段，通知 %(n)s 位预约人改约；跳过已关闭的 %(skipped)s 个。")
            % {"closed": closed, "n": displaced, "skipped": skipped},
        )
        return None


@admin.register(HallBookingSettings)
class HallBookingSettingsAdmin(HallScopedAdmin):
    list_display = [
        "hall",
        "horizon_working_days",
        "cancel_before_hours",
        "max_active",
        "no_show_limit",
        "no_show_window_days",
        "suspension_days",
        "checkin_before_minutes",
        "checkin_after_minutes",
        "no_show_grace_minutes",
    ]
    list_select_related = ["hall"]
    search_fields = ["hall__code", "hall__name"]


# --- Records -----------------------------------------------------------------------------------


@admin.register(Booking)
class BookingAdmin(HallScopedAdmin, _ReadOnly):
    """Bookings as the hall sees them: the applicant's name, mobile and ID number masked; the
    manage token (the applicant's private link) never shown."""

    list_display = [
        "code",
        "hall",
        "category",
        "slot_time",
        "name_masked",
        "mobile_masked",
        "id_masked",
        "status",
        "source",
        "created_at",
    ]
    list_filter = ["status", "source", ("hall", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["hall", "category", "slot", "person"]
    search_fields = ["code"]
    date_hierarchy = "date"
    fields = (
        "code",
        "hall",
        "category",
        "item",
        "slot_time",
        "status",
        "name_masked",
        "mobile_masked",
        "id_masked",
        "source",
        "created_at",
        "cancelled_at",
        "checked_in_at",
        "ticket",
        "rescheduled_from",
    )
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("booking", "时段"), ordering="slot__starts_at")
    def slot_time(self, obj: Booking) -> str:
        starts = obj.slot.starts_at.astimezone(SHANGHAI)
        return f"{starts:%Y-%m-%d %H:%M}–{obj.slot.ends_at.astimezone(SHANGHAI):%H:%M}"

    @admin.display(description=gettext_lazy("姓名"))
    def name_masked(self, obj: Booking) -> str:
        return mask_name(obj.name)

    @admin.display(description=gettext_lazy("手机号码"))
    def mobile_masked(self, obj: Booking) -> str:
        return mask_mobile(obj.mobile)

    @admin.display(description=gettext_lazy("证件号"))
    def id_masked(self, obj: Booking) -> str:
        return obj.person.id_masked


class _SuspensionFilter(admin.SimpleListFilter):
    title = gettext_lazy("预约状态")
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("暂停中")), ("no", gettext_lazy("未暂停"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(suspended_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(suspended_until__gt=now)
        return queryset


@admin.register(BookingPerson)
class BookingPersonAdmin(_ReadOnly):
    """The people who book, known by the masked copy of their ID number. A supervisor lifts a
    suspension with the action, which asks for the reason and goes through ``suspension_lift``
    (audited); the supervisors' page /supervisor/suspensions/ does the same."""

    list_display = ["id_masked", "suspended_until", "suspension_reason", "lifted_at", "lifted_by", "lift_reason"]
    list_filter = [_SuspensionFilter]
    list_select_related = ["lifted_by"]
    fields = ("id_masked", "suspended_until", "suspension_reason", "lifted_at", "lifted_by", "lift_reason")
    readonly_fields = fields
    ordering = ["-suspended_until", "id_masked"]
    actions = ["lift_suspensions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BookingPerson]:
        people = super().get_queryset(request)
        hall_ids = staff_scope(request.user).hall_ids()
        if hall_ids is None:
            return people
        if not hall_ids:
            return people.none()
        # A hall's staff know the people who booked there.
        return people.filter(Exists(Booking.objects.filter(person=OuterRef("pk"), hall_id__in=hall_ids)))

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return staff_scope(request.user).has_role(*SUPERVISION_ROLES) and self.has_view_permission(request)

    @admin.action(description=gettext_lazy("解除所选预约人的预约暂停"), permissions=["lift"])
    def lift_suspensions(self, request: HttpRequest, queryset: QuerySet[BookingPerson]) -> TemplateResponse | None:
        now = timezone.now()
        people = list(queryset.order_by("suspended_until", "pk"))
        form = AdminReasonForm(
            request.POST if "apply" in request.POST else None,
            label=gettext_lazy("解除原因"),
            required_message=gettext_lazy("请填写解除原因。"),
        )
        if not form.is_bound or not form.is_valid():
            return _reason_page(
                self,
                request,
                queryset=queryset,
                objects=people,
                form=form,
                action="lift_suspensions",
                title=_("解除预约暂停"),
                intro=_("解除后这些预约人可再次网上预约；解除原因和操作人将记入操作日志。未被暂停的预约人将被跳过。"),
                submit=_("确认解除"),
            )
        lifted = 0
        for person in people:
            if not person.is_suspended(now):
                continue
            try:
                services.suspension_lift(person=person, actor=request.user, reason=form.cleaned_data["reason"])
            except BookingError as exc:
                self.message_user(request, f"{person.id_masked}：{exc.message}", messages.ERROR)
            else:
                lifted += 1
        self.message_user(
            request,
            _("已解除 %(lifted)s 位预约人的预约暂停；跳过未被暂停的 %(skipped)s 位。")
            % {"lifted": lifted, "skipped": len(people) - lifted},
        )
        return None


@admin.register(Reminder)
class ReminderAdmin(HallScopedAdmin, _ReadOnly):
    hall_path = "booking__hall"
    list_display = ["booking", "kind", "slot", "due_at", "status", "sent_at", "attempts", "error_scrubbed"]
    list_filter = ["kind", "status"]
    list_select_related = ["booking", "slot", "slot__category"]
    search_fields = ["booking__code"]
    date_hierarchy = "due_at"
    fields = ("booking", "kind", "slot", "due_at", "status", "claimed_at", "sent_at", "attempts", "error_scrubbed")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("最近错误"))
    def error_scrubbed(self, obj: Reminder) -> str:
        # A gateway's error may quote the number it failed to reach.
        return scrub(obj.last_error)


@admin.register(CheckInFailure)
class CheckInFailureAdmin(HallScopedAdmin, _ReadOnly):
    """Check-ins that found nothing, by kiosk and booking (the limits on guessing count them)."""

    list_display = ["at", "hall", "device", "booking", "by_id_number", "reason"]
    list_filter = ["reason", "by_id_number", "hall"]
    list_select_related = ["hall", "device", "booking"]
    date_hierarchy = "at"
