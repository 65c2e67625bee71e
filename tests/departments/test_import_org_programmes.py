"""import_org: the `parent` column, the `party_branch` kind and the `programmes` sheet (docs/workbooks.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from departments.imports import org_import, org_workbook
from departments.models import Programme, RaterScope, Unit, UnitKind
from departments.workbook import WorkbookInvalid
from tests.departments.workbooks import PEOPLE_HEADERS, org_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADERS = ["code", "name", "kind", "ranking_group", "order", "active", "parent"]
PROGRAMME_HEADERS = ["code", "name", "evaluated_kinds", "scope", "label_grassroots", "label_peer", "label_leadership"]
PARTY = ["dj", "党支部1234考核", "party_branch", "same_parent", "群众评议", "支部互评", "党委评分"]


def _units(*rows: list) -> list[list]:
    return [
        ["EG", "二钢厂", "grassroots", None, 1, "yes", None],
        ["EG1", "炼钢一支部", "party_branch", "EG", 2, "yes", "EG"],
        ["EG2", "炼钢二支部", "党支部", "EG", 3, "yes", "EG"],
        *rows,
    ]


def _file(tmp_path: Path, units: list[list], programmes: list[list] | None = None) -> Path:
    sheets = {
        "departments": [HEADERS, *units],
        "people": [PEOPLE_HEADERS, ["sec_eg1", "张书记", "EG1", "department_rep", None]],
    }
    if programmes is not None:
        sheets["programmes"] = [PROGRAMME_HEADERS, *programmes]
    return org_file(tmp_path, **sheets)


def _refused(path: Path) -> list[str]:
    before = (list(Unit.objects.values_list("code", "parent")), list(Programme.objects.values_list("code", "scope")))
    with pytest.raises(WorkbookInvalid) as caught:
        org_import(source=path)
    assert (
        list(Unit.objects.values_list("code", "parent")),
        list(Programme.objects.values_list("code", "scope")),
    ) == before
    return [str(issue) for issue in caught.value.issues]


def test_it_imports_branches_under_their_unit_and_the_programme(tmp_path: Path) -> None:
    org_import(source=_file(tmp_path, _units(), [PARTY]))
    branch = Unit.objects.get(code="EG2")
    assert (branch.kind, branch.parent.code) == (UnitKind.PARTY_BRANCH, "EG")
    party = Programme.objects.get(code="dj")
    assert (party.kinds, party.scope, party.label_peer) == (("party_branch",), RaterScope.SAME_PARENT, "支部互评")
    assert list(Unit.objects.evaluated(party).values_list("code", flat=True)) == ["EG1", "EG2"]
    again = org_import(source=_file(tmp_path, _units(), [PARTY]))
    assert not again.changed


def test_it_refuses_an_unknown_parent_naming_the_row(tmp_path: Path) -> None:
    issues = _refused(_file(tmp_path, _units(["ZH1", "轧钢一支部", "party_branch", None, 4, "yes", "NOPE"])))
    assert any("departments, 5, parent" in issue and "NOPE" in issue for issue in issues)


def test_it_refuses_a_cycle(tmp_path: Path) -> None:
    units = _units()
    units[0][6] = "EG1"
    issues = _refused(_file(tmp_path, units))
    assert any("departments, 2, parent" in issue for issue in issues)


def test_it_refuses_a_branch_without_a_parent_in_a_same_parent_programme(tmp_path: Path) -> None:
    issues = _refused(_file(tmp_path, _units(["ZH1", "轧钢一支部", "party_branch", None, 4, "yes", None]), [PARTY]))
    assert any("departments, 5, parent" in issue and "ZH1" in issue for issue in issues)


def test_it_refuses_an_unknown_kind_or_scope_in_the_programmes_sheet(tmp_path: Path) -> None:
    bad = ["dj", "党支部考核", "party_branch, nosuch", "sideways", None, None, None]
    issues = _refused(_file(tmp_path, _units(), [bad]))
    assert any("programmes, 2, evaluated_kinds" in issue for issue in issues)
    assert any("programmes, 2, scope" in issue for issue in issues)


def test_workstyle_keeps_its_kinds_and_scope(tmp_path: Path) -> None:
    issues = _refused(_file(tmp_path, _units(), [["workstyle", "作风", "party_branch", "all", None, None, None]]))
    assert any("programmes, 2, code" in issue for issue in issues)


def test_the_template_carries_parents_and_programmes(tmp_path: Path) -> None:
    org_import(source=_file(tmp_path, _units(), [PARTY]))
    path = tmp_path / "template.xlsx"
    path.write_bytes(org_workbook())
    Unit.objects.filter(code="EG2").update(parent=None)
    Programme.objects.filter(code="dj").delete()
    org_import(source=path)
    assert Unit.objects.get(code="EG2").parent.code == "EG"
    assert Programme.objects.get(code="dj").scope == RaterScope.SAME_PARENT
