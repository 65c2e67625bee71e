"""Random quarters in the database, scored by the product and by a deliberately naive reading of docs/scoring.md.

The reference below works on plain lists of values per cell with Fractions and shares no code with
evaluation.scoring; both must agree on every number and rank shown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from departments.models import Unit, UnitKind, User
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Adjustment, Ballot, BallotValue, Criterion, Quarter, QuarterStatus
from evaluation.results_model import QuarterResults, annual_interchange_json, interchange_json
from evaluation.selectors.results import annual_results, results_compute
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create
from tests.evaluation.scoring_data import insert_values

pytestmark = pytest.mark.django_db

SOURCES = ["grassroots", "peer", "leadership"]


# --- the naive reference ------------------------------------------------------------------------------


@dataclass
class RefBallot:
    source: str
    voided: bool
    values: dict[tuple[str, str], Fraction] = field(default_factory=dict)  # (department code, criterion) -> points


def ref_round(x: Fraction) -> Decimal:
    """Half up (away from zero on ties) to 2 decimals with integers only."""
    sign = -1 if x < 0 else 1
    hundredths = (abs(x) * 100 * 2 + 1) // 2  # floor(|x|·100 + 1/2)
    return Decimal(sign * hundredths) / 100


def ref_mean(values: list[Fraction], trim: bool, trim_min_n: int) -> Fraction | None:
    if not values:
        return None
    values = list(values)
    if trim and len(values) >= trim_min_n:
        values.remove(max(values))
        values.remove(min(values))
    return sum(values) / len(values)


def reference(quarter: dict, departments: list[dict], ballots: list[RefBallot], adjustments: dict[str, Fraction]):
    counted = [b for b in ballots if not b.voided]
    out = {}
    for d in departments:
        code = d["code"]
        cells, sources, counts = {}, {}, {}
        for s in SOURCES:
            of_source = [b for b in counted if b.source == s]
            counts[s] = sum(1 for b in of_source if any(dep == code for dep, _c in b.values))
            cells[s] = {}
            for c, _w in quarter["criteria"]:
                m = ref_mean([b.values[(code, c)] for b in of_source if (code, c) in b.values], *quarter["trim"])
                if m is not None:
                    cells[s][c] = m
            weights = [w for c, w in quarter["criteria"] if c in cells[s]]
            if not weights or counts[s] < quarter["min_ballots"][s]:
                sources[s] = None
            else:
                sources[s] = sum(w * cells[s][c] for c, w in quarter["criteria"] if c in cells[s]) / sum(weights)
        used = [s for s in SOURCES if quarter["weights"][s] > 0 and sources[s] is not None]
        composite = (
            sum(quarter["weights"][s] * sources[s] for s in used) / sum(quarter["weights"][s] for s in used)
            if used
            else None
        )
        final = None if composite is None else composite + adjustments.get(code, Fraction(0))
        out[code] = {"cells": cells, "sources": sources, "ballots": counts, "composite": composite, "final": final}
    for d in departments:
        mine = out[d["code"]]
        if mine["final"] is None:
            mine["rank"] = None
            continue
        shown = ref_round(mine["final"])
        rivals = [o for o in departments if o["group"] == d["group"] and out[o["code"]]["final"] is not None]
        mine["rank"] = 1 + sum(1 for o in rivals if ref_round(out[o["code"]]["final"]) > shown)
    return out


def as_float(x: Fraction | None) -> float | None:
    return None if x is None else float(ref_round(x))


# --- random quarters ------------------------------------------------------------------------------------


def make_org(rng: random.Random) -> tuple[list[Unit], list[Unit], list[User]]:
    groups = ["functional", "business", "affiliated"]
    departments = []
    for i in range(rng.randint(3, 7)):
        kind = rng.choice(groups)
        departments.append(
            Unit.objects.create(
                code=f"D{i}",
                name=f"部门{i}",
                kind=kind,
                ranking_group=rng.choice(["", "", "", "special"]),
                order=rng.choice([1, 2, 3]),  # repeated orders: ties fall back to the code
                active=rng.random() > 0.1,
            )
        )
    grassroots = [Unit.objects.create(code=f"G{i}", name=f"基层{i}", kind=UnitKind.GRASSROOTS) for i in range(3)]
    leaders = [user_create(username=f"lead{i}", full_name=f"L{i}", roles=[Role.LEADER]) for i in range(4)]
    return departments, grassroots, leaders


def random_settings(rng: random.Random) -> dict:
    weights = rng.choice([(40, 30, 30), (50, 50, 0), (0, 100, 0), (20, 0, 80), (34, 33, 33), (100, 0, 0)])
    return {
        "weight_grassroots": weights[0],
        "weight_peer": weights[1],
        "weight_leadership": weights[2],
        "trim": rng.random() < 0.6,
        "trim_min_n": rng.choice([3, 4, 5]),
        "min_ballots_grassroots": rng.choice([1, 1, 2, 3]),
        "min_ballots_peer": rng.choice([1, 2]),
        "min_ballots_leadership": rng.choice([1, 2]),
    }


def random_value(rng: random.Random, coarse: bool) -> int:
    # Coarse quarters make tied final scores likely; the others use any hundredth now and then.
    if coarse:
        return rng.choice([8000, 10000])
    return rng.choice([4000, 6000, 8000, 10000]) if rng.random() < 0.7 else rng.randint(0, 10000)


def build_quarter(rng: random.Random, code: str, units: list[Unit], grassroots: list[Unit], leaders: list[User]):
    coarse = rng.random() < 0.5
    quarter = quarter_create(code=code, scale="points", **random_settings(rng))
    quarter.status = QuarterStatus.CLOSED
    quarter.save(update_fields=["status"])
    criteria = list(Criterion.objects.filter(quarter=quarter).order_by("order"))
    for criterion in criteria:
        criterion.weight = Decimal("1" if coarse else rng.choice(["1", "1", "2", "0.5", "1.2500"]))
        criterion.save()
    evaluated = [u for u in units if u.active]
    ballots: list[RefBallot] = []
    peer_raters = list(evaluated)
    rng.shuffle(peer_raters)
    for source in SOURCES:
        if quarter.weight(source) == 0:
            continue
        for index in range(rng.randint(0, 8)):
            voided = rng.random() < 0.15
            rater_unit, rater = None, None
            if source == "grassroots":
                rater_unit = rng.choice(grassroots)
            elif source == "peer":
                if not peer_raters:
                    break
                rater_unit = peer_raters.pop() if not voided else rng.choice(evaluated)
            else:
                if index >= len(leaders):
                    break
                rater = leaders[index]
            ballot = Ballot.objects.create(
                quarter=quarter,
                source=source,
                rater_unit=rater_unit,
                rater=rater,
                voided_at=timezone.now() if voided else None,
            )
            ref = RefBallot(source=source, voided=voided)
            rows = []
            for unit in units:  # inactive units may hold values; they are not listed
                if source == "peer" and unit == rater_unit:
                    continue
                if rng.random() < 0.25:
                    continue
                for criterion in criteria:
                    if rng.random() < 0.2:
                        continue  # abstention
                    value = random_value(rng, coarse)
                    rows.append(BallotValue(ballot=ballot, department=unit, criterion=criterion, value_centi=value))
                    if unit.active:
                        ref.values[(unit.code, criterion.code)] = Fraction(value, 100)
            insert_values(rows)
            ballots.append(ref)
    adjustments: dict[str, Fraction] = {}
    for unit in evaluated:
        for _ in range(rng.choice([0, 0, 1, 2])):
            points = Decimal(rng.choice([-100, 0, 100]) if coarse else rng.randint(-500, 300)) / 100
            Adjustment.objects.create(quarter=quarter, department=unit, points=points, reason="r")
            adjustments[unit.code] = adjustments.get(unit.code, Fraction(0)) + Fraction(points)
    spec = {
        "criteria": [(c.code, Fraction(c.weight)) for c in criteria],
        "trim": (quarter.trim, quarter.trim_min_n),
        "min_ballots": {s: quarter.min_ballots(s) for s in SOURCES},
        "weights": {s: quarter.weight(s) for s in SOURCES},
    }
    departments = [{"code": u.code, "group": u.group, "order": u.order} for u in evaluated]
    return quarter, reference(spec, departments, ballots, adjustments), departments


def check(computed: QuarterResults, expected: dict, departments: list[dict]) -> None:
    results = interchange_json(computed)
    exact = {row.code: row.final_exact for row in computed.departments}
    rows = {row["code"]: row for row in results["departments"]}
    assert set(rows) == set(expected)
    for code, want in expected.items():
        row = rows[code]
        assert row["score"] == as_float(want["final"]), code
        assert row["composite"] == as_float(want["composite"]), code
        assert row["rank"] == want["rank"], code
        assert row["ballots"] == want["ballots"], code
        assert row["sources"] == {s: as_float(v) for s, v in want["sources"].items()}, code
        assert row["cells"] == {s: {c: as_float(m) for c, m in cells.items()} for s, cells in want["cells"].items()}
        assert exact[code] == want["final"]
    # Listing order: each group's ranked departments by rank, then order, then code; unscored last.
    info = {d["code"]: d for d in departments}
    for group in computed.groups:
        listed = [row["code"] for row in results["departments"] if row["group"] == group]
        ranked = sorted(
            (c for c in listed if expected[c]["rank"] is not None),
            key=lambda c: (expected[c]["rank"], info[c]["order"], c),
        )
        unscored = sorted((c for c in listed if expected[c]["rank"] is None), key=lambda c: (info[c]["order"], c))
        assert listed == ranked + unscored


@pytest.mark.parametrize("seed", range(16))
def test_random_quarters_agree_with_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    units, grassroots, leaders = make_org(rng)
    first, expected_first, departments_first = build_quarter(rng, "2026Q1", units, grassroots, leaders)
    check(results_compute(first), expected_first, departments_first)
    quarter_transition(quarter=first, to=QuarterStatus.PUBLISHED, actor=None)

    # Move a department to another group: its rank change must then be empty.
    moved = rng.choice(units)
    moved.ranking_group = "moved"
    moved.save()
    second, expected_second, departments_second = build_quarter(rng, "2026Q2", units, grassroots, leaders)
    computed = results_compute(second)
    check(computed, expected_second, departments_second)
    results = interchange_json(computed)
    previous = {d["code"]: (d["group"], expected_first[d["code"]]["rank"]) for d in departments_first}
    for row in results["departments"]:
        group, rank_before = previous.get(row["code"], (None, None))
        want = None
        if row["rank"] is not None and rank_before is not None and group == row["group"]:
            want = rank_before - row["rank"]
        assert row["rank_change"] == want, row["code"]

    quarter_transition(quarter=second, to=QuarterStatus.PUBLISHED, actor=None)
    annual = {row["code"]: row for row in annual_interchange_json(annual_results(2026))["departments"]}
    current_groups = {u.code: u.group for u in Unit.objects.filter(kind__in=["functional", "business", "affiliated"])}
    means = {}
    for code in current_groups:
        finals = [
            e[code]["final"] for e in (expected_first, expected_second) if code in e and e[code]["final"] is not None
        ]
        means[code] = (sum(finals) / len(finals), len(finals)) if finals else (None, 0)
    for code, (mean, count) in means.items():
        if code not in annual:
            assert count == 0
            continue
        assert annual[code]["quarters"] == count
        assert annual[code]["score"] == as_float(mean)
        assert annual[code]["group"] == current_groups[code]
        if mean is None:
            assert annual[code]["rank"] is None
        else:
            rivals = [m for c, (m, _n) in means.items() if m is not None and current_groups[c] == current_groups[code]]
            assert annual[code]["rank"] == 1 + sum(1 for m in rivals if ref_round(m) > ref_round(mean))
    assert Quarter.objects.filter(status=QuarterStatus.PUBLISHED).count() == 2
