"""The ballots sheet: what the rows may name (loaded once), and each row checked against it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from departments.models import Unit, UnitKind, User
from departments.roles import Role
from departments.usernames import fold_username
from departments.workbook import (
    ImportIssue,
    SheetRow,
    normalise_header,
)
from evaluation.criteria_templates import DEFAULT_LEVELS, WORK_STYLE, CriterionSpec, LevelSpec
from evaluation.imports.common import (
    ABSTAIN,
    COMMENT_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    SETTING_DEFAULTS,
    SOURCE_ALIASES,
    ImportContext,
    ParsedBallot,
    ParsedSettings,
)
from evaluation.imports.settings import parse_decimal
from evaluation.models import (
    Quarter,
    Scale,
    Source,
)

# --- lookups -------------------------------------------------------------------------------------------------------


def load_context(quarter: Quarter | None, parsed: ParsedSettings, *, replace: bool) -> ImportContext:
    values = parsed.values
    if quarter is not None:
        # Settings left out of the file keep the quarter's values.
        for key in SETTING_DEFAULTS:
            if key not in parsed.given and key != "quarter":
                values[key] = getattr(quarter, key)
        criteria = parsed.criteria if parsed.criteria is not None else stored_criteria(quarter)
        levels = parsed.levels if parsed.levels is not None else stored_levels(quarter)
    else:
        criteria = parsed.criteria if parsed.criteria is not None else list(WORK_STYLE.criteria)
        levels = parsed.levels if parsed.levels is not None else list(DEFAULT_LEVELS)
    units = {unit.code: unit for unit in Unit.objects.all()}
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct()
    return ImportContext(
        quarter=quarter,
        scale=values["scale"],
        weights={source: values[f"weight_{source}"] or 0 for source in Source.values},
        criteria=criteria,
        levels={level.label.strip(): Decimal(level.points) for level in levels},
        level_points={Decimal(level.points) for level in levels},
        departments={code: u for code, u in units.items() if u.active and u.is_evaluated},
        grassroots={code: u for code, u in units.items() if u.active and u.kind == UnitKind.GRASSROOTS},
        all_units=units,
        leaders={user.username: user for user in leaders},
        users=set(User.objects.values_list("username", flat=True)),
        replace=replace,
    )


def stored_criteria(quarter: Quarter) -> list[CriterionSpec]:
    return [CriterionSpec(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]


def stored_levels(quarter: Quarter) -> list[LevelSpec]:
    return [LevelSpec(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]


# --- ballots -------------------------------------------------------------------------------------------------------


def _criterion_columns(
    rows: list[SheetRow], context: ImportContext, issues: list[ImportIssue]
) -> dict[int, str] | None:
    """Criterion index -> the header of its column; None (with issues) when a criterion has no column."""
    if not rows:
        return {}
    headers = {normalise_header(name): name for name in rows[0].extra}
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


def read_ballots(rows: list[SheetRow], context: ImportContext, issues: list[ImportIssue]) -> list[ParsedBallot]:
    columns = _criterion_columns(rows, context, issues)
    if columns is None:
        return []
    ballots: dict[tuple[str, str], ParsedBallot] = {}
    for row in rows:
        if _is_target_only(row, columns):
            continue
        label, source = _label(row, issues), _source(row, context, issues)
        if label is None or source is None:
            continue
        ballot = ballots.get((source, label))
        if ballot is None:
            ballot = ballots[(source, label)] = ParsedBallot(label=label, source=source, first_row=row)
            _rater(ballot, row, context, issues)
        else:
            _same_rater(ballot, row, context, issues)
        ballot.rows.append(row.number)
        _target_row(ballot, row, columns, context, issues)
    flagged = {(issue.sheet, issue.row) for issue in issues}
    for ballot in ballots.values():
        if not ballot.values and not any((ballot.first_row.sheet, number) in flagged for number in ballot.rows):
            message = _("The ballot %(label)s rates nothing: give at least one value.") % {"label": ballot.label}
            issues.append(ballot.first_row.issue("ballot", message))
    _check_one_per_rater(list(ballots.values()), issues)
    return list(ballots.values())


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
    source = SOURCE_ALIASES.get(normalise_header(raw)) if raw is not None else None
    if source is None:
        issues.append(
            row.issue(
                "source",
                _("Unknown source %(value)s: use grassroots, peer or leadership (基层/互评/领导).")
                % {"value": raw or ""},
            )
        )
        return None
    if context.weights.get(source, 0) <= 0:
        issues.append(
            row.issue(
                "source",
                _("%(source)s is not collected in this quarter (its weight is 0).") % {"source": Source(source).label},
            )
        )
        return None
    return source


def _rater(ballot: ParsedBallot, row: SheetRow, context: ImportContext, issues: list[ImportIssue]) -> None:
    if ballot.source == Source.LEADERSHIP:
        username = str(row.get("rater") or "").strip()
        leader = context.leaders.get(fold_username(username))
        if leader is None:
            message = (
                _("%(user)s is not a group leader's account.") % {"user": username}
                if fold_username(username) in context.users
                else _("Name the leader's account (username) in this column.")
                if not username
                else _("There is no account %(user)s.") % {"user": username}
            )
            issues.append(row.issue("rater", message))
        ballot.rater = leader
        return
    code = str(row.get("rater_unit") or "").strip()
    if ballot.source == Source.GRASSROOTS:
        ballot.rater_unit = context.grassroots.get(code)
        if ballot.rater_unit is None:
            issues.append(row.issue("rater_unit", _unit_message(code, context, _("a grassroots unit"))))
    else:
        ballot.rater_unit = context.departments.get(code)
        if ballot.rater_unit is None:
            issues.append(row.issue("rater_unit", _unit_message(code, context, _("an evaluated department"))))


def _unit_message(code: str, context: ImportContext, wanted: str) -> str:
    if not code:
        return _("Name the rating unit's code: %(wanted)s.") % {"wanted": wanted}
    if code in context.all_units:
        return _("%(code)s is not %(wanted)s.") % {"code": code, "wanted": wanted}
    return _("There is no unit %(code)s.") % {"code": code}


def _same_rater(ballot: ParsedBallot, row: SheetRow, context: ImportContext, issues: list[ImportIssue]) -> None:
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


def _target_row(
    ballot: ParsedBallot, row: SheetRow, columns: dict[int, str], context: ImportContext, issues: list
) -> None:
    code = str(row.get("target") or "").strip()
    target = context.departments.get(code)
    if target is None:
        message = (
            _("%(code)s is not an evaluated department.") % {"code": code}
            if code in context.all_units
            else _("Unknown department %(code)s.") % {"code": code}
        )
        issues.append(row.issue("target", message))
        return
    if ballot.source == Source.PEER and ballot.rater_unit is not None and target.pk == ballot.rater_unit.pk:
        issues.append(row.issue("target", _("A department cannot rate itself in the peer review.")))
        return
    if target.pk in ballot.targets:
        issues.append(
            row.issue("target", _("Ballot %(label)s rates %(code)s twice.") % {"label": ballot.label, "code": code})
        )
        return
    ballot.targets.add(target.pk)
    for index, header in columns.items():
        centi = _value(row, header, context, issues)
        if centi is not None:
            ballot.values.append((target.pk, index, centi))
    comment = str(row.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        issues.append(
            row.issue("comment", _("A comment has at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH})
        )
    elif comment:
        ballot.comments[target.pk] = comment


def _value(row: SheetRow, header: str, context: ImportContext, issues: list[ImportIssue]) -> int | None:
    """The cell in hundredths of a point, or None for an abstention (or an error, recorded)."""
    raw = row.extra.get(header)
    if raw is None or (isinstance(raw, str) and normalise_header(raw) in ABSTAIN):
        return None
    if context.scale == Scale.LEVELS and isinstance(raw, str) and raw.strip() in context.levels:
        return int(context.levels[raw.strip()] * 100)
    number = parse_decimal(raw)
    place = ImportIssue(row.sheet, row.number, header, "")
    if number is None:
        message = (
            _("%(value)s is not one of the levels (%(levels)s) nor 不了解.")
            % {"value": raw, "levels": "、".join(context.levels)}
            if context.scale == Scale.LEVELS
            else _("%(value)s is not a number of points from 0 to 100.") % {"value": raw}
        )
        issues.append(ImportIssue(place.sheet, place.row, place.column, message))
        return None
    if not Decimal(0) <= number <= Decimal(100):
        issues.append(ImportIssue(place.sheet, place.row, place.column, _("Points must be from 0 to 100.")))
        return None
    if context.scale == Scale.LEVELS and number not in context.level_points:
        issues.append(
            ImportIssue(
                place.sheet, place.row, place.column, _("%(value)s is not the points of a level.") % {"value": raw}
            )
        )
        return None
    if context.scale == Scale.POINTS and number != number.to_integral_value():
        issues.append(ImportIssue(place.sheet, place.row, place.column, _("Points are whole numbers from 0 to 100.")))
        return None
    return int(number * 100)


def _check_one_per_rater(ballots: list[ParsedBallot], issues: list[ImportIssue]) -> None:
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


def _rater_key(ballot: ParsedBallot) -> tuple[str, int] | None:
    if ballot.source == Source.PEER and ballot.rater_unit is not None:
        return (Source.PEER, ballot.rater_unit.pk)
    if ballot.source == Source.LEADERSHIP and ballot.rater is not None:
        return (Source.LEADERSHIP, ballot.rater.pk)
    return None
