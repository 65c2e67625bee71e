"""Counting failed attempts per client in the cache (wrong passwords, wrong ballot codes).

Only a keyed hash of the client address (and of the other key parts) reaches the
cache, and it expires with its window: throttling keeps no lasting trace of who
tried what.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address; behind the TLS proxy, the one the proxy appended to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        # The rightmost entry is the one our own proxy added; the others can be forged by the client.
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Throttle:
    """At most `limit` failures per client (and key parts) within `window` seconds of the first one."""

    name: str
    limit: int
    window: int

    def _key(self, request: HttpRequest, parts: tuple[str, ...]) -> str:
        material = ":".join((settings.SECRET_KEY, client_address(request), *parts))
        return f"throttle:{self.name}:{hashlib.sha256(material.encode()).hexdigest()[:32]}"

    def exhausted(self, request: HttpRequest, *parts: str) -> bool:
        return cache.get(self._key(request, parts), 0) >= self.limit

    def fail(self, request: HttpRequest, *parts: str) -> None:
        """Count one failure; later failures do not extend the window."""
        key = self._key(request, parts)
        if cache.add(key, 1, self.window):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, self.window)

    def reset(self, request: HttpRequest, *parts: str) -> None:
        cache.delete(self._key(request, parts))


# Wrong passwords, per client address and username.
LOGIN_ATTEMPTS = Throttle("login", limit=10, window=15 * 60)
