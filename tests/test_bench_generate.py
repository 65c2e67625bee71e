"""The benchmark generator: same seed, same rows; the row counts it reports are the rows it wrote."""

from __future__ import annotations

import hashlib

import pytest
from django.db.models import F, QuerySet

from bench.generate import SCALES, BenchScale, generate
from departments.models import RaterScope, Unit
from evaluation.criteria_templates import PARTY_BRANCH
from evaluation.models import Ballot, BallotComment, BallotValue, Quarter, QuarterStatus, Scale, Source

TINY = SCALES["tiny"]


def _digest(code: str) -> str:
    rows = BallotValue.objects.filter(ballot__quarter__code=code).values_list(
        "ballot_id", "ballot__source", "department__code", "criterion__code", "value_centi"
    )
    comments = BallotComment.objects.filter(ballot__quarter__code=code).values_list(
        "ballot_id", "department__code", "text"
    )
    text = repr(sorted((str(b), *rest) for b, *rest in rows)) + repr(sorted((str(b), *rest) for b, *rest in comments))
    return hashlib.sha256(text.encode()).hexdigest()


def _drop_quarter(code: str) -> None:
    BallotValue.objects.filter(ballot__quarter__code=code).delete()
    BallotComment.objects.filter(ballot__quarter__code=code).delete()
    Ballot.objects.filter(quarter__code=code).delete()
    Quarter.objects.filter(code=code).delete()


@pytest.mark.django_db
def test_it_writes_the_same_rows_for_the_same_seed() -> None:
    generate(scale=TINY, quarter_code="2030Q1", seed=7)
    first = _digest("2030Q1")
    _drop_quarter("2030Q1")

    generate(scale=TINY, quarter_code="2030Q1", seed=7)

    assert _digest("2030Q1") == first


@pytest.mark.django_db
def test_a_different_seed_gives_different_values() -> None:
    generate(scale=TINY, quarter_code="2030Q1", seed=7)
    first = _digest("2030Q1")
    _drop_quarter("2030Q1")

    generate(scale=TINY, quarter_code="2030Q1", seed=8)

    assert _digest("2030Q1") != first


@pytest.mark.django_db
def test_it_reports_the_rows_it_wrote() -> None:
    report = generate(scale=TINY, quarter_code="2030Q1")

    ballots = Ballot.objects.filter(quarter__code="2030Q1")
    values = BallotValue.objects.filter(ballot__quarter__code="2030Q1")
    assert report.ballots == {
        Source.GRASSROOTS: TINY.grassroots_ballots,
        Source.PEER: TINY.departments,
        Source.LEADERSHIP: TINY.leaders,
    }
    for source in Source.values:
        assert ballots.filter(source=source).count() == report.ballots[source]
        assert values.filter(ballot__source=source).count() == report.values[source]
    assert BallotComment.objects.filter(ballot__quarter__code="2030Q1").count() == report.comments
    assert Quarter.objects.get(code="2030Q1").status == QuarterStatus.CLOSED


@pytest.mark.django_db
def test_values_are_levels_and_peers_never_rate_themselves() -> None:
    generate(scale=TINY, quarter_code="2030Q1")

    values = BallotValue.objects.filter(ballot__quarter__code="2030Q1")
    assert set(values.values_list("value_centi", flat=True)) <= {10000, 8000, 6000, 4000}
    assert not values.filter(ballot__source=Source.PEER, ballot__rater_unit=F("department")).exists()
    full = TINY.grassroots_ballots * TINY.departments * 3
    grassroots = values.filter(ballot__source=Source.GRASSROOTS).count()
    assert 0.6 * full < grassroots < full  # about 15% abstentions (不了解)


@pytest.mark.django_db
def test_a_subset_scale_rates_a_fixed_set_of_departments_per_unit() -> None:
    scale = BenchScale(
        "subset", departments=8, grassroots_units=3, grassroots_ballots=30, leaders=1, grassroots_targets=3
    )

    generate(scale=scale, quarter_code="2030Q2")

    for unit_code in ("BG001", "BG002", "BG003"):
        rated = set(
            BallotValue.objects.filter(
                ballot__quarter__code="2030Q2", ballot__source=Source.GRASSROOTS, ballot__rater_unit__code=unit_code
            ).values_list("department__code", flat=True)
        )
        assert 1 <= len(rated) <= 3


@pytest.mark.django_db
def test_it_refuses_an_existing_quarter() -> None:
    generate(scale=TINY, quarter_code="2030Q1")

    with pytest.raises(ValueError, match="exists already"):
        generate(scale=TINY, quarter_code="2030Q1")


# The party-branch scale at a tiny size: 7 branches under 2 secondary units (4 and 3), 3 committee leaders.
TINY_BRANCHES = BenchScale(
    "tiny-branches", departments=7, grassroots_units=2, grassroots_ballots=10, leaders=3, party=True
)


def _branch_values(code: str) -> QuerySet[BallotValue]:
    return BallotValue.objects.filter(
        ballot__quarter__programme__code=TINY_BRANCHES.programme_code, ballot__quarter__code=code
    )


@pytest.mark.django_db
def test_the_branch_scale_builds_the_party_programme_and_its_units() -> None:
    report = generate(scale=TINY_BRANCHES, quarter_code="2030Q1")

    quarter = Quarter.objects.get(programme__code=TINY_BRANCHES.programme_code, code="2030Q1")
    assert quarter.programme.scope == RaterScope.SAME_PARENT
    assert quarter.scale == Scale.POINTS
    assert [c.code for c in quarter.criteria.order_by("order")] == [c.code for c in PARTY_BRANCH.criteria]
    branches = Unit.objects.evaluated(quarter.programme)
    assert branches.count() == 7
    assert sorted(branches.values_list("parent__code", flat=True)) == ["BG001"] * 4 + ["BG002"] * 3
    assert {b.group for b in branches} == {"二级单位001", "二级单位002"}  # ranked per secondary unit
    assert report.ballots == {Source.GRASSROOTS: 10, Source.PEER: 7, Source.LEADERSHIP: 3}
    values = _branch_values("2030Q1")
    assert values.count() == report.total_values
    assert set(values.values_list("value_centi", flat=True)) <= {points * 100 for points in range(101)}
    assert not values.exclude(value_centi__gte=0, value_centi__lte=10000).exists()


@pytest.mark.django_db
def test_no_branch_value_lies_outside_its_raters_scope() -> None:
    generate(scale=TINY_BRANCHES, quarter_code="2030Q1")

    values = _branch_values("2030Q1")
    # Workers rate their own unit's branches, a secretary the sibling branches (never its own), a committee
    # leader the branches under the leader's unit.
    grassroots = values.filter(ballot__source=Source.GRASSROOTS)
    peer = values.filter(ballot__source=Source.PEER)
    leadership = values.filter(ballot__source=Source.LEADERSHIP)
    assert grassroots.exists() and peer.exists() and leadership.exists()
    assert not grassroots.exclude(department__parent=F("ballot__rater_unit")).exists()
    assert not peer.exclude(department__parent=F("ballot__rater_unit__parent")).exists()
    assert not peer.filter(department=F("ballot__rater_unit")).exists()
    assert not leadership.exclude(department__parent=F("ballot__rater__unit")).exists()
    # Every rater of a unit with 4 branches reaches them all: the scope is not narrower than the rule.
    rated = set(grassroots.filter(ballot__rater_unit__code="BG001").values_list("department__code", flat=True))
    assert rated == set(Unit.objects.filter(parent__code="BG001").values_list("code", flat=True))
    assert Ballot.objects.filter(source=Source.PEER, rater__unit=F("rater_unit")).count() == 7


@pytest.mark.django_db
def test_the_branch_scale_is_deterministic() -> None:
    def digest() -> str:
        rows = _branch_values("2030Q1").values_list("ballot_id", "department__code", "criterion__code", "value_centi")
        return hashlib.sha256(repr(sorted((str(b), *rest) for b, *rest in rows)).encode()).hexdigest()

    generate(scale=TINY_BRANCHES, quarter_code="2030Q1", seed=7)
    first = digest()
    quarter = Quarter.objects.get(programme__code=TINY_BRANCHES.programme_code, code="2030Q1")
    BallotValue.objects.filter(ballot__quarter=quarter).delete()
    BallotComment.objects.filter(ballot__quarter=quarter).delete()
    Ballot.objects.filter(quarter=quarter).delete()
    quarter.delete()

    generate(scale=TINY_BRANCHES, quarter_code="2030Q1", seed=7)

    assert digest() == first
