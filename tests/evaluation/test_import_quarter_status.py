"""A quarter created by a workbook import starts closed, through the lifecycle's audited steps."""

from __future__ import annotations

import pytest

from audit.models import AuditAction, AuditEntry
from evaluation.imports import quarter_import
from evaluation.models import Quarter, QuarterStatus
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_a_new_quarter_is_closed_by_audited_transitions(example_org, evaluator):  # noqa: F811
    quarter_import(source=QUARTER_EXAMPLE, actor=evaluator)
    quarter = Quarter.objects.get(code="2026Q3")
    assert quarter.status == QuarterStatus.CLOSED
    steps = AuditEntry.objects.filter(quarter=quarter, action=AuditAction.STATUS_CHANGED).order_by("pk")
    assert [(entry.details["from"], entry.details["to"]) for entry in steps] == [("draft", "open"), ("open", "closed")]
    assert {entry.actor for entry in steps} == {evaluator}


def test_an_import_into_an_existing_quarter_leaves_its_status(example_org, evaluator):  # noqa: F811
    quarter_import(source=QUARTER_EXAMPLE, actor=evaluator)
    Quarter.objects.filter(code="2026Q3").update(status=QuarterStatus.OPEN)
    before = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).count()
    quarter_import(source=QUARTER_EXAMPLE, actor=evaluator, replace=True)
    assert Quarter.objects.get(code="2026Q3").status == QuarterStatus.OPEN
    assert AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).count() == before
