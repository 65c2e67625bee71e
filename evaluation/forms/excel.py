"""Forms for the workbook upload and the paper-ballot data-entry page."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Unit, User
from departments.roles import Role
from evaluation.criteria_templates import ABSTAIN_LABELS
from evaluation.imports.common import REPLACE_LABEL
from evaluation.models import Criterion, Level, Quarter, QuarterStatus, Scale, Source

ENTRY_STATUSES = (QuarterStatus.OPEN, QuarterStatus.CLOSED)


class QuarterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Quarter workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    replace = forms.BooleanField(
        label=REPLACE_LABEL,
        help_text=gettext_lazy("Ballots entered in the browser or keyed in on the data-entry page are kept."),
        required=False,
    )


class EntryPickForm(forms.Form):
    """Which paper ballot is being keyed in: quarter, source, and its rating unit or leader."""

    quarter = forms.ModelChoiceField(
        label=gettext_lazy("Quarter"),
        queryset=Quarter.objects.filter(status__in=ENTRY_STATUSES),
        to_field_name="code",
        empty_label=None,
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=Source.choices)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Rating unit"),
        queryset=Unit.objects.filter(active=True).order_by("kind", "order", "code"),
        to_field_name="code",
        required=False,
        help_text=gettext_lazy("The grassroots unit (grassroots) or the rating department (peer)."),
    )
    rater = forms.ModelChoiceField(
        label=gettext_lazy("Leader"),
        queryset=User.objects.filter(is_active=True, groups__name=Role.LEADER).distinct().order_by("username"),
        to_field_name="username",
        required=False,
        help_text=gettext_lazy("For a leadership ballot."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("class", "form-select form-select-lg")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source, unit, rater = data.get("source"), data.get("unit"), data.get("rater")
        if source == Source.LEADERSHIP and rater is None:
            self.add_error("rater", _("Choose the leader whose ballot this is."))
        if source == Source.GRASSROOTS and (unit is None or unit.kind != "grassroots"):
            self.add_error("unit", _("Choose the grassroots unit the ballot comes from."))
        if source == Source.PEER and (unit is None or not unit.is_evaluated):
            self.add_error("unit", _("Choose the department whose peer ballot this is."))
        if source == Source.LEADERSHIP:
            data["unit"] = None
        else:
            data["rater"] = None
        return data


@dataclass
class EntryGrid:
    """The grid of a paper ballot: departments × criteria, and what was typed in it."""

    quarter: Quarter
    departments: list[Unit]
    criteria: list[Criterion]
    levels: list[Level]
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def uses_levels(self) -> bool:
        return self.quarter.scale == Scale.LEVELS

    @staticmethod
    def value_name(department: Unit, criterion: Criterion) -> str:
        return f"v-{department.pk}-{criterion.pk}"

    @staticmethod
    def comment_name(department: Unit) -> str:
        return f"c-{department.pk}"

    def rows(self) -> list[dict[str, Any]]:
        """Rows for the template; tab order runs down each column, then down the comments."""
        height = len(self.departments)
        rows = []
        for row_index, department in enumerate(self.departments):
            cells = []
            for column, criterion in enumerate(self.criteria):
                name = self.value_name(department, criterion)
                cells.append(
                    {
                        "name": name,
                        "value": self.typed.get(name, ""),
                        "error": self.errors.get(name, ""),
                        "tabindex": column * height + row_index + 1,
                        "label": f"{department.name} · {criterion.name}",
                    }
                )
            comment = self.comment_name(department)
            rows.append(
                {
                    "department": department,
                    "cells": cells,
                    "comment": {
                        "name": comment,
                        "value": self.typed.get(comment, ""),
                        "error": self.errors.get(comment, ""),
                        "tabindex": len(self.criteria) * height + row_index + 1,
                    },
                }
            )
        return rows

    def read(self, data: Any) -> tuple[dict[tuple[int, int], Decimal], dict[int, str]]:
        """The typed values as ballot_submit takes them; problems go to `errors` (per cell)."""
        values: dict[tuple[int, int], Decimal] = {}
        comments: dict[int, str] = {}
        for department in self.departments:
            for criterion in self.criteria:
                name = self.value_name(department, criterion)
                text = str(data.get(name, "")).strip()
                self.typed[name] = text
                try:
                    points = self._points(text)
                except ValidationError as error:
                    self.errors[name] = error.messages[0]
                    continue
                if points is not None:
                    values[(department.pk, criterion.pk)] = points
            name = self.comment_name(department)
            self.typed[name] = str(data.get(name, "")).strip()
            if self.typed[name]:
                comments[department.pk] = self.typed[name]
        return values, comments

    def _points(self, text: str) -> Decimal | None:
        if not text or text.casefold() in {label.casefold() for label in ABSTAIN_LABELS}:
            return None
        if self.uses_levels:
            return self._level_points(text)
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= 100 or number != int(number):
            raise ValidationError(_("Type a whole number from 0 to 100, or leave it blank (不了解)."))
        return number

    def _level_points(self, text: str) -> Decimal | None:
        if text == "0":
            return None
        for level in self.levels:
            if text == level.label:
                return level.points
        # isdecimal, not isdigit: int() cannot read digits such as ², and a short number is all a level needs.
        if text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= len(self.levels):
            return self.levels[int(text) - 1].points
        raise ValidationError(
            _("Type 1 to %(n)d (1 = %(best)s), or 0 or nothing for 不了解.")
            % {"n": len(self.levels), "best": self.levels[0].label if self.levels else ""}
        )
