"""Shared parts of the quarter workbook import: sheet specs, aliases, and what reading produces."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import WORKSTYLE, Programme, Unit, User
from departments.workbook import (
    ColumnSpec,
    ImportIssue,
    SheetRow,
    SheetSpec,
)
from evaluation.ballot_rules import ValueScale
from evaluation.criteria_templates import CriterionSpec, LevelSpec
from evaluation.grades import GradeSpec
from evaluation.models import (
    SCORING_FIELDS,
    Quarter,
    Scale,
    Source,
    quarter_default,
)

# The replace option as the upload page names it; a refusal of a file imported before points to it.
REPLACE_LABEL = gettext_lazy("Replace every ballot and adjustment imported into this quarter before")
LABEL_MAX_LENGTH = 64

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
GRADES_SHEET = SheetSpec(
    "grades",
    aliases=("等次",),
    required=False,
    columns=[
        ColumnSpec("label", aliases=("等次", "名称")),
        ColumnSpec("quota", aliases=("比例", "名额比例"), required=False),
        ColumnSpec("min_score", aliases=("最低分",), required=False),
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
# For a programme with scope `assigned`: the quarter's rater → target pairs (docs/design.md, "Rater scopes").
ASSIGNMENTS_SHEET = SheetSpec(
    "assignments",
    aliases=("测评关系",),
    required=False,
    columns=[
        ColumnSpec("rater_unit", aliases=("评价单位",), required=False),
        ColumnSpec("rater", aliases=("评价人",), required=False),
        ColumnSpec("target", aliases=("被评部门", "被评对象")),
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

# The settings sheet's keys: the quarter, then the scoring settings a workbook carries (the anonymity
# threshold is set in the console only), each with the default a new quarter gets; and their Chinese aliases.
WORKBOOK_SETTING_FIELDS: tuple[str, ...] = tuple(name for name in SCORING_FIELDS if name != "anonymity_k")
# The announcement period (docs/workbooks.md, `announcement_days`); not a scoring setting.
WORKBOOK_SETTING_FIELDS += ("announcement_days",)
SETTING_DEFAULTS: dict[str, Any] = {"quarter": None} | {name: quarter_default(name) for name in WORKBOOK_SETTING_FIELDS}
# A quarter is identified by programme and code (docs/workbooks.md): these keys name it, they set nothing.
SETTING_DEFAULTS["programme"] = WORKSTYLE
IDENTITY_KEYS = frozenset({"quarter", "programme"})
SETTING_ALIASES = {
    "考核方案": "programme",
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
    "优秀比例": "top_level_cap",
    "公示天数": "announcement_days",
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
class ParsedSettings:
    values: dict[str, Any]
    given: set[str]
    rows: dict[str, SheetRow]
    levels: list[LevelSpec] | None
    criteria: list[CriterionSpec] | None
    grades: list[GradeSpec] | None = None


@dataclass(slots=True)
class SheetBallot:
    """One ballot of the ballots sheet (the rows sharing its label and source), as read and checked.

    A workbook holds thousands of ballots and hundreds of thousands of values, so the values and row numbers
    are kept as machine integers (`array`), not as Python tuples.
    """

    label: str
    source: str
    first_row: SheetRow
    rater_unit: Unit | None = None
    rater: User | None = None
    # department id, criterion index, hundredths; three integers per value (see `cells`)
    values: array = field(default_factory=lambda: array("q"))
    comments: dict[int, str] = field(default_factory=dict)
    targets: set[int] = field(default_factory=set)
    rows: array = field(default_factory=lambda: array("q"))

    @property
    def value_count(self) -> int:
        return len(self.values) // 3

    def cells(self) -> Iterator[tuple[int, int, int]]:
        """(department id, criterion index, hundredths) of each value."""
        values = iter(self.values)
        return zip(values, values, values, strict=True)


@dataclass
class ImportContext:
    """Everything the row checks look up, loaded once."""

    quarter: Quarter | None
    code: str
    scale: str
    weights: dict[str, int]
    criteria: list[CriterionSpec]
    levels: dict[str, Decimal]
    departments: dict[str, Unit]
    grassroots: dict[str, Unit]
    all_units: dict[str, Unit]
    leaders: dict[str, User]
    users: set[str]
    replace: bool
    top_level_cap: int | None = None
    programme: Programme | None = None  # the quarter's programme (docs/design.md, "Programmes")
    # The programme's own source names (群众评议 …), as normalise_header folds them -> source.
    source_names: dict[str, str] = field(default_factory=dict)
    scopes: dict[tuple[str, int | None, int | None], frozenset[int] | None] = field(default_factory=dict)
    # The file's assignments sheet as (rating unit id, leader id, target id); None when the file has none.
    pairs: list[tuple[int | None, int | None, int]] | None = None
    # Cells already converted by ballot_rules.cell_centi: (type, value) -> hundredths or None (see imports.ballots).
    cell_values: dict[tuple[type, Any], int | None] = field(default_factory=dict)
    # Source cells already read (see imports.ballots._source): (type, value) -> (source, refusal).
    source_cells: dict[tuple[type, Any], tuple[str | None, str | None]] = field(default_factory=dict)

    @cached_property
    def value_scale(self) -> ValueScale:
        return ValueScale(uses_levels=self.scale == Scale.LEVELS, levels=self.levels)

    @cached_property
    def target_names(self) -> dict[int, str]:
        """What a ballot may rate: each evaluated department's id and name."""
        return {unit.pk: unit.name for unit in self.departments.values()}


SPECS = (
    SETTINGS_SHEET,
    LEVELS_SHEET,
    CRITERIA_SHEET,
    GRADES_SHEET,
    BALLOTS_SHEET,
    ADJUSTMENTS_SHEET,
    ASSIGNMENTS_SHEET,
)


class Refused(Exception):
    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
