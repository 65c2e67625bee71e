"""Counting failed attempts in the cache (wrong passwords, wrong ballot codes).

Only a keyed hash of what is counted (a client address, an account, a device) reaches the cache, and
it expires with its window: throttling keeps no lasting trace of who tried what. Counting is one
atomic increment (Redis INCR when REDIS_URL is set, a locked increment in the in-process cache), so
simultaneous attempts cannot slip past a limit between a check and an increment. README "Limits on
guessing" says what each limit is and why.
"""

from __future__ import annotations

import contextlib
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
    """At most `limit` failures per key (the parts given) within `window` seconds of the first one."""

    name: str
    limit: int
    window: int

    def _key(self, parts: tuple[str, ...]) -> str:
        material = ":".join((settings.SECRET_KEY, self.name, *parts))
        return f"throttle:{self.name}:{hashlib.sha256(material.encode()).hexdigest()[:32]}"

    def exhausted(self, *parts: str) -> bool:
        return cache.get(self._key(parts), 0) >= self.limit

    def hit(self, *parts: str) -> bool:
        """Count one failure; True while it is within the limit. Later failures do not extend the window."""
        key = self._key(parts)
        if (count_within := getattr(cache, "count", None)) is not None:  # Redis (config.cache): one script
            return count_within(key, self.window) <= self.limit
        if cache.add(key, 1, self.window):
            return self.limit >= 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            count = 1 if cache.add(key, 1, self.window) else cache.incr(key)
        if count == 1:
            # Recreated by the increment itself after an expiry: give it its window again.
            cache.touch(key, self.window)
        return count <= self.limit

    def release(self, *parts: str) -> None:
        """Take back one counted attempt that turned out not to be a failure."""
        with contextlib.suppress(ValueError):  # already expired
            cache.decr(self._key(parts))

    def reset(self, *parts: str) -> None:
        cache.delete(self._key(parts))


# Wrong passwords per client address and account: a lockout that only reaches that one address, so
# nobody can lock a user out from elsewhere.
LOGIN_ATTEMPTS = Throttle("login", limit=10, window=15 * 60)
# Wrong passwords per client address, whatever the account: stops one address spraying many accounts.
LOGIN_ADDRESS_ATTEMPTS = Throttle("login-address", limit=50, window=15 * 60)


def login_refused(request: HttpRequest, username: str) -> bool:
    """True when this address may not try a password for `username` now."""
    address = client_address(request)
    return LOGIN_ADDRESS_ATTEMPTS.exhausted(address) or LOGIN_ATTEMPTS.exhausted(address, username)


def login_failed(request: HttpRequest, username: str) -> None:
    address = client_address(request)
    LOGIN_ATTEMPTS.hit(address, username)
    LOGIN_ADDRESS_ATTEMPTS.hit(address)


def login_succeeded(request: HttpRequest, username: str) -> None:
    """Start the account's count at this address again; the address's own count runs on, so one
    account's password cannot be used to reset the budget for guessing others."""
    LOGIN_ATTEMPTS.reset(client_address(request), username)
