"""The upload page: a good workbook is imported; a bad one lists every problem and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import Ballot
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org, example_sheets, state, write_workbook

__all__ = ["example_org"]

pytestmark = pytest.mark.usefixtures("english")


def upload(path, name: str = "q.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes())


def test_an_evaluator_imports_the_example(client_for, evaluator, example_org):
    client = client_for(evaluator)
    response = client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE)}, follow=True)
    assert response.status_code == 200
    assert Ballot.objects.count() == 4
    assert AuditEntry.objects.get(action=AuditAction.BALLOTS_IMPORTED).actor == evaluator
    assert any("2026Q3" in str(message) for message in response.context["messages"])


def test_the_page_lists_every_problem_and_changes_nothing(client_for, evaluator, example_org, tmp_path):
    sheets = example_sheets()
    sheets["ballots"][1][4] = "NOPE"
    sheets["adjustments"][1][2] = None
    before = state()
    response = client_for(evaluator).post(
        reverse("evaluation:import_quarter"), {"file": upload(write_workbook(tmp_path / "bad.xlsx", sheets))}
    )
    assert response.status_code == 400
    assert "ballots, 2, target: The ballot rates a department that is not evaluated." in response.context["issues"]
    assert "adjustments, 2, reason: Every adjustment needs a reason." in response.context["issues"]
    assert state() == before


def test_a_file_that_is_not_a_workbook_is_refused(client_for, evaluator, example_org):
    before = state()
    response = client_for(evaluator).post(
        reverse("evaluation:import_quarter"), {"file": SimpleUploadedFile("x.xlsx", b"hello")}
    )
    assert response.status_code == 400
    assert state() == before


def test_replace_from_the_page(client_for, evaluator, example_org):
    client = client_for(evaluator)
    client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE)})
    again = client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE)})
    assert again.status_code == 400
    replaced = client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE), "replace": "on"})
    assert replaced.status_code == 302
    assert Ballot.objects.count() == 4


def test_posting_without_a_file_asks_for_one(client_for, evaluator, example_org):
    response = client_for(evaluator).post(reverse("evaluation:import_quarter"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
