"""Error pages: a view's 404 is the site's own page in development mode too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
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
