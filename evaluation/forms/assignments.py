"""Forms of the rater relations page (测评关系): upload a workbook, add one pair."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from departments.models import Programme
from departments.usernames import fold_username
from evaluation.imports.assignments import PairLookups, PairRefused, check_pair


class AssignmentsUploadForm(forms.Form):
    # Large fields (form-control-lg) here and below: the page is used on phones, where a field is a tap target.

    file = forms.FileField(
        label=gettext_lazy("Workbook with an assignments sheet (.xlsx)"),
        help_text=gettext_lazy(
            "Its pairs replace every pair of this quarter; a file with any problem changes nothing."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control-lg"}),
    )


class AssignmentAddForm(forms.Form):
    """One rater → target pair, named by codes as in the assignments sheet, checked by the sheet's own rule."""

    rater_unit = forms.CharField(
        label=gettext_lazy("Rating unit (code)"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("For grassroots and peer ballots; leave empty for a leader."),
        widget=forms.TextInput(attrs={"list": "assignment-units", "autocomplete": "off", "class": "form-control-lg"}),
    )
    rater = forms.CharField(
        label=gettext_lazy("Leader (username)"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("For leadership ballots; leave empty for a rating unit."),
        widget=forms.TextInput(attrs={"list": "assignment-leaders", "autocomplete": "off", "class": "form-control-lg"}),
    )
    target = forms.CharField(
        label=gettext_lazy("Target (code)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "assignment-targets", "autocomplete": "off", "class": "form-control-lg"}),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        names = [data.get("rater_unit", ""), data.get("rater", ""), data.get("target", "")]
        codes = [names[0].strip(), fold_username(names[1].strip()), names[2].strip()]
        lookups = PairLookups.load(self.programme, codes=[code for code in codes if code])
        try:
            data["pair"] = check_pair(*names, lookups)
        except PairRefused as refused:
            self.add_error(refused.column, refused.message)
        return data
