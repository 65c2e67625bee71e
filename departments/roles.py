"""Roles are Django groups; what each may do is a set of permissions.

The groups are created (and their permissions reset) after every `migrate`,
so a database always matches this table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EVALUATOR = "evaluator", _("Evaluation group")
    LEADER = "leader", _("Group leader")
    DEPARTMENT_REP = "department_rep", _("Department representative")
    GRASSROOTS_RATER = "grassroots_rater", _("Grassroots rater")
    VIEWER = "viewer", _("Viewer")


# "app_label.codename" of the permissions each role holds. The admin role also
# holds every model permission of the project's apps (see sync_role_groups).
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        "departments.import_org",
        "evaluation.manage_quarters",
        "evaluation.view_provisional_results",
        "evaluation.view_published_results",
        "evaluation.reopen_published_quarter",
        "evaluation.finalise_during_announcement",
    },
    Role.EVALUATOR: {
        "evaluation.manage_quarters",
        "evaluation.view_provisional_results",
        "evaluation.view_published_results",
    },
    Role.LEADER: {
        "evaluation.submit_leadership_ballot",
        "evaluation.view_provisional_results",
        "evaluation.view_published_results",
    },
    Role.DEPARTMENT_REP: {
        "evaluation.submit_peer_ballot",
        "evaluation.answer_problem",
        "evaluation.file_objection",
        "evaluation.view_published_results",
    },
    Role.GRASSROOTS_RATER: {
        "evaluation.submit_grassroots_ballot",
        "evaluation.view_published_results",
    },
    Role.VIEWER: {"evaluation.view_published_results"},
}

# Roles whose accounts must belong to a unit, and the kinds of unit allowed.
ROLES_NEEDING_UNIT = {Role.DEPARTMENT_REP, Role.GRASSROOTS_RATER}

ADMIN_MODEL_APPS = ("audit", "departments", "evaluation", "auth")


def sync_role_groups(**kwargs: Any) -> None:
    """Create the role groups and give each exactly its permissions."""
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [all_perms[name] for name in codenames if name in all_perms]
        if role == Role.ADMIN:
            wanted += [p for name, p in all_perms.items() if name.split(".")[0] in ADMIN_MODEL_APPS]
        group.permissions.set(wanted)
