"""The form for adding or changing an adjustment (加减分)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from departments.models import Unit
from evaluation.models import Quarter
from evaluation.services.adjustments import clean_points


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.code})"


class AdjustmentForm(forms.Form):
    department = DepartmentChoiceField(label=_("Department"), queryset=Unit.objects.none())
    points = forms.CharField(
        label=_("Points"),
        max_length=12,
        help_text=_("Positive for a bonus, negative for a penalty, at most two decimals, e.g. -1.50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, quarter: Quarter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Unit.objects.evaluated(quarter.programme).order_by("order", "code")

    def clean_points(self) -> Decimal:
        try:
            return clean_points(self.cleaned_data["points"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("An adjustment needs a reason."))
        return reason
