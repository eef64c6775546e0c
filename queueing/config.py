"""Queue settings resolved for a hall and category: category, then hall, then settings.QUEUE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from catalog.models import Hall
from queueing.models import HallQueueSettings, QueueCategory
from servicehall.memo import memoised


@dataclass(frozen=True)
class QueueConfig:
    max_wait_minutes: int
    max_waiting_per_window: int
    starvation_minutes: int
    target_wait_minutes: int
    target_share_percent: int
    green_channel_age: int
    default_service_minutes: int
    estimator_sample: int
    recent_calls_shown: int
    no_show_wait_seconds: int

    @property
    def starvation(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.starvation_minutes)


def resolve(hall_settings: HallQueueSettings | None, category: QueueCategory | None = None) -> QueueConfig:
    values = dict(settings.QUEUE)
    if hall_settings is not None:
        for name in (
            "max_wait_minutes",
            "max_waiting_per_window",
            "starvation_minutes",
            "target_wait_minutes",
            "target_share_percent",
            "green_channel_age",
            "no_show_wait_seconds",
        ):
            value = getattr(hall_settings, name)
            if value is not None:
                values[name] = value
    if category is not None:
        for name in ("max_wait_minutes", "max_waiting_per_window", "target_wait_minutes", "target_share_percent"):
            value = getattr(category, name)
            if value is not None:
                values[name] = value
    return QueueConfig(**{name: int(values[name]) for name in QueueConfig.__dataclass_fields__})


def hall_config(hall: Hall, category: QueueCategory | None = None) -> QueueConfig:
    """The hall's settings (with a category's thresholds when given). Read on every ticket and
    call, so each process remembers the hall's row for a while (``servicehall.memo``)."""
    return hall_config_by_id(hall.pk, category)


def hall_config_by_id(hall_id: int, category: QueueCategory | None = None) -> QueueConfig:
    """``hall_config`` for a caller that has the hall's id only (a ticket's ``hall_id``)."""
    hall_settings = memoised(("config", hall_id), lambda: HallQueueSettings.objects.filter(hall_id=hall_id).first())
    return resolve(hall_settings, category)
