"""The Redis cache backend: Django's, with one redis-py client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and building one
sets up its table of about 170 response callbacks: 0.15 ms of CPU per call, more than the call's own
round trip on the same machine. A page reads the session, a throttle counter, a results version and a
cached fragment, so that cost came back several times per request. A `redis.Redis` is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept.

Django's `incr` asks whether the key exists and then increments it: two round trips, and a key that expires
between them comes back without an expiry. Here one server-side script does both, atomically. `count`, which
Django's caches lack, counts an attempt in one round trip too (departments.throttle).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._clients_lock = threading.Lock()
        self._increments: dict[int, Any] = {}  # per kept client: the script of `incr`, loaded once
        self._counts: dict[int, Any] = {}  # and of `count`

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._clients_lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def incr(self, key: Any, delta: int) -> int:
        """Add `delta` to the number under `key` in one round trip; ValueError when the key is missing (as Django's)."""
        client = self.get_client(key, write=True)
        script = self._increments.get(id(client))
        if script is None:
            script = self._increments.setdefault(id(client), client.register_script(_INCR_PRESENT))
        found = script(keys=[key], args=[delta])
        if found is None:
            raise ValueError(f"Key '{key}' not found.")
        return found

    def count(self, key: Any, window: int) -> int:
        """One more under `key`, which a first count creates to expire in `window` seconds; the count now."""
        client = self.get_client(key, write=True)
        script = self._counts.get(id(client))
        if script is None:
            script = self._counts.setdefault(id(client), client.register_script(_COUNT))
        return script(keys=[key], args=[window])


# KEYS[1] increased by ARGV[1] if it exists; nil (None) if it does not. Redis runs a script atomically.
_INCR_PRESENT = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"
# KEYS[1] increased by one; a key the increment created (count 1) expires in ARGV[1] seconds, and later counts
# leave its expiry alone. An integer is stored as its digits (Django's RedisSerializer), so `get` reads it back.
_COUNT = "local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end return n"


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: Any, window: int, version: int | None = None) -> int:
        """Count one attempt under `key` in one round trip (see RedisCacheClient.count); the count now."""
        return self._cache.count(self.make_and_validate_key(key, version=version), window)


class ProcessKept:
    """The last few values a server process read from the cache, kept in its memory for a few seconds.

    Only for keys that name one immutable value (a version token or a snapshot in the key): what a key names
    cannot change, so a process may answer from memory what the cache would answer, without the transfer and
    the unpickling. The seconds bound how long a process outlives the cache's own expiry of the key.
    """

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self._kept: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        """The value kept under `key`, or None (gone, expired, or never kept here)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] < time.monotonic():
                return None
            self._kept.move_to_end(key)
            return kept[1]

    def keep(self, key: str, value: Any) -> None:
        with self._lock:
            self._kept[key] = (time.monotonic() + self.seconds, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
