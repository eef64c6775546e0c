"""Every write to the catalog. Keyword-only, one transaction each, raising ``CatalogError``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import holiday_source, page_cache, search, signals
from catalog.bundles import StageLimit, bound_explanation, limit_bound
from catalog.models import (
    Bundle,
    BundleMember,
    CalendarDay,
    GuideSearchDocument,
    GuideVersion,
    Material,
    SearchSynonym,
    ServiceItem,
    SpecialStep,
)
from catalog.selectors import CALENDAR_VERSION_KEY
from servicehall import outbox
from servicehall.access import AnyUser
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.errors import DomainError


class CatalogError(DomainError):
    pass


def _validation_to_error(exc: ValidationError) -> CatalogError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return CatalogError(errors[0].messages[0], field=None if field == "__all__" else field)
    return CatalogError(exc.messages[0])


# --- Guides ----------------------------------------------------------------------------------

# The English of a text field (``<name>_en``, issue 8) follows it: it belongs to the version,
# is copied into a revision and is frozen with it when published.
GUIDE_FIELDS = (
    "applicant_type",
    "conditions",
    "conditions_en",
    "legal_basis",
    "legal_basis_en",
    "procedure",
    "procedure_en",
    "handling_kind",
    "statutory_limit_days",
    "promised_limit_days",
    "is_free",
    "fee_description",
    "fee_description_en",
    "fee_basis",
    "fee_basis_en",
    "result_description",
    "result_description_en",
    "online_url",
    "visits_required",
    "citywide",
    "cross_region",
    "cross_border",
    "handling_methods",
    "handling_methods_en",
    "enquiry_phone",
    "complaint_phone",
    "allows_deferred_acceptance",
    "extension_limit_days",
)
MATERIAL_FIELDS = (
    "order",
    "name",
    "name_en",
    "form",
    "copies",
    "may_follow_later",
    "conditional",
    "follow_within_days",
    "notes",
    "notes_en",
)
STEP_FIELDS = ("order", "kind", "name", "name_en", "max_days", "notes", "notes_en")


def _lock_version(version_id: int) -> GuideVersion:
    return GuideVersion.objects.select_for_update().select_related("item").get(pk=version_id)


def _lock_item(item_id: int) -> ServiceItem:
    """Serialises drafting for one item: the one-draft check and the next number are read under it."""
    return ServiceItem.objects.select_for_update().get(pk=item_id)


def guide_draft_check(*, item: ServiceItem) -> None:
    """Refuse a new draft while the item has one (one draft per item, so two editors never
    revise the same guide apart). The admin form asks early; ``guide_draft_create`` asks again
    under the item lock, and the ``guide_one_draft_per_item`` index is the last word."""
    if item.versions.filter(status=GuideVersion.Status.DRAFT).exists():
        raise CatalogError(_("该事项已有未发布的草稿，请先编辑或发布该草稿。"), field="item")


def guide_draft_create(
    *,
    item: ServiceItem,
    effective_from: dt.date,
    fields: dict[str, Any],
    materials: Sequence[dict[str, Any]],
    special_steps: Sequence[dict[str, Any]] = (),
    change_note: str = "",
    change_note_en: str = "",
    actor: AnyUser | None = None,
) -> GuideVersion:
    """A new draft version of ``item``'s guide with its materials and special steps, numbered
    after the item's highest version. ``actor`` is None for the demo loader and data imports.

    Unless ``fields`` says otherwise, the version allows 容缺受理 exactly when it marks a material
    that may follow later (what guides published before the flag existed meant by the mark)."""
    if "allows_deferred_acceptance" not in fields:
        fields = {**fields, "allows_deferred_acceptance": any(m.get("may_follow_later") for m in materials)}
    with transaction.atomic():
        _lock_item(item.pk)
        guide_draft_check(item=item)
        number = (item.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = GuideVersion(
            item=item,
            number=number,
            effective_from=effective_from,
            change_note=change_note,
            change_note_en=change_note_en,
            **fields,
        )
        _save_validated(version)
        for position, data in enumerate(materials, start=1):
            _save_validated(Material(version=version, **{"order": position, **data}))
        for position, data in enumerate(special_steps, start=1):
            _save_validated(SpecialStep(version=version, **{"order": position, **data}))
        audit_record(
            actor=actor,
            action="guide.draft",
            target=version,
            summary=_("新建办事指南草稿 %(item)s v%(number)s") % {"item": item.code, "number": version.number},
        )
        return version


def guide_draft_from_current(
    *, item: ServiceItem, effective_from: dt.date, actor: AnyUser | None, change_note: str = ""
) -> GuideVersion:
    """Start a revision: a draft copying the latest published version, to be edited and published."""
    source = item.versions.published().order_by("-effective_from", "-number").first()
    if source is None:
        raise CatalogError(_("该事项还没有已发布的办事指南版本，请直接新建版本。"))
    return guide_draft_create(
        item=item,
        effective_from=effective_from,
        change_note=change_note,
        fields={name: getattr(source, name) for name in GUIDE_FIELDS},
        materials=[{name: getattr(m, name) for name in MATERIAL_FIELDS} for m in source.materials.all()],
        special_steps=[{name: getattr(s, name) for name in STEP_FIELDS} for s in source.special_steps.all()],
        actor=actor,
    )


def guide_publish(*, version: GuideVersion, actor: AnyUser | None, today: dt.date | None = None) -> GuideVersion:
    """Publish a draft. From then on it is immutable; it becomes current on its effective date."""
    today = today or local_date()
    with transaction.atomic():
        version = _lock_version(version.pk)
        if version.status != GuideVersion.Status.DRAFT:
            raise CatalogError(_("该版本已经发布，已发布的版本不能修改或重复发布。"))
        if version.effective_from < today:
            raise CatalogError(
                _("生效日期不能早于今天（%(today)s）：已生效的内容不能被追溯修改。") % {"today": today.isoformat()},
                field="effective_from",
            )
        if not version.materials.exists():
            raise CatalogError(_("办事指南至少须列明一项申请材料。"))
        if version.allows_deferred_acceptance and not version.materials.filter(may_follow_later=True).exists():
            raise CatalogError(
                _("允许容缺受理的办事指南须至少将一项材料标为“可容缺后补”。"), field="allows_deferred_acceptance"
            )
        try:
            version.full_clean()
        except ValidationError as exc:
            raise _validation_to_error(exc) from exc
        version.status = GuideVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        # A signed-in user of the user model; the demo loader (None) and anonymous publish as nobody.
        version.published_by = actor if isinstance(actor, get_user_model()) else None
        version.save(update_fields=["status", "published_at", "published_by"])
        audit_record(
            actor=actor,
            action="guide.publish",
            target=version,
            summary=_("发布办事指南 %(item)s v%(number)s，%(date)s生效")
            % {"item": version.item.code, "number": version.number, "date": version.effective_from.isoformat()},
        )
        search_documents_rebuild(item_ids=[version.item_id])
        # A bundle with this item may no longer keep within its members' promised limits (issue 11).
        if bundle_limits_recheck(item_ids=[version.item_id], today=today):
            outbox.enqueue("catalog.tasks.bundle_limit_breaches_notify")
        return version


def _save_validated(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    obj.save()


# --- Bundles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleMemberSpec:
    stage: int
    item: ServiceItem
    order: int = 0


def bundle_stage_limits(members: Iterable[BundleMemberSpec], *, today: dt.date) -> list[StageLimit]:
    """Each member's promised limit from its item's current guide."""
    members = list(members)
    current = {
        v.item_id: v.promised_limit_days
        for v in GuideVersion.objects.current(today).filter(item__in=[m.item.pk for m in members])
    }
    missing = [m.item.code for m in members if m.item.pk not in current]
    if missing:
        raise CatalogError(
            _("以下事项没有现行有效的办事指南，不能纳入一件事：%(codes)s") % {"codes": "、".join(missing)}
        )
    return [StageLimit(m.stage, m.item.code, current[m.item.pk]) for m in members]


def bundle_check_limit(*, promised_limit_days: int, members: Sequence[BundleMemberSpec], today: dt.date) -> None:
    if not members:
        raise CatalogError(_("一件事至少须包含一个事项。"))
    stages = sorted({m.stage for m in members})
    if stages != list(range(1, len(stages) + 1)):
        raise CatalogError(_("阶段须从1开始连续编号（当前为：%(stages)s）。") % {"stages": "、".join(map(str, stages))})
    limits = bundle_stage_limits(members, today=today)
    bound = limit_bound(limits)
    if promised_limit_days > bound:
        raise CatalogError(
            _(
                "承诺办结时限%(days)s个工作日超过了各事项承诺时限之和：前后置审批不得超过各事项承诺时限之和，"
                "并行审批不得超过单个事项的最长承诺时限（%(explanation)s）。"
            )
            % {"days": promised_limit_days, "explanation": bound_explanation(limits)},
            field="promised_limit_days",
        )


def bundle_save(
    *, bundle: Bundle, members: Sequence[BundleMemberSpec], actor: AnyUser | None, today: dt.date | None = None
) -> Bundle:
    """Create or update a bundle and replace its members, refusing one that breaks the limit rule."""
    today = today or local_date()
    bundle_check_limit(promised_limit_days=bundle.promised_limit_days, members=members, today=today)
    with transaction.atomic():
        _save_validated(bundle)
        # A bundle's name is a keyword of its members' search documents (before and after).
        reindexed = [*bundle.members.values_list("item_id", flat=True), *(m.item.pk for m in members)]
        bundle.members.all().delete()
        BundleMember.objects.bulk_create(
            BundleMember(bundle=bundle, stage=m.stage, item=m.item, order=m.order or position)
            for position, m in enumerate(members, start=1)
        )
        audit_record(
            actor=actor, action="bundle.save", target=bundle, summary=_("保存一件事：%(name)s") % {"name": bundle.name}
        )
        search_documents_rebuild(item_ids=reindexed)
        bundle_limits_recheck(bundle_ids=[bundle.pk], today=today)
    return bundle


def _bundle_breach(bundle: Bundle, current: dict[int, int]) -> str:
    """Why ``bundle`` breaks the Art. 13 ¶3 rule with the members' current promised limits, or ""."""
    members = list(bundle.members.all())
    missing = [m.item.code for m in members if m.item_id not in current]
    if missing:
        return _("以下成员事项没有现行有效的办事指南：%(codes)s。") % {"codes": "、".join(missing)}
    limits = [StageLimit(m.stage, m.item.code, current[m.item_id]) for m in members]
    bound = limit_bound(limits)
    if bundle.promised_limit_days > bound:
        return _("承诺办结时限%(days)s个工作日超过了各成员事项承诺时限之和（%(explanation)s）。") % {
            "days": bundle.promised_limit_days,
            "explanation": bound_explanation(limits),
        }
    return ""


def bundle_limits_recheck(
    *, item_ids: Iterable[int] | None = None, bundle_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> list[int]:
    """Re-check bundles' promised limits against the sum of their members' current promised
    limits (承诺时限之和, Art. 13 ¶3): every bundle, or those with a member in ``item_ids`` or in
    ``bundle_ids``. A bundle that breaks the rule is flagged (``limit_breached_since`` with the
    explanation) until it keeps it again; returns the ids of the bundles flagged by this run (the
    notification is ``bundle_limit_breaches_notify``'s, outside any transaction)."""
    today = today or local_date()
    bundles = Bundle.objects.prefetch_related(
        models.Prefetch("members", queryset=BundleMember.objects.select_related("item"))
    ).order_by("pk")
    if item_ids is not None:
        bundles = bundles.filter(pk__in=BundleMember.objects.filter(item_id__in=list(item_ids)).values("bundle_id"))
    if bundle_ids is not None:
        bundles = bundles.filter(pk__in=list(bundle_ids))
    newly: list[int] = []
    with transaction.atomic():
        rows = list(bundles)
        item_pks = {m.item_id for b in rows for m in b.members.all()}
        current = dict(
            GuideVersion.objects.current(today).filter(item__in=item_pks).values_list("item_id", "promised_limit_days")
        )
        for bundle in rows:
            breach = _bundle_breach(bundle, current)
            if breach and bundle.limit_breached_since is None:
                Bundle.objects.filter(pk=bundle.pk).update(
                    limit_breached_since=today, limit_breach_note=breach[:300], limit_breach_notified_at=None
                )
                newly.append(bundle.pk)
                audit_record(
                    actor=None,
                    action="bundle.limit_breached",
                    target=bundle,
                    summary=_("一件事“%(name)s”超出承诺时限之和：%(note)s") % {"name": bundle.name, "note": breach},
                )
            elif breach and breach[:300] != bundle.limit_breach_note:
                Bundle.objects.filter(pk=bundle.pk).update(limit_breach_note=breach[:300])
            elif not breach and bundle.limit_breached_since is not None:
                Bundle.objects.filter(pk=bundle.pk).update(
                    limit_breached_since=None, limit_breach_note="", limit_breach_notified_at=None
                )
    return newly


def bundle_limit_breaches_notify(*, now: dt.datetime | None = None) -> int:
    """Tell the administrators and supervisors, once, of each bundle flagged by
    ``bundle_limits_recheck`` (one message per bundle and breach; not inside a transaction).
    Returns the number of messages sent."""
    from servicehall import notifications, roles

    now = now or timezone.now()
    pending = list(Bundle.objects.filter(limit_breached_since__isnull=False, limit_breach_notified_at__isnull=True))
    if not pending:
        return 0
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[roles.ADMINISTRATOR, roles.SUPERVISOR])
            .values_list("username", flat=True)
        )
    )
    sent = 0
    for bundle in pending:
        if recipients:
            notifications.notify(
                recipients=recipients,
                subject=_("一件事“%(name)s”的承诺办结时限超出各成员事项承诺时限之和") % {"name": bundle.name},
                body=_("%(since)s起，%(note)s请调整该一件事的承诺办结时限或阶段。")
                % {
                    "since": bundle.limit_breached_since.isoformat() if bundle.limit_breached_since else "",
                    "note": bundle.limit_breach_note,
                },
                data={
                    "idempotency_key": f"bundle-limit:{bundle.pk}:{bundle.limit_breached_since}",
                    "bundle": bundle.pk,
                },
            )
            sent += 1
        Bundle.objects.filter(pk=bundle.pk, limit_breach_notified_at__isnull=True).update(limit_breach_notified_at=now)
    return sent


# --- Working-day calendar --------------------------------------------------------------------


def _lock_calendar_days(start: dt.date, end: dt.date) -> list[CalendarDay]:
    """The table's rows for ``[start, end]``, locked in date (primary-key) order so that the
    seeding job and an administrator's correction never wait on each other in a cycle."""
    return list(CalendarDay.objects.select_for_update().filter(date__range=(start, end)).order_by("pk"))


@dataclass
class CalendarFillResult:
    year: int
    created: int
    updated: int
    kept_manual: int
    provisional: bool


def calendar_fill_year(*, year: int) -> CalendarFillResult:
    """Write every day of ``year`` from the `holidays` package, keeping administrators' corrections."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    wanted = {}
    day = start
    while day <= end:
        wanted[day] = holiday_source.day_info(day)
        day += dt.timedelta(days=1)
    with transaction.atomic():
        existing = {d.date: d for d in _lock_calendar_days(start, end)}
        to_create, to_update, kept = [], [], 0
        for date, info in wanted.items():
            row = existing.get(date)
            if row is None:
                to_create.append(
                    CalendarDay(date=date, kind=info.kind, reason=info.reason, provisional=info.provisional)
                )
            elif row.source == CalendarDay.Source.MANUAL:
                kept += 1
            elif (row.kind, row.reason, row.provisional) != (info.kind, info.reason, info.provisional):
                row.kind, row.reason, row.provisional = info.kind, info.reason, info.provisional
                row.updated_at = timezone.now()
                to_update.append(row)
        CalendarDay.objects.bulk_create(to_create)
        CalendarDay.objects.bulk_update(to_update, ["kind", "reason", "provisional", "updated_at"])
        if to_create or to_update:
            calendar_version_bump()
            # Deadlines stored over these days (cases) may move, or stop being provisional.
            signals.calendar_changed.send(sender=CalendarDay, start=start, end=end)
    return CalendarFillResult(year, len(to_create), len(to_update), kept, not holiday_source.year_is_confirmed(year))


def calendar_version_bump() -> None:
    """Move the calendar's version (``catalog.selectors.CALENDAR_VERSION_KEY``): now, for this
    transaction's own reads, and again once committed, for a process that read the old calendar
    meanwhile. A cache failure after the commit must not turn the correction into an error."""
    _calendar_version_set()
    transaction.on_commit(_calendar_version_set, robust=True)


def _calendar_version_set() -> None:
    cache.set(CALENDAR_VERSION_KEY, uuid.uuid4().hex, None)


def calendar_ensure_years(*, today: dt.date | None = None) -> list[CalendarFillResult]:
    """Keep this year and the next filled (the periodic job)."""
    today = today or local_date()
    return [calendar_fill_year(year=year) for year in (today.year, today.year + 1)]


def calendar_day_check(*, date: dt.date, kind: str, reason: str) -> None:
    """Refuse a correction before it is written (the admin form asks first, the service again).

    A day whose type departs from the `holidays` package needs its 说明 (the notice or cause):
    it moves every deadline counted over that day. A day set back to the package's type needs
    none: it is a revert (``calendar_day_correct``)."""
    if kind not in CalendarDay.Kind.values:
        raise CatalogError(_("无效的日期类型。"), field="kind")
    if kind != holiday_source.day_info(date).kind and not reason.strip():
        raise CatalogError(
            _("日期类型与节假日数据包不同时，请填写说明（依据的通知或原因）：它会改变办理期限。"), field="reason"
        )


def calendar_day_correct(*, day: CalendarDay, kind: str, reason: str, actor: AnyUser | None) -> CalendarDay:
    """An administrator's correction: it sticks (the seeding job never overwrites it).

    Setting a day back to the type the `holidays` package gives it is a revert: the day takes
    the package's reason and provisional mark again and its source goes back to the package, so
    that the seeding job keeps it up to date; the administrator's note stays in the audit log."""
    reason = reason.strip()
    calendar_day_check(date=day.date, kind=kind, reason=reason)
    info = holiday_source.day_info(day.date)
    reverted = kind == info.kind
    with transaction.atomic():
        row = next(iter(_lock_calendar_days(day.date, day.date)), None)
        before = {"kind": row.kind, "reason": row.reason, "source": row.source} if row else None
        row = row or CalendarDay(date=day.date)
        if reverted:
            row.kind, row.reason, row.source, row.provisional = (
                info.kind,
                info.reason,
                CalendarDay.Source.PACKAGE,
                info.provisional,
            )
            summary = _("恢复工作日历 %(date)s 为节假日数据包的%(kind)s")
        else:
            row.kind, row.reason, row.source, row.provisional = kind, reason, CalendarDay.Source.MANUAL, False
            summary = _("修正工作日历 %(date)s 为%(kind)s")
        row.save()
        audit_record(
            actor=actor,
            action="calendar.correct",
            target=row,
            summary=summary % {"date": row.date.isoformat(), "kind": row.get_kind_display()},
            details={
                "before": before,
                "after": {"kind": row.kind, "reason": row.reason, "source": row.source},
                "note": reason,
            },
        )
        calendar_version_bump()
        signals.calendar_changed.send(sender=CalendarDay, start=row.date, end=row.date)
    return row


# --- Search ----------------------------------------------------------------------------------


def _search_index_changed() -> None:
    """Make every process reload its search index: now, for this transaction's own later reads
    (and the tests, whose transactions never commit), and again once committed, for the other
    processes, which may have reloaded in between without seeing the new documents."""

    def bump() -> None:
        cache.set(search.GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        page_cache.forget_generation()  # searches cached by this process are keyed by it

    bump()
    transaction.on_commit(bump, robust=True)  # committed: a cache failure must not turn it into an error


def _live_versions(versions: Iterable[GuideVersion], today: dt.date) -> list[GuideVersion]:
    """Of each item, the published version in effect on ``today`` and those taking effect later:
    the versions a search may meet today or on any later day without a rebuild."""
    by_item: dict[int, list[GuideVersion]] = {}
    for version in versions:
        by_item.setdefault(version.item_id, []).append(version)
    live = []
    for item_versions in by_item.values():
        item_versions.sort(key=lambda v: (v.effective_from, v.number))
        in_effect = [v for v in item_versions if v.effective_from <= today]
        live += in_effect[-1:] + [v for v in item_versions if v.effective_from > today]
    return live


def search_documents_rebuild(*, item_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """Rewrite the search documents of the items ``item_ids`` (of every item when None).

    Called when a guide is published, an item's name or aliases change and a bundle is saved;
    ``manage.py search_rebuild`` and a nightly job rebuild everything (dropping the documents of
    versions superseded since, and catching what was written outside these services). Returns
    the number of documents written.
    """
    today = today or local_date()
    versions = (
        GuideVersion.objects.published()
        .select_related("item", "item__department")
        .prefetch_related(models.Prefetch("materials", queryset=Material.objects.only("version_id", "name", "name_en")))
    )
    bundles = BundleMember.objects.filter(bundle__is_published=True)
    documents = GuideSearchDocument.objects.all()
    if item_ids is not None:
        item_ids = sorted(set(item_ids))
        if not item_ids:
            return 0
        versions = versions.filter(item_id__in=item_ids)
        bundles = bundles.filter(item_id__in=item_ids)
        documents = documents.filter(version__item_id__in=item_ids)
    bundle_names: dict[int, list[str]] = {}
    bundle_names_en: dict[int, list[str]] = {}
    for item_id, name, name_en in bundles.values_list("item_id", "bundle__name", "bundle__name_en"):
        bundle_names.setdefault(item_id, []).append(name)
        bundle_names_en.setdefault(item_id, []).append(name_en)
    synonyms = search.synonym_map(s.word_list for s in SearchSynonym.objects.only("words"))
    built_at = timezone.now()
    fresh = [
        GuideSearchDocument(
            version=version,
            analyser=search.ANALYSER,
            built_at=built_at,
            terms=search.document_terms(
                name=version.item.name,
                name_en=version.item.name_en,
                aliases=version.item.alias_list,
                aliases_en=version.item.alias_en_list,
                result=version.result_description,
                result_en=version.result_description_en,
                materials=[m.name for m in version.materials.all()],
                materials_en=[m.name_en for m in version.materials.all()],
                keywords=[
                    version.item.department.name,
                    version.item.department.short_name,
                    *bundle_names.get(version.item_id, []),
                ],
                keywords_en=[version.item.department.name_en, *bundle_names_en.get(version.item_id, [])],
                synonyms=synonyms,
            ),
        )
        for version in _live_versions(versions, today)
    ]
    with transaction.atomic():
        stale = set(documents.values_list("pk", flat=True)) - {d.version_id for d in fresh}
        GuideSearchDocument.objects.filter(pk__in=stale).delete()
        # An upsert: two publishes of one item at once each write the same rows without failing.
        GuideSearchDocument.objects.bulk_create(
            fresh,
            batch_size=200,
            update_conflicts=True,
            unique_fields=["version"],
            update_fields=["analyser", "terms", "built_at"],
        )
        _search_index_changed()
    return len(fresh)


def search_synonyms_ensure_defaults() -> int:
    """Write the default groups of synonyms (``search.DEFAULT_SYNONYM_GROUPS``) that are missing,
    leaving the administrators' own alone; returns how many were written. The caller rebuilds
    the search documents."""
    have = {frozenset(s.word_list) for s in SearchSynonym.objects.only("words")}
    missing = [group for group in search.DEFAULT_SYNONYM_GROUPS if frozenset(group) not in have]
    SearchSynonym.objects.bulk_create([SearchSynonym(words=" ".join(group)) for group in missing])
    return len(missing)


def search_synonym_save(*, synonym: SearchSynonym, actor: AnyUser) -> SearchSynonym:
    """Save an administrator's group of words meaning one thing (a new one or a change),
    audited; every search document is rewritten once the change commits (a Celery task: about
    a second of CPU for 500 items), since any guide may hold one of its words."""
    with transaction.atomic():
        before = SearchSynonym.objects.filter(pk=synonym.pk).values_list("words", flat=True).first()
        synonym.full_clean()
        synonym.save()
        audit_record(
            actor=actor,
            action="search.synonyms",
            target=synonym,
            summary=_("修改搜索同义词：%(words)s") % {"words": synonym.words},
            details={"before": before, "after": synonym.words},
        )
        outbox.enqueue("catalog.tasks.search_documents_rebuild")
    return synonym


def search_synonyms_delete(*, synonyms: Iterable[SearchSynonym], actor: AnyUser) -> int:
    """Delete groups of synonyms, audited; the documents are rewritten after the commit."""
    with transaction.atomic():
        rows = list(SearchSynonym.objects.filter(pk__in=[s.pk for s in synonyms]).order_by("pk"))
        for row in rows:
            audit_record(
                actor=actor,
                action="search.synonyms",
                target=row,
                summary=_("删除搜索同义词：%(words)s") % {"words": row.words},
                details={"before": row.words, "after": None},
            )
        SearchSynonym.objects.filter(pk__in=[row.pk for row in rows]).delete()
        if rows:
            outbox.enqueue("catalog.tasks.search_documents_rebuild")
    return len(rows)
