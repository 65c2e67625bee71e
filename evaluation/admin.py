from django.contrib import admin

from evaluation.models import Adjustment, AuditEntry, Criterion, Level, Problem, Quarter


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "status", "scale", "weight_grassroots", "weight_peer", "weight_leadership"]
    list_filter = ["status"]
    inlines = [CriterionInline, LevelInline]
    readonly_fields = ["status", "published_at"]


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    list_display = ["quarter", "department", "points", "reason", "origin", "created_at"]
    list_filter = ["quarter"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "quarter", "action", "summary"]
    list_filter = ["action", "quarter"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["title", "quarter", "department", "raising_unit", "status", "due_on"]
    list_filter = ["status", "quarter"]
