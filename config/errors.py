"""Error pages: a view's 404 is the site's own page in development mode too; a body over the limit says so."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import page_not_found


class FriendlyNotFoundMiddleware:
    """Render the site's 404 page for an Http404 raised by a view, whatever DEBUG says.

    With DEBUG on, Django answers a view's Http404 with its technical page (URL patterns, the raising view), which
    testers and demo users then see, e.g. a viewer opening an unpublished quarter. An address that matches no URL
    pattern never reaches a view, so developers still get the technical page for a mistyped URL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (handler400), with the request's context; a form over the size limit is told apart (413)."""
    too_large = isinstance(exception, RequestDataTooBig)
    return render(request, "400.html", {"too_large": too_large}, status=413 if too_large else 400)
