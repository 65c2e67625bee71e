"""Deterministic workbooks at Benxi scale: an organisation workbook and a quarter workbook.

45 evaluated departments, 60 grassroots units, 12 leaders; 3,000 grassroots ballots
(50 per unit), one peer ballot per department and one ballot per leader, on the
levels scale with some 不了解 and a few comments (some of them formula-like).
Same seed, same files. Usage: python bench/workbook_gen.py OUTPUT_DIR
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

DEPARTMENTS = 45
UNITS = 60
LEADERS = 12
GRASSROOTS_BALLOTS = 3000
CRITERIA = ("efficiency", "quality", "service")
LEVELS = (("优秀", 100), ("良好", 80), ("一般", 60), ("较差", 40))
KINDS = ("functional",) * 30 + ("business",) * 10 + ("affiliated",) * 5
COMMENTS = ("服务到位", "办事拖拉，需改进", "+SUM(A1)", "@cmd", "-2", "希望加强现场指导")


def department_codes() -> list[str]:
    return [f"D{n:02d}" for n in range(1, DEPARTMENTS + 1)]


def unit_codes() -> list[str]:
    return [f"G{n:02d}" for n in range(1, UNITS + 1)]


def leader_names() -> list[str]:
    return [f"leader{n:02d}" for n in range(1, LEADERS + 1)]


def write_org_workbook(path: Path) -> Path:
    workbook = Workbook(write_only=True)
    units = workbook.create_sheet("departments")
    units.append(["code", "name", "kind", "ranking_group", "order", "active"])
    for order, (code, kind) in enumerate(zip(department_codes(), KINDS, strict=True), start=1):
        units.append([code, f"部门{code}", kind, None, order, "yes"])
    for order, code in enumerate(unit_codes(), start=100):
        units.append([code, f"基层单位{code}", "grassroots", None, order, "yes"])
    people = workbook.create_sheet("people")
    people.append(["username", "full_name", "department", "role", "email"])
    for name in leader_names():
        people.append([name, f"领导{name[-2:]}", None, "leader", None])
    workbook.save(path)
    return path


def _value(rng: random.Random, bias: float) -> str:
    if rng.random() < 0.05:
        return "不了解"
    roll = rng.random() + bias
    index = 0 if roll > 1.0 else 1 if roll > 0.55 else 2 if roll > 0.2 else 3
    return LEVELS[index][0]


def _ballot_rows(rng: random.Random, biases: dict[str, float]) -> Iterator[list]:
    per_unit = GRASSROOTS_BALLOTS // UNITS
    number = 0
    for unit in unit_codes():
        for _n in range(per_unit):
            number += 1
            for target in department_codes():
                comment = rng.choice(COMMENTS) if rng.random() < 0.01 else None
                values = [_value(rng, biases[target]) for _c in CRITERIA]
                yield [f"g{number}", "grassroots", unit, None, target, *values, comment]
    for rater in department_codes():
        for target in department_codes():
            if target != rater:
                values = [_value(rng, biases[target]) for _c in CRITERIA]
                yield [f"p-{rater}", "peer", rater, None, target, *values, None]
    for leader in leader_names():
        for target in department_codes():
            values = [_value(rng, biases[target]) for _c in CRITERIA]
            yield [f"l-{leader}", "leadership", None, leader, target, *values, None]


def write_quarter_workbook(path: Path, *, code: str = "2026Q3", seed: int = 2026) -> int:
    """Write the quarter workbook; returns the number of ballot rows."""
    rng = random.Random(seed)
    biases = {target: rng.uniform(-0.15, 0.25) for target in department_codes()}
    # Not write-only: like a file saved by Excel, text goes to the shared-strings table and
    # each sheet states its dimension, which is what importers meet in practice.
    workbook = Workbook()
    workbook.remove(workbook.active)
    settings = workbook.create_sheet("settings")
    for row in (["key", "value"], ["quarter", code], ["scale", "levels"], ["trim", "yes"]):
        settings.append(row)
    levels = workbook.create_sheet("levels")
    levels.append(["label", "points"])
    for label, points in LEVELS:
        levels.append([label, points])
    ballots = workbook.create_sheet("ballots")
    ballots.append(["ballot", "source", "rater_unit", "rater", "target", *CRITERIA, "comment"])
    rows = 0
    for row in _ballot_rows(rng, biases):
        ballots.append(row)
        rows += 1
    adjustments = workbook.create_sheet("adjustments")
    adjustments.append(["department", "points", "reason"])
    adjustments.append(["D03", -1.5, "季度内一项基层反映问题未按期答复"])
    adjustments.append(["D07", 2, "获集团表彰"])
    workbook.save(path)
    return rows


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    write_org_workbook(out / "org-benxi.xlsx")
    print(write_quarter_workbook(out / "quarter-benxi.xlsx"), "ballot rows")
