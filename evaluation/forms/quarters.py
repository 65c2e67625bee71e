"""Forms of the quarter console: create a quarter, change its settings, lifecycle, codes, voids."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Programme, Unit, workstyle
from evaluation.criteria_templates import TEMPLATES, CriterionSpec, LevelSpec
from evaluation.grades import GradeSpec, grade_problems
from evaluation.models import Quarter, QuarterStatus, Source, quarter_code_validator
from evaluation.services.codes import MAX_CODES_PER_ISSUE
from evaluation.services.quarters import (
    LIFECYCLE_FIELDS,
    SETTINGS_FIELDS,
    TEXT_FIELDS,
    WINDOW_FIELDS,
    criteria_specs,
    grade_specs,
    level_specs,
    quarter_exists,
)

COPY_PREVIOUS = "previous"


class QuarterCreateForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Quarter"),
        max_length=7,
        help_text=gettext_lazy("For example 2026Q3."),
    )
    start_from = forms.ChoiceField(label=gettext_lazy("Start from"))
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.all(),
        to_field_name="code",
        empty_label=None,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(key, template.title) for key, template in TEMPLATES.items()]
        choices.append((COPY_PREVIOUS, gettext_lazy("The previous quarter's settings")))
        self.fields["start_from"].choices = choices
        self.fields["programme"].initial = workstyle().code

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        quarter_code_validator(code)
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        programme = data["programme"] = data.get("programme") or workstyle()
        if "code" in data and quarter_exists(programme, data["code"]):
            self.add_error("code", _("Quarter %(code)s already exists.") % {"code": data["code"]})
        return data


def _lines(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.strip():
            rows.append([part.strip() for part in line.replace("，", ",").split(",")])
    return rows


def _decimal(text: str, line: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(
            _("Line %(line)s: %(value)s is not a number.") % {"line": line, "value": text}
        ) from None
    if not value.is_finite():
        raise forms.ValidationError(_("Line %(line)s: %(value)s is not a number.") % {"line": line, "value": text})
    return value


# What Level.points and Criterion.weight hold. Checked here, on the field, before the service compares the new
# settings with the stored ones: arithmetic on a number such as 1e999999999 would overflow there.
_CENT = Decimal("0.01")
_WEIGHT_STEP = Decimal("0.0001")
_WEIGHT_LIMIT = Decimal(10000)


def _level_points(text: str, line: int) -> Decimal:
    points = _decimal(text, line)
    if not Decimal(0) <= points <= Decimal(100) or points != points.quantize(_CENT):
        raise forms.ValidationError(
            _("Line %(line)s: points must be between 0 and 100, with at most two decimals.") % {"line": line}
        )
    return points


def _criterion_weight(text: str, line: int) -> Decimal:
    weight = _decimal(text, line)
    if not Decimal(0) < weight < _WEIGHT_LIMIT or weight != weight.quantize(_WEIGHT_STEP):
        raise forms.ValidationError(
            _("Line %(line)s: the weight must be above 0 and below 10000, with at most four decimals.") % {"line": line}
        )
    return weight


class QuarterSettingsForm(forms.ModelForm):
    """The quarter's settings; levels and criteria are edited as lines of comma-separated values."""

    levels_text = forms.CharField(
        label=gettext_lazy("Levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One level a line: label, points (0–100). 不了解 (not familiar) is always offered."),
    )
    criteria_text = forms.CharField(
        label=gettext_lazy("Criteria"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One criterion a line: code, name, weight (above 0)."),
    )

    grade_mode = forms.ChoiceField(
        label=gettext_lazy("Grades by"),
        choices=[
            ("quota", gettext_lazy("Quota (share of the ranked departments)")),
            ("min_score", gettext_lazy("Minimum score")),
        ],
        initial="quota",
        required=False,  # a form posted without it grades by quota
    )
    grades_text = forms.CharField(
        label=gettext_lazy("Grades"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Optional, best grade first, one a line: label, quota (a whole percentage; the quotas add up to 100) "
            "or label, minimum score. Leave empty for no grades."
        ),
    )

    class Meta:
        model = Quarter
        # The title has a form of its own (QuarterRenameForm): it may change in every status.
        fields = [name for name in SETTINGS_FIELDS if name not in TEXT_FIELDS]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, scoring_locked: bool = False, window_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarter = self.instance
        for source in Source.values:  # a programme's own source names (群众评议 …) label its weights and minimums
            if quarter.programme_id is not None and quarter.programme.source_label(source):
                named = {"source": quarter.source_label(source)}
                self.fields[f"weight_{source}"].label = _("Weight of %(source)s (%%)") % named
                self.fields[f"min_ballots_{source}"].label = _("Fewest ballots of %(source)s for a score") % named
        self.fields["levels_text"].initial = "\n".join(f"{s.label}, {_plain(s.points)}" for s in level_specs(quarter))
        self.fields["criteria_text"].initial = "\n".join(
            f"{s.code}, {s.name}, {_plain(s.weight)}" for s in criteria_specs(quarter)
        )
        grades = grade_specs(quarter) if quarter.pk else []
        self.fields["grades_text"].initial = "\n".join(
            f"{g.label}, {g.quota if g.quota is not None else _plain(g.min_score)}"
            for g in grades  # type: ignore[arg-type]
        )
        if grades and grades[0].quota is None:
            self.fields["grade_mode"].initial = "min_score"
        for name, field in self.fields.items():
            # The window never affects a score; it stays editable until publication.
            if name in WINDOW_FIELDS or name in LIFECYCLE_FIELDS:
                field.disabled = window_locked
            else:
                field.disabled = scoring_locked or window_locked
        # Left empty, the quarter has no announcement (docs/design.md "Quarter lifecycle").
        self.fields["announcement_days"].required = False

    def clean_announcement_days(self) -> int:
        value = self.cleaned_data.get("announcement_days")
        return 0 if value is None else value

    def _post_clean(self) -> None:
        # The service validates and saves; the form only converts (the instance must not change here).
        pass

    def clean_levels_text(self) -> list[LevelSpec]:
        specs = []
        for number, parts in enumerate(_lines(self.cleaned_data["levels_text"]), start=1):
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(_("Line %(line)s: write a label and its points.") % {"line": number})
            specs.append(LevelSpec(parts[0], _level_points(parts[1], number)))
        return specs

    def clean_criteria_text(self) -> list[CriterionSpec]:
        specs = []
        for number, parts in enumerate(_lines(self.cleaned_data["criteria_text"]), start=1):
            if len(parts) != 3 or not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Line %(line)s: write a code, a name and a weight.") % {"line": number})
            specs.append(CriterionSpec(parts[0], parts[1], _criterion_weight(parts[2], number)))
        return specs

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "grades_text" in cleaned and "grade_mode" in cleaned:
            try:
                cleaned["grades"] = self._grades(cleaned["grades_text"], by_quota=cleaned["grade_mode"] != "min_score")
            except forms.ValidationError as error:
                self.add_error("grades_text", error)
        return cleaned

    @staticmethod
    def _grades(text: str, *, by_quota: bool) -> list[GradeSpec]:
        specs = []
        for number, parts in enumerate(_lines(text), start=1):
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(_("Line %(line)s: write a label and a number.") % {"line": number})
            value = _decimal(parts[1], number)
            if by_quota and value != value.to_integral_value():
                raise forms.ValidationError(_("Line %(line)s: a quota is a whole percentage.") % {"line": number})
            specs.append(GradeSpec(parts[0], int(value), None) if by_quota else GradeSpec(parts[0], None, value))
        problems = grade_problems(specs)
        if problems:
            raise forms.ValidationError(
                [message if index is None else f"{specs[index].label}: {message}" for index, _c, message in problems]
            )
        return specs

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for quarter_update_settings."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["levels"] = self.cleaned_data["levels_text"]
        data["criteria"] = self.cleaned_data["criteria_text"]
        data["grades"] = self.cleaned_data["grades"]
        return data


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=QuarterStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )


class CodesIssueForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Grassroots unit"), queryset=Unit.objects.grassroots())
    count = forms.IntegerField(
        label=gettext_lazy("Number of codes"), min_value=1, max_value=MAX_CODES_PER_ISSUE, initial=50
    )

    def __init__(self, *args: Any, quarter: Quarter | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if quarter is not None and not quarter.programme.is_workstyle:
            self.fields["unit"].label = gettext_lazy("Rating unit")  # its workers rate the branches under it


class QuarterRenameForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)


class _ReasonForm(forms.Form):
    """A correction's reason: required, and blank space is no reason."""

    missing_reason: Any = ""
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea({"rows": 2}))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(str(self.missing_reason))
        return reason


class VoidForm(_ReasonForm):
    missing_reason = gettext_lazy("Voiding a ballot needs a reason.")


class UnvoidForm(_ReasonForm):
    missing_reason = gettext_lazy("Undoing a void needs a reason.")
