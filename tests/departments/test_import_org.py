"""import_org: the organisation workbook of docs/workbooks.md, all or nothing and idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEntry
from departments.imports import org_import
from departments.models import Unit, UnitKind, User
from departments.services import user_create
from departments.workbook import WorkbookInvalid
from tests.departments.workbooks import PEOPLE, PEOPLE_HEADERS, UNIT_HEADERS, UNITS, org_file, xlsx_bytes
from tests.fixtures import ORG_EXAMPLE as EXAMPLE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def snapshot() -> tuple:
    """Everything an import may change."""
    units = list(Unit.objects.order_by("code").values_list("code", "name", "kind", "ranking_group", "order", "active"))
    users = [
        (u.username, u.full_name, u.email, u.unit_id, u.password, u.is_staff, sorted(g.name for g in u.groups.all()))
        for u in User.objects.prefetch_related("groups").order_by("username")
    ]
    return units, users, AuditEntry.objects.count()


def refused(path: Path) -> list[str]:
    before = snapshot()
    with pytest.raises(WorkbookInvalid) as caught:
        org_import(source=path)
    assert snapshot() == before
    return [str(issue) for issue in caught.value.issues]


def test_it_imports_units_and_people(tmp_path: Path) -> None:
    result = org_import(source=org_file(tmp_path))
    assert (result.units_created, result.people_created) == (5, 4)
    ops = Unit.objects.get(code="OPS")
    assert (ops.name, ops.kind, ops.order, ops.active) == ("运营改善部", UnitKind.FUNCTIONAL, 1, True)
    rep = User.objects.get(username="rep_ops")
    assert rep.unit == ops
    assert rep.role_names == {"department_rep"}
    assert not rep.has_usable_password()
    assert User.objects.get(username="eval1").role_names == {"evaluator", "viewer"}
    assert User.objects.get(username="leader1").email == "wang@example.com"


def test_it_records_the_import_in_the_audit_log(tmp_path: Path, admin_user: User) -> None:
    org_import(source=org_file(tmp_path), actor=admin_user)
    entry = AuditEntry.objects.get(action=AuditAction.ORG_IMPORTED)
    assert entry.actor == admin_user
    # The persona fixtures already hold four of the five units.
    assert entry.details["units_created"] == 1
    assert entry.details["units_updated"] + entry.details["units_unchanged"] == 4


def test_a_second_import_changes_nothing(tmp_path: Path) -> None:
    path = org_file(tmp_path)
    org_import(source=path)
    units, users, _audit = snapshot()
    result = org_import(source=path)
    assert (result.units_unchanged, result.people_unchanged) == (5, 4)
    assert not result.changed
    assert snapshot()[:2] == (units, users)


def test_it_updates_existing_units_and_people_and_deletes_nothing(tmp_path: Path) -> None:
    org_import(source=org_file(tmp_path))
    kept = Unit.objects.create(code="KEEP", name="保留", kind=UnitKind.FUNCTIONAL)
    units = [["OPS", "运营改善部（新）", "functional", "staff", 5, "no"]]
    people = [["rep_ops", "李联络", "EQP", "department_rep", None]]
    result = org_import(source=org_file(tmp_path, units, people))
    assert (result.units_updated, result.people_updated) == (1, 1)
    ops = Unit.objects.get(code="OPS")
    assert (ops.name, ops.ranking_group, ops.order, ops.active) == ("运营改善部（新）", "staff", 5, False)
    assert User.objects.get(username="rep_ops").unit.code == "EQP"
    assert Unit.objects.filter(pk=kept.pk).exists()
    assert User.objects.filter(username="leader1").exists()


def test_it_keeps_an_existing_password(tmp_path: Path) -> None:
    user_create(username="leader1", full_name="王领导", roles=["leader"], password="secret-pass-1")
    org_import(source=org_file(tmp_path))
    assert User.objects.get(username="leader1").check_password("secret-pass-1")


def test_it_accepts_chinese_headers_kinds_and_yes_no(tmp_path: Path) -> None:
    path = org_file(
        tmp_path,
        部门=[
            ["编码", "名称", "类别", "排名组", "排序", "启用"],
            ["OPS", "运营改善部", "职能部门", None, 1, "是"],
            ["SAL", "销售公司", "业务机构", None, 2, "否"],
            ["RET", "退管中心", "直属单位", None, 3, None],
            ["HRM", "板材热连轧厂", "基层单位", None, 4, "是"],
        ],
        人员=[["账号", "姓名", "部门", "角色", "邮箱"], ["rep_ops", "李联络", "OPS", "department_rep", None]],
    )
    result = org_import(source=path)
    assert (result.units_created, result.people_created) == (4, 1)
    assert Unit.objects.get(code="SAL").kind == UnitKind.BUSINESS
    assert Unit.objects.get(code="SAL").active is False
    assert Unit.objects.get(code="HRM").kind == UnitKind.GRASSROOTS
    assert User.objects.get(username="rep_ops").unit.code == "OPS"


def test_the_people_sheet_is_optional(tmp_path: Path) -> None:
    result = org_import(source=org_file(tmp_path, departments=[UNIT_HEADERS, *UNITS]))
    assert (result.units_created, result.people_created) == (5, 0)


def test_it_imports_the_example_workbook(tmp_path: Path) -> None:
    path = tmp_path / "org-example.xlsx"
    shutil.copy(EXAMPLE, path)
    result = org_import(source=path)
    assert (result.units_created, result.people_created) == (5, 4)
    assert User.objects.get(username="rep_a").unit.code == "A"
    assert not org_import(source=path).changed


def test_it_refuses_a_duplicate_code(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, [*UNITS, ["OPS", "重复", "functional", None, 9, "yes"]]))
    assert any(issue.startswith("departments, 7, code:") for issue in issues)


def test_it_refuses_a_duplicate_username(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["leader1", "又一个", None, "leader", None]]))
    assert any(issue.startswith("people, 6, username:") for issue in issues)


def test_it_refuses_an_unknown_kind(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, [*UNITS, ["X1", "某部", "department", None, 9, "yes"]]))
    assert any(issue.startswith("departments, 7, kind:") for issue in issues)


def test_it_refuses_a_missing_name(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, [*UNITS, ["X1", None, "functional", None, 9, "yes"]]))
    assert any(issue.startswith("departments, 7, name:") for issue in issues)


@pytest.mark.parametrize("code", ["运营", "A B", "A.B", "x" * 33])
def test_it_refuses_bad_code_characters(tmp_path: Path, code: str) -> None:
    issues = refused(org_file(tmp_path, [*UNITS, [code, "某部", "functional", None, 9, "yes"]]))
    assert any(issue.startswith("departments, 7, code:") for issue in issues)


def test_it_refuses_a_null_character_in_any_cell(tmp_path: Path, rep: User) -> None:
    # A cell written _x0000_ is read as NUL, which PostgreSQL cannot store (nor compare in a query): an issue.
    units = [*UNITS[:1], ["EQP", "设备_x0000_部", "functional", None, 2, "yes"], *UNITS[2:]]
    people = [*PEOPLE, ["rep_x_x0000_", "某人", "OPS", "department_rep", None]]
    issues = refused(org_file(tmp_path, units, people))
    message = "This cell contains a null character, which is not allowed."
    assert f"departments, 3, name: {message}" in issues
    assert f"people, 6, username: {message}" in issues


def test_it_refuses_an_unknown_role(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["boss", "老板", None, "owner", None]]))
    assert any(issue.startswith("people, 6, role:") for issue in issues)


def test_it_refuses_a_rep_without_a_department(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["rep_x", "某人", None, "department_rep", None]]))
    assert any(issue.startswith("people, 6, department:") for issue in issues)


def test_it_refuses_a_rep_of_a_grassroots_unit(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["rep_x", "某人", "HRM", "department_rep", None]]))
    assert any(issue.startswith("people, 6, department:") for issue in issues)


def test_it_refuses_a_grassroots_rater_of_a_department(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["w2", "某人", "OPS", "grassroots_rater", None]]))
    assert any(issue.startswith("people, 6, department:") for issue in issues)


def test_it_refuses_an_unknown_department_code(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people=[*PEOPLE, ["rep_x", "某人", "NOPE", "department_rep", None]]))
    assert any(issue.startswith("people, 6, department:") for issue in issues)


def test_it_refuses_a_missing_sheet(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, people_only=[PEOPLE_HEADERS, *PEOPLE]))
    assert issues == ["departments: The sheet is missing."]


def test_it_refuses_a_missing_required_column(tmp_path: Path) -> None:
    issues = refused(org_file(tmp_path, departments=[["code", "name"], ["OPS", "运营改善部"]]))
    assert issues == ["departments, 1, kind: The required column is missing."]


def test_it_refuses_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_text("code,name,kind\nOPS,运营改善部,functional\n")
    assert len(refused(path)) == 1


def test_it_refuses_bad_order_active_and_email(tmp_path: Path) -> None:
    units = [*UNITS, ["X1", "某部", "functional", None, "first", "maybe"]]
    people = [*PEOPLE, ["x", "某人", None, "viewer", "not-an-email"]]
    issues = refused(org_file(tmp_path, units, people))
    assert any(issue.startswith("departments, 7, order:") for issue in issues)
    assert any(issue.startswith("departments, 7, active:") for issue in issues)
    assert any(issue.startswith("people, 6, email:") for issue in issues)


def test_it_reports_every_problem_at_once_and_changes_nothing(tmp_path: Path) -> None:
    org_import(source=org_file(tmp_path))
    units = [*UNITS, ["OPS", "重复", "functional", None, 9, "yes"], ["X 1", "某部", "division", None, 1, "yes"]]
    people = [["leader1", "改名", None, "leader", None], ["y", None, None, "boss", None]]
    issues = refused(org_file(tmp_path, units, people))
    assert len(issues) >= 5
    assert User.objects.get(username="leader1").full_name == "王领导"


def test_the_command_prints_a_summary(tmp_path: Path, capsys) -> None:
    call_command("import_org", str(org_file(tmp_path)))
    assert "5" in capsys.readouterr().out
    assert Group.objects.get(name="leader").user_set.filter(username="leader1").exists()


def test_the_command_prints_issues_and_fails(tmp_path: Path, capsys) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes({"departments": [UNIT_HEADERS, ["OPS", None, "functional"]]}))
    with pytest.raises(CommandError) as caught:
        call_command("import_org", str(path))
    assert caught.value.returncode == 1
    assert "departments, 2, name:" in capsys.readouterr().err
    assert not Unit.objects.exists()


def test_it_refuses_to_turn_a_department_with_a_representative_into_a_grassroots_unit(tmp_path: Path, rep) -> None:
    issues = refused(org_file(tmp_path, [["OPS", "运营改善部", "grassroots", None, 1, "yes"]], []))
    assert issues[0].startswith("departments, 2, kind:")
    assert "rep_ops" in issues[0]


def test_a_unit_may_change_kind_when_the_file_moves_its_accounts(tmp_path: Path, rep) -> None:
    units = [["OPS", "运营改善部", "grassroots", None, 1, "yes"]]
    result = org_import(source=org_file(tmp_path, units, [["rep_ops", "Rep", "OPS", "grassroots_rater", None]]))
    assert result.units_updated == 1
    assert User.objects.get(username="rep_ops").role_names == {"grassroots_rater"}
