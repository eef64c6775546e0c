"""Django's Redis cache with one client object per connection pool.

Django's client builds a new ``redis.Redis`` for every cache operation, and building one costs
more than the round trip to Redis (it fills a table of response callbacks). The queue snapshot
and the ticket issue path make several cache operations per request, so the client is built
once per pool and reused; ``redis.Redis`` is thread-safe over its pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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
