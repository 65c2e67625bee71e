"""The empty quarter workbook: prefilled settings, levels, criteria and targets, ready to fill in.

Everything follows the quarter's programme (or the programme asked for, work style by default): its targets,
its criteria template, its source names and, for a programme whose raters rate only part of the targets, who
rates whom (docs/workbooks.md, "Quarter workbook").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Programme, RaterScope, Unit, UnitKind, User, workstyle
from departments.roles import Role
from evaluation.ballot_rules import scope_target_map
from evaluation.criteria_templates import DEFAULT_LEVELS, TEMPLATES, WORK_STYLE
from evaluation.exports.assignments import assignments_sheet
from evaluation.exports.common import header
from evaluation.exports.writer import Column, SheetData, write_workbook
from evaluation.imports.common import WORKBOOK_SETTING_FIELDS
from evaluation.models import Quarter, Source, quarter_default


def current_quarter_code() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def template_sheets(quarter: Quarter | None, programme: Programme | None = None) -> Iterator[SheetData]:
    """The sheets of an empty quarter workbook that `import_quarter` accepts once filled in: of `quarter`, or a
    new quarter of `programme` (work style when neither is given)."""
    programme = quarter.programme if quarter is not None else programme or workstyle()
    if quarter is not None:
        criteria = [(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]
        levels = [(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]
        code, scale, trim = quarter.code, quarter.scale, quarter.trim
        numbers = {key: getattr(quarter, key) for key in _TEMPLATE_NUMBERS}
    else:
        specs = TEMPLATES.get(programme.template, WORK_STYLE).criteria
        criteria = [(spec.code, spec.name, spec.weight) for spec in specs]
        levels = [(spec.label, spec.points) for spec in DEFAULT_LEVELS]
        code, scale, trim = current_quarter_code(), quarter_default("scale"), quarter_default("trim")
        numbers = {key: quarter_default(key) for key in _TEMPLATE_NUMBERS}
    settings_rows = [
        ("quarter", code),
        ("programme", programme.code),
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
    targets = list(Unit.objects.evaluated(programme).select_related("parent").order_by("order", "code"))
    raters = _raters(quarter, programme, targets)
    if raters is not None:
        # Only some targets are rated at all: the ballots sheet lists those, one rater's block after another.
        rated = {target for _source, _who, ids in raters for target in ids}
        targets = [target for target in targets if target.pk in rated]
    yield _template_ballots([code for code, _name, _weight in criteria], programme, targets)
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
    if programme.scope == RaterScope.ASSIGNED:
        yield assignments_sheet(quarter)
    yield _template_units(programme)
    if raters is not None:
        yield _template_scope(quarter or Quarter(programme=programme), raters, {t.pk: t for t in targets})


_TEMPLATE_NUMBERS = tuple(name for name in WORKBOOK_SETTING_FIELDS if name not in ("scale", "trim"))

# (source, the rater's code or username and name, the ids of the targets the rater's ballot offers)
RaterTargets = list[tuple[str, tuple[str, str], frozenset[int]]]


def _raters(quarter: Quarter | None, programme: Programme, targets: list[Unit]) -> RaterTargets | None:
    """Who rates whom, for a programme whose raters rate part of the targets; None when every rater rates every
    target (scope `all`). Each rater's targets come from the scope rule itself (ballot_rules.scope_target_map,
    a few queries for every rater of a source); a new quarter of an `assigned` programme has no pairs yet, so
    nobody rates anything."""
    if programme.scope == RaterScope.ALL:
        return None
    probe = quarter or Quarter(programme=programme)
    units = {*Unit.objects.grassroots().order_by("order", "code"), *targets}
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).select_related("unit").distinct()
    found: RaterTargets = []
    for source in (Source.GRASSROOTS, Source.PEER):
        raters = [unit for unit in units if (unit.kind == UnitKind.GRASSROOTS) == (source == Source.GRASSROOTS)]
        raters.sort(key=lambda unit: (unit.order, unit.code))
        scopes = scope_target_map(probe, source=source, raters=raters)
        for unit in raters:
            ids = (scopes[unit.pk] or frozenset()) - {unit.pk}
            if ids:
                found.append((source, (unit.code, unit.name), ids))
    leaders = list(leaders.order_by("username"))
    scopes = scope_target_map(probe, source=Source.LEADERSHIP, raters=leaders)
    for leader in leaders:
        ids = scopes[leader.pk]
        ids = frozenset(t.pk for t in targets) if ids is None else ids
        if ids:
            found.append((Source.LEADERSHIP, (leader.username, str(leader)), ids))
    return found


def _template_ballots(criterion_codes: list[str], programme: Programme, targets: list[Unit]) -> SheetData:
    parents = programme.scope != RaterScope.ALL
    columns = [
        Column(header("ballot", "票号"), 10),
        Column(header("source", "来源"), 12),
        Column(header("rater_unit", "评价单位"), 12),
        Column(header("rater", "评价人"), 12),
        Column(header("target", "被评部门"), 12),
        Column(_("Department name"), 22),  # for people only; the import ignores it
        *([Column(_("Parent unit"), 16)] if parents else []),  # for people only too
        *(Column(code, 12) for code in criterion_codes),
        Column(header("comment", "意见建议"), 40),
    ]
    if parents:  # the targets of one secondary unit together, as its raters' ballots list them
        targets = sorted(targets, key=lambda unit: (unit.parent is None, _order(unit.parent), _order(unit)))
    rows = (
        [
            None,
            None,
            None,
            None,
            unit.code,
            unit.name,
            *([unit.parent.name if unit.parent else None] if parents else []),
        ]
        for unit in targets
    )
    return SheetData(header("ballots", "评分"), "", columns, rows)


def _order(unit: Unit | None) -> tuple[int, str]:
    return (unit.order, unit.code) if unit is not None else (0, "")


def _template_scope(quarter: Quarter, raters: RaterTargets, targets: dict[int, Unit]) -> SheetData:
    """A reference sheet (not read by the import): each rater with the targets its ballot may rate."""
    columns = [
        Column(_("Source"), 12),
        Column(_("Code or account"), 16),
        Column(_("Name"), 22),
        Column(_("Targets it rates"), 60),
    ]
    rows = (
        [quarter.source_label(source), code, name, ", ".join(targets[pk].code for pk in sorted(ids, key=_by(targets)))]
        for source, (code, name), ids in raters
    )
    return SheetData(_("Who rates whom"), "", columns, rows)


def _by(targets: dict[int, Unit]) -> Callable[[int], tuple[int, str]]:
    return lambda pk: _order(targets.get(pk))


def _template_units(programme: Programme) -> SheetData:
    """A reference sheet (not read by the import): the codes and accounts a ballot may name."""
    units = Unit.objects.filter(active=True)
    if not programme.is_workstyle:  # the programme's targets and the units rating them, not another's
        units = units.filter(kind__in=[*programme.kinds, UnitKind.GRASSROOTS])
    units = [(unit.code, unit.name, unit.get_kind_display()) for unit in units]
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct().order_by("username")
    rows = [*units, *((user.username, str(user), str(Role.LEADER.label)) for user in leaders)]
    columns = [Column(_("Code or account"), 16), Column(_("Name"), 22), Column(_("Kind"), 22)]
    return SheetData(_("Codes"), "", columns, rows)


def export_quarter_template(
    output: str | IO[bytes], *, quarter: Quarter | None = None, programme: Programme | None = None
) -> None:
    """Write an empty quarter workbook: settings, levels and criteria of `quarter` (or the defaults of
    `programme`), a ballots sheet listing the programme's targets, and the codes a ballot may name."""
    write_workbook(template_sheets(quarter, programme), output, title=None)
