"""A trivial page for load balancers and for the benchmarks' baseline: the stack without the application."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Answer "ok" without touching the database: the process is up and serving requests."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
