"""The organisation upload page and the template download: who may use them and what they show."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEntry
from departments.models import Unit, UnitKind, User
from tests.departments.workbooks import PEOPLE, PEOPLE_HEADERS, UNIT_HEADERS, UNITS, xlsx_bytes

VIEWS = ["departments:import", "departments:template"]
NON_ADMINS = ["evaluator", "leader", "rep", "grassroots_rater", "viewer"]


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("org.xlsx", data)


def good_file() -> bytes:
    return xlsx_bytes({"departments": [UNIT_HEADERS, *UNITS], "people": [PEOPLE_HEADERS, *PEOPLE]})


@pytest.mark.django_db
@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_visitors_are_sent_to_login(client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("persona", NON_ADMINS)
def test_other_roles_are_refused(request, client_for, name: str, persona: str) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 403


def test_other_roles_cannot_post_a_file(client_for, evaluator) -> None:
    response = client_for(evaluator).post(reverse("departments:import"), {"file": upload(good_file())})
    assert response.status_code == 403
    assert not Unit.objects.filter(code="SAL").exists()


def test_the_admin_sees_the_page_and_the_nav_link(client_for, admin_user) -> None:
    response = client_for(admin_user).get(reverse("departments:import"))
    assert response.status_code == 200
    assert reverse("departments:import") in response.content.decode()
    assert reverse("departments:template") in response.content.decode()


def test_non_admins_do_not_see_the_nav_link(client_for, evaluator) -> None:
    response = client_for(evaluator).get(reverse("home"))
    assert reverse("departments:import") not in response.content.decode()


def test_an_upload_is_imported(client_for, admin_user) -> None:
    client = client_for(admin_user)
    response = client.post(reverse("departments:import"), {"file": upload(good_file())}, follow=True)
    assert response.status_code == 200
    assert Unit.objects.get(code="SAL").kind == UnitKind.BUSINESS
    assert User.objects.get(username="worker").unit.code == "HRM"
    assert AuditEntry.objects.get(action=AuditAction.ORG_IMPORTED).actor == admin_user
    assert len(list(response.context["messages"])) == 1


def test_a_bad_upload_shows_every_row_problem_and_changes_nothing(client_for, admin_user) -> None:
    units = [*UNITS, ["OPS", "重复", "functional"], ["BAD CODE", None, "division"]]
    data = xlsx_bytes({"departments": [UNIT_HEADERS, *units]})
    response = client_for(admin_user).post(reverse("departments:import"), {"file": upload(data)})
    assert response.status_code == 400
    issues = response.context["issues"]
    assert {(issue.row, issue.column) for issue in issues} >= {(7, "code"), (8, "code"), (8, "name"), (8, "kind")}
    assert 'id="import-issues"' in response.content.decode()
    assert not Unit.objects.filter(code="SAL").exists()
    assert not AuditEntry.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(client_for, admin_user) -> None:
    response = client_for(admin_user).post(reverse("departments:import"), {"file": upload(b"hello")})
    assert response.status_code == 400
    assert len(response.context["issues"]) == 1


def test_the_upload_needs_a_file(client_for, admin_user) -> None:
    response = client_for(admin_user).post(reverse("departments:import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_template_holds_the_current_organisation(client_for, admin_user, rep) -> None:
    response = client_for(admin_user).get(reverse("departments:template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["部门", "人员", "考核方案"]
    units = list(workbook["部门"].iter_rows(values_only=True))
    assert units[0] == ("编码", "名称", "类别", "排名组", "排序", "启用", "上级单位")
    assert ("OPS", "运营改善部", "职能部门", None, 1, "是", None) in units
    programmes = list(workbook["考核方案"].iter_rows(values_only=True))
    assert programmes[1][:4] == ("workstyle", "部门工作作风考核", "functional,business,affiliated", "all")
    people = list(workbook["人员"].iter_rows(values_only=True))
    assert ("rep_ops", "Rep_Ops", "OPS", "department_rep", None) in people
