"""Queue settings resolved for a hall and category: category, then hall, then settings.QUEUE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from catalog.models import Hall
from queueing.models import HallQueueSettings, QueueCategory


@dataclass(frozen=True)
class QueueConfig:
    max_wait_minutes: int
    max_waiting_per_window: int
    starvation_minutes: int
    target_wait_minutes: int
    green_channel_age: int
    default_service_minutes: int
    estimator_sample: int
    recent_calls_shown: int

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
            "green_channel_age",
        ):
            value = getattr(hall_settings, name)
            if value is not None:
                values[name] = value
    if category is not None:
        for name in ("max_wait_minutes", "max_waiting_per_window"):
            value = getattr(category, name)
            if value is not None:
                values[name] = value
    return QueueConfig(**{name: int(values[name]) for name in QueueConfig.__dataclass_fields__})


# Settings change rarely and are read on every ticket and call: a minute in the cache is fine.
CACHE_SECONDS = 60


def hall_config(hall: Hall, category: QueueCategory | None = None) -> QueueConfig:
    """The hall's settings (with a category's thresholds when given), cached for a minute."""
    key = f"queue:config:{hall.pk}"
    hall_settings = cache.get(key, _MISSING)
    if hall_settings is _MISSING:
        hall_settings = HallQueueSettings.objects.filter(hall=hall).first()
        cache.set(key, hall_settings, CACHE_SECONDS)
    return resolve(hall_settings, category)


_MISSING = object()
