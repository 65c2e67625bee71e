"""Who is expected to vote in a quarter, and who has (docs/design.md, "Participation console").

Participation is read from codes, GrassrootsParticipation and the rater
fields of logged-in ballots; grassroots ballots are only counted per unit.
In a programme with a rater scope (same_parent, assigned), each row also says how
many targets the rater's ballot offers (`targets`), and a rater whose scope is
empty is not expected to vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from departments.models import RaterScope, Unit, User
from departments.roles import Role
from evaluation import ballot_rules as rules
from evaluation.models import Ballot, BallotCode, GrassrootsParticipation, Quarter, Source
from evaluation.selectors.inbox import consistent_reads, pending_per_unit


def role_members(role: Role) -> Any:
    """Active accounts holding `role`, in a stable order."""
    return User.objects.filter(is_active=True, groups__name=role).distinct().order_by("username")


def _counted(quarter: Quarter) -> Any:
    return Ballot.objects.filter(quarter=quarter, voided_at__isnull=True)


def offered_counts(quarter: Quarter, source: str, raters: list[Any]) -> dict[Any, int] | None:
    """How many targets each rater's ballot of `source` offers (the length of `ballot_targets`), by the rater's pk:
    the scope of ballot_rules.scope_target_map among the evaluated units, never a peer's own unit. None when the
    programme's scope is `all`: every rater rates every target."""
    if quarter.programme.scope == RaterScope.ALL:
        return None
    evaluated = frozenset(Unit.objects.evaluated(quarter.programme).values_list("pk", flat=True))
    scopes = rules.scope_target_map(quarter, source=source, raters=raters)
    return {
        rater.pk: rules.offered_targets(
            evaluated if scopes[rater.pk] is None else scopes[rater.pk] & evaluated,
            source=source,
            own_unit_id=rater.pk if source == Source.PEER else None,
        )
        for rater in raters
    }


def _with_targets(row: dict[str, Any], counts: dict[Any, int] | None, pk: Any) -> dict[str, Any]:
    """The row with the number of targets its rater rates, in a scoped programme."""
    if counts is not None:
        row["targets"] = counts[pk]
    return row


def grassroots_rows(quarter: Quarter) -> list[dict[str, Any]]:
    """Per grassroots unit: codes issued and used, accounts and their votes, counted ballots (waiting ones too).

    A unit whose scope is empty (nothing to rate) is expected to hand in no ballot, whatever its codes and
    accounts."""
    codes = {
        row["unit"]: row
        for row in BallotCode.objects.filter(quarter=quarter)
        .values("unit")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
    }
    votes = dict(
        GrassrootsParticipation.objects.filter(quarter=quarter)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    accounts = dict(
        User.objects.filter(is_active=True, groups__name=Role.GRASSROOTS_RATER)
        .values("unit")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
        .values_list("unit", "n")
    )
    ballots = dict(
        _counted(quarter)
        .filter(source=Source.GRASSROOTS)
        .values("rater_unit")
        .annotate(n=Count("pk"))
        .values_list("rater_unit", "n")
    )
    for unit_id, n in pending_per_unit(quarter).items():
        ballots[unit_id] = ballots.get(unit_id, 0) + n
    rows = []
    units = list(Unit.objects.grassroots())
    targets = offered_counts(quarter, Source.GRASSROOTS, units)
    for unit in units:
        issued = codes.get(unit.pk, {}).get("issued", 0)
        used = codes.get(unit.pk, {}).get("used", 0)
        expected = issued + accounts.get(unit.pk, 0) if targets is None or targets[unit.pk] else 0
        row = {
            "unit": unit.code,
            "name": unit.name,
            "codes_issued": issued,
            "codes_used": used,
            "accounts": accounts.get(unit.pk, 0),
            "account_votes": votes.get(unit.pk, 0),
            "expected": expected,
            "submitted": used + votes.get(unit.pk, 0),
            "ballots": ballots.get(unit.pk, 0),
        }
        rows.append(_with_targets(row, targets, unit.pk))
    return rows


def peer_rows(quarter: Quarter) -> list[dict[str, Any]]:
    """Per evaluated department: whether its peer ballot is in, and whether one is expected (`expected`: it has
    something to rate)."""
    voted = {row["rater_unit"] for row in rules.voters(quarter, Source.PEER)}
    units = list(Unit.objects.evaluated(quarter.programme))
    targets = offered_counts(quarter, Source.PEER, units)
    return [
        _with_targets(
            {
                "unit": unit.code,
                "name": unit.name,
                "voted": unit.pk in voted,
                "expected": targets is None or targets[unit.pk] > 0,
            },
            targets,
            unit.pk,
        )
        for unit in units
    ]


def leadership_rows(quarter: Quarter) -> list[dict[str, Any]]:
    """Per leader: whether their ballot is in, and whether one is expected (`expected`: something to rate)."""
    voted = {row["rater"] for row in rules.voters(quarter, Source.LEADERSHIP)}
    leaders = list(role_members(Role.LEADER))
    targets = offered_counts(quarter, Source.LEADERSHIP, leaders)
    return [
        _with_targets(
            {
                "username": user.username,
                "name": str(user),
                "voted": user.pk in voted,
                "expected": targets is None or targets[user.pk] > 0,
            },
            targets,
            user.pk,
        )
        for user in leaders
    ]


def quarter_participation(quarter: Quarter) -> dict[str, Any]:
    """Expected against submitted, per source and unit; the JSON the console polls."""
    with consistent_reads():
        grassroots = grassroots_rows(quarter)
    peer = peer_rows(quarter)
    leadership = leadership_rows(quarter)
    return {
        "quarter": quarter.code,
        "status": quarter.status,
        "scope": quarter.programme.scope,
        "sources": {
            Source.GRASSROOTS.value: {
                "weight": quarter.weight_grassroots,
                "expected": sum(row["expected"] for row in grassroots),
                "submitted": sum(row["submitted"] for row in grassroots),
                "units": grassroots,
            },
            Source.PEER.value: {
                "weight": quarter.weight_peer,
                "expected": sum(row["expected"] for row in peer),
                "submitted": sum(row["voted"] for row in peer),
                "units": peer,
            },
            Source.LEADERSHIP.value: {
                "weight": quarter.weight_leadership,
                "expected": sum(row["expected"] for row in leadership),
                "submitted": sum(row["voted"] for row in leadership),
                "leaders": leadership,
            },
        },
    }


def participation_warning_percent() -> int:
    """Below this share (percent) of its expected raters a source is flagged: PARTICIPATION_WARNING_PERCENT."""
    return settings.PARTICIPATION_WARNING_PERCENT


@dataclass(frozen=True)
class SourceTurnout:
    """One collected source of a quarter: how many of its expected raters have voted."""

    source: str
    label: str
    expected: int
    submitted: int
    warning_percent: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down (so 49.9 % never reads as 50 %); None when nobody is expected."""
        return self.submitted * 100 // self.expected if self.expected else None

    @property
    def low(self) -> bool:
        """Below the warning threshold, or nobody expected at all (no codes issued, no accounts)."""
        return self.submitted * 100 < self.warning_percent * self.expected or not self.expected


def source_turnout(quarter: Quarter, participation: dict[str, Any]) -> list[SourceTurnout]:
    """Per source the quarter collects (weight above 0), from `quarter_participation`'s dict."""
    threshold = participation_warning_percent()
    return [
        SourceTurnout(source, quarter.source_label(source), data["expected"], data["submitted"], threshold)
        for source, data in participation["sources"].items()
        if data["weight"]
    ]
