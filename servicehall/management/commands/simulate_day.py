"""`manage.py simulate_day --hall <code> --date <date>` (or `--all-halls`): the hall-day
simulator (servicehall.simulator, docs/simulator.md). Prints a report per hall, or JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalog.models import Hall
from servicehall import simulator
from servicehall.clock import local_date


class Command(BaseCommand):
    help = "Simulate a day at a hall (or every hall) through the real services and report waits and estimates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hall", help="Hall code (e.g. GZ-CITY).")
        parser.add_argument("--all-halls", action="store_true", help="Every hall.")
        parser.add_argument("--date", help="YYYY-MM-DD (Asia/Shanghai); today by default.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same day.")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Times the usual number of people (0 < scale ≤ 10)."
        )
        parser.add_argument(
            "--until-now", action="store_true", help="Today only: stop the clock at the current time (the demo)."
        )
        parser.add_argument("--no-estimates", action="store_true", help="Do not record the estimates (faster).")
        parser.add_argument("--json", action="store_true", help="Print the reports as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["hall"]) == bool(options["all_halls"]):
            raise CommandError(
                "请指定 --hall <大厅编码> 或 --all-halls 之一。 (Give either --hall <code> or --all-halls.)"
            )
        today = local_date()
        day = today
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"日期格式无效：{options['date']!r}，应为 YYYY-MM-DD。 (Bad date: use YYYY-MM-DD.)"
                ) from exc
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale 须大于 0 且不超过 10。 (--scale must be in (0, 10].)")
        until = None
        if options["until_now"]:
            if day != today:
                raise CommandError("--until-now 只能用于今天。 (--until-now is for today only.)")
            until = timezone.now()
        if options["hall"]:
            halls = list(Hall.objects.filter(code=options["hall"]).prefetch_related("opening_hours"))
            if not halls:
                raise CommandError(f"未找到大厅：{options['hall']}。 (Unknown hall.)")
        else:
            halls = list(Hall.objects.prefetch_related("opening_hours").order_by("code"))
        run = simulator.Options(seed=options["seed"], scale=scale, until=until, estimates=not options["no_estimates"])
        summaries = [simulator.simulate_day(hall, day, run).summary() for hall in halls]
        if options["json"]:
            self.stdout.write(json.dumps(summaries, ensure_ascii=False, indent=1))
            return
        for summary in summaries:
            self.stdout.write(render(summary))


def render(s: dict[str, Any]) -> str:
    if s["skipped"]:
        return f"{s['hall']} {s['date']}: skipped ({s['skipped']})."
    w, e = s["wait_minutes"], s["estimate"]
    lines = [
        f"{s['hall']} {s['date']}: {s['issued']} tickets ({s['walk_ins']} walk-ins, "
        f"{s['appointments']['checked_in']} of {s['appointments']['booked']} bookings checked in, "
        f"{s['green_channel']} green channel), {s['served']} served, {s['no_shows']} no-shows, "
        f"{s['transfers']} transfers, {s['cases_accepted']} cases accepted, {s['ratings']} ratings, "
        f"{s['still_waiting']} still waiting; {s['windows_staffed']} windows staffed.",
        f"  Waits (min): mean {w['mean']}, p50 {w['p50']}, p90 {w['p90']}.",
        f"  Estimate shown at issue: MAE {e['mae_minutes']} min against the naive {e['naive_mae_minutes']} "
        f"(ratio {e['ratio']}, bias {e['bias_minutes']}) over {e['tickets']} tickets.",
        f"  Wait alerts raised: {s['alerts_raised']}.",
    ]
    if s["planner"]:
        lines.append("  Hour  arrivals  service(min)  windows needed  open  service level")
        for h in s["planner"]:
            lines.append(
                f"  {h['hour']:>4}  {h['arrivals']:>8}  {h['mean_service_minutes']:>12}  "
                f"{h['windows_needed']:>14}  {h['windows_open']!s:>4}  {h['service_level']!s:>13}"
            )
    if s["failures"]:
        lines.append(f"  Refused by the services (counted, not fatal): {s['failures']}")
    return "\n".join(lines)
