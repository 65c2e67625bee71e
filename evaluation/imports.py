"""The quarter workbook (INTERCHANGE.md, "Quarter workbook"): paper ballots and adjustments keyed in a spreadsheet.

`quarter_import` reads and checks the whole file first, collecting every problem
as `sheet, row, column: message`; only a file without any problem is applied, in
one transaction, with bulk inserts. Imported ballots and adjustments carry origin
`imported`, so `replace=True` can swap them for a new file while ballots entered
in the browser stay.

Readings of the contract: for an existing quarter, settings keys, levels or
criteria the file leaves out keep the quarter's values (the defaults apply only to
a new quarter); criterion columns of the ballots sheet may be headed by the
criterion's code or its name; rows that hold nothing but a target (as in the
template) are skipped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Unit, UnitKind, User
from departments.roles import Role
from departments.workbook import (
    ColumnSpec,
    ImportIssue,
    SheetRow,
    SheetSpec,
    WorkbookInvalid,
    normalise_header,
    open_workbook,
    read_sheet,
)
from evaluation.criteria_templates import ABSTAIN_LABELS, DEFAULT_LEVELS, WORK_STYLE, CriterionSpec, LevelSpec
from evaluation.models import (
    Adjustment,
    AuditAction,
    Ballot,
    BallotComment,
    BallotValue,
    Origin,
    Quarter,
    QuarterStatus,
    Scale,
    Source,
    criterion_code_validator,
)
from evaluation.services.audit import audit_record
from evaluation.services.quarters import quarter_create, quarter_update_settings

COMMENT_MAX_LENGTH = 1000
LABEL_MAX_LENGTH = 64
BULK_BATCH = 5000

SETTINGS_SHEET = SheetSpec(
    "settings",
    aliases=("设置",),
    columns=[ColumnSpec("key", aliases=("项目", "键")), ColumnSpec("value", aliases=("值", "取值"))],
)
LEVELS_SHEET = SheetSpec(
    "levels",
    aliases=("等级",),
    required=False,
    columns=[ColumnSpec("label", aliases=("等级", "名称")), ColumnSpec("points", aliases=("分值", "分数"))],
)
CRITERIA_SHEET = SheetSpec(
    "criteria",
    aliases=("指标",),
    required=False,
    columns=[
        ColumnSpec("code", aliases=("编码",)),
        ColumnSpec("name", aliases=("名称",)),
        ColumnSpec("weight", aliases=("权重",), required=False),
    ],
)
BALLOTS_SHEET = SheetSpec(
    "ballots",
    aliases=("评分",),
    columns=[
        ColumnSpec("ballot", aliases=("票号",)),
        ColumnSpec("source", aliases=("来源",)),
        ColumnSpec("rater_unit", aliases=("评价单位",), required=False),
        ColumnSpec("rater", aliases=("评价人",), required=False),
        ColumnSpec("target", aliases=("被评部门",)),
        ColumnSpec("comment", aliases=("意见建议",), required=False),
    ],
)
ADJUSTMENTS_SHEET = SheetSpec(
    "adjustments",
    aliases=("加减分",),
    required=False,
    columns=[
        ColumnSpec("department", aliases=("部门",)),
        ColumnSpec("points", aliases=("分值", "加减分")),
        ColumnSpec("reason", aliases=("原因", "理由")),
    ],
)

# Settings keys, their Chinese aliases, and the default for a new quarter.
SETTING_DEFAULTS: dict[str, Any] = {
    "quarter": None,
    "scale": Scale.LEVELS,
    "weight_grassroots": 40,
    "weight_peer": 30,
    "weight_leadership": 30,
    "trim": False,
    "trim_min_n": 5,
    "min_ballots_grassroots": 1,
    "min_ballots_peer": 1,
    "min_ballots_leadership": 1,
}
SETTING_ALIASES = {
    "季度": "quarter",
    "计分方式": "scale",
    "基层权重": "weight_grassroots",
    "互评权重": "weight_peer",
    "领导权重": "weight_leadership",
    "去掉最高最低分": "trim",
    "去极值最少票数": "trim_min_n",
    "基层最少票数": "min_ballots_grassroots",
    "互评最少票数": "min_ballots_peer",
    "领导最少票数": "min_ballots_leadership",
}
SOURCE_ALIASES = {
    "grassroots": Source.GRASSROOTS,
    "基层": Source.GRASSROOTS,
    "基层评价": Source.GRASSROOTS,
    "基层发声": Source.GRASSROOTS,
    "peer": Source.PEER,
    "互评": Source.PEER,
    "部门互评": Source.PEER,
    "leadership": Source.LEADERSHIP,
    "领导": Source.LEADERSHIP,
    "领导评分": Source.LEADERSHIP,
    "领导打分": Source.LEADERSHIP,
}
SCALE_ALIASES = {"levels": Scale.LEVELS, "等级": Scale.LEVELS, "points": Scale.POINTS, "分数": Scale.POINTS}
_YES = {"yes", "y", "true", "1", "是", "√"}
_NO = {"no", "n", "false", "0", "否", "×"}
_QUARTER = re.compile(r"^[0-9]{4}Q[1-4]$")
_ABSTAIN = {normalise_header(label) for label in (*ABSTAIN_LABELS, "n/a", "na", "-", "–")}


@dataclass
class QuarterImportResult:
    """What an import did, for the command's output, the page's message and the audit log."""

    quarter: Quarter
    created: bool
    ballots: dict[str, int]
    values: int
    comments: int
    adjustments: int
    replaced_ballots: int = 0
    replaced_adjustments: int = 0

    def summary(self) -> str:
        return _(
            "%(quarter)s: %(ballots)d ballots (grassroots %(g)d, peer %(p)d, leadership %(l)d) with %(values)d "
            "values and %(comments)d comments, %(adjustments)d adjustments imported; %(replaced)d ballots and "
            "%(replaced_adj)d adjustments replaced."
        ) % {
            "quarter": self.quarter.code,
            "ballots": sum(self.ballots.values()),
            "g": self.ballots.get(Source.GRASSROOTS, 0),
            "p": self.ballots.get(Source.PEER, 0),
            "l": self.ballots.get(Source.LEADERSHIP, 0),
            "values": self.values,
            "comments": self.comments,
            "adjustments": self.adjustments,
            "replaced": self.replaced_ballots,
            "replaced_adj": self.replaced_adjustments,
        }

    def details(self) -> dict[str, Any]:
        return {
            "ballots": dict(self.ballots),
            "values": self.values,
            "comments": self.comments,
            "adjustments": self.adjustments,
            "replaced_ballots": self.replaced_ballots,
            "replaced_adjustments": self.replaced_adjustments,
            "created": self.created,
        }


@dataclass
class _Settings:
    values: dict[str, Any]
    given: set[str]
    rows: dict[str, SheetRow]
    levels: list[LevelSpec] | None
    criteria: list[CriterionSpec] | None


@dataclass
class _Ballot:
    label: str
    source: str
    first_row: SheetRow
    rater_unit: Unit | None = None
    rater: User | None = None
    values: list[tuple[int, int, int]] = field(default_factory=list)  # department id, criterion index, centi
    comments: dict[int, str] = field(default_factory=dict)
    targets: set[int] = field(default_factory=set)
    rows: list[int] = field(default_factory=list)


@dataclass
class _Context:
    """Everything the row checks look up, loaded once."""

    quarter: Quarter | None
    scale: str
    weights: dict[str, int]
    criteria: list[CriterionSpec]
    levels: dict[str, Decimal]
    level_points: set[Decimal]
    departments: dict[str, Unit]
    grassroots: dict[str, Unit]
    all_units: dict[str, Unit]
    leaders: dict[str, User]
    users: set[str]
    replace: bool


# --- entry point ---------------------------------------------------------------------------------------------------


def quarter_import(*, source: Any, actor: Any = None, replace: bool = False) -> QuarterImportResult:
    """Import a quarter workbook (a path or an uploaded file): all of it, or nothing.

    Raises WorkbookInvalid with every problem found; nothing is changed then.
    """
    workbook = open_workbook(source, max_bytes=django_settings.IMPORT_MAX_BYTES)
    issues: list[ImportIssue] = []
    sheets = {spec.key: read_sheet(workbook, spec, issues) for spec in _SPECS}
    workbook.close()
    parsed = _read_settings(sheets, issues)
    if parsed is None:
        raise WorkbookInvalid(issues)
    quarter = Quarter.objects.filter(code=parsed.values["quarter"]).first()
    _check_quarter(quarter, parsed, issues)
    context = _context(quarter, parsed, replace=replace)
    ballots = _read_ballots(sheets["ballots"] or [], context, issues)
    adjustments = _read_adjustments(sheets["adjustments"] or [], context, issues)
    if not issues:
        _check_existing(quarter, ballots, adjustments, context, issues)
        _check_settings_locked(quarter, parsed, context, issues)
    if issues:
        raise WorkbookInvalid(issues)
    try:
        return _apply(quarter, parsed, context, ballots, adjustments, actor=actor)
    except _Refused as refused:
        raise WorkbookInvalid(refused.issues) from None


_SPECS = (SETTINGS_SHEET, LEVELS_SHEET, CRITERIA_SHEET, BALLOTS_SHEET, ADJUSTMENTS_SHEET)


class _Refused(Exception):
    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues


# --- settings, levels, criteria ------------------------------------------------------------------------------------


def _read_settings(sheets: dict[str, list[SheetRow] | None], issues: list[ImportIssue]) -> _Settings | None:
    rows = sheets["settings"]
    if rows is None:
        return None
    values: dict[str, Any] = dict(SETTING_DEFAULTS)
    seen: set[str] = set()
    given: set[str] = set()
    by_key: dict[str, SheetRow] = {}
    for row in rows:
        key = _setting_key(row.get("key"))
        if key is None:
            issues.append(row.issue("key", _("Unknown setting %(key)s.") % {"key": row.get("key")}))
            continue
        if key in seen:
            issues.append(row.issue("key", _("The setting %(key)s appears more than once.") % {"key": key}))
            continue
        seen.add(key)
        by_key[key] = row
        parsed = _setting_value(key, row, issues)
        if parsed is not None:
            values[key] = parsed
            given.add(key)
    if "quarter" not in seen:
        issues.append(ImportIssue(_settings_title(rows), None, "quarter", _("The quarter (YYYYQn) is missing.")))
    if "quarter" not in given:
        return None
    if not any(f"weight_{source}" in seen - given for source in Source.values):
        _check_weights(values, by_key, rows, issues)
    levels = _read_levels(sheets["levels"], issues)
    criteria = _read_criteria(sheets["criteria"], issues)
    return _Settings(values, given, by_key, levels, criteria)


def _settings_title(rows: list[SheetRow]) -> str:
    return rows[0].sheet if rows else SETTINGS_SHEET.key


def _setting_key(raw: Any) -> str | None:
    if raw is None:
        return None
    text = normalise_header(raw)
    if text in SETTING_DEFAULTS:
        return text
    return SETTING_ALIASES.get(str(raw).strip())


def _setting_value(key: str, row: SheetRow, issues: list[ImportIssue]) -> Any:
    raw = row.get("value")
    if key == "quarter":
        text = str(raw or "").strip().upper()
        if not _QUARTER.match(text):
            issues.append(row.issue("value", _("A quarter is written YYYYQn, for example 2026Q3.")))
            return None
        return text
    if key == "scale":
        scale = SCALE_ALIASES.get(normalise_header(raw or ""))
        if scale is None:
            issues.append(row.issue("value", _("The scale is levels or points.")))
        return scale
    if key == "trim":
        return _yes_no(raw, row, issues)
    number = _whole_number(raw)
    low = 3 if key == "trim_min_n" else 0
    high = 100 if key.startswith("weight_") else 10000
    if number is None or not low <= number <= high:
        issues.append(
            row.issue("value", _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        )
        return None
    return number


def _yes_no(raw: Any, row: SheetRow, issues: list[ImportIssue]) -> bool | None:
    text = normalise_header(raw if raw is not None else "")
    if text in _YES:
        return True
    if text in _NO:
        return False
    issues.append(row.issue("value", _("Enter yes or no (是/否).")))
    return None


def _whole_number(raw: Any) -> int | None:
    number = _decimal(raw)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_weights(values: dict[str, Any], rows: dict[str, SheetRow], all_rows: list, issues: list) -> None:
    weights = [values[f"weight_{source}"] for source in Source.values]
    if any(weight is None for weight in weights) or sum(weights) == 100:
        return
    row = rows.get("weight_grassroots") or rows.get("weight_peer") or rows.get("weight_leadership")
    message = _("The source weights must add up to 100 (now %(sum)d).") % {"sum": sum(weights)}
    issues.append(row.issue("value", message) if row else ImportIssue(_settings_title(all_rows), None, None, message))


def _read_levels(rows: list[SheetRow] | None, issues: list[ImportIssue]) -> list[LevelSpec] | None:
    if rows is None:
        return None
    levels, seen = [], set()
    for row in rows:
        label = str(row.get("label") or "").strip()
        points = _decimal(row.get("points"))
        if not label or len(label) > 20:
            issues.append(row.issue("label", _("A level label has 1 to 20 characters.")))
        elif label in seen:
            issues.append(row.issue("label", _("The level %(label)s appears more than once.") % {"label": label}))
        if points is None or not Decimal(0) <= points <= Decimal(100):
            issues.append(row.issue("points", _("Points must be a number from 0 to 100.")))
        seen.add(label)
        if label and points is not None:
            levels.append(LevelSpec(label, points.quantize(Decimal("0.01"))))
    return levels


def _read_criteria(rows: list[SheetRow] | None, issues: list[ImportIssue]) -> list[CriterionSpec] | None:
    if rows is None:
        return None
    criteria, seen = [], set()
    for row in rows:
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        weight = _decimal(row.get("weight", 1))
        try:
            criterion_code_validator(code)
        except ValidationError:
            issues.append(row.issue("code", _("A criterion code starts with a letter; letters, digits and _ only.")))
        if code in seen:
            issues.append(row.issue("code", _("The criterion %(code)s appears more than once.") % {"code": code}))
        seen.add(code)
        if not name or len(name) > 50:
            issues.append(row.issue("name", _("A criterion name has 1 to 50 characters.")))
        if weight is None or weight <= 0 or weight >= 10000:
            issues.append(row.issue("weight", _("The weight must be a number above 0.")))
        else:
            criteria.append(CriterionSpec(code, name, weight))
    if not rows:
        issues.append(ImportIssue(CRITERIA_SHEET.key, None, None, _("A quarter needs at least one criterion.")))
    return criteria


def _check_quarter(quarter: Quarter | None, parsed: _Settings, issues: list[ImportIssue]) -> None:
    row = parsed.rows.get("quarter")
    if quarter is not None and quarter.status == QuarterStatus.PUBLISHED:
        issues.append(
            row.issue(
                "value", _("Quarter %(code)s is published; nothing can be imported into it.") % {"code": quarter.code}
            )
        )


# --- lookups -------------------------------------------------------------------------------------------------------


def _context(quarter: Quarter | None, parsed: _Settings, *, replace: bool) -> _Context:
    values = parsed.values
    if quarter is not None:
        # Settings left out of the file keep the quarter's values.
        for key in SETTING_DEFAULTS:
            if key not in parsed.given and key != "quarter":
                values[key] = getattr(quarter, key)
        criteria = parsed.criteria if parsed.criteria is not None else _stored_criteria(quarter)
        levels = parsed.levels if parsed.levels is not None else _stored_levels(quarter)
    else:
        criteria = parsed.criteria if parsed.criteria is not None else list(WORK_STYLE.criteria)
        levels = parsed.levels if parsed.levels is not None else list(DEFAULT_LEVELS)
    units = {unit.code: unit for unit in Unit.objects.all()}
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct()
    return _Context(
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


def _stored_criteria(quarter: Quarter) -> list[CriterionSpec]:
    return [CriterionSpec(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]


def _stored_levels(quarter: Quarter) -> list[LevelSpec]:
    return [LevelSpec(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]


# --- ballots -------------------------------------------------------------------------------------------------------


def _criterion_columns(rows: list[SheetRow], context: _Context, issues: list[ImportIssue]) -> dict[int, str] | None:
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


def _read_ballots(rows: list[SheetRow], context: _Context, issues: list[ImportIssue]) -> list[_Ballot]:
    columns = _criterion_columns(rows, context, issues)
    if columns is None:
        return []
    ballots: dict[tuple[str, str], _Ballot] = {}
    for row in rows:
        if _is_target_only(row, columns):
            continue
        label, source = _label(row, issues), _source(row, context, issues)
        if label is None or source is None:
            continue
        ballot = ballots.get((source, label))
        if ballot is None:
            ballot = ballots[(source, label)] = _Ballot(label=label, source=source, first_row=row)
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


def _source(row: SheetRow, context: _Context, issues: list[ImportIssue]) -> str | None:
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


def _rater(ballot: _Ballot, row: SheetRow, context: _Context, issues: list[ImportIssue]) -> None:
    if ballot.source == Source.LEADERSHIP:
        username = str(row.get("rater") or "").strip()
        leader = context.leaders.get(username)
        if leader is None:
            message = (
                _("%(user)s is not a group leader's account.") % {"user": username}
                if username in context.users
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


def _unit_message(code: str, context: _Context, wanted: str) -> str:
    if not code:
        return _("Name the rating unit's code: %(wanted)s.") % {"wanted": wanted}
    if code in context.all_units:
        return _("%(code)s is not %(wanted)s.") % {"code": code, "wanted": wanted}
    return _("There is no unit %(code)s.") % {"code": code}


def _same_rater(ballot: _Ballot, row: SheetRow, context: _Context, issues: list[ImportIssue]) -> None:
    if ballot.source == Source.LEADERSHIP:
        key, expected = "rater", ballot.rater.username if ballot.rater else None
    else:
        key, expected = "rater_unit", ballot.rater_unit.code if ballot.rater_unit else None
    given = str(row.get(key) or "").strip()
    if expected is not None and given and given != expected:
        issues.append(
            row.issue(
                key,
                _("Ballot %(label)s names another rater in an earlier row (%(rater)s).")
                % {"label": ballot.label, "rater": expected},
            )
        )


def _target_row(ballot: _Ballot, row: SheetRow, columns: dict[int, str], context: _Context, issues: list) -> None:
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


def _value(row: SheetRow, header: str, context: _Context, issues: list[ImportIssue]) -> int | None:
    """The cell in hundredths of a point, or None for an abstention (or an error, recorded)."""
    raw = row.extra.get(header)
    if raw is None or (isinstance(raw, str) and normalise_header(raw) in _ABSTAIN):
        return None
    if context.scale == Scale.LEVELS and isinstance(raw, str) and raw.strip() in context.levels:
        return int(context.levels[raw.strip()] * 100)
    number = _decimal(raw)
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


def _check_one_per_rater(ballots: list[_Ballot], issues: list[ImportIssue]) -> None:
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


def _rater_key(ballot: _Ballot) -> tuple[str, int] | None:
    if ballot.source == Source.PEER and ballot.rater_unit is not None:
        return (Source.PEER, ballot.rater_unit.pk)
    if ballot.source == Source.LEADERSHIP and ballot.rater is not None:
        return (Source.LEADERSHIP, ballot.rater.pk)
    return None


# --- adjustments ---------------------------------------------------------------------------------------------------


@dataclass
class _Adjustment:
    department: Unit
    points: Decimal
    reason: str
    row: SheetRow


def _read_adjustments(rows: list[SheetRow], context: _Context, issues: list[ImportIssue]) -> list[_Adjustment]:
    found = []
    for row in rows:
        code = str(row.get("department") or "").strip()
        department = context.departments.get(code)
        points = _decimal(row.get("points"))
        reason = str(row.get("reason") or "").strip()
        if department is None:
            issues.append(row.issue("department", _("%(code)s is not an evaluated department.") % {"code": code}))
        if points is None or abs(points) >= 10000 or points != points.quantize(Decimal("0.01")):
            issues.append(row.issue("points", _("Points are a number with at most two decimals, such as -1.5.")))
        if not reason:
            issues.append(row.issue("reason", _("Every adjustment needs a reason.")))
        if department is not None and points is not None and reason and abs(points) < 10000:
            found.append(_Adjustment(department, points.quantize(Decimal("0.01")), reason, row))
    return found


# --- against what is stored ----------------------------------------------------------------------------------------


def _check_existing(
    quarter: Quarter | None, ballots: list[_Ballot], adjustments: list[_Adjustment], context: _Context, issues: list
) -> None:
    """Labels, peer departments and leaders already used in the quarter (apart from what --replace removes)."""
    if quarter is None:
        return
    stored = Ballot.objects.filter(quarter=quarter)
    if context.replace:
        stored = stored.exclude(origin=Origin.IMPORTED)
    labels = set(stored.exclude(label="").values_list("source", "label"))
    counted = stored.filter(voided_at__isnull=True)
    peers = set(counted.filter(source=Source.PEER).values_list("rater_unit", flat=True))
    leaders = set(counted.filter(source=Source.LEADERSHIP).values_list("rater", flat=True))
    for ballot in ballots:
        row = ballot.first_row
        if (ballot.source, ballot.label) in labels:
            issues.append(row.issue("ballot", _already_message(ballot.label, context.replace)))
        elif ballot.source == Source.PEER and ballot.rater_unit and ballot.rater_unit.pk in peers:
            issues.append(row.issue("rater_unit", _("This department's peer ballot is already in the quarter.")))
        elif ballot.source == Source.LEADERSHIP and ballot.rater and ballot.rater.pk in leaders:
            issues.append(row.issue("rater", _("This leader's ballot is already in the quarter.")))
    if not context.replace:
        _check_adjustments_again(quarter, adjustments, issues)


def _check_settings_locked(quarter: Quarter | None, parsed: _Settings, context: _Context, issues: list) -> None:
    """Once a quarter holds ballots (other than those --replace removes), its settings stay as they are."""
    if quarter is None:
        return
    stored = Ballot.objects.filter(quarter=quarter)
    if context.replace:
        stored = stored.exclude(origin=Origin.IMPORTED)
    if not stored.exists():
        return
    for key in sorted(parsed.given - {"quarter"}):
        if getattr(quarter, key) != parsed.values[key]:
            issues.append(parsed.rows[key].issue("value", _locked_message(quarter, key)))
    if parsed.criteria is not None and _criteria_key(parsed.criteria) != _criteria_key(_stored_criteria(quarter)):
        issues.append(ImportIssue(CRITERIA_SHEET.key, None, None, _locked_message(quarter, "criteria")))
    if parsed.levels is not None and _levels_key(parsed.levels) != _levels_key(_stored_levels(quarter)):
        issues.append(ImportIssue(LEVELS_SHEET.key, None, None, _locked_message(quarter, "levels")))


def _locked_message(quarter: Quarter, what: str) -> str:
    return _("Quarter %(code)s holds ballots, so its %(what)s can no longer change; this file differs.") % {
        "code": quarter.code,
        "what": what,
    }


def _criteria_key(specs: list[CriterionSpec]) -> list[tuple[str, str, Decimal]]:
    return [(spec.code, spec.name, Decimal(spec.weight).normalize()) for spec in specs]


def _levels_key(specs: list[LevelSpec]) -> list[tuple[str, Decimal]]:
    return [(spec.label.strip(), Decimal(spec.points).normalize()) for spec in specs]


def _already_message(label: str, replace: bool) -> str:
    if replace:
        return _(
            "A ballot labelled %(label)s was entered in the browser; it is kept, so the label cannot be reused."
        ) % {"label": label}
    return _("The ballot %(label)s has already been imported; use --replace (replace) to import the file again.") % {
        "label": label
    }


def _check_adjustments_again(quarter: Quarter, adjustments: list[_Adjustment], issues: list[ImportIssue]) -> None:
    stored = Counter(
        (department, points, reason)
        for department, points, reason in Adjustment.objects.filter(
            quarter=quarter, origin=Origin.IMPORTED
        ).values_list("department", "points", "reason")
    )
    for item in adjustments:
        key = (item.department.pk, item.points, item.reason)
        if stored[key]:
            issues.append(item.row.issue("reason", _("This adjustment has already been imported; use --replace.")))


# --- writing -------------------------------------------------------------------------------------------------------


@transaction.atomic
def _apply(
    quarter: Quarter | None,
    parsed: _Settings,
    context: _Context,
    ballots: list[_Ballot],
    adjustments: list[_Adjustment],
    *,
    actor: Any,
) -> QuarterImportResult:
    created = quarter is None
    replaced = (0, 0)
    if quarter is not None and context.replace:
        replaced = _remove_imported(quarter)
    quarter = _quarter_with_settings(quarter, parsed, context, actor=actor)
    criteria = {criterion.code: criterion.pk for criterion in quarter.criteria.all()}
    criterion_ids = [criteria[spec.code] for spec in context.criteria]
    values, comments = _store_ballots(quarter, ballots, criterion_ids)
    Adjustment.objects.bulk_create(
        Adjustment(
            quarter=quarter,
            department=item.department,
            points=item.points,
            reason=item.reason,
            origin=Origin.IMPORTED,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for item in adjustments
    )
    result = QuarterImportResult(
        quarter=quarter,
        created=created,
        ballots=dict(Counter(ballot.source for ballot in ballots)),
        values=values,
        comments=comments,
        adjustments=len(adjustments),
        replaced_ballots=replaced[0],
        replaced_adjustments=replaced[1],
    )
    audit_record(
        action=AuditAction.BALLOTS_IMPORTED,
        summary=result.summary(),
        actor=actor,
        quarter=quarter,
        details=result.details(),
    )
    return result


def _remove_imported(quarter: Quarter) -> tuple[int, int]:
    imported = Ballot.objects.filter(quarter=quarter, origin=Origin.IMPORTED)
    ballot_count = imported.count()
    BallotValue.objects.filter(ballot__in=imported).delete()
    BallotComment.objects.filter(ballot__in=imported).delete()
    imported.delete()
    adjustment_count, _deleted = Adjustment.objects.filter(quarter=quarter, origin=Origin.IMPORTED).delete()
    return ballot_count, adjustment_count


def _quarter_with_settings(quarter: Quarter | None, parsed: _Settings, context: _Context, *, actor: Any) -> Quarter:
    fields = {key: parsed.values[key] for key in SETTING_DEFAULTS if key != "quarter"}
    levels = [LevelSpec(label, points) for label, points in context.levels.items()]
    try:
        if quarter is None:
            quarter = quarter_create(
                code=parsed.values["quarter"], actor=actor, criteria=context.criteria, levels=levels, **fields
            )
            quarter.status = QuarterStatus.CLOSED
            quarter.save(update_fields=["status"])
            return quarter
        return quarter_update_settings(
            quarter=quarter,
            actor=actor,
            criteria=context.criteria if parsed.criteria is not None else None,
            levels=levels if parsed.levels is not None else None,
            **fields,
        )
    except ValidationError as error:
        row = parsed.rows.get("quarter")
        raise _Refused([row.issue("value", message) for message in error.messages]) from None


def _store_ballots(quarter: Quarter, ballots: list[_Ballot], criterion_ids: list[int]) -> tuple[int, int]:
    today = timezone.localdate()
    rows = [
        Ballot(
            quarter=quarter,
            source=ballot.source,
            rater_unit=ballot.rater_unit,
            rater=None if ballot.source == Source.GRASSROOTS else ballot.rater,
            origin=Origin.IMPORTED,
            label=ballot.label,
            submitted_on=today,
        )
        for ballot in ballots
    ]
    Ballot.objects.bulk_create(rows, batch_size=BULK_BATCH)
    values = _insert_values(
        (stored.pk, department, criterion_ids[index], centi)
        for stored, ballot in zip(rows, ballots, strict=True)
        for department, index, centi in ballot.values
    )
    comments = _bulk(
        BallotComment,
        (
            BallotComment(ballot=stored, department_id=department, text=text)
            for stored, ballot in zip(rows, ballots, strict=True)
            for department, text in ballot.comments.items()
        ),
    )
    return values, comments


def _insert_values(rows: Iterable[tuple[Any, int, int, int]]) -> int:
    """Insert BallotValue rows with multi-row INSERTs.

    A Benxi-scale file holds some 400,000 values; building a model instance for each
    (as bulk_create does) costs more than everything else in the import together.
    The values have been validated already; the table's constraints still apply.
    """
    meta = BallotValue._meta
    ballot_field = meta.get_field("ballot").target_field
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("ballot", "department", "criterion", "value_centi")
    )
    limit = connection.features.max_query_params or 32000
    batch_rows = max(1, min(2000, limit // 4))
    prepared: dict[Any, Any] = {}
    total = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch_rows):
            params: list[Any] = []
            for ballot_id, department, criterion, centi in chunk:
                if ballot_id not in prepared:
                    prepared[ballot_id] = ballot_field.get_db_prep_value(ballot_id, connection)
                params += [prepared[ballot_id], department, criterion, centi]
            placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES {placeholders}"  # noqa: S608
            cursor.execute(sql, params)
            total += len(chunk)
    return total


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model: Any, objects: Iterable[Any]) -> int:
    """bulk_create in batches from a generator, so a large file never holds every row object at once."""
    total, batch = 0, []
    for item in objects:
        batch.append(item)
        if len(batch) >= BULK_BATCH:
            model.objects.bulk_create(batch)
            total, batch = total + len(batch), []
    if batch:
        model.objects.bulk_create(batch)
        total += len(batch)
    return total


def group_issues_by_sheet(issues: Iterable[ImportIssue]) -> dict[str, list[ImportIssue]]:
    grouped: dict[str, list[ImportIssue]] = defaultdict(list)
    for issue in issues:
        grouped[issue.sheet].append(issue)
    return dict(grouped)
