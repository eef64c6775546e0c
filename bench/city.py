"""A city's halls for the bench helpers (imported after ``django.setup()``): ``count`` halls coded
``<prefix>-000`` …, each open 08:30–12:00 and 13:00–17:30 every day of the week, with eight queue
categories (A–H) and five comprehensive windows; created once, kept between runs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.models import CalendarDay, Hall, HallOpeningHours
from queueing.models import QueueCategory, Window
from servicehall import roles
from servicehall.clock import local_date
from servicehall.models import StaffProfile
from servicehall.sessions import SessionStore

LETTERS = "ABCDEFGH"
WINDOWS = 5


def ensure_halls(prefix: str, count: int, name: str) -> list[Hall]:
    codes = [f"{prefix}-{k:03d}" for k in range(count)]
    have = set(Hall.objects.filter(code__in=codes).values_list("code", flat=True))
    new = Hall.objects.bulk_create(
        Hall(code=code, name=f"{name}{k}", level="street", district="tianhe", address="基准测试")
        for k, code in enumerate(codes)
        if code not in have
    )
    HallOpeningHours.objects.bulk_create(
        HallOpeningHours(
            hall=hall,
            weekday=weekday,
            morning_opens=dt.time(8, 30),
            morning_closes=dt.time(12),
            afternoon_opens=dt.time(13),
            afternoon_closes=dt.time(17, 30),
        )
        for hall in new
        for weekday in range(7)
    )
    QueueCategory.objects.bulk_create(
        QueueCategory(hall=hall, letter=letter, name=f"类别{letter}", order=i)
        for hall in new
        for i, letter in enumerate(LETTERS)
    )
    Window.objects.bulk_create(
        Window(hall=hall, number=n, kind=Window.Kind.COMPREHENSIVE) for hall in new for n in range(1, WINDOWS + 1)
    )
    # The figures must not depend on today being a working day in China.
    CalendarDay.objects.update_or_create(date=local_date(), defaults={"kind": "workday", "source": "manual"})
    return list(Hall.objects.filter(code__in=codes).order_by("code"))


def session_cookie(username: str, role: str, *, hall: Hall | None = None, department_id: int | None = None) -> str:
    """A staff member with ``role`` (and a profile naming ``hall`` and department) and a session."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.update_or_create(
        user=user, defaults={"display_name": username, "hall": hall, "department_id": department_id}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session["_two_factor"] = "ok"  # past the second factor (servicehall.twofactor.VERIFIED), as a bench client
    session.create()
    return f"sessionid={session.session_key}"


__all__ = ["LETTERS", "WINDOWS", "ensure_halls", "roles", "session_cookie"]
