"""Demo quarters and ballots for `seed_demo`, built through the product's own services.

After the demo organisation exists (departments, grassroots units, one representative per
department, leaders, evaluators), this adds:

- 2025Q4, 2026Q1 and 2026Q2 on the work-style template, published (so each has its frozen
  snapshot), with grassroots ballots by one-time code, peer and leadership ballots,
  comments, a void and bonus/penalty adjustments;
- 2026Q3, open, part-way through voting: some codes unused, the demo accounts rep_ops,
  rep_eqp, leader1 and every grassroots rater's account have not voted yet;
- 2025Q3, "党支部四维度考核示例", on the four-dimension party-branch template, closed.
  Quarter codes are unique, so the example takes the quarter before the others; it is
  left closed rather than published so that its different criteria never feed the rank
  changes of 2025Q4 or the 2025 annual ranking.

Values are drawn from a fixed seed: each department has a "true" quality that drifts a
little from quarter to quarter, each rater a bias, each value some noise.
"""

from __future__ import annotations

import datetime
import importlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Unit, User
from departments.roles import Role
from evaluation.criteria_templates import PARTY_BRANCH, WORK_STYLE
from evaluation.demo_party import seed_party_demo
from evaluation.models import Ballot, Criterion, Quarter, QuarterStatus, Source
from evaluation.services.adjustments import adjustment_add
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create
from evaluation.services.voids import ballot_void

SEED = 20251001

# The "true" quality of each demo department (unit codes of seed_demo); unknown units get a drawn one.
QUALITY: dict[str, float] = {
    "SAF": 84,
    "OPS": 88,
    "OFF": 81,
    "MFG": 76,
    "HRD": 79,
    "EQP": 72,
    "PUB": 83,
    "AUD": 75,
    "SAL": 71,
    "PUR": 68,
    "TRD": 77,
    "RET": 80,
}

PRAISE = (
    "服务态度好，响应及时",
    "深入现场解决问题，值得肯定",
    "政策解读清楚，对基层帮助很大",
    "协调有力，问题当天就有回复",
)
COMPLAINTS = (
    "审批流程较慢，希望简化",
    "办事需要跑好几趟，建议一次性告知所需材料",
    "现场反映的问题答复不及时",
    "遇到跨部门事项互相推诿，希望明确牵头责任",
    "文件要求多，到基层的具体指导少",
)
SUGGESTIONS = ("希望多到基层调研", "建议定期召开对接会，听取基层意见")


@dataclass(frozen=True)
class DemoAdjustment:
    department: str
    points: str
    reason: str


@dataclass(frozen=True)
class DemoQuarter:
    code: str
    title: str
    final_status: str
    template: str = WORK_STYLE.key
    turnout: float = 1.0  # share of the planned grassroots ballots actually cast
    peers_absent: tuple[str, ...] = ()  # departments whose representative has not voted
    leaders_absent: tuple[str, ...] = ()  # leader usernames who have not voted
    adjustments: tuple[DemoAdjustment, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    voting_days: tuple[datetime.date, datetime.date] | None = None  # the window shown for past quarters
    void_one: bool = False


DEMO_QUARTERS: tuple[DemoQuarter, ...] = (
    DemoQuarter(
        code="2025Q3",
        title="党支部四维度考核示例",
        template=PARTY_BRANCH.key,
        final_status=QuarterStatus.CLOSED,
        voting_days=(datetime.date(2025, 10, 9), datetime.date(2025, 10, 17)),
    ),
    DemoQuarter(
        code="2025Q4",
        title="2025年第四季度部门工作作风考核",
        final_status=QuarterStatus.PUBLISHED,
        peers_absent=("TRD",),
        adjustments=(DemoAdjustment("PUB", "1.00", "获集团表彰"),),
        voting_days=(datetime.date(2026, 1, 8), datetime.date(2026, 1, 16)),
    ),
    DemoQuarter(
        code="2026Q1",
        title="2026年第一季度部门工作作风考核",
        final_status=QuarterStatus.PUBLISHED,
        adjustments=(DemoAdjustment("PUR", "-2.00", "重大事项推诿"),),
        voting_days=(datetime.date(2026, 4, 8), datetime.date(2026, 4, 17)),
        void_one=True,
    ),
    DemoQuarter(
        code="2026Q2",
        title="2026年第二季度部门工作作风考核",
        final_status=QuarterStatus.PUBLISHED,
        peers_absent=("RET",),
        settings={"trim": True},
        adjustments=(
            DemoAdjustment("SAF", "0.50", "安全生产专项检查获集团通报表扬"),
            DemoAdjustment("EQP", "-1.00", "设备故障处理迟缓，影响生产"),
        ),
        voting_days=(datetime.date(2026, 7, 7), datetime.date(2026, 7, 17)),
    ),
    DemoQuarter(
        code="2026Q3",
        title="2026年第三季度部门工作作风考核",
        final_status=QuarterStatus.OPEN,
        turnout=0.6,
        peers_absent=("OPS", "EQP", "AUD", "SAL"),
        leaders_absent=("leader1", "leader4"),
    ),
)


@dataclass
class _Cast:
    """Counts of what one quarter received, for the command's output."""

    ballots: dict[str, int] = field(default_factory=dict)
    comments: int = 0

    def add(self, source: str, comments: int) -> None:
        self.ballots[source] = self.ballots.get(source, 0) + 1
        self.comments += comments


class _Voters:
    """Draws believable values and comments from one seeded generator."""

    LEVELS = (Decimal(100), Decimal(80), Decimal(60), Decimal(40))

    def __init__(self, rng: random.Random, departments: Sequence[Unit], criteria: Sequence[Criterion]) -> None:
        self.rng = rng
        self.departments = departments
        self.criteria = criteria
        self.quality = {d.pk: QUALITY.get(d.code, rng.gauss(78, 5)) + rng.gauss(0, 2.5) for d in departments}
        self.criterion_offset = {(d.pk, c.pk): rng.gauss(0, 3) for d in departments for c in criteria}

    def level(self, x: float) -> Decimal:
        return min(self.LEVELS, key=lambda level: abs(float(level) - x))

    def ballot(
        self, targets: Sequence[Unit], *, bias: float, noise: float, abstain: float
    ) -> dict[tuple[int, int], Decimal]:
        values: dict[tuple[int, int], Decimal] = {}
        for department in targets:
            if self.rng.random() < abstain:
                continue  # 不了解: the whole row abstains
            for criterion in self.criteria:
                if self.rng.random() < 0.03:
                    continue  # a single cell left as 不了解
                x = self.quality[department.pk] + self.criterion_offset[department.pk, criterion.pk]
                values[department.pk, criterion.pk] = self.level(x + bias + self.rng.gauss(0, noise))
        return values

    def comments(self, targets: Sequence[Unit], *, rate: float) -> dict[int, str]:
        if not targets or self.rng.random() >= rate:
            return {}
        department = self.rng.choice(list(targets))
        good = self.quality[department.pk] + self.rng.gauss(0, 5) >= 79
        pool = PRAISE if good else COMPLAINTS
        if self.rng.random() < 0.2:
            pool = SUGGESTIONS
        return {department.pk: self.rng.choice(pool)}


def seed_evaluation_demo(*, stdout: Any) -> None:
    """Add the demo quarters and their ballots to the demo organisation; do nothing if they exist."""
    if Quarter.objects.filter(code__in=[q.code for q in DEMO_QUARTERS]).exists():
        stdout.write(_("Demo quarters exist already; none added."))
        return
    departments = list(Unit.objects.evaluated().order_by("order", "code"))
    # The party-branch demo's secondary units and committee leaders take part in that programme only.
    grassroots = list(Unit.objects.grassroots().filter(children__isnull=True).order_by("order", "code"))
    evaluator = _first_with_role(Role.EVALUATOR)
    if not departments or not grassroots or evaluator is None:
        stdout.write(
            _("The demo organisation is incomplete (departments, grassroots units, an evaluator): no quarters.")
        )
        return
    rng = random.Random(SEED)  # noqa: S311 - believable demo values, not secrets
    for spec in DEMO_QUARTERS:
        quarter, cast = _seed_quarter(spec, rng=rng, departments=departments, grassroots=grassroots, actor=evaluator)
        stdout.write(_summary(quarter, cast))
    _seed_problems(stdout)
    seed_party_demo(stdout=stdout, actor=evaluator)


def _first_with_role(role: Role) -> User | None:
    return User.objects.filter(groups__name=role, is_active=True).order_by("username").first()


def _seed_quarter(
    spec: DemoQuarter, *, rng: random.Random, departments: list[Unit], grassroots: list[Unit], actor: User
) -> tuple[Quarter, _Cast]:
    quarter = quarter_create(code=spec.code, title=spec.title, template=spec.template, actor=actor, **spec.settings)
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=actor)
    voters = _Voters(rng, departments, list(quarter.criteria.order_by("order", "code")))
    cast = _Cast()
    _cast_grassroots(quarter, spec, voters=voters, units=grassroots, actor=actor, cast=cast)
    _cast_peer(quarter, spec, voters=voters, departments=departments, cast=cast)
    _cast_leadership(quarter, spec, voters=voters, departments=departments, cast=cast)
    if spec.voting_days is not None:
        _backdate(quarter, spec.voting_days, rng)
    if spec.final_status == QuarterStatus.OPEN:
        return quarter, cast
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=actor)
    if spec.void_one:
        _void_one(quarter, actor)
    for adjustment in spec.adjustments:
        _add_adjustment(quarter, adjustment, actor)
    if spec.final_status == QuarterStatus.PUBLISHED:
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=actor)
    return quarter, cast


def _cast_grassroots(
    quarter: Quarter, spec: DemoQuarter, *, voters: _Voters, units: list[Unit], actor: User, cast: _Cast
) -> None:
    departments = voters.departments
    for unit in units:
        planned = voters.rng.randint(20, 40)
        # More codes are printed than are ever used: some slips go unused at every meeting.
        codes = codes_issue(quarter=quarter, unit=unit, count=planned + voters.rng.randint(2, 8), actor=actor)
        for code in codes[: round(planned * spec.turnout)]:
            comments = voters.comments(departments, rate=0.12)
            values = voters.ballot(departments, bias=voters.rng.gauss(0, 4), noise=12, abstain=0.12)
            if not values:
                continue
            ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, comments=comments, code=code.code)
            cast.add(Source.GRASSROOTS, len(comments))


def _cast_peer(quarter: Quarter, spec: DemoQuarter, *, voters: _Voters, departments: list[Unit], cast: _Cast) -> None:
    reps = {
        user.unit_id: user
        for user in User.objects.filter(groups__name=Role.DEPARTMENT_REP, is_active=True).order_by("-username")
    }
    for department in departments:
        rep = reps.get(department.pk)
        if rep is None or department.code in spec.peers_absent:
            continue
        others = [d for d in departments if d.pk != department.pk]
        # Peers are a little lenient and know each other well: fewer abstentions, less noise.
        values = voters.ballot(others, bias=3 + voters.rng.gauss(0, 2), noise=8, abstain=0.04)
        comments = voters.comments(others, rate=0.3)
        ballot_submit(quarter=quarter, source=Source.PEER, values=values, comments=comments, rater=rep)
        cast.add(Source.PEER, len(comments))


def _cast_leadership(
    quarter: Quarter, spec: DemoQuarter, *, voters: _Voters, departments: list[Unit], cast: _Cast
) -> None:
    leaders = User.objects.filter(groups__name=Role.LEADER, is_active=True, unit__isnull=True).order_by("username")
    for leader in leaders:
        if leader.username in spec.leaders_absent:
            continue
        values = voters.ballot(departments, bias=voters.rng.gauss(0, 2), noise=6, abstain=0.01)
        ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader)
        cast.add(Source.LEADERSHIP, 0)


def _backdate(quarter: Quarter, days: tuple[datetime.date, datetime.date], rng: random.Random) -> None:
    """Give a past quarter its voting window and its ballots their day inside it (display only)."""
    first, last = days
    zone = timezone.get_current_timezone()
    Quarter.objects.filter(pk=quarter.pk).update(
        opens_at=datetime.datetime.combine(first, datetime.time(9), tzinfo=zone),
        closes_at=datetime.datetime.combine(last, datetime.time(17), tzinfo=zone),
    )
    span = (last - first).days
    ids = list(Ballot.objects.filter(quarter=quarter).order_by("pk").values_list("pk", flat=True))
    by_day: dict[datetime.date, list[Any]] = {}
    for pk in ids:
        by_day.setdefault(first + datetime.timedelta(days=rng.randint(0, span)), []).append(pk)
    for day, pks in by_day.items():
        Ballot.objects.filter(pk__in=pks).update(submitted_on=day)


def _void_one(quarter: Quarter, actor: User) -> None:
    ballot = Ballot.objects.filter(quarter=quarter, source=Source.GRASSROOTS).order_by("pk").first()
    if ballot is not None:
        ballot_void(ballot=ballot, actor=actor, reason="同一职工重复填写，作废一张")


def _add_adjustment(quarter: Quarter, spec: DemoAdjustment, actor: User) -> None:
    department = Unit.objects.filter(code=spec.department).first()
    if department is not None:
        adjustment_add(
            quarter=quarter, department=department, points=Decimal(spec.points), reason=spec.reason, actor=actor
        )


def _seed_problems(stdout: Any) -> None:
    try:
        module = importlib.import_module("evaluation.demo_problems")
    except ModuleNotFoundError as error:
        if error.name != "evaluation.demo_problems":
            raise
        return
    seed = getattr(module, "seed_problems_demo", None)
    if seed is not None:
        seed(stdout=stdout)


def _summary(quarter: Quarter, cast: _Cast) -> str:
    counts = ", ".join(f"{Source(source).label} {n}" for source, n in cast.ballots.items())
    quarter.refresh_from_db(fields=["status"])
    return _("%(code)s %(title)s (%(status)s): ballots %(counts)s; %(comments)d comments") % {
        "code": quarter.code,
        "title": quarter.title,
        "status": quarter.get_status_display(),
        "counts": counts,
        "comments": cast.comments,
    }
