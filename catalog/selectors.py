"""Reads for the catalog pages and API, built with the joins each needs (no query in a loop)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import holiday_source, search
from catalog.hours import DayHours, hours_on, next_opening
from catalog.models import (
    HALL_ORDER,
    Bundle,
    BundleMember,
    CalendarDay,
    Department,
    GuideSearchDocument,
    GuideVersion,
    Hall,
    HallOpeningHours,
    ServiceItem,
)
from catalog.workdays import WorkingCalendar
from servicehall.clock import local_date


def current_guides(*, today: dt.date) -> QuerySet[GuideVersion]:
    """Current guide versions with their item and department, in item-code order."""
    return GuideVersion.objects.current(today).select_related("item", "item__department").order_by("item__code")


def current_guides_full(*, today: dt.date) -> QuerySet[GuideVersion]:
    """Current guides with materials, special steps and the halls offering them (API lists)."""
    return current_guides(today=today).prefetch_related(
        "materials",
        "special_steps",
        Prefetch("item__halls", queryset=Hall.objects.only("code").order_by("code")),
    )


def guide_for_item(*, code: str, today: dt.date, number: int | None = None) -> GuideVersion:
    """The current version of item ``code`` (or published version ``number``), or 404."""
    versions = GuideVersion.objects.select_related("item", "item__department").prefetch_related(
        "materials", "special_steps"
    )
    if number is None:
        version = versions.current(today).filter(item__code=code).first()
    else:
        version = versions.published().filter(item__code=code, number=number).first()
    if version is None:
        if number is not None and versions.current(today).filter(item__code=code).exists():
            # The guide is there; only this version is not (walkthrough).
            raise Http404(
                _("该事项的办事指南没有第 %(number)s 版，请查看现行版本或历史版本列表。") % {"number": number}
            )
        raise Http404(_("没有找到该事项的办事指南。"))
    return version


def guide_context(*, version: GuideVersion, today: dt.date) -> dict[str, object]:
    """What the guide page and the printed guide show beside the version itself."""
    item = version.item
    return {
        "version": version,
        "item": item,
        "halls": list(item.halls.order_by(*HALL_ORDER)),
        "bundles": list(Bundle.objects.filter(members__item=item, is_published=True).distinct().order_by("pk")),
        "history": list(
            item.versions.published()
            .order_by("-effective_from", "-number")
            .only("number", "effective_from", "change_note", "change_note_en", "item_id")
        ),
        "is_current": version == GuideVersion.objects.current(today).filter(item=item).first(),
        "main_materials": [m for m in version.materials.all() if not m.may_follow_later],
        "later_materials": [m for m in version.materials.all() if m.may_follow_later],
    }


def _pick_names(rows) -> list[tuple[str, str]]:
    english = (get_language() or "").startswith("en")
    return [(code, (name_en or name) if english else name) for code, name, name_en in rows]


def hall_options() -> list[tuple[str, str]]:
    """(code, name in the current language) of every hall, for a hall filter (one query; render
    with ``{% fast_select %}``: a city has a couple of hundred halls)."""
    return _pick_names(Hall.objects.order_by(*HALL_ORDER).values_list("code", "name", "name_en"))


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """(code, name in the current language) of every department and hall, for the filters."""
    return {
        "department": _pick_names(Department.objects.order_by("code").values_list("code", "name", "name_en")),
        "hall": hall_options(),
    }


def halls_list() -> QuerySet[Hall]:
    return Hall.objects.select_related("parent").order_by(*HALL_ORDER)


def hall_detail(*, code: str) -> Hall:
    hall = (
        Hall.objects.select_related("parent")
        .prefetch_related(
            Prefetch("opening_hours", queryset=HallOpeningHours.objects.order_by("weekday")),
            "zones",
            "children",
        )
        .filter(code=code)
        .first()
    )
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return hall


def hall_items_preview(*, hall: Hall, limit: int) -> tuple[list[ServiceItem], int]:
    """The first ``limit`` items a hall offers and how many it offers in all; the full list is
    the paginated guide list filtered by the hall."""
    items = hall.items.select_related("department").order_by("code")
    return list(items[:limit]), hall.items.count()


def bundles_list() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).select_related("lead_department").order_by("pk")


class BundleStage(TypedDict):
    stage: int
    members: list[tuple[BundleMember, GuideVersion | None]]
    longest: int


def bundle_detail(*, pk: int, today: dt.date) -> tuple[Bundle, list[BundleStage]]:
    """A bundle and its stages: [{stage, members: [(member, current guide)], longest}]."""
    bundle = (
        Bundle.objects.filter(pk=pk, is_published=True)
        .select_related("lead_department")
        .prefetch_related(Prefetch("members", queryset=BundleMember.objects.select_related("item", "item__department")))
        .first()
    )
    if bundle is None:
        raise Http404(_("没有找到该一件事。"))
    members = list(bundle.members.all())
    guides = {v.item_id: v for v in GuideVersion.objects.current(today).filter(item__in=[m.item_id for m in members])}
    stages: dict[int, list[tuple[BundleMember, GuideVersion | None]]] = {}
    for member in members:
        stages.setdefault(member.stage, []).append((member, guides.get(member.item_id)))
    return bundle, [
        {
            "stage": stage,
            "members": rows,
            "longest": max((g.promised_limit_days for _m, g in rows if g is not None), default=0),
        }
        for stage, rows in sorted(stages.items())
    ]


# The working-day calendar's version in the shared cache, moved by every change to the calendar
# (``catalog.services.calendar_version_bump``): what a process remembers computed from the
# calendar (the booking horizon, a hall's hours today) is keyed by it, so an administrator's
# correction reaches every process at once rather than when its memo expires.
CALENDAR_VERSION_KEY = "catalog:calendar:version"
# "Not read yet" (the caller read nothing with its rate limit): ``calendar_version`` reads it.
UNREAD: Any = object()


def calendar_version(found: Any = UNREAD) -> Any:
    """The calendar's version: ``found`` when the caller read it already (with its rate limit,
    in the same round trip to Redis), else from the cache (None while never moved)."""
    return cache.get(CALENDAR_VERSION_KEY) if found is UNREAD else found


def day_kinds(*, start: dt.date, end: dt.date) -> Callable[[dt.date], str]:
    """A function giving the calendar kind of a day: the table for ``[start, end]``, the
    `holidays` package for any other day."""
    table = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))

    def kind(day: dt.date) -> str:
        return table.get(day) or holiday_source.day_info(day).kind

    return kind


def hall_hours(*, hall: Hall, day: dt.date) -> DayHours | None:
    """The hall's opening hours on ``day`` (None when closed)."""
    weekly = {row.weekday: row for row in hall.opening_hours.all()}
    return hours_on(day, weekly=weekly, day_kind=day_kinds(start=day, end=day))


def hall_booking_only_on(*, hall: Hall, day: dt.date) -> bool:
    """True when ``day`` is a staggered-service day of the hall (错时服务): open to people with a
    booking only, so walk-in hours (``hall_hours``) are None although the hall is at work."""
    if day_kinds(start=day, end=day)(day) == "holiday":
        return False
    return any(row.weekday == day.weekday() and row.appointment_only for row in hall.opening_hours.all())


def hall_next_opening(*, hall: Hall, after: dt.datetime) -> dt.datetime | None:
    weekly = {row.weekday: row for row in hall.opening_hours.all()}
    start = local_date(after)
    return next_opening(after, weekly=weekly, day_kind=day_kinds(start=start, end=start + dt.timedelta(days=30)))


def working_calendar(*, start: dt.date, end: dt.date) -> WorkingCalendar:
    """The calendar table for ``[start, end]``; other days come from the `holidays` package."""
    days = {row.date: row.is_working_day for row in CalendarDay.objects.filter(date__range=(start, end))}
    return WorkingCalendar(days, fallback=holiday_source.is_working_day)


def _look_ahead(days: int) -> int:
    """How many calendar days after the start to read from the table to find ``days`` working days.

    China works about 250 days a year (more than two days in three) and its longest run of rest
    days is nine (Spring Festival 2026), so twice the working days plus a month always holds them
    for a calendar seeded from the State Council notices. Only an administrator closing weeks by
    hand can defeat it, and ``deadline_after`` then reads a wider span rather than guess.
    """
    return 2 * days + 30


# A clock stop ``(began, ended)``: the working days in ``(began, ended]`` are not counted
# (``WorkingCalendar.add_working_days``).
ClockStop = tuple[dt.date, dt.date]
DeadlineRequest = tuple[dt.date, int, Sequence[ClockStop]]


def deadline_after(start: dt.date, days: int, *, stops: Sequence[ClockStop] = ()) -> tuple[dt.date, bool]:
    """The ``days``-th working day after ``start`` (Art. 13 ¶1: the day of acceptance is not
    counted; ``days = 0`` is ``start`` itself), and whether it is provisional.

    The one place a working-day deadline is computed (the calendar API, a booking horizon, a
    case's time limit), so that they never disagree. The table (seeded from the `holidays`
    package, with administrators' corrections) decides every day it holds; a day missing from it
    is answered by the package.

    ``stops`` are closed clock stops (time waiting for corrections, special steps): the working
    days in ``(began, ended]`` of each are not counted (REQUIREMENTS §8).

    Provisional means the answer may still move: a day the count walked over, ``(start, deadline]``,
    is a provisional table row, or is missing from the table in a year the package has no State
    Council notice for. An instant item (``days = 0``) touches no day and is never provisional.
    """
    return deadlines_after([(start, days, stops)])[0]


def deadlines_after(requests: Sequence[DeadlineRequest]) -> list[tuple[dt.date, bool]]:
    """``deadline_after`` for many ``(start, days, stops)`` at once, reading the calendar table
    once (a case list recomputed after a calendar change): the same answers, one query."""
    if not requests:
        return []
    for _start, days, stops in requests:
        if days < 0:
            raise ValueError("days must not be negative")
        if any(ended < began for began, ended in stops):
            raise ValueError("a clock stop must not end before it began")
    first = min(start for start, _days, _stops in requests)
    end = max(
        start + dt.timedelta(days=_look_ahead(days) + sum((ended - began).days for began, ended in stops))
        for start, days, stops in requests
    )
    while True:
        in_table: dict[dt.date, bool] = {}
        provisional_rows: set[dt.date] = set()
        rows = CalendarDay.objects.filter(date__range=(first, end)).values_list("date", "kind", "provisional")
        for date, kind, provisional in rows:
            in_table[date] = kind in CalendarDay.WORKING_KINDS
            if provisional:
                provisional_rows.add(date)
        calendar = WorkingCalendar(in_table, fallback=holiday_source.is_working_day)
        deadlines = [calendar.add_working_days(start, days, stopped=stops) for start, days, stops in requests]
        if max(deadlines) <= end:
            break
        # The walk left the span read from the table, so the days beyond it came from the package
        # and would ignore an administrator's correction: read a wider span and count again.
        end = first + 2 * (end - first)

    def is_provisional(start: dt.date, deadline: dt.date) -> bool:
        walked = (start + dt.timedelta(days=offset) for offset in range(1, (deadline - start).days + 1))
        return any(
            day in provisional_rows if day in in_table else not holiday_source.year_is_confirmed(day.year)
            for day in walked
        )

    return [
        (deadline, is_provisional(start, deadline))
        for (start, _days, _stops), deadline in zip(requests, deadlines, strict=True)
    ]


# --- Search ----------------------------------------------------------------------------------

logger = logging.getLogger(__name__)
_search_index: search.SearchIndex | None = None
_search_index_lock = threading.Lock()


def search_index() -> search.SearchIndex:
    """This process's search index, reloaded when the documents changed (the generation in the
    cache moved on): a search costs no database query while nothing changes."""
    global _search_index
    try:
        generation = cache.get(search.GENERATION_KEY)
        if generation is None:
            # Never set, or evicted: start a new one (the first process to ask wins).
            cache.add(search.GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(search.GENERATION_KEY, "")
    except Exception:  # the cache server is down: search with what this process has
        logger.warning("search: the cache did not answer; using this process's index", exc_info=True)
        if _search_index is not None:
            return _search_index
        generation = ""
    index = _search_index
    if index is not None and index.generation == generation:
        return index
    with _search_index_lock:
        index = _search_index
        if index is None or index.generation != generation:
            index = _search_index = _load_search_index(generation)
    return index


def _load_search_index(generation: str) -> search.SearchIndex:
    rows = GuideSearchDocument.objects.values_list(
        "version_id",
        "version__item_id",
        "version__item__code",
        "version__effective_from",
        "version__number",
        "analyser",
        "terms",
    )
    documents, outdated = [], 0
    for version_id, item_id, code, effective_from, number, analyser, terms in rows.iterator(chunk_size=500):
        if analyser != search.ANALYSER:
            outdated += 1
            continue
        documents.append((search.IndexedVersion(version_id, item_id, code, effective_from, number), terms))
    if outdated:
        logger.warning("%s search documents of another analyser ignored: run manage.py search_rebuild", outdated)
    return search.SearchIndex(documents, generation=generation)
