"""Counting wrong ballot-code attempts per client, in the cache.

Only a hash of the client address is used as a cache key, and it expires with
the window: the throttle keeps no lasting trace of who tried which code.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CODE_ATTEMPTS_LIMIT = 10
CODE_ATTEMPTS_WINDOW = 10 * 60  # seconds


def client_address(request: HttpRequest) -> str:
    """The client's address; behind the TLS proxy, the one the proxy appended to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        # The rightmost entry is the one our own proxy added; the others can be forged by the client.
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_address(request)}".encode()).hexdigest()[:32]
    return f"ballot-code-fail:{digest}"


def code_attempts_exhausted(request: HttpRequest) -> bool:
    """True when this client has made too many wrong attempts in the current window."""
    return cache.get(_key(request), 0) >= CODE_ATTEMPTS_LIMIT


def code_attempt_failed(request: HttpRequest) -> None:
    """Count one wrong attempt; the window starts at the first one."""
    key = _key(request)
    if cache.add(key, 1, CODE_ATTEMPTS_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, CODE_ATTEMPTS_WINDOW)
