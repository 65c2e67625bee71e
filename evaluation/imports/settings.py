"""The settings, levels and criteria sheets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from departments.models import Programme
from departments.workbook import (
    ImportIssue,
    SheetRow,
    normalise_header,
    yes_no_value,
)
from evaluation import ballot_rules as rules
from evaluation.criteria_templates import CriterionSpec, LevelSpec, within_digits
from evaluation.grades import GradeSpec, grade_problems
from evaluation.imports.common import (
    CRITERIA_SHEET,
    GRADES_SHEET,
    SCALE_ALIASES,
    SETTING_ALIASES,
    SETTING_DEFAULTS,
    SETTINGS_SHEET,
    ParsedSettings,
)
from evaluation.models import (
    ANNOUNCEMENT_DAYS_MAX,
    QUARTER_CODE,
    TRIM_MIN_N_FLOOR,
    Quarter,
    QuarterStatus,
    Source,
    criterion_code_validator,
)

# --- settings, levels, criteria ------------------------------------------------------------------------------------


# The largest whole number a settings row may hold, where it is not 10,000 (weights: 100).
SETTING_MAXIMA = {"top_level_cap": 100, "announcement_days": ANNOUNCEMENT_DAYS_MAX}


def read_settings(sheets: dict[str, list[SheetRow] | None], issues: list[ImportIssue]) -> ParsedSettings | None:
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
        if parsed is not None or (key in OPTIONAL_SETTINGS and _blank(row.get("value"))):
            values[key] = parsed
            given.add(key)
    if "quarter" not in seen:
        issues.append(ImportIssue(_settings_title(rows), None, "quarter", _("The quarter (YYYYQn) is missing.")))
    if "quarter" not in given:
        return None
    if not any(f"weight_{source}" in seen - given for source in Source.values):
        _check_weights(values, by_key, rows, issues)
    _check_top_level_cap(values, by_key, issues)
    levels = _read_levels(sheets["levels"], issues)
    criteria = _read_criteria(sheets["criteria"], issues)
    grades = read_grades(sheets["grades"], issues)
    return ParsedSettings(values, given, by_key, levels, criteria, grades)


# Settings whose blank value means "none" (docs/workbooks.md): no top-level cap.
OPTIONAL_SETTINGS = frozenset({"top_level_cap"})


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and normalise_header(raw) in {"", "none", "无"})


def _check_top_level_cap(values: dict[str, Any], rows: dict[str, SheetRow], issues: list[ImportIssue]) -> None:
    row = rows.get("top_level_cap")
    refusal = rules.top_level_cap_refusal(scale=values["scale"], cap=values["top_level_cap"])
    if row is not None and refusal is not None:
        issues.append(row.issue("value", refusal))


def decimal_places(number: Decimal) -> int:
    """How many decimals a number needs: 2 for 33.33 and for 33.330, 0 for 100."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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
        if not QUARTER_CODE.match(text):
            issues.append(row.issue("value", _("A quarter is written YYYYQn, for example 2026Q3.")))
            return None
        return text
    if key == "programme":
        text = str(raw or "").strip()
        if not Programme.objects.filter(code=text).exists():
            issues.append(row.issue("value", _("There is no programme %(code)s.") % {"code": text[:40]}))
            return None
        return text
    if key == "scale":
        scale = SCALE_ALIASES.get(normalise_header(raw or ""))
        if scale is None:
            issues.append(row.issue("value", _("The scale is levels or points.")))
        return scale
    if key == "trim":
        return _yes_no(raw, row, issues)
    if key in OPTIONAL_SETTINGS and _blank(raw):
        return None
    number = _whole_number(raw)
    low = TRIM_MIN_N_FLOOR if key == "trim_min_n" else 0
    high = 100 if key.startswith("weight_") else SETTING_MAXIMA.get(key, 10000)
    if number is None or not low <= number <= high:
        issues.append(
            row.issue("value", _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        )
        return None
    return number


def _yes_no(raw: Any, row: SheetRow, issues: list[ImportIssue]) -> bool | None:
    parsed = yes_no_value(raw if raw is not None else "")
    if parsed is None:
        issues.append(row.issue("value", _("Enter yes or no (是/否).")))
    return parsed


def _whole_number(raw: Any) -> int | None:
    number = parse_decimal(raw)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def parse_decimal(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    # Every number of a quarter workbook (settings, points, weights) is small: one far outside is no number here.
    return number if within_digits(number) else None


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
        points = parse_decimal(row.get("points"))
        if not label or len(label) > 20:
            issues.append(row.issue("label", _("A level label has 1 to 20 characters.")))
        elif label in seen:
            issues.append(row.issue("label", _("The level %(label)s appears more than once.") % {"label": label}))
        if points is None or not Decimal(0) <= points <= Decimal(100):
            issues.append(row.issue("points", _("Points must be a number from 0 to 100.")))
            points = Decimal(0)  # the file is refused; the label stays known so its ballots are not reported too
        elif decimal_places(points) > 2:
            issues.append(row.issue("points", _("Points have at most two decimal places.")))
        seen.add(label)
        if label:
            levels.append(LevelSpec(label, points.quantize(Decimal("0.01"))))
    return levels


def read_grades(rows: list[SheetRow] | None, issues: list[ImportIssue]) -> list[GradeSpec] | None:
    """The grades sheet (docs/scoring.md rule 9): label, and a quota or a minimum score, best grade first."""
    if rows is None:
        return None
    specs: list[GradeSpec] = []
    for row in rows:
        quota_raw, min_raw = row.get("quota"), row.get("min_score")
        quota = None if _blank(quota_raw) else _whole_number(quota_raw)
        min_score = None if _blank(min_raw) else parse_decimal(min_raw)
        if not _blank(quota_raw) and quota is None:
            issues.append(row.issue("quota", _("A quota is a whole percentage from 0 to 100.")))
            quota = 0
        if not _blank(min_raw) and min_score is None:
            issues.append(row.issue("min_score", _("The minimum score must be a number.")))
            min_score = Decimal(0)
        specs.append(GradeSpec(str(row.get("label") or "").strip(), quota, min_score))
    for index, column, message in grade_problems(specs):
        if index is None:
            issues.append(ImportIssue(rows[0].sheet if rows else GRADES_SHEET.key, None, column, message))
        else:
            issues.append(rows[index].issue(column, message))
    return specs


def _read_criteria(rows: list[SheetRow] | None, issues: list[ImportIssue]) -> list[CriterionSpec] | None:
    if rows is None:
        return None
    criteria, seen = [], set()
    for row in rows:
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        weight = parse_decimal(row.get("weight", 1))
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
        elif decimal_places(weight) > 4:
            issues.append(row.issue("weight", _("A weight has at most four decimal places.")))
        else:
            criteria.append(CriterionSpec(code, name, weight))
    if not rows:
        issues.append(ImportIssue(CRITERIA_SHEET.key, None, None, _("A quarter needs at least one criterion.")))
    return criteria


def check_quarter(quarter: Quarter | None, parsed: ParsedSettings, issues: list[ImportIssue]) -> None:
    row = parsed.rows.get("quarter")
    if quarter is not None and quarter.status == QuarterStatus.PUBLISHED:
        issues.append(
            row.issue(
                "value", _("Quarter %(code)s is published; nothing can be imported into it.") % {"code": quarter.code}
            )
        )
    elif quarter is not None and quarter.status == QuarterStatus.ANNOUNCED:
        issues.append(
            row.issue(
                "value",
                _("Quarter %(code)s is announced; take it back to closed before importing into it.")
                % {"code": quarter.code},
            )
        )
