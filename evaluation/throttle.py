"""Wrong ballot codes, counted per client address.

The ballot page and the unit's problems page share one budget, so neither can be
used to try more codes than the other allows.
"""

from __future__ import annotations

from django.http import HttpRequest

from departments.throttle import Throttle

CODE_ATTEMPTS_LIMIT = 10
CODE_ATTEMPTS_WINDOW = 10 * 60  # seconds
CODE_ATTEMPTS = Throttle("ballot-code", limit=CODE_ATTEMPTS_LIMIT, window=CODE_ATTEMPTS_WINDOW)


def code_attempts_exhausted(request: HttpRequest) -> bool:
    """True when this client has made too many wrong attempts in the current window."""
    return CODE_ATTEMPTS.exhausted(request)


def code_attempt_failed(request: HttpRequest) -> None:
    """Count one wrong attempt; the window starts at the first one."""
    CODE_ATTEMPTS.fail(request)
