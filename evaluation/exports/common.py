"""Helpers shared by the exporters."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def header(english: str, chinese: str) -> str:
    """Importable headers: the contract's English name, or its Chinese alias when Chinese is active."""
    return chinese if (translation.get_language() or "").startswith("zh") else english
