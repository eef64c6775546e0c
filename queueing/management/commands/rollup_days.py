"""`manage.py rollup_days --start <date> [--end <date>]`: roll up past days again (the nightly
``queueing.tasks.rollup_yesterday`` for yesterday; docs/queueing.md), after a correction of
tickets or of the roll-up itself. Idempotent: each day's ``DailyStat`` rows are rewritten from its
tickets, and scopes that no longer have tickets are dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from queueing import rollup
from servicehall.clock import local_date

MAX_DAYS = 366


class Command(BaseCommand):
    help = "Roll up past days again into the daily statistics (DailyStat), from their tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD (Asia/Shanghai).")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD; yesterday by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        yesterday = local_date() - dt.timedelta(days=1)
        start = _date(options["start"])
        end = _date(options["end"]) if options["end"] else yesterday
        if end > yesterday:
            raise CommandError(f"{end.isoformat()}: only past days are rolled up (today is not over).")
        if start > end:
            raise CommandError("--start is after --end.")
        if (end - start).days >= MAX_DAYS:
            raise CommandError(f"At most {MAX_DAYS} days at a time.")
        day, total = start, 0
        while day <= end:
            rows = rollup.rollup_day(day=day)
            total += rows
            if options["verbosity"] >= 2:
                self.stdout.write(f"{day.isoformat()}: {rows} rows")
            day += dt.timedelta(days=1)
        if options["verbosity"] >= 1:
            self.stdout.write(f"Rolled up {start.isoformat()} – {end.isoformat()}: {total} rows.")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text}: not a date (YYYY-MM-DD).") from exc
