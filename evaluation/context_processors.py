"""What the navigation needs from the evaluation app: each programme's annual ranking of the current year."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from departments.models import Programme
from evaluation.models import annual_key


def programme_navigation(request: HttpRequest) -> dict:
    """`nav_annual`: (programme name, annual key) per programme, work style first; read only when a page shows it."""

    def annual_links() -> list[tuple[str, str]]:
        year = timezone.localdate().year
        return [(programme.name, annual_key(programme.code, year)) for programme in Programme.objects.all()]

    return {"nav_annual": annual_links}
