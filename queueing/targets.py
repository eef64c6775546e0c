"""Service targets of the queues (服务目标): "80 % of the people called within 15 minutes".

Each queue category has a target wait and a target share, resolved category → hall →
``settings.QUEUE`` like every queue setting (``queueing.config.resolve``). Counting how many
called people waited within *their own* queue's target in one grouped query needs the target
inside the SQL; targets differ per category but take few distinct values (15, 20, 30 minutes…),
so a query carries one conditional count per distinct target (``within_<minutes>``) and each group
(a category, or a category within an hour) reads the count of its own target. The number of
aggregates depends on the configuration, never on the number of tickets or categories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, F, Q

# A queue's target share is judged once this many people have been called: "1 of 2 within the
# target" early in the morning is noise, not a trend.
MIN_CALLED_FOR_SHARE = 5


def within_key(minutes: int) -> str:
    return f"within_{minutes}"


def within_aggregates(minutes: Iterable[int]) -> dict[str, Count]:
    """One count per distinct target: tickets called after waiting at most that many minutes
    (``called_at − arrived_at``, the wait every average on the dashboard uses)."""
    return {
        within_key(target): Count(
            "pk",
            filter=Q(called_at__isnull=False, called_at__lte=F("arrived_at") + dt.timedelta(minutes=target)),
        )
        for target in sorted(set(minutes))
    }


def within_of(row: Mapping[str, Any] | None, minutes: int) -> int:
    """The count of ``within_aggregates`` for the target of the row's group."""
    if not row:
        return 0
    return row.get(within_key(minutes)) or 0
