"""Forms of objections (申诉) to announced results and of their answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from audit.models import AuditEntry
from evaluation.models import Objection, ObjectionPoint
from evaluation.selectors.objections import correction_choices
from evaluation.services.objections import OBJECTION_MAX_LENGTH

UPHELD, REJECTED = "upheld", "rejected"


class ObjectionForm(forms.Form):
    point = forms.ChoiceField(label=gettext_lazy("Point of the result"), choices=ObjectionPoint.choices)
    text = forms.CharField(
        label=gettext_lazy("Objection"),
        max_length=OBJECTION_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        help_text=gettext_lazy("What is wrong in the result and why, as precisely as you can."),
    )


class CorrectionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AuditEntry) -> str:
        return f"{obj.at:%Y-%m-%d %H:%M} · {obj.localized_summary}"


class ObjectionAnswerForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[(UPHELD, gettext_lazy("Upheld")), (REJECTED, gettext_lazy("Rejected"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=gettext_lazy("Reasons"), max_length=OBJECTION_MAX_LENGTH, widget=forms.Textarea({"rows": 3})
    )
    correction = CorrectionField(
        label=gettext_lazy("Correction made"),
        queryset=AuditEntry.objects.none(),
        required=False,
        help_text=gettext_lazy("For an upheld objection: the void, adjustment or re-announcement that corrected it."),
    )

    def __init__(self, *args: Any, objection: Objection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["correction"].queryset = correction_choices(objection)
