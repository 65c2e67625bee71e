"""Adjustments (加减分) pages for the evaluation group: list, add, edit, remove while the quarter is closed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from evaluation.forms.adjustments import AdjustmentForm
from evaluation.models import Adjustment, Quarter
from evaluation.services.adjustments import (
    adjustment_add,
    adjustment_refusal,
    adjustment_remove,
    adjustment_update,
)
from evaluation.views.access import managed_quarter, manager_required


def _get_adjustment_for_user(request: HttpRequest, quarter: Quarter, pk: int) -> Adjustment:
    return get_object_or_404(Adjustment.objects.select_related("department"), quarter=quarter, pk=pk)


def _form_error(form: AdjustmentForm, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@require_GET
@manager_required
def adjustment_list(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    adjustments = Adjustment.objects.filter(quarter=quarter).select_related("department", "created_by")
    context = {"quarter": quarter, "adjustments": adjustments, "refusal": adjustment_refusal(quarter)}
    return render(request, "evaluation/adjustments/list.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def adjustment_add_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    form = AdjustmentForm(request.POST or None, quarter=quarter)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment_add(quarter=quarter, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The adjustment was added."))
            return redirect("evaluation:adjustments", code=quarter.key)
    context = {"quarter": quarter, "form": form, "refusal": adjustment_refusal(quarter), "adding": True}
    return render(request, "evaluation/adjustments/form.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def adjustment_edit_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    quarter = managed_quarter(code)
    adjustment = _get_adjustment_for_user(request, quarter, pk)
    initial = {"department": adjustment.department, "points": f"{adjustment.points:.2f}", "reason": adjustment.reason}
    form = AdjustmentForm(request.POST or None, initial=initial, quarter=quarter)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment_update(adjustment=adjustment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The adjustment was changed."))
            return redirect("evaluation:adjustments", code=quarter.key)
    context = {"quarter": quarter, "form": form, "refusal": adjustment_refusal(quarter), "adjustment": adjustment}
    return render(request, "evaluation/adjustments/form.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def adjustment_delete_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    quarter = managed_quarter(code)
    adjustment = _get_adjustment_for_user(request, quarter, pk)
    if request.method == "POST":
        try:
            adjustment_remove(adjustment=adjustment, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The adjustment was removed."))
        return redirect("evaluation:adjustments", code=quarter.key)
    context = {"quarter": quarter, "adjustment": adjustment, "refusal": adjustment_refusal(quarter)}
    return render(request, "evaluation/adjustments/delete.html", context)
