"""An import writes its ballots in batches, with the messages of storing them one by one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from departments.models import Unit, UnitKind
from evaluation.ballot_rules import BallotRefused
from evaluation.models import Ballot, BallotValue, Criterion, QuarterStatus
from evaluation.selectors.results import results_compute
from evaluation.services import ballots as ballot_service
from evaluation.services.ballots import PaperBallot, ballots_import
from tests.evaluation.scoring_data import example_org, make_quarter


def _papers(quarter, units, *, peers: list[str]) -> list[PaperBallot]:
    criteria = list(Criterion.objects.filter(quarter=quarter).order_by("order").values_list("pk", flat=True))
    grassroots = [
        PaperBallot(
            source="grassroots",
            label=f"g{index}",
            rater_unit=units["G1"],
            rows=[(units["A"].pk, criterion, 8000) for criterion in criteria],
        )
        for index in range(5)
    ]
    peer = [
        PaperBallot(source="peer", label=f"p{index}", rater_unit=units[code], rows=[(units["A"].pk, criteria[0], 6000)])
        for index, code in enumerate(peers)
    ]
    return grassroots + peer


def _refusal(quarter, papers) -> str:
    with pytest.raises(BallotRefused) as refused, transaction.atomic():
        ballots_import(quarter=quarter, ballots=papers)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize("batch", [1, 3, 500])
def test_it_stores_every_ballot_with_its_values_and_ballot_counts(db, monkeypatch, batch) -> None:
    monkeypatch.setattr(ballot_service, "IMPORT_BATCH", batch)
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    assert ballots_import(quarter=quarter, ballots=_papers(quarter, units, peers=["OFF", "B"])) == 7
    assert Ballot.objects.count() == 7
    assert BallotValue.objects.count() == 5 * 3 + 2
    # Each (ballot, department) flags one row, and each ballot one: the ballot counts come out right.
    assert BallotValue.objects.filter(counts_ballot=True).count() == 7
    assert BallotValue.objects.filter(counts_giving_ballot=True).count() == 7
    row = next(r for r in results_compute(quarter).departments if r.code == "A")
    assert row.sources["grassroots"].ballots == 5 and row.sources["peer"].ballots == 2


@pytest.mark.parametrize("batch", [3, 500])
def test_a_duplicate_in_a_batch_gives_the_one_by_one_message_and_stores_nothing(db, monkeypatch, batch) -> None:
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    papers = _papers(quarter, units, peers=["OFF", "B", "OFF"])
    monkeypatch.setattr(ballot_service, "IMPORT_BATCH", 1)
    one_by_one = _refusal(quarter, papers)
    monkeypatch.setattr(ballot_service, "IMPORT_BATCH", batch)
    assert _refusal(quarter, papers) == one_by_one
    assert "p2" in one_by_one  # the third peer ballot, from 办公室 again
    assert not Ballot.objects.exists() and not BallotValue.objects.exists()


@pytest.mark.parametrize("batch", [3, 500])
def test_a_department_gone_before_the_write_is_said_so_not_called_a_duplicate(db, monkeypatch, batch) -> None:
    monkeypatch.setattr(ballot_service, "IMPORT_BATCH", batch)
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    gone = Unit.objects.create(code="GONE", name="已撤销", kind=UnitKind.FUNCTIONAL, order=99)
    papers = _papers(quarter, units, peers=["OFF", "B"])
    papers[-1].rows.append((gone.pk, papers[-1].rows[0][1], 7000))
    with connection.cursor() as cursor:  # removed behind the file's checks, as an administrator might
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Unit._meta.db_table)} WHERE id = %s", [gone.pk])  # noqa: S608
    message = _refusal(quarter, papers)
    assert ballot_service._gone_message() in message
    assert not Ballot.objects.exists()
