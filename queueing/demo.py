"""Demo queues: categories and windows for the demo halls and a month of past tickets, rolled up
into the dashboards' history (daily statistics), at the busy halls; today at those halls is
simulated up to now by the hall-day simulator (``servicehall.simulator.demo_today``, with the
constants below). Creates only what is missing, so `make run` can call it every time.

History and today go together (walkthrough finding 14): the overview compares today's tickets
with the same weekday last week, so a hall with a past but no simulated today would read −100 %,
and a past busier than the simulated day would read −88 %. The other halls have neither."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Hall
from queueing import rollup
from queueing.models import HallQueueSettings, QueueCategory, Ticket, Window
from servicehall.clock import SHANGHAI, local_date


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
# The other demos' past tickets are numbered from 500 (staffing's, feedback's from 800): the
# history's own, numbered from 1, are those below.
OTHER_DEMOS_NUMBER_FROM = 500
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
    """A month of plausible past days at the busy halls (demo only), as tickets, rolled up by the
    production roll-up (``queueing.rollup.rollup_day``): each day's hall row and a row per queue
    category and window, which agree with one another (a hall's no-shows are its queues' no-shows,
    a queue's longest wait is one of its waits) and which the nightly job or a rerun of the roll-up
    writes again the same. The tickets are written directly (no events; ``simulator.already_simulated``
    counts them all the same). A day that has this history's tickets already is left alone; a day
    with statistics but without them (the rows an earlier demo wrote directly) gets them and is
    rolled up again, which replaces those rows. Returns the number of ``DailyStat`` rows written."""
    centres = [h for h in halls if h.code in BUSY_HALLS and h.level in HISTORY_PER_DAY]
    first = today - dt.timedelta(days=HISTORY_DAYS)
    with_tickets = set(
        Ticket.objects.filter(
            hall__in=centres, service_date__gte=first, service_date__lt=today, sequence__lt=OTHER_DEMOS_NUMBER_FROM
        )
        .values_list("hall_id", "service_date")
        .distinct()
    )
    categories: dict[int, list[QueueCategory]] = {}
    for category in QueueCategory.objects.filter(hall__in=centres).order_by("order", "letter"):
        categories.setdefault(category.hall_id, []).append(category)
    windows: dict[int, list[Window]] = {}
    for window in Window.objects.filter(hall__in=centres).prefetch_related("categories").order_by("number"):
        windows.setdefault(window.hall_id, []).append(window)
    calendar = catalog_selectors.working_calendar(start=first, end=today)
    tickets: list[Ticket] = []
    days: set[dt.date] = set()
    for hall in centres:
        rng = random.Random(hall.code)  # noqa: S311 - demo data, not security
        profiles = {window.pk: _window_profile(window, rng) for window in windows.get(hall.pk, [])}
        for back in range(1, HISTORY_DAYS + 1):
            day = today - dt.timedelta(days=back)
            if not calendar.is_working_day(day):
                continue
            # Drawn for every working day, written or not, so that a day's tickets do not depend
            # on which other days were there already.
            made = _day_tickets(hall, day, categories.get(hall.pk, []), windows.get(hall.pk, []), profiles, rng)
            if (hall.pk, day) in with_tickets or not made:
                continue
            tickets.extend(made)
            days.add(day)
    Ticket.objects.bulk_create(tickets, batch_size=500)
    return sum(rollup.rollup_day(day=day) for day in sorted(days))


def _day_tickets(
    hall: Hall,
    day: dt.date,
    queues: list[QueueCategory],
    windows: list[Window],
    profiles: dict[int, _WindowProfile],
    rng: random.Random,
) -> list[Ticket]:
    """One past day's walk-in tickets at ``hall``, each with how it ended: served (most), not
    there when called (过号), given up before the call, a few transferred to another queue
    before being served (the roll-up counts a ticket where it ended up). Waits by the hour, longer
    at the morning peak; each window at its clerks' own pace."""
    if not queues or not windows:
        return []
    per_day = HISTORY_PER_DAY[Hall.Level(hall.level)]
    weights = sum(HISTORY_PROFILE.values())
    queue_weights = [1.0 / (1 + k) for k in range(len(queues))]
    no_show_share = rng.uniform(0.02, 0.06)
    service_minutes = rng.uniform(6, 11)
    pace = {pk: profile.pace * rng.uniform(0.9, 1.1) for pk, profile in profiles.items()}
    sequences: dict[int, int] = {}
    made = []
    for hour, weight in HISTORY_PROFILE.items():
        arrivals = round(per_day * weight / weights * rng.uniform(0.75, 1.25))
        mean_wait = rng.uniform(5, 24)  # minutes, this hour
        for _n in range(arrivals):
            arrived = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI) + dt.timedelta(
                seconds=rng.randrange(3600)
            )
            issued_in = rng.choices(queues, weights=queue_weights)[0]
            sequences[issued_in.pk] = sequences.get(issued_in.pk, 0) + 1
            ticket = Ticket(
                hall=hall,
                category=issued_in,
                service_date=day,
                sequence=sequences[issued_in.pk],
                number=f"{issued_in.letter}{sequences[issued_in.pk]:03d}",
                token=uuid.uuid4().hex,
                source=Ticket.Source.ONLINE if rng.random() < 0.25 else Ticket.Source.KIOSK,
                priority=Ticket.Priority.ELDERLY if rng.random() < 0.08 else Ticket.Priority.NONE,
                issued_at=arrived,
                arrived_at=arrived,
            )
            made.append(ticket)
            outcome = rng.random()
            if outcome < 0.03:
                ticket.status = Ticket.Status.CANCELLED
                ticket.finished_at = arrived + dt.timedelta(minutes=rng.uniform(3, 40))
                continue
            if len(queues) > 1 and outcome > 0.96:
                # Sent on to another queue at the first window; only the last call is kept.
                ticket.category = rng.choice([q for q in queues if q.pk != issued_in.pk])
                ticket.transfer_count = 1
            window = _window_for(ticket, windows, profiles, rng)
            wait = min(rng.expovariate(1 / mean_wait), 5 * mean_wait) + rng.uniform(0.2, 1.5)
            ticket.window = window
            ticket.called_at = arrived + dt.timedelta(minutes=wait)
            ticket.call_count = 1 + ticket.transfer_count
            if rng.random() < no_show_share:
                ticket.status = Ticket.Status.NO_SHOW
                ticket.finished_at = ticket.called_at + dt.timedelta(minutes=rng.uniform(2, 4))
                continue
            ticket.status = Ticket.Status.DONE
            ticket.started_at = ticket.called_at + dt.timedelta(minutes=rng.uniform(0.3, 1.5))
            minutes = rng.gammavariate(4, service_minutes * pace[window.pk] / 4)
            ticket.finished_at = ticket.started_at + dt.timedelta(minutes=max(1.0, minutes))
    return made


def _window_for(
    ticket: Ticket, windows: list[Window], profiles: dict[int, _WindowProfile], rng: random.Random
) -> Window:
    """The window that served ``ticket``: "办不成事" reports at their own window, people on the
    green channel mostly at it; otherwise a comprehensive window or one for the queue, by how busy
    each is (a window for the queue takes more of it than a comprehensive one)."""
    listed = [w for w in windows if ticket.category_id in {c.pk for c in w.categories.all()}]
    own = [w for w in listed if w.kind == Window.Kind.CANNOT_HANDLE]
    green = [w for w in listed if w.kind == Window.Kind.GREEN_CHANNEL]
    if own:
        return rng.choice(own)
    if green and ticket.is_green_channel and rng.random() < 0.8:
        return rng.choice(green)
    general = [w for w in windows if w.serves_every_category]
    special = [w for w in listed if w.kind == Window.Kind.SPECIALISED]
    candidates = general + special
    if not candidates:
        return rng.choice(listed or windows)
    weights = [profiles[w.pk].weight * (1 if w.serves_every_category else 4) for w in candidates]
    return rng.choices(candidates, weights=weights)[0]


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
