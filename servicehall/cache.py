"""Django's Redis cache with one client object per connection pool.

Django's client builds a new ``redis.Redis`` for every cache operation, and building one costs
more than the round trip to Redis (it fills a table of response callbacks). The queue snapshot
and the ticket issue path make several cache operations per request, so the client is built
once per pool and reused; ``redis.Redis`` is thread-safe over its pool.

``FailSoftRedisCache`` (the one configured) also keeps the portal working while Redis is away.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError


class ReusingRedisCacheClient(RedisCacheClient):
    if TYPE_CHECKING:  # private members of Django's client that django-stubs leave out
        _client: Callable[..., Any]

        def _get_connection_pool_index(self, write: bool) -> int: ...
        def _get_connection_pool(self, write: bool) -> Any: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Redis takes any key. Django checks every key of every operation for memcached's
        limits (a scan of each character, 5-10 µs a key; four keys a ticket issue, more a
        board's read); the file and memory caches of development and the tests check them still,
        so a key memcached could not hold is noticed there."""


# --- Fail soft: the database is the truth, Redis only a cache ---------------------------------

logger = logging.getLogger("servicehall.cache")

# What "Redis did not answer" looks like: refused or lost connections, timeouts, a server still
# loading its data or turned read-only by a failover (all RedisError), and socket errors.
UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError)
# After a failure, this process serves from its own memory for this long before trying Redis
# again: a request pays at most one failed attempt (refused at once, or the short connect
# timeout of settings.REDIS_CACHE) every few seconds, not one per cache operation.
RETRY_SECONDS = 5.0
# While Redis stays away, the warning is repeated at most this often per process.
WARN_EVERY_SECONDS = 60.0

# Per process (every thread's cache object shares it): when Redis may be tried again, when the
# outage began and when it was last reported.
_state: dict[str, float | None] = {"down_until": None, "since": None, "warned_at": None}
_state_lock = threading.Lock()


FALLBACK_PREFIX = "servicehall-fallback:"
# One fallback store per Redis location (LocMemCache instances of one name share it).
_fallbacks: dict[str, LocMemCache] = {}


def reset_state() -> None:
    """Forget an outage and what was kept meanwhile (tests)."""
    with _state_lock:
        _state.update(down_until=None, since=None, warned_at=None)
    for fallback in list(_fallbacks.values()):
        fallback.clear()


def degraded() -> bool:
    """True while this process serves the cache from its own memory (Redis did not answer)."""
    return _state["since"] is not None


def _went_down(exc: BaseException) -> None:
    now = time.monotonic()
    with _state_lock:
        first = _state["since"] is None
        if first:
            _state["since"] = now
        _state["down_until"] = now + RETRY_SECONDS
        warned_at = _state["warned_at"]
        warn = warned_at is None or now - warned_at >= WARN_EVERY_SECONDS
        if warn:
            _state["warned_at"] = now
    if warn:
        logger.warning(
            "the shared cache (Redis) did not answer (%s: %s); serving from this process's memory and the "
            "database%s, trying again every %.0f s",
            type(exc).__name__,
            exc,
            "" if first else " (still)",
            RETRY_SECONDS,
        )


# Called (in the process that noticed) once Redis answers again after an outage: what this
# process wrote meanwhile went to its own memory (the catalog's page-cache generations, issue 14).
_recovery_callbacks: list[Callable[[], None]] = []


def on_recovery(callback: Callable[[], None]) -> None:
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


def _came_back() -> None:
    with _state_lock:
        since = _state["since"]
        _state.update(down_until=None, since=None, warned_at=None)
    if since is not None:
        logger.warning("the shared cache (Redis) answers again after %.0f s", time.monotonic() - since)
        for callback in _recovery_callbacks:
            try:
                callback()
            except Exception:  # a cache again unavailable: the next recovery calls it again
                logger.warning("after the outage: %s failed", callback.__qualname__, exc_info=True)


def _fail_soft(name: str) -> Callable[..., Any]:
    redis_method = getattr(ReusingRedisCache, name)

    def method(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Any:
        down_until = _state["down_until"]
        if down_until is not None and time.monotonic() < down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except UNAVAILABLE as exc:
            _went_down(exc)
            return getattr(self._local, name)(*args, **kwargs)
        if _state["since"] is not None:
            _came_back()
        return result

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


# --- Several operations in one round trip (issue 14) ------------------------------------------
# The ticket issue made six calls to Redis: the rate-limit counter (Django's ``incr`` asks
# whether the key exists first, then adds), the queue categories' version, the hall's published
# queue, and after the commit the dirty mark and the console generation. Each is a round trip
# that costs more than the work; these two helpers do their part in one pipeline each (no
# MULTI: nothing here needs the commands to be atomic together). Caches other than Redis, and
# Redis while it is away, do the same operations one at a time.


def _pipelined(name: str) -> Callable[..., Any]:
    """A ``FailSoftRedisCache`` method run through one pipeline (``_<name>_pipeline``), or by the
    process's own memory (``_<name>_local``) while Redis is away, as ``_fail_soft`` does."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        down_until = _state["down_until"]
        if down_until is not None and time.monotonic() < down_until:
            return getattr(self, f"_{name}_local")(*args, **kwargs)
        try:
            result = getattr(self, f"_{name}_pipeline")(*args, **kwargs)
        except UNAVAILABLE as exc:
            _went_down(exc)
            return getattr(self, f"_{name}_local")(*args, **kwargs)
        if _state["since"] is not None:
            _came_back()
        return result

    method.__name__ = name
    return method


class FailSoftRedisCache(ReusingRedisCache):
    """The Redis cache, falling back to this process's memory while Redis does not answer.

    Nothing the portal keeps in the cache is the truth: queue snapshots and their dirty marks are
    rebuilt from the database, rate-limit counters restart, memoised answers are recomputed. So
    an operation that cannot reach Redis is served by a local-memory cache of the same process
    instead of raising (one warning per outage, repeated at most every minute), and Redis is
    tried again a few seconds later. While degraded, what one process writes the others do not
    see: each serves its own snapshots (rebuilt from the database at least every
    ``queueing.snapshot.DEGRADED_FRESH_SECONDS``) and counts its own rate limits (see
    docs/decisions.md, "When Redis is down").
    """

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # LocMemCache instances of one name share their store across the threads of a process.
        name = f"{FALLBACK_PREFIX}{server}"
        self._local = _fallbacks[name] = LocMemCache(
            name, {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 20000}}
        )

    add = _fail_soft("add")
    get = _fail_soft("get")
    set = _fail_soft("set")
    touch = _fail_soft("touch")
    delete = _fail_soft("delete")
    get_many = _fail_soft("get_many")
    has_key = _fail_soft("has_key")
    incr = _fail_soft("incr")
    set_many = _fail_soft("set_many")
    delete_many = _fail_soft("delete_many")
    clear = _fail_soft("clear")

    def ping(self) -> bool:
        """Whether Redis itself answers now (``/readyz``), whatever the fallback does."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNAVAILABLE:
            return False

    def _exchange(self, commands: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Send ``commands`` to Redis in one write and read their replies, in order: a pipeline
        (no ``MULTI``) without redis-py's ``Pipeline`` around it, whose command stack, reply
        callbacks and retry wrapper cost more CPU than the round trip itself (issue 14: two of
        these a ticket issue). The connection comes from the client's pool (which reconnects
        one Redis has closed); one that fails half-way, or answers with an error, is closed
        rather than put back out of step, and the error raised."""
        pool = self._cache.get_client(write=True).connection_pool
        connection = pool.get_connection()
        try:
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _ in commands]
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def _count_and_get_many_pipeline(
        self, counter: str, *, timeout: int, keys: Sequence[str]
    ) -> tuple[int, dict[str, Any]]:
        name = self.make_and_validate_key(counter)
        names = [self.make_and_validate_key(key) for key in keys]
        commands = _count(name, timeout)
        if names:
            commands.append(("MGET", *names))
        results = self._exchange(commands)
        loads = cast(Any, self._cache)._serializer.loads
        found = (
            {key: loads(value) for key, value in zip(keys, results[2], strict=True) if value is not None}
            if names
            else {}
        )
        return int(results[1]), found

    def _count_and_get_many_local(
        self, counter: str, *, timeout: int, keys: Sequence[str]
    ) -> tuple[int, dict[str, Any]]:
        return _count_one_at_a_time(self._local, counter, timeout), self._local.get_many(keys) if keys else {}

    def _count_many_pipeline(self, counters: Mapping[str, int]) -> list[int]:
        return self._count_many_and_get_pipeline(counters, keys=())[0]

    def _count_many_local(self, counters: Mapping[str, int]) -> list[int]:
        return self._count_many_and_get_local(counters, keys=())[0]

    def _count_many_and_get_pipeline(
        self, counters: Mapping[str, int], *, keys: Sequence[str]
    ) -> tuple[list[int], dict[str, Any]]:
        commands = []
        for counter, timeout in counters.items():
            commands += _count(self.make_and_validate_key(counter), timeout)
        if keys:
            commands.append(("MGET", *(self.make_and_validate_key(key) for key in keys)))
        results = self._exchange(commands)
        counts = [int(count) for count in results[1 : 2 * len(counters) : 2]]
        if not keys:
            return counts, {}
        loads = cast(Any, self._cache)._serializer.loads
        return counts, {key: loads(value) for key, value in zip(keys, results[-1], strict=True) if value is not None}

    def _count_many_and_get_local(
        self, counters: Mapping[str, int], *, keys: Sequence[str]
    ) -> tuple[list[int], dict[str, Any]]:
        counts = [_count_one_at_a_time(self._local, counter, timeout) for counter, timeout in counters.items()]
        return counts, self._local.get_many(keys) if keys else {}

    def _write_many_pipeline(self, sets: Mapping[str, tuple[Any, int]], deletes: Sequence[str]) -> None:
        dumps = cast(Any, self._cache)._serializer.dumps
        commands: list[tuple[Any, ...]] = [
            ("SET", self.make_and_validate_key(key), dumps(value), "EX", timeout)
            for key, (value, timeout) in sets.items()
        ]
        if deletes:
            commands.append(("DEL", *(self.make_and_validate_key(key) for key in deletes)))
        self._exchange(commands)

    def _write_many_local(self, sets: Mapping[str, tuple[Any, int]], deletes: Sequence[str]) -> None:
        write_many(sets, deletes, backend=self._local)

    count_and_get_many = _pipelined("count_and_get_many")
    count_many = _pipelined("count_many")
    count_many_and_get = _pipelined("count_many_and_get")
    write_many = _pipelined("write_many")


def _count(name: str, timeout: int) -> list[tuple[Any, ...]]:
    # SET … NX EX creates the counter with its expiry only if it is missing; INCRBY counts.
    return [("SET", name, 0, "EX", timeout, "NX"), ("INCRBY", name, 1)]


def _count_one_at_a_time(backend: Any, counter: str, timeout: int) -> int:
    try:
        return int(backend.incr(counter))
    except ValueError:  # the window's first request: create the counter (another may race us)
        if backend.add(counter, 1, timeout):
            return 1
        try:
            return int(backend.incr(counter))
        except ValueError:  # created by another and gone again (evicted, flushed): count this one
            backend.set(counter, 1, timeout)
            return 1


def count_and_get_many(
    counter: str, *, timeout: int, keys: Sequence[str] = (), backend: Any = None
) -> tuple[int, dict[str, Any]]:
    """Add one to the counter ``counter`` (created at 1 and kept ``timeout`` seconds from then)
    and read ``keys``: (the new count, the values found, by key)."""
    from django.core.cache import caches

    backend = caches["default"] if backend is None else backend  # the backend, not the proxy
    if isinstance(backend, FailSoftRedisCache):
        return backend.count_and_get_many(counter, timeout=timeout, keys=keys)
    return _count_one_at_a_time(backend, counter, timeout), backend.get_many(keys) if keys else {}


def count_many(counters: Mapping[str, int], *, backend: Any = None) -> list[int]:
    """Add one to each counter (name → seconds it is kept from its creation, at 1) in one round
    trip: the new counts, in the order given."""
    from django.core.cache import caches

    backend = caches["default"] if backend is None else backend  # the backend, not the proxy
    if isinstance(backend, FailSoftRedisCache):
        return backend.count_many(counters)
    return [_count_one_at_a_time(backend, counter, timeout) for counter, timeout in counters.items()]


def count_many_and_get(
    counters: Mapping[str, int], *, keys: Sequence[str], backend: Any = None
) -> tuple[list[int], dict[str, Any]]:
    """``count_many``, and the cache entries ``keys`` read in the same round trip (a booking reads
    the working calendar's version with its two rate limits): (the new counts, the values found)."""
    from django.core.cache import caches

    backend = caches["default"] if backend is None else backend  # the backend, not the proxy
    if isinstance(backend, FailSoftRedisCache):
        return backend.count_many_and_get(counters, keys=keys)
    counts = [_count_one_at_a_time(backend, counter, timeout) for counter, timeout in counters.items()]
    return counts, backend.get_many(keys) if keys else {}


def write_many(sets: Mapping[str, tuple[Any, int]], deletes: Sequence[str] = (), *, backend: Any = None) -> None:
    """Set each key of ``sets`` to its (value, timeout in seconds) and delete ``deletes``."""
    from django.core.cache import caches

    backend = caches["default"] if backend is None else backend  # the backend, not the proxy
    if isinstance(backend, FailSoftRedisCache):
        backend.write_many(sets, deletes)
        return
    for key, (value, timeout) in sets.items():
        backend.set(key, value, timeout)
    if deletes:
        backend.delete_many(deletes)
