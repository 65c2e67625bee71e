"""Wrong ballot codes, counted per device and per client address, for a meeting hall behind one NAT.

Per device (a signed, random cookie that lives as long as the window): after too many wrong codes the
device is told to wait, but a valid code is still served to it, so one person's typos hold back
nobody, themselves included. Per address, a bound sized for a hall of hundreds of phones caps what
one address can try, whatever it does with its cookies: every lookup is counted before it is made
(atomically, so simultaneous requests cannot overrun it) and given back when the code exists, so only
codes that match nothing use it up. A used code is answered "already used" and not counted (a double
tap is no guess). The ballot page and the unit's problems page share these budgets.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from departments.throttle import Throttle, client_address

CODE_ATTEMPTS_WINDOW = 10 * 60  # seconds
# Per device: a person mistyping their slip gets ten tries in ten minutes.
CODE_DEVICE_LIMIT = 10
# Per address: a plant meeting's hundreds of phones behind one NAT, each allowed a typo or two.
CODE_ADDRESS_LIMIT = 200
CODE_DEVICE_ATTEMPTS = Throttle("ballot-code-device", limit=CODE_DEVICE_LIMIT, window=CODE_ATTEMPTS_WINDOW)
CODE_ADDRESS_ATTEMPTS = Throttle("ballot-code-address", limit=CODE_ADDRESS_LIMIT, window=CODE_ATTEMPTS_WINDOW)

DEVICE_COOKIE = "ballot_device"
_DEVICE_SALT = "evaluation.throttle.device"


def _device(request: HttpRequest) -> str:
    """This device's random id: from its signed cookie, or a new one the response will set."""
    device = getattr(request, "_ballot_device", None)
    if device is None:
        device = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=_DEVICE_SALT, max_age=CODE_ATTEMPTS_WINDOW)
        if not device:
            device = secrets.token_urlsafe(16)
            request._ballot_device_new = True
        request._ballot_device = device
    return device


def code_lookup_allowed(request: HttpRequest) -> bool:
    """Before looking a code up: count it against the address; False (refuse unseen) once over the bound."""
    return CODE_ADDRESS_ATTEMPTS.hit(client_address(request))


def code_found(request: HttpRequest) -> None:
    """The code exists (used or not): it was no guess, so the address gets its attempt back."""
    CODE_ADDRESS_ATTEMPTS.release(client_address(request))


def code_attempt_failed(request: HttpRequest) -> bool:
    """Count one wrong code against this device; False once the device is over its limit."""
    return CODE_DEVICE_ATTEMPTS.hit(_device(request))


def with_device_cookie(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give a device that was counted a wrong code its cookie, so its next tries count against it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if getattr(request, "_ballot_device_new", False):
            response.set_signed_cookie(
                DEVICE_COOKIE,
                request._ballot_device,
                salt=_DEVICE_SALT,
                max_age=CODE_ATTEMPTS_WINDOW,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return wrapped
