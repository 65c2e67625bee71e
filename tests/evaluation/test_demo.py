"""seed_demo's quarters: three published with their snapshots, one open, a party-branch example; run once only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from evaluation.criteria_templates import PARTY_BRANCH, WORK_STYLE
from evaluation.demo import seed_evaluation_demo
from evaluation.models import (
    Adjustment,
    Ballot,
    BallotCode,
    BallotComment,
    BallotValue,
    DepartmentResult,
    Quarter,
    QuarterStatus,
    ResultSnapshot,
    Source,
)
from evaluation.results_model import QuarterResults


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    models = (Quarter, Ballot, BallotValue, BallotComment, BallotCode, Adjustment, ResultSnapshot, AuditEntry)
    return tuple(model.objects.count() for model in models)


@pytest.mark.django_db
def test_it_builds_three_published_quarters_one_open_and_a_party_branch_example() -> None:
    _seed()

    published = Quarter.objects.filter(
        status=QuarterStatus.PUBLISHED, template=WORK_STYLE.key, programme__code="workstyle"
    )
    assert sorted(published.values_list("code", flat=True)) == ["2025Q4", "2026Q1", "2026Q2"]
    for quarter in published:
        snapshot = ResultSnapshot.objects.get(quarter=quarter)
        assert snapshot.payload["status"] == QuarterStatus.PUBLISHED
        assert all(row["rank"] is not None for row in snapshot.payload["departments"])
        assert DepartmentResult.objects.filter(quarter=quarter).count() == len(snapshot.payload["departments"])
        for source in Source.values:
            assert Ballot.objects.filter(quarter=quarter, source=source, voided_at__isnull=True).exists()
    open_quarter = Quarter.objects.get(status=QuarterStatus.OPEN, programme__code="workstyle")
    assert open_quarter.code == "2026Q3"
    assert not ResultSnapshot.objects.filter(quarter=open_quarter).exists()
    assert BallotCode.objects.filter(quarter=open_quarter, used=False).exists()
    example = Quarter.objects.get(template=PARTY_BRANCH.key, programme__code="workstyle")
    assert example.title == "党支部四维度考核示例"
    assert example.criteria.count() == 4
    assert Ballot.objects.filter(quarter=example).exists()
    _assert_realistic_spread()


def _assert_realistic_spread() -> None:
    quarter = Quarter.objects.get(code="2026Q2", programme__code="workstyle")
    grassroots = Ballot.objects.filter(quarter=quarter, source=Source.GRASSROOTS)
    per_unit = [
        grassroots.filter(rater_unit=unit_id).count()
        for unit_id in grassroots.values_list("rater_unit", flat=True).distinct()
    ]
    assert per_unit and all(20 <= n <= 40 for n in per_unit)
    scores = [row.score for row in QuarterResults.from_snapshot(quarter.snapshot.payload).departments]
    assert max(scores) - min(scores) > 10
    assert BallotComment.objects.filter(text="审批流程较慢，希望简化").exists()
    reasons = set(Adjustment.objects.values_list("reason", flat=True))
    assert {"获集团表彰", "重大事项推诿"} <= reasons
    assert Ballot.objects.filter(voided_at__isnull=False).exclude(void_reason="").exists()
    # Abstentions (不了解) are missing values: some grassroots ballot does not rate every department.
    cells = len(quarter.snapshot.payload["departments"]) * quarter.criteria.count()
    assert any(b.values.count() < cells for b in grassroots[:20])


@pytest.mark.django_db
def test_running_seed_demo_twice_adds_nothing_the_second_time() -> None:
    _seed()
    before = _counts()

    _seed()
    seed_evaluation_demo(stdout=StringIO())

    assert _counts() == before
