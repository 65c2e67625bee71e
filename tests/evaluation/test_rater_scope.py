"""A ballot offers and accepts exactly the targets in its rater's scope, on every way in (docs/design.md,
"Rater scopes"): by code, by account, keyed, imported; for all, same_parent and assigned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Programme, RaterScope, Unit, UnitKind
from departments.roles import Role
from departments.services import user_create
from evaluation.ballot_rules import BallotRefused, scope_read
from evaluation.models import Assignment, Ballot, Origin, QuarterStatus, Source
from evaluation.services.ballots import ballot_check, ballot_submit, ballot_targets
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from tests.evaluation.test_import_quarter import write_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def branches() -> dict[str, Unit]:
    return make_branches()


def make_branches() -> dict[str, Unit]:
    """Two secondary units (grassroots kind), each with two party branches."""
    steel = Unit.objects.create(code="EG", name="二钢厂", kind=UnitKind.GRASSROOTS, order=1)
    plate = Unit.objects.create(code="ZHB", name="中厚板厂", kind=UnitKind.GRASSROOTS, order=2)
    made = {"EG": steel, "ZHB": plate}
    for code, name, parent in (
        ("EG1", "炼钢一支部", steel),
        ("EG2", "炼钢二支部", steel),
        ("ZH1", "轧钢一支部", plate),
        ("ZH2", "轧钢二支部", plate),
    ):
        made[code] = Unit.objects.create(code=code, name=name, kind=UnitKind.PARTY_BRANCH, parent=parent)
    return made


def _quarter(scope: str):
    programme = Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=scope)
    quarter = quarter_create(code="2026Q3", programme=programme, template="party_branch", scale="points")
    quarter.status = QuarterStatus.OPEN
    quarter.save(update_fields=["status"])
    return quarter


def _values(quarter, *units, points=80):
    criterion = quarter.criteria.first()
    return {(unit.pk, criterion.pk): Decimal(points) for unit in units}


def _codes(units) -> list[str]:
    return [unit.code for unit in units]


def test_same_parent_offers_a_units_own_branches_to_its_workers(branches) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    assert _codes(ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=branches["EG"])) == ["EG1", "EG2"]


def test_a_code_ballot_refuses_a_branch_of_another_unit(branches) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["EG"], count=2, actor=None)
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=_values(quarter, branches["ZH1"]), code=code[0])
    assert refused.value.code == "scope"
    assert "轧钢一支部" in refused.value.messages[0]
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=_values(quarter, branches["EG1"]), code=code[1])


def test_a_code_ballot_page_shows_only_the_units_branches(branches, client) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["ZHB"], count=1, actor=None)[0]
    page = client.post("/ballot/", {"code": code.code}, follow=True).content.decode()
    assert "轧钢一支部" in page and "轧钢二支部" in page
    assert "炼钢一支部" not in page


@pytest.mark.usefixtures("english")
def test_a_code_ballots_empty_cells_are_counted_within_its_scope(branches, client) -> None:
    # Two branches × four criteria are offered; one cell filled leaves 7 empty, not the programme's 15.
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["EG"], count=1, actor=None)[0]
    criterion = quarter.criteria.order_by("order").first()
    posted = {"code": code.code, "quarter": quarter.key, f"v-{branches['EG1'].pk}-{criterion.pk}": "90"}

    page = client.post("/ballot/", posted).content.decode()

    assert "7 of 8 cells are empty. Submit anyway?" in page
    assert 'name="confirm_empty" value="7"' in page
    assert client.post("/ballot/", {**posted, "confirm_empty": "7"}).status_code == 302
    inbox_flush(quarter=quarter)
    assert Ballot.objects.filter(quarter=quarter, source=Source.GRASSROOTS).count() == 1


def test_a_secretary_rates_the_sibling_branches_by_account(branches) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    secretary = user_create(username="sec_eg1", full_name="书记", roles=[Role.DEPARTMENT_REP], unit=branches["EG1"])
    assert _codes(ballot_targets(quarter, source=Source.PEER, rater_unit=branches["EG1"])) == ["EG2"]
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=quarter, source=Source.PEER, values=_values(quarter, branches["ZH1"]), rater=secretary)
    assert refused.value.code == "scope"
    ballot_submit(quarter=quarter, source=Source.PEER, values=_values(quarter, branches["EG2"]), rater=secretary)


def test_a_committee_leader_rates_the_branches_under_the_leaders_unit(branches) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    leader = user_create(username="dw_eg", full_name="党委", roles=[Role.LEADER], unit=branches["EG"])
    group_leader = user_create(username="boss", full_name="集团", roles=[Role.LEADER])
    assert _codes(ballot_targets(quarter, source=Source.LEADERSHIP, rater_unit=None, rater=leader)) == ["EG1", "EG2"]
    # A leader without a unit belongs to no party committee: nothing to rate.
    assert ballot_targets(quarter, source=Source.LEADERSHIP, rater_unit=None, rater=group_leader) == []
    with pytest.raises(BallotRefused):
        ballot_submit(
            quarter=quarter, source=Source.LEADERSHIP, values=_values(quarter, branches["EG1"]), rater=group_leader
        )
    with pytest.raises(BallotRefused):
        ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=_values(quarter, branches["ZH2"]), rater=leader)


def test_a_keyed_paper_ballot_refuses_an_unassigned_target(branches) -> None:
    quarter = _quarter(RaterScope.ASSIGNED)
    Assignment.objects.create(quarter=quarter, rater_unit=branches["EG"], target=branches["ZH1"])
    assert _codes(ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=branches["EG"])) == ["ZH1"]
    assert ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=branches["ZHB"]) == []
    keyed = {"source": Source.GRASSROOTS, "rater_unit": branches["EG"], "origin": Origin.KEYED, "label": "P1"}
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=quarter, values=_values(quarter, branches["EG1"]), **keyed)
    assert refused.value.code == "scope"
    ballot_submit(quarter=quarter, values=_values(quarter, branches["ZH1"]), **keyed)


def test_scope_all_offers_every_branch(branches) -> None:
    quarter = _quarter(RaterScope.ALL)
    assert len(ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=branches["EG"])) == 4


def test_an_imported_row_out_of_scope_is_refused_whole_with_its_row(branches, tmp_path, capsys) -> None:
    _quarter(RaterScope.SAME_PARENT).delete()
    Programme.objects.filter(code="dj").update(scope=RaterScope.SAME_PARENT)
    criteria = ["performance", "safety", "skills", "party_building"]
    sheets = {
        "settings": [["key", "value"], ["quarter", "2026Q3"], ["programme", "dj"], ["scale", "points"]],
        "criteria": [["code", "name", "weight"], *[[c, c, 1] for c in criteria]],
        "ballots": [
            ["ballot", "source", "rater_unit", "rater", "target", *criteria],
            ["P1", "grassroots", "EG", None, "EG1", 80, 80, 80, 80],
            ["P1", "grassroots", "EG", None, "ZH1", 80, 80, 80, 80],
        ],
    }
    path = write_workbook(tmp_path / "q.xlsx", sheets)
    with pytest.raises(CommandError):
        call_command("import_quarter", str(path))
    err = capsys.readouterr().err
    assert "ballots, 3, target: 轧钢一支部" in err
    assert Ballot.objects.count() == 0
    sheets["ballots"].pop()
    call_command("import_quarter", str(write_workbook(tmp_path / "ok.xlsx", sheets)))
    assert Ballot.objects.get().quarter.programme.code == "dj"


def test_the_assignments_sheet_sets_the_pairs_and_refuses_rows_outside_them(branches, tmp_path, capsys) -> None:
    Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=RaterScope.ASSIGNED)
    criteria = ["performance", "safety", "skills", "party_building"]
    sheets = {
        "settings": [["key", "value"], ["quarter", "2026Q3"], ["programme", "dj"], ["scale", "points"]],
        "criteria": [["code", "name", "weight"], *[[c, c, 1] for c in criteria]],
        "assignments": [["rater_unit", "rater", "target"], ["EG", None, "ZH1"], ["EG", None, "ZH2"]],
        "ballots": [
            ["ballot", "source", "rater_unit", "rater", "target", *criteria],
            ["P1", "grassroots", "EG", None, "ZH1", 80, 80, 80, 80],
            ["P1", "grassroots", "EG", None, "EG1", 80, 80, 80, 80],
        ],
    }
    with pytest.raises(CommandError):
        call_command("import_quarter", str(write_workbook(tmp_path / "bad.xlsx", sheets)))
    assert "ballots, 3, target: 炼钢一支部" in capsys.readouterr().err
    assert Assignment.objects.count() == 0
    sheets["ballots"].pop()
    call_command("import_quarter", str(write_workbook(tmp_path / "ok.xlsx", sheets)))
    pairs = Assignment.objects.values_list("rater_unit__code", "target__code")
    assert sorted(pairs) == [("EG", "ZH1"), ("EG", "ZH2")]
    assert Ballot.objects.count() == 1


def test_an_assignments_sheet_with_a_bad_row_is_refused_whole(branches, tmp_path, capsys) -> None:
    Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=RaterScope.ASSIGNED)
    sheets = {
        "settings": [["key", "value"], ["quarter", "2026Q3"], ["programme", "dj"], ["scale", "points"]],
        "assignments": [["rater_unit", "rater", "target"], ["NOPE", None, "ZH1"], ["EG", None, "XX"]],
        "ballots": [["ballot", "source", "rater_unit", "rater", "target"]],
    }
    with pytest.raises(CommandError):
        call_command("import_quarter", str(write_workbook(tmp_path / "bad.xlsx", sheets)))
    err = capsys.readouterr().err
    assert "assignments, 2, rater_unit" in err and "assignments, 3, target" in err
    assert Assignment.objects.count() == 0


# --- the top-level cap's T counts the targets in the rater's scope (docs/scoring.md rule 10) ---------------

CAP_REFUSAL = "工作绩效: 2 departments rated 优秀, more than the cap of 1 (50% of 2)."


def _capped_levels_quarter():
    """same_parent on the levels scale with a 50% cap: a worker of 二钢厂 is offered 2 of the 4 branches."""
    programme = Programme.objects.create(
        code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=RaterScope.SAME_PARENT
    )
    quarter = quarter_create(code="2026Q3", programme=programme, template="party_branch", scale="levels")
    quarter.status = QuarterStatus.OPEN
    quarter.top_level_cap = 50
    quarter.save(update_fields=["status", "top_level_cap"])
    return quarter


@pytest.mark.usefixtures("english")
def test_the_cap_counts_the_branches_a_code_ballot_offers(branches, client) -> None:
    quarter = _capped_levels_quarter()
    performance = quarter.criteria.order_by("order").first()
    both = {(branches[c].pk, performance.pk): "优秀" for c in ("EG1", "EG2")}
    code, other = codes_issue(quarter=quarter, unit=branches["EG"], count=2, actor=None)
    with pytest.raises(BallotRefused) as refused:  # T is 2 (the unit's branches), not the programme's 4
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=both, code=code)
    assert refused.value.messages == [CAP_REFUSAL]
    one = {**both, (branches["EG2"].pk, performance.pk): "良好"}
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=one, code=code)
    # The page says so too: one branch of a criterion may be 优秀.
    page = client.post("/ballot/", {"code": other.code}, follow=True).content.decode()
    assert "For each criterion, at most 1 unit may be rated 优秀." in " ".join(page.split())
    assert 'data-top-allowance="1"' in page


@pytest.mark.usefixtures("english")
def test_the_cap_counts_the_branches_an_imported_ballot_offers(branches, tmp_path, capsys) -> None:
    Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch", scope=RaterScope.SAME_PARENT)
    criteria = ["performance", "safety", "skills", "party_building"]
    sheets = {
        "settings": [
            ["key", "value"],
            ["quarter", "2026Q3"],
            ["programme", "dj"],
            ["scale", "levels"],
            ["top_level_cap", 50],
        ],
        "criteria": [["code", "name", "weight"], *[[c, c, 1] for c in criteria]],
        "ballots": [
            ["ballot", "source", "rater_unit", "rater", "target", *criteria],
            ["P1", "grassroots", "EG", None, "EG1", "优秀", "良好", "良好", "良好"],
            ["P1", "grassroots", "EG", None, "EG2", "优秀", "良好", "良好", "良好"],
        ],
    }
    with pytest.raises(CommandError):
        call_command("import_quarter", str(write_workbook(tmp_path / "bad.xlsx", sheets)))
    assert "more than the cap of 1 (50% of 2)" in capsys.readouterr().err
    assert Ballot.objects.count() == 0
    sheets["ballots"][2][5] = "良好"
    call_command("import_quarter", str(write_workbook(tmp_path / "ok.xlsx", sheets)))
    assert Ballot.objects.count() == 1


def test_a_branch_ballot_speaks_of_the_units_rated_not_of_departments(branches, client) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["EG"], count=1, actor=None)[0]
    page = client.post("/ballot/", {"code": code.code}, follow=True).content.decode()
    assert "被评单位" in page and "请对每个被评单位的每项指标填写0到100的分值" in page
    assert "对该单位的意见、建议或问题" in page and "请对每个部门" not in page
    criterion = quarter.criteria.order_by("order").first()
    posted = {"code": code.code, "quarter": quarter.key, "confirm_empty": "7"}
    posted[f"v-{branches['EG1'].pk}-{criterion.pk}"] = "90"
    done = client.post("/ballot/", posted, follow=True)
    assert done.redirect_chain[-1][0].endswith("?programme=dj")
    assert "您的评分将帮助被评单位改进工作。" in done.content.decode()
    assert "总部各部门" not in done.content.decode()


def test_a_code_ballot_reads_its_scope_once_from_page_to_store(branches, client) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["EG"], count=1, actor=None)[0]
    criterion = quarter.criteria.order_by("order").first()
    posted = {"code": code.code, "quarter": quarter.key, f"v-{branches['EG1'].pk}-{criterion.pk}": "90"}
    unit_table = Unit._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        assert client.post("/ballot/", {**posted, "confirm_empty": "7"}).status_code == 302

    scope_reads = [q["sql"] for q in queries if f'FROM "{unit_table}"' in q["sql"] and "parent_id" in q["sql"]]
    assert len(scope_reads) == 1  # the page's read of the scope is the check's


def test_a_scope_read_for_another_rater_is_not_used(branches) -> None:
    quarter = _quarter(RaterScope.SAME_PARENT)
    code = codes_issue(quarter=quarter, unit=branches["EG"], count=1, actor=None)[0]
    # The other unit's scope, handed in with a ballot of EG's code: the check reads EG's own and refuses.
    other = scope_read(quarter, source=Source.GRASSROOTS, rater_unit=branches["ZHB"])
    assert branches["ZH1"].pk in other.ids

    with pytest.raises(BallotRefused) as refused:
        ballot_check(
            quarter=quarter, source=Source.GRASSROOTS, values=_values(quarter, branches["ZH1"]), code=code, scope=other
        )
    assert refused.value.code == "scope"
    own = scope_read(quarter, source=Source.GRASSROOTS, rater_unit=branches["EG"])
    checked = ballot_check(
        quarter=quarter, source=Source.GRASSROOTS, values=_values(quarter, branches["EG1"]), code=code, scope=own
    )
    assert [row[0] for row in checked.rows] == [branches["EG1"].pk]
