"""System checks of the directory login settings (README, "Directory login")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from departments.roles import Role


@checks.register()
def check_directory_roles(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """LDAP_ROLE_GROUPS may only name the product's roles: a misspelt one would silently give nothing."""
    unknown = sorted(set(getattr(settings, "DIRECTORY_ROLE_GROUPS", {})) - set(Role.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"LDAP_ROLE_GROUPS names roles that do not exist: {', '.join(unknown)}.",
            hint=f"The roles are: {', '.join(Role.values)}.",
            id="departments.E001",
        )
    ]
