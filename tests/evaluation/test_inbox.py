"""Online grassroots ballots wait in the inbox and reach the ballot tables in batches, none lost or doubled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from evaluation.models import (
    Ballot,
    BallotCode,
    BallotComment,
    BallotInbox,
    BallotValue,
    Quarter,
    QuarterStatus,
    Source,
)
from evaluation.selectors.participation import quarter_participation
from evaluation.selectors.results import results_compute
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.ballot_helpers import full_values

pytestmark = pytest.mark.django_db

BATCH = 4


@pytest.fixture(autouse=True)
def batch(settings) -> None:
    settings.BALLOT_INBOX_BATCH = BATCH


def cast(quarter: Quarter, unit, n: int, *, points: str = "80", comment: str = "") -> None:
    """Cast `n` code ballots of `unit`, each with its own fresh code."""
    start = BallotCode.objects.count()
    for index in range(start, start + n):
        code = BallotCode.objects.create(quarter=quarter, unit=unit, code=f"INBOX{index:05d}")
        comments = {next(iter(full_values(quarter)))[0]: comment} if comment else None
        ballot_submit(
            quarter=quarter,
            source=Source.GRASSROOTS,
            values=full_values(quarter, points=Decimal(points)),
            comments=comments,
            code=code.code,
        )


def grassroots_ballots(quarter: Quarter, unit=None) -> int:
    stored = Ballot.objects.filter(quarter=quarter, source=Source.GRASSROOTS)
    return (stored if unit is None else stored.filter(rater_unit=unit)).count()


def test_ballots_wait_until_two_batches_are_waiting(quarter, org):
    cast(quarter, org["HRM"], 2 * BATCH - 1)

    assert grassroots_ballots(quarter) == 0
    assert BallotInbox.objects.filter(unit=org["HRM"]).count() == 2 * BATCH - 1


def test_the_submit_that_makes_two_batches_moves_one_of_the_units_ballots_only(quarter, org):
    cast(quarter, org["NFM"], 1)
    cast(quarter, org["HRM"], 2 * BATCH)

    assert grassroots_ballots(quarter, org["HRM"]) == BATCH
    assert BallotValue.objects.count() == BATCH * len(full_values(quarter))
    assert BallotInbox.objects.filter(unit=org["HRM"]).count() == BATCH
    assert BallotInbox.objects.filter(unit=org["NFM"]).count() == 1


def _moved_votes(quarter: Quarter, unit, round_: int) -> set[int]:
    """Cast 2 × BATCH tagged votes (which moves one batch); the tags of the moved ones."""
    Ballot.objects.all().delete()
    BallotInbox.objects.all().delete()
    department = next(iter(full_values(quarter)))[0]
    for index in range(2 * BATCH):
        code = BallotCode.objects.create(quarter=quarter, unit=unit, code=f"DRAW{round_:02d}{index:04d}")
        ballot_submit(
            quarter=quarter,
            source=Source.GRASSROOTS,
            values=full_values(quarter),
            comments={department: f"vote {index}"},
            code=code.code,
        )
    return {int(text.split()[1]) for text in BallotComment.objects.values_list("text", flat=True)}


def test_the_moved_batch_is_drawn_at_random_from_the_waiting_ones(quarter, org):
    draws = [_moved_votes(quarter, org["HRM"], round_) for round_ in range(6)]

    assert all(len(draw) == BATCH for draw in draws)
    # Always the first four of eight would happen once in 70**6 runs of a fair draw.
    assert any(draw != set(range(BATCH)) for draw in draws)
    assert len({frozenset(draw) for draw in draws}) > 1


def test_moved_ballots_keep_their_values_comments_and_day(quarter, org):
    cast(quarter, org["HRM"], 2 * BATCH, points="60", comment="审批太慢")

    assert set(BallotValue.objects.values_list("value_centi", flat=True)) == {6000}
    assert list(BallotComment.objects.values_list("text", flat=True)) == ["审批太慢"] * BATCH
    ballot = Ballot.objects.first()
    assert (ballot.rater, ballot.origin, ballot.label, ballot.voided_at) == (None, "online", "", None)


def test_participation_counts_waiting_ballots(quarter, org):
    cast(quarter, org["HRM"], BATCH + 1)
    cast(quarter, org["NFM"], 2)

    units = {row["unit"]: row for row in quarter_participation(quarter)["sources"]["grassroots"]["units"]}
    assert (units["HRM"]["ballots"], units["HRM"]["codes_used"]) == (BATCH + 1, BATCH + 1)
    assert (units["NFM"]["ballots"], units["NFM"]["codes_used"]) == (2, 2)


def test_the_provisional_ranking_counts_waiting_ballots_as_if_stored(quarter, org):
    cast(quarter, org["HRM"], 2 * BATCH, points="60")  # one batch moved, one waiting
    cast(quarter, org["HRM"], 2, points="100")  # waiting
    cast(quarter, org["NFM"], 1, points="80")  # waiting

    live = results_compute(quarter)
    assert grassroots_ballots(quarter) == BATCH
    assert BallotInbox.objects.count() == BATCH + 3
    assert live.counted_ballots["grassroots"] == 2 * BATCH + 3
    inbox_flush(quarter=quarter)
    stored = results_compute(quarter)
    assert live.departments == stored.departments
    assert live.counted_ballots == stored.counted_ballots
    # 8 ballots of 60, 2 of 100 and 1 of 80 on every cell: the waiting ones moved the score.
    assert {float(row.sources["grassroots"].score) for row in live.departments} == {round((8 * 60 + 200 + 80) / 11, 2)}


def test_closing_stores_every_waiting_ballot_before_the_results(quarter, org):
    cast(quarter, org["HRM"], BATCH + 2)
    cast(quarter, org["NFM"], 1)

    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)

    assert not BallotInbox.objects.exists()
    assert grassroots_ballots(quarter) == BATCH + 3
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    quarter.refresh_from_db()
    assert quarter.snapshot.payload["counted_ballots"]["grassroots"] == BATCH + 3


def test_the_flush_command_stores_every_waiting_ballot(quarter, org, capsys):
    cast(quarter, org["HRM"], 2)

    call_command("flush_ballot_inbox", "2026q3")

    assert "2" in capsys.readouterr().out
    assert not BallotInbox.objects.exists()
    assert grassroots_ballots(quarter) == 2


def test_the_flush_command_without_a_quarter_flushes_all(quarter, org):
    cast(quarter, org["NFM"], 1)

    call_command("flush_ballot_inbox")

    assert grassroots_ballots(quarter) == 1


def test_the_flush_command_refuses_an_unknown_quarter(quarter, org):
    cast(quarter, org["NFM"], 1)

    with pytest.raises(CommandError, match="2031Q1"):
        call_command("flush_ballot_inbox", "2031Q1")
    assert BallotInbox.objects.count() == 1


def test_paper_ballots_skip_the_inbox(quarter, org):
    ballot = ballot_submit(
        quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), rater_unit=org["HRM"], origin="keyed"
    )

    assert ballot is not None
    assert not BallotInbox.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_results_and_participation_read_one_repeatable_snapshot(quarter, org):
    from django.db import connection

    from evaluation.selectors.inbox import consistent_reads

    cast(quarter, org["HRM"], 2 * BATCH + 1)
    assert not connection.in_atomic_block
    with consistent_reads(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
    assert results_compute(quarter).counted_ballots["grassroots"] == 2 * BATCH + 1
    units = {row["unit"]: row for row in quarter_participation(quarter)["sources"]["grassroots"]["units"]}
    assert units["HRM"]["ballots"] == 2 * BATCH + 1


@pytest.mark.postgres
def test_autovacuum_visits_the_inbox_as_soon_as_it_holds_a_dead_row():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [BallotInbox._meta.db_table])
        options = set(cursor.fetchone()[0])
    assert {"autovacuum_vacuum_threshold=0", "autovacuum_vacuum_scale_factor=0"} <= options


@pytest.mark.postgres
def test_the_scoring_input_read_in_one_statement_is_the_portable_reads_one(quarter, org):
    """Stored and waiting ballots, adjustments, grades and an earlier published ranking: the one statement of
    evaluation.sql.read_together gives the scoring exactly what the separate queries give, Decimals included."""
    from evaluation.models import DepartmentResult, Grade, ResultSnapshot
    from evaluation.selectors.scoring import quarter_scoring_data
    from tests.evaluation.scoring_data import add_adjustment, make_quarter

    earlier = make_quarter("2026Q2", status=QuarterStatus.PUBLISHED)
    snapshot = ResultSnapshot.objects.create(quarter=earlier, payload={})
    for rank, code in enumerate(("EQP", "OPS", "AUD"), start=1):
        DepartmentResult.objects.create(
            snapshot=snapshot, quarter=earlier, department=org[code], group="职能部门", rank=rank, score="80.50"
        )
    cast(quarter, org["HRM"], 2 * BATCH + 1, points="60")  # two batches moved, one ballot waiting
    cast(quarter, org["NFM"], 2, points="100")  # waiting
    add_adjustment(quarter, org["OPS"], "-0.25", "迟报材料")
    add_adjustment(quarter, org["OPS"], "1.50")
    Grade.objects.create(quarter=quarter, label="好", min_score=Decimal("85.50"), order=1)
    Grade.objects.create(quarter=quarter, label="一般", quota=None, min_score=Decimal("0.00"), order=2)

    native = quarter_scoring_data(quarter)
    assert native == quarter_scoring_data(quarter, portable=True)
    assert native.counted_ballots["grassroots"] == 2 * BATCH + 3
    assert native.scoring_input.previous_ranks[(org["OPS"].pk, "职能部门")] == 2
    assert [(a.points, a.reason) for a in native.adjustments] == [
        (Decimal("-0.25"), "迟报材料"),
        (Decimal("1.50"), "reason"),
    ]
    assert all(type(points) is Decimal for _label, points in native.levels)
