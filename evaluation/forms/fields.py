"""Form fields shared by the evaluation forms."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from evaluation.models import QUARTER_KEY_PATTERN, Quarter, quarter_lookup


class QuarterChoiceField(forms.ModelChoiceField):
    """A quarter chosen by its key (2026Q3, or PROGRAMME.2026Q3 outside work style), so addresses read as codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Quarter) -> str:
        return str(obj) if obj.programme.is_workstyle else f"{obj.programme.name} {obj}"

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Quarter):
            return value.key
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Quarter | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Quarter):
            return value
        text = str(value)
        found = (
            self.queryset.filter(**quarter_lookup(text)).first() if re.fullmatch(QUARTER_KEY_PATTERN, text) else None
        )
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found
