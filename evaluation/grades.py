"""A quarter's grade settings (docs/scoring.md rule 9) and what makes them valid.

The console form, the quarter workbook's grades sheet and the settings service all check grades with
`grade_problems`, so a list is refused with the same words everywhere; the rule itself is
`evaluation.scoring.assign_grades`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from evaluation.scoring import GradeRule

LABEL_MAX = 20
# What Grade.min_score holds (max_digits 6, two decimals): a final score is not clamped, so it may be negative.
MIN_SCORE_LIMIT = Decimal("9999.99")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class GradeSpec:
    """One grade as entered: its label and either a quota (whole percentage) or a minimum score."""

    label: str
    quota: int | None = None
    min_score: Decimal | None = None

    @property
    def rule(self) -> GradeRule:
        return GradeRule(self.label, self.quota, self.min_score)


# (index of the grade or None for the whole list, the column concerned, the message)
GradeProblem = tuple[int | None, str, str]


def _grade_problems(index: int, spec: GradeSpec, seen: set[str]) -> list[GradeProblem]:
    problems: list[GradeProblem] = []
    if not spec.label or len(spec.label) > LABEL_MAX:
        problems.append((index, "label", _("A grade label has 1 to 20 characters.")))
    elif spec.label in seen:
        problems.append((index, "label", _("The grade %(label)s appears more than once.") % {"label": spec.label}))
    if spec.quota is None and spec.min_score is None:
        problems.append((index, "quota", _("Give the grade a quota or a minimum score.")))
    elif spec.quota is not None and spec.min_score is not None:
        problems.append((index, "quota", _("A grade has a quota or a minimum score, not both.")))
    if spec.quota is not None and not 0 <= spec.quota <= 100:
        problems.append((index, "quota", _("A quota is a whole percentage from 0 to 100.")))
    score = spec.min_score
    if score is not None and (not score.is_finite() or abs(score) > MIN_SCORE_LIMIT or score != score.quantize(CENT)):
        problems.append((index, "min_score", _("The minimum score is a number with at most two decimals.")))
    return problems


def grade_problems(specs: Sequence[GradeSpec]) -> list[GradeProblem]:
    """Every reason the list of grades cannot be a quarter's; empty when it can (an empty list means no grades)."""
    problems: list[GradeProblem] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        problems += _grade_problems(index, spec, seen)
        seen.add(spec.label)
    if problems or not specs:
        return problems
    by_quota = specs[0].quota is not None
    for index, spec in enumerate(specs):
        if (spec.quota is not None) != by_quota:
            message = _("All grades of a quarter use quotas, or all use minimum scores; this one differs.")
            return [(index, "quota" if by_quota else "min_score", message)]
    total = sum(spec.quota or 0 for spec in specs)
    if by_quota and total != 100:
        return [(None, "quota", _("The quotas of the grades must add up to 100 (now %(sum)d).") % {"sum": total})]
    return []


def grade_rules(specs: Sequence[GradeSpec]) -> tuple[GradeRule, ...]:
    return tuple(spec.rule for spec in specs)
