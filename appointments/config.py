"""Booking rules resolved for a hall: the hall's own settings, then ``settings.APPOINTMENTS``.

Every rule a page or a message states (the horizon, the check-in window, the no-show limit) is
read from here, so that what the hall is told is what the services apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from appointments.models import HallBookingSettings
from catalog.models import Hall
from servicehall.memo import memoised


@dataclass(frozen=True)
class BookingRules:
    horizon_working_days: int
    cancel_before_hours: int
    max_active: int
    no_show_limit: int
    no_show_window_days: int
    suspension_days: int
    checkin_before_minutes: int
    checkin_after_minutes: int
    reminder_lease_minutes: int
    no_show_grace_minutes: int

    @property
    def cancel_before(self) -> dt.timedelta:
        return dt.timedelta(hours=self.cancel_before_hours)

    @property
    def checkin_before(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.checkin_before_minutes)

    @property
    def checkin_after(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.checkin_after_minutes)

    @property
    def no_show_grace(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.no_show_grace_minutes)


def resolve(hall_settings: HallBookingSettings | None) -> BookingRules:
    values = dict(settings.APPOINTMENTS)
    # Before the hall's own grace existed, the no-show job waited the global check-in lateness:
    # that stays the default, and a hall's own lateness does not move it (it is a separate rule).
    values.setdefault("no_show_grace_minutes", values["checkin_after_minutes"])
    if hall_settings is not None:
        for name in BookingRules.__dataclass_fields__:
            value = getattr(hall_settings, name, None)
            if value is not None:
                values[name] = value
    return BookingRules(**{name: int(values[name]) for name in BookingRules.__dataclass_fields__})


def rules_for(hall: Hall | int) -> BookingRules:
    hall_id = hall if isinstance(hall, int) else hall.pk
    return resolve(memoised(("booking", hall_id), lambda: HallBookingSettings.objects.filter(hall_id=hall_id).first()))
