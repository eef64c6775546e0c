#!/usr/bin/env python
"""Bench helper for the cases, run in the bench database's environment. Prints JSON.

case_data.py setup        a citywide supervisor and a session cookie for the deadline view
case_data.py load N       make the open bench cases exactly N (accepted, deadlines spread from
                          20 days ago to 100 days ahead over 40 halls and up to 100 items), then
                          run the warning job once so the view's counts are in place
case_data.py warnings     time the warning job over the open cases: the first run after loading
                          (every colour still unset), the next day's run (one day's cases turn),
                          and a steady run (nothing changes); queries of each
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Applicant, Case, CaseClock  # noqa: E402
from cases.warnings import warnings_run  # noqa: E402
from catalog.models import GuideVersion, Hall  # noqa: E402
from servicehall import roles  # noqa: E402
from servicehall.clock import SHANGHAI, local_date  # noqa: E402
from servicehall.models import StaffProfile  # noqa: E402

HALLS = 40
ITEMS = 100
TOKEN_PREFIX = "bench-"


def setup() -> dict:
    users = get_user_model().objects
    supervisor, _ = users.get_or_create(username="bench-case-supervisor")
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    StaffProfile.objects.get_or_create(user=supervisor, defaults={"display_name": "办件基准测试监督员"})
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(supervisor.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = supervisor.get_session_auth_hash()
    session["_two_factor"] = "ok"  # past the second factor (servicehall.twofactor.VERIFIED), as a bench client
    session.create()
    return {"cookie": f"sessionid={session.session_key}"}


def _targets() -> tuple[list[int], list[tuple[int, int, int]]]:
    today = local_date()
    halls = list(Hall.objects.order_by("pk").values_list("pk", flat=True)[:HALLS])
    versions = list(
        GuideVersion.objects.current(today)
        .order_by("item_id")
        .values_list("item_id", "item__department_id", "pk")[:ITEMS]
    )
    return halls, versions


def load(target: int) -> dict:
    bench = Case.objects.filter(progress_token__startswith=TOKEN_PREFIX)
    have = bench.count()
    if have > target:  # measuring fewer after more: start again
        with connection.cursor() as cursor:
            bench_ids = "SELECT id FROM cases_case WHERE progress_token LIKE %s"
            cursor.execute(f"DELETE FROM cases_caseclock WHERE case_id IN ({bench_ids})", [TOKEN_PREFIX + "%"])
            cursor.execute("DELETE FROM cases_case WHERE progress_token LIKE %s", [TOKEN_PREFIX + "%"])
        have = 0
    missing = target - have
    user = get_user_model().objects.get(username="bench-case-supervisor")
    applicant, _ = Applicant.objects.get_or_create(
        kind="person", identity_key="bench" * 12 + "0000", defaults={"id_masked": "4401**********0000"}
    )
    halls, versions = _targets()
    today = local_date()
    started = time.perf_counter()
    if missing and connection.vendor == "postgresql":
        # generate_series: a million rows in a minute, where the ORM would take far longer.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH new AS (
                INSERT INTO cases_case (number, progress_token, hall_id, department_id, item_id, guide_version_id,
                    channel, received_by_id, applicant_id, applicant_name, contact_name, contact_mobile, status,
                    received_at, received_on, accepted_on, deferred, limit_days, extension_days, due_on,
                    due_provisional, not_accepted_reason, refer_to, decision, decision_reason, collection,
                    collection_note, owed_overdue, deemed_accepted, urgent, created_at, updated_at)
                SELECT '99' || lpad(g::text, 20, '0'), %(prefix)s || g, h.id, v.department_id, v.item_id, v.version_id,
                    'mail', %(user)s, %(applicant)s, '基准测试申请人', '', '13800138000',
                    CASE WHEN g %% 2 = 0 THEN 'accepted' ELSE 'in_review' END,
                    (%(today)s::date - 40)::timestamp + interval '10 hours', %(today)s::date - 40, %(today)s::date - 40,
                    false, 10, 0, %(today)s::date - 20 + (g %% 121)::int,
                    false, '', '', '', '', '', '', false, false, false, now(), now()
                FROM generate_series(%(first)s, %(last)s) AS g
                JOIN unnest(%(halls)s::bigint[]) WITH ORDINALITY AS h(id, k) ON h.k = 1 + g %% %(nhalls)s
                JOIN unnest(%(items)s::bigint[], %(departments)s::bigint[], %(versions)s::bigint[])
                    WITH ORDINALITY AS v(item_id, department_id, version_id, k) ON v.k = 1 + g %% %(nitems)s
                RETURNING id, hall_id, department_id, due_on
                )
                INSERT INTO cases_caseclock (case_id, hall_id, department_id, due_on, warning, warning_run)
                SELECT id, hall_id, department_id, due_on, '', '' FROM new
                """,
                {
                    "prefix": TOKEN_PREFIX,
                    "user": user.pk,
                    "applicant": applicant.pk,
                    "today": today,
                    "first": have + 1,
                    "last": target,
                    "halls": halls,
                    "nhalls": len(halls),
                    "items": [v[0] for v in versions],
                    "departments": [v[1] for v in versions],
                    "versions": [v[2] for v in versions],
                    "nitems": len(versions),
                },
            )
            cursor.execute("ANALYZE cases_case")
            cursor.execute("ANALYZE cases_caseclock")
    elif missing:
        received_at = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(10), tzinfo=SHANGHAI)
        batch = []
        for g in range(have + 1, target + 1):
            item_id, department_id, version_id = versions[g % len(versions)]
            batch.append(
                Case(
                    number="99" + str(g).rjust(20, "0"),
                    progress_token=f"{TOKEN_PREFIX}{g}",
                    hall_id=halls[g % len(halls)],
                    department_id=department_id,
                    item_id=item_id,
                    guide_version_id=version_id,
                    channel="mail",
                    received_by=user,
                    applicant=applicant,
                    applicant_name="基准测试申请人",
                    contact_mobile="13800138000",
                    status="accepted" if g % 2 == 0 else "in_review",
                    received_at=received_at,
                    received_on=received_at.date(),
                    accepted_on=received_at.date(),
                    limit_days=10,
                    due_on=today - dt.timedelta(days=20) + dt.timedelta(days=g % 121),
                )
            )
            if len(batch) == 10_000:
                _bulk(batch)
                batch = []
        _bulk(batch)
    loaded = time.perf_counter() - started
    warnings_run()
    return {"open_cases": bench.count(), "load_seconds": round(loaded, 1)}


def _bulk(batch: list[Case]) -> None:
    cases = Case.objects.bulk_create(batch)
    CaseClock.objects.bulk_create(
        CaseClock(case=c, hall_id=c.hall_id, department_id=c.department_id, due_on=c.due_on) for c in cases
    )


def _timed(now: dt.datetime) -> tuple[float, int, dict]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = warnings_run(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), vars(result)


def warnings() -> dict:
    # As after loading: no colour set yet, nothing notified.
    CaseClock.objects.exclude(warning="").update(warning="", warning_run="", notified_at=None, changed_at=None)
    now = timezone.now()
    first = _timed(now)
    steady = _timed(now + dt.timedelta(minutes=5))
    next_day = _timed(now + dt.timedelta(days=1))
    return {
        "open_cases": Case.objects.filter(status__in=Case.OPEN).count(),
        "first_seconds": round(first[0], 3),
        "first_queries": first[1],
        "first_changes": first[2]["turned_red"] + first[2]["turned_yellow"],
        "steady_seconds": round(steady[0], 3),
        "steady_queries": steady[1],
        "next_day_seconds": round(next_day[0], 3),
        "next_day_queries": next_day[1],
        "next_day_changes": next_day[2]["turned_red"] + next_day[2]["turned_yellow"],
        "messages_next_day": next_day[2]["messages"],
    }


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    handlers = {"setup": setup, "load": lambda: load(int(rest[0])), "warnings": warnings}
    print(json.dumps(handlers[command]()))
