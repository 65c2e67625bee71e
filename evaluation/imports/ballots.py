"""The ballots sheet: what the rows may name (loaded once), and each row checked against it."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from departments.models import WORKSTYLE, Programme, RaterScope, Unit, UnitKind, User, workstyle
from departments.roles import Role
from departments.usernames import fold_username
from departments.workbook import (
    ImportIssue,
    SheetRow,
    normalise_header,
)
from evaluation import ballot_rules as rules
from evaluation.ballot_rules import BallotRefused
from evaluation.criteria_templates import DEFAULT_LEVELS, TEMPLATES, WORK_STYLE, CriterionSpec, LevelSpec
from evaluation.imports.common import (
    IDENTITY_KEYS,
    LABEL_MAX_LENGTH,
    SETTING_DEFAULTS,
    SOURCE_ALIASES,
    ImportContext,
    ParsedSettings,
    SheetBallot,
)
from evaluation.models import (
    COMMENT_MAX_LENGTH,
    Quarter,
    Source,
)

# How many distinct cell values one import remembers converted (see _value).
CELL_VALUES_KEPT = 10_000

# --- lookups -------------------------------------------------------------------------------------------------------


def load_context(quarter: Quarter | None, parsed: ParsedSettings, *, replace: bool) -> ImportContext:
    values = parsed.values
    programme = Programme.objects.filter(code=values.get("programme") or WORKSTYLE).first() or workstyle()
    if quarter is not None:
        # Settings left out of the file keep the quarter's values.
        for key in SETTING_DEFAULTS:
            if key not in parsed.given and key not in IDENTITY_KEYS:
                values[key] = getattr(quarter, key)
        criteria = parsed.criteria if parsed.criteria is not None else stored_criteria(quarter)
        levels = parsed.levels if parsed.levels is not None else stored_levels(quarter)
    else:
        # A new quarter starts from its programme's criteria template, as one made in the console does.
        template = TEMPLATES.get(programme.template, WORK_STYLE)
        criteria = parsed.criteria if parsed.criteria is not None else list(template.criteria)
        levels = parsed.levels if parsed.levels is not None else list(DEFAULT_LEVELS)
    units = {unit.code: unit for unit in Unit.objects.all()}
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct()
    return ImportContext(
        quarter=quarter,
        code=str(values.get("quarter") or ""),
        scale=values["scale"],
        weights={source: values[f"weight_{source}"] or 0 for source in Source.values},
        criteria=criteria,
        levels={level.label.strip(): Decimal(level.points) for level in levels},
        departments={code: u for code, u in units.items() if u.active and u.kind in programme.kinds},
        grassroots={code: u for code, u in units.items() if u.active and u.kind == UnitKind.GRASSROOTS},
        all_units=units,
        leaders={user.username: user for user in leaders},
        users=set(User.objects.values_list("username", flat=True)),
        replace=replace,
        top_level_cap=values.get("top_level_cap"),
        programme=programme,
        source_names={
            normalise_header(name): source for source in Source.values if (name := programme.source_label(source))
        },
    )


def stored_criteria(quarter: Quarter) -> list[CriterionSpec]:
    return [CriterionSpec(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]


def stored_levels(quarter: Quarter) -> list[LevelSpec]:
    return [LevelSpec(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]


# --- ballots -------------------------------------------------------------------------------------------------------


def _criterion_columns(
    first: SheetRow | None, context: ImportContext, issues: list[ImportIssue]
) -> dict[int, str] | None:
    """Criterion index -> the header of its column; None (with issues) when a criterion has no column."""
    if first is None:
        return {}
    rows = [first]
    headers = {normalise_header(name): name for name in first.extra}
    found: dict[int, str] = {}
    for index, criterion in enumerate(context.criteria):
        header = headers.get(normalise_header(criterion.code)) or headers.get(normalise_header(criterion.name))
        if header is None:
            issues.append(
                ImportIssue(
                    rows[0].sheet,
                    None,
                    criterion.code,
                    _("The column of criterion %(code)s is missing.") % {"code": criterion.code},
                )
            )
        else:
            found[index] = header
    return found if len(found) == len(context.criteria) else None


def read_ballots(rows: Iterable[SheetRow], context: ImportContext, issues: list[ImportIssue]) -> list[SheetBallot]:
    """The ballots of the ballots sheet's rows, each row checked as it is read (the rows may be a stream)."""
    rows = iter(rows)
    first = next(rows, None)
    columns = _criterion_columns(first, context, issues)
    if columns is None:
        for _row in rows:  # the cells' own problems (read_sheet's) are listed all the same
            pass
        return []
    ballots: dict[tuple[str, str], SheetBallot] = {}
    for row in itertools.chain([first] if first is not None else [], rows):
        if _is_target_only(row, columns):
            continue
        label, source = _label(row, issues), _source(row, context, issues)
        if label is None or source is None:
            continue
        ballot = ballots.get((source, label))
        if ballot is None:
            ballot = ballots[(source, label)] = SheetBallot(label=label, source=source, first_row=row)
            _rater(ballot, row, context, issues)
        else:
            _same_rater(ballot, row, context, issues)
        ballot.rows.append(row.number)
        _target_row(ballot, row, columns, context, issues)
    flagged = {(issue.sheet, issue.row) for issue in issues}
    for ballot in ballots.values():
        if any((ballot.first_row.sheet, number) in flagged for number in ballot.rows):
            continue
        try:
            rules.check_not_empty(values=ballot.value_count, comments=len(ballot.comments))
            _check_cap(ballot, context)
        except BallotRefused as refused:
            issues.append(ballot.first_row.issue("ballot", refused.messages[0]))
    _check_one_per_rater(list(ballots.values()), issues)
    return list(ballots.values())


def _check_cap(ballot: SheetBallot, context: ImportContext) -> None:
    """docs/scoring.md rule 10, as every ballot is checked (evaluation.ballot_rules)."""
    own = ballot.rater_unit.pk if ballot.rater_unit is not None else None
    rules.check_top_level_cap(
        ((index, centi) for _department, index, centi in ballot.cells()),
        cap=context.top_level_cap,
        targets=rules.offered_targets(
            context.target_names, source=ballot.source, own_unit_id=own, scope=_scope(ballot, context)
        ),
        scale=context.value_scale,
        criteria={index: spec.name for index, spec in enumerate(context.criteria)},
    )


def _is_target_only(row: SheetRow, columns: dict[int, str]) -> bool:
    keys = ("ballot", "source", "rater_unit", "rater", "comment")
    return all(row.get(key) is None for key in keys) and all(row.extra.get(h) is None for h in columns.values())


def _label(row: SheetRow, issues: list[ImportIssue]) -> str | None:
    raw = row.get("ballot")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    label = str(raw).strip() if raw is not None else ""
    if not label or len(label) > LABEL_MAX_LENGTH:
        issues.append(row.issue("ballot", _("Every row needs a ballot label of up to 64 characters.")))
        return None
    return label


def _source(row: SheetRow, context: ImportContext, issues: list[ImportIssue]) -> str | None:
    raw = row.get("source")
    # A sheet names its few sources in thousands of rows: each way of writing one is read once.
    read = context.source_cells.get((type(raw), raw))
    if read is None:
        read = context.source_cells[(type(raw), raw)] = _read_source(raw, context)
    source, refusal = read
    if refusal is not None:
        issues.append(row.issue("source", refusal))
        return None
    return source


def _read_source(raw: Any, context: ImportContext) -> tuple[str | None, str | None]:
    """The source a cell names, or why the quarter takes none from it."""
    key = normalise_header(raw) if raw is not None else None
    # The programme's own names of its sources (群众评议 …) are accepted beside the product's.
    source = (SOURCE_ALIASES.get(key) or context.source_names.get(key)) if key is not None else None
    if source is None:
        message = _("Unknown source %(value)s: use grassroots, peer or leadership (基层/互评/领导).")
        return None, message % {"value": raw or ""}
    refusal = rules.source_refusal(
        source, weights=context.weights, quarter_code=context.code, programme=context.programme
    )
    return (None, refusal) if refusal else (source, None)


def _rater(ballot: SheetBallot, row: SheetRow, context: ImportContext, issues: list[ImportIssue]) -> None:
    if ballot.source == Source.LEADERSHIP:
        username = str(row.get("rater") or "").strip()
        leader = context.leaders.get(fold_username(username))
        if leader is None:
            message = (
                rules.leader_refusal()
                if fold_username(username) in context.users
                else _("Name the leader's account (username) in this column.")
                if not username
                else _("There is no account %(user)s.") % {"user": username}
            )
            issues.append(row.issue("rater", message))
        ballot.rater = leader
        return
    code = str(row.get("rater_unit") or "").strip()
    unit = context.all_units.get(code)
    if not code:
        issues.append(row.issue("rater_unit", _("Name the rating unit's code in this column.")))
    elif unit is None:
        issues.append(row.issue("rater_unit", _("There is no unit %(code)s.") % {"code": code}))
    elif refusal := rules.rating_unit_refusal(ballot.source, unit, context.programme.kinds):
        issues.append(row.issue("rater_unit", refusal))
    else:
        ballot.rater_unit = unit


def _same_rater(ballot: SheetBallot, row: SheetRow, context: ImportContext, issues: list[ImportIssue]) -> None:
    if ballot.source == Source.LEADERSHIP:
        key, expected = "rater", ballot.rater.username if ballot.rater else None
    else:
        key, expected = "rater_unit", ballot.rater_unit.code if ballot.rater_unit else None
    given = str(row.get(key) or "").strip()
    given = fold_username(given) if key == "rater" else given
    if expected is not None and given and given != expected:
        issues.append(
            row.issue(
                key,
                _("Ballot %(label)s names another rater in an earlier row (%(rater)s).")
                % {"label": ballot.label, "rater": expected},
            )
        )


def _scope(ballot: SheetBallot, context: ImportContext) -> frozenset[int] | None:
    """The targets the ballot's rater may rate (ballot_rules.scope_target_ids), read once per rater."""
    key = (ballot.source, getattr(ballot.rater_unit, "pk", None), getattr(ballot.rater, "pk", None))
    if key not in context.scopes and context.pairs is not None and context.programme.scope == RaterScope.ASSIGNED:
        # The file's pairs replace the quarter's, so its ballots are checked against them.
        unit_id, user_id = key[1], key[2]
        mine = (
            pair
            for pair in context.pairs
            if (pair[1] == user_id if key[0] == Source.LEADERSHIP else pair[0] == unit_id)
        )
        context.scopes[key] = frozenset(target for _unit, _user, target in mine)
    if key not in context.scopes:
        quarter = Quarter(pk=getattr(context.quarter, "pk", None), programme=context.programme)
        context.scopes[key] = rules.scope_target_ids(
            quarter, source=ballot.source, rater_unit=ballot.rater_unit, rater=ballot.rater
        )
    return context.scopes[key]


def _target_row(
    ballot: SheetBallot, row: SheetRow, columns: dict[int, str], context: ImportContext, issues: list
) -> None:
    code = str(row.get("target") or "").strip()
    target = context.departments.get(code)
    target_id = target.pk if target else None
    own_unit_id = ballot.rater_unit.pk if ballot.rater_unit is not None else None
    try:
        rules.check_target(
            target_id,
            source=ballot.source,
            targets=context.target_names,
            own_unit_id=own_unit_id,
            scope=_scope(ballot, context),
        )
    except BallotRefused as refused:
        issues.append(row.issue("target", refused.messages[0]))
        return
    if target_id in ballot.targets:
        issues.append(
            row.issue("target", _("Ballot %(label)s rates %(code)s twice.") % {"label": ballot.label, "code": code})
        )
        return
    ballot.targets.add(target_id)
    # The row's cells: a value seen before is taken as converted then, without a call (see _value).
    cells, known, unknown = row.extra, context.cell_values, context
    for index, header in columns.items():
        raw = cells.get(header)
        centi = known.get((type(raw), raw), unknown)
        if centi is unknown:
            centi = _value(row, header, context.criteria[index].name, target.name, context, issues)
        if centi is not None:
            ballot.values.extend((target_id, index, centi))
    comment = str(row.get("comment") or "").strip()
    if refusal := rules.comment_refusal(comment, department=target.name, max_length=COMMENT_MAX_LENGTH):
        issues.append(row.issue("comment", refusal))
    elif comment:
        ballot.comments[target.pk] = comment


def _value(
    row: SheetRow, header: str, criterion: str, department: str, context: ImportContext, issues: list
) -> int | None:
    """A cell not converted before (see _target_row): in hundredths of a point, or None for an abstention (or
    an error, recorded). A sheet's cells repeat a few values (its levels, 不了解): each is converted once. A
    refused one is converted again for every cell, so that each message names its own department and criterion.
    """
    raw = row.extra.get(header)
    try:
        centi = rules.cell_centi(raw, scale=context.value_scale, department=department, criterion=criterion)
    except BallotRefused as refused:
        issues.append(ImportIssue(row.sheet, row.number, header, refused.messages[0]))
        return None
    if len(context.cell_values) < CELL_VALUES_KEPT:
        context.cell_values[(type(raw), raw)] = centi
    return centi


def _check_one_per_rater(ballots: list[SheetBallot], issues: list[ImportIssue]) -> None:
    """One peer ballot per department and one leadership ballot per leader, within the file."""
    seen: dict[tuple[str, int], str] = {}
    for ballot in ballots:
        key = _rater_key(ballot)
        if key is None:
            continue
        if key in seen:
            issues.append(
                ballot.first_row.issue(
                    "rater" if ballot.source == Source.LEADERSHIP else "rater_unit",
                    _("Ballots %(first)s and %(second)s come from the same rater; one ballot each.")
                    % {"first": seen[key], "second": ballot.label},
                )
            )
        seen[key] = ballot.label


def _rater_key(ballot: SheetBallot) -> tuple[str, int] | None:
    if ballot.source == Source.PEER and ballot.rater_unit is not None:
        return (Source.PEER, ballot.rater_unit.pk)
    if ballot.source == Source.LEADERSHIP and ballot.rater is not None:
        return (Source.LEADERSHIP, ballot.rater.pk)
    return None
