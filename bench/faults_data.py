#!/usr/bin/env python
"""`make faults` helper, run in the faults database's environment. Prints JSON.

faults_data.py setup N          a hall open around the clock (two queues, six windows, each with a
                                signed-in clerk and a session cookie), a slot of 500 seats tomorrow,
                                a supervisor's session, and N bookings in another hall whose
                                reminders are parked (not due) for the worker-kill fault
faults_data.py release          make the parked reminders due now
faults_data.py expire-leases    move the claims of reminders a killed worker left "sending" past
                                their lease (what five minutes of waiting would do)
faults_data.py reminders        reminder states of the parked batch
faults_data.py verify FILE      what the database holds against what the requests were told (FILE:
                                the driver's JSON record of successful answers)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from appointments import services as booking_services  # noqa: E402
from appointments.models import Booking, BookingLookup, Reminder, Slot, SlotKind  # noqa: E402
from bench.faults import person  # noqa: E402
from catalog.hours import SHANGHAI  # noqa: E402
from catalog.models import CalendarDay, Hall, HallOpeningHours  # noqa: E402
from queueing import services  # noqa: E402
from queueing.models import QueueCategory, Ticket, TicketEvent, Window  # noqa: E402
from servicehall import roles  # noqa: E402
from servicehall.models import OutboxTask, StaffProfile  # noqa: E402

HALL = "FAULTS"
REMINDER_HALL = "FAULTS-RM"
WINDOWS = 6
PARKED = dt.timedelta(days=365)


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _open_all_day(hall: Hall) -> None:
    for weekday in range(7):
        HallOpeningHours.objects.update_or_create(
            hall=hall,
            weekday=weekday,
            defaults={
                "morning_opens": dt.time(0, 0),
                "morning_closes": dt.time(12, 0),
                "afternoon_opens": dt.time(12, 0),
                "afternoon_closes": dt.time(23, 59, 59),
            },
        )


def _session_cookie(user) -> str:  # noqa: ANN001 - a user
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store["_two_factor"] = "ok"  # past the second factor (servicehall.twofactor.VERIFIED), as a bench client
    store.create()
    return store.session_key


def _slot(hall: Hall, category: QueueCategory, day: dt.date, hour: int, capacity: int) -> Slot:
    starts = dt.datetime.combine(day, dt.time(hour), SHANGHAI)
    slot, _ = Slot.objects.update_or_create(
        category=category,
        starts_at=starts,
        defaults={
            "hall": hall,
            "kind": SlotKind.REGULAR,
            "date": day,
            "ends_at": starts + dt.timedelta(minutes=30),
            "capacity": capacity,
            "booked": 0,
            "is_closed": False,
        },
    )
    return slot


def setup(parked: int) -> dict:
    today, tomorrow = _today(), _today() + dt.timedelta(days=1)
    for day in (today, tomorrow):  # the drill must not depend on today being a working day
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "source": "manual"})
    hall, _ = Hall.objects.get_or_create(
        code=HALL, defaults={"name": "故障演练大厅", "level": "district", "district": "tianhe", "address": "演练"}
    )
    _open_all_day(hall)
    categories = [
        QueueCategory.objects.get_or_create(hall=hall, letter=letter, defaults={"name": f"演练{letter}", "order": n})[0]
        for n, letter in enumerate("AB", start=1)
    ]
    users = get_user_model().objects
    windows = []
    for number in range(1, WINDOWS + 1):
        window, _ = Window.objects.get_or_create(hall=hall, number=number, defaults={"kind": Window.Kind.COMPREHENSIVE})
        clerk, _ = users.get_or_create(username=f"faults-window-{number}")
        clerk.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
        StaffProfile.objects.get_or_create(user=clerk, defaults={"hall": hall, "display_name": clerk.username})
        if window.staff_id is None:
            services.window_sign_in(window=window, staff=clerk)
        windows.append({"pk": window.pk, "number": number, "session": _session_cookie(clerk)})
    supervisor, _ = users.get_or_create(username="faults-supervisor")
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    StaffProfile.objects.get_or_create(user=supervisor, defaults={"display_name": "演练监督员"})
    slot = _slot(hall, categories[0], tomorrow, 10, 500)

    # The reminder batch: bookings in a hall of their own, their reminders parked a year ahead
    # (the worker is not running yet) until ``release`` makes them due at once.
    reminder_hall, _ = Hall.objects.get_or_create(
        code=REMINDER_HALL,
        defaults={"name": "提醒演练大厅", "level": "district", "district": "tianhe", "address": "演练"},
    )
    _open_all_day(reminder_hall)
    reminder_category = QueueCategory.objects.get_or_create(hall=reminder_hall, letter="A", defaults={"name": "提醒"})[
        0
    ]
    reminder_slot = _slot(reminder_hall, reminder_category, tomorrow, 15, parked + 10)
    for k in range(parked):
        booking_services.booking_create(slot=reminder_slot, source="web", **person(100_000 + k))
    Reminder.objects.filter(booking__hall=reminder_hall).update(due_at=timezone.now() + PARKED)
    return {
        "hall": HALL,
        "letters": ["A", "B"],
        "windows": windows,
        "slot": slot.pk,
        "supervisor_session": _session_cookie(supervisor),
        "parked_reminders": Reminder.objects.filter(booking__hall=reminder_hall).count(),
    }


def release() -> dict:
    released = Reminder.objects.filter(booking__hall__code=REMINDER_HALL, status=Reminder.Status.PENDING).update(
        due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return {"released": released}


def expire_leases() -> dict:
    lease = dt.timedelta(minutes=int(settings.APPOINTMENTS["reminder_lease_minutes"]))
    rows = Reminder.objects.filter(booking__hall__code=REMINDER_HALL, status=Reminder.Status.SENDING)
    expired = 0
    for reminder in rows:
        Reminder.objects.filter(pk=reminder.pk).update(claimed_at=reminder.claimed_at - lease - dt.timedelta(minutes=1))
        expired += 1
    return {"expired": expired}


def reminders() -> dict:
    rows = Reminder.objects.filter(booking__hall__code=REMINDER_HALL)
    states = dict(rows.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"states": states, "keys": [f"reminder-{pk}" for pk in rows.values_list("pk", flat=True)]}


def verify(path: str) -> dict:
    """Every success the requests were told of is in the database, and the database holds no
    change that a request was told had failed."""
    told = json.loads(Path(path).read_text())
    hall = Hall.objects.get(code=HALL)
    tickets = Ticket.objects.filter(hall=hall, service_date=_today(), source=Ticket.Source.ONLINE)
    issued_tokens = set(tickets.values_list("token", flat=True))
    calls = TicketEvent.objects.filter(ticket__hall=hall, kind=TicketEvent.Kind.CALLED)
    called = set(calls.values_list("ticket_id", "window__number"))
    finished = set(Ticket.objects.filter(hall=hall, status=Ticket.Status.DONE).values_list("pk", flat=True))
    bookings = set(Booking.objects.filter(slot_id=told["slot"]).values_list("manage_token", flat=True))
    lookups = BookingLookup.objects.filter(created_at__gte=timezone.now() - dt.timedelta(hours=1))
    down_from, down_until = (dt.datetime.fromtimestamp(t, tz=dt.UTC) for t in told["down"])
    during = lookups.filter(created_at__gte=down_from, created_at__lt=down_until)
    stuck_windows = [
        w.number
        for w in Window.objects.filter(hall=hall)
        if Ticket.objects.filter(window=w, status__in=Ticket.AT_WINDOW).exists()
        and not any(call[1] == w.number for call in told["open_calls"])
    ]
    return {
        "issue": {
            "missing": len(set(told["issued"]) - issued_tokens),
            "committed_but_failed": len(issued_tokens) - len(set(told["issued"])),
        },
        "call": {
            "missing": len({(c[0], c[1]) for c in told["called"]} - called),
            "committed_but_failed": len(called) - len({(c[0], c[1]) for c in told["called"]}),
            "stuck_windows": stuck_windows,
        },
        "finish": {"missing": len(set(told["finished"]) - finished)},
        "book": {
            "missing": len(set(told["booked"]) - bookings),
            "committed_but_failed": len(bookings) - len(set(told["booked"])),
        },
        "lookups": {
            "started": lookups.count(),
            "code_sent": lookups.filter(sent_at__isnull=False).count(),
        },
        # Asked for while Redis (the broker) was down: kept in the outbox, sent once it was back.
        "lookups_while_down": {
            "started": during.count(),
            "code_sent": during.filter(sent_at__isnull=False).count(),
            "sent_after_restart": during.filter(sent_at__gte=down_until).count(),
        },
        "outbox_left": OutboxTask.objects.count(),
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {
        "setup": lambda: setup(int(rest[0])),
        "release": release,
        "expire-leases": expire_leases,
        "reminders": reminders,
        "verify": lambda: verify(rest[0]),
    }
    print(json.dumps(handlers[command]()))
