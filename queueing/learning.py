"""Learning service times per queue and hour (issue 14): each finished day's served tickets
update ``ServiceTimeProfile``, the estimator's prior for that queue and hour
(``queueing.estimator.learned_prior``). A running mean whose memory is capped at
``MEMORY_SAMPLES``, so that a queue whose work changes (a new item, a new system) is followed
within a few weeks. Idempotent per day: a day already learned (``learned_through``) is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F

from queueing.models import QueueCategory, ServiceTimeProfile, Ticket
from servicehall.clock import SHANGHAI

MEMORY_SAMPLES = 200


def learn_day(*, day: dt.date, hall_ids: list[int] | None = None) -> int:
    """Fold the served tickets of ``day`` into the profiles; returns how many rows changed."""
    tickets = Ticket.objects.filter(
        service_date=day, status=Ticket.Status.DONE, started_at__isnull=False, finished_at__isnull=False
    )
    if hall_ids is not None:
        tickets = tickets.filter(hall_id__in=hall_ids)
    rows = tickets.annotate(
        took=ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    ).values_list("category_id", "started_at", "took")
    figures: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for category_id, started_at, took in rows:
        if started_at is None or took is None:  # never: filtered above (this narrows the types)
            continue
        key = (category_id, started_at.astimezone(SHANGHAI).hour)
        figures[key][0] += 1
        figures[key][1] += max(0.0, took.total_seconds())
    if not figures:
        return 0
    changed = 0
    with transaction.atomic():
        known = {
            (p.category_id, p.hour): p
            for p in ServiceTimeProfile.objects.select_for_update().filter(category_id__in={c for c, _ in figures})
        }
        valid = set(QueueCategory.objects.filter(pk__in={c for c, _ in figures}).values_list("pk", flat=True))
        new = []
        for (category_id, hour), (n, total) in figures.items():
            if category_id not in valid:
                continue
            profile = known.get((category_id, hour))
            if profile is None:
                new.append(
                    ServiceTimeProfile(
                        category_id=category_id, hour=hour, samples=n, mean_seconds=total / n, learned_through=day
                    )
                )
                continue
            if profile.learned_through >= day:
                continue
            memory = min(profile.samples, MEMORY_SAMPLES)
            profile.mean_seconds = (profile.mean_seconds * memory + total) / (memory + n)
            profile.samples = min(profile.samples + n, 10 * MEMORY_SAMPLES)
            profile.learned_through = day
            profile.save(update_fields=["mean_seconds", "samples", "learned_through"])
            changed += 1
        ServiceTimeProfile.objects.bulk_create(new)
    return changed + len(new)
