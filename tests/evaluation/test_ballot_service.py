"""ballot_submit: what it stores, and every refusal (which stores nothing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from departments.models import Unit, UnitKind
from evaluation.models import (
    Ballot,
    BallotCode,
    BallotComment,
    BallotValue,
    GrassrootsParticipation,
    Origin,
    QuarterStatus,
    Scale,
    Source,
)
from evaluation.services.ballots import BallotRefused, ballot_submit, ballot_targets
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from tests.evaluation.ballot_helpers import full_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def nothing_stored() -> bool:
    return not (
        Ballot.objects.exists()
        or BallotValue.objects.exists()
        or BallotComment.objects.exists()
        or GrassrootsParticipation.objects.exists()
    )


@pytest.fixture
def code(quarter, org) -> BallotCode:
    return BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")


def refused(expected: str, **kwargs) -> BallotRefused:
    with pytest.raises(BallotRefused) as caught:
        ballot_submit(**kwargs)
    assert caught.value.code == expected, caught.value.messages
    assert nothing_stored()
    return caught.value


# --- what is stored ---------------------------------------------------------------------------


def test_it_stores_a_leadership_ballot(quarter, leader, org):
    values = full_values(quarter)
    ballot = ballot_submit(
        quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader, comments={org["OPS"].pk: " 好 "}
    )
    assert ballot.rater == leader
    assert ballot.rater_unit is None
    assert BallotValue.objects.filter(ballot=ballot).count() == len(values)
    assert {v.value_centi for v in BallotValue.objects.all()} == {8000}
    assert BallotComment.objects.get().text == "好"


def test_it_stores_a_peer_ballot_under_the_reps_department(quarter, rep, org):
    ballot = ballot_submit(quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude={"OPS"}), rater=rep)
    assert ballot.rater_unit == org["OPS"]
    assert ballot.rater == rep


def test_it_stores_a_code_ballot_without_code_or_user(quarter, code, org, grassroots_rater):
    waiting = ballot_submit(
        quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code="abcde-23456", rater=None
    )
    assert waiting is None
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.rater is None
    assert ballot.rater_unit == org["HRM"]
    assert ballot.submitted_on == timezone.localdate()
    code.refresh_from_db()
    assert code.used
    assert not GrassrootsParticipation.objects.exists()


def test_it_records_participation_apart_from_an_account_ballot(quarter, grassroots_rater, org):
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), rater=grassroots_rater)
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.rater is None
    assert ballot.rater_unit == org["HRM"]
    participation = GrassrootsParticipation.objects.get()
    assert participation.user == grassroots_rater
    assert participation.unit == org["HRM"]


def test_it_stores_exact_hundredths_on_the_points_scale(org, leader):
    quarter = quarter_create(code="2026Q4", scale=Scale.POINTS)
    quarter.status = QuarterStatus.OPEN
    quarter.save()
    criterion = quarter.criteria.first()
    ballot_submit(
        quarter=quarter, source=Source.LEADERSHIP, values={(org["OPS"].pk, criterion.pk): Decimal("73")}, rater=leader
    )
    assert BallotValue.objects.get().value_centi == 7300


def test_it_keeps_abstentions_out(quarter, leader, org):
    criterion = quarter.criteria.first()
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values={(org["EQP"].pk, criterion.pk): 60}, rater=leader)
    assert BallotValue.objects.count() == 1


def test_targets_leave_out_the_raters_own_department_and_grassroots_units(quarter, org):
    peer = ballot_targets(quarter, source=Source.PEER, rater_unit=org["OPS"])
    assert [u.code for u in peer] == ["EQP", "AUD", "RET"]
    leadership = ballot_targets(quarter, source=Source.LEADERSHIP, rater_unit=None)
    assert [u.code for u in leadership] == ["OPS", "EQP", "AUD", "RET"]


def test_it_accepts_keyed_paper_ballots_while_closed(quarter, evaluator, org):
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    ballot = ballot_submit(
        quarter=quarter,
        source=Source.GRASSROOTS,
        values=full_values(quarter),
        rater_unit=org["NFM"],
        origin=Origin.KEYED,
        label="P-1",
        actor=evaluator,
    )
    assert ballot.origin == Origin.KEYED
    assert ballot.rater is None


# --- the quarter ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [QuarterStatus.DRAFT, QuarterStatus.CLOSED, QuarterStatus.PUBLISHED])
def test_it_refuses_a_quarter_that_is_not_open(quarter, leader, status):
    quarter.status = status
    quarter.save()
    refused("closed", quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)


def test_it_refuses_before_the_window_opens(quarter, leader):
    quarter.opens_at = timezone.now() + timedelta(days=1)
    refused("not_yet", quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)


def test_it_refuses_after_the_window_closes(quarter, leader):
    quarter.closes_at = timezone.now() - timedelta(minutes=1)
    refused("closed", quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)


def test_it_refuses_keyed_ballots_once_published(quarter, evaluator, org):
    quarter.status = QuarterStatus.PUBLISHED
    refused(
        "closed",
        quarter=quarter,
        source=Source.PEER,
        values=full_values(quarter, exclude={"OPS"}),
        rater_unit=org["OPS"],
        origin=Origin.KEYED,
        actor=evaluator,
    )


def test_it_refuses_a_source_with_weight_zero(quarter, leader):
    quarter.weight_leadership = 0
    refused("source_off", quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)


def test_it_refuses_an_unknown_source(quarter, leader):
    refused("source", quarter=quarter, source="friends", values=full_values(quarter), rater=leader)


# --- the rater --------------------------------------------------------------------------------


def test_it_refuses_a_leadership_ballot_from_a_non_leader(quarter, rep):
    refused("role", quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=rep)


def test_it_refuses_a_second_leadership_ballot(quarter, leader):
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)
    with pytest.raises(BallotRefused) as caught:
        ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)
    assert caught.value.code == "duplicate"
    assert Ballot.objects.count() == 1


def test_it_refuses_a_peer_ballot_from_a_non_rep(quarter, leader):
    refused("role", quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude={"OPS"}), rater=leader)


def test_it_refuses_a_peer_ballot_for_another_department(quarter, rep, org):
    refused(
        "role",
        quarter=quarter,
        source=Source.PEER,
        values=full_values(quarter, exclude={"EQP"}),
        rater=rep,
        rater_unit=org["EQP"],
    )


def test_it_refuses_a_rep_of_a_grassroots_unit(quarter, org):
    from departments.roles import Role
    from departments.services import user_create

    odd = user_create(username="odd", full_name="Odd", roles=[Role.DEPARTMENT_REP], unit=org["HRM"])
    refused("role", quarter=quarter, source=Source.PEER, values=full_values(quarter), rater=odd)


def test_it_refuses_self_rating(quarter, rep):
    error = refused("own_department", quarter=quarter, source=Source.PEER, values=full_values(quarter), rater=rep)
    assert "itself" in error.messages[0]


def test_it_refuses_a_self_comment(quarter, rep, org):
    refused(
        "own_department",
        quarter=quarter,
        source=Source.PEER,
        values=full_values(quarter, exclude={"OPS"}),
        comments={org["OPS"].pk: "我们很好"},
        rater=rep,
    )


def test_it_refuses_a_second_peer_ballot_of_the_same_department(quarter, rep, org):
    from departments.roles import Role
    from departments.services import user_create

    ballot_submit(quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude={"OPS"}), rater=rep)
    colleague = user_create(username="rep2", full_name="Rep 2", roles=[Role.DEPARTMENT_REP], unit=org["OPS"])
    with pytest.raises(BallotRefused) as caught:
        ballot_submit(
            quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude={"OPS"}), rater=colleague
        )
    assert caught.value.code == "duplicate"
    assert Ballot.objects.count() == 1


def test_it_refuses_a_grassroots_ballot_without_code_or_account(quarter):
    refused("role", quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter))


def test_it_refuses_a_grassroots_ballot_from_a_viewer(quarter, viewer):
    refused("role", quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), rater=viewer)


def test_it_refuses_a_second_grassroots_ballot_of_one_account(quarter, grassroots_rater):
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), rater=grassroots_rater)
    with pytest.raises(BallotRefused) as caught:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), rater=grassroots_rater)
    assert caught.value.code == "duplicate"
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1


def test_it_refuses_an_unknown_code(quarter, code):
    refused("code", quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code="ZZZZZ99999")
    code.refresh_from_db()
    assert not code.used


def test_it_refuses_a_used_code(quarter, code):
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code)
    with pytest.raises(BallotRefused) as caught:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code)
    assert caught.value.code == "code_used"
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1


def test_it_refuses_a_code_of_another_quarter(quarter, org):
    other = quarter_create(code="2026Q2")
    BallotCode.objects.create(quarter=other, unit=org["HRM"], code="QQQQQ22222")
    refused("code", quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code="QQQQQ22222")


def test_a_refused_ballot_leaves_its_code_unused(quarter, code, org):
    criterion = quarter.criteria.first()
    refused(
        "value",
        quarter=quarter,
        source=Source.GRASSROOTS,
        values={(org["OPS"].pk, criterion.pk): Decimal("101")},
        code=code.code,
    )
    code.refresh_from_db()
    assert not code.used


# --- values and comments ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("100.01"), Decimal("NaN"), Decimal("Infinity"), "abc", "70"])
def test_it_refuses_values_that_are_not_levels(quarter, leader, org, bad):
    criterion = quarter.criteria.first()
    refused(
        "value", quarter=quarter, source=Source.LEADERSHIP, values={(org["OPS"].pk, criterion.pk): bad}, rater=leader
    )


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("101"), Decimal("72.5")])
def test_it_refuses_bad_points(org, leader, bad):
    quarter = quarter_create(code="2026Q4", scale=Scale.POINTS)
    quarter.status = QuarterStatus.OPEN
    quarter.save()
    criterion = quarter.criteria.first()
    refused(
        "value", quarter=quarter, source=Source.LEADERSHIP, values={(org["OPS"].pk, criterion.pk): bad}, rater=leader
    )


def test_it_refuses_an_empty_ballot(quarter, leader):
    refused("empty", quarter=quarter, source=Source.LEADERSHIP, values={}, rater=leader)


def test_it_refuses_an_unknown_department(quarter, leader):
    criterion = quarter.criteria.first()
    refused("department", quarter=quarter, source=Source.LEADERSHIP, values={(999999, criterion.pk): 80}, rater=leader)


def test_it_refuses_a_grassroots_unit_as_target(quarter, leader, org):
    criterion = quarter.criteria.first()
    refused(
        "department",
        quarter=quarter,
        source=Source.LEADERSHIP,
        values={(org["HRM"].pk, criterion.pk): 80},
        rater=leader,
    )


def test_it_refuses_an_inactive_department(quarter, leader, org):
    Unit.objects.filter(code="AUD").update(active=False)
    criterion = quarter.criteria.first()
    refused(
        "department",
        quarter=quarter,
        source=Source.LEADERSHIP,
        values={(org["AUD"].pk, criterion.pk): 80},
        rater=leader,
    )


def test_it_refuses_a_criterion_of_another_quarter(quarter, leader, org):
    other = quarter_create(code="2026Q2")
    foreign = other.criteria.first()
    refused(
        "criterion", quarter=quarter, source=Source.LEADERSHIP, values={(org["OPS"].pk, foreign.pk): 80}, rater=leader
    )


def test_it_refuses_a_long_comment(quarter, leader, org):
    refused(
        "comment",
        quarter=quarter,
        source=Source.LEADERSHIP,
        values=full_values(quarter),
        comments={org["OPS"].pk: "长" * 1001},
        rater=leader,
    )


def test_it_refuses_a_comment_with_a_null_character(quarter, leader, org):
    # PostgreSQL cannot store NUL in text: refused with a message before anything is written.
    error = refused(
        "comment",
        quarter=quarter,
        source=Source.LEADERSHIP,
        values=full_values(quarter),
        comments={org["OPS"].pk: "好\x00"},
        rater=leader,
    )
    assert error.messages == ["The comment for 运营改善部 contains a null character, which is not allowed."]


def test_it_refuses_a_paper_ballot_number_with_a_null_character(quarter, evaluator, org):
    error = refused(
        "label",
        quarter=quarter,
        source=Source.GRASSROOTS,
        values=full_values(quarter),
        rater_unit=org["NFM"],
        origin=Origin.KEYED,
        label="P\x001",
        actor=evaluator,
    )
    assert error.messages == ["The paper ballot number contains a null character, which is not allowed."]


def test_it_refuses_a_comment_to_an_unknown_department(quarter, leader):
    refused(
        "department",
        quarter=quarter,
        source=Source.LEADERSHIP,
        values=full_values(quarter),
        comments={999999: "hello"},
        rater=leader,
    )


def test_a_grassroots_unit_created_later_is_not_a_target(quarter, org):
    Unit.objects.create(code="NEW", name="新厂", kind=UnitKind.GRASSROOTS)
    assert "NEW" not in {u.code for u in ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=None)}


def test_submission_takes_a_constant_number_of_queries(quarter, org, django_assert_max_num_queries):
    for index in range(40):
        Unit.objects.create(code=f"D{index}", name=f"部门{index}", kind=UnitKind.FUNCTIONAL, order=100 + index)
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="MANYQ22222")
    values = full_values(quarter)
    comments = {unit.pk: "意见" for unit in Unit.objects.evaluated()}
    with django_assert_max_num_queries(12):
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, comments=comments, code="MANYQ22222")
    inbox_flush(quarter=quarter)
    assert BallotValue.objects.count() == 44 * 3
