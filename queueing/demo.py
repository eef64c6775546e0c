"""Demo queues: categories and windows for the demo halls and a month of daily statistics for the
dashboards' history at the busy halls; today at those halls is simulated up to now by the
hall-day simulator (``servicehall.simulator.demo_today``, with the constants below). Creates only
what is missing, so `make run` can call it every time.

History and today go together (walkthrough finding 14): the overview compares today's tickets
with the same weekday last week, so a hall with a past but no simulated today would read −100 %,
and a past busier than the simulated day would read −88 %. The other halls have neither."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Hall
from queueing.models import DailyStat, HallQueueSettings, QueueCategory, Window
from servicehall.clock import local_date


@dataclass(frozen=True)
class CategoryData:
    letter: str
    name: str
    name_en: str
    departments: tuple[str, ...]


CENTRE_CATEGORIES = (
    CategoryData("A", "户政出入境", "Household registration and exit-entry", ("GZGA",)),
    CategoryData("B", "社保医保", "Social security and medical insurance", ("GZRSJ", "GZYBJ")),
    CategoryData("C", "商事登记与经营许可", "Business registration and licences", ("GZSCJG", "GZJTJ")),
    CategoryData("D", "不动产与住房公积金", "Real estate and housing provident fund", ("GZGHZY", "GZGJJ", "GZZJJ")),
    CategoryData(
        "E", "民政卫健教育司法", "Civil affairs, health, education and justice", ("GZMZJ", "GZWJW", "GZJYJ", "GZSFJ")
    ),
    CategoryData("F", "税务", "Taxation", ("GZSW",)),
    CategoryData("G", "“办不成事”反映", "\u201cCan't-get-it-done\u201d reports", ()),
)
LOCAL_CATEGORIES = (CategoryData("A", "综合受理", "General acceptance", ()),)

# (number, kind, letters): comprehensive windows serve every category.
CITY_WINDOWS = (
    (1, Window.Kind.COMPREHENSIVE, ""),
    (2, Window.Kind.COMPREHENSIVE, ""),
    (3, Window.Kind.COMPREHENSIVE, ""),
    (4, Window.Kind.SPECIALISED, "A"),
    (5, Window.Kind.SPECIALISED, "A"),
    (6, Window.Kind.SPECIALISED, "B"),
    (7, Window.Kind.SPECIALISED, "C"),
    (8, Window.Kind.SPECIALISED, "D"),
    (9, Window.Kind.SPECIALISED, "EF"),
    (10, Window.Kind.GREEN_CHANNEL, "AB"),
    (11, Window.Kind.CANNOT_HANDLE, "G"),
)
DISTRICT_WINDOWS = (
    (1, Window.Kind.COMPREHENSIVE, ""),
    (2, Window.Kind.COMPREHENSIVE, ""),
    (3, Window.Kind.SPECIALISED, "A"),
    (4, Window.Kind.SPECIALISED, "B"),
    (5, Window.Kind.SPECIALISED, "C"),
    (6, Window.Kind.SPECIALISED, "DEF"),
    (7, Window.Kind.GREEN_CHANNEL, "AB"),
    (8, Window.Kind.CANNOT_HANDLE, "G"),
)
STREET_WINDOWS = ((1, Window.Kind.COMPREHENSIVE, ""), (2, Window.Kind.COMPREHENSIVE, ""))
STATION_WINDOWS = ((1, Window.Kind.COMPREHENSIVE, ""),)

# Who is signed in where when the demo starts, and at which halls today is simulated up to now.
SIGNED_IN = (("window01", "GZ-CITY", 4), ("window02", "GZ-CITY", 6), ("window_th01", "TH", 5))
BUSY_HALLS = ("GZ-CITY", "TH")
# The simulated day at the busy halls is a quieter one than the simulator's default, so that
# `make run` stays quick (a few seconds on SQLite).
DEMO_SCALE = 0.25
DEMO_STAFFING = 0.35  # of the windows: a queue forms, as on a real morning
DEMO_SEED = 14
HISTORY_DAYS = 30
# The history's people per day at a busy hall: the simulated day's walk-ins (servicehall.simulator's
# DAILY_ARRIVALS × DEMO_SCALE × (1 − APPOINTMENT_SHARE)), spread over the hours with the
# simulator's morning peak (tests/queueing/test_demo.py holds the two together).
HISTORY_PER_DAY = {Hall.Level.CITY: 73, Hall.Level.DISTRICT: 44}
HISTORY_PROFILE = {9: 1.5, 10: 1.7, 11: 1.2, 12: 0.35, 13: 0.5, 14: 1.1, 15: 1.0, 16: 0.75}


def load(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    created = {"categories": 0, "windows": 0, "daily_stats": 0}
    with transaction.atomic():
        halls = list(Hall.objects.prefetch_related("items__department").order_by("code"))
        for hall in halls:
            created["categories"] += _categories(hall)
            created["windows"] += _windows(hall)
        city = next((h for h in halls if h.level == Hall.Level.CITY), None)
        if city is not None:
            HallQueueSettings.objects.get_or_create(hall=city, defaults={"target_wait_minutes": 15})
        created["daily_stats"] = _history(halls, today=local_date(now))
    return created


def _categories(hall: Hall) -> int:
    if QueueCategory.objects.filter(hall=hall).exists():
        return 0
    centre = hall.level in (Hall.Level.CITY, Hall.Level.DISTRICT)
    count = 0
    for order, data in enumerate(CENTRE_CATEGORIES if centre else LOCAL_CATEGORIES, start=1):
        category = QueueCategory.objects.create(
            hall=hall, letter=data.letter, name=data.name, name_en=data.name_en, order=order
        )
        items = [i for i in hall.items.all() if not data.departments or i.department.code in data.departments]
        if data.letter == "G":
            items = []
        category.items.add(*items)
        count += 1
    return count


def _windows(hall: Hall) -> int:
    if Window.objects.filter(hall=hall).exists():
        return 0
    layout = {
        Hall.Level.CITY: CITY_WINDOWS,
        Hall.Level.DISTRICT: DISTRICT_WINDOWS,
        Hall.Level.STREET: STREET_WINDOWS,
        Hall.Level.STATION: STATION_WINDOWS,
    }[Hall.Level(hall.level)]
    categories = {c.letter: c for c in QueueCategory.objects.filter(hall=hall)}
    for number, kind, letters in layout:
        window = Window.objects.create(hall=hall, number=number, kind=kind)
        window.categories.add(*(categories[letter] for letter in letters if letter in categories))
    return len(layout)


def _history(halls: list[Hall], *, today: dt.date) -> int:
    """A month of plausible daily figures for the busy halls (demo only): each day's hall row and,
    as the nightly roll-up writes them, a row per queue category and window."""
    centres = [h for h in halls if h.code in BUSY_HALLS and h.level in HISTORY_PER_DAY]
    existing = set(
        DailyStat.objects.filter(
            hall__in=centres, scope="hall", date__gte=today - dt.timedelta(days=HISTORY_DAYS)
        ).values_list("hall_id", "date")
    )
    categories: dict[int, list[QueueCategory]] = {}
    for category in QueueCategory.objects.filter(hall__in=centres).order_by("order", "letter"):
        categories.setdefault(category.hall_id, []).append(category)
    windows: dict[int, list[Window]] = {}
    for window in Window.objects.filter(hall__in=centres).order_by("number"):
        windows.setdefault(window.hall_id, []).append(window)
    calendar = catalog_selectors.working_calendar(start=today - dt.timedelta(days=HISTORY_DAYS), end=today)
    rows = []
    for hall in centres:
        rng = random.Random(hall.code)  # noqa: S311 - demo data, not security
        profiles = {window.pk: _window_profile(window, rng) for window in windows.get(hall.pk, [])}
        per_day = HISTORY_PER_DAY[Hall.Level(hall.level)]
        weights = sum(HISTORY_PROFILE.values())
        for back in range(1, HISTORY_DAYS + 1):
            day = today - dt.timedelta(days=back)
            if (hall.pk, day) in existing or not calendar.is_working_day(day):
                continue
            hourly = {}
            for hour, weight in HISTORY_PROFILE.items():
                arrivals = round(per_day * weight / weights * rng.uniform(0.75, 1.25))
                served = max(0, arrivals - rng.randint(0, max(1, arrivals // 8)))
                minutes = rng.randint(6, 28)
                # Longer average waits leave fewer people within the 15-minute target.
                within = round(served * max(0.0, min(1.0, (30 - minutes) / 25)))
                hourly[str(hour)] = {
                    "arrivals": arrivals,
                    "served": served,
                    "wait_total": served * minutes * 60,
                    "waited": served,
                    "within": within,
                }
            no_show_share = rng.uniform(0.02, 0.06)
            service_minutes = rng.randint(6, 11)
            max_wait = rng.randint(35, 75) * 60
            rows.append(_demo_stat(hall, day, "hall", hourly, no_show_share, service_minutes, max_wait))
            # The same day split over the queues and, separately, over the windows.
            queues = categories.get(hall.pk, [])
            category_weights = [1.0 / (1 + k) for k in range(len(queues))]
            for category, weight in zip(queues, category_weights, strict=True):
                share = weight / sum(category_weights)
                stat = _demo_stat(
                    hall, day, f"category:{category.pk}", _part(hourly, share), no_show_share, service_minutes,
                    round(max_wait * share),
                )  # fmt: skip
                stat.category = category
                rows.append(stat)
            # Windows share the day by how busy their kind is, each at its clerks' own pace.
            today_weights = {
                window.pk: profiles[window.pk].weight * rng.uniform(0.8, 1.2) for window in windows.get(hall.pk, [])
            }
            total_weight = sum(today_weights.values())
            for window in windows.get(hall.pk, []):
                share = today_weights[window.pk] / total_weight
                stat = _demo_stat(
                    hall, day, f"window:{window.pk}", _part(hourly, share), no_show_share,
                    service_minutes * profiles[window.pk].pace * rng.uniform(0.9, 1.1), round(max_wait * share),
                )  # fmt: skip
                stat.window = window
                rows.append(stat)
    DailyStat.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@dataclass(frozen=True)
class _WindowProfile:
    weight: float  # its share of the hall's people, before normalising
    pace: float  # its service time against the hall's average


# (weight range, pace range) by kind: comprehensive windows take most people; the green channel
# serves fewer and more slowly (the elderly, the disabled); "办不成事" few, at length.
_WINDOW_KINDS = {
    Window.Kind.COMPREHENSIVE: ((1.3, 1.8), (0.85, 1.1)),
    Window.Kind.SPECIALISED: ((0.6, 1.2), (0.7, 1.35)),
    Window.Kind.GREEN_CHANNEL: ((0.3, 0.5), (1.2, 1.5)),
    Window.Kind.CANNOT_HANDLE: ((0.05, 0.15), (1.5, 2.2)),
}


def _window_profile(window: Window, rng: random.Random) -> _WindowProfile:
    weight, pace = _WINDOW_KINDS.get(Window.Kind(window.kind), ((0.8, 1.2), (0.8, 1.2)))
    return _WindowProfile(rng.uniform(*weight), rng.uniform(*pace))


def _part(hourly: dict[str, dict[str, int]], share: float) -> dict[str, dict[str, int]]:
    return {hour: {name: round(value * share) for name, value in values.items()} for hour, values in hourly.items()}


def _demo_stat(
    hall: Hall,
    day: dt.date,
    scope: str,
    hourly: dict[str, dict[str, int]],
    no_show_share: float,
    service_minutes: float,
    max_wait: int,
) -> DailyStat:
    issued = sum(values["arrivals"] for values in hourly.values())
    called = sum(values["served"] for values in hourly.values())
    no_show = int(issued * no_show_share)
    served = max(0, called - no_show)
    return DailyStat(
        date=day,
        hall=hall,
        scope=scope,
        issued=issued,
        served=served,
        no_show=no_show,
        waited=sum(values["waited"] for values in hourly.values()),
        wait_seconds_total=sum(values["wait_total"] for values in hourly.values()),
        waited_within_target=sum(values["within"] for values in hourly.values()),
        max_wait_seconds=max_wait,
        service_seconds_total=round(served * service_minutes * 60),
        hourly=hourly,
    )
