"""A quarter's counted ballots, read for the ballot listing, the comments and the matrices.

Nothing here holds all of a quarter's values at once: the listing streams the
ballots from the database one rating unit at a time (in the order it prints them),
and the matrices are sums per rating unit × department × criterion computed by the
database. Ballots are numbered by source, rating unit and then their values, so
neither the storage order nor the order of submission shows through, and no rater
is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from fractions import Fraction
from itertools import groupby
from typing import Any

import numpy as np
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast

from departments.models import Unit
from evaluation.models import Ballot, BallotComment, BallotValue, Quarter, Source
from evaluation.results_model import Roster, UnitName
from evaluation.sql import code_point_order

CHUNK = 5000  # rows fetched from the database at a time
VALUE_FIELDS = ("values__department", "values__criterion", "values__value_centi")


class CountedBallots:
    """The counted (not voided) ballots of a quarter; each method reads what it needs when called.

    Units are named as the `roster` froze them at publication; without one (live results), as they are now.
    """

    def __init__(self, quarter: Quarter, roster: Roster | None = None, names: Mapping[str, str] | None = None) -> None:
        self.quarter = quarter
        self.roster = roster
        self.criteria = list(quarter.criteria.order_by("order", "code"))
        # criterion code -> name, as the results name the criteria (frozen once published)
        self.criterion_names = {c.code: c.name for c in self.criteria} if names is None else dict(names)
        if roster is None:
            self.units = {unit.pk: UnitName(unit.pk, unit.code, unit.name, unit.order) for unit in Unit.objects.all()}
            self.departments = self._rated_departments()
        else:
            self.units = dict(roster.units)
            self.departments = [self.units[pk] for pk in roster.departments]
        # ballot id -> (number, source, rating unit code), for the ballots with a comment; filled by rows()
        self._numbered: dict[Any, tuple[int, str, str | None]] | None = None

    def _ballots(self) -> Any:
        return Ballot.objects.filter(quarter=self.quarter, voided_at__isnull=True)

    def _values(self) -> Any:
        return BallotValue.objects.filter(ballot__quarter=self.quarter, ballot__voided_at__isnull=True)

    def _rated_departments(self) -> list[UnitName]:
        rated = set(self._values().values_list("department", flat=True).distinct().order_by())
        wanted = set(Unit.objects.evaluated(self.quarter.programme).values_list("pk", flat=True)) | rated
        return sorted((self.units[pk] for pk in wanted), key=lambda unit: (unit.order, unit.code))

    def unit_code(self, source: str, unit_id: int | None) -> str | None:
        if source == Source.LEADERSHIP:
            return None
        unit = self.units.get(unit_id or 0)
        return unit.code if unit else None

    # --- the listing ---------------------------------------------------------------------------------------------

    def rows(self) -> Iterator[list]:
        """One row per ballot: its number, source and rating unit, then every (department, criterion) value."""
        commented = set(self._comments().values_list(_ballot_key("ballot"), flat=True).distinct().order_by())
        numbered: dict[Any, tuple[int, str, str | None]] = {}
        number = 0
        for source in Source.values:
            label = self.quarter.source_label(source)
            for code, block in self._blocks(source):
                for ballot, values in block:
                    number += 1
                    if ballot in commented:
                        numbered[ballot] = (number, source, code)
                    yield [number, label, code, *(_points(int(value)) for value in values)]
        self._numbered = numbered

    def _blocks(self, source: str) -> Iterator[tuple[str | None, list[tuple[Any, np.ndarray]]]]:
        """The ballots of `source` one rating unit at a time (units by code), each unit's sorted by their values."""
        width = len(self.criteria)
        position = {
            (department.pk, criterion.pk): d * width + c
            for d, department in enumerate(self.departments)
            for c, criterion in enumerate(self.criteria)
        }
        stream = (
            self._ballots()
            .filter(source=source)
            .order_by(_code_order(), "pk")
            .values_list(_ballot_key("pk"), "rater_unit", *VALUE_FIELDS)
            .iterator(chunk_size=CHUNK)
        )
        by_unit = (lambda row: None) if source == Source.LEADERSHIP else (lambda row: row[1])
        for unit_id, unit_rows in groupby(stream, key=by_unit):
            grid: dict[Any, np.ndarray] = {}
            for ballot, _unit, department, criterion, centi in unit_rows:
                values = grid.get(ballot)
                if values is None:
                    values = grid[ballot] = np.full(len(position), -1, dtype=np.int32)
                if department is not None:
                    values[position[(department, criterion)]] = centi
            yield self.unit_code(source, unit_id), _sorted_by_values(grid)

    # --- comments ------------------------------------------------------------------------------------------------

    def _comments(self) -> Any:
        return BallotComment.objects.filter(ballot__quarter=self.quarter, ballot__voided_at__isnull=True)

    def comment_rows(self) -> Iterator[list]:
        """Comments by department, then by the number of their ballot in the listing."""
        if self._numbered is None:
            for _row in self.rows():
                pass
        numbered = self._numbered or {}
        position = {department.pk: index for index, department in enumerate(self.departments)}
        comments = self._comments().values_list(_ballot_key("ballot"), "department", "text")
        ordered = sorted(comments, key=lambda item: (position.get(item[1], len(position)), numbered[item[0]][0]))
        for ballot, department_id, text in ordered:
            department = self.units[department_id]
            number, source, code = numbered[ballot]
            yield [department.code, department.name, self.quarter.source_label(source), code, number, text]

    # --- the matrices --------------------------------------------------------------------------------------------

    def unit_means(self, source: str) -> dict[tuple[int, int], Fraction]:
        """(rating unit id, department id) -> the weighted mean of that unit's criterion means."""
        weights = {criterion.pk: Fraction(criterion.weight) for criterion in self.criteria}
        sums = (
            self._values()
            .filter(ballot__source=source, ballot__rater_unit__isnull=False)
            .values_list("ballot__rater_unit", "department", "criterion")
            .annotate(total=Sum("value_centi"), n=Count("*"))
            .order_by()
        )
        totals: dict[tuple[int, int], list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
        for unit, department, criterion, total, n in sums:
            weight = weights.get(criterion, Fraction(0))
            entry = totals[(unit, department)]
            entry[0] += weight * Fraction(int(total), 100 * int(n))
            entry[1] += weight
        return {key: num / den for key, (num, den) in totals.items() if den}

    def rating_units(self, source: str) -> list[UnitName]:
        """The units that rate with `source`: the active ones and any that left ballots."""
        if self.roster is not None:
            return [self.units[pk] for pk in self.roster.rating_units[source]]
        seen = set(
            self._ballots()
            .filter(source=source, rater_unit__isnull=False)
            .values_list("rater_unit", flat=True)
            .distinct()
            .order_by()
        )
        base = (
            Unit.objects.grassroots() if source == Source.GRASSROOTS else Unit.objects.evaluated(self.quarter.programme)
        )
        wanted = set(base.values_list("pk", flat=True)) | seen
        return sorted((self.units[pk] for pk in wanted), key=lambda unit: (unit.order, unit.code))


def load_counted_ballots(
    quarter: Quarter, roster: Roster | None = None, names: Mapping[str, str] | None = None
) -> CountedBallots:
    return CountedBallots(quarter, roster, names)


def _ballot_key(field: str) -> Cast:
    """A ballot's id as the database writes it: a key to group by, without making a UUID of every row."""
    return Cast(field, output_field=CharField())


def _code_order() -> Any:
    """Rating units by code in code-point order (as Python sorts), ballots without a unit first."""
    return code_point_order("rater_unit__code").asc(nulls_first=True)


def _sorted_by_values(grid: dict[Any, np.ndarray]) -> list[tuple[Any, np.ndarray]]:
    """One unit's ballots ordered by their values (abstentions first), column by column."""
    if not grid:
        return []
    ballots = list(grid)
    matrix = np.stack([grid[ballot] for ballot in ballots])
    if not matrix.shape[1]:
        return [(ballot, grid[ballot]) for ballot in ballots]
    order = np.lexsort([matrix[:, column] for column in reversed(range(matrix.shape[1]))])
    return [(ballots[index], matrix[index]) for index in order]


def _points(centi: int) -> int | float | None:
    if centi < 0:
        return None
    return centi // 100 if centi % 100 == 0 else centi / 100
