"""The display names of ranking groups and sources, in the active language: one home for pages and exports."""

from __future__ import annotations

from departments.models import UnitKind
from evaluation.models import source_label

__all__ = ["group_label", "source_label"]


def group_label(group: str) -> str:
    """A ranking group's display name: the kind's label for the default groups, else the group's own name."""
    return str(UnitKind(group).label) if group in UnitKind.values else group
