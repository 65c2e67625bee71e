"""The ballot grid: what a ballot page shows and how its POST is read.

A formset of 180 cells is slow to build and to render, so the grid is
hand-written: fields are named `v-<department id>-<criterion id>` (a level's
points, a whole number on the points scale, or empty / `na` for 不了解) and
`c-<department id>` (a comment). Any other field, or an id that is not on
this ballot, refuses the whole ballot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from departments.models import Unit
from evaluation.ballot_rules import ABSTAIN, ScopeRead, scope_read
from evaluation.criteria_templates import level_display
from evaluation.models import COMMENT_MAX_LENGTH, Criterion, Level, Quarter, Scale, Source
from evaluation.services.ballots import (
    BallotRefused,
    BallotSheet,
    ballot_sheet,
    ballot_targets,
    sheet_top_level_allowance,
)

VALUE_FIELD = re.compile(r"^v-([0-9]{1,18})-([0-9]{1,18})$")
COMMENT_FIELD = re.compile(r"^c-([0-9]{1,18})$")
# Fields the page itself sends besides the cells.
CONFIRM_FIELD = "confirm_empty"
KNOWN_FIELDS = {"csrfmiddlewaretoken", "quarter", "code", CONFIRM_FIELD}


@dataclass
class PostedBallot:
    """A ballot's fields as posted: cells and comments as typed, and how many of the page's cells are empty."""

    values: dict[tuple[int, int], str] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    cells: int = 0
    empty: int = 0
    confirmed: int = -1

    def needs_confirmation(self, *, gives_values: bool) -> bool:
        """Empty cells, or no value at all, are stored only once the rater has confirmed that many (or more)."""
        return (self.empty > 0 or not gives_values) and self.confirmed < self.empty

    def confirmation(self, *, gives_values: bool) -> str:
        """The question put to the rater before a ballot with empty cells, or without a value, is stored."""
        parts = []
        if self.empty:
            parts.append(
                ngettext(
                    "%(empty)d of %(cells)d cells is empty. Submit anyway?",
                    "%(empty)d of %(cells)d cells are empty. Submit anyway?",
                    self.empty,
                )
                % {"empty": self.empty, "cells": self.cells}
            )
        if not gives_values:
            parts.append(
                _("This ballot gives no value: it counts for no score, and its comments reach the evaluation group.")
            )
        return " ".join(parts)


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class Cell:
    criterion: Criterion
    name: str
    current: str
    options: list[Option]


@dataclass
class Row:
    department: Unit
    cells: list[Cell]
    comment_name: str
    comment: str

    cells_html: SafeString = mark_safe("")  # noqa: RUF009 - an empty default, replaced per row

    @property
    def filled(self) -> int:
        return sum(1 for cell in self.cells if cell.current)


def _points_text(points: Decimal) -> str:
    """Level points as posted: 100, 80, 72.5 (no trailing zeros, no exponent)."""
    return f"{points.normalize():f}"


class BallotGrid:
    """The departments × criteria of one ballot, and the posted answers when re-shown.

    Reading a POST needs ids only (the quarter's `sheet`, which the view hands on to ballot_submit);
    the departments are loaded as model instances only when the page is drawn.
    """

    def __init__(
        self,
        quarter: Quarter,
        *,
        source: str,
        own_unit: Unit | None = None,
        rating_unit: Unit | None = None,
        rater: Any = None,
    ) -> None:
        """`own_unit`: a peer rater's department (left off); `rating_unit`, `rater`: whose scope the grid offers."""
        self.quarter = quarter
        self.source = source
        self.own_unit = own_unit
        self.rating_unit = rating_unit or own_unit
        self.rater = rater
        self.posted: dict[str, str] = {}

    @cached_property
    def departments(self) -> list[Unit]:
        return ballot_targets(self.quarter, source=self.source, rater_unit=self.rating_unit, rater=self.rater)

    @cached_property
    def sheet(self) -> BallotSheet:
        if "departments" not in self.__dict__:
            return ballot_sheet(self.quarter)
        # The page is being drawn anyway: reuse its departments rather than reading them again. The sheet
        # lists every evaluated department, so a peer's own (left off the page) goes back in.
        departments = self.departments
        if self._excludes_own_unit and self.own_unit.active and self.own_unit.kind in self.quarter.programme.kinds:
            departments = [*departments, self.own_unit]
        return ballot_sheet(self.quarter, departments=departments)

    @property
    def _excludes_own_unit(self) -> bool:
        return self.source == Source.PEER and self.own_unit is not None

    @property
    def criteria(self) -> list[Criterion]:
        return self.sheet.criteria

    @property
    def levels(self) -> list[Level]:
        return self.sheet.levels

    @cached_property
    def _department_ids(self) -> set[int]:
        """The ids of the targets the page offers (those `departments` lists), read without loading the units:
        the sheet's, within the rater's scope, never a peer's own."""
        if "departments" in self.__dict__:
            return {unit.pk for unit in self.departments}
        ids = set(self.sheet.departments)
        if self._excludes_own_unit:
            ids.discard(self.own_unit.pk)
        return ids if self._scope is None else ids & self._scope

    @cached_property
    def scope(self) -> ScopeRead:
        """The rater's scope (ballot_rules.scope_target_ids), read once for the page and the ballot's check."""
        return scope_read(self.quarter, source=self.source, rater_unit=self.rating_unit, rater=self.rater)

    @property
    def _scope(self) -> frozenset[int] | None:
        """The ids of the rater's scope; None: every target."""
        return self.scope.ids

    @cached_property
    def _criterion_ids(self) -> frozenset[int]:
        return self.sheet.criterion_ids

    @property
    def uses_levels(self) -> bool:
        return self.quarter.scale == Scale.LEVELS

    @property
    def cell_count(self) -> int:
        return len(self.departments) * len(self.criteria)

    @property
    def filled_count(self) -> int:
        return sum(row.filled for row in self.rows())

    @property
    def top_level_allowance(self) -> int | None:
        """docs/scoring.md rule 10: how many departments one criterion may rate at the top level; None: no cap."""
        own = self.own_unit.pk if self._excludes_own_unit else None
        return sheet_top_level_allowance(self.sheet, source=self.source, own_unit_id=own, scope=self._scope)

    @property
    def top_level(self) -> Level | None:
        """The highest level, the one the cap limits."""
        return max(self.levels, key=lambda level: level.points, default=None)

    @property
    def top_level_value(self) -> str:
        """The value the page posts for the highest level."""
        top = self.top_level
        return "" if top is None else _points_text(top.points)

    def level_legend(self) -> list[tuple[str, str]]:
        return [(level_display(level.label), _points_text(level.points)) for level in self.levels]

    def rows(self) -> list[Row]:
        if not hasattr(self, "_rows"):
            self._rows = [self._row(unit) for unit in self.departments]
        return self._rows

    def _row(self, unit: Unit) -> Row:
        cells = []
        for criterion in self.criteria:
            name = f"v-{unit.pk}-{criterion.pk}"
            current = self.posted.get(name, "")
            cells.append(Cell(criterion=criterion, name=name, current=current, options=self._options(current)))
        comment_name = f"c-{unit.pk}"
        row = Row(department=unit, cells=cells, comment_name=comment_name, comment=self.posted.get(comment_name, ""))
        row.cells_html = mark_safe("".join(self._cell_html(unit, cell) for cell in cells))
        return row

    # 180 cells of five buttons are too slow for the template engine (about a second on a small
    # server); this builds the same markup in a few milliseconds. Every text is escaped here.
    def _cell_html(self, unit: Unit, cell: Cell) -> str:
        name = cell.name
        labelled = f'aria-labelledby="d-{unit.pk} l-{name}"'
        head = f'<span class="ballot-crit" id="l-{name}">{escape(cell.criterion.name)}</span>'
        if not self.uses_levels:
            return (
                f'<div class="ballot-cell">{head}<input type="number" class="form-control ballot-points-input" '
                f'name="{name}" min="0" max="100" step="1" inputmode="numeric" '
                f'placeholder="{escape(_("Not familiar"))}" value="{escape(cell.current)}" {labelled}></div>'
            )
        buttons = "".join(
            f'<input type="radio" class="btn-check" name="{name}" id="{name}-{index}" value="{escape(option.value)}" '
            f'autocomplete="off"{" checked" if option.checked else ""}>'
            f'<label class="btn {self._button_class(option)}" for="{name}-{index}">{escape(option.label)}</label>'
            for index, option in enumerate(cell.options, start=1)
        )
        options = f'<div class="ballot-options">{buttons}</div>'
        return f'<div class="ballot-cell" role="radiogroup" {labelled}>{head}{options}</div>'

    @staticmethod
    def _button_class(option: Option) -> str:
        return "btn-outline-secondary ballot-na" if option.value == ABSTAIN else "btn-outline-primary"

    def _options(self, current: str) -> list[Option]:
        if not self.uses_levels:
            return []
        options = [
            Option(_points_text(level.points), level_display(level.label), current == _points_text(level.points))
            for level in self.levels
        ]
        options.append(Option(ABSTAIN, _("Not familiar"), current == ABSTAIN))
        return options

    # --- reading a POST -----------------------------------------------------------------------

    def parse(self, data: QueryDict) -> PostedBallot:
        """The cells and comments of a posted ballot as typed, or BallotRefused for a tampered post.

        Every rule on what they hold is ballot_submit's (evaluation.ballot_rules); this only reads the fields.
        """
        self.posted = {key: data.get(key, "") for key in data}
        self.__dict__.pop("_rows", None)
        posted = PostedBallot(confirmed=_confirmed(data.get(CONFIRM_FIELD, "")))
        for key, texts in data.lists():
            if len(texts) != 1:
                raise _tampered()
            text = texts[0]
            if match := VALUE_FIELD.match(key):
                posted.values[(int(match[1]), int(match[2]))] = text
            elif match := COMMENT_FIELD.match(key):
                posted.comments[int(match[1])] = text
            elif key not in KNOWN_FIELDS:
                raise _tampered()
        cells = {(d, c) for d in self._department_ids for c in self._criterion_ids}
        filled = {key for key, text in posted.values.items() if text.strip()}
        posted.cells = len(cells)
        posted.empty = len(cells - filled)
        return posted


def _confirmed(text: str) -> int:
    """How many empty cells the rater has agreed to leave empty (the confirmation's hidden field)."""
    return int(text) if text.isdecimal() and len(text) <= 6 else -1


def _tampered() -> BallotRefused:
    return BallotRefused(
        _("The ballot was changed outside this page and cannot be accepted. Nothing was stored; please start again."),
        code="tampered",
    )


def grid_context(grid: BallotGrid) -> dict[str, Any]:
    """What the ballot template needs from the grid."""
    rows = grid.rows()
    return {
        "grid": grid,
        "rows": rows,
        "criteria": grid.criteria,
        "legend": grid.level_legend(),
        "cell_count": grid.cell_count,
        "filled_count": grid.filled_count,
        "comment_max": COMMENT_MAX_LENGTH,
        "top_allowance": grid.top_level_allowance,
    }
