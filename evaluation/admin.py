"""Django admin for the evaluation data: to look things up, never to change them.

Quarters, adjustments and problems change only through the application's own pages and commands, which check
the lifecycle (settings lock once a quarter holds ballots, nothing changes once published) and write the audit
log; an admin form would do neither. The organisation (units and people) is the master data edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from audit.models import AuditEntry
from departments.admin import NullSafeFiltersMixin
from evaluation.models import Adjustment, Criterion, Level, Problem, Quarter


class ReadOnlyMixin:
    """Admin pages that show records and offer no way to add, change or delete them."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class CriterionInline(ReadOnlyMixin, admin.TabularInline):
    model = Criterion
    extra = 0


class LevelInline(ReadOnlyMixin, admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Quarter)
class QuarterAdmin(NullSafeFiltersMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title", "status", "scale", "weight_grassroots", "weight_peer", "weight_leadership"]
    list_filter = ["status"]
    inlines = [CriterionInline, LevelInline]


@admin.register(Adjustment)
class AdjustmentAdmin(NullSafeFiltersMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["quarter", "department", "points", "reason", "origin", "created_at"]
    list_filter = ["quarter"]


@admin.register(AuditEntry)
class AuditEntryAdmin(NullSafeFiltersMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "quarter", "action", "summary"]
    list_filter = ["action", "quarter"]


@admin.register(Problem)
class ProblemAdmin(NullSafeFiltersMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "quarter", "department", "raising_unit", "status", "due_on"]
    list_filter = ["status", "quarter"]
