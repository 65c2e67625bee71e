from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from departments.models import Programme, Unit, User


class NullSafeFiltersMixin:
    """A list filter or lookup holding NUL is refused as Django's admin refuses any bad lookup (it redirects to
    the list with ?e=1), instead of reaching the query: PostgreSQL refuses NUL in text, a server error."""

    def get_changelist_instance(self, request: Any) -> Any:
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters
        return super().get_changelist_instance(request)


@admin.register(Unit)
class UnitAdmin(NullSafeFiltersMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "ranking_group", "order", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    list_editable = ["order", "active"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Programme)
class ProgrammeAdmin(NullSafeFiltersMixin, admin.ModelAdmin):
    """Programmes (docs/design.md, "Programmes"); work style cannot be deleted, its quarters depend on it."""

    list_display = ["code", "name", "evaluated_kinds", "scope", "order"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: Any, obj: Programme | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_workstyle)


@admin.register(User)
class UserAdmin(NullSafeFiltersMixin, BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "roles", "is_active"]
    list_filter = ["groups", "is_active", "unit__kind"]
    search_fields = ["username", "full_name", "email", "unit__name"]
    list_select_related = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "unit")}),
        (_("Roles"), {"fields": ("groups", "is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "groups")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())
