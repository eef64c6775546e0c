"""Celery tasks that survive a broker outage: a transactional outbox (Redis is a broker, never
the truth).

``enqueue(task_name, *args)`` writes the task to ``OutboxTask`` in the caller's transaction and,
once that transaction commits, hands it to the broker. The row stays until a worker has run the
task (``task_finished``, on Celery's ``task_postrun``), so nothing the broker holds exists only
there:

- the broker does not answer: the row waits, nothing is reported to the person (their change has
  committed), and ``drain()`` — beat's ``servicehall.tasks.outbox_drain``, every minute — sends it
  once the broker is back;
- the broker took it and lost it (Redis restarted without persistence): the drain sends it again
  ``settings.OUTBOX_RESEND_SECONDS`` after it was handed over;
- a change that rolled back never had a row: its task is never sent.

Delivery is therefore at least once: a task may run twice (a slow queue mistaken for a lost
message, a sender that died between handing over and noting it). Every task sent this way must be
idempotent (``send_lookup_code`` claims its code with a conditional update).

``nudge(task_name)`` is for tasks whose work a periodic run finds again anyway (the due reminders,
whose durable record is the ``Reminder`` table itself): sent on commit if the broker answers,
never written down.

After a failed send the process does not try the broker again for ``RETRY_SECONDS``: requests
meanwhile leave their tasks to the drain instead of each waiting for a broker that is away.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from servicehall.models import OutboxTask

logger = logging.getLogger("servicehall.outbox")

# A row claimed this long ago by a sender that never finished is sent again by the drain.
LEASE = dt.timedelta(seconds=60)
# A row never tried is left to its own committing process this long before the drain takes it.
GRACE = dt.timedelta(seconds=30)
RETRY_SECONDS = 10.0
WARN_EVERY_SECONDS = 60.0

_state: dict[str, float | None] = {"down_until": None, "warned_at": None}
_state_lock = threading.Lock()

# Each thread keeps one broker connection that fails fast: Celery's own (the producer pool)
# retries a refused connection for its connect timeout, some seconds, in every request that asks
# for a task while the broker is away.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 2}
# The message header that names a task's outbox row (read back by ``task_finished``).
OUTBOX_HEADER = "outbox_id"
_connections = threading.local()


def reset_state() -> None:
    """Forget a broker outage and this thread's connection (tests, which change the broker)."""
    with _state_lock:
        _state.update(down_until=None, warned_at=None)
    connection = getattr(_connections, "connection", None)
    _connections.connection = None
    if connection is not None:
        connection.release()


def broker_known_down() -> bool:
    down_until = _state["down_until"]
    return down_until is not None and time.monotonic() < down_until


def _broker_failed(task: str, exc: BaseException) -> None:
    now = time.monotonic()
    with _state_lock:
        _state["down_until"] = now + RETRY_SECONDS
        warned_at = _state["warned_at"]
        warn = warned_at is None or now - warned_at >= WARN_EVERY_SECONDS
        if warn:
            _state["warned_at"] = now
    if warn:
        logger.warning(
            "the Celery broker did not take %s (%s: %s); kept in the outbox, sent when the broker is back",
            task,
            type(exc).__name__,
            exc,
        )


def _broker_answered() -> None:
    if _state["down_until"] is not None:
        with _state_lock:
            _state.update(down_until=None, warned_at=None)
        logger.warning("the Celery broker takes tasks again")


def _task(name: str) -> Any:
    """The registered task ``name`` ("module.function"): a web process has imported only the
    tasks modules it used (the worker autodiscovers them all)."""
    from servicehall.celery import app

    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return app.tasks[name]


def _publish(task: str, args: list[Any], kwargs: dict[str, Any], *, outbox_id: int | None = None) -> None:
    """Hand one task to the broker (or run it here in eager mode, as ``.delay()`` would)."""
    from servicehall.celery import app

    headers = {OUTBOX_HEADER: outbox_id} if outbox_id is not None else None
    if app.conf.task_always_eager:
        _task(task).apply_async(args=args, kwargs=kwargs)
        return
    connection = getattr(_connections, "connection", None)
    if connection is None:
        connection = _connections.connection = app.connection_for_write(connect_timeout=1, transport_options=FAIL_FAST)
    try:
        _task(task).apply_async(args=args, kwargs=kwargs, retry=False, connection=connection, headers=headers)
    except Exception:
        _connections.connection = None  # a fresh connection next time
        connection.release()
        raise


def _eager() -> bool:
    from servicehall.celery import app

    return bool(app.conf.task_always_eager)


def enqueue(task: str, *args: Any, **kwargs: Any) -> OutboxTask:
    """Send Celery task ``task`` (its registered name) with JSON arguments once the current
    transaction commits; kept until the broker takes it."""
    row = OutboxTask.objects.create(task=task, args=list(args), kwargs=kwargs, created_at=timezone.now())
    transaction.on_commit(partial(_send_committed, row.pk), robust=True)
    return row


BROKER_AWAY = "broker away: left to the drain"


def _send_committed(pk: int) -> None:
    if broker_known_down():  # the drain sends it when the broker is back
        OutboxTask.objects.filter(pk=pk).update(last_error=BROKER_AWAY)
        return
    send(pk)


def send(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Hand one row to the broker (claimed first, so two processes never both send it); True once
    the broker took it. The row stays until a worker has run the task."""
    now = now or timezone.now()
    claimed = (
        OutboxTask.objects.filter(pk=pk)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = OutboxTask.objects.get(pk=pk)
    try:
        _publish(row.task, row.args, row.kwargs, outbox_id=row.pk)
    except Exception as exc:  # noqa: BLE001 - any failure to hand it over: keep it for the drain
        if _eager():  # the task itself ran here and failed (tests): as a worker would, log it
            logger.exception("task %s failed", row.task)
            OutboxTask.objects.filter(pk=pk).delete()
            return True
        _broker_failed(row.task, exc)
        OutboxTask.objects.filter(pk=pk).update(claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:300])
        return False
    _broker_answered()
    if _eager():  # it ran here
        OutboxTask.objects.filter(pk=pk).delete()
    else:
        OutboxTask.objects.filter(pk=pk).update(claimed_at=None, sent_at=now, last_error="")
    return True


def task_finished(request: Any, state: str | None) -> None:
    """A worker ran a task (Celery's ``task_postrun``): the row of an outbox task is done with,
    unless the task is to be retried (its own retry policy, as with ``.delay()``)."""
    outbox_id = getattr(request, OUTBOX_HEADER, None) or (getattr(request, "headers", None) or {}).get(OUTBOX_HEADER)
    if outbox_id is not None and state != "RETRY":
        OutboxTask.objects.filter(pk=outbox_id).delete()


def drain(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Send what is waiting, oldest first, and again what the broker took long ago without a
    worker running it (lost); stop at the first failure (the broker is away)."""
    now = now or timezone.now()
    resend_before = now - dt.timedelta(seconds=settings.OUTBOX_RESEND_SECONDS)
    waiting = Q(sent_at__isnull=True) & (Q(attempts__gt=0) | ~Q(last_error="") | Q(created_at__lte=now - GRACE))
    due = (
        OutboxTask.objects.filter(waiting | Q(sent_at__lt=resend_before))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(due):
        if send(pk, now=now):
            sent += 1
        elif broker_known_down():
            break
    return sent


def nudge(task: str) -> None:
    """Ask for ``task`` once the current transaction commits, if the broker answers; nothing is
    kept (for tasks a periodic run does anyway)."""
    transaction.on_commit(partial(_nudge, task), robust=True)


def _nudge(task: str) -> None:
    if broker_known_down():
        return
    try:
        _publish(task, [], {})
    except Exception as exc:  # noqa: BLE001 - the periodic run does it instead
        if _eager():
            logger.exception("task %s failed", task)
        else:
            _broker_failed(task, exc)
        return
    _broker_answered()
