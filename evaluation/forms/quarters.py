"""Forms of the quarter console: create a quarter, change its settings, lifecycle, codes, voids."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from departments.models import Unit
from evaluation.criteria_templates import TEMPLATES, CriterionSpec, LevelSpec
from evaluation.models import Quarter, QuarterStatus, quarter_code_validator
from evaluation.services.codes import MAX_CODES_PER_ISSUE
from evaluation.services.quarters import SETTINGS_FIELDS, TEXT_FIELDS, WINDOW_FIELDS, criteria_specs, level_specs

COPY_PREVIOUS = "previous"


class QuarterCreateForm(forms.Form):
    code = forms.CharField(
        label=_lazy("Quarter"),
        max_length=7,
        help_text=_lazy("For example 2026Q3."),
    )
    start_from = forms.ChoiceField(label=_lazy("Start from"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(key, template.title) for key, template in TEMPLATES.items()]
        choices.append((COPY_PREVIOUS, _lazy("The previous quarter's settings")))
        self.fields["start_from"].choices = choices

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        quarter_code_validator(code)
        if Quarter.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Quarter %(code)s already exists.") % {"code": code})
        return code


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


class QuarterSettingsForm(forms.ModelForm):
    """The quarter's settings; levels and criteria are edited as lines of comma-separated values."""

    levels_text = forms.CharField(
        label=_lazy("Levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_lazy("One level a line: label, points (0–100). 不了解 (not familiar) is always offered."),
    )
    criteria_text = forms.CharField(
        label=_lazy("Criteria"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_lazy("One criterion a line: code, name, weight (above 0)."),
    )

    class Meta:
        model = Quarter
        fields = list(SETTINGS_FIELDS)
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, scoring_locked: bool = False, window_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarter = self.instance
        self.fields["levels_text"].initial = "\n".join(f"{s.label}, {_plain(s.points)}" for s in level_specs(quarter))
        self.fields["criteria_text"].initial = "\n".join(
            f"{s.code}, {s.name}, {_plain(s.weight)}" for s in criteria_specs(quarter)
        )
        for name, field in self.fields.items():
            # The window and the title never affect a score; they stay editable until publication.
            if name in WINDOW_FIELDS or name in TEXT_FIELDS:
                field.disabled = window_locked
            else:
                field.disabled = scoring_locked or window_locked

    def _post_clean(self) -> None:
        # The service validates and saves; the form only converts (the instance must not change here).
        pass

    def clean_levels_text(self) -> list[LevelSpec]:
        specs = []
        for number, parts in enumerate(_lines(self.cleaned_data["levels_text"]), start=1):
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(_("Line %(line)s: write a label and its points.") % {"line": number})
            specs.append(LevelSpec(parts[0], _decimal(parts[1], number)))
        return specs

    def clean_criteria_text(self) -> list[CriterionSpec]:
        specs = []
        for number, parts in enumerate(_lines(self.cleaned_data["criteria_text"]), start=1):
            if len(parts) != 3 or not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Line %(line)s: write a code, a name and a weight.") % {"line": number})
            specs.append(CriterionSpec(parts[0], parts[1], _decimal(parts[2], number)))
        return specs

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for quarter_update_settings."""
        data = {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}
        data["levels"] = self.cleaned_data["levels_text"]
        data["criteria"] = self.cleaned_data["criteria_text"]
        return data


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=QuarterStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_lazy("Reason"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2}))


class CodesIssueForm(forms.Form):
    unit = forms.ModelChoiceField(label=_lazy("Grassroots unit"), queryset=Unit.objects.grassroots())
    count = forms.IntegerField(label=_lazy("Number of codes"), min_value=1, max_value=MAX_CODES_PER_ISSUE, initial=50)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_lazy("Reason"), max_length=1000, widget=forms.Textarea({"rows": 2}))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Voiding a ballot needs a reason."))
        return reason
