"""The benchmark generator: same seed, same rows; the row counts it reports are the rows it wrote."""

from __future__ import annotations

import hashlib

import pytest
from django.db.models import F

from bench.generate import SCALES, BenchScale, generate
from evaluation.models import Ballot, BallotComment, BallotValue, Quarter, QuarterStatus, Source

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
