"""The results workbook of a quarter (docs/workbooks.md, "Results workbook").

Scores, settings, names and participation come from the quarter's results (`evaluation.selectors.results`: the
frozen snapshot once published) and are never recomputed here; the ballot listing, the comments and the matrices
are read from the counted ballots (`CountedBallots`), naming units as the snapshot froze them.

Only the evaluation group and admins download it (`evaluation.views.excel`), so it holds every source's numbers:
the k-rule is for non-evaluators' pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from evaluation.exports.common import yes_no
from evaluation.exports.printing import quarter_heading
from evaluation.exports.writer import Column, SheetData, count, rank_change, score, write_workbook
from evaluation.labels import group_label
from evaluation.models import Quarter, Source
from evaluation.results_model import ParticipationRow, QuarterResults, UnitName
from evaluation.scoring import round_half_up
from evaluation.selectors.counted_ballots import CountedBallots, load_counted_ballots
from evaluation.selectors.objections import quarter_objections
from evaluation.selectors.problems import department_problem_figures
from evaluation.selectors.results import participation_rows, quarter_results

# The ranking sheet's source headers (docs/workbooks.md) where the programme keeps the product's source names.
SOURCE_SCORE_HEADERS = {
    Source.GRASSROOTS: gettext_lazy("Grassroots score"),
    Source.PEER: gettext_lazy("Peer score"),
    Source.LEADERSHIP: gettext_lazy("Leadership score"),
}


def _source_named(quarter: Quarter, source: str, product: Any, pattern: Any) -> str:
    """`product` where the quarter's programme keeps the product's name of `source`; else `pattern` naming the
    programme's own (群众评议得分), so that work-style headers never change."""
    if not quarter.programme.source_label(source):
        return str(product)
    return str(pattern) % {"source": quarter.source_label(source)}


def ranking_sheet(quarter: Quarter, results: QuarterResults) -> SheetData:
    """The first sheet: docs/workbooks.md's ranking columns, in that order."""
    columns = [
        Column(_("Group"), 14),
        count(_("Rank")),
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Final score")),
        *(
            score(_source_named(quarter, source, SOURCE_SCORE_HEADERS[source], gettext_lazy("%(source)s score")))
            for source in Source.values
        ),
        score(_("Adjustment")),
        rank_change(_("Rank change")),
    ]
    # docs/workbooks.md: when the quarter has grades, grade and last place (its streak, blank if not last) follow.
    graded = bool(results.settings.grades)
    if graded:
        columns += [Column(_("Grade"), 10), count(_("Last place (quarters running)"))]

    def rows() -> Iterator[list[Any]]:
        for row in results.grouped():
            extra = [row.grade, row.last_place_streak if row.last_place else None] if graded else []
            yield [
                group_label(row.group),
                row.rank,
                row.code,
                row.name,
                row.score,
                row.sources[Source.GRASSROOTS].score,
                row.sources[Source.PEER].score,
                row.sources[Source.LEADERSHIP].score,
                row.adjustment,
                row.rank_change,
                *extra,
            ]

    caption = _("Ranking (rank change: ↑ moved up, ↓ moved down, 0 unchanged, empty: no earlier rank)")
    return SheetData(_("Ranking"), caption, columns, rows())


def settings_sheet(quarter: Quarter, results: QuarterResults) -> SheetData:
    """The settings the results were computed with (the snapshot's, once published)."""
    used = results.settings
    rows = [
        ("quarter", results.quarter, _("Quarter")),
        ("status", quarter.get_status_display(), _("Status when exported")),
        ("scale", used.scale, _("Scale: levels or points")),
        *((f"weight_{source}", used.weights[source], _("Weight of %(source)s (%%)")) for source in Source.values),
        ("trim", yes_no(used.trim), _("Drop the highest and the lowest value of a cell")),
        ("trim_min_n", used.trim_min_n, _("Drop them from this many values on")),
        *(
            (f"min_ballots_{source}", used.min_ballots[source], _("Fewest ballots of %(source)s for a score"))
            for source in Source.values
        ),
        ("anonymity_k", used.anonymity_k, _("Fewest ballots for a department to see a breakdown")),
        ("top_level_cap", used.top_level_cap, _("Top-level cap: share of a ballot's departments per criterion (%)")),
    ]
    labels = quarter.source_labels
    filled = [
        (key, value, str(meaning) % {"source": labels[key.split("_", 2)[-1]]} if "%(source)s" in meaning else meaning)
        for key, value, meaning in rows
    ]
    columns = [Column(_("Setting"), 24), Column(_("Value"), 14), Column(_("Meaning"), 50)]
    return SheetData(_("Settings"), _("Settings used"), columns, filled)


def levels_sheet(results: QuarterResults) -> SheetData:
    rows = [(level.label, level.points) for level in results.settings.levels]
    return SheetData(_("Levels"), _("Levels"), [Column(_("Label"), 14), Column(_("Points"), 10)], rows)


def grades_sheet(results: QuarterResults) -> SheetData:
    """The quarter's grades, best first (docs/scoring.md rule 9): a quota or a minimum score each."""
    rows = [(g.label, g.quota, g.min_score) for g in results.settings.grades]
    columns = [Column(_("Label"), 14), count(_("Quota (%)")), score(_("Minimum score"))]
    return SheetData(_("Grades"), _("Grades"), columns, rows)


def criteria_sheet(results: QuarterResults) -> SheetData:
    rows = [(c.code, c.name, c.weight) for c in results.settings.criteria]
    columns = [Column(_("Code"), 16), Column(_("Name"), 20), Column(_("Weight"), 10)]
    return SheetData(_("Criteria"), _("Criteria"), columns, rows)


def cells_sheet(quarter: Quarter, results: QuarterResults) -> SheetData:
    """Cell means per source and criterion, and each source's score, per department."""
    criteria = results.settings.criteria
    sources = results.active_sources
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    for source in sources:
        label = quarter.source_label(source)
        columns += [score(f"{label}: {criterion.name}") for criterion in criteria]
        columns.append(score(_("%(source)s score") % {"source": label}))

    def rows() -> Iterator[list[Any]]:
        for department in results.grouped():
            row: list[Any] = [department.code, department.name]
            for source in sources:
                part = department.sources[source]
                row += [part.cell(criterion.code) for criterion in criteria]
                row.append(part.score)
            yield row

    return SheetData(_("Cell means"), _("Cell means per source and criterion"), columns, rows())


def counts_sheet(quarter: Quarter, results: QuarterResults) -> SheetData:
    sources = results.active_sources
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    columns += [count(_("%(source)s ballots") % {"source": quarter.source_label(source)}) for source in sources]
    rows = ([row.code, row.name, *(row.sources[source].ballots for source in sources)] for row in results.grouped())
    return SheetData(_("Ballot counts"), _("Ballots that rated each department"), columns, rows)


def participation_sheet(quarter: Quarter, participation: Sequence[ParticipationRow]) -> SheetData:
    """Counted ballots per rating unit, beside the codes issued and used (no link between them)."""
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
    rows = [
        [
            quarter.source_label(row.source),
            row.unit,
            _("Group leaders") if row.source == Source.LEADERSHIP else row.name,
            row.ballots,
            row.codes_issued,
            row.codes_used,
            row.account_votes,
            row.expected,
        ]
        for row in participation
    ]
    return SheetData(_("Participation"), _("Participation"), columns, rows)


def matrix_sheet(
    ballots: CountedBallots, *, source: str, rows_units: Sequence[UnitName], name: str, caption: str
) -> SheetData:
    """Rating units × rated departments: the mean score one unit's ballots gave a department.

    The mean is docs/scoring.md rule 2 over that unit's ballots alone (criterion means weighted
    by the criterion weights, abstentions left out, no trimming).
    """
    departments = ballots.departments
    means = ballots.unit_means(source)
    columns = [Column(_("Unit code"), 12), Column(_("Unit name"), 22)]
    columns += [score(department.name) for department in departments]
    rows = (
        [unit.code, unit.name, *(round_half_up(means.get((unit.pk, department.pk))) for department in departments)]
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
        Column(f"{department.code} {department.name} · {ballots.criterion_names[criterion.code]}", 12)
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


def adjustments_sheet(results: QuarterResults) -> SheetData:
    """Adjustments with their reasons: the results' own (the snapshot's, once published)."""
    rows = [(row.code, row.name, item.points, item.reason) for row in results.departments for item in row.adjustments]
    columns = [
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Points")),
        Column(_("Reason"), 60),
    ]
    return SheetData(_("Adjustments"), _("Adjustments and their reasons"), columns, rows)


def problems_sheet(quarter: Quarter, results: QuarterResults) -> SheetData:
    """Problems raised to the results' departments, named as the results name them (problems go on after
    publication; the departments and their names do not)."""
    figures = department_problem_figures(quarter=quarter)
    columns = [
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        count(_("Raised")),
        count(pgettext("problem status", "Answered")),
        count(pgettext("problem status", "Open")),
        count(_("Overdue")),
        Column(_("Median days to answer"), 12, "0.0"),
    ]
    listed = sorted((row for row in results.departments if row.id in figures), key=lambda row: (row.order, row.code))
    rows = (
        [
            row.code,
            row.name,
            *(figures[row.id].get(key) for key in ("raised", "answered", "open", "overdue")),
            figures[row.id].get("median_days_to_answer"),
        ]
        for row in listed
    )
    return SheetData(_("Problems"), _("Problems raised and answered"), columns, rows)


def objections_sheet(quarter: Quarter) -> SheetData:
    """Every objection (申诉) filed on the quarter's announced results and its answer (docs/workbooks.md)."""
    columns = [
        Column(_("Filed"), 17),
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        Column(_("Point of the result"), 16),
        Column(_("Objection"), 50),
        Column(_("Status"), 14),
        Column(_("Answer"), 50),
        Column(_("Correction made"), 40),
        Column(_("Answered"), 17),
    ]

    def when(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = (
        [
            when(objection.filed_at),
            objection.department.code,
            objection.department.name,
            objection.get_point_display(),
            objection.text,
            objection.get_status_display(),
            objection.answer,
            objection.correction.localized_summary if objection.correction else "",
            when(objection.answered_at),
        ]
        for objection in quarter_objections(quarter)
    )
    return SheetData(_("Objections"), _("Objections and answers"), columns, rows)


def quarter_sheets(quarter: Quarter, results: QuarterResults) -> Iterator[SheetData]:
    """Every sheet of a quarter's results workbook, the ranking first."""
    roster = results.roster
    ballots = load_counted_ballots(quarter, roster, {c.code: c.name for c in results.settings.criteria})
    yield ranking_sheet(quarter, results)
    yield settings_sheet(quarter, results)
    yield levels_sheet(results)
    if results.settings.grades:
        yield grades_sheet(results)
    yield criteria_sheet(results)
    yield cells_sheet(quarter, results)
    yield counts_sheet(quarter, results)
    yield participation_sheet(quarter, participation_rows(quarter) if roster is None else roster.participation)
    if results.weights[Source.GRASSROOTS] > 0:
        yield matrix_sheet(
            ballots,
            source=Source.GRASSROOTS,
            rows_units=ballots.rating_units(Source.GRASSROOTS),
            name=_source_named(
                quarter, Source.GRASSROOTS, gettext_lazy("Grassroots matrix"), gettext_lazy("%(source)s matrix")
            ),
            caption=_("Mean score per grassroots unit and department"),
        )
    if results.weights[Source.PEER] > 0:
        yield matrix_sheet(
            ballots,
            source=Source.PEER,
            rows_units=ballots.rating_units(Source.PEER),
            name=_source_named(quarter, Source.PEER, gettext_lazy("Peer matrix"), gettext_lazy("%(source)s matrix")),
            caption=_("Mean score per rating department (rows) and rated department (columns)"),
        )
    yield ballots_sheet(ballots)
    yield comments_sheet(ballots)
    yield adjustments_sheet(results)
    yield problems_sheet(quarter, results)
    yield objections_sheet(quarter)


def quarter_title(quarter: Quarter) -> str:
    """The workbook's title: work style's own, else the programme's name and the quarter."""
    if not quarter.programme.is_workstyle:
        return quarter.full_name
    return _("Work-style evaluation %(quarter)s") % {"quarter": quarter.code}


def export_quarter(quarter: Quarter, output: str | IO[bytes]) -> None:
    """Write the results workbook of `quarter` (docs/workbooks.md, "Results workbook") to `output`.

    Run it under `translation.override` for the headers' language.
    """
    results = quarter_results(quarter)
    write_workbook(
        quarter_sheets(quarter, results), output, title=quarter_title(quarter), heading=quarter_heading(quarter)
    )


def quarter_filename(quarter: Quarter) -> str:
    return f"results-{quarter.key}.xlsx"
