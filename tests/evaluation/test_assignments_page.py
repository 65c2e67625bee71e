"""The rater relations page (测评关系) of an `assigned` programme's quarter: who may open it, uploading and
downloading its workbook, adding and removing pairs, and what ballots offer afterwards (docs/design.md,
"Rater scopes")."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEntry
from departments.models import Programme, RaterScope, Unit
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Assignment, Ballot, Origin, QuarterStatus, Source
from evaluation.services.ballots import ballot_check, ballot_store, ballot_submit, ballot_targets
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from evaluation.services.voids import ballot_void
from tests.evaluation.test_import_quarter import write_workbook
from tests.evaluation.test_rater_scope import make_branches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KEY = "dj.2026Q3"


@pytest.fixture
def branches(org) -> dict[str, Unit]:
    """Two secondary units, each with two party branches, beside the work-style organisation."""
    return make_branches()


@pytest.fixture
def committee(branches):
    return user_create(username="dw_eg", full_name="党委书记", roles=[Role.LEADER], unit=branches["EG"])


def make_quarter(scope: str = RaterScope.ASSIGNED, status: str = QuarterStatus.OPEN):
    programme = Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=scope)
    quarter = quarter_create(code="2026Q3", programme=programme, template="party_branch", scale="points")
    quarter.status = status
    quarter.save(update_fields=["status"])
    return quarter


@pytest.fixture
def assigned(branches, committee):
    """dj.2026Q3, open: EG rates ZH1 and ZH2, the committee leader rates EG1."""
    quarter = make_quarter()
    Assignment.objects.create(quarter=quarter, rater_unit=branches["EG"], target=branches["ZH1"])
    Assignment.objects.create(quarter=quarter, rater_unit=branches["EG"], target=branches["ZH2"])
    Assignment.objects.create(quarter=quarter, rater=committee, target=branches["EG1"])
    return quarter


def pairs(quarter) -> list[tuple]:
    rows = Assignment.objects.filter(quarter=quarter).values_list("rater_unit__code", "rater__username", "target__code")
    return sorted(rows, key=lambda row: tuple(part or "" for part in row))


def url(name: str, *args) -> str:
    return reverse(f"evaluation:{name}", args=[KEY, *args])


def upload(client, path: Path):
    with path.open("rb") as handle:
        return client.post(url("assignments_upload"), {"file": handle})


def sheet(tmp_path: Path, *rows, title: str = "assignments") -> Path:
    return write_workbook(tmp_path / "pairs.xlsx", {title: [["rater_unit", "rater", "target"], *rows]})


def values(quarter, *units):
    criterion = quarter.criteria.first()
    return {(unit.pk, criterion.pk): Decimal(80) for unit in units}


# --- who may open it ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_go_to_the_login_page(assigned, client) -> None:
    for response in (client.get(url("assignments")), client.post(url("assignment_add"), {"target": "ZH1"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert len(pairs(assigned)) == 3


def test_accounts_outside_the_evaluation_group_are_refused(assigned, client_for, rep, viewer, committee) -> None:
    for user in (rep, viewer, committee):
        client = client_for(user)
        assert client.get(url("assignments")).status_code == 403
        assert client.get(url("assignments_download")).status_code == 403
        assert client.post(url("assignment_add"), {"rater_unit": "ZHB", "target": "EG1"}).status_code == 403
        pk = Assignment.objects.filter(quarter=assigned).first().pk
        assert client.post(url("assignment_remove", pk)).status_code == 403
    assert len(pairs(assigned)) == 3
    assert not AuditEntry.objects.filter(action__startswith="assignment").exists()


def test_a_programme_of_another_scope_has_no_such_page(branches, client_for, evaluator, quarter) -> None:
    make_quarter(RaterScope.SAME_PARENT)
    client = client_for(evaluator)
    assert client.get(url("assignments")).status_code == 404
    assert client.post(url("assignment_add"), {"rater_unit": "EG", "target": "ZH1"}).status_code == 404
    work_style = reverse("evaluation:assignments", args=[quarter.key])
    assert client.get(work_style).status_code == 404
    assert "Rater relations" not in client.get(reverse("evaluation:console", args=[KEY])).content.decode()


def test_the_console_links_to_the_page_and_it_lists_the_pairs_by_rater(assigned, client_for, evaluator) -> None:
    client = client_for(evaluator)
    console = client.get(reverse("evaluation:console", args=[KEY])).content.decode()
    assert f'href="{url("assignments")}"' in console
    page = client.get(url("assignments")).content.decode()
    assert "2 raters, 3 pairs" in page
    assert page.index("二钢厂") < page.index("轧钢一支部") < page.index("轧钢二支部") < page.index("党委书记")
    assert "2 targets" in page and "1 target<" in page
    assert f'action="{url("assignment_add")}#add"' in page


# --- upload and download -----------------------------------------------------------------------------------------


def test_a_good_workbook_replaces_every_pair_and_is_audited(assigned, client_for, evaluator, tmp_path) -> None:
    path = sheet(tmp_path, ["ZHB", None, "EG1"], ["ZHB", None, "EG2"], [None, "dw_eg", "ZH1"], ["ZHB", None, "EG1"])
    response = upload(client_for(evaluator), path)
    assert response.status_code == 302
    assert pairs(assigned) == [(None, "dw_eg", "ZH1"), ("ZHB", None, "EG1"), ("ZHB", None, "EG2")]
    entry = AuditEntry.objects.get(action=AuditAction.ASSIGNMENTS_REPLACED)
    assert entry.quarter == assigned and entry.actor == evaluator
    assert entry.details["count"] == 3
    assert entry.details["removed"] == [[None, "dw_eg", "EG1"], ["EG", None, "ZH1"], ["EG", None, "ZH2"]]
    assert "3 pairs, 3 added, 3 removed" in entry.summaries["en"]


def test_a_workbook_with_bad_rows_changes_nothing_and_names_each_row(assigned, client_for, evaluator, tmp_path) -> None:
    path = sheet(
        tmp_path,
        ["ZHB", None, "EG1"],
        ["NOPE", None, "EG1"],
        ["ZHB", "dw_eg", "EG1"],
        [None, "nobody", "EG1"],
        ["ZHB", None, "ZHB"],
        ["OPS", None, "EG1"],
    )
    response = upload(client_for(evaluator), path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was changed: 5 problems found." in page
    assert "assignments, 3, rater_unit: There is no unit NOPE." in page
    assert "assignments, 4, rater_unit: Name either the rating unit or the leader, not both." in page
    assert "assignments, 5, rater: There is no account nobody." in page
    assert "assignments, 6, target: ZHB is not a unit this programme rates." in page
    assert "assignments, 7, rater_unit: 运营改善部 hands in no ballot of this programme" in page
    assert len(pairs(assigned)) == 3
    assert not AuditEntry.objects.filter(action=AuditAction.ASSIGNMENTS_REPLACED).exists()


def test_a_workbook_without_the_sheet_or_not_a_workbook_is_refused(assigned, client_for, evaluator, tmp_path) -> None:
    client = client_for(evaluator)
    page = upload(client, sheet(tmp_path, ["ZHB", None, "EG1"], title="other")).content.decode()
    assert "assignments: The sheet is missing." in page
    text = tmp_path / "pairs.xlsx"
    text.write_text("rater_unit,target\nZHB,EG1\n")
    assert "This file is not an Excel workbook (.xlsx)." in upload(client, text).content.decode()
    assert client.post(url("assignments_upload"), {}).status_code == 400
    assert len(pairs(assigned)) == 3


def test_the_chinese_headers_of_the_quarter_workbook_are_read(assigned, client_for, evaluator, tmp_path) -> None:
    path = write_workbook(
        tmp_path / "pairs.xlsx", {"测评关系": [["评价单位", "评价人", "被评对象"], ["ZHB", None, "EG2"]]}
    )
    assert upload(client_for(evaluator), path).status_code == 302
    assert pairs(assigned) == [("ZHB", None, "EG2")]


def test_the_download_opens_in_excel_and_uploads_again_unchanged(assigned, client_for, evaluator, tmp_path) -> None:
    client = client_for(evaluator)
    response = client.get(url("assignments_download"))
    assert response["Content-Disposition"] == f'attachment; filename="assignments-{KEY}.xlsx"'
    body = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["assignments"]
    rows = [list(row) for row in book["assignments"].iter_rows(values_only=True)]
    assert rows[0][:3] == ["rater_unit", "rater", "target"]
    assert rows[1:] == [
        ["EG", None, "ZH1", "二钢厂", "轧钢一支部"],
        ["EG", None, "ZH2", "二钢厂", "轧钢二支部"],
        [None, "dw_eg", "EG1", "党委书记", "炼钢一支部"],
    ]
    path = tmp_path / "again.xlsx"
    path.write_bytes(body)
    before = pairs(assigned)
    assert upload(client, path).status_code == 302
    assert pairs(assigned) == before
    assert "0 pairs added, 0 removed" in client.get(url("assignments")).content.decode()


def test_the_quarter_workbook_template_carries_the_pairs(assigned, client_for, evaluator) -> None:
    response = client_for(evaluator).get(reverse("evaluation:quarter_template") + f"?quarter={KEY}")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [row[:3] for row in book["assignments"].iter_rows(min_row=2, values_only=True)]
    assert rows == [("EG", None, "ZH1"), ("EG", None, "ZH2"), (None, "dw_eg", "EG1")]


def test_an_upload_that_drops_a_pair_a_ballot_rates_is_refused(assigned, branches, client_for, evaluator, tmp_path):
    code = codes_issue(quarter=assigned, unit=branches["EG"], count=1, actor=None)[0]
    ballot_submit(quarter=assigned, source=Source.GRASSROOTS, values=values(assigned, branches["ZH1"]), code=code.code)
    response = upload(client_for(evaluator), sheet(tmp_path, ["EG", None, "ZH2"]))
    assert response.status_code == 400
    assert "assignments: A ballot of this quarter already rates EG 二钢厂 → 轧钢一支部, so the pair must stay." in (
        response.content.decode()
    )
    assert len(pairs(assigned)) == 3


# --- add and remove ----------------------------------------------------------------------------------------------


def test_a_pair_is_added_and_audited(assigned, client_for, evaluator) -> None:
    client = client_for(evaluator)
    response = client.post(url("assignment_add"), {"rater_unit": "ZHB", "rater": "", "target": "EG2"})
    assert response.status_code == 302
    assert ("ZHB", None, "EG2") in pairs(assigned)
    response = client.post(url("assignment_add"), {"rater_unit": "", "rater": "DW_EG", "target": "ZH2"})
    assert response.status_code == 302
    assert (None, "dw_eg", "ZH2") in pairs(assigned)
    entries = AuditEntry.objects.filter(action=AuditAction.ASSIGNMENT_ADDED).order_by("id")
    assert [entry.details["pair"] for entry in entries] == [["ZHB", None, "EG2"], [None, "dw_eg", "ZH2"]]
    assert entries[0].summaries["en"] == "Rater relation added: ZHB 中厚板厂 → 炼钢二支部"
    assert entries[0].actor == evaluator


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rater_unit": "NOPE", "target": "EG1"}, "There is no unit NOPE."),
        ({"rater": "nobody", "target": "EG1"}, "There is no account nobody."),
        ({"rater": "evaluator1", "target": "EG1"}, "A leadership ballot must come from a group leader"),
        ({"rater_unit": "ZHB", "target": "OPS"}, "OPS is not a unit this programme rates."),
        ({"rater_unit": "ZHB", "target": "NOPE"}, "NOPE is not a unit this programme rates."),
        ({"rater_unit": "ZHB", "target": ""}, "Name the unit rated (target)."),
        ({"rater_unit": "ZHB", "rater": "dw_eg", "target": "EG1"}, "Name either the rating unit or the leader"),
        ({"target": "EG1"}, "Name either the rating unit or the leader"),
        ({"rater_unit": "EG", "target": "ZH1"}, "EG 二钢厂 → 轧钢一支部 is already listed."),
        ({"rater": "dw_eg", "target": "EG1"}, "dw_eg → 炼钢一支部 is already listed."),
        ({"rater_unit": "x" * 40, "target": "EG1"}, "Ensure this value has at most 32 characters"),
    ],
)
def test_a_bad_pair_is_refused_with_its_reason(assigned, client_for, evaluator, data, message) -> None:
    response = client_for(evaluator).post(url("assignment_add"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(pairs(assigned)) == 3
    assert not AuditEntry.objects.filter(action=AuditAction.ASSIGNMENT_ADDED).exists()


def test_a_pair_is_removed_and_audited(assigned, client_for, evaluator) -> None:
    pair = Assignment.objects.get(quarter=assigned, target__code="ZH2")
    client = client_for(evaluator)
    assert client.get(url("assignment_remove", pair.pk)).status_code == 405
    response = client.post(url("assignment_remove", pair.pk), follow=True)
    assert "The pair was removed." in response.content.decode()
    assert ("EG", None, "ZH2") not in pairs(assigned)
    entry = AuditEntry.objects.get(action=AuditAction.ASSIGNMENT_REMOVED)
    assert entry.details["pair"] == ["EG", None, "ZH2"]
    assert client.post(url("assignment_remove", pair.pk)).status_code == 404


def test_a_pair_a_ballot_rates_stays(assigned, branches, committee, client_for, evaluator) -> None:
    leadership = ballot_submit(
        quarter=assigned, source=Source.LEADERSHIP, values=values(assigned, branches["EG1"]), rater=committee
    )
    ballot_void(ballot=leadership, actor=evaluator, reason="keyed twice")  # a void can be undone: still held
    ballot_submit(
        quarter=assigned,
        source=Source.GRASSROOTS,
        values={},
        comments={branches["ZH2"].pk: "意见"},
        rater_unit=branches["EG"],
        origin=Origin.KEYED,
        label="P1",
    )
    client = client_for(evaluator)
    for target in ("EG1", "ZH2"):
        pair = Assignment.objects.get(quarter=assigned, target__code=target)
        page = client.post(url("assignment_remove", pair.pk), follow=True).content.decode()
        assert "so the pair must stay." in page
    assert len(pairs(assigned)) == 3
    assert not AuditEntry.objects.filter(action=AuditAction.ASSIGNMENT_REMOVED).exists()


def test_a_grassroots_ballot_waiting_in_the_inbox_holds_its_pairs(assigned, branches, client_for, evaluator) -> None:
    code = codes_issue(quarter=assigned, unit=branches["EG"], count=1, actor=None)[0]
    ballot_submit(quarter=assigned, source=Source.GRASSROOTS, values=values(assigned, branches["ZH1"]), code=code.code)
    assert not Ballot.objects.exists()  # still waiting: the inbox moves ballots in batches
    pair = Assignment.objects.get(quarter=assigned, target__code="ZH1")
    page = client_for(evaluator).post(url("assignment_remove", pair.pk), follow=True).content.decode()
    assert "EG 二钢厂 → 轧钢一支部, so the pair must stay." in page
    inbox_flush(quarter=assigned)
    assert Ballot.objects.count() == 1
    assert Assignment.objects.filter(pk=pair.pk).exists()


@pytest.mark.parametrize("status", [QuarterStatus.ANNOUNCED, QuarterStatus.PUBLISHED])
def test_a_frozen_quarter_keeps_its_pairs(assigned, client_for, evaluator, tmp_path, status) -> None:
    assigned.status = status
    assigned.save(update_fields=["status"])
    client = client_for(evaluator)
    page = client.get(url("assignments")).content.decode()
    assert "its rater relations can no longer change." in page
    assert url("assignment_add") not in page and "✕" not in page
    page = client.post(url("assignment_add"), {"rater_unit": "ZHB", "target": "EG1"}).content.decode()
    assert "its rater relations can no longer change." in page
    pair = Assignment.objects.filter(quarter=assigned).first()
    page = client.post(url("assignment_remove", pair.pk), follow=True).content.decode()
    assert "its rater relations can no longer change." in page
    page = upload(client, sheet(tmp_path, ["ZHB", None, "EG1"])).content.decode()
    assert "its rater relations can no longer change." in page
    assert len(pairs(assigned)) == 3
    assert client.get(url("assignments_download")).status_code == 200


@pytest.mark.parametrize("status", [QuarterStatus.DRAFT, QuarterStatus.CLOSED])
def test_a_draft_or_closed_quarter_takes_changes(assigned, client_for, evaluator, status) -> None:
    assigned.status = status
    assigned.save(update_fields=["status"])
    response = client_for(evaluator).post(url("assignment_add"), {"rater_unit": "ZHB", "target": "EG1"})
    assert response.status_code == 302
    assert ("ZHB", None, "EG1") in pairs(assigned)


# --- what ballots offer after an edit ----------------------------------------------------------------------------


def test_ballots_by_code_and_by_account_offer_exactly_the_new_pairs(
    assigned, branches, committee, client_for, evaluator, client, tmp_path
) -> None:
    manager = client_for(evaluator)
    upload(manager, sheet(tmp_path, ["EG", None, "EG2"], ["EG", None, "ZH2"], [None, "dw_eg", "ZH1"]))
    code = codes_issue(quarter=assigned, unit=branches["EG"], count=1, actor=None)[0]
    page = client.post("/ballot/", {"code": code.code}, follow=True).content.decode()
    assert "炼钢二支部" in page and "轧钢二支部" in page
    assert "轧钢一支部" not in page and "炼钢一支部" not in page
    page = client_for(committee).get(reverse("evaluation:ballot_leadership") + f"?quarter={KEY}").content.decode()
    assert "轧钢一支部" in page
    assert "炼钢一支部" not in page and "炼钢二支部" not in page and "轧钢二支部" not in page
    manager.post(url("assignment_add"), {"rater": "dw_eg", "target": "EG2"})
    manager.post(url("assignment_remove", Assignment.objects.get(rater=committee, target__code="ZH1").pk))
    offered = ballot_targets(assigned, source=Source.LEADERSHIP, rater_unit=None, rater=committee)
    assert [unit.code for unit in offered] == ["EG2"]


def test_a_ballot_checked_before_its_pair_was_removed_is_refused_when_stored(assigned, branches, evaluator) -> None:
    keyed = {"source": Source.GRASSROOTS, "rater_unit": branches["EG"], "origin": Origin.KEYED, "label": "P1"}
    checked = ballot_check(quarter=assigned, values=values(assigned, branches["ZH2"]), **keyed)
    Assignment.objects.filter(quarter=assigned, target=branches["ZH2"]).delete()
    with pytest.raises(Exception, match="轧钢二支部 is not among the targets") as refused:
        ballot_store(quarter=assigned, checked=checked)
    assert refused.value.code == "scope"
    assert not Ballot.objects.exists()


def test_the_quarter_workbook_keeps_the_pairs_its_ballots_rate(assigned, branches, tmp_path, capsys) -> None:
    keyed = {"source": Source.GRASSROOTS, "rater_unit": branches["EG"], "origin": Origin.KEYED, "label": "P1"}
    ballot_submit(quarter=assigned, values=values(assigned, branches["ZH1"]), **keyed)
    criteria = [criterion.code for criterion in assigned.criteria.all()]
    sheets = {
        "settings": [["key", "value"], ["quarter", "2026Q3"], ["programme", "dj"]],
        "assignments": [["rater_unit", "rater", "target"], ["EG", None, "ZH2"]],
        "ballots": [["ballot", "source", "rater_unit", "rater", "target", *criteria]],
    }
    with pytest.raises(CommandError):
        call_command("import_quarter", str(write_workbook(tmp_path / "q.xlsx", sheets)))
    assert "assignments: A ballot of this quarter already rates EG 二钢厂 → 轧钢一支部" in capsys.readouterr().err
    assert len(pairs(assigned)) == 3
    sheets["assignments"].append(["EG", None, "ZH1"])
    call_command("import_quarter", str(write_workbook(tmp_path / "ok.xlsx", sheets)))
    assert pairs(assigned) == [("EG", None, "ZH1"), ("EG", None, "ZH2")]
    entry = AuditEntry.objects.get(action=AuditAction.BALLOTS_IMPORTED)
    assert entry.details["assignments"] == 2
