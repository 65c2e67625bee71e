"""A quarter's rater relations as a workbook: its assignments sheet, ready to edit and upload again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from evaluation.exports.common import header
from evaluation.exports.writer import Column, SheetData, write_workbook
from evaluation.models import Quarter
from evaluation.selectors.assignments import rater_pairs


def assignments_sheet(quarter: Quarter | None) -> SheetData:
    """The sheet `assignments` [测评关系] with the quarter's pairs, grouped by rater (none for a quarter not created
    yet); the name columns are for people and the import ignores them (docs/workbooks.md, "Sheet `assignments`
    [测评关系]")."""

    def rows() -> Iterator[list[str | None]]:
        for group in rater_pairs(quarter) if quarter is not None else ():
            unit = group.unit.code if group.unit is not None else None
            leader = group.leader.username if group.leader is not None else None
            for pair in group.pairs:
                yield [unit, leader, pair.target.code, group.name, pair.target.name]

    columns = [
        Column(header("rater_unit", "评价单位"), 14),
        Column(header("rater", "评价人"), 14),
        Column(header("target", "被评对象"), 14),
        Column(_("Rater's name"), 24),
        Column(_("Target's name"), 24),
    ]
    return SheetData(header("assignments", "测评关系"), "", columns, rows())


def export_assignments(quarter: Quarter, output: str | IO[bytes]) -> None:
    write_workbook([assignments_sheet(quarter)], output, title=None)


def assignments_filename(quarter: Quarter) -> str:
    return f"assignments-{quarter.key}.xlsx"
