"""Workbooks handed on as Excel files: a quarter's results, a year's results, an empty quarter workbook.

Each exporter yields `SheetData` (columns and rows); one helper, `write_workbook`,
writes them with openpyxl in write-only (streaming) mode. Scores come from the
results dict of `evaluation.services.results` (the frozen snapshot once
published) and are never recomputed here; the ballot listing and the matrices
are read from the counted ballots. Every text cell is written so that Excel
shows it as text and never runs it as a formula.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import IO, Any

import numpy as np
import pandas as pd
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from departments.models import Unit, UnitKind
from evaluation.models import Adjustment, Ballot, BallotComment, BallotValue, Criterion, Quarter, QuarterStatus, Source

SCORE_FORMAT = "0.00"
COUNT_FORMAT = "0"
# Text starting with one of these could be taken for a formula when typed into Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TITLE_ROWS = 2  # a title line and an "exported at" line above the header row


@dataclass(frozen=True)
class Column:
    """A column of an exported sheet: its header, width and the number format of numbers in it."""

    header: str
    width: float = 12
    number_format: str | None = None


@dataclass
class SheetData:
    """One sheet as an exporter yields it. `rows` may be a generator: it is consumed while writing."""

    name: str
    caption: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def score(value: Any) -> Column:
    """Shorthand for a two-decimal score column."""
    return Column(str(value), 11, SCORE_FORMAT)


def count(value: Any) -> Column:
    return Column(str(value), 10, COUNT_FORMAT)


# --- writing -----------------------------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


class _Writer:
    """Writes SheetData to a write-only workbook, reusing one styled cell per column and kind."""

    def __init__(self, *, title: str | None) -> None:
        self.workbook = Workbook(write_only=True)
        self.title = title
        self.exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.names: set[str] = set()
        self.bold = Font(bold=True)
        self.fill = PatternFill("solid", fgColor="DDEBF7")
        self.border = Border(bottom=Side(style="thin"))

    def sheet(self, data: SheetData) -> None:
        worksheet = self.workbook.create_sheet(self._unique_name(data.name))
        for index, column in enumerate(data.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        header_row = TITLE_ROWS + 1 if self.title is not None else 1
        # Set before the first row: write-only sheets write their view and columns with it.
        worksheet.freeze_panes = f"A{header_row + 1}"
        if self.title is not None:
            self._title_rows(worksheet, data.caption)
        worksheet.append([self._header_cell(worksheet, column.header) for column in data.columns])
        written = self._rows(worksheet, data)
        last = get_column_letter(max(len(data.columns), 1))
        worksheet.auto_filter.ref = f"A{header_row}:{last}{header_row + written}"

    def _title_rows(self, worksheet: Any, caption: str) -> None:
        heading = WriteOnlyCell(worksheet, value=safe_text(f"{self.title} · {caption}"))
        heading.font = Font(bold=True, size=14)
        worksheet.append([heading])
        worksheet.append([safe_text(_("Exported %(time)s") % {"time": self.exported})])

    def _header_cell(self, worksheet: Any, header: str) -> WriteOnlyCell:
        cell = self._text_cell(worksheet, header) if is_formula_like(header) else WriteOnlyCell(worksheet, header)
        cell.font = self.bold
        cell.fill = self.fill
        cell.border = self.border
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def _text_cell(self, worksheet: Any, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(worksheet)
        _set_text(cell, text)
        return cell

    def _rows(self, worksheet: Any, data: SheetData) -> int:
        numbers = []
        for column in data.columns:
            cell = WriteOnlyCell(worksheet)
            cell.number_format = column.number_format or "General"
            numbers.append(cell if column.number_format else None)
        quoted = [self._text_cell(worksheet, "") for _column in data.columns]
        written = 0
        for row in data.rows:
            worksheet.append([_place(value, numbers, quoted, index) for index, value in enumerate(row)])
            written += 1
        return written

    def _unique_name(self, name: str) -> str:
        base = _SHEET_NAME_FORBIDDEN.sub(" ", str(name)).strip()[:28] or "Sheet"
        candidate, number = base, 2
        while candidate.casefold() in self.names:
            candidate, number = f"{base} {number}", number + 1
        self.names.add(candidate.casefold())
        return candidate


def _set_text(cell: WriteOnlyCell, text: str) -> None:
    # A string cell (inline string, type "s") is never evaluated; quotePrefix keeps it text when edited too.
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = True


def _place(value: Any, numbers: list, quoted: list, index: int) -> Any:
    value = cell_value(value)
    if isinstance(value, str):
        if is_formula_like(value) and index < len(quoted):
            _set_text(quoted[index], value)
            return quoted[index]
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and index < len(numbers) and numbers[index]:
        numbers[index].value = value
        return numbers[index]
    return value


def safe_text(text: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def cell_value(value: Any) -> Any:
    """What a Python value becomes in a cell: numbers as numbers, None as an empty cell, the rest as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal | Fraction):
        return float(value)
    return safe_text(str(value))


def write_workbook(sheets: Iterable[SheetData], output: str | IO[bytes], *, title: str | None) -> None:
    """Write `sheets` to `output` (a path or a binary file).

    With a `title`, each sheet starts with a title row and the export time above its
    bold, frozen, filtered header row; without one (importable workbooks) the header
    is the first row.
    """
    writer = _Writer(title=title)
    for data in sheets:
        writer.sheet(data)
    writer.workbook.save(output)


# --- shared helpers ----------------------------------------------------------------------------------------------


def round_score(value: Fraction | Decimal | float | None) -> float | None:
    """SCORING.md rule 5: half up to two decimals."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def group_label(group: str) -> str:
    return str(UnitKind(group).label) if group in UnitKind.values else group


def source_label(source: str) -> str:
    return str(Source(source).label) if source in Source.values else source


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def quarter_results(quarter: Quarter) -> dict:
    from evaluation.services.results import quarter_results as results_for

    return results_for(quarter)


def _active_sources(results: dict) -> list[str]:
    weights = results.get("weights") or {}
    return [source for source in Source.values if (weights.get(source) or 0) > 0]


def _grouped(departments: list[dict]) -> list[dict]:
    """Departments grouped by ranking group (in order of first appearance), ranking order kept within a group."""
    first_seen: dict[str, int] = {}
    for entry in departments:
        first_seen.setdefault(entry.get("group") or "", len(first_seen))
    return sorted(departments, key=lambda entry: first_seen[entry.get("group") or ""])


# --- the counted ballots, for the listing and the matrices ---------------------------------------------------------


@dataclass
class CountedBallots:
    """A quarter's counted (not voided) ballots, held compactly: one int per value.

    Ballots are numbered by source, rating unit and then their values, so neither the
    storage order nor the order of submission shows through, and no rater is named.
    """

    criteria: list[Criterion]
    departments: list[Unit]
    units: dict[int, Unit]
    sources: list[str]
    rater_units: list[int | None]
    frame: pd.DataFrame  # columns ballot (index into sources), department, criterion, centi
    grid: np.ndarray  # ballots × (department position × criterion position), -1 = abstention
    order: np.ndarray  # ballot indices in listing order
    comments: list[tuple[int, int, str]]  # ballot index, department id, text

    def unit_code(self, ballot: int) -> str | None:
        if self.sources[ballot] == Source.LEADERSHIP:
            return None
        unit = self.units.get(self.rater_units[ballot] or 0)
        return unit.code if unit else None

    def rows(self) -> Iterator[list]:
        """One row per ballot: its number, source and rating unit, then every (department, criterion) value."""
        for number, ballot in enumerate(self.order, start=1):
            head = [number, source_label(self.sources[ballot]), self.unit_code(ballot)]
            yield [*head, *(_points(int(value)) for value in self.grid[ballot])]

    def comment_rows(self) -> Iterator[list]:
        numbers = {int(ballot): number for number, ballot in enumerate(self.order, start=1)}
        position = {department.pk: index for index, department in enumerate(self.departments)}
        ordered = sorted(self.comments, key=lambda item: (position.get(item[1], len(position)), numbers[item[0]]))
        for ballot, department_id, text in ordered:
            department = self.units[department_id]
            yield [
                department.code,
                department.name,
                source_label(self.sources[ballot]),
                self.unit_code(ballot),
                numbers[ballot],
                text,
            ]

    def unit_means(self, source: str) -> dict[tuple[int, int], Fraction]:
        """(rating unit id, department id) -> the weighted mean of that unit's criterion means."""
        weights = {criterion.pk: Fraction(criterion.weight) for criterion in self.criteria}
        chosen = np.array([s == source for s in self.sources], dtype=bool)
        frame = self.frame[chosen[self.frame["ballot"].to_numpy()]] if len(self.frame) else self.frame
        if frame.empty:
            return {}
        units = np.array([u if u is not None else -1 for u in self.rater_units], dtype=np.int64)
        frame = frame.assign(unit=units[frame["ballot"].to_numpy()])
        sums = frame.groupby(["unit", "department", "criterion"])["centi"].agg(["sum", "count"])
        totals: dict[tuple[int, int], list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
        for (unit, department, criterion), total, n in sums.itertuples(name=None):
            weight = weights.get(int(criterion), Fraction(0))
            entry = totals[(int(unit), int(department))]
            entry[0] += weight * Fraction(int(total), 100 * int(n))
            entry[1] += weight
        return {key: num / den for key, (num, den) in totals.items() if den}

    def rating_units(self, source: str) -> list[Unit]:
        """The units that rate with `source`: the active ones and any that left ballots."""
        seen = {u for s, u in zip(self.sources, self.rater_units, strict=True) if s == source and u is not None}
        base = Unit.objects.grassroots() if source == Source.GRASSROOTS else Unit.objects.evaluated()
        wanted = set(base.values_list("pk", flat=True)) | seen
        return sorted((self.units[pk] for pk in wanted), key=lambda unit: (unit.order, unit.code))


def _points(centi: int) -> int | float | None:
    if centi < 0:
        return None
    return centi // 100 if centi % 100 == 0 else centi / 100


def load_counted_ballots(quarter: Quarter) -> CountedBallots:
    """Read the counted ballots of `quarter`: a fixed number of queries, values streamed into arrays."""
    criteria = list(quarter.criteria.order_by("order", "code"))
    units = {unit.pk: unit for unit in Unit.objects.all()}
    heads = list(
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=True).values_list("pk", "source", "rater_unit")
    )
    index = {pk: position for position, (pk, _source, _unit) in enumerate(heads)}
    frame = _value_frame(quarter, index)
    departments = _rated_departments(units, set(frame["department"].unique().tolist()))
    grid = _grid(frame, len(heads), departments, criteria)
    sources = [source for _pk, source, _unit in heads]
    rater_units = [unit for _pk, _source, unit in heads]
    comments = [
        (index[ballot], department, text)
        for ballot, department, text in BallotComment.objects.filter(
            ballot__quarter=quarter, ballot__voided_at__isnull=True
        ).values_list("ballot", "department", "text")
    ]
    return CountedBallots(
        criteria=criteria,
        departments=departments,
        units=units,
        sources=sources,
        rater_units=rater_units,
        frame=frame,
        grid=grid,
        order=_listing_order(grid, sources, rater_units, units),
        comments=comments,
    )


def _value_frame(quarter: Quarter, index: dict) -> pd.DataFrame:
    ballots, departments, criteria, values = array("i"), array("q"), array("q"), array("i")
    rows = BallotValue.objects.filter(ballot__quarter=quarter, ballot__voided_at__isnull=True).values_list(
        "ballot", "department", "criterion", "value_centi"
    )
    for ballot, department, criterion, centi in rows.iterator(chunk_size=20000):
        ballots.append(index[ballot])
        departments.append(department)
        criteria.append(criterion)
        values.append(centi)
    return pd.DataFrame(
        {
            "ballot": np.array(ballots, dtype=np.int64),
            "department": np.array(departments, dtype=np.int64),
            "criterion": np.array(criteria, dtype=np.int64),
            "centi": np.array(values, dtype=np.int64),
        }
    )


def _rated_departments(units: dict[int, Unit], rated: set[int]) -> list[Unit]:
    wanted = set(Unit.objects.evaluated().values_list("pk", flat=True)) | rated
    return sorted((units[pk] for pk in wanted), key=lambda unit: (unit.order, unit.code))


def _grid(frame: pd.DataFrame, ballots: int, departments: list[Unit], criteria: list[Criterion]) -> np.ndarray:
    width = len(criteria)
    grid = np.full((ballots, len(departments) * width), -1, dtype=np.int32)
    if frame.empty or not width:
        return grid
    department_position = {unit.pk: position for position, unit in enumerate(departments)}
    criterion_position = {criterion.pk: position for position, criterion in enumerate(criteria)}
    columns = (
        frame["department"].map(department_position).to_numpy() * width
        + frame["criterion"].map(criterion_position).to_numpy()
    )
    grid[frame["ballot"].to_numpy(), columns] = frame["centi"].to_numpy()
    return grid


def _listing_order(grid: np.ndarray, sources: list[str], rater_units: list, units: dict[int, Unit]) -> np.ndarray:
    source_rank = np.array([Source.values.index(source) for source in sources], dtype=np.int64)
    codes = sorted({units[u].code for u in rater_units if u is not None})
    code_rank = {code: rank for rank, code in enumerate(codes)}
    unit_rank = np.array(
        [
            code_rank[units[u].code] if u is not None and s != Source.LEADERSHIP else -1
            for s, u in zip(sources, rater_units, strict=True)
        ],
        dtype=np.int64,
    )
    keys = [grid[:, column] for column in reversed(range(grid.shape[1]))] + [unit_rank, source_rank]
    return np.lexsort(keys) if len(sources) else np.array([], dtype=np.int64)


# --- the results workbook of a quarter ---------------------------------------------------------------------------


def ranking_sheet(results: dict) -> SheetData:
    """The first sheet: INTERCHANGE.md's ranking columns, in that order."""
    columns = [
        Column(_("Group"), 14),
        count(_("Rank")),
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Final score")),
        score(_("Grassroots score")),
        score(_("Peer score")),
        score(_("Leadership score")),
        score(_("Adjustment")),
        count(_("Rank change")),
    ]

    def rows() -> Iterator[list]:
        for entry in _grouped(list(results.get("departments") or [])):
            sources = entry.get("sources") or {}
            yield [
                group_label(entry.get("group") or ""),
                entry.get("rank"),
                entry.get("code"),
                entry.get("name"),
                entry.get("score"),
                sources.get(Source.GRASSROOTS),
                sources.get(Source.PEER),
                sources.get(Source.LEADERSHIP),
                entry.get("adjustment"),
                entry.get("rank_change"),
            ]

    return SheetData(_("Ranking"), _("Ranking"), columns, rows())


def settings_sheet(quarter: Quarter, results: dict) -> SheetData:
    """The settings the results were computed with (the snapshot's, once published)."""
    weights = results.get("weights") or {}
    used = results.get("settings") or {}
    minimum = used.get("min_ballots") or {}
    trim = used.get("trim", quarter.trim)
    rows = [
        ("quarter", quarter.code, _("Quarter")),
        ("status", quarter.get_status_display(), _("Status when exported")),
        ("scale", used.get("scale", quarter.scale), _("Scale: levels or points")),
        *(
            (f"weight_{source}", weights.get(source, quarter.weight(source)), _("Weight of %(source)s (%%)"))
            for source in Source.values
        ),
        ("trim", yes_no(trim), _("Drop the highest and the lowest value of a cell")),
        ("trim_min_n", used.get("trim_min_n", quarter.trim_min_n), _("Drop them from this many values on")),
        *(
            (
                f"min_ballots_{source}",
                minimum.get(source, quarter.min_ballots(source)),
                _("Fewest ballots of %(source)s for a score"),
            )
            for source in Source.values
        ),
        (
            "anonymity_k",
            used.get("anonymity_k", quarter.anonymity_k),
            _("Fewest ballots for a department to see a breakdown"),
        ),
    ]
    labels = {source: source_label(source) for source in Source.values}
    filled = [
        (key, value, str(meaning) % {"source": labels[key.split("_", 2)[-1]]} if "%(source)s" in meaning else meaning)
        for key, value, meaning in rows
    ]
    columns = [Column(_("Setting"), 24), Column(_("Value"), 14), Column(_("Meaning"), 50)]
    return SheetData(_("Settings"), _("Settings used"), columns, filled)


def levels_sheet(quarter: Quarter, results: dict) -> SheetData:
    settings = results.get("settings") or {}
    if "levels" in settings:
        rows = [(level["label"], level["points"]) for level in settings["levels"]]
    else:
        rows = [(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]
    return SheetData(_("Levels"), _("Levels"), [Column(_("Label"), 14), Column(_("Points"), 10)], rows)


def criteria_sheet(quarter: Quarter, results: dict) -> SheetData:
    settings = results.get("settings") or {}
    if "criteria" in settings:
        rows = [(c["code"], c["name"], c["weight"]) for c in settings["criteria"]]
    else:
        rows = [(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]
    columns = [Column(_("Code"), 16), Column(_("Name"), 20), Column(_("Weight"), 10)]
    return SheetData(_("Criteria"), _("Criteria"), columns, rows)


def cells_sheet(quarter: Quarter, results: dict) -> SheetData:
    """Cell means per source and criterion, and each source's score, per department."""
    criteria = list(quarter.criteria.order_by("order", "code"))
    sources = _active_sources(results)
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    for source in sources:
        columns += [score(f"{source_label(source)}: {criterion.name}") for criterion in criteria]
        columns.append(score(_("%(source)s score") % {"source": source_label(source)}))

    def rows() -> Iterator[list]:
        for entry in _grouped(list(results.get("departments") or [])):
            cells, scores = entry.get("cells") or {}, entry.get("sources") or {}
            row = [entry.get("code"), entry.get("name")]
            for source in sources:
                row += [(cells.get(source) or {}).get(criterion.code) for criterion in criteria]
                row.append(scores.get(source))
            yield row

    return SheetData(_("Cell means"), _("Cell means per source and criterion"), columns, rows())


def counts_sheet(results: dict) -> SheetData:
    sources = _active_sources(results)
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    columns += [count(_("%(source)s ballots") % {"source": source_label(source)}) for source in sources]
    rows = (
        [entry.get("code"), entry.get("name"), *((entry.get("ballots") or {}).get(source, 0) for source in sources)]
        for entry in _grouped(list(results.get("departments") or []))
    )
    return SheetData(_("Ballot counts"), _("Ballots that rated each department"), columns, rows)


def participation_sheet(quarter: Quarter) -> SheetData:
    """Counted ballots per rating unit, beside the codes issued and used (no link between them)."""
    from evaluation.selectors.participation import grassroots_rows, leadership_rows, peer_rows

    columns = [
        Column(_("Source"), 14),
        Column(_("Unit code"), 12),
        Column(_("Unit name"), 22),
        count(_("Counted ballots")),
        count(_("Codes issued")),
        count(_("Codes used")),
        count(_("Accounts that voted")),
        count(_("Expected")),
    ]
    rows: list[list] = []
    for row in grassroots_rows(quarter):
        rows.append(
            [
                source_label(Source.GRASSROOTS),
                row["unit"],
                row["name"],
                row["ballots"],
                row["codes_issued"],
                row["codes_used"],
                row["account_votes"],
                row["expected"],
            ]
        )
    for row in peer_rows(quarter):
        rows.append([source_label(Source.PEER), row["unit"], row["name"], int(row["voted"]), None, None, None, 1])
    leaders = leadership_rows(quarter)
    rows.append(
        [
            source_label(Source.LEADERSHIP),
            None,
            _("Group leaders"),
            sum(1 for row in leaders if row["voted"]),
            None,
            None,
            None,
            len(leaders),
        ]
    )
    return SheetData(_("Participation"), _("Participation"), columns, rows)


def matrix_sheet(
    ballots: CountedBallots, *, source: str, rows_units: Sequence[Unit], name: str, caption: str
) -> SheetData:
    """Rating units × rated departments: the mean score one unit's ballots gave a department.

    The mean is SCORING.md rule 2 over that unit's ballots alone (criterion means weighted
    by the criterion weights, abstentions left out, no trimming).
    """
    departments = ballots.departments
    means = ballots.unit_means(source)
    columns = [Column(_("Unit code"), 12), Column(_("Unit name"), 22)]
    columns += [score(department.name) for department in departments]
    rows = (
        [unit.code, unit.name, *(round_score(means.get((unit.pk, department.pk))) for department in departments)]
        for unit in rows_units
    )
    return SheetData(name, caption, columns, rows)


def ballots_sheet(ballots: CountedBallots) -> SheetData:
    """Every counted ballot, numbered 1..n in an order that reveals nothing about who or when.

    One row per ballot and one column per department and criterion, so that each column's
    mean (after trimming, if the quarter trims) is that cell's mean on the ranking.
    """
    columns = [count(_("Ballot")), Column(_("Source"), 12), Column(_("Rating unit"), 12)]
    columns += [
        Column(f"{department.code} {department.name} · {criterion.name}", 12)
        for department in ballots.departments
        for criterion in ballots.criteria
    ]
    return SheetData(_("Ballots"), _("Every counted ballot"), columns, ballots.rows())


def comments_sheet(ballots: CountedBallots) -> SheetData:
    columns = [
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        Column(_("Source"), 12),
        Column(_("Rating unit"), 12),
        count(_("Ballot")),
        Column(_("Comment"), 60),
    ]
    return SheetData(_("Comments"), _("Comments"), columns, ballots.comment_rows())


def adjustments_sheet(quarter: Quarter, results: dict) -> SheetData:
    """Adjustments with their reasons: the results' own (the snapshot's, once published)."""
    departments = list(results.get("departments") or [])
    if departments and all("adjustments" in entry for entry in departments):
        rows: Iterable[Sequence[Any]] = [
            (entry["code"], entry["name"], item["points"], item["reason"])
            for entry in departments
            for item in entry["adjustments"]
        ]
    else:
        rows = [
            (item.department.code, item.department.name, item.points, item.reason)
            for item in Adjustment.objects.filter(quarter=quarter).select_related("department")
        ]
    columns = [
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Points")),
        Column(_("Reason"), 60),
    ]
    return SheetData(_("Adjustments"), _("Adjustments and their reasons"), columns, rows)


def problems_sheet(quarter: Quarter) -> SheetData:
    from evaluation.selectors.problems import department_problem_figures

    figures = department_problem_figures(quarter=quarter)
    units = Unit.objects.in_bulk(list(figures))
    columns = [
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        count(_("Raised")),
        count(pgettext("problem status", "Answered")),
        count(pgettext("problem status", "Open")),
        count(_("Overdue")),
        Column(_("Median days to answer"), 12, "0.0"),
    ]
    ordered = sorted(units.values(), key=lambda unit: (unit.order, unit.code))
    rows = (
        [
            unit.code,
            unit.name,
            *(figures[unit.pk].get(key) for key in ("raised", "answered", "open", "overdue")),
            figures[unit.pk].get("median_days_to_answer"),
        ]
        for unit in ordered
    )
    return SheetData(_("Problems"), _("Problems raised and answered"), columns, rows)


def quarter_sheets(quarter: Quarter, results: dict) -> Iterator[SheetData]:
    """Every sheet of a quarter's results workbook, the ranking first."""
    ballots = load_counted_ballots(quarter)
    yield ranking_sheet(results)
    yield settings_sheet(quarter, results)
    yield levels_sheet(quarter, results)
    yield criteria_sheet(quarter, results)
    yield cells_sheet(quarter, results)
    yield counts_sheet(results)
    yield participation_sheet(quarter)
    if quarter.weight_grassroots > 0:
        yield matrix_sheet(
            ballots,
            source=Source.GRASSROOTS,
            rows_units=ballots.rating_units(Source.GRASSROOTS),
            name=_("Grassroots matrix"),
            caption=_("Mean score per grassroots unit and department"),
        )
    if quarter.weight_peer > 0:
        yield matrix_sheet(
            ballots,
            source=Source.PEER,
            rows_units=ballots.rating_units(Source.PEER),
            name=_("Peer matrix"),
            caption=_("Mean score per rating department (rows) and rated department (columns)"),
        )
    yield ballots_sheet(ballots)
    yield comments_sheet(ballots)
    yield adjustments_sheet(quarter, results)
    yield problems_sheet(quarter)


def quarter_title(quarter: Quarter) -> str:
    return _("Work-style evaluation %(quarter)s") % {"quarter": quarter.code}


def export_quarter(quarter: Quarter, output: str | IO[bytes]) -> None:
    """Write the results workbook of `quarter` (INTERCHANGE.md, "Results workbook") to `output`.

    Run it under `translation.override` for the headers' language.
    """
    results = quarter_results(quarter)
    write_workbook(quarter_sheets(quarter, results), output, title=quarter_title(quarter))


def quarter_filename(quarter: Quarter) -> str:
    return f"results-{quarter.code}.xlsx"


# --- the annual workbook -----------------------------------------------------------------------------------------


def year_quarters(year: int) -> list[Quarter]:
    return list(Quarter.objects.filter(code__startswith=f"{year}Q", status=QuarterStatus.PUBLISHED).order_by("code"))


def annual_sheet(year: int, annual: dict, quarters: Sequence[Quarter]) -> SheetData:
    """Departments × the year's published quarters (final score and rank), then the annual score and rank."""
    per_quarter = {
        quarter.code: {entry["code"]: entry for entry in quarter_results(quarter).get("departments") or []}
        for quarter in quarters
    }
    columns = [
        Column(_("Group"), 14),
        count(_("Annual rank")),
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Annual score")),
        count(_("Quarters counted")),
    ]
    for quarter in quarters:
        columns += [
            score(_("%(quarter)s score") % {"quarter": quarter.code}),
            count(_("%(quarter)s rank") % {"quarter": quarter.code}),
        ]

    def rows() -> Iterator[list]:
        for entry in _grouped(list(annual.get("departments") or [])):
            row = [
                group_label(entry.get("group") or ""),
                entry.get("rank"),
                entry.get("code"),
                entry.get("name"),
                entry.get("score"),
                entry.get("quarters"),
            ]
            for quarter in quarters:
                found = per_quarter[quarter.code].get(entry.get("code")) or {}
                row += [found.get("score"), found.get("rank")]
            yield row

    return SheetData(str(year), _("Annual ranking"), columns, rows())


def export_annual(year: int, output: str | IO[bytes]) -> None:
    """Write the annual workbook of `year` (SCORING.md rule 8) to `output`."""
    from evaluation.services.results import annual_results

    quarters = year_quarters(year)
    title = _("Work-style evaluation %(year)s, annual results") % {"year": year}
    write_workbook([annual_sheet(year, annual_results(year), quarters)], output, title=title)


# --- the quarter workbook template ---------------------------------------------------------------------------------


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _header(english: str, chinese: str) -> str:
    """Importable headers: the contract's English name, or its Chinese alias when Chinese is active."""
    return chinese if _chinese() else english


def current_quarter_code() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def template_sheets(quarter: Quarter | None) -> Iterator[SheetData]:
    """The sheets of an empty quarter workbook that `import_quarter` accepts once filled in."""
    from evaluation.criteria_templates import DEFAULT_LEVELS, WORK_STYLE

    if quarter is not None:
        criteria = [(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]
        levels = [(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]
        code, scale, trim = quarter.code, quarter.scale, quarter.trim
        numbers = {key: getattr(quarter, key) for key in _TEMPLATE_NUMBERS}
    else:
        criteria = [(spec.code, spec.name, spec.weight) for spec in WORK_STYLE.criteria]
        levels = [(spec.label, spec.points) for spec in DEFAULT_LEVELS]
        code, scale, trim = current_quarter_code(), "levels", False
        numbers = {key: Quarter._meta.get_field(key).default for key in _TEMPLATE_NUMBERS}
    settings_rows = [("quarter", code), ("scale", scale), *numbers.items(), ("trim", "yes" if trim else "no")]
    yield SheetData(
        _header("settings", "设置"),
        "",
        [Column(_header("key", "项目"), 24), Column(_header("value", "值"), 14)],
        settings_rows,
    )
    yield SheetData(
        _header("levels", "等级"),
        "",
        [Column(_header("label", "等级"), 14), Column(_header("points", "分值"), 10)],
        levels,
    )
    yield SheetData(
        _header("criteria", "指标"),
        "",
        [
            Column(_header("code", "编码"), 16),
            Column(_header("name", "名称"), 20),
            Column(_header("weight", "权重"), 10),
        ],
        criteria,
    )
    yield _template_ballots([code for code, _name, _weight in criteria])
    yield SheetData(
        _header("adjustments", "加减分"),
        "",
        [
            Column(_header("department", "部门"), 12),
            Column(_header("points", "分值"), 10),
            Column(_header("reason", "原因"), 50),
        ],
        [],
    )
    yield _template_units()


_TEMPLATE_NUMBERS = (
    "weight_grassroots",
    "weight_peer",
    "weight_leadership",
    "trim_min_n",
    "min_ballots_grassroots",
    "min_ballots_peer",
    "min_ballots_leadership",
)


def _template_ballots(criterion_codes: list[str]) -> SheetData:
    columns = [
        Column(_header("ballot", "票号"), 10),
        Column(_header("source", "来源"), 12),
        Column(_header("rater_unit", "评价单位"), 12),
        Column(_header("rater", "评价人"), 12),
        Column(_header("target", "被评部门"), 12),
        Column(_("Department name"), 22),  # for people only; the import ignores it
        *(Column(code, 12) for code in criterion_codes),
        Column(_header("comment", "意见建议"), 40),
    ]
    rows = (
        [None, None, None, None, unit.code, unit.name] for unit in Unit.objects.evaluated().order_by("order", "code")
    )
    return SheetData(_header("ballots", "评分"), "", columns, rows)


def _template_units() -> SheetData:
    """A reference sheet (not read by the import): the codes and accounts a ballot may name."""
    from departments.models import User
    from departments.roles import Role

    units = [(unit.code, unit.name, unit.get_kind_display()) for unit in Unit.objects.filter(active=True)]
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct().order_by("username")
    rows = [*units, *((user.username, str(user), str(Role.LEADER.label)) for user in leaders)]
    columns = [Column(_("Code or account"), 16), Column(_("Name"), 22), Column(_("Kind"), 22)]
    return SheetData(_("Codes"), "", columns, rows)


def export_quarter_template(output: str | IO[bytes], *, quarter: Quarter | None = None) -> None:
    """Write an empty quarter workbook: settings, levels and criteria of `quarter` (or the defaults),
    a ballots sheet listing today's evaluated departments, and the codes a ballot may name."""
    write_workbook(template_sheets(quarter), output, title=None)
