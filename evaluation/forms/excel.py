"""Forms for the workbook upload and the paper-ballot data-entry page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Unit, User
from departments.roles import Role
from evaluation import ballot_rules as rules
from evaluation.ballot_rules import BallotRefused, ValueScale
from evaluation.forms.ballots import COMMENT_FIELD, VALUE_FIELD
from evaluation.forms.fields import QuarterChoiceField
from evaluation.imports.common import REPLACE_LABEL
from evaluation.models import COMMENT_MAX_LENGTH, Criterion, Level, Quarter, QuarterStatus, Scale, Source

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

    quarter = QuarterChoiceField(
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
        # A source of weight 0 is not collected: it is not offered unless some quarter open for entry collects it.
        # The field still knows every source, so one asked for anyway is refused with the rule's message (clean).
        collected = {source for quarter in self.fields["quarter"].queryset for source in quarter.active_sources}
        # The sources and the rating unit are named as the chosen (or preselected) quarter's programme names them.
        shown = self._shown_quarter()
        choices = shown.source_choices if shown is not None else Source.choices
        self.fields["source"].widget.choices = [(value, label) for value, label in choices if value in collected]
        if shown is not None and not shown.programme.is_workstyle:
            labels = shown.source_labels
            self.fields["unit"].help_text = _(
                "The unit whose workers' ballot this is (%(grassroots)s), or the rating unit (%(peer)s)."
            ) % {"grassroots": labels[Source.GRASSROOTS], "peer": labels[Source.PEER]}
            self.fields["rater"].help_text = _("For a %(source)s ballot.") % {"source": labels[Source.LEADERSHIP]}

    def _shown_quarter(self) -> Quarter | None:
        """The quarter the form is bound to or preselects, if it names one open for entry."""
        key = self.data.get("quarter") if self.is_bound else self.initial.get("quarter")
        try:
            return self.fields["quarter"].to_python(key)
        except forms.ValidationError:
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        quarter, source, unit, rater = data.get("quarter"), data.get("source"), data.get("unit"), data.get("rater")
        if quarter is not None and source and (refusal := rules.quarter_source_refusal(quarter, source)):
            self.add_error("source", refusal)
        if source == Source.LEADERSHIP and rater is None:
            self.add_error("rater", _("Choose the leader whose ballot this is."))
        elif source == Source.GRASSROOTS and unit is None:
            self.add_error("unit", _("Choose the grassroots unit the ballot comes from."))
        elif source == Source.PEER and unit is None:
            self.add_error("unit", _("Choose the department whose peer ballot this is."))
        elif source and (refusal := rules.paper_rater_refusal(source, rater=rater, rater_unit=unit)):
            self.add_error("rater" if source == Source.LEADERSHIP else "unit", refusal)
        elif quarter is not None and (refusal := _already_voted(quarter, source, rater=rater, unit=unit)):
            # Said when the rater is chosen, before the grid is typed in; ballot_submit checks again on save.
            self.add_error("rater" if source == Source.LEADERSHIP else "unit", refusal)
        if source == Source.LEADERSHIP:
            data["unit"] = None
        else:
            data["rater"] = None
        return data


def _already_voted(quarter: Quarter, source: str, *, rater: Any, unit: Unit | None) -> str | None:
    """The refusal for a peer department or a leader whose ballot is already in the quarter, else None.

    Grassroots paper ballots are many per unit (one per person), so a grassroots unit is never refused here.
    """
    if source not in (Source.PEER, Source.LEADERSHIP):
        return None
    if not rules.has_voted(quarter, source, user=rater, unit=unit):
        return None
    return rules.already_voted_message(source, quarter_code=quarter.code, user=rater, unit=unit)


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
                        "max_length": COMMENT_MAX_LENGTH,
                    },
                }
            )
        return rows

    @property
    def scale(self) -> ValueScale:
        return ValueScale(uses_levels=self.uses_levels, levels={level.label: level.points for level in self.levels})

    def read(self, data: Any) -> tuple[dict[tuple[int, int], str], dict[int, str]]:
        """The typed cells as ballot_submit takes them; a cell that breaks a ballot rule goes to `errors`."""
        values: dict[tuple[int, int], str] = {}
        comments: dict[int, str] = {}
        scale = self.scale
        for department in self.departments:
            for criterion in self.criteria:
                name = self.value_name(department, criterion)
                text = str(data.get(name, "")).strip()
                self.typed[name] = text
                value = self._unshortened(text)
                try:
                    rules.cell_centi(value, scale=scale, department=department.name, criterion=criterion.name)
                except BallotRefused as refused:
                    self.errors[name] = refused.messages[0]
                    continue
                values[(department.pk, criterion.pk)] = value
            name = self.comment_name(department)
            self.typed[name] = str(data.get(name, "")).strip()
            if self.typed[name]:
                comments[department.pk] = self.typed[name]
        self._read_foreign_fields(data, values, comments)
        return values, comments

    def _read_foreign_fields(self, data: Any, values: dict[tuple[int, int], str], comments: dict[int, str]) -> None:
        """Cells and comments posted for what is not on this grid go to ballot_submit, which refuses them."""
        for key in data:
            if (match := VALUE_FIELD.match(key)) and (pair := (int(match[1]), int(match[2]))) not in values:
                if key not in self.typed:
                    values[pair] = str(data.get(key, ""))
            elif (match := COMMENT_FIELD.match(key)) and key not in self.typed:
                comments[int(match[1])] = str(data.get(key, ""))

    def _unshortened(self, text: str) -> str:
        """A level typed by its number (1 = best; 0 for 不了解) as its label; anything else as typed.

        The shortcut is this page's keyboard aid only; what a cell may hold is decided by ballot_rules.
        """
        if not self.uses_levels:
            return text
        if text == "0":
            return rules.ABSTAIN
        # isdecimal, not isdigit: int() cannot read digits such as ², and a short number is all a level needs.
        if text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= len(self.levels):
            return self.levels[int(text) - 1].label
        return text
