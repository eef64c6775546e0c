"""The hall-day simulator (issue 14, docs/simulator.md), wiring on top of every app as the demo
commands are (it drives queueing, appointments, cases, feedback and staffing): a discrete-event simulation of a day at
a hall that drives the real services — tickets issued at the kiosk and online, the green
channel, bookings checked in, calls, starts, finishes, transfers, no-shows, cases accepted at
the window, ratings — with the simulated time passed to every service as ``now`` (the services'
clock hook: nothing reads the wall clock). The dashboards then show a believable day.

Arrivals follow an hourly profile with a morning peak; a share comes by appointment (some of
whom never come), a share is 60 or older (green channel); service times are log-normal per
service item; every open window of the hall is staffed. While it runs, the simulator records
the estimate each person was shown when their ticket was issued (the ticket page's, through the
hall snapshot and ``queueing.estimator``) and the naive one (people ahead × the default service
time / open windows), so that the report can score both against the wait that really happened.
The same seed gives the same day.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.hours import DayHours
from catalog.models import Hall, ServiceItem
from queueing import demo as queue_demo
from queueing import estimator, learning, monitor, rollup, services, snapshot
from queueing.config import hall_config
from queueing.models import QueueCategory, Ticket, TicketEvent, Window
from servicehall import roles
from servicehall.clock import SHANGHAI, local_date, local_now
from servicehall.models import StaffProfile
from servicehall.personal_data import id_number_check_character

# Relative arrivals per hour of the day (Asia/Shanghai): a peak between 9 and 11, a dip at lunch,
# a smaller afternoon peak.
HOURLY_PROFILE = {8: 0.5, 9: 1.5, 10: 1.7, 11: 1.2, 12: 0.35, 13: 0.5, 14: 1.1, 15: 1.0, 16: 0.75, 17: 0.4}
OTHER_HOURS = 0.2
# People per day at a hall of each level (one day of the year, not a peak season).
DAILY_ARRIVALS = {
    Hall.Level.CITY: 330,
    Hall.Level.DISTRICT: 200,
    Hall.Level.STREET: 60,
    Hall.Level.STATION: 20,
}
APPOINTMENT_SHARE = 0.12  # of the day's people, booked the day before ...
BOOKING_NO_SHOW = 0.15  # ... of whom this share never comes
GREEN_CHANNEL_SHARE = 0.07  # 60 and over, recognised from the ID number
ONLINE_SHARE = 0.15  # tickets taken online on the way
CALL_NO_SHOW = 0.04  # called three times, never comes to the window
TRANSFER_SHARE = 0.04  # sent on to another queue after a first look
CASE_SHARE = 0.3  # of the people served, an application accepted at the window
RATING_SHARE = 0.4  # of the people served, a rating at the window's tablet
SERVICE_SIGMA = 0.45  # of log(service time)
# The hour changes the work: the first hours bring the harder matters.
HOUR_FACTOR = {8: 1.15, 9: 1.15, 10: 1.1, 11: 1.0, 13: 0.95, 14: 0.95, 15: 0.9, 16: 0.85, 17: 0.85}
PACES = (1.3, 0.75, 1.0, 1.15, 0.85, 1.05)  # the clerks' service times, times the item's
SIM_USER_PREFIX = "sim-"
MONITOR_EVERY = dt.timedelta(minutes=10)
# A simulated clerk is named as a clerk is (a person's name, as the demo's own window staff are),
# not after the window: the window has its own name, translated where it is shown ("4号窗口").
SIM_NAMES = ("陈志强", "李丽华", "黄伟明", "张慧敏", "刘建国", "林淑贞", "何俊杰", "郭秀英", "罗家豪", "梁美玲")


@dataclass(frozen=True)
class Options:
    seed: int = 1
    scale: float = 1.0  # times the level's people per day
    until: dt.datetime | None = None  # stop the clock here (today up to now); None: the whole day
    estimates: bool = True  # record the estimates shown at issue (a snapshot read per ticket)
    extras: bool = True  # cases and ratings after service
    sign_out: bool = True  # the simulator's clerks sign out at the end (False: leave them, for the demo)
    staffing: float = 1.0  # the share of the hall's windows staffed (those already staffed count)
    appointments: bool = True  # book a share of the people the evening before (off: the demo has its own)
    close_up: bool = False  # stopped before closing: every clerk signs out, the people still waiting leave (demo)


@dataclass
class Report:
    hall: str
    date: dt.date
    skipped: str = ""
    issued: int = 0
    walk_ins: int = 0
    appointments_booked: int = 0
    appointments_checked_in: int = 0
    appointments_missed: int = 0
    green_channel: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    cases_accepted: int = 0
    ratings: int = 0
    still_waiting: int = 0
    gave_up: int = 0  # still waiting when a closed-up run stopped, their tickets cancelled
    windows_staffed: int = 0
    waits: list[float] = field(default_factory=list)  # minutes, arrival to first call
    errors: list[float] = field(default_factory=list)  # estimate shown − actual, minutes
    naive_errors: list[float] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # per estimate: its inputs and the truth
    alerts_raised: int = 0
    planner: list[dict[str, Any]] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        def stats(values: list[float]) -> dict[str, float | None]:
            if not values:
                return {"mean": None, "p50": None, "p90": None}
            ordered = sorted(values)
            return {
                "mean": round(statistics.fmean(ordered), 1),
                "p50": round(_quantile(ordered, 0.5), 1),
                "p90": round(_quantile(ordered, 0.9), 1),
            }

        mae = _mae(self.errors)
        naive = _mae(self.naive_errors)
        return {
            "hall": self.hall,
            "date": self.date.isoformat(),
            "skipped": self.skipped,
            "issued": self.issued,
            "walk_ins": self.walk_ins,
            "appointments": {
                "booked": self.appointments_booked,
                "checked_in": self.appointments_checked_in,
                "missed": self.appointments_missed,
            },
            "green_channel": self.green_channel,
            "called": self.called,
            "served": self.served,
            "no_shows": self.no_shows,
            "transfers": self.transfers,
            "cases_accepted": self.cases_accepted,
            "ratings": self.ratings,
            "still_waiting": self.still_waiting,
            "gave_up": self.gave_up,
            "windows_staffed": self.windows_staffed,
            "wait_minutes": stats(self.waits),
            "estimate": {
                "tickets": len(self.errors),
                "mae_minutes": mae,
                "naive_mae_minutes": naive,
                "ratio": round(mae / naive, 2) if mae is not None and naive else None,
                "bias_minutes": round(statistics.fmean(self.errors), 2) if self.errors else None,
            },
            "alerts_raised": self.alerts_raised,
            "planner": self.planner,
            "failures": dict(self.failures),
        }


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _mae(values: list[float]) -> float | None:
    return round(statistics.fmean(abs(v) for v in values), 2) if values else None


def fake_id_number(rng: random.Random, *, birth_year: int) -> str:
    """A valid (check character and all) ID number of a Guangzhou resident born in ``birth_year``."""
    birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    first17 = f"440106{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_character(first17)


def _fake_mobile(rng: random.Random) -> str:
    return f"13{rng.randrange(10**9):09d}"


def item_service_minutes(item_code: str) -> float:
    """The mean service time of an item (4 to 16 minutes), fixed per item code so that every
    run and every day agrees."""
    return 4.0 + (sum(ord(c) * (i + 1) for i, c in enumerate(item_code)) % 1200) / 100


def day_hours(hall: Hall, day: dt.date) -> DayHours | None:
    return catalog_selectors.hall_hours(hall=hall, day=day)


def already_simulated(hall: Hall, day: dt.date) -> bool:
    """The hall has tickets that day taken through the services (an "issued" event): a day
    already simulated, or a real one. Rows written directly (demo history) do not count."""
    return TicketEvent.objects.filter(
        ticket__hall=hall, ticket__service_date=day, kind=TicketEvent.Kind.ISSUED
    ).exists()


@dataclass
class _Clerk:
    window: Window
    staff: Any
    categories: set[int]
    current: Ticket | None = None
    busy: bool = False
    pace: float = 1.0
    ours: bool = True  # signed in by the simulator (signed out by it at the end)


class _Day:
    """One hall, one day: the event loop."""

    def __init__(self, hall: Hall, day: dt.date, hours: DayHours, options: Options) -> None:
        self.hall, self.day, self.hours, self.options = hall, day, hours, options
        self.rng = random.Random(f"{options.seed}-{hall.code}-{day.isoformat()}")  # noqa: S311 - a simulation
        self.report = Report(hall=hall.code, date=day)
        self.events: list[tuple[dt.datetime, int, str, Any]] = []
        self.counter = itertools.count()
        self.categories = list(QueueCategory.objects.filter(hall=hall, is_active=True).prefetch_related("items"))
        self.walk_in_categories = [c for c in self.categories if c.letter != "G"] or self.categories
        self.clerks: list[_Clerk] = []
        self.first_call: dict[int, dt.datetime] = {}
        self.shown: dict[int, tuple[int | None, int | None, dt.datetime]] = {}
        self.item_of: dict[int, ServiceItem | None] = {}
        self.rows: dict[int, dict[str, Any]] = {}  # the snapshot row each estimate was made from
        self.config = hall_config(hall)
        self.end = options.until or hours.closes + dt.timedelta(hours=3)

    # --- the loop ---------------------------------------------------------------------------------

    def push(self, at: dt.datetime, kind: str, payload: Any = None) -> None:
        heapq.heappush(self.events, (at, next(self.counter), kind, payload))

    def run(self) -> Report:
        self._staff()
        if not self.clerks:
            self.report.skipped = "no window staffed"
            return self.report
        self._arrivals()
        self._appointments()
        moment = self.hours.opens
        while moment < min(self.hours.closes, self.end):
            self.push(moment, "monitor")
            moment += MONITOR_EVERY
        for clerk in self.clerks:
            self.push(self.hours.opens + dt.timedelta(seconds=self.rng.uniform(0, 120)), "free", clerk)
        while self.events:
            at, _, kind, payload = heapq.heappop(self.events)
            if at > self.end:
                break
            getattr(self, f"_on_{kind}")(at, payload)
        self._finish()
        return self.report

    def _staff(self) -> None:
        """Sign a clerk in at every window of the hall: its own window staff first (the demo's
        signed-in clerks stay where they are), then simulated clerks of the hall."""
        windows = list(Window.objects.filter(hall=self.hall).prefetch_related("categories").order_by("number"))
        all_ids = {c.pk for c in self.categories}
        own = list(
            get_user_model()
            .objects.filter(groups__name=roles.WINDOW_STAFF, staff_profile__hall=self.hall, windows__isnull=True)
            .exclude(username__startswith=SIM_USER_PREFIX)
            .order_by("username")
        )
        signed_in_at = self.hours.opens - dt.timedelta(minutes=5)
        today = local_date()
        # Windows already staffed first, then the comprehensive ones, then by number.
        windows.sort(key=lambda w: (w.staff_id is None, w.kind != Window.Kind.COMPREHENSIVE, w.number))
        wanted = max(1, round(len(windows) * self.options.staffing))
        windows = windows[: max(wanted, sum(1 for w in windows if w.staff_id is not None))]
        for window in windows:
            staff = window.staff
            ours = staff is None
            if ours:
                staff = own.pop(0) if own else self._sim_clerk(window)
                try:
                    window = services.window_sign_in(window=window, staff=staff, now=signed_in_at)
                except services.QueueError:
                    self.report.failures["sign_in"] += 1
                    continue
            elif not window.is_open or self.day != today:
                # Somebody is signed in there now, for real: used as they are today, left alone
                # on any other day (signing them in or out in the past would undo today).
                self.report.failures["window_in_use"] += 1
                continue
            served = all_ids if window.serves_every_category else {c.pk for c in window.categories.all()}
            # Each clerk works at a pace of their own, so that the per-window figures differ.
            pace = PACES[len(self.clerks) % len(PACES)]
            self.clerks.append(_Clerk(window, staff, served, pace=pace, ours=ours))
        self.report.windows_staffed = len(self.clerks)

    def _sim_clerk(self, window: Window) -> Any:
        username = f"{SIM_USER_PREFIX}{self.hall.code.lower()}-{window.number}"
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
        StaffProfile.objects.update_or_create(
            user=user, defaults={"hall": self.hall, "display_name": SIM_NAMES[(window.number - 1) % len(SIM_NAMES)]}
        )
        return user

    def _arrivals(self) -> None:
        level = self.hall.level if self.hall.level in DAILY_ARRIVALS else Hall.Level.STREET
        people = DAILY_ARRIVALS[Hall.Level(level)] * self.options.scale * (1 - APPOINTMENT_SHARE)
        hours = []
        moment = self.hours.opens
        while moment < self.hours.closes:
            hours.append(moment)
            moment += dt.timedelta(hours=1)
        weights = [HOURLY_PROFILE.get(local_now(h).hour, OTHER_HOURS) for h in hours]
        total = sum(weights)
        for start, weight in zip(hours, weights, strict=True):
            rate = people * weight / total / 60  # per minute
            end = min(start + dt.timedelta(hours=1), self.hours.closes - dt.timedelta(minutes=10))
            moment = start
            while rate > 0:
                moment += dt.timedelta(minutes=self.rng.expovariate(rate))
                if moment >= end:
                    break
                self.push(moment, "arrive")

    def _appointments(self) -> None:
        """Book a share of the day's people into the hall's slots the day before; most come
        and check in around their slot's start, some never come."""
        from appointments import services as booking_services
        from appointments.models import Slot

        if not self.options.appointments:
            return
        wanted = round(DAILY_ARRIVALS.get(Hall.Level(self.hall.level), 60) * self.options.scale * APPOINTMENT_SHARE)
        slots = list(
            Slot.objects.filter(hall=self.hall, date=self.day, is_closed=False, urgent_only=False)
            .filter(booked__lt=F("capacity"))
            .select_related("category")
            .order_by("starts_at")
        )
        booked_at = dt.datetime.combine(self.day - dt.timedelta(days=1), dt.time(19), SHANGHAI)
        if not slots and wanted > 0:
            # A day outside the booking horizon the beat job keeps: its slots from the hall's plans.
            booking_services.slots_generate(start=self.day, end=self.day, halls=[self.hall.pk], now=booked_at)
            slots = list(
                Slot.objects.filter(hall=self.hall, date=self.day, is_closed=False, urgent_only=False)
                .select_related("category")
                .order_by("starts_at")
            )
        if not slots or wanted <= 0:
            return
        for _ in range(wanted):
            slot = self.rng.choice(slots)
            try:
                booking = booking_services.booking_create(
                    slot=slot,
                    name="模拟申请人",
                    id_number=fake_id_number(self.rng, birth_year=self.rng.randint(1965, 2000)),
                    mobile=_fake_mobile(self.rng),
                    source="web",
                    now=booked_at,
                )
            except booking_services.BookingError as exc:
                self.report.failures[f"booking: {str(exc)[:50]}"] += 1
                continue
            self.report.appointments_booked += 1
            if self.rng.random() < BOOKING_NO_SHOW:
                self.report.appointments_missed += 1
                continue
            arrives = slot.starts_at + dt.timedelta(minutes=self.rng.uniform(-25, 10))
            self.push(max(arrives, self.hours.opens), "check_in", booking)

    # --- events -----------------------------------------------------------------------------------

    def _on_monitor(self, at: dt.datetime, _: Any) -> None:
        self.report.alerts_raised += monitor.monitor_run(now=at, hall_ids=[self.hall.pk]).raised

    def _on_arrive(self, at: dt.datetime, _: Any) -> None:
        category = self.rng.choices(
            self.walk_in_categories, weights=[3 if c.letter in "AB" else 1.5 for c in self.walk_in_categories]
        )[0]
        green = self.rng.random() < GREEN_CHANNEL_SHARE
        source = Ticket.Source.ONLINE if self.rng.random() < ONLINE_SHARE else Ticket.Source.KIOSK
        id_number = ""
        if green:
            id_number = fake_id_number(self.rng, birth_year=self.rng.randint(1935, 1960))
        elif self.rng.random() < 0.5:
            id_number = fake_id_number(self.rng, birth_year=self.rng.randint(1970, 2004))
        try:
            ticket = services.ticket_issue(
                hall=self.hall, category=category, source=source, id_number=id_number, now=at
            ).ticket
        except services.QueueError:
            self.report.failures["issue"] += 1
            return
        self.report.walk_ins += 1
        self._issued(ticket, at)

    def _on_check_in(self, at: dt.datetime, booking: Any) -> None:
        from appointments import services as booking_services

        desk = self.clerks[0].staff
        try:
            checked = booking_services.booking_check_in(
                hall=self.hall, code=booking.code, via="window", staff=desk, now=at
            )
        except booking_services.BookingError:
            self.report.failures["check_in"] += 1
            return
        self.report.appointments_checked_in += 1
        self._issued(checked.ticket, at)

    def _issued(self, ticket: Ticket, at: dt.datetime) -> None:
        self.report.issued += 1
        if ticket.is_green_channel:
            self.report.green_channel += 1
        category = next((c for c in self.categories if c.pk == ticket.category_id), None)
        items = list(category.items.all()) if category is not None else []
        self.item_of[ticket.pk] = self.rng.choice(items) if items else None
        if self.options.estimates:
            self.shown[ticket.pk] = (*self._estimates(ticket, at), at)
        self._wake(at, ticket)

    def _estimates(self, ticket: Ticket, at: dt.datetime) -> tuple[int | None, int | None]:
        """The estimate the ticket page shows at issue, and the naive one, in minutes."""
        data = snapshot.build(self.hall, now=at)
        place = snapshot.place(data, ticket, now=at)
        row = snapshot.category_row(data, ticket.category_id)
        if place is None or row is None:
            return None, None
        ours = estimator.row_wait_minutes(row, ahead=place.ahead, priority=bool(ticket.priority))
        self.rows[ticket.pk] = {
            **{k: v for k, v in row.items() if k not in ("queue", "scheduled", "oldest_arrived_at")},
            "ahead": place.ahead,
            "priority": ticket.priority,
            "hour": local_now(at).hour,
            "total_waiting": sum(r["waiting"] for r in data["categories"]),
            "not_before": (ticket.not_before - at).total_seconds() if ticket.not_before else None,
        }
        naive = estimator.wait_minutes(
            ahead=place.ahead, windows=row["open_windows"], mean_service=self.config.default_service_minutes * 60
        )
        if ticket.not_before and ticket.not_before > at:
            floor = math.ceil((ticket.not_before - at).total_seconds() / 60)
            ours = None if ours is None else max(ours, floor)
            naive = None if naive is None else max(naive, floor)
        return ours, naive

    def _wake(self, at: dt.datetime, ticket: Ticket) -> None:
        """Idle windows that serve the ticket's queue look up within a minute (at its slot's start
        for an appointment not callable yet)."""
        when = max(at, ticket.not_before) if ticket.not_before else at
        idle = [c for c in self.clerks if not c.busy and ticket.category_id in c.categories | self._green(c, ticket)]
        if idle:  # one of them calls (waking them all would have the others find nothing)
            clerk = self.rng.choice(idle)
            clerk.busy = True
            self.push(when + dt.timedelta(seconds=self.rng.uniform(10, 60)), "free", clerk)

    def _green(self, clerk: _Clerk, ticket: Ticket) -> set[int]:
        return (
            {ticket.category_id}
            if clerk.window.kind == Window.Kind.GREEN_CHANNEL and ticket.is_green_channel
            else set()
        )

    def _on_free(self, at: dt.datetime, clerk: _Clerk) -> None:
        if self.hours.in_lunch_break(at):  # windows rest at lunch; tickets taken then wait
            self.push(
                dt.datetime.combine(self.day, self.hours.afternoon_opens, SHANGHAI)
                + dt.timedelta(seconds=self.rng.uniform(0, 90)),
                "free",
                clerk,
            )
            return
        try:
            ticket = services.ticket_call_next(window=clerk.window, staff=clerk.staff, now=at)
        except services.QueueError:
            clerk.busy = False
            return
        clerk.busy, clerk.current = True, ticket
        self.report.called += 1
        if ticket.pk not in self.first_call:
            self.first_call[ticket.pk] = at
            self._score(ticket, at)
        if self.rng.random() < CALL_NO_SHOW:
            self.push(at + dt.timedelta(minutes=1), "recall", clerk)
            return
        self.push(at + dt.timedelta(seconds=self.rng.uniform(20, 70)), "start", clerk)

    def _score(self, ticket: Ticket, at: dt.datetime) -> None:
        actual = max(0.0, (at - ticket.arrived_at).total_seconds() / 60)
        self.report.waits.append(actual)
        shown = self.shown.get(ticket.pk)
        if shown is not None and shown[0] is not None and shown[1] is not None:
            self.report.errors.append(shown[0] - actual)
            self.report.naive_errors.append(shown[1] - actual)
            self.report.records.append({**self.rows.get(ticket.pk, {}), "actual": actual, "shown": shown[0]})

    def _on_recall(self, at: dt.datetime, clerk: _Clerk) -> None:
        ticket = clerk.current
        assert ticket is not None  # noqa: S101 - the loop's own invariant
        services.ticket_recall(window=clerk.window, ticket=ticket, staff=clerk.staff, now=at)
        self.push(at + dt.timedelta(minutes=2), "no_show", clerk)

    def _on_no_show(self, at: dt.datetime, clerk: _Clerk) -> None:
        ticket = clerk.current
        assert ticket is not None  # noqa: S101
        services.ticket_no_show(window=clerk.window, ticket=ticket, staff=clerk.staff, now=at)
        self.report.no_shows += 1
        clerk.current = None
        self.push(at + dt.timedelta(seconds=self.rng.uniform(15, 45)), "free", clerk)

    def _on_start(self, at: dt.datetime, clerk: _Clerk) -> None:
        ticket = clerk.current
        assert ticket is not None  # noqa: S101
        clerk.current = services.ticket_start(window=clerk.window, ticket=ticket, staff=clerk.staff, now=at)
        item = self.item_of.get(ticket.pk)
        category = next((c for c in self.categories if c.pk == ticket.category_id), None)
        key = item.code if item is not None else f"{self.hall.code}-{category.letter if category else ''}"
        mean = item_service_minutes(key)
        mean *= HOUR_FACTOR.get(local_now(at).hour, 1.0) * clerk.pace
        mu = math.log(mean) - SERVICE_SIGMA**2 / 2
        minutes = min(self.rng.lognormvariate(mu, SERVICE_SIGMA), 4 * mean)
        transfer = (
            self.rng.random() < TRANSFER_SHARE
            and ticket.transfer_count == 0
            and len(self.walk_in_categories) > 1
            and not ticket.priority
        )
        if transfer:
            self.push(at + dt.timedelta(minutes=minutes * 0.3), "transfer", clerk)
        else:
            self.push(at + dt.timedelta(minutes=minutes), "finish", clerk)

    def _on_transfer(self, at: dt.datetime, clerk: _Clerk) -> None:
        ticket = clerk.current
        assert ticket is not None  # noqa: S101
        target = self.rng.choice([c for c in self.walk_in_categories if c.pk != ticket.category_id])
        try:
            moved = services.ticket_transfer(
                window=clerk.window,
                ticket=ticket,
                staff=clerk.staff,
                reason="需到其他窗口办理",
                category=target,
                now=at,
            )
        except services.QueueError:
            self.report.failures["transfer"] += 1
            self.push(at, "finish", clerk)
            return
        self.report.transfers += 1
        clerk.current = None
        self.item_of[moved.pk] = next(iter(target.items.all()), None)
        self._wake(at, moved)
        self.push(at + dt.timedelta(seconds=self.rng.uniform(15, 45)), "free", clerk)

    def _on_finish(self, at: dt.datetime, clerk: _Clerk) -> None:
        ticket = clerk.current
        assert ticket is not None  # noqa: S101
        if self.options.extras:
            self._case(ticket, clerk, at - dt.timedelta(seconds=30))
        done = services.ticket_finish(window=clerk.window, ticket=ticket, staff=clerk.staff, now=at)
        self.report.served += 1
        clerk.current = None
        if self.options.extras:
            self._rating(done, at)
        self.push(at + dt.timedelta(seconds=self.rng.uniform(15, 60)), "free", clerk)

    def _case(self, ticket: Ticket, clerk: _Clerk, at: dt.datetime) -> None:
        """An application received and accepted at the window for the ticket (受理)."""
        item = self.item_of.get(ticket.pk)
        if item is None or self.rng.random() >= CASE_SHARE:
            return
        from cases import services as case_services
        from catalog.models import GuideVersion

        version = GuideVersion.objects.current(self.day).filter(item=item).prefetch_related("materials").first()
        if version is None:
            return
        try:
            case_services.case_receive(
                actor=clerk.staff,
                hall=self.hall,
                item=item,
                channel="window",
                applicant=case_services.ApplicantInput(
                    kind="person",
                    name="模拟申请人",
                    id_number=fake_id_number(self.rng, birth_year=self.rng.randint(1960, 2004)),
                ),
                mobile=_fake_mobile(self.rng),
                checklist=[case_services.MaterialCheck(m.pk, "original") for m in version.materials.all()],
                window=clerk.window,
                ticket=ticket,
                outcome="accept",
                now=at,
            )
        except Exception as exc:  # noqa: BLE001 - a rule refusing this one application leaves the day going
            self.report.failures[f"case: {str(exc)[:60]}"] += 1
            return
        self.report.cases_accepted += 1

    def _rating(self, ticket: Ticket, at: dt.datetime) -> None:
        if self.rng.random() >= RATING_SHARE:
            return
        from feedback import ratings
        from feedback.models import Rating

        level = self.rng.choices(["very_satisfied", "satisfied", "basic", "dissatisfied"], weights=[60, 30, 7, 3])[0]
        try:
            ratings.rating_submit_ticket(
                ticket=ticket,
                data=ratings.rating_input_clean(
                    {"level": level, "overall": level, "efficiency": level, "quality": level, "attitude": level}
                ),
                source=Rating.Source.TABLET,
                now=at + dt.timedelta(seconds=30),
            )
        except Exception:  # noqa: BLE001 - a refused rating (rules of the feedback app) is counted, not fatal
            self.report.failures["rating"] += 1
            return
        self.report.ratings += 1

    # --- the end of the day ----------------------------------------------------------------------

    def _finish(self) -> None:
        stop = min(self.end, self.hours.closes + dt.timedelta(hours=3))
        self.report.still_waiting = Ticket.objects.filter(
            hall=self.hall, service_date=self.day, status=Ticket.Status.WAITING
        ).count()
        day_over = stop >= self.hours.closes
        for clerk in self.clerks:
            # Closing up, the demo clerks signed in for the day sign out too: they are not logged
            # in, and the job closing the windows of expired logins would close theirs a minute later.
            leaves = (self.options.sign_out and clerk.ours) or self.options.close_up
            if clerk.current is not None and (leaves or day_over):
                # The person at the window is served; a window closing leaves nobody half-done.
                ticket = Ticket.objects.get(pk=clerk.current.pk)
                if ticket.status == Ticket.Status.CALLED:
                    ticket = services.ticket_start(window=clerk.window, ticket=ticket, staff=clerk.staff, now=stop)
                services.ticket_finish(window=clerk.window, ticket=ticket, staff=clerk.staff, now=stop)
                self.report.served += 1
                clerk.current = None
            if leaves:
                services.window_sign_out(window=clerk.window, staff=clerk.staff, return_current=True, now=stop)
        if self.options.close_up:
            # Nobody is left waiting at a hall with no window open: the people still waiting give
            # up their tickets (cancelled, as from the ticket page).
            waiting = Ticket.objects.filter(pk__in=list(self.item_of), status=Ticket.Status.WAITING)
            for ticket in waiting.order_by("pk"):
                services.ticket_cancel(ticket=ticket, now=stop)
                self.report.gave_up += 1
        self._plan(stop)
        if self.options.until is None:  # a whole day: its roll-up and what the estimator learns
            rollup.rollup_day(day=self.day)
            learning.learn_day(day=self.day, hall_ids=[self.hall.pk])

    def _plan(self, now: dt.datetime) -> None:
        """Windows the staffing planner (Erlang C) says each hour needed, beside those open."""
        from staffing import workload

        try:
            plan = workload.plan_day(hall=self.hall, day=self.day, now=max(now, self.hours.closes))
        except Exception:  # noqa: BLE001 - the report goes on without the plan
            self.report.failures["planner"] += 1
            return
        for hour in plan.hours:
            if hour.source != "observed":
                continue
            self.report.planner.append(
                {
                    "hour": hour.hour,
                    "arrivals": hour.arrivals,
                    "mean_service_minutes": hour.mean_service_minutes,
                    "windows_needed": hour.windows_needed,
                    "windows_open": hour.windows_open,
                    "service_level": None if hour.service_level is None else round(hour.service_level, 2),
                }
            )


def simulate_day(hall: Hall, day: dt.date, options: Options | None = None) -> Report:
    """Simulate ``day`` at ``hall`` (up to ``options.until`` if given). A hall with tickets that
    day already is not simulated again (``Report.skipped``)."""
    options = options or Options()
    report = Report(hall=hall.code, date=day)
    hours = day_hours(hall, day)
    if hours is None:
        report.skipped = "closed"
        return report
    if already_simulated(hall, day):
        report.skipped = "already simulated (tickets issued that day)"
        return report
    if options.until is not None and options.until <= hours.opens:
        report.skipped = "not open yet"
        return report
    # All or nothing: a day that fails half-way leaves nothing behind, and a rerun starts afresh.
    with transaction.atomic():
        return _Day(hall, day, hours, options).run()


def demo_today(*, now: dt.datetime | None = None) -> int:
    """Today at the busy halls, up to now, by the hall-day simulator (servicehall.simulator): the
    demo clerks signed in where they work, the other windows staffed by simulated clerks, tickets
    taken, called, served, transferred, cases accepted, ratings, the wait monitor's alerts — so
    that the dashboards are alive whenever `make run` starts; at the stop everyone signs out and
    the people still waiting leave (``close_up``, docs/simulator.md). Before
    opening there is nothing yet today; after closing the whole day has happened. Skipped for a
    hall that already has today's tickets (a second `make run` the same day). Run last, after
    the other apps' demos (which add their own cases and ratings only where there are none)."""
    now = now or timezone.now()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[s[0] for s in queue_demo.SIGNED_IN])}
    today = local_date(now)
    made = 0
    for code in queue_demo.BUSY_HALLS:
        hall = Hall.objects.filter(code=code).prefetch_related("opening_hours").first()
        if hall is None or already_simulated(hall, today):
            continue
        hours = catalog_selectors.hall_hours(hall=hall, day=today)
        if hours is None or now < hours.opens + dt.timedelta(minutes=20):
            continue
        windows = {w.number: w for w in Window.objects.filter(hall=hall)}
        for username, hall_code, number in queue_demo.SIGNED_IN:
            user = users.get(username)
            if user is not None and hall_code == code and windows.get(number) and windows[number].staff_id is None:
                try:
                    services.window_sign_in(
                        window=windows[number], staff=user, now=hours.opens - dt.timedelta(minutes=5)
                    )
                except services.QueueError:
                    continue
        report = simulate_day(
            hall,
            today,
            Options(
                seed=queue_demo.DEMO_SEED,
                scale=queue_demo.DEMO_SCALE,
                staffing=queue_demo.DEMO_STAFFING,
                until=min(now, hours.closes + dt.timedelta(hours=2)),
                estimates=False,
                appointments=False,  # the appointments demo has booked its own applicants
                close_up=True,  # no queue left behind without an open window (docs/simulator.md)
            ),
        )
        made += report.issued
    return made
