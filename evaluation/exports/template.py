"""The empty quarter workbook: prefilled settings, levels, criteria and departments, ready to fill in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import WORKSTYLE, RaterScope, Unit, User
from departments.roles import Role
from evaluation.criteria_templates import DEFAULT_LEVELS, WORK_STYLE
from evaluation.exports.assignments import assignments_sheet
from evaluation.exports.common import header
from evaluation.exports.writer import Column, SheetData, write_workbook
from evaluation.imports.common import WORKBOOK_SETTING_FIELDS
from evaluation.models import Quarter, quarter_default


def current_quarter_code() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def template_sheets(quarter: Quarter | None) -> Iterator[SheetData]:
    """The sheets of an empty quarter workbook that `import_quarter` accepts once filled in."""
    if quarter is not None:
        criteria = [(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]
        levels = [(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]
        code, scale, trim = quarter.code, quarter.scale, quarter.trim
        numbers = {key: getattr(quarter, key) for key in _TEMPLATE_NUMBERS}
    else:
        criteria = [(spec.code, spec.name, spec.weight) for spec in WORK_STYLE.criteria]
        levels = [(spec.label, spec.points) for spec in DEFAULT_LEVELS]
        code, scale, trim = current_quarter_code(), quarter_default("scale"), quarter_default("trim")
        numbers = {key: quarter_default(key) for key in _TEMPLATE_NUMBERS}
    programme = quarter.programme.code if quarter is not None else WORKSTYLE
    settings_rows = [
        ("quarter", code),
        ("programme", programme),
        ("scale", scale),
        *numbers.items(),
        ("trim", "yes" if trim else "no"),
    ]
    yield SheetData(
        header("settings", "设置"),
        "",
        [Column(header("key", "项目"), 24), Column(header("value", "值"), 14)],
        settings_rows,
    )
    yield SheetData(
        header("levels", "等级"),
        "",
        [Column(header("label", "等级"), 14), Column(header("points", "分值"), 10)],
        levels,
    )
    yield SheetData(
        header("criteria", "指标"),
        "",
        [
            Column(header("code", "编码"), 16),
            Column(header("name", "名称"), 20),
            Column(header("weight", "权重"), 10),
        ],
        criteria,
    )
    yield _template_ballots([code for code, _name, _weight in criteria])
    yield SheetData(
        header("adjustments", "加减分"),
        "",
        [
            Column(header("department", "部门"), 12),
            Column(header("points", "分值"), 10),
            Column(header("reason", "原因"), 50),
        ],
        [],
    )
    # Optional (docs/workbooks.md, "Sheet `grades` [等次]"); after the sheets every workbook has.
    grades = [] if quarter is None else [(g.label, g.quota, g.min_score) for g in quarter.grades.order_by("order")]
    yield SheetData(
        header("grades", "等次"),
        "",
        [
            Column(header("label", "等次"), 14),
            Column(header("quota", "比例"), 10),
            Column(header("min_score", "最低分"), 10),
        ],
        grades,
    )
    if quarter is not None and quarter.programme.scope == RaterScope.ASSIGNED:
        yield assignments_sheet(quarter)
    yield _template_units()


_TEMPLATE_NUMBERS = tuple(name for name in WORKBOOK_SETTING_FIELDS if name not in ("scale", "trim"))


def _template_ballots(criterion_codes: list[str]) -> SheetData:
    columns = [
        Column(header("ballot", "票号"), 10),
        Column(header("source", "来源"), 12),
        Column(header("rater_unit", "评价单位"), 12),
        Column(header("rater", "评价人"), 12),
        Column(header("target", "被评部门"), 12),
        Column(_("Department name"), 22),  # for people only; the import ignores it
        *(Column(code, 12) for code in criterion_codes),
        Column(header("comment", "意见建议"), 40),
    ]
    rows = (
        [None, None, None, None, unit.code, unit.name] for unit in Unit.objects.evaluated().order_by("order", "code")
    )
    return SheetData(header("ballots", "评分"), "", columns, rows)


def _template_units() -> SheetData:
    """A reference sheet (not read by the import): the codes and accounts a ballot may name."""
    units = [(unit.code, unit.name, unit.get_kind_display()) for unit in Unit.objects.filter(active=True)]
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct().order_by("username")
    rows = [*units, *((user.username, str(user), str(Role.LEADER.label)) for user in leaders)]
    columns = [Column(_("Code or account"), 16), Column(_("Name"), 22), Column(_("Kind"), 22)]
    return SheetData(_("Codes"), "", columns, rows)


def export_quarter_template(output: str | IO[bytes], *, quarter: Quarter | None = None) -> None:
    """Write an empty quarter workbook: settings, levels and criteria of `quarter` (or the defaults),
    a ballots sheet listing today's evaluated departments, and the codes a ballot may name."""
    write_workbook(template_sheets(quarter), output, title=None)
