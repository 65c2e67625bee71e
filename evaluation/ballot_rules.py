"""The rules every ballot obeys, whichever way it comes in (docs/scoring.md, "Scale" and "Which ballots count").

The browser ballot page, the keyed paper entry, the online service and the workbook import all ask these
functions, so a bad ballot is refused with the same message everywhere: what a cell may hold, which
departments a ballot may rate, who may hand in a ballot of which source, and when a rater has already voted.
Each refusal is a BallotRefused whose message is translated and safe to show to the person who sent it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from departments.models import EVALUATED_KINDS, Programme, RaterScope, Unit, UnitKind
from departments.roles import Role
from departments.workbook import normalise_header
from evaluation.criteria_templates import ABSTAIN_LABELS, within_digits
from evaluation.models import (
    Assignment,
    Ballot,
    GrassrootsParticipation,
    Origin,
    Quarter,
    Scale,
    Source,
    source_label,
)
from evaluation.scoring import SOURCES

# Typed or imported text that means 不了解 (an abstention), compared after normalise_header; blank abstains too.
ABSTAIN_TEXTS = frozenset(normalise_header(label) for label in ("", *ABSTAIN_LABELS, "na", "-", "–"))
# The value the ballot page posts for 不了解.
ABSTAIN = "na"
# Longer text is no value of a ballot (level labels and numbers are short); it is not parsed at all.
VALUE_TEXT_MAX = 40
# How much of a refused value a message repeats.
SHOWN_MAX = 20


class BallotRefused(ValidationError):
    """A ballot that cannot be stored. The message is translated and safe to show to the rater."""


# --- the cells ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueScale:
    """What a cell of a quarter's ballot may hold: a level (label or points), or whole points from 0 to 100.

    `levels` maps each level's label to its points, best first; it is empty on the points scale.
    """

    uses_levels: bool
    levels: Mapping[str, Decimal]

    @property
    def level_points(self) -> frozenset[Decimal]:
        return frozenset(self.levels.values())


def cell_centi(raw: Any, *, scale: ValueScale, department: str, criterion: str) -> int | None:
    """A cell's value in hundredths of a point, or None for an abstention (blank, 不了解, n/a).

    Raises BallotRefused naming the department and criterion when the cell holds anything else.
    """
    if raw is None or (isinstance(raw, str) and normalise_header(raw) in ABSTAIN_TEXTS):
        return None
    if scale.uses_levels and isinstance(raw, str) and raw.strip() in scale.levels:
        return int(scale.levels[raw.strip()] * 100)
    number = _number(raw)
    if number is not None and _allowed(number, scale):
        return int(number * 100)
    raise BallotRefused(_value_message(raw, scale=scale, department=department, criterion=criterion), code="value")


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int | float | str) and len(str(raw)) <= VALUE_TEXT_MAX:
        try:
            number = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return number if within_digits(number) else None


def _allowed(number: Decimal, scale: ValueScale) -> bool:
    if scale.uses_levels:
        return number in scale.level_points
    return Decimal(0) <= number <= Decimal(100) and number == number.to_integral_value()


def _value_message(raw: Any, *, scale: ValueScale, department: str, criterion: str) -> str:
    place = {"department": department, "criterion": criterion, "value": shown_text(raw)}
    if scale.uses_levels:
        message = _("%(department)s, %(criterion)s: “%(value)s” is not one of the levels (%(levels)s) nor %(abstain)s.")
        return message % {**place, "levels": "、".join(scale.levels), "abstain": _("Not familiar")}
    return _("%(department)s, %(criterion)s: “%(value)s” is not a whole number of points from 0 to 100.") % place


def shown_text(raw: Any) -> str:
    """A refused value as a message repeats it: short, on one line, without control characters."""
    text = "".join(char if char.isprintable() else "?" for char in str(raw))
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def comment_refusal(text: str, *, department: str, max_length: int) -> str | None:
    """Why a comment to `department` cannot be stored, or None when it can (after trimming)."""
    if "\x00" in text:
        return _("The comment for %(department)s contains a null character, which is not allowed.") % {
            "department": department
        }
    if len(text.strip()) > max_length:
        return _("The comment for %(department)s is longer than %(max)d characters.") % {
            "department": department,
            "max": max_length,
        }
    return None


def check_not_empty(*, values: int, comments: int) -> None:
    """A ballot gives at least one value or one comment; a comment-only ballot counts for no score."""
    if not values and not comments:
        raise BallotRefused(_("The ballot is empty: rate at least one department or write a comment."), code="empty")


# --- the departments rated ---------------------------------------------------------------------


def check_target(
    department_id: Any,
    *,
    source: str,
    targets: Mapping[int, str],
    own_unit_id: int | None,
    scope: AbstractSet[int] | None = None,
) -> None:
    """A ballot rates evaluated departments only, a peer ballot never its own department, and a rater only the
    targets in its scope (`scope`, see scope_target_ids; None: every evaluated department)."""
    if source == Source.PEER and own_unit_id is not None and department_id == own_unit_id:
        raise BallotRefused(_("A department cannot rate itself in the peer review."), code="own_department")
    if department_id not in targets:
        raise BallotRefused(_("The ballot rates a department that is not evaluated."), code="department")
    if scope is not None and department_id not in scope:
        raise out_of_scope(targets[department_id])


def out_of_scope(department: str) -> BallotRefused:
    """The refusal of a value or comment for a target outside the rater's scope (see scope_target_ids)."""
    return BallotRefused(
        _("%(department)s is not among the targets this rater rates in this programme.") % {"department": department},
        code="scope",
    )


def scope_target_ids(
    quarter: Quarter, *, source: str, rater_unit: Unit | None, rater: Any = None
) -> frozenset[int] | None:
    """The ids of the targets a rater's ballot offers and accepts in the quarter's programme, or None for every
    evaluated unit (docs/design.md, "Rater scopes"). Every way in asks it; the rule itself is scope_target_map's.

    `rater_unit` rates for grassroots and peer ballots, the leader `rater` for leadership ballots.
    """
    who = rater if source == Source.LEADERSHIP else rater_unit
    return scope_target_map(quarter, source=source, raters=[who])[getattr(who, "pk", None)]


@dataclass(frozen=True)
class ScopeRead:
    """scope_target_ids as read for one rater, with whose scope it is: the ballot page reads it to offer the
    targets, and passes it on to ballot_check, which uses it only for the same quarter, source and rater and
    otherwise reads the scope again."""

    quarter_id: int
    source: str
    rater_unit_id: int | None
    rater_id: int | None
    ids: frozenset[int] | None

    def belongs_to(self, quarter: Quarter, *, source: str, rater_unit: Unit | None, rater: Any = None) -> bool:
        return (self.quarter_id, self.source, self.rater_unit_id, self.rater_id) == (
            quarter.pk,
            source,
            getattr(rater_unit, "pk", None),
            getattr(rater, "pk", None),
        )


def scope_read(quarter: Quarter, *, source: str, rater_unit: Unit | None, rater: Any = None) -> ScopeRead:
    """scope_target_ids, kept with whose scope it is (ScopeRead)."""
    ids = scope_target_ids(quarter, source=source, rater_unit=rater_unit, rater=rater)
    return ScopeRead(quarter.pk, source, getattr(rater_unit, "pk", None), getattr(rater, "pk", None), ids)


def scope_target_map(quarter: Quarter, *, source: str, raters: Iterable[Any]) -> dict[Any, frozenset[int] | None]:
    """scope_target_ids for many raters of one source at once, keyed by each rater's pk: the rating units of
    grassroots and peer ballots, the leaders' accounts of leadership ballots. The one home of the scope rule
    (docs/design.md, "Rater scopes"); it reads at most two queries, whatever the number of raters.

    - all: every target (None).
    - same_parent: the targets under the rating unit; a rater that is itself a target (a branch's secretary)
      rates its siblings; a leader rates the targets under the leader's unit (a secondary unit's party
      committee its branches), nothing without a unit.
    - assigned: the quarter's pairs (Assignment) for this rater; none without pairs.
    """
    raters = list(raters)
    keys = [getattr(who, "pk", None) for who in raters]
    programme = quarter.programme
    if programme.scope == RaterScope.ALL:
        return dict.fromkeys(keys)
    if programme.scope == RaterScope.ASSIGNED:
        field = "rater_id" if source == Source.LEADERSHIP else "rater_unit_id"
        found: dict[Any, set[int]] = {key: set() for key in keys}
        pairs = Assignment.objects.filter(quarter_id=quarter.pk, **{f"{field}__in": [k for k in keys if k]})
        for rater_id, target_id in pairs.values_list(field, "target_id"):
            found[rater_id].add(target_id)
        return {key: frozenset(targets) for key, targets in found.items()}
    anchors = _leader_units(raters) if source == Source.LEADERSHIP else dict(zip(keys, raters, strict=True))
    # The unit whose children a rater rates: its own, or its parent for a rater that is itself a target.
    under: dict[Any, int | None] = {
        key: (anchor.parent_id if anchor.kind in programme.kinds else anchor.pk)
        for key, anchor in anchors.items()
        if anchor is not None
    }
    children: dict[int, set[int]] = {parent: set() for parent in under.values() if parent is not None}
    if children:
        evaluated = Unit.objects.evaluated(programme).filter(parent_id__in=list(children))
        for pk, parent in evaluated.values_list("pk", "parent_id"):
            children[parent].add(pk)
    return {
        # A leader without a unit, like a missing rating unit, rates none.
        key: frozenset() if anchors[key] is None else frozenset(children.get(under[key], ()))
        for key in keys
    }


def _leader_units(leaders: list[Any]) -> dict[Any, Unit | None]:
    """Each leader's unit by the leader's pk, read in one query (none for the units already loaded)."""
    units: dict[Any, Unit | None] = {}
    wanted: dict[Any, int] = {}
    for leader in leaders:
        key, unit_id = getattr(leader, "pk", None), getattr(leader, "unit_id", None)
        if unit_id is None:
            units[key] = None
        elif leader._meta.get_field("unit").is_cached(leader):
            units[key] = leader.unit
        else:
            wanted[key] = unit_id
    if wanted:
        loaded = Unit.objects.in_bulk(set(wanted.values()))
        units.update({key: loaded.get(unit_id) for key, unit_id in wanted.items()})
    return units


def check_criterion(criterion_id: Any, *, criteria: Mapping[int, str], quarter_code: str) -> None:
    if criterion_id not in criteria:
        raise BallotRefused(
            _("A criterion of this ballot does not belong to %(quarter)s.") % {"quarter": quarter_code},
            code="criterion",
        )


def offered_targets(
    targets: Collection[int], *, source: str, own_unit_id: int | None, scope: AbstractSet[int] | None = None
) -> int:
    """T of docs/scoring.md rule 10: how many departments a ballot offers — those of `targets` in the rater's
    `scope` (see scope_target_ids; None: all of them), a peer's own department not among them."""
    offered = targets if scope is None else [target for target in targets if target in scope]
    own = source == Source.PEER and own_unit_id is not None and own_unit_id in offered
    return len(offered) - (1 if own else 0)


# --- the top-level cap (docs/scoring.md rule 10) -----------------------------------------------


def top_level_allowance(*, cap: int, targets: int) -> int:
    """How many targets one criterion of a ballot may give the highest level: floor(cap × T / 100)."""
    return cap * targets // 100


def top_level_cap_refusal(*, scale: str, cap: int | None) -> str | None:
    """Why a quarter cannot have this top-level cap, or None: a whole percentage, on the levels scale only."""
    if cap is None:
        return None
    if not 0 <= cap <= 100:
        return _("The top-level cap is a whole percentage from 0 to 100.")
    if scale != Scale.LEVELS:
        return _("The top-level cap applies to the levels scale only.")
    return None


def check_top_level_cap(
    cells: Iterable[tuple[Any, int]],
    *,
    cap: int | None,
    targets: int,
    scale: ValueScale,
    criteria: Mapping[Any, str],
) -> None:
    """Refuse a ballot that gives the highest level to more targets of one criterion than the cap allows.

    `cells` are (criterion key, value in hundredths) of the ballot's non-abstention cells; `criteria` names
    each criterion key. Nothing to check without a cap or on the points scale.
    """
    if cap is None or not scale.uses_levels or not scale.levels:
        return
    top = int(max(scale.levels.values()) * 100)
    allowance = top_level_allowance(cap=cap, targets=targets)
    counts = Counter(criterion for criterion, centi in cells if centi == top)
    for criterion, count in counts.items():
        if count > allowance:
            level = next(label for label, points in scale.levels.items() if int(points * 100) == top)
            raise BallotRefused(
                _(
                    "%(criterion)s: %(count)d departments rated %(level)s, more than the cap of %(allowance)d "
                    "(%(cap)d%% of %(targets)d)."
                )
                % {
                    "criterion": criteria.get(criterion, str(criterion)),
                    "count": count,
                    "level": level,
                    "allowance": allowance,
                    "cap": cap,
                    "targets": targets,
                },
                code="top_level_cap",
            )


# --- which sources are collected ---------------------------------------------------------------


def source_refusal(
    source: str, *, weights: Mapping[str, int], quarter_code: str, programme: Programme | None = None
) -> str | None:
    """Why ballots of `source` are not taken in the quarter, or None: a source of weight 0 is not collected.
    The source is named as `programme` names it."""
    if source not in SOURCES:  # plain strings: `Source.values` builds a new list each time, and imports ask per row
        return _("Unknown rating source.")
    if (weights.get(source) or 0) <= 0:
        return _("%(source)s is not collected in %(quarter)s (its weight is 0).") % {
            "source": source_label(source, programme),
            "quarter": quarter_code,
        }
    return None


def quarter_source_refusal(quarter: Quarter, source: str) -> str | None:
    """source_refusal for a stored quarter."""
    return source_refusal(
        source,
        weights={name: quarter.weight(name) for name in Source.values},
        quarter_code=quarter.full_name,
        programme=quarter.programme,
    )


# --- who may hand in a ballot of which source --------------------------------------------------


def _is_account(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def account_refusal(source: str, user: Any, kinds: Collection[str] = EVALUATED_KINDS) -> str | None:
    """Why `user`'s own account may not submit a ballot of `source` online, or None when it may; `kinds`: the
    unit kinds the quarter's programme rates."""
    if source == Source.LEADERSHIP:
        if not _is_account(user) or not user.has_role(Role.LEADER):
            return leader_refusal()
        return None
    if source == Source.PEER:
        if not _is_account(user) or not user.has_role(Role.DEPARTMENT_REP):
            return _("A peer ballot must come from a department representative's account.")
        return rating_unit_refusal(source, user.unit, kinds)
    if not _is_account(user):
        return _("A grassroots ballot needs a ballot code or a grassroots rater's account.")
    if not user.has_role(Role.GRASSROOTS_RATER):
        return _("A grassroots ballot must come from a grassroots rater's account.")
    return rating_unit_refusal(source, user.unit, kinds)


def leader_refusal() -> str:
    return _("A leadership ballot must come from a group leader's account.")


def paper_rater_refusal(
    source: str, *, rater: Any, rater_unit: Unit | None, kinds: Collection[str] = EVALUATED_KINDS
) -> str | None:
    """Why a paper ballot (keyed or imported) may not name this rater, or None when it may."""
    if source == Source.LEADERSHIP:
        if rater is None or not rater.is_active or not rater.has_role(Role.LEADER):
            return leader_refusal()
        return None
    return rating_unit_refusal(source, rater_unit, kinds)


def rating_unit_refusal(source: str, unit: Unit | None, kinds: Collection[str] = EVALUATED_KINDS) -> str | None:
    """A grassroots ballot comes from an active grassroots unit, a peer ballot from a unit of the kinds the
    programme rates (`kinds`; work style's by default)."""
    if source == Source.GRASSROOTS and (unit is None or not unit.active or unit.kind != UnitKind.GRASSROOTS):
        return _("A grassroots ballot must come from a grassroots unit.")
    if source == Source.PEER and (unit is None or not unit.active or unit.kind not in kinds):
        return _("A peer ballot must come from an evaluated department.")
    return None


# --- already voted -----------------------------------------------------------------------------


def voters(quarter: Quarter, source: str, *, but_imported: bool = False) -> QuerySet:
    """Who has voted with `source` in `quarter`, as a query of ids: departments (peer) or accounts.

    Leadership: one ballot per leader; peer: one per department, whoever of its representatives sent it;
    grassroots: one per rater's account (its participation row; the ballot itself names nobody). Code
    ballots are settled by the code instead. Only counted (not voided) ballots count. `but_imported`
    leaves out imported ballots (an import that replaces them asks so).
    """
    if source == Source.GRASSROOTS:
        return GrassrootsParticipation.objects.filter(quarter=quarter).values("user")
    ballots = Ballot.objects.filter(quarter=quarter, source=source, voided_at__isnull=True)
    if but_imported:
        ballots = ballots.exclude(origin=Origin.IMPORTED)
    return ballots.values("rater_unit" if source == Source.PEER else "rater")


def takes_part(quarter: Quarter, source: str, user: Any) -> bool:
    """Whether `user` rates in `quarter` for `source`: a peer rater in the programmes that rate its unit's kind
    (a branch secretary in the branch programme, never in work style), other raters in every programme — in a
    programme whose raters rate part of the targets, only with something to rate (scope_target_ids)."""
    unit = getattr(user, "unit", None)
    if source == Source.PEER and (unit is None or unit.kind not in quarter.programme.kinds):
        return False
    if quarter.programme.scope == RaterScope.ALL:
        return True
    scope = scope_target_ids(
        quarter, source=source, rater_unit=None if source == Source.LEADERSHIP else unit, rater=user
    )
    own = {unit.pk} if source == Source.PEER else set()
    return scope is None or bool(scope - own)


def has_voted(
    quarter: Quarter, source: str, *, user: Any = None, unit: Unit | None = None, but_imported: bool = False
) -> bool:
    """Whether the rater (`unit` for peer, `user` otherwise) has voted with `source` in `quarter` (one query)."""
    found = voters(quarter, source, but_imported=but_imported)
    if source == Source.GRASSROOTS:
        return found.filter(user=user).exists()
    if source == Source.PEER:
        return found.filter(rater_unit=unit).exists()
    return found.filter(rater=user).exists()


def already_voted_message(source: str, *, quarter_code: str, user: Any = None, unit: Unit | None = None) -> str:
    if source == Source.PEER:
        return _("%(unit)s has already submitted its peer ballot for %(quarter)s.") % {
            "unit": unit.name if unit is not None else "",
            "quarter": quarter_code,
        }
    if source == Source.LEADERSHIP:
        return _("%(rater)s has already submitted a leadership ballot for %(quarter)s.") % {
            "rater": (user.get_full_name() or user.username) if user is not None else "",
            "quarter": quarter_code,
        }
    return _("This account has already submitted its grassroots ballot for %(quarter)s.") % {"quarter": quarter_code}


def check_not_voted(quarter: Quarter, source: str, *, user: Any = None, unit: Unit | None = None) -> None:
    if has_voted(quarter, source, user=user, unit=unit):
        raise BallotRefused(
            already_voted_message(source, quarter_code=quarter.code, user=user, unit=unit), code="duplicate"
        )
