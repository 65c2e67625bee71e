"""Helpers shared by the exporters."""

from __future__ import annotations

from django.utils.translation import gettext as _


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
