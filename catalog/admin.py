"""Admin for the catalog: materials inline, publishing guide versions, bundle limit checks,
and corrections to the working-day calendar."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.models import (
    HALL_ORDER,
    Bundle,
    BundleMember,
    CalendarDay,
    Department,
    GuideVersion,
    Hall,
    HallOpeningHours,
    HallZone,
    Material,
    SearchSynonym,
    ServiceItem,
    SpecialStep,
)
from catalog.services import BundleMemberSpec, CatalogError
from servicehall.clock import local_date


class BilingualAdmin(admin.ModelAdmin):
    """Shows each English field (``<name>_en``, issue 8) on the same row as its Chinese one."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        rows: list[Any] = []
        for name in fields:
            if isinstance(name, str) and name.endswith("_en") and name.removesuffix("_en") in fields:
                continue
            rows.append((name, f"{name}_en") if isinstance(name, str) and f"{name}_en" in fields else name)
        return rows


@admin.register(Department)
class DepartmentAdmin(BilingualAdmin):
    list_display = ["code", "name", "short_name", "enquiry_phone"]
    search_fields = ["code", "name", "name_en", "short_name"]


class OpeningHoursInline(admin.TabularInline):
    model = HallOpeningHours
    extra = 0
    max_num = 7


class ZoneInline(admin.TabularInline):
    model = HallZone
    extra = 0


@admin.register(Hall)
class HallAdmin(BilingualAdmin):
    list_display = ["code", "name", "level", "district", "parent"]
    list_filter = ["level", "district"]
    ordering = HALL_ORDER
    search_fields = ["code", "name", "name_en", "address"]
    list_select_related = ["parent"]
    filter_horizontal = ["items"]
    autocomplete_fields = ["parent"]
    inlines = [OpeningHoursInline, ZoneInline]


class VersionInline(admin.TabularInline):
    model = GuideVersion
    fields = ("number", "status", "effective_from", "change_note", "published_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = ["code", "implementation_code", "name", "name_en", "item_type", "department", "aliases", "aliases_en"]

    def clean_implementation_code(self) -> str:
        # Typed or pasted with spaces or in lower case: the model's validators check the rest.
        return "".join(self.cleaned_data.get("implementation_code", "").split()).upper()


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    list_display = ["code", "name", "implementation_code", "item_type", "department"]
    list_filter = ["item_type", "department"]
    search_fields = ["code", "implementation_code", "name", "name_en", "aliases"]
    list_select_related = ["department"]
    inlines = [VersionInline]
    actions = ["start_revision"]

    def save_model(self, request: HttpRequest, obj: ServiceItem, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The name and the aliases (常用名) are searched: the item's search documents follow them.
        services.search_documents_rebuild(item_ids=[obj.pk])

    @admin.action(description=_("为所选事项新建指南修订草稿（明天生效）"), permissions=["change"])
    def start_revision(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        tomorrow = local_date() + dt.timedelta(days=1)
        for item in queryset:
            try:
                version = services.guide_draft_from_current(
                    item=item, effective_from=tomorrow, actor=request.user, change_note=str(_("修订"))
                )
            except CatalogError as exc:
                self.message_user(request, f"{item.code}：{exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("已为 %(code)s 新建草稿 v%(number)s。") % {"code": item.code, "number": version.number}
                )


class _PublishedReadOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: GuideVersion | None) -> bool:
        return obj is None or obj.status == GuideVersion.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class MaterialInline(_PublishedReadOnlyInline):
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


class SpecialStepInline(_PublishedReadOnlyInline):
    model = SpecialStep
    fields = ["order", "kind", "name", "name_en", "max_days", "notes", "notes_en"]


class GuideVersionForm(forms.ModelForm):
    class Meta:
        model = GuideVersion
        fields = ["item", "effective_from", "change_note", "change_note_en", *services.GUIDE_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        item = cleaned.get("item")
        if self.instance.pk is None and item is not None:
            # Ask the service's rule early so the form is shown again with the input kept; the
            # service asks again, under the item's lock, when the draft is written.
            try:
                services.guide_draft_check(item=item)
            except CatalogError as exc:
                self.add_error("item", str(exc.message))
        return cleaned


@admin.register(GuideVersion)
class GuideVersionAdmin(BilingualAdmin):
    form = GuideVersionForm
    list_display = ["item", "number", "status", "effective_from", "published_at"]
    list_filter = ["status", "item__department", "handling_kind", "citywide", "cross_region", "cross_border"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]
    inlines = [MaterialInline, SpecialStepInline]
    actions = ["publish"]
    readonly_fields = ["number", "status", "published_at", "published_by"]

    def has_change_permission(self, request: HttpRequest, obj: GuideVersion | None = None) -> bool:
        # A published version is immutable: it can be viewed, never changed.
        if obj is not None and obj.status == GuideVersion.Status.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: GuideVersion | None = None) -> bool:
        if obj is not None and obj.status == GuideVersion.Status.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[GuideVersion]:
        return super().get_queryset(request).select_related("item")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GuideVersion]) -> None:
        queryset.filter(status=GuideVersion.Status.DRAFT).delete()

    def save_model(self, request: HttpRequest, obj: GuideVersion, form: forms.ModelForm, change: bool) -> None:
        if change:
            # Editing a draft's text; a published version never reaches here (read-only above).
            super().save_model(request, obj, form, change)
            return
        draft = services.guide_draft_create(
            item=obj.item,
            effective_from=obj.effective_from,
            change_note=obj.change_note,
            change_note_en=obj.change_note_en,
            fields={name: getattr(obj, name) for name in services.GUIDE_FIELDS},
            materials=(),
            actor=request.user,
        )
        # The inlines (materials, special steps) are saved next against the form's instance, and
        # the admin's log and redirect read its pk: make it the row the service wrote.
        obj.pk, obj.number, obj.status = draft.pk, draft.number, draft.status
        obj._state.adding, obj._state.db = False, draft._state.db

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogError as exc:
            # A rule the form could not see (another draft written since the form was checked):
            # nothing was saved (the admin's transaction rolled back); say why instead of a 500.
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.publish_guideversion")

    @admin.action(description=_("发布所选草稿"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[GuideVersion]) -> None:
        for version in queryset.select_related("item"):
            try:
                services.guide_publish(version=version, actor=request.user)
            except CatalogError as exc:
                self.message_user(request, f"{version}：{exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("已发布 %(version)s，%(date)s 起生效。") % {"version": version, "date": version.effective_from},
                )


class BundleMemberFormSet(forms.BaseInlineFormSet):
    """Refuse a bundle whose promised limit exceeds the Art. 13 ¶3 bound, showing the bound."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        specs = [
            BundleMemberSpec(stage=form.cleaned_data["stage"], item=form.cleaned_data["item"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("item")
        ]
        promised = self.instance.promised_limit_days
        if promised is None:
            return
        try:
            services.bundle_check_limit(promised_limit_days=promised, members=specs, today=local_date())
        except CatalogError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    formset = BundleMemberFormSet
    extra = 1
    autocomplete_fields = ["item"]
    fields = ["stage", "order", "item", "duties"]


@admin.register(Bundle)
class BundleAdmin(BilingualAdmin):
    list_display = ["name", "lead_department", "promised_limit_days", "limit_flag", "is_published"]
    list_filter = ["is_published", "lead_department", ("limit_breached_since", admin.EmptyFieldListFilter)]
    readonly_fields = ["limit_breached_since", "limit_breach_note", "limit_breach_notified_at"]

    @admin.display(description=_("承诺时限之和复核"))
    def limit_flag(self, obj: Bundle) -> str:
        if obj.limit_breached_since is None:
            return "—"
        return format_html(
            '<strong class="errornote">{}</strong> {}',
            _("%(date)s起超出承诺时限之和") % {"date": obj.limit_breached_since.isoformat()},
            obj.limit_breach_note,
        )

    search_fields = ["name", "name_en"]
    inlines = [BundleMemberInline]

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A bundle's name is a search keyword of its members; an item taken out keeps it until
        # the nightly rebuild.
        services.search_documents_rebuild(item_ids=form.instance.members.values_list("item_id", flat=True))
        # Saved within the rule (the formset checked it): a breach flag, if any, is cleared.
        services.bundle_limits_recheck(bundle_ids=[form.instance.pk])


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["kind", "reason"]
        help_texts = {"reason": _("日期类型与节假日数据包不同时必填；改回数据包的类型即恢复自动更新。")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        kind = cleaned.get("kind")
        if kind and not self.errors:
            # The rule is the service's; asked here so that the field shows it, not a 500.
            try:
                services.calendar_day_check(date=self.instance.date, kind=kind, reason=cleaned.get("reason") or "")
            except CatalogError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
        return cleaned


# A day as a person in Guangzhou types it into the search box: 2026-12-15, 2026/12/15, 2026.12.15,
# 2026年12月15日 (or 号), 20261215; without the year (12-15, 12月15日) the day of every year shown;
# a year and month (2026-12, 2026年12月) the whole month.
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def calendar_search_days(term: str) -> Q | None:
    """The days a search of the calendar admin names, or None when ``term`` is no date (it is then
    only searched in the notes). An impossible date (2026-02-30) names no day rather than failing."""
    text = unicodedata.normalize("NFKC", term).strip()  # full-width digits and punctuation
    try:
        if match := _FULL_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
            year, month, day = map(int, match.groups())
            return Q(date=dt.date(year, month, day))
        if match := _MONTH_DAY.fullmatch(text):
            month, day = map(int, match.groups())
            dt.date(2024, month, day)  # a leap year: 2-29 is a day some years have
            return Q(date__month=month, date__day=day)
        if match := _YEAR_MONTH.fullmatch(text):
            year, month = map(int, match.groups())
            dt.date(year, month, 1)
            return Q(date__year=year, date__month=month)
    except ValueError:
        return Q(pk__in=[])
    return None


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "reason", "provisional_flag", "source"]
    list_filter = ["kind", "provisional", "source"]
    date_hierarchy = "date"
    search_fields = ["reason"]
    search_help_text = _("按日期（如 2026-12-15、2026/12/15、2026年12月15日、12-15）或说明搜索。")
    actions = ["reseed_years"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(HallOpeningHours.Weekday(obj.date.weekday()).label)

    @admin.display(description=_("待确认"), boolean=False)
    def provisional_flag(self, obj: CalendarDay) -> str:
        return format_html('<strong class="errornote">{}</strong>', _("待确认")) if obj.provisional else "—"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay], search_term: str
    ) -> tuple[QuerySet[CalendarDay], bool]:
        # The search box finds a day by its date as typed, as well as by the note (说明).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        days = calendar_search_days(search_term)
        if days is not None:
            results = results | queryset.filter(days)
        return results, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        provisional_years = sorted(
            {d.year for d in CalendarDay.objects.filter(provisional=True).values_list("date", flat=True).distinct()}
        )
        if provisional_years:
            self.message_user(
                request,
                _(
                    "%(years)s年的放假安排尚未由节假日数据包确认"
                    "（国务院办公厅通知发布后升级 holidays 包或人工核对修正），相关日期为推定值。"
                )
                % {"years": "、".join(map(str, provisional_years))},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: forms.ModelForm, change: bool) -> None:
        row = services.calendar_day_correct(day=obj, kind=obj.kind, reason=obj.reason, actor=request.user)
        if row.source == CalendarDay.Source.PACKAGE:
            values = {"date": row.date.isoformat(), "kind": row.get_kind_display()}
            if (obj.reason or "").strip() and "reason" in form.changed_data:
                message = _(
                    "%(date)s 已恢复为节假日数据包的数据（%(kind)s），今后随数据包自动更新；填写的说明已记入操作日志。"
                )
            else:  # nothing written: the log has the change, not a note (walkthrough finding 6e)
                message = _(
                    "%(date)s 已恢复为节假日数据包的数据（%(kind)s），今后随数据包自动更新；此次修改已记入操作日志。"
                )
            self.message_user(request, message % values)

    @admin.action(description=_("按节假日数据包重新生成所选日期所在年份（保留人工修正）"), permissions=["change"])
    def reseed_years(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for year in sorted({d.year for d in queryset.values_list("date", flat=True)}):
            result = services.calendar_fill_year(year=year)
            self.message_user(
                request,
                _("%(year)s年：新增%(created)s天，更新%(updated)s天，保留人工修正%(kept)s天。")
                % {"year": year, "created": result.created, "updated": result.updated, "kept": result.kept_manual},
            )


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Words a search treats as one (户籍 户口): saving or deleting rewrites every search document
    after the commit (docs/search.md)."""

    list_display = ["__str__", "updated_at"]
    search_fields = ["words"]

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: forms.ModelForm, change: bool) -> None:
        services.search_synonym_save(synonym=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: SearchSynonym) -> None:
        services.search_synonyms_delete(synonyms=[obj], actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SearchSynonym]) -> None:
        # Django's "delete selected" action, after its confirmation page: audited and re-indexed too.
        services.search_synonyms_delete(synonyms=queryset, actor=request.user)
