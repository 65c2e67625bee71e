from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.criteria_templates import DEFAULT_LEVELS, TEMPLATES, WORK_STYLE, CriterionSpec, LevelSpec
from evaluation.models import AuditAction, Criterion, Level, Quarter
from evaluation.services.audit import audit_record


@transaction.atomic
def quarter_create(
    *,
    code: str,
    actor: Any = None,
    template: str = WORK_STYLE.key,
    criteria: Sequence[CriterionSpec] | None = None,
    levels: Sequence[LevelSpec] | None = None,
    **settings: Any,
) -> Quarter:
    """Create a draft quarter with its criteria and levels.

    `criteria` overrides the template's; `levels` defaults to SCORING.md's.
    Other keyword arguments are Quarter settings (scale, weights, trim …).
    """
    quarter = Quarter(code=code, template=template, **settings)
    quarter.full_clean()
    quarter.save()
    specs = criteria if criteria is not None else TEMPLATES[template].criteria
    Criterion.objects.bulk_create(
        Criterion(quarter=quarter, code=spec.code, name=spec.name, weight=spec.weight, order=index)
        for index, spec in enumerate(specs)
    )
    Level.objects.bulk_create(
        Level(quarter=quarter, label=spec.label, points=spec.points, order=index)
        for index, spec in enumerate(levels if levels is not None else DEFAULT_LEVELS)
    )
    audit_record(
        action=AuditAction.QUARTER_CREATED,
        summary=_("Quarter %(code)s created") % {"code": code},
        actor=actor,
        quarter=quarter,
    )
    return quarter
