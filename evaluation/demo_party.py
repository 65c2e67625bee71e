"""The party-branch programme's demo quarters for `seed_demo` (docs/design.md, "Demo data").

Beside the work-style demo: dj.2026Q2 published and dj.2026Q3 open, on the four-dimension template and the
points scale. Each secondary unit's workers rate its branches by one-time code (群众评议), each branch's
secretary rates the sibling branches (支部互评) and each unit's party committee leader rates its branches
(党委评分); every ballot goes through ballot_submit, so scopes, the inbox and the counted ballots are the
product's own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from departments.models import Programme, Unit, User
from departments.roles import Role
from evaluation.ballot_rules import scope_target_ids
from evaluation.criteria_templates import PARTY_BRANCH
from evaluation.models import Criterion, Quarter, QuarterStatus, Scale, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

SEED = 20260701
PROGRAMME_CODE = "dj"


@dataclass(frozen=True)
class PartyQuarter:
    code: str
    title: str
    final_status: str
    turnout: float  # share of each unit's codes used


PARTY_QUARTERS: tuple[PartyQuarter, ...] = (
    PartyQuarter("2026Q2", '2026年第二季度党支部"1234"考核', QuarterStatus.PUBLISHED, 0.9),
    PartyQuarter("2026Q3", '2026年第三季度党支部"1234"考核', QuarterStatus.OPEN, 0.5),
)


def seed_party_demo(*, stdout: Any, actor: User) -> None:
    """Add the party-branch quarters and their ballots; do nothing without the programme or if they exist."""
    programme = Programme.objects.filter(code=PROGRAMME_CODE).first()
    if programme is None or not Unit.objects.evaluated(programme).exists():
        return
    if Quarter.objects.filter(programme=programme).exists():
        stdout.write(_("Demo quarters exist already; none added."))
        return
    rng = random.Random(SEED)  # noqa: S311 - believable demo values, not secrets
    branches = list(Unit.objects.evaluated(programme).order_by("order", "code"))
    quality = {branch.pk: rng.gauss(85, 4) for branch in branches}
    for spec in PARTY_QUARTERS:
        quarter = _seed_quarter(spec, programme=programme, actor=actor, rng=rng, quality=quality)
        quarter.refresh_from_db(fields=["status"])
        stdout.write(
            _("%(code)s %(title)s (%(status)s): %(ballots)d ballots")
            % {
                "code": f"{programme.code}.{quarter.code}",
                "title": quarter.title,
                "status": quarter.get_status_display(),
                "ballots": quarter.ballots.count(),
            }
        )


def _seed_quarter(
    spec: PartyQuarter, *, programme: Programme, actor: User, rng: random.Random, quality: dict[int, float]
) -> Quarter:
    quarter = quarter_create(
        code=spec.code, title=spec.title, programme=programme, template=PARTY_BRANCH.key, scale=Scale.POINTS
    )
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=actor)
    criteria = list(quarter.criteria.order_by("order", "code"))
    parents = Unit.objects.filter(children__in=quality.keys()).distinct().order_by("order", "code")
    for unit in parents:
        targets = _targets(quarter, Source.GRASSROOTS, rater_unit=unit)
        codes = codes_issue(quarter=quarter, unit=unit, count=12, actor=actor)
        for code in codes[: round(len(codes) * spec.turnout)]:
            values = _values(rng, targets, criteria, quality, noise=6)
            ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, code=code.code)
    for rep in User.objects.filter(groups__name=Role.DEPARTMENT_REP, unit_id__in=quality.keys()).select_related("unit"):
        if spec.final_status == QuarterStatus.OPEN and rng.random() < 0.4:
            continue  # some secretaries have not voted yet
        targets = _targets(quarter, Source.PEER, rater_unit=rep.unit)
        values = _values(rng, targets, criteria, quality, noise=4)
        ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)
    leaders = User.objects.filter(groups__name=Role.LEADER, unit__children__in=quality.keys()).distinct()
    for leader in leaders.select_related("unit"):
        targets = _targets(quarter, Source.LEADERSHIP, rater=leader)
        ballot_submit(
            quarter=quarter, source=Source.LEADERSHIP, values=_values(rng, targets, criteria, quality, 3), rater=leader
        )
    if spec.final_status == QuarterStatus.OPEN:
        return quarter
    inbox_flush(quarter=quarter)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=actor)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=actor)
    return quarter


def _targets(quarter: Quarter, source: str, *, rater_unit: Unit | None = None, rater: Any = None) -> list[int]:
    ids = scope_target_ids(quarter, source=source, rater_unit=rater_unit, rater=rater) or frozenset()
    return sorted(ids - {getattr(rater_unit, "pk", None)})


def _values(
    rng: random.Random, targets: Sequence[int], criteria: Sequence[Criterion], quality: dict[int, float], noise: float
) -> dict[tuple[int, int], Decimal]:
    values: dict[tuple[int, int], Decimal] = {}
    for target in targets:
        for criterion in criteria:
            x = min(100.0, max(0.0, quality[target] + rng.gauss(0, noise)))
            values[target, criterion.pk] = Decimal(round(x))
    return values
