"""``manage.py load_demo``: load the demo catalog, halls, bundles and staff accounts.

Idempotent: departments, items and halls are upserted by code, opening hours by weekday,
zones by name, accounts by username; a guide is created (and published) only for an item
that has no guide version yet, and a bundle only if none has its name. Everything is
validated before anything is written, and the load runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from catalog import demo_data, demo_data_en, page_cache
from catalog.bundles import StageLimit, limit_bound
from catalog.models import (
    Bundle,
    Department,
    GuideVersion,
    Hall,
    HallOpeningHours,
    HallZone,
    Material,
    ServiceItem,
    SpecialStep,
)
from catalog.services import (
    BundleMemberSpec,
    CatalogError,
    bundle_save,
    calendar_ensure_years,
    guide_draft_create,
    guide_publish,
    search_documents_rebuild,
    search_synonyms_ensure_defaults,
)
from servicehall.models import StaffProfile
from servicehall.roles import ALL_ROLES, roles_ensure

DEMO_TODAY = dt.date.fromisoformat(demo_data.GUIDE_EFFECTIVE_FROM)

# Words that mark an identity document, which is never accepted later (容缺受理).
IDENTITY_WORDS = ("身份证", "护照", "身份证明")


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _optional_time(value: str | None) -> dt.time | None:
    return _time(value) if value else None


def _clean(instance: Any, label: str, exclude: tuple[str, ...] = ()) -> None:
    """Field validation (lengths, choices, validators) without database queries."""
    try:
        instance.clean_fields(exclude=list(exclude))
    except ValidationError as exc:
        raise CommandError(f"Invalid demo data for {label}: {exc.message_dict}") from exc


def data_problems() -> list[str]:
    """Consistency checks of ``demo_data`` that field validation cannot see."""
    problems: list[str] = []
    department_codes = [d.code for d in demo_data.DEPARTMENTS]
    hall_codes = [h.code for h in demo_data.HALLS]
    item_codes = [i.code for i in demo_data.ITEMS]
    for kind, codes in (("department", department_codes), ("hall", hall_codes), ("item", item_codes)):
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            problems.append(f"duplicate {kind} codes: {', '.join(duplicates)}")

    levels = {h.code: h for h in demo_data.HALLS}
    expected_parent_level = {"city": None, "district": None, "street": "district", "station": "street"}
    seen: set[str] = set()
    for hall in demo_data.HALLS:
        wanted = expected_parent_level.get(hall.level)
        parent = levels.get(hall.parent) if hall.parent else None
        if hall.parent and (parent is None or hall.parent not in seen):
            problems.append(f"hall {hall.code}: parent {hall.parent} unknown or listed after it")
        elif (parent.level if parent else None) != wanted:
            problems.append(f"hall {hall.code}: a {hall.level} hall needs a {wanted or 'no'} parent")
        elif parent and parent.district != hall.district:
            problems.append(f"hall {hall.code}: not in its parent's district")
        seen.add(hall.code)
        weekdays = [h.weekday for h in hall.hours]
        if len(set(weekdays)) != len(weekdays):
            problems.append(f"hall {hall.code}: two opening-hours rows for one weekday")
        for hours in hall.hours:
            times = [hours.morning_opens, hours.morning_closes, hours.afternoon_opens, hours.afternoon_closes]
            ordered = times[0] < times[1] <= times[2] < times[3]
            if not ordered or (hours.extended_until and hours.extended_until <= times[3]):
                problems.append(f"hall {hall.code}: opening hours of weekday {hours.weekday} out of order")

    for item in demo_data.ITEMS:
        label = f"item {item.code}"
        if item.department not in department_codes:
            problems.append(f"{label}: unknown department {item.department}")
        if item.scope not in demo_data.SCOPES_BY_LEVEL:
            problems.append(f"{label}: unknown scope {item.scope}")
        if not item.statutory >= item.promised >= 0:
            problems.append(f"{label}: promised limit exceeds the statutory one")
        if not 2 <= len(item.materials) <= 6:
            problems.append(f"{label}: {len(item.materials)} materials (2–6 expected)")
        if not 4 <= len(item.procedure) <= 6:
            problems.append(f"{label}: {len(item.procedure)} procedure steps (4–6 expected)")
        if item.fee is not None and not all(item.fee):
            problems.append(f"{label}: a charged item needs a fee description and basis")
        for material in item.materials:
            if material.may_follow_later and any(word in material.name for word in IDENTITY_WORDS):
                problems.append(f"{label}: identity document {material.name} may not follow later")
        if not demo_data.ALIASES.get(item.code):
            problems.append(f"{label}: no aliases (常用名) for the search")
        if item.department not in demo_data.IMPLEMENTING_BODY_CREDIT_CODES:
            problems.append(f"{label}: no credit code of its department for the implementation code")
    unknown_aliased = sorted(set(demo_data.ALIASES) - set(item_codes))
    if unknown_aliased:
        problems.append(f"aliases of unknown items: {', '.join(unknown_aliased)}")

    item_by_code = {i.code: i for i in demo_data.ITEMS}
    for bundle in demo_data.BUNDLES:
        codes = [code for stage in bundle.stages for code in stage]
        unknown = [code for code in codes if code not in item_by_code]
        if unknown or bundle.lead_department not in department_codes:
            problems.append(f"bundle {bundle.name}: unknown items {unknown} or lead department")
            continue
        if len(set(codes)) != len(codes):
            problems.append(f"bundle {bundle.name}: an item appears twice")
        bound = limit_bound(
            StageLimit(stage, code, item_by_code[code].promised)
            for stage, codes_in_stage in enumerate(bundle.stages, start=1)
            for code in codes_in_stage
        )
        if bundle.promised_limit_days > bound:
            problems.append(f"bundle {bundle.name}: promises {bundle.promised_limit_days} days, bound is {bound}")

    for account in demo_data.ACCOUNTS:
        if account.role not in ALL_ROLES:
            problems.append(f"account {account.username}: unknown role {account.role}")
        if account.hall and account.hall not in hall_codes:
            problems.append(f"account {account.username}: unknown hall {account.hall}")
        if account.department and account.department not in department_codes:
            problems.append(f"account {account.username}: unknown department {account.department}")
    return problems


class Command(BaseCommand):
    help = (
        "Load the demo data (departments, halls, items with guides, bundles, staff accounts). Creates what is "
        "missing and never changes what exists, so it is safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-calendar",
            action="store_true",
            help="Do not fill this and next year's working-day calendar.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        problems = data_problems()
        if problems:
            raise CommandError("Inconsistent demo data:\n  " + "\n  ".join(problems))
        self._validate_fields()

        with transaction.atomic():
            roles_ensure()
            departments = self._load_departments()
            items = self._load_items(departments)
            halls = self._load_halls(items)
            guides_created = self._load_guides(items, departments)
            bundles_created = self._load_bundles(departments, items)
            self._load_accounts(halls, departments)
            # The default synonyms (户籍 ↔ 户口, …), should a flush have removed the migration's.
            search_synonyms_ensure_defaults()
            # Documents for what was loaded before the search existed, or changed above.
            search_documents_rebuild()
            calendar = [] if options["no_calendar"] else calendar_ensure_years()
            # Loaded partly in bulk (no signals): the cached catalog pages start again.
            page_cache.bump()

        if options["verbosity"] >= 1:
            self._report(guides_created, bundles_created, calendar, time.monotonic() - started)

    # --- Validation ----------------------------------------------------------------------

    def _validate_fields(self) -> None:
        """Run the models' field validation on every demo record before writing any."""
        for data in demo_data.DEPARTMENTS:
            _clean(self._department(data), f"department {data.code}")
        for hall in demo_data.HALLS:
            _clean(self._hall(hall), f"hall {hall.code}", exclude=("parent",))
            for hours in hall.hours:
                _clean(self._hours(None, hours), f"hall {hall.code} hours", exclude=("hall",))
            for position, zone in enumerate(hall.zones, start=1):
                _clean(self._zone(None, zone, position), f"hall {hall.code} zone {zone.name}", exclude=("hall",))
        for item in demo_data.ITEMS:
            _clean(ServiceItem(**self._item_fields(item)), f"item {item.code}", exclude=("department",))
            version = GuideVersion(number=1, effective_from=DEMO_TODAY, **item.guide_fields(department_phone=""))
            _clean(version, f"guide of item {item.code}", exclude=("item", "published_by"))
            for material in item.materials:
                _clean(Material(**material.as_fields()), f"material of item {item.code}", exclude=("version",))
            for step in item.special_steps:
                _clean(SpecialStep(**step.as_fields()), f"special step of item {item.code}", exclude=("version",))

    # --- Builders ------------------------------------------------------------------------

    @staticmethod
    def _department(data: demo_data.DepartmentData) -> Department:
        return Department(
            code=data.code,
            name=data.name,
            name_en=data.name_en,
            short_name=data.short_name,
            enquiry_phone=data.enquiry_phone,
            complaint_phone=data.complaint_phone,
            website=data.website,
        )

    @staticmethod
    def _hall(data: demo_data.HallData, parent: Hall | None = None) -> Hall:
        return Hall(
            code=data.code,
            name=data.name,
            name_en=data.name_en,
            level=data.level,
            district=data.district,
            parent=parent,
            address=data.address,
            address_en=data.address_en,
            phone=data.phone,
            transport=data.transport,
            transport_en=data.transport_en,
        )

    @staticmethod
    def _hours(hall: Hall | None, data: demo_data.HoursData) -> HallOpeningHours:
        return HallOpeningHours(
            hall=hall,
            weekday=data.weekday,
            morning_opens=_time(data.morning_opens),
            morning_closes=_time(data.morning_closes),
            afternoon_opens=_time(data.afternoon_opens),
            afternoon_closes=_time(data.afternoon_closes),
            extended_until=_optional_time(data.extended_until),
            appointment_only=data.appointment_only,
        )

    @staticmethod
    def _zone(hall: Hall | None, data: demo_data.ZoneData, order: int) -> HallZone:
        return HallZone(
            hall=hall,
            kind=data.kind,
            name=data.name,
            location=data.location,
            description=data.description,
            order=order,
            **data.english_fields(),
        )

    @staticmethod
    def _item_fields(data: demo_data.ItemData) -> dict[str, Any]:
        return {
            "code": data.code,
            "name": data.name,
            "name_en": data.name_en,
            "item_type": data.item_type,
            "implementation_code": data.implementation_code,
            "aliases": "\n".join(demo_data.ALIASES.get(data.code, ())),
            "aliases_en": "\n".join(demo_data_en.ALIASES.get(data.code, ())),
        }

    # --- Loading -------------------------------------------------------------------------

    def _load_departments(self) -> dict[str, Department]:
        departments = {}
        for data in demo_data.DEPARTMENTS:
            wanted = self._department(data)
            fields = {
                f: getattr(wanted, f)
                for f in ("name", "name_en", "short_name", "enquiry_phone", "complaint_phone", "website")
            }
            departments[data.code], _created = Department.objects.get_or_create(code=data.code, defaults=fields)
        return departments

    def _load_items(self, departments: dict[str, Department]) -> dict[str, ServiceItem]:
        ServiceItem.objects.bulk_create(
            [ServiceItem(department=departments[d.department], **self._item_fields(d)) for d in demo_data.ITEMS],
            ignore_conflicts=True,
        )
        codes = [d.code for d in demo_data.ITEMS]
        items = {item.code: item for item in ServiceItem.objects.filter(code__in=codes)}
        # Demo items loaded before they had aliases get them; aliases an administrator wrote stay.
        without = [item for item in items.values() if not item.aliases.strip() and demo_data.ALIASES.get(item.code)]
        for item in without:
            item.aliases = "\n".join(demo_data.ALIASES[item.code])
        ServiceItem.objects.bulk_update(without, ["aliases"])
        without_en = [
            item for item in items.values() if not item.aliases_en.strip() and demo_data_en.ALIASES.get(item.code)
        ]
        for item in without_en:
            item.aliases_en = "\n".join(demo_data_en.ALIASES[item.code])
        ServiceItem.objects.bulk_update(without_en, ["aliases_en"])
        # Likewise the implementation codes, unless another item already has the demo's code.
        by_code = {d.code: d for d in demo_data.ITEMS}
        taken = set(ServiceItem.objects.exclude(implementation_code="").values_list("implementation_code", flat=True))
        without_implementation = [
            item
            for item in items.values()
            if not item.implementation_code and by_code[item.code].implementation_code not in taken
        ]
        for item in without_implementation:
            item.implementation_code = by_code[item.code].implementation_code
        ServiceItem.objects.bulk_update(without_implementation, ["implementation_code"])
        return items

    def _load_halls(self, items: dict[str, ServiceItem]) -> dict[str, Hall]:
        halls: dict[str, Hall] = {}
        created_codes: set[str] = set()
        for data in demo_data.HALLS:  # parents come before their children
            wanted = self._hall(data, parent=halls[data.parent] if data.parent else None)
            fields = {
                f: getattr(wanted, f)
                for f in (
                    "name",
                    "name_en",
                    "level",
                    "district",
                    "parent",
                    "address",
                    "address_en",
                    "phone",
                    "transport",
                    "transport_en",
                )
            }
            halls[data.code], created = Hall.objects.get_or_create(code=data.code, defaults=fields)
            if created:
                created_codes.add(data.code)

        # Hours, zones and offered items only for halls created now: an administrator's later
        # changes to a demo hall survive every rerun (`make run` reruns this command).
        new_halls = [h for h in demo_data.HALLS if h.code in created_codes]
        HallOpeningHours.objects.bulk_create(
            [self._hours(halls[h.code], hours) for h in new_halls for hours in h.hours], ignore_conflicts=True
        )

        HallZone.objects.bulk_create(
            [
                self._zone(halls[data.code], zone_data, position)
                for data in new_halls
                for position, zone_data in enumerate(data.zones, start=1)
            ]
        )
        through = Hall.items.through
        through.objects.bulk_create(
            [
                through(hall_id=halls[data.code].pk, serviceitem_id=items[code].pk)
                for data in new_halls
                for code in demo_data.items_for_level(data.level)
            ],
            ignore_conflicts=True,
        )
        return halls

    def _load_guides(self, items: dict[str, ServiceItem], departments: dict[str, Department]) -> int:
        """Create and publish version 1 of the guide of every demo item that has no version yet."""
        without_versions = set(
            ServiceItem.objects.filter(pk__in=[i.pk for i in items.values()], versions__isnull=True).values_list(
                "code", flat=True
            )
        )
        for data in demo_data.ITEMS:
            if data.code not in without_versions:
                continue
            try:
                version = guide_draft_create(
                    item=items[data.code],
                    effective_from=DEMO_TODAY,
                    fields=data.guide_fields(department_phone=departments[data.department].enquiry_phone),
                    materials=[m.as_fields() for m in data.materials],
                    special_steps=[s.as_fields() for s in data.special_steps],
                    change_note="首次发布",
                    change_note_en="First publication",
                )
                guide_publish(version=version, actor=None, today=DEMO_TODAY)
            except CatalogError as exc:
                raise CommandError(f"Guide of item {data.code} refused: {exc}") from exc
        return len(without_versions)

    def _load_bundles(self, departments: dict[str, Department], items: dict[str, ServiceItem]) -> int:
        """Create the demo bundles that do not exist yet (by name); existing ones are left alone."""
        names = [b.name for b in demo_data.BUNDLES]
        existing = set(Bundle.objects.filter(name__in=names).values_list("name", flat=True))
        created = 0
        for data in demo_data.BUNDLES:
            if data.name in existing:
                continue
            bundle = Bundle(
                name=data.name,
                name_en=data.name_en,
                lead_department=departments[data.lead_department],
                description=data.description,
                description_en=data.description_en,
                promised_limit_days=data.promised_limit_days,
                is_published=True,
            )
            members = [
                BundleMemberSpec(stage=stage, item=items[code])
                for stage, codes in enumerate(data.stages, start=1)
                for code in codes
            ]
            try:
                bundle_save(bundle=bundle, members=members, actor=None, today=DEMO_TODAY)
            except CatalogError as exc:
                raise CommandError(f"Bundle {data.name} refused: {exc}") from exc
            created += 1
        return created

    def _load_accounts(self, halls: dict[str, Hall], departments: dict[str, Department]) -> None:
        user_model = get_user_model()
        groups = {group.name: group for group in Group.objects.filter(name__in=ALL_ROLES)}
        for data in demo_data.ACCOUNTS:
            if user_model.objects.filter(username=data.username).exists():
                continue  # an existing account (and its password) is left as it is
            user = user_model(
                username=data.username, is_active=True, is_staff=data.is_staff, is_superuser=data.is_superuser
            )
            user.set_password(demo_data.DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[data.role]])
            StaffProfile.objects.update_or_create(
                user=user,
                defaults={
                    "hall": halls[data.hall] if data.hall else None,
                    "department": departments[data.department] if data.department else None,
                    "display_name": data.display_name,
                    "staff_number": data.staff_number,
                },
            )

    # --- Report --------------------------------------------------------------------------

    def _report(self, guides_created: int, bundles_created: int, calendar: list[Any], seconds: float) -> None:
        published = GuideVersion.objects.published().filter(item__code__in=[i.code for i in demo_data.ITEMS])
        lines = [
            f"Demo data loaded in {seconds:.1f} s:",
            f"  departments  {Department.objects.count()}",
            f"  halls        {Hall.objects.count()} (with {HallOpeningHours.objects.count()} opening-hours rows, "
            f"{HallZone.objects.count()} zones)",
            f"  items        {ServiceItem.objects.count()} ({published.count()} published demo guides, "
            f"{guides_created} created now)",
            f"  bundles      {Bundle.objects.count()} ({bundles_created} created now)",
            f"  accounts     {len(demo_data.ACCOUNTS)} demo staff accounts",
        ]
        for year in calendar:
            note = ", provisional" if year.provisional else ""
            lines.append(
                f"  calendar     {year.year}: {year.created} days created, {year.updated} updated, "
                f"{year.kept_manual} manual corrections kept{note}"
            )
        self.stdout.write(self.style.SUCCESS(lines[0]))
        self.stdout.write("\n".join(lines[1:]))
        self.stdout.write("")
        self.stdout.write(demo_data.accounts_table())
