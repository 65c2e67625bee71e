"""Participation in a programme with a rater scope: each rater is expected to rate what its scope holds, and a
rater with nothing to rate is not expected (docs/design.md, "Participation console")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import RaterScope, Unit, UnitKind, User
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Assignment, Source
from evaluation.selectors.participation import quarter_participation, source_turnout
from evaluation.selectors.results import participation_rows
from evaluation.services.codes import codes_issue
from evaluation.services.reminders import non_voters
from tests.evaluation.test_assignments_page import KEY, make_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def party(org) -> dict:
    """EG with two branches, ZHB with one, the work-style org's grassroots units with none; a secretary per
    branch; a committee leader of EG, one of ZHB, and a group leader without a unit."""
    steel = Unit.objects.create(code="EG", name="二钢厂", kind=UnitKind.GRASSROOTS, order=1)
    plate = Unit.objects.create(code="ZHB", name="中厚板厂", kind=UnitKind.GRASSROOTS, order=2)
    units = {"EG": steel, "ZHB": plate, **org}
    for code, parent in (("EG1", steel), ("EG2", steel), ("ZH1", plate)):
        units[code] = Unit.objects.create(code=code, name=code, kind=UnitKind.PARTY_BRANCH, parent=parent)
        user_create(username=f"sec_{code}", full_name=code, roles=[Role.DEPARTMENT_REP], unit=units[code])
    user_create(username="dw_eg", full_name="dw_eg", roles=[Role.LEADER], unit=steel)
    user_create(username="dw_zhb", full_name="dw_zhb", roles=[Role.LEADER], unit=plate)
    user_create(username="boss", full_name="boss", roles=[Role.LEADER])
    return units


def by(rows: list[dict], key: str) -> dict[str, dict]:
    return {row[key]: row for row in rows}


def test_same_parent_expects_the_units_with_branches_and_counts_their_targets(party) -> None:
    quarter = make_quarter(RaterScope.SAME_PARENT)
    for unit in ("EG", "HRM"):
        codes_issue(quarter=quarter, unit=party[unit], count=4, actor=None)
    data = quarter_participation(quarter)
    assert data["scope"] == "same_parent"
    grassroots = by(data["sources"]["grassroots"]["units"], "unit")
    assert (grassroots["EG"]["targets"], grassroots["EG"]["expected"]) == (2, 4)
    assert grassroots["ZHB"]["targets"] == 1
    # 板材热连轧厂 has codes but no branch under it: nothing to rate, so none of its codes is expected.
    assert (grassroots["HRM"]["targets"], grassroots["HRM"]["expected"]) == (0, 0)
    assert data["sources"]["grassroots"]["expected"] == 4
    peer = by(data["sources"]["peer"]["units"], "unit")
    assert {code: (row["targets"], row["expected"]) for code, row in peer.items()} == {
        "EG1": (1, True),
        "EG2": (1, True),
        "ZH1": (0, False),  # the only branch of its unit: no sibling to rate
    }
    assert data["sources"]["peer"]["expected"] == 2
    leaders = by(data["sources"]["leadership"]["leaders"], "username")
    assert {name: (row["targets"], row["expected"]) for name, row in leaders.items()} == {
        "boss": (0, False),  # no unit, no party committee: nothing to rate
        "dw_eg": (2, True),
        "dw_zhb": (1, True),
    }


def test_assigned_expects_only_the_raters_with_pairs(party) -> None:
    quarter = make_quarter(RaterScope.ASSIGNED)
    Assignment.objects.create(quarter=quarter, rater_unit=party["EG"], target=party["ZH1"])
    Assignment.objects.create(quarter=quarter, rater_unit=party["EG1"], target=party["EG2"])
    Assignment.objects.create(quarter=quarter, rater_unit=party["EG1"], target=party["EG1"])  # never its own
    Assignment.objects.create(quarter=quarter, rater=User.objects.get(username="dw_zhb"), target=party["EG1"])
    codes_issue(quarter=quarter, unit=party["ZHB"], count=3, actor=None)
    codes_issue(quarter=quarter, unit=party["EG"], count=2, actor=None)
    data = quarter_participation(quarter)
    grassroots = by(data["sources"]["grassroots"]["units"], "unit")
    assert (grassroots["EG"]["targets"], grassroots["EG"]["expected"]) == (1, 2)
    assert (grassroots["ZHB"]["targets"], grassroots["ZHB"]["expected"]) == (0, 0)
    assert data["sources"]["grassroots"]["expected"] == 2
    peer = by(data["sources"]["peer"]["units"], "unit")
    assert (peer["EG1"]["targets"], peer["EG1"]["expected"]) == (1, True)
    assert not peer["EG2"]["expected"] and not peer["ZH1"]["expected"]
    assert data["sources"]["peer"]["expected"] == 1
    leaders = by(data["sources"]["leadership"]["leaders"], "username")
    assert {name: row["targets"] for name, row in leaders.items()} == {"boss": 0, "dw_eg": 0, "dw_zhb": 1}
    assert data["sources"]["leadership"]["expected"] == 1
    turnout = {t.source: t.expected for t in source_turnout(quarter, data)}
    assert turnout == {"grassroots": 2, "peer": 1, "leadership": 1}
    # The results workbook's participation sheet counts the same raters.
    rows = participation_rows(quarter)
    assert {row.unit: row.expected for row in rows if row.source == Source.PEER} == {"EG1": 1, "EG2": 0, "ZH1": 0}
    assert [row.expected for row in rows if row.source == Source.LEADERSHIP] == [1]


def test_scope_all_is_counted_as_before(party, quarter) -> None:
    data = quarter_participation(quarter)
    assert data["scope"] == "all"
    assert all("targets" not in row for row in data["sources"]["grassroots"]["units"])
    assert all("targets" not in row and row["expected"] for row in data["sources"]["peer"]["units"])
    assert data["sources"]["peer"]["expected"] == 4
    assert data["sources"]["leadership"]["expected"] == 3


@pytest.mark.usefixtures("english")
def test_the_console_shows_the_targets_and_who_has_nothing_to_rate(party, client_for, evaluator) -> None:
    make_quarter(RaterScope.SAME_PARENT)
    with_english = client_for(evaluator)
    page = with_english.get(reverse("evaluation:console", args=[KEY])).content.decode()
    assert 'data-p="grassroots.EG.targets">2<' in page
    assert "nothing to rate" in page
    assert 'data-voted="peer.ZH1"' not in page and 'data-voted="peer.EG1"' in page
    assert "2 targets" in page
    json = with_english.get(reverse("evaluation:participation_json", args=[KEY])).json()
    assert json["sources"]["peer"]["expected"] == 2


def test_reminders_reach_only_the_raters_with_something_to_rate(party) -> None:
    quarter = make_quarter(RaterScope.SAME_PARENT)
    user_create(username="worker_eg", full_name="w", roles=[Role.GRASSROOTS_RATER], unit=party["EG"])
    user_create(username="worker_hrm", full_name="w", roles=[Role.GRASSROOTS_RATER], unit=party["HRM"])
    names = {user.username for user in non_voters(quarter)}
    assert names == {"sec_eg1", "sec_eg2", "dw_eg", "dw_zhb", "worker_eg"}
