"""Redis behind Sentinel: the settings read from the environment, the cache's connection pool.

``REDIS_SENTINELS="10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379"`` and ``REDIS_SENTINEL_MASTER``
(the name the sentinels watch) turn it on. ``REDIS_URL`` then gives only the database number and
the master's password (``redis://:password@master/2``; its host is ignored: the sentinels say
which server is the master, and after a failover the next connection goes to the new one);
``REDIS_SENTINEL_PASSWORD`` is the sentinels' own password, if they have one.

- The Django cache (``servicehall.cache.FailSoftRedisCache``) builds its pool with
  ``SentinelPool.from_url``: a redis-py ``SentinelConnectionPool`` for the master, so the cache's
  fail-soft behaviour is unchanged (an operation during the failover is served from memory).
- Celery's broker becomes ``sentinel://host:port/db;sentinel://…`` with kombu's transport options
  ``master_name`` (and ``sentinel_kwargs`` for the sentinels' password).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_SENTINEL_PORT = 26379
# The cache location when sentinels are used: only its database number and password are read.
_LOCATION_HOST = "sentinel-master"


@dataclass(frozen=True)
class SentinelConfig:
    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int
    password: str
    sentinel_password: str

    @property
    def cache_location(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}{_LOCATION_HOST}/{self.db}"

    @property
    def broker_url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return ";".join(f"sentinel://{auth}{host}:{port}/{self.db}" for host, port in self.sentinels)

    @property
    def broker_transport_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"master_name": self.master}
        if self.sentinel_password:
            options["sentinel_kwargs"] = {"password": self.sentinel_password}
        return options


def _parse_sentinel(item: str) -> tuple[str, int]:
    host, sep, port_text = item.rpartition(":")
    if not sep:
        host, port_text = item, str(DEFAULT_SENTINEL_PORT)
    host = host.strip("[]")
    if not host:
        raise ImproperlyConfigured(f"REDIS_SENTINELS: {item!r} names no host (expected host:port).")
    try:
        port = int(port_text)
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_SENTINELS: {item!r} has no valid port (expected host:port).") from None
    if not 0 < port < 65536:
        raise ImproperlyConfigured(f"REDIS_SENTINELS: port {port} of {item!r} is out of range.")
    return host, port


def sentinel_config(
    raw: str, *, master: str, redis_url: str = "", sentinel_password: str = ""
) -> SentinelConfig | None:
    """The Sentinel settings from ``REDIS_SENTINELS`` and friends; None when it is empty."""
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        if master:
            raise ImproperlyConfigured("REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is empty.")
        return None
    if not master:
        raise ImproperlyConfigured("REDIS_SENTINELS is set: REDIS_SENTINEL_MASTER must name the master they watch.")
    db, password = 0, ""
    if redis_url:
        parts = urlsplit(redis_url)
        if parts.scheme not in ("redis", "rediss"):
            raise ImproperlyConfigured("With REDIS_SENTINELS, REDIS_URL must be a redis:// URL (its db and password).")
        path = parts.path.strip("/")
        if path:
            try:
                db = int(path)
            except ValueError:
                raise ImproperlyConfigured(f"REDIS_URL's database {path!r} is not a number.") from None
        password = unquote(parts.password or "")
    return SentinelConfig(
        sentinels=tuple(_parse_sentinel(item) for item in items),
        master=master,
        db=db,
        password=password,
        sentinel_password=sentinel_password,
    )


class SentinelPool:
    """The ``pool_class`` of the Django cache under Sentinel: Django calls ``from_url`` with the
    cache's location and its OPTIONS; the pool asks the sentinels for the master."""

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Any:
        from django.conf import settings
        from redis.sentinel import Sentinel, SentinelConnectionPool

        config: SentinelConfig | None = settings.SENTINEL
        if config is None:
            raise ImproperlyConfigured("SentinelPool needs REDIS_SENTINELS and REDIS_SENTINEL_MASTER.")
        parts = urlsplit(url)
        timeouts: dict[str, Any] = {k: options[k] for k in ("socket_timeout", "socket_connect_timeout") if k in options}
        sentinel_kwargs: dict[str, Any] = dict(timeouts)
        if config.sentinel_password:
            sentinel_kwargs["password"] = config.sentinel_password
        manager = Sentinel(list(config.sentinels), sentinel_kwargs=sentinel_kwargs, **timeouts)
        return SentinelConnectionPool(
            config.master,
            manager,
            db=int(parts.path.strip("/") or 0),
            password=unquote(parts.password) if parts.password else None,
            **options,
        )
