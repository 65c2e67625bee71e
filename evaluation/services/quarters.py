"""Quarter creation and settings.

Scoring settings (scale, weights, trim, minimum ballots, k, levels, criteria)
are frozen as soon as a quarter holds a ballot: every ballot must be read
under the settings it was cast with. The voting window only decides when
ballots are accepted, so it stays editable until the quarter is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from departments.models import Programme, workstyle
from evaluation import ballot_rules as rules
from evaluation.criteria_templates import (
    DEFAULT_LEVELS,
    TEMPLATES,
    WORK_STYLE,
    CriterionSpec,
    LevelSpec,
    within_digits,
)
from evaluation.grades import GradeSpec, grade_problems
from evaluation.models import (
    SCORING_FIELDS,
    TRIM_MIN_N_FLOOR,
    Ballot,
    BallotCode,
    Criterion,
    Grade,
    Level,
    Quarter,
    QuarterStatus,
    Source,
)
from evaluation.services.results import results_version_bump

# SCORING_FIELDS are the plain settings a quarter carries over to the next one (the window is not carried).
WINDOW_FIELDS: tuple[str, ...] = ("opens_at", "closes_at")
TEXT_FIELDS: tuple[str, ...] = ("title",)  # changed by quarter_rename, in every status
# Settings of the lifecycle that never affect a score; like the window, they may change until the results freeze.
LIFECYCLE_FIELDS: tuple[str, ...] = ("announcement_days",)
SETTINGS_FIELDS: tuple[str, ...] = SCORING_FIELDS + WINDOW_FIELDS + TEXT_FIELDS + LIFECYCLE_FIELDS


@transaction.atomic
def quarter_create(
    *,
    code: str,
    actor: Any = None,
    programme: Programme | None = None,
    template: str = WORK_STYLE.key,
    criteria: Sequence[CriterionSpec] | None = None,
    levels: Sequence[LevelSpec] | None = None,
    grades: Sequence[GradeSpec] = (),
    **settings: Any,
) -> Quarter:
    """Create a draft quarter with its criteria, levels and grades (none by default).

    `criteria` overrides the template's; `levels` defaults to docs/scoring.md's.
    Other keyword arguments are Quarter settings (scale, weights, trim …).
    """
    if template not in TEMPLATES:
        raise ValidationError(_("Unknown criteria template."))
    programme = programme or workstyle()
    if quarter_exists(programme, code):
        raise ValidationError(_("Quarter %(code)s already exists.") % {"code": code})
    quarter = Quarter(code=code, programme=programme, template=template, **settings)
    quarter.full_clean()
    _validate_settings(quarter)
    specs = list(criteria if criteria is not None else TEMPLATES[template].criteria)
    level_specs = list(levels if levels is not None else DEFAULT_LEVELS)
    _validate_criteria(specs)
    _validate_levels(level_specs, scale=quarter.scale)
    _validate_grades(grades)
    quarter.save()
    _replace_criteria(quarter, specs)
    _replace_levels(quarter, level_specs)
    _replace_grades(quarter, grades)
    audit_record(
        action=AuditAction.QUARTER_CREATED,
        summary=lambda: _("Quarter %(code)s created") % {"code": code},
        actor=actor,
        quarter=quarter,
        details={"template": template},
    )
    return quarter


def quarter_exists(programme: Programme, code: str) -> bool:
    """Whether the programme already has a quarter `code` (a quarter is identified by programme and code)."""
    return Quarter.objects.filter(programme=programme, code=code).exists()


def quarter_previous(code: str, programme: Programme | None = None) -> Quarter | None:
    """The latest quarter of the programme before `code`, the one a new quarter copies its settings from."""
    return Quarter.objects.filter(programme=programme or workstyle(), code__lt=code).order_by("-code").first()


@transaction.atomic
def quarter_create_from_previous(*, code: str, programme: Programme | None = None, actor: Any = None) -> Quarter:
    """Create a draft quarter with the previous quarter's settings (its announcement period too), levels and
    criteria (not its window)."""
    previous = quarter_previous(code, programme)
    if previous is None:
        raise ValidationError(_("There is no earlier quarter to copy the settings from."))
    settings = {field: getattr(previous, field) for field in SCORING_FIELDS + LIFECYCLE_FIELDS}
    return quarter_create(
        code=code,
        actor=actor,
        programme=previous.programme,
        template=previous.template or WORK_STYLE.key,
        criteria=criteria_specs(previous),
        levels=level_specs(previous),
        grades=grade_specs(previous),
        **settings,
    )


def criteria_specs(quarter: Quarter) -> list[CriterionSpec]:
    return [CriterionSpec(c.code, c.name, c.weight) for c in quarter.criteria.order_by("order", "code")]


def level_specs(quarter: Quarter) -> list[LevelSpec]:
    return [LevelSpec(level.label, level.points) for level in quarter.levels.order_by("order", "-points")]


def grade_specs(quarter: Quarter) -> list[GradeSpec]:
    return [GradeSpec(g.label, g.quota, g.min_score) for g in quarter.grades.order_by("order")]


def settings_locked_reason(quarter: Quarter) -> str | None:
    """Why the scoring settings cannot change now, or None when they can."""
    if quarter.status == QuarterStatus.PUBLISHED:
        return _("The quarter is published; its settings are frozen.")
    if quarter.status == QuarterStatus.ANNOUNCED:
        return _("The quarter's results are announced; its settings are frozen.")
    if Ballot.objects.filter(quarter=quarter).exists():
        return _("The quarter holds ballots; its settings, levels and criteria can no longer change.")
    if quarter.status == QuarterStatus.OPEN:
        return _("The quarter is open for voting; close it before changing its settings.")
    return None


def window_locked_reason(quarter: Quarter) -> str | None:
    """Why the voting window cannot change now, or None when it can."""
    if quarter.status == QuarterStatus.PUBLISHED:
        return _("The quarter is published; its settings are frozen.")
    if quarter.status == QuarterStatus.ANNOUNCED:
        return _("The quarter's results are announced; its settings are frozen.")
    return None


@dataclass(frozen=True)
class _Diff:
    fields: dict[str, tuple[Any, Any]]
    criteria: tuple[list, list] | None
    levels: tuple[list, list] | None
    grades: tuple[list, list] | None = None

    @property
    def empty(self) -> bool:
        return not self.fields and self.criteria is None and self.levels is None and self.grades is None

    def touches_scoring(self) -> bool:
        lists = (self.criteria, self.levels, self.grades)
        return any(item is not None for item in lists) or any(f in SCORING_FIELDS for f in self.fields)


@transaction.atomic
def quarter_update_settings(
    *,
    quarter: Quarter,
    actor: Any,
    criteria: Sequence[CriterionSpec] | None = None,
    levels: Sequence[LevelSpec] | None = None,
    grades: Sequence[GradeSpec] | None = None,
    **changes: Any,
) -> Quarter:
    """Change a quarter's settings, criteria, levels and grades (None: unchanged); each change is audited.

    Only what differs from the stored values counts as a change. Scoring settings are refused once the
    quarter holds a ballot, while it is open and once it is published; the window until it is published.
    Raises ValidationError with a translated message; nothing is changed then.
    """
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown setting: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    # The title is a label, not a setting a score depends on: changing it is a rename, allowed in every status.
    title = changes.pop("title", None)
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    diff = _diff(quarter, changes, criteria, levels, grades)
    if not diff.empty:
        quarter = _apply_settings(quarter, actor, diff, criteria, levels, grades)
        results_version_bump(quarter_id=quarter.pk)
    if title is not None:
        quarter = quarter_rename(quarter=quarter, actor=actor, title=title)
    return quarter


def _apply_settings(
    quarter: Quarter,
    actor: Any,
    diff: _Diff,
    criteria: Sequence[CriterionSpec] | None,
    levels: Sequence[LevelSpec] | None,
    grades: Sequence[GradeSpec] | None = None,
) -> Quarter:
    _check_allowed(quarter, diff)
    for field, (_old, new) in diff.fields.items():
        setattr(quarter, field, new)
    quarter.full_clean()
    _validate_settings(quarter)
    if diff.criteria is not None:
        _validate_criteria(criteria or [])
    new_levels = list(levels) if diff.levels is not None else level_specs(quarter)
    _validate_levels(new_levels, scale=quarter.scale)
    if diff.grades is not None:
        _validate_grades(grades or [])
    quarter.save()
    if diff.criteria is not None:
        _replace_criteria(quarter, list(criteria or []))
    if diff.levels is not None:
        _replace_levels(quarter, new_levels)
    if diff.grades is not None:
        _replace_grades(quarter, list(grades or []))
    _audit_settings(quarter, actor, diff)
    return quarter


def _diff(
    quarter: Quarter,
    changes: dict[str, Any],
    criteria: Sequence[CriterionSpec] | None,
    levels: Sequence[LevelSpec] | None,
    grades: Sequence[GradeSpec] | None = None,
) -> _Diff:
    fields = {
        name: (getattr(quarter, name), value) for name, value in changes.items() if getattr(quarter, name) != value
    }
    old_criteria = [_criterion_json(spec) for spec in criteria_specs(quarter)]
    new_criteria = [_criterion_json(spec) for spec in criteria] if criteria is not None else old_criteria
    old_levels = [_level_json(spec) for spec in level_specs(quarter)]
    new_levels = [_level_json(spec) for spec in levels] if levels is not None else old_levels
    old_grades = [_grade_json(spec) for spec in grade_specs(quarter)]
    new_grades = [_grade_json(spec) for spec in grades] if grades is not None else old_grades
    return _Diff(
        fields=fields,
        criteria=(old_criteria, new_criteria) if new_criteria != old_criteria else None,
        levels=(old_levels, new_levels) if new_levels != old_levels else None,
        grades=(old_grades, new_grades) if new_grades != old_grades else None,
    )


def _check_allowed(quarter: Quarter, diff: _Diff) -> None:
    reason = window_locked_reason(quarter)
    if reason is None and diff.touches_scoring():
        reason = settings_locked_reason(quarter)
    if reason is not None:
        raise ValidationError(reason)


def _validate_settings(quarter: Quarter) -> None:
    errors: dict[str, list[str]] = {}
    weights = [quarter.weight(source) for source in Source.values]
    if any(w is None or w < 0 or w > 100 for w in weights) or sum(weights) != 100:
        errors["weight_grassroots"] = [
            _("The source weights must be whole percentages between 0 and 100 that add up to 100 (now %(sum)s).")
            % {"sum": sum(w or 0 for w in weights)}
        ]
    if quarter.trim_min_n is None or quarter.trim_min_n < TRIM_MIN_N_FLOOR:
        errors["trim_min_n"] = [_("Trimming needs at least 3 values.")]
    if quarter.anonymity_k is None or quarter.anonymity_k < 1:
        errors["anonymity_k"] = [_("The anonymity threshold must be at least 1.")]
    if refusal := rules.top_level_cap_refusal(scale=quarter.scale, cap=quarter.top_level_cap):
        errors["top_level_cap"] = [refusal]
    if quarter.opens_at and quarter.closes_at and quarter.opens_at >= quarter.closes_at:
        errors["closes_at"] = [_("The voting window must open before it closes.")]
    if errors:
        raise ValidationError(errors)


def _validate_criteria(specs: Sequence[CriterionSpec]) -> None:
    if not specs:
        raise ValidationError(_("A quarter needs at least one criterion."))
    codes = [spec.code for spec in specs]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each criterion needs its own code."))
    for spec in specs:
        try:
            Criterion(code=spec.code, name=spec.name, weight=spec.weight).clean_fields(exclude=["quarter", "order"])
        except ValidationError as error:
            raise ValidationError(
                _("Criterion %(code)s: %(problem)s") % {"code": spec.code, "problem": " ".join(error.messages)}
            ) from None
        if Decimal(spec.weight) <= 0:
            raise ValidationError(_("Criterion %(code)s: the weight must be above 0.") % {"code": spec.code})


def _validate_levels(specs: Sequence[LevelSpec], *, scale: str) -> None:
    labels = [spec.label.strip() for spec in specs]
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Each level needs its own label."))
    if scale == "levels" and not specs:
        raise ValidationError(_("The levels scale needs at least one level."))
    for spec in specs:
        if not spec.label.strip() or len(spec.label) > 20:
            raise ValidationError(_("A level label has 1 to 20 characters."))
        points = Decimal(spec.points)
        if not points.is_finite() or not Decimal(0) <= points <= Decimal(100):
            raise ValidationError(_("Level %(label)s: points must be between 0 and 100.") % {"label": spec.label})


def _validate_grades(specs: Sequence[GradeSpec]) -> None:
    problems = grade_problems(specs)
    if problems:
        raise ValidationError([_grade_message(specs, index, message) for index, _column, message in problems])


def _grade_message(specs: Sequence[GradeSpec], index: int | None, message: str) -> str:
    if index is None:
        return message
    return _("Grade %(label)s: %(problem)s") % {"label": specs[index].label or index + 1, "problem": message}


def _replace_grades(quarter: Quarter, specs: Sequence[GradeSpec]) -> None:
    quarter.grades.all().delete()
    Grade.objects.bulk_create(
        Grade(quarter=quarter, label=spec.label, quota=spec.quota, min_score=spec.min_score, order=index)
        for index, spec in enumerate(specs)
    )


def _replace_criteria(quarter: Quarter, specs: Sequence[CriterionSpec]) -> None:
    quarter.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(quarter=quarter, code=spec.code, name=spec.name, weight=spec.weight, order=index)
        for index, spec in enumerate(specs)
    )


def _replace_levels(quarter: Quarter, specs: Sequence[LevelSpec]) -> None:
    quarter.levels.all().delete()
    Level.objects.bulk_create(
        Level(quarter=quarter, label=spec.label.strip(), points=spec.points, order=index)
        for index, spec in enumerate(specs)
    )


def _criterion_json(spec: CriterionSpec) -> list[str]:
    return [spec.code, spec.name, _number(spec.weight)]


def _level_json(spec: LevelSpec) -> list[str]:
    return [spec.label.strip(), _number(spec.points)]


def _grade_json(spec: GradeSpec) -> list[Any]:
    return [spec.label, spec.quota, None if spec.min_score is None else _number(spec.min_score)]


def _number(value: Any) -> str:
    # Decimal("1.0000") and Decimal("1") are the same weight; compare and store them alike.
    number = Decimal(value)
    if not within_digits(number):
        return str(number)  # never a stored value, and refused by the validation that follows the comparison
    return format(number.normalize(), "f")


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _audit_settings(quarter: Quarter, actor: Any, diff: _Diff) -> None:
    details: dict[str, Any] = {
        name: {"old": _json_value(old), "new": _json_value(new)} for name, (old, new) in diff.fields.items()
    }
    if diff.criteria is not None:
        details["criteria"] = {"old": diff.criteria[0], "new": diff.criteria[1]}
    if diff.levels is not None:
        details["levels"] = {"old": diff.levels[0], "new": diff.levels[1]}
    if diff.grades is not None:
        details["grades"] = {"old": diff.grades[0], "new": diff.grades[1]}
    audit_record(
        action=AuditAction.SETTINGS_CHANGED,
        summary=lambda: (
            _("Settings of %(code)s changed: %(fields)s") % {"code": quarter.code, "fields": ", ".join(details)}
        ),
        actor=actor,
        quarter=quarter,
        details=details,
    )


@transaction.atomic
def quarter_rename(*, quarter: Quarter, actor: Any, title: str) -> Quarter:
    """Change a quarter's title, in any status; audited with the old and the new title.

    The title names the quarter on its pages and takes no part in a score, so even a published quarter may be
    renamed (its frozen results keep the numbers they were published with). The same title is no change.
    """
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    old, new = quarter.title, (title or "").strip()
    if new == old:
        return quarter
    quarter.title = new
    quarter.full_clean(validate_unique=False)
    quarter.save(update_fields=["title"])
    results_version_bump(quarter_id=quarter.pk)
    audit_record(
        action=AuditAction.QUARTER_RENAMED,
        summary=lambda: (
            _("%(code)s renamed from “%(old)s” to “%(new)s”") % {"code": quarter.code, "old": old, "new": new}
        ),
        actor=actor,
        quarter=quarter,
        details={"title": {"old": old, "new": new}},
    )
    return quarter


def quarter_delete_refusal(quarter: Quarter) -> str | None:
    """Why `quarter` cannot be deleted, or None when it can: only a draft without a ballot, voided or not.

    A draft holds no problem: they are raised from open quarters on, and a quarter never goes back to draft.
    """
    if quarter.status != QuarterStatus.DRAFT:
        return _("Only a draft quarter can be deleted; this one is %(status)s.") % {
            "status": QuarterStatus(quarter.status).label
        }
    if Ballot.objects.filter(quarter=quarter).exists():
        return _("The quarter holds ballots (voided ones included); it cannot be deleted.")
    return None


@transaction.atomic
def quarter_delete(*, quarter: Quarter, actor: Any) -> None:
    """Delete a draft quarter without ballots, with its criteria, levels and unused codes; audited.

    The quarter's earlier audit entries are kept, detached from it (the log outlives what it describes), and the
    deletion itself is recorded with the code and title, since the quarter is gone.
    """
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if refusal := quarter_delete_refusal(quarter):
        raise ValidationError(refusal)
    code, title = quarter.code, quarter.title
    codes = BallotCode.objects.filter(quarter=quarter).count()
    AuditEntry.objects.filter(quarter=quarter).update(quarter=None)
    quarter.delete()
    audit_record(
        action=AuditAction.QUARTER_DELETED,
        summary=lambda: _("Draft quarter %(code)s deleted") % {"code": code},
        actor=actor,
        details={"code": code, "title": title, "codes_discarded": codes},
    )
