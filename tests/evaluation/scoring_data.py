"""Building quarters with ballots straight in the database, for the scoring and results tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.utils import timezone

from departments.models import Unit, UnitKind, User
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Adjustment, Ballot, BallotValue, Criterion, Quarter, QuarterStatus, counting_flags
from evaluation.services.quarters import quarter_create
from evaluation.services.results import results_version_bump

CRITERIA = ("efficiency", "quality", "service")
Values = Sequence[float | int | str | None]  # one value per criterion, in CRITERIA order; None abstains


def example_org() -> dict[str, Unit]:
    """The organisation of the example workbooks: A, B (functional), OFF (affiliated), G1, G2 (grassroots)."""
    Unit.objects.bulk_create(
        [
            Unit(code="A", name="运营改善部", kind=UnitKind.FUNCTIONAL, order=1),
            Unit(code="B", name="设备部", kind=UnitKind.FUNCTIONAL, order=2),
            Unit(code="OFF", name="退管中心", kind=UnitKind.AFFILIATED, order=3),
            Unit(code="G1", name="板材热连轧厂", kind=UnitKind.GRASSROOTS, order=4),
            Unit(code="G2", name="矿业南芬露天矿", kind=UnitKind.GRASSROOTS, order=5),
        ]
    )
    return {unit.code: unit for unit in Unit.objects.all()}


def make_leader(username: str = "leader1") -> User:
    return user_create(username=username, full_name=username, roles=[Role.LEADER])


def make_quarter(code: str = "2026Q3", status: str = QuarterStatus.CLOSED, **settings: object) -> Quarter:
    settings.setdefault("scale", "points")
    quarter = quarter_create(code=code, **settings)
    quarter.status = status
    quarter.save(update_fields=["status"])
    return quarter


def insert_values(values: Iterable[BallotValue]) -> None:
    """Insert value rows of whole ballots with the counting flags the ballot service sets."""
    values = list(values)
    flags = counting_flags((v.ballot_id, v.department_id, v.criterion_id) for v in values)
    for value, (first, giving) in zip(values, flags, strict=True):
        value.counts_ballot, value.counts_giving_ballot = first, giving
    BallotValue.objects.bulk_create(values)


def make_ballot(
    quarter: Quarter,
    source: str,
    rows: Mapping[Unit, Values],
    *,
    rater_unit: Unit | None = None,
    rater: User | None = None,
    voided: bool = False,
) -> Ballot:
    """A counted (or voided) ballot with its values as BallotValue rows; values are points."""
    criteria = list(Criterion.objects.filter(quarter=quarter).order_by("order", "code"))
    ballot = Ballot.objects.create(
        quarter=quarter,
        source=source,
        rater_unit=rater_unit,
        rater=rater,
        voided_at=timezone.now() if voided else None,
        void_reason="test" if voided else "",
    )
    insert_values(
        BallotValue(ballot=ballot, department=unit, criterion=criterion, value_centi=int(Decimal(str(value)) * 100))
        for unit, values in rows.items()
        for criterion, value in zip(criteria, values, strict=True)
        if value is not None
    )
    results_version_bump(quarter_id=quarter.pk)  # written past the services, which report their writes
    return ballot


def add_adjustment(quarter: Quarter, unit: Unit, points: str, reason: str = "reason") -> Adjustment:
    results_version_bump(quarter_id=quarter.pk)
    return Adjustment.objects.create(quarter=quarter, department=unit, points=Decimal(points), reason=reason)


def build_examples_1_and_2(quarter: Quarter, units: Mapping[str, Unit], leader: User) -> None:
    """docs/scoring.md examples 1 and 2 as ballots, laid out like quarter-2026Q3-example.xlsx."""
    a, b = units["A"], units["B"]
    make_ballot(quarter, "grassroots", {a: (90, 80, 70), b: (100, 100, 100)}, rater_unit=units["G1"])
    make_ballot(quarter, "grassroots", {a: (70, 80, 90)}, rater_unit=units["G2"])
    make_ballot(quarter, "peer", {a: (100, 80, 60)}, rater_unit=b)
    make_ballot(quarter, "leadership", {a: (60, 60, 60), b: (80, None, 80)}, rater=leader)
    add_adjustment(quarter, b, "-1.50", "季度内一项基层反映问题未按期答复")


def by_code(results: Mapping) -> dict[str, dict]:
    return {row["code"]: row for row in results["departments"]}


def live_json(quarter) -> dict:
    """The quarter's live results as docs/workbooks.md's compute_rankings JSON."""
    from evaluation.results_model import interchange_json
    from evaluation.selectors.results import results_compute

    return interchange_json(results_compute(quarter))


def shown_json(quarter) -> dict:
    """The results shown for the quarter (its snapshot once published) as compute_rankings JSON."""
    from evaluation.results_model import interchange_json
    from evaluation.selectors.results import quarter_results

    return interchange_json(quarter_results(quarter))
