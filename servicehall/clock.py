"""The one way to say "now" and "today" in Guangzhou.

Every date the regulation speaks of (a service day, a working day, a deadline) is a date in
Asia/Shanghai, whatever the server's own zone; datetimes are stored aware, in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (or the current moment) as an aware datetime in Asia/Shanghai."""
    return (now or timezone.now()).astimezone(SHANGHAI)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The Asia/Shanghai date of ``moment`` (today when not given)."""
    return local_now(moment).date()
