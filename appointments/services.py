"""Every write of the appointments: slots, bookings, check-in, no-shows, suspensions, reminders.

Each service is one transaction and raises ``BookingError`` (a DomainError: a message in
Chinese, the field it concerns, the HTTP status). Races are settled by the database:

- a seat is taken with ``UPDATE slot SET booked = booked + 1 WHERE booked < capacity AND NOT
  is_closed`` and given back with ``booked = booked - 1`` — the last seat is never sold twice and
  the counter is never lost (a check constraint keeps ``booked ≤ capacity`` as a last line);
- all of one person's bookings lock their ``BookingPerson`` row, so two requests of the same
  person cannot both pass the per-person rules; one booking per hall and day is also a partial
  unique index;
- a reschedule takes the new seat before giving back the old one, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import Count, F, Field, Max, Model, Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments import selectors
from appointments.config import BookingRules, rules_for
from appointments.extras import check_in_hooks
from appointments.models import (
    Booking,
    BookingLookup,
    BookingPerson,
    CheckInFailure,
    Reminder,
    Slot,
    SlotKind,
    SlotPlan,
)
from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.models import Hall, ServiceItem
from queueing import services as queue_services
from queueing.models import AssistanceRequest, KioskDevice, QueueCategory, Ticket
from servicehall import cache as shared_cache
from servicehall import outbox
from servicehall.access import AnyUser
from servicehall.audit import audit_record
from servicehall.clock import SHANGHAI, local_date
from servicehall.errors import DomainError
from servicehall.memo import memoised
from servicehall.notifications import Delivery, notify
from servicehall.personal_data import id_digest, mask_id_number, validate_id_number, validate_mobile
from servicehall.prepared import Statement
from servicehall.throttling import hit_many_and_read, parse_rate

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed at a kiosk


class BookingError(DomainError):
    pass


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Slots -----------------------------------------------------------------------------------


# The working-day calendar's version in the shared cache (catalog.selectors), moved by every
# change to the calendar: a process's remembered horizon is used only with the version it was
# computed under, so an administrator's correction reaches every process at its next booking.
CALENDAR_VERSION_KEY = catalog_selectors.CALENDAR_VERSION_KEY
_UNREAD = catalog_selectors.UNREAD


def horizon_end(
    *, hall: Hall | int, today: dt.date, rules: BookingRules | None = None, calendar_version: Any = _UNREAD
) -> dt.date:
    """The last day that can be booked: the N-th working day after today (default 7).
    Remembered per process for half a minute and while the calendar's version stays (every
    booking asks, the calendar rarely changes). While Redis does not answer, each process sees
    only its own version changes, and another process's correction within the half minute.
    ``calendar_version``: the version when the caller has read it already (a booking reads it
    with its rate limits, in the same round trip to Redis)."""
    rules = rules or rules_for(hall)
    days = rules.horizon_working_days
    version = catalog_selectors.calendar_version(calendar_version)

    # The same working-day count as every deadline (catalog.selectors.deadline_after).
    return memoised(("horizon", today, days, version), lambda: catalog_selectors.deadline_after(today, days)[0])


def slots_follow_calendar(*, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> SlotSync:
    """The working-day calendar changed between ``start`` and ``end`` (an administrator's
    correction, a year reseeded): make the slots follow it now, as the periodic job would.

    Every process computes its horizon again (the version moves now, for this transaction's own
    reads, and again once committed, for a process that read the old calendar meanwhile). Each
    hall's slots from the first changed day not past, up to its horizon on the corrected calendar
    (and up to its last slot already made, should the horizon have shrunk), are generated again:
    a day that became a rest day loses its regular and extended slots (empty ones removed, booked
    ones closed and their bookings told, ``slots_generate``), a day that became a working day gets
    them, and the horizon's new last day its slots."""
    now = _now(now)
    today = local_date(now)
    catalog_services.calendar_version_bump()  # as the correction did (called directly too)
    total = SlotSync()
    first = max(start, today)
    if end < first:
        return total
    for hall_id in SlotPlan.objects.filter(is_active=True).values_list("hall_id", flat=True).distinct().order_by():
        last_slot = Slot.objects.filter(hall_id=hall_id, date__gte=first).aggregate(last=Max("date"))["last"]
        last = max(horizon_end(hall=hall_id, today=today), last_slot or today)
        if first > last:  # a day beyond every slot the hall has or will make before the day nears
            continue
        result = slots_generate(
            start=first,
            end=last,
            halls=[hall_id],
            now=now,
            reason=_("该时段已不再开放（工作日历调整）"),
            by_calendar=True,
        )
        total.created += result.created
        total.removed += result.removed
        total.closed += result.closed
        total.reopened += result.reopened
    return total


def _plan_times(plan: SlotPlan, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    start = dt.datetime.combine(day, plan.starts, SHANGHAI)
    end = dt.datetime.combine(day, plan.ends, SHANGHAI)
    step = dt.timedelta(minutes=plan.slot_minutes)
    times = []
    while start + step <= end:
        times.append((start, start + step))
        start += step
    return times


@dataclass
class SlotSync:
    created: int = 0
    removed: int = 0
    closed: int = 0
    reopened: int = 0


def slots_generate(
    *,
    start: dt.date,
    end: dt.date,
    halls: list[int] | None = None,
    now: dt.datetime | None = None,
    reason: str | None = None,
    by_calendar: bool = False,
) -> SlotSync:
    """Make the slots of ``[start, end]`` match the active plans and the calendar: regular and
    extended-hours plans on working days (holidays out, make-up workdays in), staggered plans on
    rest days. Missing slots are created; slots no plan wants any more are removed when empty and
    closed (their bookings told, with ``reason``; marked as closed by the calendar with
    ``by_calendar``) when not. A slot the calendar closed that is wanted again (the correction
    undone) opens again; a slot staff closed stays closed. Idempotent."""
    now = _now(now)
    reason = reason or _("该时段已不再开放（办公安排调整）")
    active_plans = SlotPlan.objects.filter(is_active=True).select_related("category")
    if halls is not None:
        active_plans = active_plans.filter(hall_id__in=halls)
    plans = list(active_plans)
    day_kind = catalog_selectors.day_kinds(start=start, end=end)
    wanted: dict[tuple[int, dt.datetime], Slot] = {}
    day = start
    while day <= end:
        working = day_kind(day) in ("workday", "makeup_workday")
        for plan in plans:
            if not plan.applies_on(day) or plan.on_rest_days == working:
                continue
            for begins, ends in _plan_times(plan, day):
                wanted.setdefault(
                    (plan.category_id, begins),
                    Slot(
                        hall_id=plan.hall_id,
                        category_id=plan.category_id,
                        plan=plan,
                        kind=plan.kind,
                        date=day,
                        starts_at=begins,
                        ends_at=ends,
                        capacity=plan.capacity,
                        urgent_only=plan.urgent_only,
                    ),
                )
        day += dt.timedelta(days=1)
    result = SlotSync()
    existing = Slot.objects.filter(date__range=(start, end), starts_at__gt=now)
    if halls is not None:
        existing = existing.filter(hall_id__in=halls)
    have = [
        ((s.category_id, s.starts_at), s)
        for s in existing.only("pk", "category_id", "starts_at", "kind", "booked", "is_closed", "closed_by_calendar")
    ]

    def kept(key: tuple[int, dt.datetime], slot: Slot) -> bool:
        # A slot at a time a plan still wants, and of the same side of the calendar: a day that
        # became a rest day (or a working day) replaces its working-day slots by the staggered
        # ones (or the reverse) even where a start time is the same.
        want = wanted.get(key)
        return want is not None and (want.kind == SlotKind.STAGGERED) == (slot.kind == SlotKind.STAGGERED)

    unwanted = [slot for key, slot in have if not kept(key, slot)]
    # A slot some booking names — cancelled or moved aside, even with no seat taken now — is the
    # record of that booking: it is closed like a booked one, never deleted (bookings protect
    # their slot; deleting it failed the whole calendar correction, walkthrough finding 6a).
    named = set(
        Booking.objects.filter(slot_id__in=[s.pk for s in unwanted if s.booked == 0]).values_list("slot_id", flat=True)
    )
    empty = [s.pk for s in unwanted if s.booked == 0 and s.pk not in named]
    if empty:
        result.removed = Slot.objects.filter(pk__in=empty, booked=0).delete()[0]
    # The unwanted slots that bookings name are closed first (their bookings told): only one open
    # slot per queue and start time is kept, so the slot wanted at a closed one's start time can
    # then be made beside it.
    for slot in unwanted:
        if (slot.booked or slot.pk in named) and not slot.is_closed:
            slot_close(slot=slot, reason=reason, actor=None, now=now, by_calendar=by_calendar)
            result.closed += 1
    # Missing: never made, or just removed or closed as unwanted.
    remaining = {key for key, slot in have if kept(key, slot)}
    missing = [slot for key, slot in wanted.items() if key not in remaining and slot.starts_at > now]
    Slot.objects.bulk_create(missing, ignore_conflicts=True)
    result.created = len(missing)
    # A plan reserved for urgent matters (or no longer): its future slots follow.
    for plan in plans:
        existing.filter(plan=plan).exclude(urgent_only=plan.urgent_only).update(urgent_only=plan.urgent_only)
    for key, slot in have:
        if slot.is_closed and slot.closed_by_calendar and kept(key, slot):
            result.reopened += _slot_reopen_after_calendar(slot.pk, now)
    return result


def _slot_reopen_after_calendar(pk: int, now: dt.datetime) -> int:
    """Open again a slot a calendar correction closed, now that its day is a working day again.
    Its bookings were told the slot closed and stay "displaced" (free to move or cancel, never
    reinstated behind their back, which could turn a person who took the first message at its
    word into a no-show); they no longer hold its seats, so the seats are counted again from the
    bookings still standing in it. Each displaced booker still there is told by SMS that the
    slot is open again and how to book it (their booking's own link)."""
    with transaction.atomic():
        slot = _lock_slot(pk)
        if not (slot.is_closed and slot.closed_by_calendar):
            return 0
        standing = Booking.objects.filter(
            slot=slot, status__in=(Booking.Status.BOOKED, Booking.Status.CHECKED_IN)
        ).count()
        Slot.objects.filter(pk=slot.pk).update(
            is_closed=False, closed_reason="", closed_by_calendar=False, booked=standing
        )
        displaced = list(Booking.objects.filter(slot=slot, status=Booking.Status.DISPLACED))
        _schedule(displaced, slot, Reminder.Kind.SLOT_REOPENED, now)
    return 1


def slots_ensure_horizon(*, now: dt.datetime | None = None) -> SlotSync:
    """Keep every hall's slots generated up to its horizon (the periodic job)."""
    now = _now(now)
    today = local_date(now)
    total = SlotSync()
    for hall_id in SlotPlan.objects.filter(is_active=True).values_list("hall_id", flat=True).distinct():
        result = slots_generate(start=today, end=horizon_end(hall=hall_id, today=today), halls=[hall_id], now=now)
        total.created += result.created
        total.removed += result.removed
        total.closed += result.closed
        total.reopened += result.reopened
    return total


def _lock_slot(pk: int) -> Slot:
    return Slot.objects.select_for_update().get(pk=pk)


def _lock_day_slots(*, hall: Hall, category_id: int, day: dt.date) -> list[Slot]:
    """Every slot of one queue on one day, locked in primary-key order (two supervisors changing
    the same day lock them in the same order and never deadlock)."""
    return list(Slot.objects.select_for_update().filter(hall=hall, category_id=category_id, date=day).order_by("pk"))


def slot_close(
    *, slot: Slot, reason: str, actor: AnyUser | None, now: dt.datetime | None = None, by_calendar: bool = False
) -> int:
    """Close a slot: no more bookings, and everyone booked in it is told and offered a new time
    (their bookings become "displaced": reschedulable whatever the hour). Returns how many.
    ``by_calendar``: closed because a calendar correction made its day a rest day."""
    now = _now(now)
    reason = reason.strip()
    if not reason:
        raise BookingError(_("请填写关闭原因。"), field="reason")
    with transaction.atomic():
        slot = _lock_slot(slot.pk)
        Slot.objects.filter(pk=slot.pk).update(
            is_closed=True, closed_reason=reason[:200], closed_by_calendar=by_calendar
        )
        bookings = list(Booking.objects.filter(slot=slot, status=Booking.Status.BOOKED))
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(status=Booking.Status.DISPLACED)
        Reminder.objects.filter(booking__in=bookings, slot=slot, status=Reminder.Status.PENDING).exclude(
            kind=Reminder.Kind.CONFIRMATION
        ).update(status=Reminder.Status.SKIPPED)
        _schedule(bookings, slot, Reminder.Kind.SLOT_CLOSED, now)
        if actor is not None:
            audit_record(
                actor=actor,
                action="slot.close",
                target=slot,
                summary=_("关闭预约时段 %(slot)s：%(reason)s") % {"slot": slot, "reason": reason},
                details={"displaced": len(bookings)},
            )
    return len(bookings)


def day_set_capacity(*, hall: Hall, category_id: int, day: dt.date, capacity: int, actor: AnyUser) -> int:
    """Change the seats of every slot of one queue on one day (not below what is booked)."""
    if capacity < 1 or capacity > 500:
        raise BookingError(_("名额须在1至500之间。"), field="capacity")
    with transaction.atomic():
        slots = _lock_day_slots(hall=hall, category_id=category_id, day=day)
        if not slots:
            raise BookingError(_("该日没有可调整的预约时段。"), field="date")
        fullest = max(s.booked for s in slots)
        if capacity < fullest:
            raise BookingError(
                _("名额不能少于已预约人数（该日单个时段最多已约 %(n)s 人）。") % {"n": fullest}, field="capacity"
            )
        changed = Slot.objects.filter(pk__in=[s.pk for s in slots]).update(capacity=capacity)
        audit_record(
            actor=actor,
            action="slot.capacity",
            target=hall,
            summary=_("调整 %(day)s %(hall)s 预约名额为每时段 %(n)s 人")
            % {"day": day, "hall": hall.name, "n": capacity},
            details={"category": category_id, "slots": changed},
        )
    return changed


# --- Booking ---------------------------------------------------------------------------------


def _rate_limit(*limits: tuple[str, str], read: Sequence[str] = ()) -> dict[str, Any]:
    """Count the request under each (key, rate), all in one round trip to Redis, with the cache
    entries ``read`` (what was found under them is returned); refused (429) if any limit is
    exceeded. Each limit counts every request, refused or not."""
    decisions, found = hit_many_and_read([(key, *parse_rate(rate)) for key, rate in limits], keys=read)
    waits = [wait for allowed, wait in decisions if not allowed]
    if waits:
        raise BookingError(
            _("操作过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, max(waits) // 60)},
            code="rate_limited",
            status=429,
        )
    return found


def _validate_person(name: str, id_number: str, mobile: str, today: dt.date) -> tuple[str, str, str, str]:
    """The name, ID and mobile number checked together: every wrong one is named in one refusal
    (walkthrough finding 3: the person fixed one field at a time)."""
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名最多40个字。")]
    number = ""
    try:
        number = validate_id_number(id_number, today=today)
    except ValidationError as exc:
        errors["id_number"] = [exc.messages[0]]
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = [exc.messages[0]]
    if errors:
        raise BookingError.for_fields(errors)
    return name, id_digest(number), mask_id_number(number), mobile


def _lock_person(pk: str) -> BookingPerson:
    """All of one person's bookings lock this row, so two requests of the same person cannot
    both pass the per-person rules."""
    return BookingPerson.objects.select_for_update().get(pk=pk)


def _lock_or_create_person(digest: str, masked: str) -> BookingPerson:
    """The person of this digest, created on their first booking, locked (``_lock_person``).
    On PostgreSQL one statement: an upsert that changes nothing in an existing row but locks it,
    as ``SELECT … FOR UPDATE`` would, and returns it (issue 14: it was five statements)."""
    if connection.vendor != "postgresql":
        BookingPerson.objects.get_or_create(id_hash=digest, defaults={"id_masked": masked})
        return _lock_person(digest)
    upsert, params = _person_upsert_sql(digest, masked)
    fields, columns = _person_columns(prefix="")
    with connection.cursor() as cursor:
        cursor.execute(f"{upsert} RETURNING {columns}", params)
        row = cursor.fetchone()
    return BookingPerson.from_db(connection.alias, [f.attname for f in fields], row)


def _person_upsert_sql(digest: str, masked: str) -> tuple[str, list]:
    """The person inserted, or their row locked and left unchanged (PostgreSQL)."""
    insert, params = _insert_sql(BookingPerson, [BookingPerson(id_hash=digest, id_masked=masked)])
    pk = connection.ops.quote_name(str(BookingPerson._meta.pk.column))
    return f"{insert} ON CONFLICT ({pk}) DO UPDATE SET {pk} = EXCLUDED.{pk}", params


def _slot_closed() -> BookingError:
    return BookingError(_("该时段已关闭，请选择其他时间。"), field="slot", code="slot_closed", status=409)


def _slot_full() -> BookingError:
    return BookingError(_("该时段已约满，请选择其他时间。"), field="slot", code="full", status=409)


# ``Booking.source`` of a booking made by staff for an approved urgent request (急事急办).
URGENT_SOURCE = "urgent"


def _slot_urgent_only() -> BookingError:
    return BookingError(
        _("该时段仅供经批准的急事急办事项使用，请选择其他时间。"), field="slot", code="urgent_only", status=409
    )


def _slot_unbookable(
    slot: Slot, rules: BookingRules, now: dt.datetime, *, calendar_version: Any = _UNREAD
) -> BookingError | None:
    if slot.is_closed:
        return _slot_closed()
    # The slot exists but is not bookable now: a refusal in its current state (409).
    if slot.starts_at <= now:
        return BookingError(
            _("该时段已经开始或已过去，请选择其他时间。"), field="slot", code="slot_started", status=409
        )
    if slot.date > horizon_end(
        hall=slot.hall_id, today=local_date(now), rules=rules, calendar_version=calendar_version
    ):
        return BookingError(
            _("只能预约今天起 %(n)s 个工作日内的时段。") % {"n": rules.horizon_working_days},
            field="slot",
            code="beyond_horizon",
            status=409,
        )
    return None


def slot_refusal(
    *, slot: Slot, now: dt.datetime | None = None, rules: BookingRules | None = None
) -> BookingError | None:
    """Why ``slot`` cannot be booked (closed, started, beyond the horizon, full), or None: the
    very refusal ``booking_create`` and ``booking_reschedule`` raise, for pages to show before
    anyone types their data."""
    now = _now(now)
    refusal = _slot_unbookable(slot, rules or rules_for(slot.hall_id), now)
    if refusal is None and slot.urgent_only:
        refusal = _slot_urgent_only()
    if refusal is None and slot.seats_left == 0:
        refusal = _slot_full()
    return refusal


def _check_slot(slot: Slot, rules: BookingRules, now: dt.datetime, *, calendar_version: Any = _UNREAD) -> None:
    # Not the seats: a seat is taken by the conditional update after the person's own rules
    # (suspended, one a day, at most N) have been checked, and ``_no_seat`` says why it failed.
    refusal = _slot_unbookable(slot, rules, now, calendar_version=calendar_version)
    if refusal is not None:
        raise refusal


def _check_person(
    person: BookingPerson,
    *,
    hall_id: int,
    day: dt.date,
    rules: BookingRules,
    now: dt.datetime,
    exclude: int | None = None,
) -> None:
    # A suspension is said without counting anything.
    refusal = _person_refusal(person, same_day=0, active=0, rules=rules, now=now) if person.is_suspended(now) else None
    if refusal is None:
        active = Booking.objects.filter(person=person, status__in=Booking.ACTIVE, slot__starts_at__gt=now)
        if exclude is not None:
            active = active.exclude(pk=exclude)
        # One query for both rules (the person's active bookings are a handful).
        counts = active.aggregate(same_day=Count("pk", filter=Q(hall_id=hall_id, date=day)), active=Count("pk"))
        refusal = _person_refusal(person, same_day=counts["same_day"], active=counts["active"], rules=rules, now=now)
    if refusal is not None:
        raise refusal


def _person_refusal(
    person: BookingPerson, *, same_day: int, active: int, rules: BookingRules, now: dt.datetime
) -> BookingError | None:
    """The person's own refusal, if any: suspended, already booked at this hall that day, or at
    the limit of active bookings (``same_day`` and ``active`` count their active bookings still
    ahead, at the hall that day and in all)."""
    if person.suspended_until is not None and person.is_suspended(now):
        return BookingError(
            _("您因 %(days)s 天内爽约 %(n)s 次，网上预约已暂停至 %(until)s。如有疑问请联系大厅。")
            % {
                "days": rules.no_show_window_days,
                "n": rules.no_show_limit,
                "until": person.suspended_until.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            },
            code="suspended",
            status=409,
        )
    if same_day:
        return BookingError(_("您在该大厅当天已有预约，每人每天在同一大厅只能预约一次。"), code="duplicate", status=409)
    if active >= rules.max_active:
        return BookingError(
            _("您已有 %(n)s 个有效预约，已达上限，请办结或取消后再预约。") % {"n": rules.max_active},
            code="too_many",
            status=409,
        )
    return None


def _take_seat(slot_id: int) -> bool:
    return bool(
        Slot.objects.filter(pk=slot_id, booked__lt=F("capacity"), is_closed=False).update(booked=F("booked") + 1)
    )


def _no_seat(slot_id: int) -> BookingError:
    """Why the seat could not be taken: the slot filled up or was closed meanwhile."""
    if Slot.objects.filter(pk=slot_id, is_closed=True).exists():
        return _slot_closed()
    return _slot_full()


def _give_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def booking_create(
    *,
    slot: Slot,
    name: str,
    id_number: str,
    mobile: str,
    item: ServiceItem | None = None,
    client_ip: str = "",
    source: str = "web",
    assistance: queue_services.AssistanceWish | None = None,
    urgent: bool = False,
    now: dt.datetime | None = None,
    fresh: bool = False,
) -> Booking:
    """Book a seat: real name, valid ID and mobile number, within the horizon, not suspended,
    one per hall and day, at most N active; the last seat is never sold twice. ``assistance``
    (accompanied or assisted handling, Art. 10 ¶1) puts a request for the slot on the hall's
    assistance desk, in the same transaction. A slot reserved for urgent matters
    (``urgent_only``) is booked only with ``urgent`` (staff for an approved urgent request,
    ``cases.urgent.urgent_book_staggered``), never by the public. ``fresh``: the caller has
    just read ``slot`` with its category (the API), so it is not read again."""
    now = _now(now)
    if not fresh:
        slot = Slot.objects.select_related("category").get(pk=slot.pk)  # the caller's copy may be old
    rules = rules_for(slot.hall_id)
    name, digest, masked, mobile = _validate_person(name, id_number, mobile, local_date(now))
    found = _rate_limit(
        *([(f"booking-ip:{client_ip}", settings.THROTTLE_BOOKING_IP)] if client_ip else []),
        (f"booking-mobile:{id_digest(mobile)}", settings.THROTTLE_BOOKING_MOBILE),
        read=(CALENDAR_VERSION_KEY,),
    )
    _check_slot(slot, rules, now, calendar_version=found.get(CALENDAR_VERSION_KEY))
    if slot.urgent_only and not urgent:
        raise _slot_urgent_only()
    if item is not None and not slot.category.items.filter(pk=item.pk).exists():
        raise BookingError(_("所选事项不属于该排队类别。"), field="item", code="item_not_here", status=409)
    if slot.seats_left == 0:
        # Full when read a moment ago (most requests once a popular slot has filled): the
        # person's own refusals come first, as below, read without taking any lock, since
        # nothing is written either way (with the slot itself, when read by ``slot_for_booking``).
        if getattr(slot, "person_digest", None) == digest:
            refusal = _person_read_with_slot(slot, rules=rules, now=now)
        else:
            refusal = _known_person_refusal(digest, slot=slot, rules=rules, now=now)
        raise refusal or _slot_full()
    booking = Booking(
        code=_new_code(),
        manage_token=secrets.token_urlsafe(24),
        hall_id=slot.hall_id,
        category_id=slot.category_id,
        item=item,
        slot=slot,
        date=slot.date,
        name=name,
        mobile=mobile,
        created_at=now,
        source=source,
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block and assistance is None:
        return _book_in_two_round_trips(booking, digest=digest, masked=masked, rules=rules, now=now)
    try:
        with transaction.atomic():
            booking.person = _lock_or_create_person(digest, masked)
            _check_person(booking.person, hall_id=slot.hall_id, day=slot.date, rules=rules, now=now)
            booking.save(force_insert=True)
            if assistance is not None:
                booking.assistance = queue_services.assistance_request(
                    hall=slot.hall,
                    wish=assistance,
                    source=AssistanceRequest.Source.BOOKING,
                    expected_at=slot.starts_at,
                    id_masked=masked,
                    now=now,
                )
                booking.save(update_fields=["assistance"])
            _schedule_for_slot(booking, slot, now, confirmation=Reminder.Kind.CONFIRMATION)
            # The seat last: every booking of the slot waits on its row from this update until
            # the commit, so nothing else is done while it is held (issue 14). Without a seat
            # the transaction, booking and reminders with it, is undone.
            if not _take_seat(slot.pk):
                raise _no_seat(slot.pk)
    except IntegrityError as exc:
        # The partial unique index: the same person booked this hall and day a moment ago.
        raise _duplicate() from exc
    return booking


def _duplicate() -> BookingError:
    return BookingError(_("您在该大厅当天已有预约，每人每天在同一大厅只能预约一次。"), code="duplicate", status=409)


# --- The booking on PostgreSQL in two round trips (issue 14) -----------------------------------
#
# Under load every booking of a popular slot waits on the slot's row from its seat update to its
# commit. Through the ORM that hold spans a round trip back to the application between the
# update and the COMMIT: the thread has to be scheduled and to get the GIL back before it sends
# the COMMIT, which on a busy machine took tens of milliseconds for each seat sold. So, outside
# any transaction of the caller, the booking is sent as two strings of statements:
#
# 1. ``BEGIN``, the person upserted and locked (``_lock_or_create_person``), then, in a statement
#    of its own (so with a snapshot taken after the lock: a booking the same person committed
#    meanwhile is counted), the person read back with their active bookings ahead counted (the
#    per-person rules, said in Python) and the booking's id drawn from its sequence;
# 2. the seat, the booking and its reminders in one statement that divides by the seats it took
#    (no seat: division by zero, nothing written), then ``COMMIT``, in the same string: the
#    slot's row is held from the update to the commit without the application in between.
#
# A refusal rolls the transaction back; so does anything unexpected.


def _col(model: type[Model], field: str) -> str:
    column = model._meta.get_field(field).column  # type: ignore[union-attr]  # a concrete field
    return connection.ops.quote_name(str(column))


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _person_columns(prefix: str = "p.") -> tuple[list[Field], str]:
    fields = [f for f in BookingPerson._meta.concrete_fields if not f.generated]
    return fields, ", ".join(prefix + connection.ops.quote_name(str(f.column)) for f in fields)


def _person_with_counts_sql(select_extra: str = "") -> str:
    """The person by id_hash with their active bookings still ahead counted, at one hall on one
    day and in all: params (hall id, day, *statuses, now, id_hash). What ``_check_person`` asks
    of the ORM, in the same statement as the person."""
    _fields, columns = _person_columns()
    statuses = ", ".join(["%s"] * len(Booking.ACTIVE))
    b, sl = _table(Booking), _table(Slot)
    # Table and column names from the models; every value a parameter.
    person = _table(BookingPerson)
    return (
        f"SELECT {columns}, c.same_day, c.active{select_extra} FROM {person} p CROSS JOIN LATERAL ("  # noqa: S608
        f"SELECT COUNT(*) FILTER (WHERE b.{_col(Booking, 'hall')} = %s AND b.{_col(Booking, 'date')} = %s) AS same_day, "
        f"COUNT(*) AS active FROM {b} b JOIN {sl} s ON s.{_col(Slot, 'id')} = b.{_col(Booking, 'slot')} "
        f"WHERE b.{_col(Booking, 'person')} = p.{_col(BookingPerson, 'id_hash')} "
        f"AND b.{_col(Booking, 'status')} IN ({statuses}) AND s.{_col(Slot, 'starts_at')} > %s) c "
        f"WHERE p.{_col(BookingPerson, 'id_hash')} = %s"
    )


def _person_with_counts(
    row: tuple, *, rules: BookingRules, now: dt.datetime
) -> tuple[BookingPerson, BookingError | None]:
    """The person of a row of ``_person_with_counts_sql``, and their own refusal if any."""
    fields, _columns = _person_columns()
    person = BookingPerson.from_db(connection.alias, [f.attname for f in fields], row[: len(fields)])
    same_day, active = row[len(fields)], row[len(fields) + 1]
    return person, _person_refusal(person, same_day=same_day, active=active, rules=rules, now=now)


def _counts_params(slot: Slot, now: dt.datetime, digest: str) -> list:
    return [slot.hall_id, slot.date, *Booking.ACTIVE, now, digest]


def _known_person_refusal(digest: str, *, slot: Slot, rules: BookingRules, now: dt.datetime) -> BookingError | None:
    """For a slot already full: the person's own refusal, if they are known and have one (read
    without a lock; on PostgreSQL the person and their bookings in one query)."""
    if connection.vendor != "postgresql":
        person = BookingPerson.objects.filter(id_hash=digest).first()
        if person is None:
            return None
        try:
            _check_person(person, hall_id=slot.hall_id, day=slot.date, rules=rules, now=now)
        except BookingError as exc:
            return exc
        return None
    with connection.cursor() as cursor:
        cursor.execute(_person_with_counts_sql(), _counts_params(slot, now, digest))
        row = cursor.fetchone()
    return None if row is None else _person_with_counts(row, rules=rules, now=now)[1]


def slot_for_booking(pk: int, *, id_number: str, now: dt.datetime) -> Slot | None:
    """The slot ``pk`` (with its category and hall) for a booking by the holder of ``id_number``,
    or None. On PostgreSQL the same query also reads what that person's own refusals need should
    the slot be full (most requests once a popular slot has filled: issue 14, one query instead
    of two): whether they are known, until when suspended, and their active bookings still ahead
    at the slot's hall that day and in all, as the attributes ``person_*`` that
    ``booking_create`` reads for the same person at the same ``now``."""
    digest = ""
    if connection.vendor == "postgresql":
        try:
            digest = id_digest(validate_id_number(id_number, today=local_date(now)))
        except ValidationError:
            pass  # refused as invalid by ``booking_create``, before anything about the person
    if not digest:
        # ``get``, not ``first``: no ORDER BY (the slots' default ordering joins the category's
        # and cost more to compile than the query costs to run).
        try:
            return Slot.objects.select_related("category", "hall").get(pk=pk)
        except Slot.DoesNotExist:
            return None
    statement = _slot_with_person_statement()
    with connection.cursor() as cursor:
        ahead: list[str | dt.datetime] = [digest, *Booking.ACTIVE, now]
        statement.prepared.execute(cursor, [digest, digest, *ahead, *ahead, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    slot, person = statement.instances(row)
    slot.person_known, slot.person_suspended_until, slot.person_same_day, slot.person_active = person  # type: ignore[attr-defined]
    slot.person_digest = digest  # type: ignore[attr-defined]
    slot.person_now = now  # type: ignore[attr-defined]
    return slot


@dataclass(frozen=True)
class _SlotStatement:
    """``slot_for_booking``'s query on PostgreSQL and how its row becomes the slot with its
    category and hall (as ``select_related`` gives them), then the person's four figures."""

    sql: str
    models: tuple[tuple[type[Model], list[str]], ...]  # each model and its fields' attribute names
    converters: list[list]  # per column, what the ORM would apply to its value
    # Planning it took four fifths of its time in PostgreSQL (servicehall/prepared.py).
    prepared: Statement

    def instances(self, row: tuple) -> tuple[Slot, list]:
        values = [_converted(value, converters) for value, converters in zip(row, self.converters, strict=True)]
        made, start = [], 0
        for model, names in self.models:
            made.append(model.from_db(connection.alias, names, values[start : start + len(names)]))
            start += len(names)
        slot, category, hall = made
        Slot._meta.get_field("category").set_cached_value(slot, category)
        Slot._meta.get_field("hall").set_cached_value(slot, hall)
        return cast(Slot, slot), values[start:]


def _converted(value: object, converters: list) -> object:
    for converter in converters:
        value = converter(value, None, connection)
    return value


# Per database alias: the statement's text depends only on the models, so it is built once per
# process (Django's compiler and the queryset's clones took half of a refused booking's time in
# the web process, which is most requests once a popular slot has filled: issue 14).
_slot_statements: dict[str, _SlotStatement] = {}


def _slot_with_person_statement() -> _SlotStatement:
    statement = _slot_statements.get(connection.alias)
    if statement is not None:
        return statement
    sl, person, b = _table(Slot), _table(BookingPerson), _table(Booking)
    joined = [(Slot, sl), (QueueCategory, "c"), (Hall, "h")]
    columns, models, converters = [], [], []
    for model, alias in joined:
        fields = list(model._meta.concrete_fields)
        columns += [f"{alias}.{connection.ops.quote_name(str(f.column))}" for f in fields]
        models.append((model, [f.attname for f in fields]))
        converters += [_field_converters(f, alias) for f in fields]
    id_hash = _col(BookingPerson, "id_hash")
    statuses = ", ".join(["%s"] * len(Booking.ACTIVE))
    # Parameters: the digest, the active statuses and ``now``; names from the models.
    ahead = (
        f"SELECT COUNT(*) FROM {b} b JOIN {sl} s2 ON s2.{_col(Slot, 'id')} = b.{_col(Booking, 'slot')} "  # noqa: S608
        f"WHERE b.{_col(Booking, 'person')} = %s AND b.{_col(Booking, 'status')} IN ({statuses}) "
        f"AND s2.{_col(Slot, 'starts_at')} > %s"
    )
    same_day = (
        f"{ahead} AND b.{_col(Booking, 'hall')} = {sl}.{_col(Slot, 'hall')} "
        f"AND b.{_col(Booking, 'date')} = {sl}.{_col(Slot, 'date')}"
    )
    suspended = BookingPerson._meta.get_field("suspended_until")
    sql = (
        f"SELECT {', '.join(columns)}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {person} p WHERE p.{id_hash} = %s), "
        f"(SELECT p.{_col(BookingPerson, 'suspended_until')} FROM {person} p WHERE p.{id_hash} = %s), "
        f"({same_day}), ({ahead}) "
        f"FROM {sl} JOIN {_table(QueueCategory)} c ON c.{_col(QueueCategory, 'id')} = {sl}.{_col(Slot, 'category')} "
        f"JOIN {_table(Hall)} h ON h.{_col(Hall, 'id')} = {sl}.{_col(Slot, 'hall')} "
        f"WHERE {sl}.{_col(Slot, 'id')} = %s"
    )
    converters += [[], _field_converters(cast(Field, suspended), "p"), [], []]
    statement = _slot_statements[connection.alias] = _SlotStatement(
        sql, tuple(models), converters, Statement("sh_booking_slot", sql)
    )
    return statement


def _field_converters(field: Field, alias: str) -> list:
    """What the ORM applies to a column's value read from the database (``SQLCompiler.get_converters``)."""
    column = field.get_col(alias)
    return [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]


def _person_read_with_slot(slot: Slot, *, rules: BookingRules, now: dt.datetime) -> BookingError | None:
    if not slot.person_known:  # type: ignore[attr-defined]
        return None
    if slot.person_now != now:  # type: ignore[attr-defined]  # counted for another moment: again
        return _known_person_refusal(slot.person_digest, slot=slot, rules=rules, now=now)  # type: ignore[attr-defined]
    person = BookingPerson(id_hash=slot.person_digest, suspended_until=slot.person_suspended_until)  # type: ignore[attr-defined]
    return _person_refusal(
        person,
        same_day=slot.person_same_day,  # type: ignore[attr-defined]
        active=slot.person_active,  # type: ignore[attr-defined]
        rules=rules,
        now=now,
    )


def _insert_sql(model: type[Model], objs: Sequence[Model], *, ignore_conflicts: bool = False) -> tuple[str, list]:
    """Django's own INSERT of ``objs`` (defaults and conversions the model's), as one statement."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.generated and (f is not model._meta.pk or objs[0].pk is not None)
    ]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
    query.insert_values(fields, list(objs))
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _book_in_two_round_trips(
    booking: Booking, *, digest: str, masked: str, rules: BookingRules, now: dt.datetime
) -> Booking:
    slot = booking.slot
    upsert, upsert_params = _person_upsert_sql(digest, masked)
    sequence = f"nextval(pg_get_serial_sequence('{Booking._meta.db_table}', '{Booking._meta.pk.column}'))"
    first = f"BEGIN; {upsert}; {_person_with_counts_sql(select_extra=', ' + sequence)}"
    with connection.cursor() as cursor:
        try:
            cursor.execute(first, [*upsert_params, *_counts_params(slot, now, digest)])
            row = cursor.fetchone()
            booking.person, refusal = _person_with_counts(row, rules=rules, now=now)
            if refusal is not None:
                raise refusal
            booking.pk = row[-1]
            reminders = _reminders_for_slot(booking, slot, now, confirmation=Reminder.Kind.CONFIRMATION)
            insert_booking, booking_params = _insert_sql(Booking, [booking])
            insert_reminders, reminder_params = _insert_sql(Reminder, reminders, ignore_conflicts=True)
            sl = _table(Slot)
            booked, capacity = _col(Slot, "booked"), _col(Slot, "capacity")
            # Names from the models, values as parameters.
            second = (
                f"WITH seat AS (UPDATE {sl} SET {booked} = {booked} + 1 WHERE {_col(Slot, 'id')} = %s "  # noqa: S608
                f"AND {booked} < {capacity} AND NOT {_col(Slot, 'is_closed')} RETURNING 1), "
                f"b AS ({insert_booking}), r AS ({insert_reminders}) "
                "SELECT 1 / COUNT(*) FROM seat; COMMIT"
            )
            try:
                cursor.execute(second, [slot.pk, *booking_params, *reminder_params])
            except DataError as exc:
                if getattr(exc.__cause__, "pgcode", None) != "22012":  # not the division by zero
                    raise
                cursor.execute("ROLLBACK")
                seat = False
            else:
                seat = True
        except BaseException as exc:
            try:
                cursor.execute("ROLLBACK")
            except DatabaseError:  # the connection is gone: Django closes it after the request
                pass
            if isinstance(exc, IntegrityError):
                # The partial unique index: the same person booked this hall and day a moment ago.
                raise _duplicate() from exc
            raise
    if not seat:
        raise _no_seat(slot.pk)
    booking._state.adding = False
    booking._state.db = connection.alias
    _kick_reminders()
    return booking


def _manageable(booking: Booking, rules: BookingRules, now: dt.datetime) -> None:
    if booking.status == Booking.Status.DISPLACED:
        return  # the hall closed the slot: the applicant may always move or cancel
    if booking.status != Booking.Status.BOOKED:
        raise BookingError(
            _("该预约当前状态为“%(state)s”，不能取消或改约。") % {"state": booking.get_status_display()},
            code="stale",
            status=409,
        )
    if booking.slot.starts_at - now < rules.cancel_before:
        raise BookingError(
            _("开始前 %(hours)s 小时内不能在网上取消或改约，如有需要请联系大厅。")
            % {"hours": rules.cancel_before_hours},
            code="too_late",
            status=409,
        )


def booking_change_refusal(booking: Booking, *, now: dt.datetime | None = None) -> BookingError | None:
    """Why the booking can no longer be cancelled or moved online, or None (for pages that
    show the buttons; the services apply the same rule on every change)."""
    try:
        _manageable(booking, rules_for(booking.hall_id), _now(now))
    except BookingError as exc:
        return exc
    return None


def _lock_booking(booking: Booking) -> Booking:
    """Lock the booking row alone, then read it with its relations. (Locking a join would make
    PostgreSQL re-check the join against the row a concurrent reschedule just changed, and find
    nothing.)"""
    Booking.objects.select_for_update().filter(pk=booking.pk).values_list("pk", flat=True).get()
    return Booking.objects.select_related("slot", "person", "hall", "category").get(pk=booking.pk)


def booking_cancel(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking)
        _manageable(booking, rules_for(booking.hall_id), now)
        was_displaced = booking.status == Booking.Status.DISPLACED
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, cancelled_at=now)
        if booking.assistance is not None:
            queue_services.assistance_cancel(request=booking.assistance, now=now)
        if not was_displaced:
            _give_seat(booking.slot_id)
        _skip_pending(booking, booking.slot)
        _schedule([booking], booking.slot, Reminder.Kind.CANCELLATION, now)
        booking.refresh_from_db()
    return booking


def booking_assistance_withdraw(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """The applicant no longer needs accompanied or assisted handling: the booking's request
    leaves the hall's assistance desk (cancelled); the booking stands. Only before check-in and
    while nobody at the desk has taken it (a taken request is settled with the hall)."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking)
        if booking.status not in (Booking.Status.BOOKED, Booking.Status.DISPLACED):
            raise BookingError(
                _("该预约当前状态为“%(state)s”，不能撤销帮办/陪同申请。") % {"state": booking.get_status_display()},
                code="stale",
                status=409,
            )
        request = booking.assistance
        if request is None or request.status == AssistanceRequest.Status.CANCELLED:
            raise BookingError(_("本预约没有待处理的帮办/陪同申请。"), code="no_assistance", status=409)
        withdrawn = AssistanceRequest.objects.filter(pk=request.pk, status=AssistanceRequest.Status.REQUESTED).update(
            status=AssistanceRequest.Status.CANCELLED, cancelled_at=now
        )
        if not withdrawn:
            raise BookingError(
                _("工作人员已接单，不能在网上撤销；如不再需要协助，请告知大厅工作人员。"),
                code="assistance_taken",
                status=409,
            )
        booking.refresh_from_db()
    return booking


def booking_reschedule(*, booking: Booking, new_slot: Slot, now: dt.datetime | None = None) -> Booking:
    """Move a booking to another slot of the same hall: the new seat is secured first, the old
    one given back after, in one transaction — a refusal changes nothing."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking)
        rules = rules_for(booking.hall_id)
        _manageable(booking, rules, now)
        new_slot = Slot.objects.select_related("category").get(pk=new_slot.pk)
        if new_slot.pk == booking.slot_id:
            raise BookingError(_("请选择与原预约不同的时段。"), field="slot", code="same_slot", status=409)
        if new_slot.hall_id != booking.hall_id:
            raise BookingError(
                _("改约只能在同一大厅内进行；如需到其他大厅办理，请取消后重新预约。"),
                field="slot",
                code="other_hall",
                status=409,
            )
        _check_slot(new_slot, rules, now)
        if new_slot.urgent_only and booking.source != URGENT_SOURCE:
            raise _slot_urgent_only()
        person = _lock_person(booking.person_id)
        _check_person(person, hall_id=new_slot.hall_id, day=new_slot.date, rules=rules, now=now, exclude=booking.pk)
        if not _take_seat(new_slot.pk):
            raise _no_seat(new_slot.pk)
        old_slot = booking.slot
        if booking.status == Booking.Status.BOOKED:
            _give_seat(old_slot.pk)
        Booking.objects.filter(pk=booking.pk).update(
            slot=new_slot, date=new_slot.date, category=new_slot.category, status=Booking.Status.BOOKED
        )
        if booking.assistance_id is not None:
            AssistanceRequest.objects.filter(pk=booking.assistance_id, status__in=AssistanceRequest.OPEN).update(
                expected_at=new_slot.starts_at, service_date=new_slot.date
            )
        booking.refresh_from_db()
        _skip_pending(booking, old_slot)
        _schedule_for_slot(booking, new_slot, now, confirmation=Reminder.Kind.RESCHEDULED)
    return booking


# --- Check-in --------------------------------------------------------------------------------


@dataclass
class CheckIn:
    booking: Booking
    ticket: Ticket
    late: bool
    message: str


# What a page that takes booking codes only says to an ID number typed as the code: a booking
# code is 8 letters and digits (``CODE_ALPHABET``), so 15 to 18 digits (the last an X perhaps)
# are an ID number, which would otherwise be answered as "no booking" (walkthrough).
_ID_NUMBER_TYPED = re.compile(r"[0-9]{14,17}[0-9Xx]")


def _to(via: str, applicant: str, clerk: str) -> str:
    """A check-in message in the words of whoever reads it: the applicant at the kiosk (or an
    app), or the clerk at a window, who passes it on (issue 8)."""
    return clerk if via == "window" else applicant


def booking_check_in(
    *,
    hall: Hall,
    code: str = "",
    id_number: str = "",
    person_digest: str = "",
    via: str = "kiosk",
    staff: AnyUser | None = None,
    mobile_last4: str | None = None,
    device: KioskDevice | None = None,
    codes_only: bool = False,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Turn today's booking at this hall into a ticket. From 30 minutes before to 15 minutes
    after the slot starts (defaults): a priority ticket (Y) that is never called before the
    slot starts. Later: a normal ticket, and the applicant is told why.

    ``mobile_last4`` is asked of anyone not signed in who checks in by ID number (issue 9 §3): an
    ID number alone is known to too many people to hand out the ticket (and its cancel link). A
    wrong one answers exactly as "no booking", so it tells nothing about the person.
    ``person_digest`` stands for the ID number when the kiosk knows the person only by the
    digest on the ticket it has just issued them (with ``mobile_last4`` likewise).
    ``codes_only``: the caller takes booking codes only (a kiosk's page in a browser not
    registered with the hall): an ID number typed as the code is answered as such, not as "no
    booking", and "no booking" does not ask to check an ID number the page does not take.

    One active ticket per person and queue (``ticket_issue``): a person who already holds a
    normal ticket still waiting in the booking's queue and checks in on time gives it up for the
    appointment's priority ticket (the message names both numbers); any other ticket they hold
    there (green channel, already called, or a late check-in) is kept, and the message says so
    and how it is called. Never a promise of priority for a ticket that has none."""
    now = _now(now)
    today = local_date(now)
    rules = rules_for(hall)
    bookings = Booking.objects.select_related("slot", "category", "person", "ticket", "ticket__window").filter(
        hall=hall, date=today
    )
    code = code.strip().upper()
    digest = ""
    if codes_only and _ID_NUMBER_TYPED.fullmatch("".join(code.split())):
        raise BookingError(
            _("本机只能凭预约码签到：请输入短信中的8位预约码，或到服务窗口凭身份证签到。"),
            field="code",
            code="id_number_as_code",
        )
    if code:
        bookings = bookings.filter(code=code)
    elif id_number.strip() or person_digest:
        if id_number.strip():
            try:
                number = validate_id_number(id_number, today=today)
            except ValidationError as exc:
                raise BookingError(exc.messages[0], field="id_number") from exc
            digest = id_digest(number)
        else:
            digest = person_digest
        bookings = bookings.filter(person_id=digest)
        if mobile_last4 is not None:
            if not re.fullmatch(r"\d{4}", mobile_last4.strip()):
                raise BookingError(
                    _("凭身份证号码签到，请同时输入预约手机号码的后四位。"),
                    field="mobile_last4",
                    code="mobile_last4_required",
                )
            bookings = bookings.filter(mobile__endswith=mobile_last4.strip())
    else:
        raise BookingError(_("请输入预约码或身份证号码。"), field="code")
    booking = bookings.order_by("slot__starts_at").first()
    if staff is None:
        booking = _limit_guesses(hall=hall, booking=booking, digest=digest, device=device, now=now)
    if booking is None:
        raise _not_today(hall=hall, code=code, digest=digest, via=via, today=today, codes_only=codes_only)
    if booking.status == Booking.Status.CHECKED_IN and booking.ticket is not None:
        return CheckIn(
            booking,
            booking.ticket,
            late=False,
            message=_to(via, _("您已签到，排队号为 %(number)s。"), _("该预约已签到，排队号为 %(number)s。"))
            % {"number": booking.ticket.number},
        )
    if booking.status == Booking.Status.DISPLACED:
        raise BookingError(
            _to(
                via,
                _("该预约的时段已被大厅关闭，请通过管理链接改约或现场取号。"),
                _("该预约的时段已被大厅关闭，不能签到；可为申请人现场取号。"),
            ),
            code="displaced",
            status=409,
        )
    if booking.status != Booking.Status.BOOKED:
        raise BookingError(
            _("该预约当前状态为“%(state)s”，不能签到。") % {"state": booking.get_status_display()},
            code="stale",
            status=409,
        )
    starts = booking.slot.starts_at
    opens = starts - rules.checkin_before
    times = {
        "from": opens.astimezone(SHANGHAI).strftime("%H:%M"),
        "to": (starts + rules.checkin_after).astimezone(SHANGHAI).strftime("%H:%M"),
        "time": starts.astimezone(SHANGHAI).strftime("%H:%M"),
    }
    if now < opens:
        raise BookingError(
            _to(
                via,
                _("签到时间为 %(from)s 至 %(to)s，请稍后再来签到。"),
                _("该预约的签到时间为 %(from)s 至 %(to)s，现在还不能签到。"),
            )
            % times,
            code="too_early",
            status=409,
        )
    late = now > starts + rules.checkin_after
    with transaction.atomic():
        booking = _lock_booking(booking)
        if booking.status != Booking.Status.BOOKED:
            raise BookingError(_("该预约刚刚已签到或已变更，请重试。"), code="stale", status=409)
        given_up = None if late else _give_up_normal_ticket(booking, now)
        issued = queue_services.ticket_issue(
            hall=hall,
            category=booking.category,
            source=Ticket.Source.APPOINTMENT
            if not late
            else (Ticket.Source.KIOSK if via == "kiosk" else Ticket.Source.STAFF),
            priority="" if late else Ticket.Priority.APPOINTMENT,
            not_before=None if late else starts,
            person=(booking.person_id, booking.person.id_masked),
            staff=staff,
            now=now,
            require_open=False,
        )
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CHECKED_IN, checked_in_at=now, ticket=issued.ticket
        )
        if booking.assistance is not None:
            queue_services.assistance_link_ticket(request=booking.assistance, ticket=issued.ticket)
        booking.refresh_from_db()
        # What apps above do at check-in (cases: an approved urgent matter's ticket is called first).
        for hook in check_in_hooks():
            hook(booking, issued.ticket, now)
    ticket = issued.ticket
    words = {**times, "number": ticket.number, "old": given_up.number if given_up else ""}
    if issued.existing:
        # The person's own ticket in this queue stands; say how it is called, not what an
        # appointment's ticket would get.
        words["order"] = _("绿色通道，优先叫号") if ticket.priority else _("按到达顺序叫号")
        if ticket.status in Ticket.AT_WINDOW:
            message = _to(
                via,
                _("签到成功。您的号码 %(number)s 已叫号，请到窗口办理。"),
                _("签到成功：申请人的号码 %(number)s 已叫号。"),
            )
        elif late:
            message = _to(
                via,
                _("您已超过签到时间（%(to)s）。您在本队列已有号码 %(number)s，继续使用该号码，%(order)s。"),
                _("已超过签到时间（%(to)s）：申请人在本队列已有号码 %(number)s，继续使用该号码，%(order)s。"),
            )
        else:
            message = _to(
                via,
                _("签到成功。您在本队列已有号码 %(number)s，继续使用该号码，%(order)s。"),
                _("签到成功：申请人在本队列已有号码 %(number)s，继续使用该号码，%(order)s。"),
            )
    elif late:
        message = _to(
            via,
            _("您已超过签到时间（%(to)s），已为您取普通号 %(number)s，按到达顺序叫号。"),
            _("已超过签到时间（%(to)s），已取普通号 %(number)s，按到达顺序叫号。"),
        )
    elif given_up is not None:
        message = _to(
            via,
            _("签到成功，您的预约号为 %(number)s，将在 %(time)s 起优先叫号；您之前取的普通号 %(old)s 已作废。"),
            _("签到成功：预约号 %(number)s，%(time)s 起优先叫号；申请人之前取的普通号 %(old)s 已作废。"),
        )
    else:
        message = _to(
            via,
            _("签到成功，您的预约号为 %(number)s，将在 %(time)s 起优先叫号。"),
            _("签到成功：预约号 %(number)s，%(time)s 起优先叫号。"),
        )
    return CheckIn(booking, ticket, late=late, message=message % words)


def _give_up_normal_ticket(booking: Booking, now: dt.datetime) -> Ticket | None:
    """The normal ticket the person holds, still waiting, in the booking's queue, cancelled so
    that the check-in issues the appointment's ticket in its place; None if there is none, or if
    a window called it meanwhile (then it is kept, and the check-in says so)."""
    held = Ticket.objects.filter(
        hall_id=booking.hall_id,
        category_id=booking.category_id,
        id_hash=booking.person_id,
        status=Ticket.Status.WAITING,
        priority="",
    ).first()
    if held is None:
        return None
    try:
        return queue_services.ticket_cancel(ticket=held, now=now)
    except queue_services.QueueError:
        return None


def _limit_guesses(
    *, hall: Hall, booking: Booking | None, digest: str, device: KioskDevice | None, now: dt.datetime
) -> Booking | None:
    """Count and limit the check-ins of anyone but staff that find nothing (issue 9 §3).

    At a registered kiosk, too many failures within minutes stop check-in there for a while
    (429; the window still works). By ID number, too many wrong mobile digits for one booking in
    a day stop check-in by ID number for that booking until the next day: the booking is then
    not found, whatever the digits, which answers exactly as a wrong pair and an unknown ID
    number do, so a lock tells nothing either. Returns the booking to check in, or None."""
    limits = settings.APPOINTMENTS
    counted = CheckInFailure.objects.exclude(reason=CheckInFailure.Reason.DEVICE_LOCKED)

    def failed(reason: str, booking: Booking | None = None) -> None:
        CheckInFailure.objects.create(
            at=now, hall=hall, device=device, booking=booking, by_id_number=bool(digest), reason=reason
        )

    if device is not None:
        minutes = int(limits.get("checkin_device_window_minutes", 10))
        recent = counted.filter(device=device, at__gt=now - dt.timedelta(minutes=minutes)).count()
        if recent >= int(limits.get("checkin_failures_per_device", 10)):
            failed(CheckInFailure.Reason.DEVICE_LOCKED)
            raise BookingError(
                _("本终端签到失败次数过多，请%(minutes)s分钟后再试，或到窗口签到。") % {"minutes": minutes},
                code="device_locked",
                status=429,
            )
    if not digest:
        # A wrong booking code: counted at a kiosk (a code is too long to guess; the public API
        # limits its requests per client address).
        if booking is None and device is not None:
            failed(CheckInFailure.Reason.NOT_FOUND)
        return booking
    today = local_date(now)
    candidate = booking or (
        Booking.objects.filter(hall=hall, date=today, person_id=digest).order_by("slot__starts_at").first()
    )
    if candidate is not None:
        since = dt.datetime.combine(today, dt.time.min, SHANGHAI)
        if counted.filter(booking=candidate, at__gte=since).count() >= int(
            limits.get("checkin_id_failures_per_booking", 5)
        ):
            failed(CheckInFailure.Reason.LOCKED, candidate)
            return None
    if booking is None and (candidate is not None or device is not None):
        failed(CheckInFailure.Reason.WRONG_MOBILE if candidate else CheckInFailure.Reason.NOT_FOUND, candidate)
    return booking


def _not_today(
    *, hall: Hall, code: str, digest: str, via: str, today: dt.date, codes_only: bool = False
) -> BookingError:
    """No booking today at this hall: name the hall and the day of the booking there is (issue
    8). A booking code is the applicant's own, so it is answered anywhere, whatever hall it is
    for; an ID number only at a window, where the clerk holds the card: the public kiosk does not
    tell whoever types a number where or when that person comes (its answer hints at the day)."""
    other = Booking.objects.select_related("slot", "hall")
    if code:
        other = other.filter(code=code)
    elif digest and via == "window":
        # The person's next booking (today at another hall first), else their latest one.
        mine = other.filter(person_id=digest)
        upcoming = mine.filter(date__gte=today, status__in=Booking.ACTIVE).order_by("date", "slot__starts_at")
        other = upcoming if upcoming.exists() else mine.order_by("-date")
    else:
        other = other.none()
    booking = other.first()
    if booking is None and codes_only:
        return BookingError(
            _("没有找到您今天在本大厅的预约，请核对短信中的8位预约码；其他日期的预约请在预约当天签到。"),
            field="code",
            code="not_found",
            status=404,
        )
    if booking is None:
        return BookingError(
            _to(
                via,
                _("没有找到您今天在本大厅的预约，请核对预约码或证件号码；其他日期的预约请在预约当天签到。"),
                _("没有找到该预约码或证件号码今天在本大厅的预约，请核对后重新输入。"),
            ),
            field="code",
            code="not_found",
            status=404,
        )
    when = {
        "hall": booking.hall.display_name,
        "day": date_format(booking.date, "DATE_FORMAT"),
        "start": booking.slot.starts_at.astimezone(SHANGHAI).strftime("%H:%M"),
        "end": booking.slot.ends_at.astimezone(SHANGHAI).strftime("%H:%M"),
        "state": booking.get_status_display(),
    }
    if booking.status == Booking.Status.BOOKED and booking.date > today:
        applicant = _("该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，请在预约当天到该大厅签到。")
        clerk = _(
            "该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，不能在本窗口签到；请告知申请人在预约当天到该大厅签到。"
        )
    elif booking.status == Booking.Status.BOOKED and booking.date == today:  # today, at another hall
        applicant = _("该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，请到该大厅签到。")
        clerk = _("该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，不能在本窗口签到；请引导申请人到该大厅签到。")
    elif booking.status == Booking.Status.BOOKED:
        applicant = _(
            "该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，预约日期已过，不能签到；请现场取号或重新预约。"
        )
        clerk = _("该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，预约日期已过，不能签到；可为申请人现场取号。")
    else:
        applicant = clerk = _("该预约为 %(hall)s %(day)s %(start)s–%(end)s 的预约，当前状态为“%(state)s”，不能签到。")
    return BookingError(
        _to(via, applicant, clerk) % when,
        code="other_hall" if booking.hall_id != hall.pk else "other_day",
        status=409,
    )


# --- No-shows and suspensions ----------------------------------------------------------------


@dataclass
class NoShowResult:
    marked: int
    suspended: int


def _overdue(now: dt.datetime) -> Q | None:
    """Booked and not checked in, the slot ended and its hall's no-show grace passed: one
    condition per grace in use (halls rarely differ), built from the halls that have a booking
    whose slot has ended (None when there is none)."""
    ended = (
        Booking.objects.filter(status=Booking.Status.BOOKED, slot__ends_at__lt=now)
        .order_by()
        .values_list("hall_id", flat=True)
        .distinct()
    )
    halls_by_grace: dict[dt.timedelta, list[int]] = defaultdict(list)
    for hall_id in ended:
        halls_by_grace[rules_for(hall_id).no_show_grace].append(hall_id)
    if not halls_by_grace:
        return None
    condition = Q()
    for grace, hall_ids in sorted(halls_by_grace.items()):
        condition |= Q(hall_id__in=sorted(hall_ids), slot__ends_at__lt=now - grace)
    return condition


def _lock_overdue_bookings(overdue: Q) -> list[tuple[int, str, int]]:
    """Claim the overdue bookings no other run holds, in primary-key order: ``skip_locked`` so
    that two runs never wait for each other, nor both mark the same booking. Only the bookings'
    rows are locked (``of=self``), not their slots."""
    return list(
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(overdue, status=Booking.Status.BOOKED)
        .order_by("pk")
        .values_list("pk", "person_id", "hall_id")
    )


def bookings_mark_no_shows(*, now: dt.datetime | None = None) -> NoShowResult:
    """Bookings not checked in once their slot has ended and the hall's grace passed become
    no-shows; whoever reaches the limit within the window (2 in 30 days) is suspended (90 days)
    and told."""
    now = _now(now)
    overdue_condition = _overdue(now)
    if overdue_condition is None:
        return NoShowResult(0, 0)
    with transaction.atomic():
        overdue = _lock_overdue_bookings(overdue_condition)
        if not overdue:
            return NoShowResult(0, 0)
        marked = Booking.objects.filter(pk__in=[pk for pk, _p, _h in overdue], status=Booking.Status.BOOKED).update(
            status=Booking.Status.NO_SHOW
        )
        suspended = 0
        for person_id, hall_id in sorted({(p, h) for _pk, p, h in overdue}):
            rules = rules_for(hall_id)
            since = local_date(now) - dt.timedelta(days=rules.no_show_window_days)
            count = Booking.objects.filter(person_id=person_id, status=Booking.Status.NO_SHOW, date__gte=since).count()
            if count < rules.no_show_limit:
                continue
            until = now + dt.timedelta(days=rules.suspension_days)
            # Only someone not suspended right now: an ongoing suspension is not extended.
            updated = (
                BookingPerson.objects.filter(pk=person_id)
                .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lt=now))
                .update(
                    suspended_until=until,
                    suspension_reason=_("%(days)s 天内爽约 %(n)s 次") % {"days": rules.no_show_window_days, "n": count},
                    lifted_at=None,
                    lifted_by=None,
                    lift_reason="",
                )
            )
            if updated:
                suspended += 1
                latest = (
                    Booking.objects.filter(person_id=person_id, status=Booking.Status.NO_SHOW)
                    .order_by("-date", "-pk")
                    .first()
                )
                if latest is None:  # cannot happen: ``count`` (at least the limit, 1) were just counted
                    raise RuntimeError(f"person {person_id} suspended for no-shows but has none")
                _schedule([latest], latest.slot, Reminder.Kind.SUSPENDED, now)
    return NoShowResult(marked, suspended)


def suspension_lift(
    *, person: BookingPerson, actor: AnyUser, reason: str, now: dt.datetime | None = None
) -> BookingPerson:
    """A supervisor lifts a suspension (audited)."""
    now = _now(now)
    reason = reason.strip()
    if not reason:
        raise BookingError(_("请填写解除原因。"), field="reason")
    with transaction.atomic():
        person = _lock_person(person.pk)
        if not person.is_suspended(now):
            raise BookingError(_("该预约人当前未被暂停预约。"), code="not_suspended", status=409)
        BookingPerson.objects.filter(pk=person.pk).update(
            suspended_until=None, lifted_at=now, lifted_by=actor, lift_reason=reason[:200]
        )
        person.refresh_from_db()
        audit_record(
            actor=actor,
            action="booking.suspension_lift",
            target=person,
            summary=_("解除预约人 %(person)s 的预约暂停：%(reason)s") % {"person": person.id_masked, "reason": reason},
        )
    return person


# --- Reminders -------------------------------------------------------------------------------


def _schedule(bookings: list[Booking], slot: Slot, kind: str, due: dt.datetime) -> None:
    Reminder.objects.bulk_create(
        [Reminder(booking=b, slot=slot, kind=kind, due_at=due) for b in bookings], ignore_conflicts=True
    )
    _kick_reminders()


def _schedule_for_slot(booking: Booking, slot: Slot, now: dt.datetime, *, confirmation: str) -> None:
    Reminder.objects.bulk_create(
        _reminders_for_slot(booking, slot, now, confirmation=confirmation), ignore_conflicts=True
    )
    _kick_reminders()


def _reminders_for_slot(booking: Booking, slot: Slot, now: dt.datetime, *, confirmation: str) -> list[Reminder]:
    """The confirmation now, and the reminders the day before and an hour before (if ahead)."""
    reminders = [Reminder(booking=booking, slot=slot, kind=confirmation, due_at=now)]
    for kind, before in (
        (Reminder.Kind.DAY_BEFORE, dt.timedelta(days=1)),
        (Reminder.Kind.HOUR_BEFORE, dt.timedelta(hours=1)),
    ):
        due = slot.starts_at - before
        if due > now:
            reminders.append(Reminder(booking=booking, slot=slot, kind=kind, due_at=due))
    return reminders


def _skip_pending(booking: Booking, slot: Slot) -> None:
    Reminder.objects.filter(
        booking=booking,
        slot=slot,
        status=Reminder.Status.PENDING,
        kind__in=(Reminder.Kind.DAY_BEFORE, Reminder.Kind.HOUR_BEFORE),
    ).update(status=Reminder.Status.SKIPPED)


def _kick_reminders() -> None:
    """Once committed, send what is due now without waiting for the next periodic run. Never
    fails the booking that committed: the reminders are rows written in its transaction (they
    are the outbox of notifications), so if the broker cannot be reached the periodic run sends
    them once it is back."""
    outbox.nudge("appointments.tasks.send_due_reminders")


def manage_url(booking: Booking) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("booking-manage", args=[booking.manage_token])


def _assistance_note(booking: Booking) -> str:
    """The confirmation's line about the booking's open request for accompanied or assisted
    handling (陪同办、帮办代办), or nothing."""
    request = booking.assistance
    if request is None or not request.is_open:
        return ""
    return f"已申请{AssistanceRequest.Kind(request.kind).label}：签到后工作人员将协助您。"


def chinese_date(day: dt.date) -> str:
    """``2026年12月1日``: no zero before a month's or a day's single digit (Django's ``Y年n月j日``)."""
    return f"{day.year}年{day.month}月{day.day}日"


def reminder_text(reminder: Reminder) -> tuple[str, str]:
    """(subject, body) of a reminder, in Chinese (the language of the SMS)."""
    booking, slot = reminder.booking, reminder.slot
    rules = rules_for(booking.hall_id)
    when = slot.starts_at.astimezone(SHANGHAI)
    place = f"{booking.hall.name}{booking.category.letter}类（{booking.category.name}）"
    # The date as the portal's pages and printed documents write it ("2026年12月1日"), the time with
    # its hour's zero ("09:00"), as on the slot pickers and the manage page.
    time_text = f"{chinese_date(when)} {when:%H:%M}"
    kinds = Reminder.Kind
    if reminder.kind in (kinds.CONFIRMATION, kinds.RESCHEDULED):
        lead = "预约成功" if reminder.kind == kinds.CONFIRMATION else "改约成功"
        body = (
            f"{lead}：{time_text} {place}，预约码 {booking.code}。请携带身份证件及办事材料，"
            f"于开始前{rules.checkin_before_minutes}分钟至开始后{rules.checkin_after_minutes}分钟内到大厅签到。"
            f"{_assistance_note(booking)}"
            f"查看、取消或改约：{manage_url(booking)}"
        )
    elif reminder.kind == kinds.DAY_BEFORE:
        body = f"温馨提醒：您明天 {when:%H:%M} 预约了{place}，预约码 {booking.code}。如不能前往，请提前取消：{manage_url(booking)}"
    elif reminder.kind == kinds.HOUR_BEFORE:
        body = f"温馨提醒：您预约的{place}将于 {when:%H:%M} 开始，预约码 {booking.code}，请按时签到。"
    elif reminder.kind == kinds.CANCELLATION:
        body = f"您 {time_text} 在{place}的预约（预约码 {booking.code}）已取消。"
    elif reminder.kind == kinds.SLOT_CLOSED:
        body = (
            f"抱歉，{place} {time_text} 的预约时段因“{slot.closed_reason}”关闭。"
            f"请通过以下链接改约其他时间：{manage_url(booking)}"
        )
    elif reminder.kind == kinds.SLOT_REOPENED:
        body = (
            f"因工作日历再次调整，{place} {time_text} 的时段已恢复办理。您原来的预约已在时段关闭时失效，"
            f"如仍需在该时间办理，请通过以下链接改约（名额有限，先到先得）：{manage_url(booking)}"
        )
    else:  # suspended
        body = (
            f"您因多次预约未到（爽约），网上预约已暂停至 "
            f"{chinese_date(booking.person.suspended_until.astimezone(SHANGHAI))}。如有疑问请联系大厅。"
            if booking.person.suspended_until
            else "您的网上预约暂停已解除。"
        )
    return str(Reminder.Kind(reminder.kind).label), "【广州政务服务】" + body


def reminders_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every due reminder once. A reminder is claimed (pending → sending) with a
    conditional update before it is sent, so two workers never both send it; a claim whose
    worker died is retried after the lease under the same idempotency key (``reminder-<id>``),
    which ``notify`` recorded before the first attempt: a message that went out is not sent
    again, and one whose send was cut short is posted again for the gateway to deduplicate (or,
    by a backend that cannot, not sent again and marked failed "in doubt")."""
    now = _now(now)
    lease = dt.timedelta(minutes=int(settings.APPOINTMENTS["reminder_lease_minutes"]))
    due = (
        Reminder.objects.filter(due_at__lte=now)
        .filter(Q(status=Reminder.Status.PENDING) | Q(status=Reminder.Status.SENDING, claimed_at__lt=now - lease))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(reminder_send(reminder_id=pk, now=now) for pk in list(due))


def reminder_send(*, reminder_id: int, now: dt.datetime | None = None) -> bool:
    now = _now(now)
    lease = dt.timedelta(minutes=int(settings.APPOINTMENTS["reminder_lease_minutes"]))
    claimed = (
        Reminder.objects.filter(pk=reminder_id)
        .filter(Q(status=Reminder.Status.PENDING) | Q(status=Reminder.Status.SENDING, claimed_at__lt=now - lease))
        .update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False  # another worker has it, or it went out already
    reminder = Reminder.objects.select_related(
        "booking", "booking__hall", "booking__category", "booking__person", "booking__assistance", "slot"
    ).get(pk=reminder_id)
    if _obsolete(reminder, now):
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(status=Reminder.Status.SKIPPED)
        return False
    try:
        subject, body = reminder_text(reminder)
        delivery = notify(
            recipients=[reminder.booking.mobile],
            subject=subject,
            body=body,
            data={
                "idempotency_key": f"reminder-{reminder.pk}",
                "booking": reminder.booking.code,
                "kind": reminder.kind,
            },
        )
    except Exception as exc:  # noqa: BLE001 - any backend failure: retry later, up to 5 attempts
        failed = reminder.attempts >= 5
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.FAILED if failed else Reminder.Status.PENDING,
            last_error=str(exc)[:300],
            due_at=now + dt.timedelta(minutes=2 * reminder.attempts),
        )
        return False
    if delivery == Delivery.IN_DOUBT:
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.FAILED,
            last_error="an earlier attempt was cut short and may have gone out: not sent again (at most once)",
        )
        return False
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SENT, sent_at=now
    )
    return delivery == Delivery.SENT


def _obsolete(reminder: Reminder, now: dt.datetime) -> bool:
    """A reminder about a slot the booking has left, or a time already past, is not sent."""
    booking = reminder.booking
    if reminder.kind in (Reminder.Kind.DAY_BEFORE, Reminder.Kind.HOUR_BEFORE):
        return (
            booking.status != Booking.Status.BOOKED
            or booking.slot_id != reminder.slot_id
            or reminder.slot.starts_at <= now
        )
    if reminder.kind == Reminder.Kind.SLOT_REOPENED:
        # Moved or cancelled meanwhile, the slot closed again or already begun: nothing to offer.
        return (
            booking.status != Booking.Status.DISPLACED
            or booking.slot_id != reminder.slot_id
            or reminder.slot.is_closed
            or reminder.slot.starts_at <= now
        )
    return False


# --- Find my bookings ------------------------------------------------------------------------

LOOKUP_CODE_MINUTES = 10  # a code is valid this long ...
LOOKUP_CODE_ATTEMPTS = 5  # ... for this many tries
LOOKUP_VERIFIED_MINUTES = 30  # a confirmed lookup lists the bookings this long
LOOKUP_KEPT = dt.timedelta(days=1)  # lookups (with their mobile number) are deleted after this


def _lookup_code_hash(token: str, code: str) -> str:
    """The code keyed by the secret key and salted with the lookup's own token: a stolen table
    alone does not give the codes back."""
    return salted_hmac("appointments.BookingLookup.code", f"{token}:{code}", algorithm="sha256").hexdigest()


def booking_lookup_start(
    *, id_number: str, mobile: str, client_ip: str = "", now: dt.datetime | None = None
) -> BookingLookup:
    """Begin finding someone's bookings by ID and mobile number (找回预约).

    Everything here is the same whether or not they have bookings, so that neither the answer
    nor its timing says which: the numbers are checked, counted against the rate limits (per
    client address and per mobile number), a lookup is written, and a task is queued that draws
    and sends a code only if there is something to find (``booking_lookup_send_code``)."""
    now = _now(now)
    # Both numbers checked, and both named in one refusal (walkthrough: one error at a time).
    errors: dict[str, list[str]] = {}
    try:
        number = validate_id_number(id_number, today=local_date(now))
    except ValidationError as exc:
        errors["id_number"] = [exc.messages[0]]
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = [exc.messages[0]]
    if errors:
        raise BookingError.for_fields(errors)
    _rate_limit(
        *([(f"booking-lookup-ip:{client_ip}", settings.THROTTLE_BOOKING_LOOKUP_IP)] if client_ip else []),
        (f"booking-lookup-mobile:{id_digest(mobile)}", settings.THROTTLE_BOOKING_LOOKUP_MOBILE),
    )
    if shared_cache.degraded():
        # Without Redis each web process counts on its own; codes cost an SMS to someone's
        # phone, so their limit per mobile number is counted in the database instead.
        limit, period = parse_rate(settings.THROTTLE_BOOKING_LOOKUP_MOBILE)
        since = now - dt.timedelta(seconds=period)
        if BookingLookup.objects.filter(mobile=mobile, created_at__gt=since).count() >= limit:
            raise BookingError(
                _("操作过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, period // 60)},
                code="rate_limited",
                status=429,
            )
    with transaction.atomic():
        BookingLookup.objects.filter(created_at__lt=now - LOOKUP_KEPT).delete()
        lookup = BookingLookup.objects.create(
            token=secrets.token_urlsafe(32),
            id_hash=id_digest(number),
            mobile=mobile,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=LOOKUP_CODE_MINUTES),
        )
        # In the outbox: sent once committed, or when the broker is back if it is away.
        outbox.enqueue("appointments.tasks.send_lookup_code", lookup.pk)
    return lookup


def booking_lookup_send_code(*, lookup_id: int, now: dt.datetime | None = None) -> bool:
    """Draw a six-digit code, keep its hash and send it to the lookup's mobile number, if the
    ID and mobile number have bookings to show; otherwise nothing (no code matches an empty
    hash). At most once: the code is claimed by a conditional update before it is sent, and a
    failed send is undone so that the task's retry draws a new one."""
    now = _now(now)
    lookup = BookingLookup.objects.filter(pk=lookup_id, sent_at__isnull=True, expires_at__gt=now).first()
    if lookup is None:
        return False
    if not selectors.has_found_bookings(id_hash=lookup.id_hash, mobile=lookup.mobile, today=local_date(now)):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    claimed = BookingLookup.objects.filter(pk=lookup.pk, sent_at__isnull=True).update(
        sent_at=now, code_hash=_lookup_code_hash(lookup.token, code)
    )
    if not claimed:
        return False
    try:
        notify(
            recipients=[lookup.mobile],
            subject="预约查询验证码",
            body=(
                f"【广州政务服务】您正在查询网上预约，验证码 {code}，{LOOKUP_CODE_MINUTES}分钟内有效。"
                "请勿告诉他人；如非本人操作，请忽略本短信。"
            ),
            # One key per code drawn: a retry draws a new code, which a gateway that got the
            # first one (and timed out answering) must not drop as a repeat.
            data={"idempotency_key": f"booking-lookup-{lookup.pk}-{secrets.token_hex(4)}"},
        )
    except Exception:
        BookingLookup.objects.filter(pk=lookup.pk).update(sent_at=None, code_hash="")
        raise
    return True


def booking_lookup_verify(*, token: str, code: str, now: dt.datetime | None = None) -> BookingLookup:
    """Check the code typed for the lookup ``token`` (the session's): at most
    ``LOOKUP_CODE_ATTEMPTS`` tries, each counted by a conditional update before the comparison,
    within ``LOOKUP_CODE_MINUTES``. A lookup with nothing to find refuses every code exactly as a
    wrong one is refused."""
    now = _now(now)
    code = code.strip()
    if not token or not BookingLookup.objects.filter(token=token).exists():
        raise BookingError(_("请先填写身份证号码和手机号码，获取验证码。"), code="no_lookup")
    if len(code) != 6 or not code.isdigit():
        raise BookingError(_("请输入短信中的6位数字验证码。"), field="code")
    counted = BookingLookup.objects.filter(
        token=token, verified_at__isnull=True, attempts__lt=LOOKUP_CODE_ATTEMPTS, expires_at__gt=now
    ).update(attempts=F("attempts") + 1)
    lookup = BookingLookup.objects.get(token=token)
    if lookup.verified_at is not None:
        return lookup  # confirmed already (a second tab, a resubmitted form)
    if not counted and lookup.expires_at <= now:
        raise BookingError(_("验证码已过期，请重新获取。"), field="code", code="expired", status=410)
    if not counted:
        raise BookingError(_("验证码错误次数过多，请重新获取。"), field="code", code="too_many_attempts", status=429)
    if lookup.code_hash and constant_time_compare(lookup.code_hash, _lookup_code_hash(token, code)):
        BookingLookup.objects.filter(pk=lookup.pk, verified_at__isnull=True).update(verified_at=now)
        lookup.verified_at = now
        return lookup
    left = LOOKUP_CODE_ATTEMPTS - lookup.attempts
    if left <= 0:
        raise BookingError(
            _("验证码不正确，错误次数已达上限，请重新获取。"), field="code", code="too_many_attempts", status=429
        )
    raise BookingError(_("验证码不正确，还可以再试 %(n)s 次。") % {"n": left}, field="code")
