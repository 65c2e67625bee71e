"""compute_quarter on random quarters against docs/scoring.md written out plainly: Fractions step by step from the
raw values, Decimal.quantize for rule 5, a sort for rule 6. The integer arithmetic of evaluation.scoring must give
exactly the same numbers, roundings and ranks."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from evaluation.scoring import (
    SOURCES,
    CellAggregate,
    CriterionInput,
    DepartmentInput,
    ScoringInput,
    ScoringSettings,
    compute_quarter,
)


def _quantized(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _mean(values: list[int], trim: bool, trim_min_n: int) -> Fraction:
    points = sorted(Fraction(v, 100) for v in values)
    if trim and len(points) >= trim_min_n and len(points) > 2:
        points = points[1:-1]
    return sum(points, Fraction(0)) / len(points)


def _weighted(pairs: list[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    kept = [(w, x) for w, x in pairs if x is not None and w > 0]
    if not kept:
        return None
    return sum((w * x for w, x in kept), Fraction(0)) / sum((w for w, _x in kept), Fraction(0))


def _random_quarter(rng: random.Random) -> tuple[ScoringInput, dict]:
    criteria = tuple(
        CriterionInput(f"c{i}", Decimal(rng.choice(["1", "0.5", "0.25", "2", "0.3", "0.35", "0"])))
        for i in range(rng.randint(1, 5))
    )
    groups = [f"g{i}" for i in range(rng.randint(1, 4))]
    departments = tuple(
        DepartmentInput(id=i, code=f"D{i:03d}", name=f"D{i}", group=rng.choice(groups), order=rng.randint(0, 5))
        for i in range(1, rng.randint(2, 40))
    )
    weights = {source: rng.choice([0, 10, 30, 40, 33]) for source in SOURCES}
    settings = ScoringSettings(
        weights=weights,
        trim=rng.random() < 0.5,
        trim_min_n=rng.randint(3, 6),
        min_ballots={source: rng.randint(1, 3) for source in SOURCES},
    )
    values: dict[tuple[str, int, str], list[int]] = {}
    ballots: dict[tuple[str, int], int] = {}
    # Few values on a coarse scale, so that equal rounded scores (shared ranks) happen.
    scale = rng.choice([[10000, 8000, 6000, 4000], list(range(0, 10001, 50)), list(range(0, 10001, 1))])
    for department in departments:
        for source in SOURCES:
            raters = rng.randint(0, 7)
            ballots[(source, department.id)] = raters
            for _ in range(raters):
                for criterion in criteria:
                    if rng.random() < 0.8:
                        values.setdefault((source, department.id, criterion.code), []).append(rng.choice(scale))
    adjustments = {d.id: Decimal(rng.choice(["-1.50", "0.25", "2", "-0.01", "0.005"])) for d in departments[::5]}
    data = ScoringInput(
        settings=settings,
        criteria=criteria,
        departments=departments,
        cells={key: CellAggregate.of(v) for key, v in values.items()},
        ballot_counts=ballots,
        adjustments=adjustments,
        previous_ranks={(d.id, d.group): rng.randint(1, 10) for d in departments[::3]},
    )
    return data, values


def _expected(data: ScoringInput, values: dict) -> dict[int, dict]:
    settings = data.settings
    expected: dict[int, dict] = {}
    for department in data.departments:
        cells, sources = {}, {}
        for source in SOURCES:
            cells[source] = {
                c.code: _mean(values[(source, department.id, c.code)], settings.trim, settings.trim_min_n)
                for c in data.criteria
                if (source, department.id, c.code) in values
            }
            score = _weighted([(Fraction(c.weight), cells[source].get(c.code)) for c in data.criteria])
            enough = data.ballot_counts.get((source, department.id), 0) >= settings.minimum(source)
            sources[source] = score if enough else None
        composite = _weighted([(Fraction(settings.weight(s)), sources[s]) for s in SOURCES])
        adjustment = data.adjustments.get(department.id, Decimal(0))
        final = None if composite is None else composite + Fraction(adjustment)
        expected[department.id] = {
            "cells": cells,
            "shown_cells": {s: {c: _quantized(m) for c, m in means.items()} for s, means in cells.items()},
            "sources": sources,
            "shown_sources": {s: _quantized(x) for s, x in sources.items()},
            "composite": composite,
            "shown_composite": _quantized(composite),
            "final": final,
            "shown_final": _quantized(final),
        }
    for group in {d.group for d in data.departments}:
        scored = sorted(
            (d for d in data.departments if d.group == group and expected[d.id]["final"] is not None),
            key=lambda d: (-expected[d.id]["shown_final"], d.order, d.code),
        )
        for position, department in enumerate(scored):
            shown = expected[department.id]["shown_final"]
            ties = [d for d in scored if expected[d.id]["shown_final"] == shown]
            rank = scored.index(ties[0]) + 1
            expected[department.id]["rank"] = rank
            before = data.previous_ranks.get((department.id, group))
            expected[department.id]["rank_change"] = None if before is None else before - rank
            expected[department.id]["position"] = position
    return expected


@pytest.mark.parametrize("seed", range(60))
def test_compute_quarter_matches_the_rules_written_out(seed: int) -> None:
    data, values = _random_quarter(random.Random(seed))
    expected = _expected(data, values)
    scores = compute_quarter(data)
    assert sorted(s.department.id for s in scores.departments) == sorted(d.id for d in data.departments)
    for score in scores.departments:
        wanted = expected[score.department.id]
        for name in ("cells", "shown_cells", "sources", "shown_sources", "composite", "shown_final", "final"):
            assert getattr(score, name) == wanted[name], (seed, score.department.code, name)
        assert score.shown_composite == wanted["shown_composite"]
        assert score.rank == wanted.get("rank")
        assert score.rank_change == wanted.get("rank_change")
        assert score.ballots == {s: data.ballot_counts[(s, score.department.id)] for s in SOURCES}
    # Within each group: ranked ones in rank order (ties by display order), then the unscored in display order.
    for group in scores.groups:
        members = [s for s in scores.departments if s.department.group == group]
        ranked = [s for s in members if s.rank is not None]
        assert [expected[s.department.id]["position"] for s in ranked] == list(range(len(ranked)))
        unscored = members[len(ranked) :]
        assert all(s.rank is None for s in unscored)
        assert [(s.department.order, s.department.code) for s in unscored] == sorted(
            (s.department.order, s.department.code) for s in unscored
        )
