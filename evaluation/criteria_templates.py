"""Criteria templates a new quarter can start from, the criterion and level specs, and what their numbers may be."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A level's points and a criterion's weight are small numbers. One more than this many digits either side of the
# point cannot be a setting, and arithmetic on it would overflow (abs(), quantize() or normalize() on 1e999999999),
# spell out a million digits (format() of 1e999999) or round it away (normalize() of 1e-999999999 is 0).
NUMBER_DIGITS = 30


def within_digits(number: Decimal) -> bool:
    """Whether `number` is finite and within NUMBER_DIGITS digits either side of the point."""
    return number.is_finite() and abs(number.adjusted()) <= NUMBER_DIGITS


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    weight: Decimal = Decimal("1")


@dataclass(frozen=True)
class LevelSpec:
    label: str
    points: Decimal


@dataclass(frozen=True)
class CriteriaTemplate:
    key: str
    title: object  # a lazy translation
    criteria: tuple[CriterionSpec, ...]


# Criterion names are data stored with each quarter, in the language of the meeting.
WORK_STYLE = CriteriaTemplate(
    key="work_style",
    title=_("Department work style (efficiency, quality, service)"),
    criteria=(
        CriterionSpec("efficiency", "办事效率"),
        CriterionSpec("quality", "完成质量"),
        CriterionSpec("service", "服务意识"),
    ),
)
PARTY_BRANCH = CriteriaTemplate(
    key="party_branch",
    title=_("Party branch, four dimensions"),
    criteria=(
        CriterionSpec("performance", "工作绩效"),
        CriterionSpec("safety", "安全环保"),
        CriterionSpec("skills", "提素创星"),
        CriterionSpec("party_building", "党建基础工作"),
    ),
)
TEMPLATES: dict[str, CriteriaTemplate] = {t.key: t for t in (WORK_STYLE, PARTY_BRANCH)}

# docs/scoring.md, "Scale": the default levels. 不了解 (not familiar) is always offered and abstains.
DEFAULT_LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec("优秀", Decimal("100")),
    LevelSpec("良好", Decimal("80")),
    LevelSpec("一般", Decimal("60")),
    LevelSpec("较差", Decimal("40")),
)
ABSTAIN_LABELS = ("不了解", "n/a")

# A level's label is data stored with each quarter, but a quarter that kept the default levels should read in
# the reader's language: the default labels are translated when shown, never in the database. A label the
# evaluation group typed is shown as typed.
DEFAULT_LEVEL_NAMES: dict[str, object] = {
    "优秀": pgettext_lazy("default level", "Excellent"),
    "良好": pgettext_lazy("default level", "Good"),
    "一般": pgettext_lazy("default level", "Fair"),
    "较差": pgettext_lazy("default level", "Poor"),
}


def level_display(label: str) -> str:
    """A level's label as the reader sees it: a default level in the active language, any other as stored."""
    return str(DEFAULT_LEVEL_NAMES.get(label, label))
