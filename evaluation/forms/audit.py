"""The filters of the audit log across quarters (GET): who, which action, which quarter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from evaluation.forms.fields import QuarterChoiceField
from evaluation.models import Quarter
from evaluation.selectors.quarters import audit_actors


class AuditFilterForm(forms.Form):
    # By username and code, so that a filtered address reads as ?who=evaluator1&quarter=2026Q3.
    who = forms.ModelChoiceField(
        label=_("Who"), queryset=audit_actors(), required=False, to_field_name="username", empty_label=_("Anyone")
    )
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("Any action")), *AuditAction.choices], required=False)
    quarter = QuarterChoiceField(
        label=_("Quarter"),
        queryset=Quarter.objects.order_by("-code"),
        required=False,
        to_field_name="code",
        empty_label=_("Every quarter"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].queryset = audit_actors()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def filters(self) -> dict[str, Any]:
        """The chosen filters as `audit_log` takes them; none for an unbound form."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"actor": data["who"], "action": data["action"], "quarter": data["quarter"]}
