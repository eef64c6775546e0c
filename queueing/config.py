"""Queue settings resolved for a hall and category: category, then hall, then settings.QUEUE."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

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


# Settings and hours change rarely and are read on every ticket and call: each process keeps
# them for half a minute (no cache round trip on the hot path).
MEMO_SECONDS = 30
_memo: dict[object, tuple[float, object]] = {}


def memoised(key: object, compute: Callable[[], object]) -> object:
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _memo[key] = (now + MEMO_SECONDS, value)
    return value


def forget() -> None:
    """Drop what this process remembers (tests; after editing settings in a shell)."""
    _memo.clear()


def hall_config(hall: Hall, category: QueueCategory | None = None) -> QueueConfig:
    """The hall's settings (with a category's thresholds when given)."""
    hall_settings = memoised(("config", hall.pk), lambda: HallQueueSettings.objects.filter(hall=hall).first())
    return resolve(hall_settings, category)
