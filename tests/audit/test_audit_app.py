"""The audit log in an app of its own: entries written before the move are read after it, in the same table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from evaluation.references import install_references, remove_references

BEFORE = [("evaluation", "0002_audit_summaries_by_language"), ("audit", None)]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    """As `manage.py migrate` does, with the ballot values' triggers taken off before and put back after (the
    command's pre_migrate and post_migrate; evaluation.references)."""
    remove_references()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    install_references()
    return executor


@pytest.mark.django_db(transaction=True)
def test_entries_and_permissions_written_before_the_move_are_kept() -> None:
    executor = migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE[:1]).apps
    old_entry = old_apps.get_model("evaluation", "AuditEntry").objects.create(
        action="org_imported", summary="before the move", summaries={"en": "before the move"}
    )
    assert ContentType.objects.filter(app_label="evaluation", model="auditentry").exists()

    migrate(executor.loader.graph.leaf_nodes())

    entry = AuditEntry.objects.get(pk=old_entry.pk)
    assert (entry.action, entry.summary) == (AuditAction.ORG_IMPORTED, "before the move")
    assert AuditEntry._meta.db_table == "evaluation_auditentry"
    assert not ContentType.objects.filter(app_label="evaluation", model="auditentry").exists()
    assert Permission.objects.filter(content_type__app_label="audit", codename="view_auditentry").exists()


@pytest.mark.django_db
def test_departments_and_evaluation_write_through_the_same_service(org) -> None:
    entry = audit_record(action=AuditAction.ORG_IMPORTED, summary=lambda: "org")
    assert AuditEntry.objects.get() == entry
    assert entry.actor is None
    assert set(entry.summaries) == {"zh-hans", "en"}
