"""Objections (申诉): a representative files them on the department's announced result and reads the answers;
the evaluation group sees every objection of a quarter and answers each (docs/design.md "Quarter lifecycle")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluation.forms.objections import UPHELD, ObjectionAnswerForm, ObjectionForm
from evaluation.models import Objection, ObjectionStatus, Quarter, quarter_lookup
from evaluation.selectors.objections import department_objections, quarter_objections
from evaluation.services.lifecycle import finalise_blockers
from evaluation.services.objections import objection_answer, objection_file, objection_filing_refusal
from evaluation.views.access import managed_quarter, manager_required


@login_required
@require_http_methods(["GET", "POST"])
def objections_mine(request: HttpRequest, code: str) -> HttpResponse:
    """A representative's department: its objections of the quarter with their answers, and a form to file one."""
    user = request.user
    if not (user.has_perm("evaluation.file_objection") and user.unit_id is not None):
        raise PermissionDenied
    quarter = get_object_or_404(Quarter, **quarter_lookup(code))
    department = user.unit
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                objection_file(quarter=quarter, actor=user, department=department, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your objection is filed. The evaluation group will answer it."))
                return redirect("evaluation:objections_mine", code=quarter.key)
        status = 400
    context = {
        "quarter": quarter,
        "department": department,
        "objections": department_objections(quarter, department.pk),
        "refusal": objection_filing_refusal(quarter, user, department),
        "form": form,
    }
    return render(request, "evaluation/objections/mine.html", context, status=status)


@require_GET
@manager_required
def objection_list(request: HttpRequest, code: str) -> HttpResponse:
    """Every objection of the quarter with its age, and an answer form for each one waiting."""
    quarter = managed_quarter(code)
    objections = list(quarter_objections(quarter))
    for objection in objections:
        if objection.status == ObjectionStatus.OPEN:
            objection.answer_form = ObjectionAnswerForm(objection=objection, auto_id=f"id_o{objection.pk}_%s")
    context = {"quarter": quarter, "objections": objections, "blockers": finalise_blockers(quarter)}
    return render(request, "evaluation/objections/list.html", context)


@require_POST
@manager_required
def objection_answer_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    quarter = managed_quarter(code)
    objection = get_object_or_404(Objection, pk=pk, quarter=quarter)
    form = ObjectionAnswerForm(request.POST, objection=objection)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("evaluation:objections", code=quarter.key)
    try:
        objection_answer(
            objection=objection,
            actor=request.user,
            upheld=form.cleaned_data["verdict"] == UPHELD,
            answer=form.cleaned_data["answer"],
            correction=form.cleaned_data["correction"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Answer saved; the department can read it."))
    return redirect("evaluation:objections", code=quarter.key)
