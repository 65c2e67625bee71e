"""A quarter's rater relations (测评关系): its rater → target pairs, grouped by rater, and the pairs its ballots hold
(docs/design.md, "Rater scopes")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from departments.models import Unit, User
from evaluation.models import Assignment, Ballot, BallotComment, BallotInbox, BallotValue, Origin, Quarter, Source

# A pair as stored: (rating unit id, leader id, target id), exactly one of the first two set.
Pair = tuple[int | None, int | None, int]
UNIT_SOURCES = (Source.GRASSROOTS, Source.PEER)


@dataclass
class RaterPairs:
    """One rater's pairs: a rating unit or a leader's account, and its targets in display order."""

    unit: Unit | None
    leader: User | None
    pairs: list[Assignment] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.unit.code if self.unit is not None else self.leader.username

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else str(self.leader)


def rater_pairs(quarter: Quarter) -> list[RaterPairs]:
    """The quarter's pairs grouped by rater: rating units in display order, then leaders by username."""
    pairs = (
        Assignment.objects.filter(quarter=quarter)
        .select_related("rater_unit", "rater", "target")
        .order_by("target__order", "target__code")
    )
    groups: dict[tuple[str, int], RaterPairs] = {}
    for pair in pairs:
        key = ("unit", pair.rater_unit_id) if pair.rater_unit_id else ("leader", pair.rater_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = RaterPairs(unit=pair.rater_unit, leader=pair.rater)
        group.pairs.append(pair)
    return sorted(
        groups.values(),
        key=lambda g: (0, g.unit.order, g.unit.code) if g.unit is not None else (1, 0, g.leader.username),
    )


def stored_pairs(quarter: Quarter) -> list[Pair]:
    """The quarter's pairs as (rating unit id, leader id, target id)."""
    return list(Assignment.objects.filter(quarter=quarter).values_list("rater_unit_id", "rater_id", "target_id"))


def held_pairs(
    quarter: Quarter, *, rater_unit: Unit | None = None, rater: Any = None, but_imported: bool = False
) -> set[Pair]:
    """The pairs the quarter's stored ballots rely on: a ballot of the rater (counted or voided, since a void can
    be undone) or a grassroots ballot waiting in the inbox gives the target a value or a comment.

    `rater_unit` or `rater` narrows the answer to that rater; `but_imported` leaves out imported ballots (an
    import that replaces them asks so).
    """
    ballots = Ballot.objects.filter(quarter=quarter)
    if but_imported:
        ballots = ballots.exclude(origin=Origin.IMPORTED)
    held: set[Pair] = set()
    if rater is None:
        by_unit = ballots.filter(source__in=UNIT_SOURCES)
        if rater_unit is not None:
            by_unit = by_unit.filter(rater_unit=rater_unit)
        held.update((unit, None, target) for unit, target in _rated(by_unit, "ballot__rater_unit_id"))
        held.update((unit, None, target) for unit, target in _waiting(quarter, rater_unit))
    if rater_unit is None:
        by_leader = ballots.filter(source=Source.LEADERSHIP)
        if rater is not None:
            by_leader = by_leader.filter(rater=rater)
        held.update((None, leader, target) for leader, target in _rated(by_leader, "ballot__rater_id"))
    return held


def _rated(ballots: Any, rater_field: str) -> set[tuple[int, int]]:
    """(rater id, target id) of every value and comment of these ballots (one value row per ballot and target)."""
    values = BallotValue.objects.filter(ballot__in=ballots, counts_ballot=True)
    comments = BallotComment.objects.filter(ballot__in=ballots)
    found = set(values.values_list(rater_field, "department_id").distinct())
    found.update(comments.values_list(rater_field, "department_id").distinct())
    return found


def _waiting(quarter: Quarter, unit: Unit | None) -> Iterator[tuple[int, int]]:
    """(unit id, target id) of the grassroots ballots still in the inbox; they name their unit only."""
    waiting = BallotInbox.objects.filter(quarter=quarter)
    if unit is not None:
        waiting = waiting.filter(unit=unit)
    for unit_id, payload in waiting.values_list("unit_id", "payload"):
        for department_id, _criterion, _centi in payload.get("values", []):
            yield unit_id, department_id
        for department_id, _text in payload.get("comments", []):
            yield unit_id, department_id
