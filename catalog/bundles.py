"""The bundle time-limit rule (Art. 13 ¶3), as pure functions.

Items approved one after another may not take longer than the sum of their limits; items
approved in parallel not longer than the longest of them. A bundle is a sequence of stages run
one after another, the items within a stage in parallel, so its bound is the sum over stages of
each stage's longest limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class StageLimit:
    stage: int
    item_code: str
    limit_days: int


def stage_maxima(members: Iterable[StageLimit]) -> dict[int, int]:
    maxima: dict[int, int] = {}
    for member in members:
        maxima[member.stage] = max(maxima.get(member.stage, 0), member.limit_days)
    return dict(sorted(maxima.items()))


def limit_bound(members: Iterable[StageLimit]) -> int:
    """The longest promised limit the bundle may have, in working days."""
    return sum(stage_maxima(members).values())


def bound_explanation(members: Iterable[StageLimit]) -> str:
    """How the bound is computed, e.g. "阶段1最长5 + 阶段2最长10 = 15个工作日"."""
    maxima = stage_maxima(members)
    parts = " + ".join(
        _("阶段%(stage)s最长%(days)s") % {"stage": stage, "days": days} for stage, days in maxima.items()
    )
    days = sum(maxima.values())
    total = ngettext("%(days)s 个工作日", "%(days)s 个工作日", days) % {"days": days}
    return f"{parts} = {total}" if parts else total
