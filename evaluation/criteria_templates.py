"""The criteria templates a new quarter can start from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


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

# SCORING.md, "Scale": the default levels. 不了解 (not familiar) is always offered and abstains.
DEFAULT_LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec("优秀", Decimal("100")),
    LevelSpec("良好", Decimal("80")),
    LevelSpec("一般", Decimal("60")),
    LevelSpec("较差", Decimal("40")),
)
ABSTAIN_LABELS = ("不了解", "n/a")
