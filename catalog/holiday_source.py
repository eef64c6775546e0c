"""What the `holidays` package says about China's days off and make-up workdays (调休).

The package lists statutory holidays and the weekdays given off in exchange, each labelled
"休息日（由 YYYY-MM-DD 调休）", where the date in the label is the weekend day worked instead.
A year is *confirmed* when the package carries the State Council's notice for it (its list of
swapped days); otherwise its dates are computed from the rules alone and are provisional.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import holidays

_SWAP_LABEL = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")


@dataclass(frozen=True)
class DayInfo:
    kind: str  # a CalendarDay.Kind value
    reason: str
    provisional: bool


@lru_cache(maxsize=16)
def _year(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str], bool]:
    """(days off with their names, make-up workdays with their reasons, confirmed?)."""
    china = holidays.China(years=year, language="zh_CN")
    days_off: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for day, name in sorted(china.items()):
        days_off[day] = name
        for label in name.split(";"):
            match = _SWAP_LABEL.search(label)
            if match:
                worked = dt.date.fromisoformat(match.group(1))
                if worked.year == year:
                    makeup[worked] = f"调休上班（{day.month}月{day.day}日休息）"
    # Swaps may cross a year boundary (a January day off worked in the previous December).
    for day, name in holidays.China(years=year + 1, language="zh_CN").items():
        match = _SWAP_LABEL.search(name)
        if match and dt.date.fromisoformat(match.group(1)).year == year:
            makeup[dt.date.fromisoformat(match.group(1))] = f"调休上班（{day.month}月{day.day}日休息）"
    return days_off, makeup, bool(makeup) or _package_lists_notice(year)


def _package_lists_notice(year: int) -> bool:
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # the package reorganised itself: fall back on the labels alone
        return False
    return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})


def year_is_confirmed(year: int) -> bool:
    return _year(year)[2]


def day_info(day: dt.date) -> DayInfo:
    days_off, makeup, confirmed = _year(day.year)
    provisional = not confirmed
    if day in makeup:
        return DayInfo("makeup_workday", makeup[day], provisional)
    if day in days_off:
        return DayInfo("holiday", days_off[day], provisional)
    if day.weekday() >= 5:
        return DayInfo("weekend", "", provisional)
    return DayInfo("workday", "", provisional)


def is_working_day(day: dt.date) -> bool:
    return day_info(day).kind in ("workday", "makeup_workday")
