"""The results workbook of a quarter (docs/workbooks.md, "Results workbook").

Scores come from the results dict of `evaluation.services.results` (the frozen
snapshot once published) and are never recomputed here; the ballot listing, the
comments and the matrices are read from the counted ballots (`CountedBallots`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from departments.models import Unit
from evaluation.exports.ballots import CountedBallots, load_counted_ballots
from evaluation.exports.common import (
    active_sources,
    group_label,
    grouped,
    quarter_results,
    round_score,
    source_label,
    yes_no,
)
from evaluation.exports.printing import quarter_heading
from evaluation.exports.writer import Column, SheetData, count, score, write_workbook
from evaluation.models import Adjustment, Quarter, Source


def ranking_sheet(results: dict) -> SheetData:
    """The first sheet: docs/workbooks.md's ranking columns, in that order."""
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
        for entry in grouped(list(results.get("departments") or [])):
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
    sources = active_sources(results)
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    for source in sources:
        columns += [score(f"{source_label(source)}: {criterion.name}") for criterion in criteria]
        columns.append(score(_("%(source)s score") % {"source": source_label(source)}))

    def rows() -> Iterator[list]:
        for entry in grouped(list(results.get("departments") or [])):
            cells, scores = entry.get("cells") or {}, entry.get("sources") or {}
            row = [entry.get("code"), entry.get("name")]
            for source in sources:
                row += [(cells.get(source) or {}).get(criterion.code) for criterion in criteria]
                row.append(scores.get(source))
            yield row

    return SheetData(_("Cell means"), _("Cell means per source and criterion"), columns, rows())


def counts_sheet(results: dict) -> SheetData:
    sources = active_sources(results)
    columns = [Column(_("Department code"), 12), Column(_("Department name"), 22)]
    columns += [count(_("%(source)s ballots") % {"source": source_label(source)}) for source in sources]
    rows = (
        [entry.get("code"), entry.get("name"), *((entry.get("ballots") or {}).get(source, 0) for source in sources)]
        for entry in grouped(list(results.get("departments") or []))
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

    The mean is docs/scoring.md rule 2 over that unit's ballots alone (criterion means weighted
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
    """Write the results workbook of `quarter` (docs/workbooks.md, "Results workbook") to `output`.

    Run it under `translation.override` for the headers' language.
    """
    results = quarter_results(quarter)
    write_workbook(
        quarter_sheets(quarter, results), output, title=quarter_title(quarter), heading=quarter_heading(quarter)
    )


def quarter_filename(quarter: Quarter) -> str:
    return f"results-{quarter.code}.xlsx"
