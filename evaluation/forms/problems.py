"""Forms for problems: raising, answering, closing, reopening and filtering them."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import EVALUATED_KINDS, Unit
from evaluation.forms.fields import QuarterChoiceField
from evaluation.models import ProblemStatus, Quarter, QuarterStatus, Source

TEXT_MAX = 4000


class DateInput(forms.DateInput):
    input_type = "date"


def _not_in_past(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(_("The due date cannot be in the past."))
    return value


def problem_quarters() -> Any:
    return Quarter.objects.exclude(status=QuarterStatus.DRAFT).order_by("-code")


class ProblemFromCommentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX)
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for 15 days from today."),
    )

    def clean_due_on(self) -> datetime.date | None:
        return _not_in_past(self.cleaned_data.get("due_on"))


class ProblemForm(ProblemFromCommentForm):
    """A problem reported in a meeting or otherwise: the evaluator names the raising unit."""

    quarter = forms.ModelChoiceField(label=_("Quarter"), queryset=Quarter.objects.none(), empty_label=None)
    department = forms.ModelChoiceField(label=_("Addressed to"), queryset=Unit.objects.none())
    raising_unit = forms.ModelChoiceField(label=_("Raised by (unit)"), queryset=Unit.objects.none())

    field_order = ["quarter", "department", "raising_unit", "title", "description", "due_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].queryset = problem_quarters()
        self.fields["department"].queryset = Unit.objects.evaluated_in_any()
        self.fields["raising_unit"].queryset = Unit.objects.filter(active=True).order_by("kind", "order", "code")
        self.fields["description"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        department, raising_unit = cleaned.get("department"), cleaned.get("raising_unit")
        if department and raising_unit and department == raising_unit:
            self.add_error("raising_unit", _("A department cannot raise a problem addressed to itself."))
        return cleaned


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=TEXT_MAX)


class FollowUpForm(forms.Form):
    """回访: did the answer satisfy the unit that raised the problem? The unit's slip code, when not signed in."""

    satisfied = forms.TypedChoiceField(
        label=_("Did the answer satisfy your unit?"),
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(
        label=_("Remark"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
    )
    code = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class CloseForm(forms.Form):
    remark = forms.CharField(
        label=_("Remark"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
        help_text=_("Needed when the problem has not been answered."),
    )


class ReopenForm(forms.Form):
    remark = forms.CharField(
        label=_("Why is it reopened?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
    )
    due_on = forms.DateField(label=_("New due date"), required=False, widget=DateInput)

    def clean_due_on(self) -> datetime.date | None:
        return _not_in_past(self.cleaned_data.get("due_on"))


def _style_filters(form: forms.Form) -> None:
    """Bootstrap classes for filter widgets, which are laid out by hand rather than by crispy."""
    for field in form.fields.values():
        css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-select"
        field.widget.attrs.setdefault("class", css)


def _name_targets(form: forms.Form, quarter: Quarter | None) -> None:
    """Another programme's quarter rates units that are not departments: its filter says 被评单位."""
    if quarter is not None and not quarter.programme.is_workstyle:
        form["department"].label = _("Unit rated")  # the bound field, which validation has already made


class BoardFilterForm(forms.Form):
    """The board's filters (GET). An empty quarter means every quarter."""

    # Filters name quarters and units by code, so that a filtered address reads (and bookmarks) as
    # ?quarter=2026Q3&department=OPS.
    quarter = QuarterChoiceField(
        label=_("Quarter"),
        queryset=Quarter.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Every quarter"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Unit.objects.none(), required=False, to_field_name="code"
    )
    raising_unit = forms.ModelChoiceField(
        label=_("Raised by"), queryset=Unit.objects.none(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ProblemStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].queryset = problem_quarters()
        self.fields["department"].queryset = Unit.objects.filter(
            Q(problems__isnull=False) | Q(active=True, kind__in=EVALUATED_KINDS)
        ).distinct()
        self.fields["raising_unit"].queryset = Unit.objects.filter(active=True).order_by("kind", "order", "code")
        _style_filters(self)

    def speak_for(self, quarter: Quarter | None) -> None:
        """Name the units rated as the shown quarter's programme does (被评单位)."""
        _name_targets(self, quarter)


class CommentFilterForm(forms.Form):
    quarter = QuarterChoiceField(
        label=_("Quarter"), queryset=Quarter.objects.none(), required=False, to_field_name="code"
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Unit.objects.none(), required=False, to_field_name="code"
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("Any source")), *Source.choices], required=False)
    untracked = forms.BooleanField(label=_("Not yet a problem"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].queryset = problem_quarters()
        self.fields["department"].queryset = Unit.objects.evaluated_in_any()
        _style_filters(self)

    def speak_for(self, quarter: Quarter | None) -> None:
        """Name the sources and the units rated as the shown quarter's programme does (群众评议, 被评单位)."""
        if quarter is None:
            return
        self.fields["source"].choices = [("", _("Any source")), *quarter.source_choices]
        _name_targets(self, quarter)


class UnitCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code on your slip"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
