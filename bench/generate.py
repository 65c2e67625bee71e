"""Deterministic benchmark data, written straight to the database with bulk inserts.

Three scales (see bench/README.md):

- ``benxi``: 45 departments, 60 grassroots units, 3,000 grassroots ballots rating every
  department, one peer ballot from every department, 12 leaders, 3 criteria.
- ``stress``: 200 departments, 400 grassroots units, 20,000 grassroots ballots. A worker
  on a phone does not rate 200 departments: each grassroots unit rates a fixed set of
  40 departments it works with (about 2.0 million values instead of 12 million).
- ``branches``: the party-branch programme (scope ``same_parent``, four dimensions, points
  0–100): 247 branches under 20 secondary units (12 or 13 each, ranked per unit), 60
  workers' ballots per unit rating its branches, every branch's secretary rating the
  sibling branches, two committee leaders per unit rating its branches. Who rates what
  is the product's own rule (`evaluation.services.ballots.ballot_targets`).

The same ``--seed`` gives the same rows (units, values, comments, even ballot ids).

    python bench/generate.py --scale benxi --quarter 2030Q1
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the project importable and configure Django
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    import django

    django.setup()

from django.core.exceptions import ValidationError
from django.db import transaction

from departments.management.commands.seed_demo import PARTY_PROGRAMME
from departments.models import WORKSTYLE, Programme, Unit, UnitKind, User, workstyle
from departments.roles import Role
from departments.services import user_create
from evaluation.criteria_templates import PARTY_BRANCH, WORK_STYLE
from evaluation.models import (
    Ballot,
    BallotComment,
    Criterion,
    Level,
    Quarter,
    QuarterStatus,
    Scale,
    Source,
)
from evaluation.services.ballots import _insert_values, ballot_targets
from evaluation.services.quarters import quarter_create, quarter_exists

BATCH = 5000
ValueRow = tuple[int, int, int]  # department id, criterion id, value in hundredths
LEADER_PREFIX = "bench_leader_"
COMMITTEE_PREFIX = "bench_committee_"  # a secondary unit's committee leaders (party-branch scale)
SECRETARY_PREFIX = "bench_secretary_"  # a branch's secretary, who casts its peer ballot
COMMENTS = (
    "审批流程较慢，希望简化",
    "服务态度好，响应及时",
    "现场问题反馈后迟迟没有答复",
    "政策解读清楚，帮助很大",
    "希望多到基层调研",
)


@dataclass(frozen=True)
class BenchScale:
    """How much data one quarter gets."""

    name: str
    departments: int
    grassroots_units: int
    grassroots_ballots: int
    leaders: int
    grassroots_targets: int | None = None  # departments each grassroots unit rates; None = all
    grassroots_abstain: float = 0.15  # share of a ballot's departments marked 不了解
    peer_abstain: float = 0.05
    leadership_abstain: float = 0.02
    comment_rate: float = 0.02  # share of grassroots ballots with one comment
    # The party-branch programme: `departments` are branches spread over the `grassroots_units` (their
    # secondary units), `leaders` the units' committee leaders spread the same way; each rater's scope
    # is the programme's (same_parent), values are points 0–100.
    party: bool = False

    @property
    def programme_code(self) -> str:
        return str(PARTY_PROGRAMME["code"]) if self.party else WORKSTYLE


SCALES: dict[str, BenchScale] = {
    "tiny": BenchScale("tiny", departments=6, grassroots_units=4, grassroots_ballots=40, leaders=3),
    "benxi": BenchScale("benxi", departments=45, grassroots_units=60, grassroots_ballots=3000, leaders=12),
    "stress": BenchScale(
        "stress", departments=200, grassroots_units=400, grassroots_ballots=20000, leaders=20, grassroots_targets=40
    ),
    "branches": BenchScale(
        "branches", departments=247, grassroots_units=20, grassroots_ballots=1200, leaders=40, party=True
    ),
}


@dataclass
class Organisation:
    departments: list[Unit]
    grassroots: list[Unit]
    leaders: list[User]
    secretaries: dict[int, User] = field(default_factory=dict)  # branch id -> its secretary (party-branch scale)


@dataclass
class GenerationReport:
    quarter: str
    scale: str
    ballots: dict[str, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    comments: int = 0
    seconds: float = 0.0

    @property
    def total_values(self) -> int:
        return sum(self.values.values())

    def lines(self) -> list[str]:
        out = [f"quarter {self.quarter} at scale {self.scale} in {self.seconds:.1f} s"]
        for source in Source.values:
            out.append(
                f"  {source:<11} {self.ballots.get(source, 0):>7} ballots {self.values.get(source, 0):>10} values"
            )
        out.append(f"  total values {self.total_values}, comments {self.comments}")
        return out


def _kind_for(index: int) -> str:
    # Roughly the shape of a group headquarters: mostly functional departments.
    if index % 9 == 8:
        return UnitKind.AFFILIATED
    if index % 5 == 4:
        return UnitKind.BUSINESS
    return UnitKind.FUNCTIONAL


def _spread(count: int, over: int) -> list[int]:
    """`count` items over `over` holders as evenly as possible, the first holders taking one more."""
    return [count // over + (1 if i < count % over else 0) for i in range(over)]


def _accounts(wanted: Sequence[tuple[str, str, Unit | None, Role]]) -> list[User]:
    """(username, full name, unit, role) accounts, created when missing, in the order given."""
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    for username, full_name, unit, role in wanted:
        if username not in existing:
            existing[username] = user_create(username=username, full_name=full_name, roles=[role], unit=unit)
    return [existing[w[0]] for w in wanted]


def bench_programme(scale: BenchScale) -> Programme:
    """The programme the scale's quarters belong to: work style, or the demo's party-branch programme."""
    if not scale.party:
        return workstyle()
    defaults = {key: value for key, value in PARTY_PROGRAMME.items() if key != "code"}
    programme, _created = Programme.objects.get_or_create(code=PARTY_PROGRAMME["code"], defaults=defaults)
    return programme


def bench_quarter_create(scale: BenchScale, code: str, title: str) -> Quarter:
    """A draft quarter of the scale's programme, on its template and scale."""
    if scale.party:
        return quarter_create(
            code=code, title=title, programme=bench_programme(scale), template=PARTY_BRANCH.key, scale=Scale.POINTS
        )
    return quarter_create(code=code, title=title, template=WORK_STYLE.key)


def ensure_party_organisation(scale: BenchScale) -> Organisation:
    """Create (or reuse, matched by code) the secondary units, their branches, secretaries and committee leaders.

    Each branch ranks within its secondary unit (its ranking group is the unit's name).
    """
    secondary = [
        Unit(code=f"BG{i:03d}", name=f"二级单位{i:03d}", kind=UnitKind.GRASSROOTS, order=1000 + i)
        for i in range(1, scale.grassroots_units + 1)
    ]
    existing = set(Unit.objects.filter(code__in=[u.code for u in secondary]).values_list("code", flat=True))
    Unit.objects.bulk_create([u for u in secondary if u.code not in existing], batch_size=BATCH)
    parents = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in secondary])}
    units = [parents[u.code] for u in secondary]
    branches: list[Unit] = []
    for unit, count in zip(units, _spread(scale.departments, len(units)), strict=True):
        for j in range(1, count + 1):
            number = len(branches) + 1
            branches.append(
                Unit(
                    code=f"BB{number:03d}",
                    name=f"{unit.name}第{j}党支部",
                    kind=UnitKind.PARTY_BRANCH,
                    ranking_group=unit.name,
                    parent=unit,
                    order=2000 + number,
                )
            )
    existing = set(Unit.objects.filter(code__in=[b.code for b in branches]).values_list("code", flat=True))
    Unit.objects.bulk_create([b for b in branches if b.code not in existing], batch_size=BATCH)
    by_code = {b.code: b for b in Unit.objects.filter(code__in=[b.code for b in branches])}
    branches = [by_code[b.code] for b in branches]
    secretaries = _accounts(
        [(f"{SECRETARY_PREFIX}{b.code.lower()}", f"{b.name}书记", b, Role.DEPARTMENT_REP) for b in branches]
    )
    committee: list[tuple[str, str, Unit | None, Role]] = []
    for unit, count in zip(units, _spread(scale.leaders, len(units)), strict=True):
        committee += [
            (f"{COMMITTEE_PREFIX}{unit.code.lower()}_{k}", f"{unit.name}党委领导{k}", unit, Role.LEADER)
            for k in range(1, count + 1)
        ]
    return Organisation(
        departments=branches,
        grassroots=units,
        leaders=_accounts(committee),
        secretaries={branch.pk: user for branch, user in zip(branches, secretaries, strict=True)},
    )


def ensure_organisation(scale: BenchScale) -> Organisation:
    """Create (or reuse, matched by code) the bench units and leader accounts."""
    if scale.party:
        return ensure_party_organisation(scale)
    wanted = [
        Unit(code=f"BD{i:03d}", name=f"部门{i:03d}", kind=_kind_for(i), order=i)
        for i in range(1, scale.departments + 1)
    ] + [
        Unit(code=f"BG{i:03d}", name=f"基层单位{i:03d}", kind=UnitKind.GRASSROOTS, order=1000 + i)
        for i in range(1, scale.grassroots_units + 1)
    ]
    existing = set(Unit.objects.filter(code__in=[u.code for u in wanted]).values_list("code", flat=True))
    Unit.objects.bulk_create([u for u in wanted if u.code not in existing], batch_size=BATCH)
    units = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in wanted])}
    leaders = []
    for i in range(1, scale.leaders + 1):
        username = f"{LEADER_PREFIX}{i:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, full_name=f"领导{i:02d}", roles=[Role.LEADER])
        leaders.append(user)
    return Organisation(
        departments=[units[f"BD{i:03d}"] for i in range(1, scale.departments + 1)],
        grassroots=[units[f"BG{i:03d}"] for i in range(1, scale.grassroots_units + 1)],
        leaders=leaders,
    )


class _Rater:
    """Draws believable values: each department has a true quality, each rater a bias.

    On the levels scale a value is the level nearest to quality + bias + noise; on the points scale
    (`levels` empty) it is that sum as a whole number of points from 0 to 100, around 85 as in the demo.
    """

    def __init__(self, rng: random.Random, departments: Sequence[Unit], levels: Sequence[int]) -> None:
        self.rng = rng
        self.levels = sorted(levels)
        self.quality = {d.pk: rng.gauss(80, 6) if levels else rng.gauss(85, 4) for d in departments}

    def value(self, department_id: int, bias: float) -> int:
        """One value in hundredths."""
        if not self.levels:
            x = self.quality[department_id] + bias + self.rng.gauss(0, 6)
            return min(100, max(0, round(x))) * 100
        x = self.quality[department_id] + bias + self.rng.gauss(0, 11)
        best = self.levels[0]
        for level in self.levels:
            if abs(level - x) < abs(best - x):
                best = level
        return best * 100


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _grassroots_targets(rng: random.Random, org: Organisation, scale: BenchScale) -> dict[int, list[Unit]]:
    if scale.grassroots_targets is None or scale.grassroots_targets >= len(org.departments):
        return {unit.pk: org.departments for unit in org.grassroots}
    return {
        unit.pk: sorted(rng.sample(org.departments, scale.grassroots_targets), key=lambda d: d.order)
        for unit in org.grassroots
    }


BallotSpec = tuple[str, Unit | None, User | None, Sequence[Unit], float]


def _party_ballot_specs(quarter: Quarter, org: Organisation, scale: BenchScale) -> Iterator[BallotSpec]:
    """Every rater of the party-branch scale with the targets the product's scope rule offers it."""
    offered = {unit.pk: ballot_targets(quarter, source=Source.GRASSROOTS, rater_unit=unit) for unit in org.grassroots}
    for i in range(scale.grassroots_ballots):
        unit = org.grassroots[i % len(org.grassroots)]
        yield Source.GRASSROOTS, unit, None, offered[unit.pk], scale.grassroots_abstain
    for branch in org.departments:
        targets = ballot_targets(quarter, source=Source.PEER, rater_unit=branch)
        yield Source.PEER, branch, org.secretaries[branch.pk], targets, scale.peer_abstain
    for leader in org.leaders:
        targets = ballot_targets(quarter, source=Source.LEADERSHIP, rater_unit=None, rater=leader)
        yield Source.LEADERSHIP, None, leader, targets, scale.leadership_abstain


def _ballot_specs(rng: random.Random, quarter: Quarter, org: Organisation, scale: BenchScale) -> Iterator[BallotSpec]:
    """(source, rater unit, rater, targets, abstention share) for every ballot, in a fixed order."""
    if scale.party:
        yield from _party_ballot_specs(quarter, org, scale)
        return
    targets = _grassroots_targets(rng, org, scale)
    for i in range(scale.grassroots_ballots):
        unit = org.grassroots[i % len(org.grassroots)]
        yield Source.GRASSROOTS, unit, None, targets[unit.pk], scale.grassroots_abstain
    for department in org.departments:
        others = [d for d in org.departments if d.pk != department.pk]
        yield Source.PEER, department, None, others, scale.peer_abstain
    for leader in org.leaders:
        yield Source.LEADERSHIP, None, leader, org.departments, scale.leadership_abstain


def _write(
    ballots: list[Ballot], values: list[tuple[uuid.UUID, list[ValueRow]]], comments: list[BallotComment]
) -> None:
    """Write whole ballots: their values go in as the ballot service writes them (COPY on PostgreSQL, the
    counting flags of `evaluation.models.counting_flags` set), which is why a batch never splits a ballot."""
    Ballot.objects.bulk_create(ballots, batch_size=BATCH)
    _insert_values(values)
    BallotComment.objects.bulk_create(comments, batch_size=BATCH)
    ballots.clear()
    values.clear()
    comments.clear()


def _fill_ballots(quarter: Quarter, org: Organisation, scale: BenchScale, seed: int, report: GenerationReport) -> None:
    # The quarter is part of the seed: two quarters of one database never share a ballot id.
    rng = random.Random(f"{seed}:{quarter.code}")
    criteria = list(Criterion.objects.filter(quarter=quarter).order_by("order", "code"))
    levels = []
    if quarter.scale == Scale.LEVELS:
        levels = [int(p) for p in Level.objects.filter(quarter=quarter).values_list("points", flat=True)]
    rater = _Rater(rng, org.departments, levels)
    day = date(quarter.year, 3 * quarter.number, 15)
    ballots: list[Ballot] = []
    values: list[tuple[uuid.UUID, list[ValueRow]]] = []  # each ballot's id and cells
    comments: list[BallotComment] = []
    pending = 0  # cells held for the next write
    for source, unit, user, targets, abstain in _ballot_specs(rng, quarter, org, scale):
        ballot = Ballot(id=_uuid(rng), quarter=quarter, source=source, rater_unit=unit, rater=user, submitted_on=day)
        ballots.append(ballot)
        bias = rng.gauss(0, 4)
        count = 0
        cells: list[ValueRow] = []
        for department in targets:
            if rng.random() < abstain:
                continue
            for criterion in criteria:
                cells.append((department.pk, criterion.pk, rater.value(department.pk, bias)))
                count += 1
        values.append((ballot.id, cells))
        report.values[source] = report.values.get(source, 0) + count
        if source == Source.GRASSROOTS and rng.random() < scale.comment_rate:
            text = rng.choice(COMMENTS)
            comments.append(BallotComment(id=_uuid(rng), ballot=ballot, department=rng.choice(targets), text=text))
            report.comments += 1
        report.ballots[source] = report.ballots.get(source, 0) + 1
        pending += count
        if pending >= BATCH * 10:
            pending = 0
            _write(ballots, values, comments)
    _write(ballots, values, comments)


def generate(
    *, scale: BenchScale, quarter_code: str, seed: int = 2030, status: str = QuarterStatus.CLOSED
) -> GenerationReport:
    """Create `quarter_code` of the scale's programme (its template, default settings) filled with ballots.

    Refuses an existing quarter code so that runs never mix. The quarter is left in `status`
    (``closed`` by default, ready to be published through the lifecycle service).
    """
    if quarter_exists(bench_programme(scale), quarter_code):
        raise ValueError(f"quarter {quarter_code} exists already; choose another code")
    started = time.perf_counter()
    report = GenerationReport(quarter=quarter_code, scale=scale.name)
    with transaction.atomic():
        org = ensure_organisation(scale)
        quarter = bench_quarter_create(scale, quarter_code, f"bench {scale.name}")
        _fill_ballots(quarter, org, scale, seed, report)
        Quarter.objects.filter(pk=quarter.pk).update(status=status)
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write deterministic benchmark ballots to DATABASE_URL.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="benxi")
    parser.add_argument("--quarter", default="2030Q1", help="code of the quarter to create (must not exist)")
    parser.add_argument("--seed", type=int, default=2030)
    parser.add_argument("--status", choices=[QuarterStatus.OPEN, QuarterStatus.CLOSED], default=QuarterStatus.CLOSED)
    args = parser.parse_args(argv)
    try:
        report = generate(scale=SCALES[args.scale], quarter_code=args.quarter, seed=args.seed, status=args.status)
    except (ValueError, ValidationError) as error:
        print(error, file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
