"""Health pages for load balancers and orchestrators, and the benchmarks' trivial baseline.

Liveness (`/health/live/`, and `/health/` for the load balancers and benchmarks that already use it):
the process is up and serving requests; it touches no database, so a database outage does not get
healthy processes restarted. Readiness (`/health/ready/`): the process can also reach the database,
so a load balancer stops sending voters to a server that could not store their ballots.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _plain(text: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: answer "ok" without touching the database."""
    return _plain("ok")


@never_cache
@require_GET
def health_ready(request: HttpRequest) -> HttpResponse:
    """Readiness: "ok" once the database answers a trivial query, 503 while it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Readiness check failed: the database is unreachable", exc_info=True)
        return _plain("database unavailable", status=503)
    return _plain("ok")
