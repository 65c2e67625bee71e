"""Access rules shared by the evaluation group's pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from evaluation.models import Quarter

MANAGE = "evaluation.manage_quarters"


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; accounts without manage_quarters get 403."""
    return login_required(permission_required(MANAGE, raise_exception=True)(view))


def managed_quarter(code: str) -> Quarter:
    """A quarter for the evaluation group: every manager may run every quarter."""
    return get_object_or_404(Quarter, code=code)
