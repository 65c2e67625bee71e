"""Problems pages: the board, details with their timeline, raising, answering, closing, and the units' view.

Who sees what:
- evaluators (manage_quarters) raise, close and reopen problems and read ballot comments;
- evaluators and leaders (view_provisional_results) read the board and every problem;
- a department's representatives read and answer their department's problems, but never learn which
  department raised a problem made from a peer-review comment, nor the text of a problem made from a comment
  the k-rule keeps from them (`selectors.as_read_by`);
- the raising unit's people read the problems it raised and their answers: a grassroots unit's rater accounts,
  anyone holding one of that unit's ballot codes (used or not, any quarter), and, for a peer department, its
  representatives (who rate as peers);
- a comment becomes a problem only when its department may read it (the k-rule); otherwise the evaluator
  records the problem in their own words.
No page shows which person wrote a comment: comments are read as plain values without their ballot's rater.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.models import WORKSTYLE, Programme, Unit
from evaluation.forms.problems import (
    AnswerForm,
    BoardFilterForm,
    CloseForm,
    CommentFilterForm,
    FollowUpForm,
    ProblemForm,
    ProblemFromCommentForm,
    ReopenForm,
    UnitCodeForm,
)
from evaluation.models import BallotCode, BallotComment, Problem, ProblemStatus
from evaluation.selectors import problems as selectors
from evaluation.services import problems as services
from evaluation.services.codes import normalise_code
from evaluation.throttle import code_attempt_failed, code_found, code_lookup_allowed, with_device_cookie
from evaluation.views.privacy import code_query_redirect

BOARD_PAGE_SIZE = 50
BOARD_ATTENTION = {"quarter": "", "status": ProblemStatus.OPEN}


def _is_evaluator(user: Any) -> bool:
    return user.has_perm("evaluation.manage_quarters")


def _sees_board(user: Any) -> bool:
    return user.has_perm("evaluation.view_provisional_results")


def _rates_for_a_unit(user: Any) -> bool:
    """A grassroots rater, or a department representative (who rates its department's peers)."""
    return bool(
        user.is_authenticated
        and user.unit_id is not None
        and (user.has_perm("evaluation.submit_grassroots_ballot") or user.has_perm("evaluation.submit_peer_ballot"))
    )


def _is_raising_unit_rater(user: Any, problem: Problem) -> bool:
    return bool(
        _rates_for_a_unit(user) and problem.raising_unit_id is not None and user.unit_id == problem.raising_unit_id
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _get_problem_for_user(request: HttpRequest, pk: int) -> Problem:
    """The problem, if this user may read it (the board's readers, its department's reps, its unit's raters),
    cut down to what the user may see of it."""
    problem = get_object_or_404(selectors.readable_problems(), pk=pk)
    user = request.user
    _require(_sees_board(user) or services.can_answer(user, problem) or _is_raising_unit_rater(user, problem))
    return selectors.as_read_by(user, [problem])[0]


def _refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the board ---------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Problems with filters and each department's figures, this quarter next to the previous one."""
    _require(_sees_board(request.user))
    data = request.GET.copy()
    attention = not set(data) - {"page"}
    if attention:
        # Unfiltered, the board opens on what needs attention: open problems of every quarter, overdue first.
        data.update(BOARD_ATTENTION)
    form = BoardFilterForm(data)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "", False)}
    quarter = filters.get("quarter")
    problems = selectors.problem_board(**filters)
    page = Paginator(problems, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.figures_table(quarter=quarter)
    form.speak_for(quarter)
    query = data.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "quarter": quarter,
        "previous": selectors.previous_quarter(quarter) if quarter is not None else None,
        "rows": rows,
        "totals": selectors.figures_totals(rows),
        "page": page,
        "query": query.urlencode(),
        "can_manage": _is_evaluator(request.user),
        "today": timezone.localdate(),
        "attention": attention,
    }
    return render(request, "evaluation/problems/board.html", context)


# --- one problem ---------------------------------------------------------------


def _render_detail(request: HttpRequest, problem: Problem, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    is_evaluator = _is_evaluator(user)
    answerable = services.can_answer(user, problem) and problem.status != ProblemStatus.CLOSED
    context = {
        "problem": problem,
        "today": timezone.localdate(),
        "timeline": selectors.problem_timeline(problem),
        "show_people": _sees_board(user) or services.can_answer(user, problem),
        "answer_form": forms.get("answer_form")
        or (AnswerForm(initial={"answer": problem.answer}) if answerable else None),
        "close_form": forms.get("close_form")
        or (CloseForm() if is_evaluator and problem.status != ProblemStatus.CLOSED else None),
        "reopen_form": forms.get("reopen_form")
        or (ReopenForm() if is_evaluator and problem.status != ProblemStatus.OPEN else None),
    }
    return render(request, "evaluation/problems/detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A problem, its answer and its timeline, with the actions the user may take."""
    return _render_detail(request, _get_problem_for_user(request, pk))


@login_required
@require_POST
def problem_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's representative answers, or revises the answer."""
    problem = _get_problem_for_user(request, pk)
    _require(services.can_answer(request.user, problem))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.problem_answer(actor=request.user, problem=problem, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_error(None, _refusal_text(error))
        else:
            messages.success(request, _("Your answer has been saved."))
            if request.POST.get("next") == "mine":
                return redirect("evaluation:my_problems")
            return redirect(problem_url(problem))
    return _render_detail(request, problem, status=400, answer_form=form)


@login_required
@require_POST
def problem_close(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _get_problem_for_user(request, pk)
    _require(_is_evaluator(request.user))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.problem_close(actor=request.user, problem=problem, remark=form.cleaned_data["remark"])
        except ValidationError as error:
            form.add_error(None, _refusal_text(error))
        else:
            messages.success(request, _("The problem is closed."))
            return redirect(problem_url(problem))
    return _render_detail(request, problem, status=400, close_form=form)


@login_required
@require_POST
def problem_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _get_problem_for_user(request, pk)
    _require(_is_evaluator(request.user))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.problem_reopen(
                actor=request.user,
                problem=problem,
                remark=form.cleaned_data["remark"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            form.add_error(None, _refusal_text(error))
        else:
            messages.success(request, _("The problem is open again."))
            return redirect(problem_url(problem))
    return _render_detail(request, problem, status=400, reopen_form=form)


def problem_url(problem: Problem) -> str:
    return reverse("evaluation:problem_detail", args=[problem.pk])


# --- raising problems -------------------------------------------------------------


@login_required
def problem_create(request: HttpRequest) -> HttpResponse:
    """An evaluator records a problem reported in a meeting or otherwise, naming the raising unit."""
    _require(_is_evaluator(request.user))
    form = ProblemForm(request.POST or None, initial={"quarter": selectors.current_problem_quarter()})
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _refusal_text(error))
        else:
            messages.success(request, _("The problem has been sent to the department."))
            return redirect(problem_url(problem))
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/problems/create.html", {"form": form}, status=status)


@login_required
def comments(request: HttpRequest) -> HttpResponse:
    """A quarter's ballot comments by department, each with the unit it speaks for and a way to track it."""
    _require(_is_evaluator(request.user))
    form = CommentFilterForm(request.GET or None, initial={"quarter": selectors.current_problem_quarter()})
    filters: dict[str, Any] = {"quarter": selectors.current_problem_quarter()}
    if request.GET and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        filters.setdefault("quarter", selectors.current_problem_quarter())
    rows = selectors.quarter_comments(**filters) if filters.get("quarter") else []
    form.speak_for(filters.get("quarter"))
    return render(
        request, "evaluation/problems/comments.html", {"form": form, "rows": rows, "quarter": filters.get("quarter")}
    )


def _get_comment_for_evaluator(request: HttpRequest, comment_id: Any) -> BallotComment:
    _require(_is_evaluator(request.user))
    return get_object_or_404(
        BallotComment.objects.select_related("department", "ballot__quarter", "ballot__rater_unit").filter(
            ballot__voided_at__isnull=True
        ),
        pk=comment_id,
    )


@login_required
def problem_from_comment(request: HttpRequest, comment_id: Any) -> HttpResponse:
    """Turn one comment into a problem; title and description start as the comment's text."""
    comment = _get_comment_for_evaluator(request, comment_id)
    existing = Problem.objects.filter(comment=comment).first()
    if existing is not None:
        messages.info(request, _("This comment is already a tracked problem."))
        return redirect(problem_url(existing))
    refusal = services.comment_k_refusal(comment)
    initial = {"title": services.title_from_text(comment.text), "description": comment.text}
    # Below the k-rule there is no form: the evaluator is sent to record the problem in their own words.
    form = None if refusal else ProblemFromCommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            problem = services.problem_create_from_comment(actor=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _refusal_text(error))
        else:
            messages.success(request, _("The problem has been sent to the department."))
            return redirect(problem_url(problem))
    context = {
        "form": form,
        "comment_text": comment.text,
        "department": comment.department,
        "quarter": comment.ballot.quarter,
        "source_label": comment.ballot.quarter.source_label(comment.ballot.source),
        "raising_unit": services.comment_raising_unit(comment),
        "refusal": refusal,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/problems/from_comment.html", context, status=status)


# --- the departments' and the units' views -----------------------------------------------


@login_required
def my_problems(request: HttpRequest) -> HttpResponse:
    """A representative's department's problems, with an answer form for those not closed."""
    user = request.user
    _require(user.has_perm("evaluation.answer_problem") and user.unit_id is not None)
    problems = selectors.department_problems(user.unit, reader=user)
    for problem in problems:
        problem.answer_form = (
            AnswerForm(initial={"answer": problem.answer}, auto_id=f"id_p{problem.pk}_%s")
            if problem.status != ProblemStatus.CLOSED
            else None
        )
    return render(
        request,
        "evaluation/problems/mine.html",
        {"department": user.unit, "problems": problems, "today": timezone.localdate()},
    )


def _unit_from_code(request: HttpRequest, form: UnitCodeForm) -> Unit | None:
    """The unit whose ballot code was typed; wrong codes are counted against the device and address."""
    if not code_lookup_allowed(request):
        form.add_error("code", _("Too many wrong codes. Wait ten minutes and try again."))
        return None
    code = BallotCode.objects.select_related("unit").filter(code=normalise_code(form.cleaned_data["code"])).first()
    if code is None:
        if not code_attempt_failed(request):
            form.add_error("code", _("Too many wrong codes. Wait ten minutes and try again."))
            return None
        form.add_error("code", _("This code is not valid. Check it against your slip."))
        return None
    code_found(request)
    return code.unit


@with_device_cookie
def unit_problems(request: HttpRequest) -> HttpResponse:
    """The problems a unit raised and their answers, for the unit's own people.

    A logged-in grassroots rater sees their unit's, a department's representative the problems their department
    raised as a peer; anyone else enters (or scans) one of a grassroots unit's ballot codes, used or unused; it is
    POSTed, never put in the address (evaluation.views.privacy). Nothing here names a person.
    """
    if redirect_to := code_query_redirect(request, "evaluation:unit_problems"):
        return redirect_to
    user = request.user
    unit: Unit | None = None
    form = UnitCodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    if form.is_bound and form.is_valid():
        unit = _unit_from_code(request, form)
    elif _rates_for_a_unit(user):
        unit = user.unit
    problems = list(selectors.unit_problems(unit)) if unit is not None else None
    # A unit known by its slip code carries the code in each follow-up form (a POST, never the address).
    code = form.cleaned_data["code"] if form.is_bound and unit is not None else ""
    for problem in problems or []:
        if services.follow_up_refusal(problem, unit) is None:
            problem.follow_up_form = FollowUpForm(initial={"code": code}, auto_id=f"id_f{problem.pk}_%s")
    status = 400 if form.is_bound and unit is None else 200
    return render(
        request,
        "evaluation/problems/unit.html",
        {
            "form": form,
            "unit": unit,
            "problems": problems,
            "answered_by_departments": _answered_by_departments(unit, problems or []),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _answered_by_departments(unit: Unit | None, problems: list[Problem]) -> bool:
    """Whether the unit's problems are work style's, answered by headquarters departments: not when one of them is
    another programme's, or the unit is itself rated by another programme (a party branch)."""
    if unit is None or any(not problem.quarter.programme.is_workstyle for problem in problems):
        return False
    return not any(unit.kind in programme.kinds for programme in Programme.objects.exclude(code=WORKSTYLE))


@require_POST
@with_device_cookie
def problem_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """回访 from the raising unit: by its account, or by one of its slip codes typed on the unit's page."""
    problem = get_object_or_404(Problem, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the answer satisfied your unit."))
        return _back_to_unit_page(request)
    unit, actor = None, None
    code_form = UnitCodeForm({"code": form.cleaned_data["code"]})
    if form.cleaned_data["code"] and code_form.is_valid():
        unit = _unit_from_code(request, code_form)
    elif _rates_for_a_unit(request.user):
        unit, actor = request.user.unit, request.user
    if code_form.errors and form.cleaned_data["code"]:
        for message in code_form.errors.get("code", []):
            messages.error(request, message)
        return _back_to_unit_page(request)
    try:
        services.problem_follow_up(
            problem=problem,
            unit=unit,
            satisfied=form.cleaned_data["satisfied"],
            remark=form.cleaned_data["remark"],
            actor=actor,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you; your unit's follow-up is recorded."))
    return _back_to_unit_page(request)


def _back_to_unit_page(request: HttpRequest) -> HttpResponse:
    return redirect("evaluation:unit_problems")
