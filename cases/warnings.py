"""The deadline warning job (REQUIREMENTS §8; Art. 13 ¶1): yellow when a case's deadline is
near (``CASES["yellow_working_days"]`` working days, 2 by default), red once it has passed, and
the department's chief representative and the supervisors told once per change of colour.

Set-based, a fixed number of queries whatever the number of cases (docs/cases.md):

0. cases received and left without a one-time notice past its period are accepted by law as of
   their receipt (行政许可法 Art. 32, ``services.cases_deem_accepted``): their clocks start, and
   are coloured below in the same run;
1. the last "near" day (one calendar read);
2. turn red, turn yellow, and settle the colour of cases whose deadline moved or whose clock
   stopped: four conditional ``UPDATE``s over the deadlines of the open cases as copied in their
   narrow ``CaseClock`` rows, each a range of the index (colour, deadline). Each ``UPDATE``
   re-checks its condition on the row it changes, so two runs at once never change the same case
   twice; the rows a run turned are marked with its id;
3. changes not notified within a lease (a run that died before sending) are taken over;
4. one read of this run's changes, at most ``NOTIFY_LISTED`` numbers per hall, department and
   colour with the group's count (a window function), and one of the recipients;
5. one message per hall, department and colour; one ``UPDATE`` marks what was sent (a group whose
   message failed stays unmarked and is retried by a later run after the lease);
6. materials owed under 容缺受理: reminders to applicants due tomorrow (claimed with a conditional
   update, then sent), and the flag on cases that owe one past its date;
7. the per-hall-and-department counts the dashboards read (``CaseWarningSummary``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.bundles import bundles_deem_accepted, material_key
from cases.models import Case, CaseClock, CaseWarningSummary, OwedMaterial
from cases.services import cases_deem_accepted, rules, yellow_until
from catalog import selectors as catalog_selectors
from servicehall import notifications, roles
from servicehall.clock import local_date
from servicehall.personal_data import mask_mobile

logger = logging.getLogger(__name__)

# Case numbers listed in one message; the rest are counted.
NOTIFY_LISTED = 20


@dataclass(frozen=True)
class WarningResult:
    run_id: str
    turned_red: int
    turned_yellow: int
    settled: int  # colours lowered: the deadline moved, the clock stopped
    taken_over: int  # changes another run did not notify
    messages: int
    failed: int
    owed_reminded: int
    owed_flagged: int
    deemed_accepted: int = 0  # cases accepted by law from their receipt (no notice in time)
    bundles_deemed_accepted: int = 0  # bundle applications likewise (cases/bundles.py)


def warnings_run(*, now: dt.datetime | None = None) -> WarningResult:
    now = now or timezone.now()
    today = local_date(now)
    run_id = uuid.uuid4().hex
    deemed = cases_deem_accepted(now=now)
    bundles_deemed = bundles_deem_accepted(now=now)  # before the colours: their sub-cases' clocks too
    near = yellow_until(today)
    clocks = CaseClock.objects.all()
    changed = {"changed_at": now, "warning_run": run_id, "notified_at": None}

    red = clocks.filter(warning__in=["", "yellow"], due_on__lt=today).update(warning="red", **changed)
    yellow = clocks.filter(warning__in=["", "red"], due_on__gte=today, due_on__lte=near).update(
        warning="yellow", **changed
    )
    # Back to normal (an extension, a stopped clock, a recomputed deadline): nothing to tell. Two
    # statements, each a range of the (colour, deadline) index.
    quiet = {"warning": "", "changed_at": now, "notified_at": now}
    colours = ["yellow", "red"]
    settled = clocks.filter(warning__in=colours, due_on__gt=near).update(**quiet)
    settled += clocks.filter(warning__in=colours, due_on__isnull=True).update(**quiet)

    lease = dt.timedelta(minutes=rules()["warning_lease_minutes"])
    taken_over = clocks.filter(~Q(warning=""), notified_at__isnull=True, changed_at__lt=now - lease).update(
        warning_run=run_id, changed_at=now
    )

    messages = failed = 0
    if red or yellow or taken_over:
        messages, failed = _notify_changes(run_id, now)

    reminded = _remind_owed(today, now)
    flagged = _flag_owed(today)
    _summarise(now)
    return WarningResult(
        run_id, red, yellow, settled, taken_over, messages, failed, reminded, flagged, deemed, bundles_deemed
    )


def _notify_changes(run_id: str, now: dt.datetime) -> tuple[int, int]:
    group = [F("hall_id"), F("department_id"), F("warning")]
    rows = (
        CaseClock.objects.filter(warning_run=run_id, notified_at__isnull=True)
        .exclude(warning="")
        .annotate(
            rank=Window(RowNumber(), partition_by=group, order_by=[F("due_on").asc(), F("pk").asc()]),
            total=Window(Count("pk"), partition_by=group),
        )
        .filter(rank__lte=NOTIFY_LISTED)
        .values_list(
            "hall_id", "department_id", "warning", "case__number", "due_on", "total", "hall__name", "department__name"
        )
        .order_by("hall_id", "department_id", "warning", "due_on", "pk")
    )
    groups: dict[tuple[int, int, str], dict] = {}
    for hall_id, department_id, warning, number, due_on, total, hall_name, department_name in rows:
        entry = groups.setdefault(
            (hall_id, department_id, warning),
            {"hall": hall_name, "department": department_name, "total": total, "cases": []},
        )
        entry["cases"].append((number, due_on))
    if not groups:
        return 0, 0
    recipients = _recipients({hall for hall, _d, _w in groups}, {department for _h, department, _w in groups})
    sent: list[tuple[int, int, str]] = []
    failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for key, entry in groups.items():
            hall_id, department_id, warning = key
            to = sorted(
                set(recipients["chief"].get((hall_id, department_id), []))
                | set(recipients["supervisor"].get(hall_id, []))
                | set(recipients["supervisor"].get(None, []))
            )
            if not to:
                logger.warning(
                    "case warnings %s: nobody to notify for hall %s department %s", run_id, hall_id, department_id
                )
                sent.append(key)  # the dashboards show them; not retried until someone is appointed
                continue
            subject, body = _message(warning, entry)
            try:
                notifications.notify(
                    recipients=to,
                    subject=subject,
                    body=body,
                    data={
                        "kind": "case_warning",
                        "colour": warning,
                        "hall": hall_id,
                        "department": department_id,
                        "cases": [number for number, _due in entry["cases"]],
                        "total": entry["total"],
                    },
                )
            except Exception:
                logger.exception("case warnings %s: notification failed, a later run retries it", run_id)
                failed += 1
            else:
                sent.append(key)
    if sent:
        which = Q()
        for hall_id, department_id, warning in sent:
            which |= Q(hall_id=hall_id, department_id=department_id, warning=warning)
        CaseClock.objects.filter(which, warning_run=run_id, notified_at__isnull=True).update(notified_at=now)
    return len(groups) - failed, failed


def _recipients(hall_ids: set[int], department_ids: set[int]) -> dict[str, dict]:
    """Usernames of the chief representatives per (hall, department) and of the supervisors per
    hall (None: the citywide ones), in one query."""
    rows = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__isnull=False)
        .filter(
            Q(
                groups__name=roles.CHIEF_REPRESENTATIVE,
                staff_profile__hall_id__in=hall_ids,
                staff_profile__department_id__in=department_ids,
            )
            | Q(groups__name=roles.SUPERVISOR)
            & (Q(staff_profile__hall__isnull=True) | Q(staff_profile__hall_id__in=hall_ids))
        )
        .values_list("username", "groups__name", "staff_profile__hall_id", "staff_profile__department_id")
        .order_by("username")
        .distinct()
    )
    chief: dict[tuple[int, int], list[str]] = defaultdict(list)
    supervisor: dict[int | None, list[str]] = defaultdict(list)
    for username, group, hall_id, department_id in rows:
        if group == roles.CHIEF_REPRESENTATIVE:
            chief[(hall_id, department_id)].append(username)
        else:
            supervisor[hall_id].append(username)
    return {"chief": chief, "supervisor": supervisor}


def _message(warning: str, entry: dict) -> tuple[str, str]:
    listed = "；".join(f"{number}（{due:%Y-%m-%d}）" for number, due in entry["cases"])
    if warning == Case.Warning.RED:
        subject = _("办件超期：%(hall)s %(department)s %(n)s件") % {**entry, "n": entry["total"]}
        body = _("%(n)s件办件已超过办结期限，期限最早的是：%(list)s。请督促办理，需要时依法办理延期。") % {
            "n": entry["total"],
            "list": listed,
        }
    else:
        subject = _("办件临近期限：%(hall)s %(department)s %(n)s件") % {**entry, "n": entry["total"]}
        body = _("%(n)s件办件距办结期限不足%(days)s个工作日，期限最早的是：%(list)s。请合理安排，确保按期办结。") % {
            "n": entry["total"],
            "days": rules()["yellow_working_days"],
            "list": listed,
        }
    return subject, body


def _remind_owed(today: dt.date, now: dt.datetime) -> int:
    """Tell applicants the day before an owed material is due (at most once each: claimed with a
    conditional update before sending, the claim undone if the message did not go out)."""
    tomorrow = catalog_selectors.deadline_after(today, rules()["owed_reminder_working_days"])[0]
    due = OwedMaterial.objects.filter(
        supplied_at__isnull=True,
        reminded_at__isnull=True,
        due_on__gte=today,
        due_on__lte=tomorrow,
        # A bundle's later-stage sub-case waits, but owes from the bundle's acceptance.
        case__status__in=(*Case.OPEN, Case.Status.WAITING),
    )
    with transaction.atomic():
        claimed = list(
            due.select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("pk", flat=True)[:1000]
        )
        OwedMaterial.objects.filter(pk__in=claimed, reminded_at__isnull=True).update(reminded_at=now)
    if not claimed:
        return 0
    reminded = 0
    rows = (
        OwedMaterial.objects.filter(pk__in=claimed)
        .select_related("case", "case__hall", "case__bundle_case", "material")
        .order_by("pk")
    )
    told: set[tuple[int, str]] = set()
    with translation.override(settings.LANGUAGE_CODE):
        for owed in rows:
            bundle_case = owed.case.bundle_case
            if bundle_case is not None:
                # A bundle's material owed by several sub-cases: one reminder, by the bundle's number.
                line = (bundle_case.pk, material_key(owed.material.name))
                if line in told:
                    continue
                told.add(line)
            try:
                notifications.notify(
                    recipients=[owed.case.contact_mobile],
                    subject=_("容缺材料补齐提醒"),
                    body=_(
                        "【广州政务服务】您的办件 %(number)s 容缺受理的材料“%(material)s”请于%(due)s前补交至%(hall)s。"
                    )
                    % {
                        "number": bundle_case.number if bundle_case is not None else owed.case.number,
                        "material": owed.material.name,
                        "due": owed.due_on.isoformat(),
                        "hall": owed.case.hall.name,
                    },
                    # At most once already: the claim above is never taken back once sent.
                    data={"kind": "case_owed_material", "owed": owed.pk},
                )
            except Exception:
                logger.exception(
                    "owed material %s (mobile %s): reminder failed, retried next run",
                    owed.pk,
                    mask_mobile(owed.case.contact_mobile),
                )
                OwedMaterial.objects.filter(pk=owed.pk, reminded_at=now).update(reminded_at=None)
            else:
                reminded += 1
    return reminded


def _flag_owed(today: dt.date) -> int:
    """Flag the open cases that owe a material past its date (and unflag those that do not)."""
    # Driven from the outstanding owed materials past their date (a partial index), not from the
    # cases: there are few of them, and many open cases.
    owing = OwedMaterial.objects.filter(supplied_at__isnull=True, due_on__lt=today).values("case_id")
    owing_statuses = (*Case.OPEN, Case.Status.WAITING)  # a bundle's waiting sub-case owes too
    flagged = Case.objects.filter(pk__in=owing, status__in=owing_statuses, owed_overdue=False).update(owed_overdue=True)
    Case.objects.filter(owed_overdue=True).exclude(Q(pk__in=owing) & Q(status__in=owing_statuses)).update(
        owed_overdue=False
    )
    return flagged


def _summarise(now: dt.datetime) -> None:
    """Rewrite the per-hall-and-department counts: the flagged clocks (their own partial index)
    and the cases owing a material past its date (theirs), one aggregate each, then one delete
    and one insert."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"yellow": 0, "red": 0, "owed": 0})
    flagged = (
        CaseClock.objects.exclude(warning="")
        .values_list("hall_id", "department_id", "warning")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for hall_id, department_id, warning, n in flagged:
        counts[(hall_id, department_id)][warning] = n
    owing = (
        # A bundle's sub-case waiting for its stage owes too (``_flag_owed``).
        Case.objects.filter(owed_overdue=True, status__in=(*Case.OPEN, Case.Status.WAITING))
        .values_list("hall_id", "department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for hall_id, department_id, n in owing:
        counts[(hall_id, department_id)]["owed"] = n
    summaries = [
        CaseWarningSummary(
            hall_id=hall_id,
            department_id=department_id,
            yellow=row["yellow"],
            red=row["red"],
            owed_overdue=row["owed"],
            computed_at=now,
        )
        for (hall_id, department_id), row in counts.items()
    ]
    with transaction.atomic():
        CaseWarningSummary.objects.all().delete()
        CaseWarningSummary.objects.bulk_create(summaries)
