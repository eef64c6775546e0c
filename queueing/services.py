"""Every write to the queues: issuing tickets, the window actions, windows signing in and out.

Each service is one transaction. Races are settled by the database: the daily number by one
atomic upsert, the next ticket by ``SELECT … FOR UPDATE SKIP LOCKED``, every transition by a
conditional ``UPDATE … WHERE status = <expected>`` (a lost race changes nothing and says so), and
the partial unique constraints on ``Ticket`` and ``Window``. Every row lock is taken in one of
the ``_lock_*`` helpers, inside the service's transaction. After commit the hall's snapshot
is rebuilt (``queueing.snapshot``), so boards and phones see the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Field, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog import selectors as catalog_selectors
from catalog.hours import DayHours, hours_on
from catalog.models import Hall
from queueing import hooks, selectors, snapshot
from queueing.config import hall_config, hall_config_by_id
from queueing.models import (
    AssistanceRequest,
    BoardMessage,
    KioskDevice,
    QueueCategory,
    Ticket,
    TicketEvent,
    TicketSequence,
    WaitAlert,
    Window,
)
from servicehall import sessions
from servicehall.access import AnyUser, signed_in, signed_in_or_none, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date, local_now
from servicehall.errors import DomainError
from servicehall.memo import memoised
from servicehall.personal_data import birth_date_from_id_number, id_digest, mask_id_number, validate_id_number
from servicehall.prepared import Statement
from servicehall.roles import ALL_ROLES, COUNTER_ROLES


class QueueError(DomainError):
    pass


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def age_on(id_number: str, day: dt.date) -> int | None:
    birth = birth_date_from_id_number(id_number)
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- Issuing ---------------------------------------------------------------------------------
# A ticket's number is its queue's letter and the day's sequence (A001, A002…). On PostgreSQL
# the sequence is drawn by the statement that inserts the ticket: each queue has a database
# sequence of its own (``nextval`` takes no row lock and never waits for another issue), and its
# row in ``TicketSequence`` holds, per day, the sequence's value before that day's first number
# (``number_offset``): the day's number is ``nextval - number_offset``. A process reads the offset
# once per queue and day and remembers it, so an issue is one statement, one round trip (issue
# 14: the number used to be drawn by a statement of its own, a round trip and a commit more).
# Elsewhere (SQLite) the row's ``last`` is the counter, advanced by one atomic upsert.
#
# Numbers stay unique whatever happens to the sequence or the offsets: the ticket's unique
# constraint (hall, day, number) refuses a number taken, and the issue then reads the offset
# again, corrected against the day's tickets (``_OFFSET_SQL``). Gaps are possible (a number
# drawn by an issue that failed is skipped, never reused), as they were with the counter.

# SQLite's counter, which follows the day's tickets as PostgreSQL's offset does: the next number
# is above the highest of the queue's letter among the day's tickets (another path's, the demo's),
# and above the counter's own last.
_SEQUENCE_SQL = """
INSERT INTO queueing_ticketsequence (hall_id, category_id, service_date, last)
SELECT %s, %s, %s, COALESCE(MAX(sequence), 0) + 1 FROM queueing_ticket
WHERE hall_id = %s AND service_date = %s AND number GLOB '*' || %s || '[0-9]*'
ON CONFLICT (hall_id, category_id, service_date)
DO UPDATE SET last = MAX(queueing_ticketsequence.last + 1, excluded.last)
RETURNING last
"""

# The offset of a queue's day: the sequence's current value (read, not drawn) less the highest
# number of the queue's letter among the day's tickets (the numbers the unique constraint guards;
# a ticket transferred in keeps another letter's number), so that the next value drawn follows
# the highest number taken. A row that exists keeps its offset unless that offset would hand out
# a number taken (the lower offset wins): a sequence's value less the numbers committed only
# grows while the row's offset holds, so every process draws from the same offset, and one that
# remembers a wrong one meets the unique constraint and reads it here again. ``{sequence}``: the
# queue's sequence (``number_sequence``, a name made from the queue's id only).
_OFFSET_SQL = """
WITH current AS (SELECT last_value - (NOT is_called)::int AS value FROM "{sequence}"),
taken AS (
  SELECT COALESCE(max(sequence), 0) AS highest FROM queueing_ticket
  WHERE hall_id = %s AND service_date = %s AND substring(number from '([A-Z])[0-9]+$') = %s
)
INSERT INTO queueing_ticketsequence (hall_id, category_id, service_date, last, number_offset)
SELECT %s, %s, %s, 0, current.value - taken.highest FROM current, taken
ON CONFLICT (hall_id, category_id, service_date)
DO UPDATE SET number_offset = LEAST(queueing_ticketsequence.number_offset, EXCLUDED.number_offset)
RETURNING number_offset
"""

# Offsets read by this process, by (queue, day): a queue's offset does not change during its day
# unless a number turned out taken (then it is read again). Only offsets that have committed are
# remembered: one read inside a caller's transaction may yet be rolled back.
_number_offsets: dict[tuple[int, dt.date], int] = {}
_NUMBER_OFFSETS_KEPT = 4096


def forget_number_offsets() -> None:
    """Forget the offsets this process remembers (tests: each starts from an empty database)."""
    _number_offsets.clear()


def number_sequence(category_id: int) -> str:
    """The name of queue ``category_id``'s database sequence (PostgreSQL)."""
    return f"queueing_ticket_number_{int(category_id)}"


def drop_number_sequence(sender: Any, instance: QueueCategory, **kwargs: Any) -> None:
    """A deleted queue's sequence goes with it (``post_delete`` of ``QueueCategory``), in the
    delete's own transaction: PostgreSQL undoes the drop if the delete is rolled back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The name is made from the queue's id (an integer) only.
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{number_sequence(instance.pk)}"')


def _number_offset(*, hall_id: int, category_id: int, letter: str, day: dt.date) -> int:
    """Queue ``category_id``'s offset on ``day`` (see ``_OFFSET_SQL``), its sequence made first
    if it has none yet (a new queue); remembered when it has committed."""
    assert TicketSequence._meta.db_table == "queueing_ticketsequence" and Ticket._meta.db_table == "queueing_ticket"
    remember = not connection.in_atomic_block
    name = number_sequence(category_id)
    for attempt in range(2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is None:
                    # The name is made from the queue's id (an integer) only.
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
                cursor.execute(_OFFSET_SQL.format(sequence=name), [hall_id, day, letter, hall_id, category_id, day])
                offset = cursor.fetchone()[0]
            break
        except IntegrityError:
            # Two processes made the same new queue's sequence at once: it exists now.
            if attempt:
                raise
    if remember:
        if len(_number_offsets) >= _NUMBER_OFFSETS_KEPT:
            _number_offsets.clear()
        _number_offsets[(category_id, day)] = offset
    return offset


def _draw_sequence(*, hall_id: int, category_id: int, letter: str, day: dt.date) -> int:
    """The next number of a category's day where the ticket's insert does not draw it (SQLite):
    one atomic upsert, so concurrent issues can neither read the same value nor race to create
    the row."""
    assert TicketSequence._meta.db_table == "queueing_ticketsequence"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SEQUENCE_SQL, [hall_id, category_id, day, hall_id, day, letter])
        return cursor.fetchone()[0]


def number_prefix(*, letter: str, priority: str) -> str:
    """What a number has before its digits: ``A``; ``VA`` for the green channel; ``YA`` for a
    checked-in appointment."""
    prefix = "Y" if priority == Ticket.Priority.APPOINTMENT else ("V" if priority in Ticket.GREEN_CHANNEL else "")
    return f"{prefix}{letter}"


def ticket_number(*, letter: str, sequence: int, priority: str) -> str:
    """``A012``; ``VA003`` for the green channel; ``YA004`` for a checked-in appointment."""
    return _numbered(number_prefix(letter=letter, priority=priority), sequence)


def _numbered(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:03d}"


# What an issue checks and sets on every ticket, looked up once per process.
_SOURCES = frozenset(Ticket.Source.values)
_PRIORITIES = frozenset(Ticket.Priority.values)
_HALL_FIELD = Ticket._meta.get_field("hall")
_CATEGORY_FIELD = Ticket._meta.get_field("category")


@dataclass(frozen=True)
class IssueResult:
    ticket: Ticket
    existing: bool  # the person already had a ticket in this queue: it is shown instead


def hours_today(hall: Hall, day: dt.date, *, calendar_version: Any = catalog_selectors.UNREAD) -> DayHours | None:
    """The hall's hours on ``day`` (remembered for half a minute: every ticket asks), under the
    working calendar's version: a day a correction makes a holiday (or a working day) has other
    hours at once, in every process. ``calendar_version``: as read already with a rate limit."""
    version = catalog_selectors.calendar_version(calendar_version)
    return memoised(("hours", hall.pk, day, version), lambda: catalog_selectors.hall_hours(hall=hall, day=day))


@dataclass(frozen=True)
class HallClosed:
    """The hall is outside its walk-in hours now; ``next_opening`` is when it opens next (None
    when no hours are published within the look-ahead)."""

    next_opening: dt.datetime | None

    def when(self) -> str:
        return local_now(self.next_opening).strftime("%Y-%m-%d %H:%M") if self.next_opening is not None else ""


def hall_closed_now(
    hall: Hall, now: dt.datetime, *, calendar_version: Any = catalog_selectors.UNREAD
) -> HallClosed | None:
    """None while ``hall`` is within its walk-in hours (extended hours included), otherwise when
    it opens next. The hours lookups ticket issue uses."""
    hours = hours_today(hall, local_date(now), calendar_version=calendar_version)
    if hours is not None and hours.is_open_at(now):
        return None
    upcoming = catalog_selectors.hall_next_opening(hall=hall, after=now)
    if upcoming is not None and upcoming <= now:
        # The remembered hours are older than an administrator's change: the hall is open now.
        return None
    return HallClosed(upcoming)


def hall_closed_at(hall: Hall, now: dt.datetime) -> dt.datetime | None:
    """When ``hall`` closed today (its extended hours included) if that is past, else None (open
    still, or a day without walk-in hours). After closing nobody can take a ticket, the tickets
    still waiting expire at the next run of the closing job, and the windows with nobody at the
    counter close; whoever is at a counter is served (Art. 10 ¶2)."""
    hours = hours_today(hall, local_date(now))
    return hours.closes if hours is not None and now >= hours.closes else None


@dataclass(frozen=True)
class ServicePause:
    """A hall open today that serves no walk-in at ``now`` for a while: before its opening
    ("before_opening": nobody can take a ticket yet) or in its lunch break ("lunch_break": the
    windows stop calling; tickets can still be taken and do not expire, Art. 10). The closing job
    does nothing at either (``tickets_expire``, ``windows_close_after_hours``: only at the day's
    closing), so the console says it instead: ``since`` → ``until``."""

    kind: str
    since: dt.datetime | None
    until: dt.datetime


def service_pause(hours: DayHours | None, now: dt.datetime) -> ServicePause | None:
    """The pause of a day with walk-in ``hours`` at ``now`` (None while serving, after closing
    and on a day without walk-in hours)."""
    if hours is None:
        return None
    if now < hours.opens:
        return ServicePause("before_opening", None, hours.opens)
    lunch = hours.lunch_break
    if lunch is not None and lunch[0] <= now < lunch[1]:
        return ServicePause("lunch_break", lunch[0], lunch[1])
    return None


def hours_change_at(hours: DayHours | None, now: dt.datetime) -> dt.datetime | None:
    """The next moment of the day after ``now`` when the hall opens, stops for lunch, starts again
    or closes: what the console says about the hours (``service_pause``, ``hall_closed_at``)
    changes then."""
    if hours is None:
        return None
    moments = [hours.opens, *(hours.lunch_break or ()), hours.closes]
    return min((moment for moment in moments if moment > now), default=None)


def next_opening_after(hall: Hall, closed: dt.datetime) -> dt.datetime | None:
    """When ``hall``, closed at ``closed``, opens next (remembered for half a minute: every
    console of the hall asks after closing)."""
    return memoised(
        ("next_opening", hall.pk, closed), lambda: catalog_selectors.hall_next_opening(hall=hall, after=closed)
    )


def after_closing_note(hall: Hall, now: dt.datetime, *, action: str) -> str:
    """What a clerk is told with the outcome of a call or a finish (``action``) after the hall
    closed ("" before): calling goes on for the people who took a ticket before closing and are
    still in the hall (延时服务, Art. 10 ¶2); the window closes once nobody is at its counter."""
    if hall_closed_at(hall, now) is None:
        return ""
    if action == "call":
        return _("大厅已闭厅：叫号仅为闭厅前已取号、仍在大厅的群众延时办理。")
    return _("大厅已闭厅：本窗口无号码在办时，闭厅作业将在几分钟内自动关闭窗口并为您签退；您也可以现在签退。")


def hall_closed_warning(hall: Hall, now: dt.datetime) -> str:
    """What a clerk at a window of ``hall`` is told outside its hours ("" while it is open)."""
    closed = hall_closed_now(hall, now)
    if closed is None:
        return ""
    if closed.next_opening is None:
        return _("%(hall)s现在不在办公时间，群众暂不能取号。") % {"hall": hall.display_name}
    return _("%(hall)s现在不在办公时间，群众暂不能取号。下次开放时间：%(when)s。") % {
        "hall": hall.display_name,
        "when": closed.when(),
    }


def _check_open(hall: Hall, now: dt.datetime, *, calendar_version: Any = catalog_selectors.UNREAD) -> None:
    closed = hall_closed_now(hall, now, calendar_version=calendar_version)
    if closed is None:
        return
    if closed.next_opening is None:
        message = _("%(hall)s现在不在办公时间，暂不能取号。") % {"hall": hall.display_name}
    else:
        message = _("%(hall)s现在不在办公时间，暂不能取号。下次开放时间：%(when)s。") % {
            "hall": hall.display_name,
            "when": closed.when(),
        }
    raise QueueError(message, code="hall_closed", status=409)


def issue_checked(
    *,
    hall: Hall,
    category: QueueCategory,
    source: str,
    id_number: str = "",
    priority: str = "",
    person: tuple[str, str] | None = None,
    now: dt.datetime,
) -> tuple[str, str, str]:
    """What ``ticket_issue`` checks of its inputs before anything else (the hall's hours and the
    person's ticket already waiting come after): a ``QueueError`` naming every wrong field, or
    the person's (digest, masked ID number) and the priority the ticket gets (a person of the
    green channel's age gets it from the ID number). The kiosk and the online form ask it before
    warning that no window serves the queue, so that a wrong ID number is said at once."""
    # Every independent input is checked, and named in one refusal, before whether the hall is
    # open: a request refused as "closed" is otherwise valid, so the person does not learn of a
    # wrong ID number only the next day (walkthrough finding 3).
    errors: dict[str, list[str]] = {}
    if category.hall_id != hall.pk or not category.is_active:
        errors["category"] = [_("该排队类别不属于本大厅或已停用。")]
    return _person_checked(
        hall=hall, source=source, id_number=id_number, priority=priority, person=person, now=now, errors=errors
    )


def issue_person_checked(
    *, hall: Hall, source: str, id_number: str, priority: str = "", now: dt.datetime
) -> tuple[str, str, str]:
    """``issue_checked`` of the person's inputs alone, before a queue is chosen: the kiosk reads
    an ID number (a card reader's Enter) and shows the green channel the ticket will get."""
    return _person_checked(
        hall=hall, source=source, id_number=id_number, priority=priority, person=None, now=now, errors={}
    )


def _person_checked(
    *,
    hall: Hall,
    source: str,
    id_number: str,
    priority: str,
    person: tuple[str, str] | None,
    now: dt.datetime,
    errors: dict[str, list[str]],
) -> tuple[str, str, str]:
    if source not in _SOURCES:
        errors["source"] = [_("无效的取号来源。")]
    if priority not in _PRIORITIES:
        errors["priority"] = [_("无效的优先类别。")]
    elif priority == Ticket.Priority.STAFF_GRANTED and source != Ticket.Source.STAFF:
        errors["priority"] = [_("“工作人员认定”的绿色通道只能由窗口工作人员办理。")]
    today = local_date(now)
    digest = masked = number = ""
    if person is not None:
        # A caller that knows the person only by digest (an appointment's check-in).
        digest, masked = person
    elif id_number.strip():
        try:
            number = validate_id_number(id_number, today=today)
        except ValidationError as exc:
            errors["id_number"] = [exc.messages[0]]
        else:
            digest, masked = id_digest(number), mask_id_number(number)
    elif priority in Ticket.GREEN_CHANNEL and "priority" not in errors:
        errors["id_number"] = [_("绿色通道取号须填写身份证号码。")]
    if errors:
        raise QueueError.for_fields(errors)
    # The green channel's age is the hall's (a category has no age of its own).
    config = hall_config(hall)
    if number:
        age = age_on(number, today) or 0
        if priority == Ticket.Priority.ELDERLY and age < config.green_channel_age:
            raise QueueError(
                _("老年人绿色通道适用于%(age)s周岁及以上的申请人。") % {"age": config.green_channel_age},
                field="priority",
            )
        if not priority and age >= config.green_channel_age:
            priority = Ticket.Priority.ELDERLY
    return digest, masked, priority


def ticket_issue(
    *,
    hall: Hall,
    category: QueueCategory,
    source: str,
    id_number: str = "",
    priority: str = "",
    not_before: dt.datetime | None = None,
    staff: AnyUser | None = None,
    now: dt.datetime | None = None,
    person: tuple[str, str] | None = None,
    require_open: bool = True,
    calendar_version: Any = catalog_selectors.UNREAD,
) -> IssueResult:
    """Take a ticket. The green channel needs an ID number; 60 and over (by default, per hall) is
    recognised from it. A person with a ticket already waiting in this queue gets that one.

    ``person`` (digest, masked number) replaces ``id_number`` for callers that never saw the
    number; ``require_open=False`` is for an appointment's check-in, whose slot (extended hours,
    weekend staggered service) is itself the proof that the hall serves then.
    ``calendar_version``: the working calendar's version, when read with the rate limit."""
    now = _now(now)
    digest, masked, priority = issue_checked(
        hall=hall, category=category, source=source, id_number=id_number, priority=priority, person=person, now=now
    )
    if require_open:
        _check_open(hall, now, calendar_version=calendar_version)

    if digest:
        existing = _active_ticket(hall=hall, category=category, digest=digest)
        if existing is not None:
            return IssueResult(existing, existing=True)

    issuer = signed_in_or_none(staff)
    staff_id = issuer.pk if issuer is not None else None
    prefix = number_prefix(letter=category.letter, priority=priority)
    values = {
        "hall_id": hall.pk,
        "category_id": category.pk,
        "service_date": local_date(now),
        "source": source,
        "priority": priority,
        "id_hash": digest,
        "id_masked": masked,
        "issued_at": now,
        "arrived_at": now,
        "not_before": not_before,
        "staff_id": staff_id,
    }
    issued = {
        "kind": TicketEvent.Kind.ISSUED,
        "at": now,
        "staff_id": staff_id,
        "data": {"source": source, "priority": priority},
    }
    ticket: Ticket | None = None
    for attempt in range(3):
        values["token"] = secrets.token_urlsafe(18)  # a new one each attempt, as a new ticket
        try:
            ticket = _insert_numbered(values, issued, letter=category.letter, prefix=prefix, recheck=attempt > 0)
        except IntegrityError:
            # The same person pressed twice at once: the other request's ticket stands (the
            # number drawn here is skipped, never reused).
            existing = _active_ticket(hall=hall, category=category, digest=digest) if digest else None
            if existing is not None:
                return IssueResult(existing, existing=True)
            # Otherwise the number was taken (an offset or a counter out of step with the
            # tickets): the unique constraint caught it; the next attempt draws another, its
            # offset read again.
            if attempt == 2:
                raise
        if ticket is not None:
            break
    if ticket is None:  # the offset gave no number above zero three times
        raise IntegrityError("no ticket number could be drawn")
    _HALL_FIELD.set_cached_value(ticket, hall)
    _CATEGORY_FIELD.set_cached_value(ticket, category)
    snapshot.refresh_on_commit(hall.pk, coalesced=True)
    return IssueResult(ticket, existing=False)


def _insert_numbered(
    values: dict[str, Any], event: dict[str, Any], *, letter: str, prefix: str, recheck: bool
) -> Ticket | None:
    """Number and save a new ticket (``values``: its fields by attribute name but its sequence
    and number, the rest take their defaults) and its first event (``event``, likewise; its
    ticket is the new one) together: the saved ticket, or None when the queue's offset gave no
    number above zero (read it again). ``recheck``: read the queue's offset again rather than
    the one remembered.

    On PostgreSQL one statement draws the number, inserts the ticket and inserts the event from
    the ticket's ``RETURNING``, so the two rows commit as one and an issue is one round trip
    (issue 14). Its parameters are computed from the values directly, and the ticket built from
    its row as a queryset builds one, without the model's keyword constructor or field-by-field
    conversions where the value already is what the driver sends (a third of an issue's Python
    time). Inside a caller's transaction the statement runs in a savepoint, as
    ``Ticket.objects.create`` would, so that an IntegrityError leaves the caller's transaction
    usable. Elsewhere (SQLite) the counter's upsert and the ORM's two inserts."""
    if connection.vendor != "postgresql":
        sequence = _draw_sequence(
            hall_id=values["hall_id"], category_id=values["category_id"], letter=letter, day=values["service_date"]
        )
        ticket = _built(Ticket, None, {**values, "sequence": sequence, "number": _numbered(prefix, sequence)})
        with transaction.atomic():
            ticket.save(force_insert=True)
            TicketEvent.objects.create(ticket=ticket, **event)
        return ticket
    category_id, day = values["category_id"], values["service_date"]
    offset = None if recheck else _number_offsets.get((category_id, day))
    if offset is None:
        offset = _number_offset(hall_id=values["hall_id"], category_id=category_id, letter=letter, day=day)
    statement = _issue_statement()
    ticket_columns, event_columns = _issue_columns()
    params: list[Any] = [number_sequence(category_id), offset]
    for column in ticket_columns:
        if column.attname == "number":
            params.append(prefix)
        elif column.attname != "sequence":
            params.append(column.sent(column.value(values)))
    params += _column_values(event_columns, event, prepare=True)
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, sequence = row
    numbered = {**values, "sequence": sequence, "number": _numbered(prefix, sequence)}
    return _built(Ticket, pk, numbered, db=connection.alias)


@dataclass(frozen=True)
class _Column:
    """A column of a model as ``_insert_numbered`` fills it, worked out once per process: its
    field, its default when that is a constant (``_CALLED`` when it is made anew each time, such
    as a JSON field's ``dict``), and how a value is sent to PostgreSQL — as it is (text, numbers,
    booleans, foreign keys' ids; a date, an aware time or nothing in a date or time column,
    which PostgreSQL's adapters pass through unchanged), or through the field's own conversion
    (JSON, anything else)."""

    attname: str
    field: Field
    kind: str  # "as_is", "date", "datetime" or "convert"
    default: Any

    def value(self, values: dict[str, Any]) -> Any:
        """Its value in ``values``, else its default."""
        if self.attname in values:
            return values[self.attname]
        return self.field.get_default() if self.default is _CALLED else self.default

    def sent(self, value: Any) -> Any:
        """``value`` as PostgreSQL is sent it (``Field.get_db_prep_save`` where it is needed)."""
        if self.kind == "as_is":
            return value
        if self.kind == "datetime" and (value is None or (isinstance(value, dt.datetime) and value.tzinfo is not None)):
            return value
        if self.kind == "date" and (value is None or type(value) is dt.date):
            return value
        return self.field.get_db_prep_save(value, connection)


_CALLED = object()
_columns_known: dict[type[models.Model], list[_Column]] = {}


def _columns(model: type[models.Model]) -> list[_Column]:
    """Every concrete column of ``model``, in the order a row of it is built."""
    known = _columns_known.get(model)
    if known is None:
        known = _columns_known[model] = [
            _Column(f.attname, f, _column_kind(f), _CALLED if callable(f.default) else f.get_default())
            for f in model._meta.concrete_fields
        ]
    return known


def _column_kind(f: Field) -> str:
    if isinstance(f, models.CharField | models.IntegerField | models.BooleanField | models.ForeignKey):
        return "as_is"
    if isinstance(f, models.DateTimeField):  # before DateField, its parent
        return "datetime"
    return "date" if isinstance(f, models.DateField) else "convert"


def _insert_columns(model: type[models.Model]) -> list[_Column]:
    """The columns an INSERT of ``model`` sends (``_insert_fields``), in its order."""
    inserted = {f.attname for f in _insert_fields(model)}
    return [c for c in _columns(model) if c.attname in inserted]


def _column_values(columns: list[_Column], values: dict[str, Any], *, prepare: bool = False) -> list[Any]:
    """The value of each column, from ``values`` or its default; with ``prepare``, as
    PostgreSQL is sent it."""
    if prepare:
        return [column.sent(column.value(values)) for column in columns]
    return [column.value(values) for column in columns]


def _built(model: type[models.Model], pk: Any, values: dict[str, Any], *, db: str | None = None) -> Any:
    """The instance of ``model`` with primary key ``pk`` and ``values`` (the rest its fields'
    defaults), made as a queryset makes the rows it reads (positional, no keyword handling);
    saved already when ``db`` is given."""
    columns = _columns(model)
    row = [pk if column.field.primary_key else column.value(values) for column in columns]
    if db is not None:
        return model.from_db(db, [column.attname for column in columns], row)
    return model(*row)


_issue_columns_known: list[tuple[list[_Column], list[_Column]]] = []


def _issue_columns() -> tuple[list[_Column], list[_Column]]:
    """The ticket's columns and its event's (but the ticket's id, which the statement takes from
    the new ticket) that ``_insert_numbered`` sends."""
    if not _issue_columns_known:
        event = [c for c in _insert_columns(TicketEvent) if c.attname != "ticket_id"]
        _issue_columns_known.append((_insert_columns(Ticket), event))
    return _issue_columns_known[0]


def _insert_fields(model: type[models.Model]) -> list[Field]:
    return [f for f in model._meta.local_concrete_fields if not f.primary_key and not f.generated]


# The statement of ``_insert_numbered`` on PostgreSQL, per database alias: its text depends only
# on the models, so it is built once per process, and it is prepared once per connection
# (servicehall/prepared.py). The number: the sequence's next value less the day's offset (a
# ticket is inserted only when that is above zero), after the prefix, with at least three digits.
_issue_statements: dict[str, Statement] = {}


def _issue_statement() -> Statement:
    known = _issue_statements.get(connection.alias)
    if known is not None:
        return known
    qn = connection.ops.quote_name
    ticket_columns, ticket_values = [], []
    for f in _insert_fields(Ticket):
        ticket_columns.append(qn(str(f.column)))
        if f.attname == "sequence":
            ticket_values.append("n.s")
        elif f.attname == "number":
            ticket_values.append("%s || lpad(n.s::text, greatest(3, length(n.s::text)), '0')")
        else:
            ticket_values.append("%s")
    event_columns, event_values = [], []
    for f in _insert_fields(TicketEvent):
        event_columns.append(qn(str(f.column)))
        event_values.append("t.id" if f.name == "ticket" else "%s")
    sequence = qn(str(Ticket._meta.get_field("sequence").column))
    # Table and column names from the models, values as parameters.
    ticket_table, event_table = qn(Ticket._meta.db_table), qn(TicketEvent._meta.db_table)
    insert_ticket = f"INSERT INTO {ticket_table} ({', '.join(ticket_columns)}) SELECT {', '.join(ticket_values)}"  # noqa: S608
    insert_event = f"INSERT INTO {event_table} ({', '.join(event_columns)}) SELECT {', '.join(event_values)}"  # noqa: S608
    drawn = "n AS (SELECT nextval(%s::regclass) - %s AS s)"
    inserted = f"t AS ({insert_ticket} FROM n WHERE n.s > 0 RETURNING id, {sequence})"
    statement = f"WITH {drawn}, {inserted}, e AS ({insert_event} FROM t) SELECT id, {sequence} FROM t"  # noqa: S608
    prepared = _issue_statements[connection.alias] = Statement("sh_ticket_issue", statement)
    return prepared


def _active_ticket(*, hall: Hall, category: QueueCategory, digest: str) -> Ticket | None:
    return Ticket.objects.filter(hall=hall, category=category, id_hash=digest, status__in=Ticket.ACTIVE).first()


def _event(
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    *,
    window: Window | None = None,
    staff: AnyUser | None = None,
    reason: str = "",
    data: dict | None = None,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at,
        window=window,
        staff=signed_in_or_none(staff),
        reason=reason[:200],
        data=data or {},
    )


# The staff's queue actions the audit trail names (等保三级: who, what, when, from where), each
# as "ticket." + the event's kind, with the ticket's number; the console's request is then not
# recorded again by its route (``servicehall.audit.AuditRequestMiddleware``).
AUDITED_TICKET_KINDS = (
    TicketEvent.Kind.CALLED,
    TicketEvent.Kind.RECALLED,
    TicketEvent.Kind.STARTED,
    TicketEvent.Kind.FINISHED,
    TicketEvent.Kind.NO_SHOW,
    TicketEvent.Kind.TRANSFERRED,
    TicketEvent.Kind.PRIORITY_GRANTED,
)


def _audit_ticket(
    ticket: Ticket,
    kind: str,
    *,
    staff: AnyUser,
    window: Window,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Record a staff action on ``ticket`` at ``window`` (inside the service's transaction)."""
    summary = _("%(action)s：%(number)s（%(window)s）") % {
        "action": TicketEvent.Kind(kind).label,
        "number": ticket.number,
        "window": window,
    }
    if reason:
        summary += _("，原因：%(reason)s") % {"reason": reason}
    audit_record(
        actor=staff,
        action=f"ticket.{kind}",
        target=ticket,
        summary=summary,
        details={
            "number": ticket.number,
            "window": window.number,
            **({"reason": reason} if reason else {}),
            **(details or {}),
        },
    )


# --- Row locks -------------------------------------------------------------------------------
# Every SELECT … FOR UPDATE of the queues; each is called inside the service's transaction. A
# window's actions lock the window first, so a window does one thing at a time; the next ticket
# is claimed with SKIP LOCKED, so windows calling at once never wait on each other.


def _lock_window(window_id: int) -> Window:
    """The window, locked until the transaction ends: its staff act one action at a time. Only
    the window row (``of``): locking the joined hall row too made every ticket issued in the
    hall (whose foreign key check takes a share lock on it) wait for the window's action, and a
    transfer racing the same person's kiosk ticket deadlock with it."""
    return Window.objects.select_for_update(of=("self",)).select_related("hall").get(pk=window_id)


def _lock_other_window_of(staff: AnyUser, *, besides: int) -> Window | None:
    """The window (other than ``besides``) the staff member is signed in at, locked, so that
    signing in elsewhere and acting at that window cannot interleave."""
    return Window.objects.select_for_update().filter(staff=signed_in(staff)).exclude(pk=besides).first()


def _lock_window_of(staff: AnyUser) -> Window | None:
    """The window the staff member is signed in at, if any, locked."""
    return Window.objects.select_for_update().filter(staff=signed_in(staff)).first()


def _lock_next_ticket(window: Window, *, now: dt.datetime) -> Ticket | None:
    """The first ticket the window may call that no other window is claiming right now. Two
    windows calling at once each skip the row the other holds (``SKIP LOCKED``) instead of
    waiting for it, so they get different tickets. Only the ticket row is locked (``of``)."""
    return (
        callable_tickets(window=window, now=now)
        .select_related("category")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )


def _lock_tickets(tickets: QuerySet[Ticket]) -> list[int]:
    """The ids of ``tickets`` that no other transaction holds, locked in pk order; rows another
    worker holds are skipped (it is dealing with them)."""
    return list(tickets.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True))


def _lock_alert(alert_id: int) -> WaitAlert:
    """The alert, locked: two supervisors recording a cause at once are written one after the other.
    Only the alert's row (``of=self``): the joined hall and category rows must not be locked, or
    an acknowledgement would hold up every ticket issued in the hall."""
    return WaitAlert.objects.select_for_update(of=("self",)).select_related("hall", "category").get(pk=alert_id)


# --- Calling ---------------------------------------------------------------------------------


def callable_tickets(*, window: Window, now: dt.datetime) -> QuerySet[Ticket]:
    """Waiting tickets this window may call, in call order.

    Order (one documented rule, docs/queueing.md): an approved urgent matter (急事急办,
    ``Ticket.urgent``) first; then a ticket that has waited longer than the starvation limit
    (default 45 min); then the green channel and checked-in appointments (not before their
    slot); then everyone else; within each group by arrival time, which a transfer keeps.
    Comprehensive windows serve every category of the hall; a green-channel window serves
    green-channel tickets of every category and then its own categories; a ticket transferred
    to a given window is called only there.
    """
    config = hall_config(window.hall)
    waiting = window_waiting(window=window, now=now).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
    starving_before = now - config.starvation
    if window.kind == Window.Kind.GREEN_CHANNEL:
        groups = [
            Q(urgent=True),
            Q(arrived_at__lte=starving_before),
            Q(priority__in=Ticket.GREEN_CHANNEL),
            ~Q(priority=""),
        ]
    else:
        groups = [Q(urgent=True), Q(arrived_at__lte=starving_before), ~Q(priority="")]
    rank = Case(
        *(When(condition, then=Value(position)) for position, condition in enumerate(groups)),
        default=Value(len(groups)),
        output_field=IntegerField(),
    )
    return waiting.annotate(call_rank=rank).order_by("call_rank", "arrived_at", "pk")


def window_waiting(*, window: Window, now: dt.datetime) -> QuerySet[Ticket]:
    """Today's waiting tickets of the queues this window serves, callable yet or not (a
    checked-in appointment is not called before its slot starts: ``not_before``)."""
    waiting = Ticket.objects.filter(hall_id=window.hall_id, status=Ticket.Status.WAITING, service_date=local_date(now))
    waiting = waiting.filter(Q(target_window__isnull=True) | Q(target_window=window))
    if not window.serves_every_category:
        mine = Q(category__in=window.categories.values("pk")) | Q(target_window=window)
        if window.kind == Window.Kind.GREEN_CHANNEL:
            mine |= Q(priority__in=Ticket.GREEN_CHANNEL)
        waiting = waiting.filter(mine)
    return waiting


def scheduled_tickets(*, window: Window, now: dt.datetime) -> QuerySet[Ticket]:
    """Checked-in appointments this window will call once their slot starts, earliest first:
    waiting, but not callable before ``not_before``."""
    return window_waiting(window=window, now=now).filter(not_before__gt=now).order_by("not_before", "arrived_at", "pk")


def _current(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, status__in=Ticket.AT_WINDOW).first()


def _require_signed_in(window: Window, staff: AnyUser) -> None:
    window_clerk_check(window=window, staff=staff)


def window_clerk_check(*, window: Window, staff: AnyUser) -> None:
    """Only the clerk signed in at this very window acts there (issue 9 §4): a colleague of the
    same hall, signed in at another window, is refused (403) and told where they are signed in.
    Every window action calls it (under the window's lock in the services); a view whose
    action is not the queue's (appointments' console check-in) calls it before acting."""
    user_pk = getattr(staff, "pk", None)
    if window.is_open and window.staff_id is not None and user_pk == window.staff_id:
        return
    elsewhere = Window.objects.filter(staff_id=user_pk).exclude(pk=window.pk).first() if user_pk else None
    if elsewhere is not None:
        raise QueueError(
            _("您已在%(current)s签到，不能操作%(window)s；请回到%(current)s办理，或先签退再到该窗口签到。")
            % {"current": elsewhere, "window": window},
            code="signed_in_elsewhere",
            status=403,
        )
    if not window.is_open or window.staff_id is None:
        raise QueueError(_("该窗口未开放，请先签到。"), code="window_closed", status=409)
    raise QueueError(_("您未在该窗口签到，不能叫号。"), code="not_signed_in", status=403)


def ticket_call_next(*, window: Window, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    """Call the next ticket to ``window``. Two windows calling at once never get the same one."""
    now = _now(now)
    with transaction.atomic():
        window = _lock_window(window.pk)
        _require_signed_in(window, staff)
        current = _current(window)
        if current is not None:
            raise QueueError(
                _("请先办结、转办或标记过号当前号码 %(number)s。") % {"number": current.number},
                code="window_busy",
                status=409,
            )
        for _attempt in range(5):
            candidate = _lock_next_ticket(window, now=now)
            if candidate is None:
                raise _nothing_to_call(window, now)
            claimed = Ticket.objects.filter(pk=candidate.pk, status=Ticket.Status.WAITING).update(
                status=Ticket.Status.CALLED, window=window, staff=staff, called_at=now, call_count=F("call_count") + 1
            )
            if claimed:
                break
        else:
            raise QueueError(_("叫号繁忙，请重试。"), code="busy", status=409)
        # The row is locked and was waiting (the update's condition): what the update wrote is
        # what a read would now find, without reading it again (one query less per call).
        ticket = candidate
        ticket.status, ticket.window, ticket.staff_id = Ticket.Status.CALLED, window, staff.pk
        ticket.called_at, ticket.call_count = now, candidate.call_count + 1
        _event(ticket, TicketEvent.Kind.CALLED, now, window=window, staff=staff)
        _audit_ticket(ticket, TicketEvent.Kind.CALLED, staff=staff, window=window)
    snapshot.refresh_on_commit(window.hall_id)
    return ticket


def _nothing_to_call(window: Window, now: dt.datetime) -> QueueError:
    """The queue is empty for now; a checked-in appointment waiting for its slot is named, so
    the clerk knows when there will be someone to call."""
    first = scheduled_tickets(window=window, now=now).first()
    if first is None:
        closed = hall_closed_warning(window.hall, now)
        if closed:
            # After closing nobody can take a ticket: "nobody waits" alone suggests someone may.
            return QueueError(_("当前没有等候的号码。%(closed)s") % {"closed": closed}, code="queue_empty", status=409)
        return QueueError(_("当前没有等候的号码。"), code="queue_empty", status=409)
    return QueueError(
        _("当前没有可叫的号码；已签到的预约 %(number)s %(time)s 起可叫。")
        % {"number": first.number, "time": local_now(first.not_before).strftime("%H:%M")},
        code="queue_empty",
        status=409,
    )


def ticket_call_specific(*, window: Window, ticket: Ticket, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    """Call a chosen waiting ticket out of order (for example someone who came back)."""
    now = _now(now)
    with transaction.atomic():
        window = _lock_window(window.pk)
        _require_signed_in(window, staff)
        if ticket.hall_id != window.hall_id:
            raise QueueError(_("该号码不属于本大厅。"), field="ticket", status=404)
        current = _current(window)
        if current is not None:
            raise QueueError(
                _("请先办结、转办或标记过号当前号码 %(number)s。") % {"number": current.number},
                code="window_busy",
                status=409,
            )
        ticket = _transition(
            ticket,
            frm=(Ticket.Status.WAITING,),
            to=Ticket.Status.CALLED,
            now=now,
            window=window,
            staff=staff,
            kind=TicketEvent.Kind.CALLED,
            fields={"window": window, "staff": staff, "called_at": now, "call_count": F("call_count") + 1},
            data={"out_of_order": True},
        )
        _audit_ticket(ticket, TicketEvent.Kind.CALLED, staff=staff, window=window, details={"out_of_order": True})
    snapshot.refresh_on_commit(window.hall_id)
    return ticket


def _transition(
    ticket: Ticket,
    *,
    frm: tuple[str, ...],
    to: str,
    now: dt.datetime,
    kind: str,
    window: Window | None,
    staff: AnyUser | None,
    fields: dict[str, Any] | None = None,
    reason: str = "",
    data: dict | None = None,
    at_window: Window | None = None,
) -> Ticket:
    """Move ``ticket`` from one of ``frm`` to ``to`` with a conditional update; a ticket that
    another window or request changed meanwhile is refused, not overwritten."""
    query = Ticket.objects.filter(pk=ticket.pk, status__in=frm)
    if at_window is not None:
        query = query.filter(window=at_window)
    if not query.update(status=to, **(fields or {})):
        raise _stale(Ticket.objects.get(pk=ticket.pk))
    ticket = Ticket.objects.select_related("category", "window").get(pk=ticket.pk)
    _event(ticket, kind, now, window=window, staff=staff, reason=reason, data=data)
    return ticket


def _window_action(window: Window, staff: AnyUser, ticket: Ticket) -> tuple[Window, Ticket]:
    """Lock the window, check its staff, and re-read the ticket, which must be at this window."""
    window = _lock_window(window.pk)
    _require_signed_in(window, staff)
    ticket = Ticket.objects.select_related("category").get(pk=ticket.pk)
    if ticket.window_id != window.pk:
        raise QueueError(_("号码 %(number)s 不在本窗口。") % {"number": ticket.number}, code="not_here", status=409)
    if ticket.status not in Ticket.AT_WINDOW:
        raise _stale(ticket)
    return window, ticket


def _stale(ticket: Ticket) -> QueueError:
    return QueueError(
        _("号码 %(number)s 当前状态为“%(state)s”，不能执行该操作。")
        % {"number": ticket.number, "state": ticket.get_status_display()},
        code="stale",
        status=409,
    )


def _at_window(
    window: Window,
    ticket: Ticket,
    staff: AnyUser,
    now: dt.datetime | None,
    *,
    frm: tuple[str, ...],
    to: str,
    kind: str,
    fields: Callable[[Ticket, dt.datetime], dict[str, Any]],
    check: Callable[[Ticket, dt.datetime], None] | None = None,
) -> Ticket:
    """One action on the ticket at a window: lock the window, check who acts, move the ticket
    with a conditional update, record the event, refresh the hall's snapshot after commit.
    ``fields`` is a function of (ticket as read under the lock, now) giving the columns to set;
    ``check``, of the same, raises the QueueError that refuses the action."""
    now = _now(now)
    with transaction.atomic():
        window, ticket = _window_action(window, staff, ticket)
        if check is not None:
            check(ticket, now)
        ticket = _transition(
            ticket,
            frm=frm,
            to=to,
            now=now,
            kind=kind,
            window=window,
            staff=staff,
            fields=fields(ticket, now),
            at_window=window,
        )
        _audit_ticket(ticket, kind, staff=staff, window=window)
    snapshot.refresh_on_commit(window.hall_id)
    return ticket


def ticket_recall(*, window: Window, ticket: Ticket, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    """Announce the current ticket again."""
    return _at_window(
        window,
        ticket,
        staff,
        now,
        frm=(Ticket.Status.CALLED,),
        to=Ticket.Status.CALLED,
        kind=TicketEvent.Kind.RECALLED,
        fields=lambda _t, _now: {"call_count": F("call_count") + 1},
    )


def no_show_wait(hall_id: int) -> dt.timedelta:
    """How long after the call a ticket of hall ``hall_id`` may be marked 过号 (the hall's
    ``HallQueueSettings.no_show_wait_seconds``, else ``settings.QUEUE["no_show_wait_seconds"]``):
    the person called needs time to hear the call and walk to the window, longer in a large hall.
    A recall (重新叫号) starts it again: the person is given the same time after each announcement."""
    return dt.timedelta(seconds=hall_config_by_id(hall_id).no_show_wait_seconds)


def no_show_allowed_from(ticket: Ticket) -> dt.datetime | None:
    """When ``ticket`` may be marked 过号: ``no_show_wait`` after its latest call or recall
    (``selectors.last_called_at``); None for a ticket never called."""
    last_call = selectors.last_called_at(ticket)
    return last_call + no_show_wait(ticket.hall_id) if last_call is not None else None


def no_show_too_early(ticket: Ticket, now: dt.datetime) -> QueueError | None:
    """The refusal of a no-show marked before ``no_show_wait`` has passed since the latest call
    (or recall), or None."""
    allowed_from = no_show_allowed_from(ticket)
    if allowed_from is None or now >= allowed_from:
        return None
    left = max(1, int((allowed_from - now).total_seconds() + 0.999))
    return QueueError(
        _(
            "%(number)s 刚刚叫号，请给群众走到窗口的时间：叫号 %(wait)s 秒后才能标记过号（还需 %(left)s 秒），可先重新叫号。"
        )
        % {"number": ticket.number, "wait": int(no_show_wait(ticket.hall_id).total_seconds()), "left": left},
        code="no_show_too_early",
        status=409,
    )


def _check_no_show(ticket: Ticket, now: dt.datetime) -> None:
    refusal = no_show_too_early(ticket, now)
    if refusal is not None:
        raise refusal


def ticket_no_show(*, window: Window, ticket: Ticket, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    """The called person did not come (过号); refused within ``no_show_wait`` of the call."""
    return _at_window(
        window,
        ticket,
        staff,
        now,
        frm=(Ticket.Status.CALLED,),
        to=Ticket.Status.NO_SHOW,
        kind=TicketEvent.Kind.NO_SHOW,
        fields=lambda _t, at: {"finished_at": at},
        check=_check_no_show,
    )


def ticket_start(*, window: Window, ticket: Ticket, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    return _at_window(
        window,
        ticket,
        staff,
        now,
        frm=(Ticket.Status.CALLED,),
        to=Ticket.Status.SERVING,
        kind=TicketEvent.Kind.STARTED,
        fields=lambda _t, at: {"started_at": at},
    )


def ticket_finish(*, window: Window, ticket: Ticket, staff: AnyUser, now: dt.datetime | None = None) -> Ticket:
    """Finish serving. A ticket finished straight from "called" counts its service from the call."""
    return _at_window(
        window,
        ticket,
        staff,
        now,
        frm=Ticket.AT_WINDOW,
        to=Ticket.Status.DONE,
        kind=TicketEvent.Kind.FINISHED,
        fields=lambda t, at: {"finished_at": at, "started_at": t.started_at or t.called_at or at},
    )


def ticket_transfer(
    *,
    window: Window,
    ticket: Ticket,
    staff: AnyUser,
    reason: str,
    category: QueueCategory | None = None,
    target_window: Window | None = None,
    unserved_ok: bool = True,
    now: dt.datetime | None = None,
) -> Ticket:
    """Send the ticket at this window to another category or window. It keeps its number and
    its original arrival time, so it does not go to the back of the queue. A person holds one
    ticket per queue: into a queue where they hold one already the transfer is refused (409,
    naming that ticket) and the ticket stays at the window. Into a queue (or to a window) that
    no open window serves it is refused too (409, ``unserved``) unless ``unserved_ok``: the
    console asks the clerk first, since the person would wait for a window to open."""
    now = _now(now)
    reason = reason.strip()
    if not reason:
        raise QueueError(_("请填写转办原因。"), field="reason")
    if (category is None) == (target_window is None):
        raise QueueError(_("请选择转至的类别或窗口（二选一）。"), field="category")
    with transaction.atomic():
        window, ticket = _window_action(window, staff, ticket)
        if category is not None and (category.hall_id != window.hall_id or not category.is_active):
            raise QueueError(_("转至的类别不属于本大厅或已停用。"), field="category")
        if category is not None and category.pk == ticket.category_id:
            # Back into its own queue is no transfer (walkthrough: A to A was accepted and counted).
            raise QueueError(
                _("该号码已在%(letter)s类，请选择其他类别，或转至本大厅的其他窗口。") % {"letter": category.letter},
                field="category",
                code="same_category",
                status=409,
            )
        if target_window is not None and (target_window.hall_id != window.hall_id or target_window.pk == window.pk):
            raise QueueError(_("请选择本大厅的其他窗口。"), field="target_window")
        new_category = category or ticket.category
        moves = new_category.pk != ticket.category_id and bool(ticket.id_hash)
        if moves:
            # One active ticket per person and queue (ticket_one_active_per_person): the person
            # keeps the ticket they already hold there, and this one stays at the window.
            holder = _active_ticket(hall=window.hall, category=new_category, digest=ticket.id_hash)
            if holder is not None:
                raise _already_in_queue(new_category, holder)
        if not unserved_ok:
            after = Ticket(
                hall_id=ticket.hall_id,
                category_id=new_category.pk,
                target_window_id=target_window.pk if target_window else None,
                priority=ticket.priority,
            )
            if not selectors.windows_serving(ticket=after):
                raise _unserved(ticket, new_category, target_window)
        try:
            # A savepoint: the constraint is the last line when the person takes a ticket in that
            # queue (at the kiosk, online) between the check above and this update.
            with transaction.atomic():
                ticket = _transition(
                    ticket,
                    frm=Ticket.AT_WINDOW,
                    to=Ticket.Status.WAITING,
                    now=now,
                    kind=TicketEvent.Kind.TRANSFERRED,
                    window=window,
                    staff=staff,
                    reason=reason,
                    fields={
                        "category": new_category,
                        "target_window": target_window,
                        "window": None,
                        "called_at": None,
                        "started_at": None,
                        "transfer_count": F("transfer_count") + 1,
                    },
                    data={
                        "from_category": ticket.category.letter,
                        "to_category": new_category.letter,
                        "to_window": target_window.number if target_window else None,
                    },
                    at_window=window,
                )
        except IntegrityError as exc:
            if not moves:
                raise
            holder = _active_ticket(hall=window.hall, category=new_category, digest=ticket.id_hash)
            raise _already_in_queue(new_category, holder) from exc
        _audit_ticket(
            ticket,
            TicketEvent.Kind.TRANSFERRED,
            staff=staff,
            window=window,
            reason=reason,
            details={
                "to_category": new_category.letter,
                "to_window": target_window.number if target_window else None,
            },
        )
    snapshot.refresh_on_commit(window.hall_id)
    return ticket


def _unserved(ticket: Ticket, category: QueueCategory, target_window: Window | None) -> QueueError:
    """The question before a transfer that no open window would call (``unserved_ok=False``)."""
    if target_window is not None:
        message = _(
            "%(window)s当前未开放：转办后 %(number)s 要等该窗口开放后才会被叫号。"
            "如确需转办，请勾选“仍然转办”后再次提交，或改选其他窗口、类别。"
        ) % {"window": target_window, "number": ticket.number}
        return QueueError(message, code="unserved", field="target_window", status=409)
    message = _(
        "当前没有开放的窗口办理%(letter)s类（%(name)s）：转办后 %(number)s 要等有窗口开放后才会被叫号。"
        "如确需转办，请勾选“仍然转办”后再次提交，或改选其他类别、窗口。"
    ) % {"letter": category.letter, "name": category.display_name, "number": ticket.number}
    return QueueError(message, code="unserved", field="category", status=409)


def _already_in_queue(category: QueueCategory, holder: Ticket | None) -> QueueError:
    """The refusal of a transfer into a queue where the person already holds a ticket."""
    if holder is None:  # the other ticket was finished meanwhile: the clerk may simply retry
        message = _("该申请人在%(letter)s类（%(name)s）已有号码，不能重复转入；请稍后重试。") % {
            "letter": category.letter,
            "name": category.display_name,
        }
    else:
        message = _(
            "该申请人在%(letter)s类（%(name)s）已有号码 %(number)s（%(state)s），不能重复转入；请先办理或取消该号码。"
        ) % {
            "letter": category.letter,
            "name": category.display_name,
            "number": holder.number,
            "state": holder.get_status_display(),
        }
    return QueueError(message, code="already_in_queue", field="category", status=409)


def ticket_cancel(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """The applicant gives up a waiting ticket (from the ticket page)."""
    now = _now(now)
    with transaction.atomic():
        ticket = _transition(
            ticket,
            frm=(Ticket.Status.WAITING,),
            to=Ticket.Status.CANCELLED,
            now=now,
            kind=TicketEvent.Kind.CANCELLED,
            window=None,
            staff=None,
            fields={"finished_at": now},
        )
    snapshot.refresh_on_commit(ticket.hall_id)
    return ticket


def ticket_grant_priority(
    *, window: Window, ticket: Ticket, staff: AnyUser, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """The clerk signed in at ``window`` puts a waiting ticket of its hall on the green channel
    (for a need the kiosk cannot see), with the reason recorded. The number stays the same."""
    now = _now(now)
    if not reason.strip():
        raise QueueError(_("请填写认定绿色通道的原因。"), field="reason")
    with transaction.atomic():
        window = _lock_window(window.pk)
        _require_signed_in(window, staff)
        if ticket.hall_id != window.hall_id:
            raise QueueError(_("该号码不属于本大厅。"), field="ticket", status=404)
        ticket = _transition(
            ticket,
            frm=(Ticket.Status.WAITING,),
            to=Ticket.Status.WAITING,
            now=now,
            kind=TicketEvent.Kind.PRIORITY_GRANTED,
            window=None,
            staff=staff,
            reason=reason,
            fields={"priority": Ticket.Priority.STAFF_GRANTED},
        )
        _audit_ticket(ticket, TicketEvent.Kind.PRIORITY_GRANTED, staff=staff, window=window, reason=reason.strip())
    snapshot.refresh_on_commit(ticket.hall_id)
    return ticket


def ticket_mark_urgent(
    *, ticket: Ticket, reason: str, staff: AnyUser | None = None, now: dt.datetime | None = None
) -> bool:
    """Call ``ticket`` first (急事急办, Art. 10 ¶3): the app that decides urgent matters (cases)
    marks the ticket of an approved one, still in the hall today (waiting, or at a window from
    which it may yet be transferred). The number stays the same. True if it was marked now;
    False if it already was, or is no longer active (served, cancelled, expired)."""
    now = _now(now)
    with transaction.atomic():
        marked = Ticket.objects.filter(
            pk=ticket.pk, status__in=Ticket.ACTIVE, service_date=local_date(now), urgent=False
        ).update(urgent=True)
        if not marked:
            return False
        _event(ticket, TicketEvent.Kind.URGENT, now, staff=staff, reason=reason)
    ticket.urgent = True
    snapshot.refresh_on_commit(ticket.hall_id)
    return True


# How long after its call a ticket called before closing is kept from expiring at closing.
CALLED_AT_CLOSING_GRACE = dt.timedelta(minutes=15)


def tickets_expire(*, now: dt.datetime | None = None) -> int:
    """At closing time unserved tickets expire: every ticket still waiting or called from an
    earlier day, and today's of halls whose (extended) hours are over — but a ticket called
    less than ``CALLED_AT_CLOSING_GRACE`` ago, whose person is on the way to the counter: it
    expires at a later run if nobody came. Idempotent."""
    now = _now(now)
    today = local_date(now)
    day_kind = catalog_selectors.day_kinds(start=today, end=today)
    with_open_tickets = Hall.objects.filter(
        pk__in=Ticket.objects.filter(
            service_date=today, status__in=(Ticket.Status.WAITING, Ticket.Status.CALLED)
        ).values("hall_id")
    ).prefetch_related("opening_hours")
    states = {hall.pk: _closed_for_the_day(hall, now, day_kind) for hall in with_open_tickets}
    after_closing = [pk for pk, state in states.items() if state == "after_closing"]
    without_hours = [pk for pk, state in states.items() if state == "no_hours"]
    # On a day without published hours (weekend or holiday staggered service) a checked-in
    # appointment's ticket lives by its slot: it expires three hours after the slot starts.
    slot_over = Q(not_before__isnull=True) | Q(not_before__lte=now - dt.timedelta(hours=3))
    # A ticket called moments before closing is kept a while: its person is on the way to the
    # counter and is served there (Art. 10 ¶2); the window stays open meanwhile.
    not_just_called = Q(status=Ticket.Status.WAITING) | Q(called_at__lt=now - CALLED_AT_CLOSING_GRACE)
    stale = Ticket.objects.filter(status__in=(Ticket.Status.WAITING, Ticket.Status.CALLED)).filter(
        Q(service_date__lt=today)
        | (Q(service_date=today, hall_id__in=after_closing) & not_just_called)
        | (Q(service_date=today, hall_id__in=without_hours) & slot_over)
    )
    with transaction.atomic():
        ids = _lock_tickets(stale)
        if not ids:
            return 0
        expired = Ticket.objects.filter(pk__in=ids, status__in=(Ticket.Status.WAITING, Ticket.Status.CALLED)).update(
            status=Ticket.Status.EXPIRED, finished_at=now
        )
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.EXPIRED, at=now, reason=_("闭厅时未办理")) for pk in ids
        )
        for hall_id in set(Ticket.objects.filter(pk__in=ids).values_list("hall_id", flat=True)):
            snapshot.refresh_on_commit(hall_id)
    return expired


def _closed_for_the_day(hall: Hall, now: dt.datetime, day_kind: Callable[[dt.date], str]) -> str | None:
    """ "after_closing", "no_hours" (closed all day) or None (still open today)."""
    weekly = {row.weekday: row for row in hall.opening_hours.all()}
    hours = hours_on(local_date(now), weekly=weekly, day_kind=day_kind)
    if hours is None:
        return "no_hours"
    return "after_closing" if now >= hours.closes else None


def windows_close_after_hours(*, now: dt.datetime | None = None) -> list[WindowLeft]:
    """At closing time the windows still open close and their clerks are signed out (with the
    closing job, every five minutes), so no board, dashboard or ticket page counts a window open
    overnight. Closed: every idle window of a hall whose (extended) hours are over today, and
    every idle window signed in on an earlier day. Kept: a window with a ticket at its counter —
    whoever was called before closing is served (Art. 10 ¶2: service extended as the people
    there need, 工作日延时服务); the window closes at the first run after that ticket is finished.
    Kept too: a window signed in today on a day without walk-in hours (weekend or holiday
    staggered service by appointment) and one signed in before today's opening (getting ready).
    Each window is locked and checked again; audited as ``window.sign_out`` (cause "closing").

    The clerk's spell is ended when the hall closed, not when the job happens to run (five
    minutes later, or the next morning for a window left overnight): the staff hours would count
    the night otherwise (``_closed_at``)."""
    now = _now(now)
    today = local_date(now)
    open_windows = list(Window.objects.filter(staff__isnull=False).values_list("pk", "hall_id", "signed_in_at"))
    if not open_windows:
        return []
    first_day = min([local_date(at) for _pk, _hall_id, at in open_windows if at is not None] + [today])
    day_kind = catalog_selectors.day_kinds(start=first_day, end=today)
    halls = {
        hall.pk: hall
        for hall in Hall.objects.filter(pk__in={hall_id for _pk, hall_id, _at in open_windows}).prefetch_related(
            "opening_hours"
        )
    }
    after_closing = {pk for pk, hall in halls.items() if _closed_for_the_day(hall, now, day_kind) == "after_closing"}
    due = [
        pk
        for pk, hall_id, signed_in_at in open_windows
        if hall_id in after_closing or signed_in_at is None or local_date(signed_in_at) < today
    ]
    left: list[WindowLeft] = []
    for pk in sorted(due):
        with transaction.atomic():
            window = Window.objects.select_for_update(of=("self",)).select_related("staff").filter(pk=pk).first()
            if window is None or window.staff is None:
                continue
            if _current(window) is not None:
                continue  # serving somebody who came before closing: closed once that is done
            ended = _closed_at(window, halls[window.hall_id], now=now, day_kind=day_kind)
            left.append(_leave(window, staff=window.staff, now=now, cause="closing", signed_out_at=ended))
        snapshot.refresh_on_commit(window.hall_id)
    return left


def _closed_at(window: Window, hall: Hall, *, now: dt.datetime, day_kind: Callable[[dt.date], str]) -> dt.datetime:
    """When the clerk's day at ``window`` (locked, closing now) ended: the hall's closing time, its
    extended hours included, on the day the clerk signed in; or the last ticket finished at the
    window, when the clerk served somebody past closing (Art. 10 ¶2) or on a day without walk-in
    hours (staggered service by appointment). Never before the sign-in (a clerk who signed in
    after closing and left the window open: no time counted), never after ``now``."""
    signed_in = window.signed_in_at
    if signed_in is None:
        return now
    weekly = {row.weekday: row for row in hall.opening_hours.all()}
    hours = hours_on(local_date(signed_in), weekly=weekly, day_kind=day_kind)
    last_finished = (
        Ticket.objects.filter(window=window, finished_at__gte=signed_in, finished_at__lte=now)
        .aggregate(last=Max("finished_at"))
        .get("last")
    )
    ended = max(at for at in (signed_in, hours.closes if hours else None, last_finished) if at is not None)
    return min(ended, now)


# --- Windows ---------------------------------------------------------------------------------


def window_sign_in(*, window: Window, staff: AnyUser, now: dt.datetime | None = None) -> Window:
    """A staff member takes a window and opens it (signing out of any other window). An app
    above may refuse the clerk (``queueing.hooks``: staffing, for want of pre-job education)."""
    now = _now(now)
    refusal = hooks.sign_in_refusal(staff=staff, window=window)
    if refusal:
        raise QueueError(refusal, code="sign_in_refused", status=403)
    with transaction.atomic():
        window = _lock_window(window.pk)
        if window.staff_id and window.staff_id != staff.pk:
            raise QueueError(_("该窗口已有工作人员签到。"), code="window_taken", status=409)
        previous = _lock_other_window_of(staff, besides=window.pk)
        if previous is not None:
            if _current(previous) is not None:
                raise QueueError(
                    _("您在%(window)s还有未处理完的号码，请先处理。") % {"window": previous},
                    code="window_busy",
                    status=409,
                )
            _shut(previous, user=staff, now=now, cause="moved")
            snapshot.refresh_on_commit(previous.hall_id)
        Window.objects.filter(pk=window.pk).update(staff=staff, is_open=True, signed_in_at=now)
        window.refresh_from_db()
        hooks.window_signed_in.send(sender=Window, window=window, staff_id=staff.pk, at=now)
        audit_record(
            actor=staff,
            action="window.sign_in",
            target=window,
            summary=_("窗口签到：%(hall)s %(window)s") % {"hall": window.hall.name, "window": window},
            details={"moved_from": previous.number if previous else None},
        )
    snapshot.refresh_on_commit(window.hall_id)
    return window


@dataclass(frozen=True)
class WindowLeft:
    window: Window
    returned: Ticket | None  # the ticket that was at the window, back in its queue
    released: list[str] = field(default_factory=list)  # numbers sent to this window, back in their queue


def window_sign_out(
    *, window: Window, staff: AnyUser, return_current: bool = False, now: dt.datetime | None = None
) -> WindowLeft:
    """The clerk signs out of their window, which closes. With a ticket at the counter it is
    refused unless ``return_current`` (the clerk confirmed): then the ticket goes back to its
    queue as at logout (``window_leave``), keeping its number and arrival time. Audited."""
    now = _now(now)
    with transaction.atomic():
        window = _lock_window(window.pk)
        if window.staff_id != getattr(staff, "pk", None):
            raise QueueError(_("您未在该窗口签到。"), code="not_signed_in", status=403)
        current = _current(window)
        if current is not None and not return_current:
            raise QueueError(
                _(
                    "当前号码 %(number)s 尚未办结：请先办结、转办或标记过号；"
                    "或确认签退，%(number)s 将回到队列，保留原取号时间。"
                )
                % {"number": current.number},
                code="window_busy",
                status=409,
            )
        left = _leave(window, staff=staff, now=now, cause="sign_out")
    snapshot.refresh_on_commit(window.hall_id)
    return left


def window_leave(*, staff: AnyUser, now: dt.datetime | None = None) -> WindowLeft | None:
    """The staff member logs out: they are signed out of the window they are at, whatever is at
    it, and the window closes (None when they are at no window).

    Logging out cannot be refused, so the ticket at the window goes back to waiting, called or
    already being served: it keeps its number, queue and arrival time, so the next window of its
    queue calls it before everyone who came after it. Finishing it instead would record a service
    that never ended. ``window_sign_out`` does the same once the clerk has confirmed it."""
    if not staff.is_authenticated:
        return None
    now = _now(now)
    with transaction.atomic():
        window = _lock_window_of(staff)
        if window is None:
            return None
        left = _leave(window, staff=staff, now=now, cause="logout")
    snapshot.refresh_on_commit(window.hall_id)
    return left


def windows_leave_expired_sessions(*, now: dt.datetime | None = None) -> list[WindowLeft]:
    """Close the windows of clerks whose login has expired (every minute, by beat).

    A console left open keeps its session alive (its polls count as use), so a clerk with no
    live session has gone: closed the browser or left the counter for longer than
    ``STAFF_SESSION_IDLE_MINUTES``. Their window must not stay open, counted in estimates and
    holding a ticket nobody serves: it closes as at logout, the ticket at it going back to
    waiting. One query finds the windows, one the live sessions; each window is then locked and
    checked again, so a clerk who logs in meanwhile keeps theirs."""
    now = _now(now)
    held = dict(Window.objects.filter(staff__isnull=False).values_list("pk", "staff_id"))
    live = sessions.logged_in_user_ids(set(held.values()), now=now)
    left: list[WindowLeft] = []
    for window_pk, staff_id in sorted(held.items()):
        if staff_id in live:
            continue
        with transaction.atomic():
            window = Window.objects.select_for_update().filter(pk=window_pk).first()
            if window is None or window.staff is None or window.staff_id != staff_id:
                continue
            if sessions.is_logged_in(window.staff, now=now):
                continue
            left.append(_leave(window, staff=window.staff, now=now, cause="session_expired"))
        snapshot.refresh_on_commit(window.hall_id)
    return left


_LEAVE_REASONS = {
    "logout": gettext_noop("工作人员退出登录，号码退回等候"),
    "sign_out": gettext_noop("工作人员签退，号码退回等候"),
    "session_expired": gettext_noop("工作人员登录已过期，号码退回等候"),
    "closing": gettext_noop("大厅闭厅，号码退回等候"),
}
_LEAVE_SUMMARIES = {
    "logout": gettext_noop("退出登录，从%(window)s签退"),
    "sign_out": gettext_noop("从%(window)s签退"),
    "session_expired": gettext_noop("登录过期，从%(window)s自动签退"),
    "closing": gettext_noop("闭厅，从%(window)s自动签退"),
}


def _leave(
    window: Window, *, staff: AnyUser, now: dt.datetime, cause: str, signed_out_at: dt.datetime | None = None
) -> WindowLeft:
    """Sign the clerk out of ``window`` (locked by the caller) and close it. The ticket at the
    counter goes back to waiting: a transfer to its own queue (the event says why, and who), a
    transfer to this very window lifted, since nobody would call it here; so are the other
    tickets sent to this window. Audited as ``window.sign_out`` with the cause.

    ``signed_out_at``: when the clerk's spell ended, if earlier than ``now`` (the closing job
    ends it at closing time): the sign-out hook (the staff's attendance) and the tickets sent to
    the window are dated then, and the audit event, made now, names it."""
    at = signed_out_at or now
    returned = Ticket.objects.select_related("category").filter(window=window, status__in=Ticket.AT_WINDOW).first()
    if returned is not None:
        fields: dict[str, Any] = {"window": None, "called_at": None, "started_at": None}
        if returned.target_window_id == window.pk:
            fields["target_window"] = None
        letter = returned.category.letter
        returned = _transition(
            returned,
            frm=Ticket.AT_WINDOW,
            to=Ticket.Status.WAITING,
            now=now,
            kind=TicketEvent.Kind.TRANSFERRED,
            window=window,
            staff=staff,
            reason=_(_LEAVE_REASONS[cause]),
            fields=fields,
            data={
                "from_category": letter,
                "to_category": letter,
                "to_window": None,
                "returned_from": returned.status,
                "cause": cause,
            },
            at_window=window,
        )
    released = _shut(window, user=staff, now=at, cause=cause)
    window.refresh_from_db()
    details: dict[str, Any] = {"cause": cause, "returned": returned.number if returned is not None else None}
    if at != now:
        details["signed_out_at"] = at.isoformat()
    audit_record(
        actor=staff,
        action="window.sign_out",
        target=window,
        summary=_(_LEAVE_SUMMARIES[cause]) % {"window": window},
        details=details,
    )
    return WindowLeft(window, returned, released)


# --- Wait alerts -----------------------------------------------------------------------------


def alert_acknowledge(
    *, alert: WaitAlert, user: AnyUser, cause: str, action: str, now: dt.datetime | None = None
) -> WaitAlert:
    """A supervisor records why the queue grew and what was done (Art. 8 ¶4: 查明原因，督促改进)."""
    now = _now(now)
    cause, action = cause.strip(), action.strip()
    if not cause:
        raise QueueError(_("请填写原因分析。"), field="cause")
    if not action:
        raise QueueError(_("请填写采取的改进措施。"), field="action")
    with transaction.atomic():
        alert = _lock_alert(alert.pk)
        first = alert.acknowledged_at is None
        alert.cause, alert.action = cause[:300], action[:300]
        if first:
            alert.acknowledged_at, alert.acknowledged_by = now, signed_in(user)
        alert.save(update_fields=["cause", "action", "acknowledged_at", "acknowledged_by"])
        audit_record(
            actor=user,
            action="wait_alert.acknowledge" if first else "wait_alert.update",
            target=alert,
            summary=_("确认等候预警：%(hall)s %(letter)s类")
            % {"hall": alert.hall.name, "letter": alert.category.letter},
            details={"cause": alert.cause, "action": alert.action},
        )
    # The supervisors' dashboards show the alert as acknowledged at their next poll.
    snapshot.console_changed_on_commit(alert.hall_id)
    return alert


# --- Supervisors: windows and the board, from the dashboard ----------------------------------
# Art. 6 ¶4: when too many wait, the hall adds windows and staff; the supervisor does it from the
# dashboard and tells the people waiting on the hall's board. Every write here is audited.

BOARD_MESSAGE_MAX_LENGTH = 120
BOARD_MESSAGE_MAX_MINUTES = 8 * 60


def _lock_tickets_sent_to(window: Window) -> list[tuple[int, str]]:
    """(id, number) of the waiting tickets transferred to this very window, locked in pk order;
    waits for a row another transaction holds (an applicant cancelling), so none is left behind."""
    return list(
        Ticket.objects.select_for_update()
        .filter(target_window=window, status=Ticket.Status.WAITING)
        .order_by("pk")
        .values_list("pk", "number")
    )


def _release_sent_to(window: Window, *, user: AnyUser, now: dt.datetime, cause: str) -> list[str]:
    """Tickets transferred to this very window go back to their queue when it closes, keeping
    their arrival time, since nobody would call them here. Returns their numbers."""
    released = _lock_tickets_sent_to(window)
    if released:
        Ticket.objects.filter(pk__in=[pk for pk, _number in released]).update(target_window=None)
        TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket_id=pk,
                kind=TicketEvent.Kind.TRANSFERRED,
                at=now,
                staff=signed_in_or_none(user),
                reason=_("%(window)s关闭，回到原排队类别") % {"window": window},
                data={"from_window": window.number, "to_window": None, "cause": cause},
            )
            for pk, _number in released
        )
    return [number for _pk, number in released]


def _shut(window: Window, *, user: AnyUser, now: dt.datetime, cause: str) -> list[str]:
    """Close ``window`` (locked by the caller, no ticket at its counter any more): its clerk is
    signed out and the tickets sent to it go back to their queue (their numbers are returned).
    Every way a window closes comes here: closed by a supervisor, its clerk moved to another
    window, signed out or logged out."""
    released = _release_sent_to(window, user=user, now=now, cause=cause)
    if window.staff_id is not None:
        hooks.window_signed_out.send(sender=Window, window=window, staff_id=window.staff_id, at=now, cause=cause)
    Window.objects.filter(pk=window.pk).update(staff=None, is_open=False, signed_in_at=None)
    return released


@dataclass(frozen=True)
class WindowOpened:
    window: Window
    moved_from: Window | None  # the window the clerk was signed in at before, now closed
    released: list[str]  # numbers sent to that window that went back to their queue


def window_open(*, window: Window, clerk: AnyUser, user: AnyUser, now: dt.datetime | None = None) -> WindowOpened:
    """A supervisor opens a window with a clerk of the hall at it, as if the clerk had signed in
    there: the queue has one more window at once (board, estimates, monitor). So the clerk must
    be logged in now (a live session, ``servicehall.sessions``): a window opened for somebody
    who is not there would be counted, and estimated for, with nobody at it. A clerk signed in
    at another window moves here, which closes that one (the caller says so), unless a ticket
    is at its counter."""
    now = _now(now)
    scope = staff_scope(clerk)
    if not clerk.is_active or not scope.has_role(*COUNTER_ROLES) or not scope.works_at(window.hall_id):
        raise QueueError(_("只能安排本大厅的窗口工作人员到窗口。"), field="clerk")
    if not sessions.is_logged_in(clerk, now=now):
        raise QueueError(
            _("%(name)s现在没有登录系统，不能安排到窗口：请其登录后再开放，或选择已登录的工作人员。")
            % {"name": _name_of(clerk)},
            code="not_logged_in",
            field="clerk",
            status=409,
        )
    refusal = hooks.sign_in_refusal(staff=clerk, window=window)
    if refusal:
        raise QueueError(refusal, code="sign_in_refused", field="clerk", status=403)
    with transaction.atomic():
        window = _lock_window(window.pk)
        if window.staff_id == clerk.pk and window.is_open:
            raise QueueError(
                _("%(window)s已开放，%(name)s已在该窗口。") % {"window": window, "name": _name_of(clerk)},
                code="window_open",
                status=409,
            )
        if window.staff_id is not None and window.staff_id != clerk.pk:
            raise QueueError(
                _("%(window)s已有其他工作人员签到；如需换人，请先关闭该窗口。") % {"window": window},
                code="window_taken",
                status=409,
            )
        previous = _lock_other_window_of(clerk, besides=window.pk)
        released: list[str] = []
        if previous is not None:
            current = _current(previous)
            if current is not None:
                if current.status == Ticket.Status.CALLED:
                    message = _("%(name)s在%(window)s已叫号 %(number)s，请待其办结、转办或标记过号后再调整。")
                else:
                    message = _("%(name)s正在%(window)s办理 %(number)s，请待其办结或转办后再调整。")
                raise QueueError(
                    message % {"name": _name_of(clerk), "window": previous, "number": current.number},
                    code="window_busy",
                    status=409,
                )
            released = _shut(previous, user=user, now=now, cause="moved")
        Window.objects.filter(pk=window.pk).update(staff=clerk, is_open=True, signed_in_at=now)
        window.refresh_from_db()
        hooks.window_signed_in.send(sender=Window, window=window, staff_id=clerk.pk, at=now)
        audit_record(
            actor=user,
            action="window.open",
            target=window,
            summary=_("开放窗口：%(hall)s %(window)s（%(name)s）")
            % {"hall": window.hall.name, "window": window, "name": _name_of(clerk)},
            details={
                "staff": clerk.get_username(),
                "moved_from": previous.number if previous else None,
                "released": released,
            },
        )
    snapshot.refresh_on_commit(window.hall_id)
    return WindowOpened(window, previous, released)


@dataclass(frozen=True)
class WindowClosed:
    window: Window
    signed_out: str  # the name of the clerk who was signed in there ("" if nobody)
    released: list[str]  # numbers sent to this window that went back to their queue


def window_close(*, window: Window, user: AnyUser, now: dt.datetime | None = None) -> WindowClosed:
    """A supervisor closes a window: its clerk is signed out and the board shows it closed.
    Refused while a ticket is at the counter (the clerk finishes, transfers or marks a no-show
    first: nobody is turned away mid-service). Tickets transferred to this very window go back
    to their queue, keeping their arrival time, since nobody would call them here."""
    now = _now(now)
    with transaction.atomic():
        window = _lock_window(window.pk)
        if not window.is_open and window.staff_id is None:
            raise QueueError(_("%(window)s已关闭。") % {"window": window}, code="window_closed", status=409)
        current = _current(window)
        if current is not None:
            busy = (
                _("%(window)s正在办理 %(number)s，暂不能关闭：请待工作人员办结、转办或标记过号后再关闭。")
                if current.status == Ticket.Status.SERVING
                else _("%(window)s已叫号 %(number)s，暂不能关闭：请待工作人员办结、转办或标记过号后再关闭。")
            )
            raise QueueError(busy % {"window": window, "number": current.number}, code="window_busy", status=409)
        clerk_name = _name_of(window.staff) if window.staff_id else ""
        released = _shut(window, user=user, now=now, cause="window_closed")
        window.refresh_from_db()
        audit_record(
            actor=user,
            action="window.close",
            target=window,
            summary=_("关闭窗口：%(hall)s %(window)s") % {"hall": window.hall.name, "window": window},
            details={"signed_out": clerk_name, "released": released},
        )
    snapshot.refresh_on_commit(window.hall_id)
    return WindowClosed(window, clerk_name, released)


def _name_of(user: AnyUser | None) -> str:
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile is not None else "") or (user.get_username() if user else "")


def board_message_post(
    *, hall: Hall, user: AnyUser, text: str, minutes: int, now: dt.datetime | None = None
) -> BoardMessage:
    """Put a short notice on the hall's display board until it expires; it replaces the one
    shown now. Boards read it from the hall's snapshot, refreshed after commit."""
    now = _now(now)
    text = " ".join(text.split())  # one line on the board
    if not text:
        raise QueueError(_("请填写通知内容。"), field="text")
    if len(text) > BOARD_MESSAGE_MAX_LENGTH:
        raise QueueError(_("通知内容最多 %(count)s 字。") % {"count": BOARD_MESSAGE_MAX_LENGTH}, field="text")
    if not 1 <= minutes <= BOARD_MESSAGE_MAX_MINUTES:
        raise QueueError(
            _("显示时长须在 1 至 %(count)s 分钟之间。") % {"count": BOARD_MESSAGE_MAX_MINUTES}, field="minutes"
        )
    with transaction.atomic():
        shown = BoardMessage.objects.filter(hall=hall, withdrawn_at__isnull=True, expires_at__gt=now)
        replaced = list(shown.values_list("pk", flat=True))
        if replaced:
            shown.filter(pk__in=replaced).update(withdrawn_at=now, withdrawn_by=signed_in(user))
        message = BoardMessage.objects.create(
            hall=hall,
            text=text,
            posted_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
            posted_by=signed_in(user),
        )
        audit_record(
            actor=user,
            action="board_message.post",
            target=message,
            summary=_("发布显示屏通知：%(hall)s") % {"hall": hall.name},
            details={"text": text, "expires_at": message.expires_at.isoformat(), "replaced": replaced},
        )
    snapshot.refresh_on_commit(hall.pk)
    return message


def board_message_withdraw(*, message: BoardMessage, user: AnyUser, now: dt.datetime | None = None) -> BoardMessage:
    """Take a notice off the board before it expires."""
    now = _now(now)
    with transaction.atomic():
        if not BoardMessage.objects.filter(pk=message.pk, withdrawn_at__isnull=True, expires_at__gt=now).update(
            withdrawn_at=now, withdrawn_by=signed_in(user)
        ):
            raise QueueError(_("该通知已撤下或已到期。"), code="message_gone", status=409)
        message.refresh_from_db()
        audit_record(
            actor=user,
            action="board_message.withdraw",
            target=message,
            summary=_("撤下显示屏通知：%(hall)s") % {"hall": message.hall.name},
            details={"text": message.text},
        )
    snapshot.refresh_on_commit(message.hall_id)
    return message


# --- Kiosk devices ---------------------------------------------------------------------------

# A kiosk is used all day: its "last seen" is written at most once a minute.
KIOSK_SEEN_EVERY = dt.timedelta(minutes=1)


def kiosk_credential_hash(credential: str) -> str:
    """What is kept of a device credential. A plain SHA-256 is enough: the credential is 256
    random bits (no dictionary to try), and a slow hash would be paid on every kiosk request."""
    return hashlib.sha256(credential.encode()).hexdigest()


def kiosk_device_register(
    *, hall: Hall, name: str, actor: AnyUser, now: dt.datetime | None = None
) -> tuple[KioskDevice, str]:
    """Register a kiosk of ``hall``; returns the device and its credential, which is not kept
    (only its hash) and so can be shown or handed to the kiosk this once."""
    now = _now(now)
    name = name.strip()
    if not name:
        raise QueueError(_("请填写终端名称。"), field="name")
    credential = "kd_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if KioskDevice.objects.filter(hall=hall, name=name).exists():
            raise QueueError(_("本大厅已有同名的自助终端。"), code="name_taken", field="name", status=409)
        device = KioskDevice.objects.create(
            hall=hall,
            name=name,
            credential_hash=kiosk_credential_hash(credential),
            created_at=now,
            created_by=signed_in_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="kiosk_device.register",
            target=device,
            summary=_("登记自助终端：%(device)s") % {"device": device},
        )
    return device, credential


def kiosk_device_revoke(*, device: KioskDevice, actor: AnyUser, now: dt.datetime | None = None) -> KioskDevice:
    """Stop accepting the device's credential (a lost, replaced or moved kiosk)."""
    now = _now(now)
    with transaction.atomic():
        if KioskDevice.objects.filter(pk=device.pk, is_active=True).update(is_active=False, revoked_at=now):
            audit_record(
                actor=actor,
                action="kiosk_device.revoke",
                target=device,
                summary=_("停用自助终端：%(device)s") % {"device": device},
            )
    device.refresh_from_db()
    return device


def kiosk_device_seen(*, device: KioskDevice, now: dt.datetime | None = None) -> None:
    """Note that the device is in use (for the admin's list of kiosks)."""
    now = _now(now)
    if device.last_seen_at is None or device.last_seen_at < now - KIOSK_SEEN_EVERY:
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


# --- Assisted and accompanied handling (帮办代办、陪同办, Art. 10 ¶1) -------------------------


@dataclass(frozen=True)
class AssistanceWish:
    """What an applicant asked for, checked before anything is written (a ticket or a booking
    and its request are saved together or not at all)."""

    kind: str
    reason: str
    note: str = ""


def assistance_wish(*, kind: str, reason: str, note: str = "") -> AssistanceWish:
    """Check a request's kind, reason and note: a clear message for each bad one."""
    note = (note or "").strip()
    if kind not in AssistanceRequest.Kind.values:
        raise QueueError(_("请选择服务类型：陪同办或帮办代办。"), field="kind", code="invalid_kind")
    if reason not in AssistanceRequest.Reason.values:
        raise QueueError(_("请选择原因：高龄、残疾、行动不便或其他。"), field="reason", code="invalid_reason")
    if reason == AssistanceRequest.Reason.OTHER and not note:
        raise QueueError(_("原因选择“其他”时，请简要说明需要协助的情况。"), field="note", code="note_required")
    if len(note) > 200:
        raise QueueError(_("说明最多200个字。"), field="note", code="note_too_long")
    return AssistanceWish(kind=kind, reason=reason, note=note)


def assistance_request(
    *,
    hall: Hall,
    wish: AssistanceWish,
    source: str,
    ticket: Ticket | None = None,
    expected_at: dt.datetime | None = None,
    id_masked: str = "",
    now: dt.datetime | None = None,
) -> AssistanceRequest:
    """Put a request on the hall's assistance desk, for a ticket (kiosk, online) or a booking's
    slot (``expected_at``; the ticket is linked at check-in). A ticket has one open request: asking
    again returns it."""
    now = _now(now)
    if source not in AssistanceRequest.Source.values:
        raise QueueError(_("无效的请求来源。"), field="source")
    if ticket is not None:
        if ticket.hall_id != hall.pk:
            raise QueueError(_("该号码不属于本大厅。"), field="ticket", code="other_hall", status=409)
        if ticket.status not in Ticket.ACTIVE:
            raise QueueError(_("该号码已办结或已失效，不能再申请帮办代办。"), code="ticket_closed", status=409)
        existing = AssistanceRequest.objects.filter(ticket=ticket, status__in=AssistanceRequest.OPEN).first()
        if existing is not None:
            return existing
    fields = {
        "hall": hall,
        "ticket": ticket,
        "service_date": local_date(expected_at or now),
        "expected_at": expected_at,
        "source": source,
        "kind": wish.kind,
        "reason": wish.reason,
        "note": wish.note,
        "id_masked": id_masked or (ticket.id_masked if ticket is not None else ""),
        "requested_at": now,
    }
    # The console shows the ticket's badge; the supervisors' overview counts every request.
    snapshot.console_changed_on_commit(hall.pk)
    try:
        with transaction.atomic():
            return AssistanceRequest.objects.create(**fields)
    except IntegrityError:
        # The same ticket asked twice at once: the other request stands.
        return AssistanceRequest.objects.get(ticket=ticket, status__in=AssistanceRequest.OPEN)


def _check_desk_staff(staff: AnyUser, hall_id: int) -> None:
    """Only the hall's own staff work its assistance desk."""
    if not staff_scope(staff).works_at(hall_id) or not staff_scope(staff).has_role(*ALL_ROLES):
        raise PermissionDenied(_("只有本大厅的工作人员可以处理帮办代办请求。"))


def _assistance_moved(request: AssistanceRequest) -> QueueError:
    request.refresh_from_db()
    if request.status == request.Status.ASSIGNED:
        message = _("该请求已由其他工作人员接单。")
    else:
        message = _("该请求当前状态为“%(state)s”，不能再操作。") % {"state": request.get_status_display()}
    return QueueError(message, code="stale", status=409)


def assistance_take(*, request: AssistanceRequest, staff: AnyUser, now: dt.datetime | None = None) -> AssistanceRequest:
    """A member of the hall's staff takes the request: they are recorded as the helper."""
    now = _now(now)
    _check_desk_staff(staff, request.hall_id)
    user = signed_in(staff)
    updated = AssistanceRequest.objects.filter(pk=request.pk, status=AssistanceRequest.Status.REQUESTED).update(
        status=AssistanceRequest.Status.ASSIGNED, helper=user, assigned_at=now
    )
    if not updated:
        raise _assistance_moved(request)
    snapshot.console_changed_on_commit(request.hall_id)
    request.refresh_from_db()
    return request


def assistance_done(*, request: AssistanceRequest, staff: AnyUser, now: dt.datetime | None = None) -> AssistanceRequest:
    """The help was given. A request nobody took yet is taken and done at once by ``staff``."""
    now = _now(now)
    _check_desk_staff(staff, request.hall_id)
    user = signed_in(staff)
    with transaction.atomic():
        updated = AssistanceRequest.objects.filter(pk=request.pk, status=AssistanceRequest.Status.ASSIGNED).update(
            status=AssistanceRequest.Status.DONE, done_at=now
        ) or AssistanceRequest.objects.filter(pk=request.pk, status=AssistanceRequest.Status.REQUESTED).update(
            status=AssistanceRequest.Status.DONE, helper=user, assigned_at=now, done_at=now
        )
    if not updated:
        raise _assistance_moved(request)
    snapshot.console_changed_on_commit(request.hall_id)
    request.refresh_from_db()
    return request


def assistance_cancel(*, request: AssistanceRequest, now: dt.datetime | None = None) -> bool:
    """Withdraw an open request (its booking was cancelled)."""
    snapshot.console_changed_on_commit(request.hall_id)
    return bool(
        AssistanceRequest.objects.filter(pk=request.pk, status__in=AssistanceRequest.OPEN).update(
            status=AssistanceRequest.Status.CANCELLED, cancelled_at=_now(now)
        )
    )


def assistance_link_ticket(*, request: AssistanceRequest, ticket: Ticket) -> None:
    """A booking's request follows the ticket its check-in issued (shown with it on the console)."""
    if ticket.assistance_requests.filter(status__in=AssistanceRequest.OPEN).exclude(pk=request.pk).exists():
        return  # the ticket already carries a request of its own
    AssistanceRequest.objects.filter(pk=request.pk, status__in=AssistanceRequest.OPEN).update(ticket=ticket)
    snapshot.console_changed_on_commit(request.hall_id)


def assistance_request_at_window(
    *, window: Window, ticket: Ticket, staff: AnyUser, wish: AssistanceWish, now: dt.datetime | None = None
) -> AssistanceRequest:
    """The clerk signed in at ``window`` opens a request for the walk-in whose ticket they called
    or serve there (the applicant asked at the counter). A ticket that already has an open request
    is refused (409), not given a second one. Audited."""
    now = _now(now)
    with transaction.atomic():
        window = _lock_window(window.pk)
        _require_signed_in(window, staff)
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.hall_id != window.hall_id:
            raise QueueError(_("该号码不属于本大厅。"), field="ticket", status=404)
        if ticket.window_id != window.pk or ticket.status not in Ticket.AT_WINDOW:
            raise QueueError(_("只能为本窗口已叫号或正在办理的群众申请帮办代办。"), code="not_at_window", status=409)
        if ticket.assistance_requests.filter(status__in=AssistanceRequest.OPEN).exists():
            raise QueueError(
                _("%(number)s 已有未完成的帮办代办请求，不能重复申请。") % {"number": ticket.number},
                code="already_requested",
                status=409,
            )
        assistance = AssistanceRequest.objects.create(
            hall_id=ticket.hall_id,
            ticket=ticket,
            service_date=local_date(now),
            source=AssistanceRequest.Source.WINDOW,
            kind=wish.kind,
            reason=wish.reason,
            note=wish.note,
            id_masked=ticket.id_masked,
            requested_at=now,
        )
        audit_record(
            actor=signed_in(staff),
            action="assistance.window_request",
            target=assistance,
            summary=_("窗口为 %(number)s 申请%(kind)s（%(window)s）")
            % {"number": ticket.number, "kind": assistance.get_kind_display(), "window": window},
            details={"ticket": ticket.number, "window": window.pk, "kind": wish.kind, "reason": wish.reason},
        )
        snapshot.console_changed_on_commit(window.hall_id)
    return assistance
