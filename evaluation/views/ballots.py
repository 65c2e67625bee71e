"""The rater's side: ballot pages for a code, a department rep, a leader and a grassroots account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from departments.models import Unit, UnitKind
from departments.roles import Role
from evaluation.forms.ballots import BallotGrid, grid_context
from evaluation.models import Ballot, BallotCode, GrassrootsParticipation, Quarter, QuarterStatus, Source
from evaluation.services.ballots import BallotRefused, ballot_submit, ballot_window_refusal
from evaluation.services.codes import format_code, normalise_code
from evaluation.throttle import code_attempt_failed, code_found, code_lookup_allowed, with_device_cookie
from evaluation.views.privacy import code_query_redirect

CODE_MAX_LENGTH = 40  # typed text, before normalising; stored codes are shorter


# --- pages shared by every way in ---------------------------------------------------------------


def _notice(request: HttpRequest, *, title: str, message: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render(
        request, "evaluation/ballot/notice.html", {"title": title, "message": message, **extra}, status=status
    )


def _no_open_quarter(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        title=_("No voting at the moment"),
        message=_("No quarter is open for voting now. Please come back when the evaluation group opens one."),
    )


def _already_voted(request: HttpRequest, quarter: Quarter, source: str) -> HttpResponse:
    return _notice(
        request,
        title=_("Already voted"),
        message=_("The %(source)s ballot for %(quarter)s has already been submitted. Thank you.")
        % {"source": Source(source).label, "quarter": quarter.code},
    )


def _form(
    request: HttpRequest, grid: BallotGrid, *, error: str = "", code: str = "", unit: Unit | None = None
) -> HttpResponse:
    context = grid_context(grid) | {
        "quarter": grid.quarter,
        "source": grid.source,
        "source_label": Source(grid.source).label,
        "error": error,
        "code": code,
        "rater_unit": unit,
    }
    return render(request, "evaluation/ballot/form.html", context, status=400 if error else 200)


@never_cache
def ballot_done(request: HttpRequest) -> HttpResponse:
    """The confirmation after a ballot was stored; it shows nothing about the ballot or the rater."""
    return render(request, "evaluation/ballot/done.html")


# --- the quarter --------------------------------------------------------------------------------


def _pick_quarter(request: HttpRequest) -> Quarter | HttpResponse:
    """The open quarter the rater votes in: the only one, or the one named by `quarter`."""
    open_quarters = list(Quarter.objects.filter(status=QuarterStatus.OPEN).order_by("code"))
    wanted = (request.POST if request.method == "POST" else request.GET).get("quarter", "")
    if wanted:
        chosen = next((q for q in open_quarters if q.code == wanted), None)
        if chosen is None:
            return _notice(
                request,
                title=_("Voting is not open"),
                message=_("Quarter %(quarter)s is not open for voting.") % {"quarter": wanted[:7]},
                status=400 if request.method == "POST" else 404,
            )
        return chosen
    if not open_quarters:
        return _no_open_quarter(request)
    if len(open_quarters) > 1:
        return _notice(
            request,
            title=_("Choose a quarter"),
            message=_("Several quarters are open for voting. Which one do you want to rate?"),
            quarters=open_quarters,
        )
    return open_quarters[0]


def _account_ballot(
    request: HttpRequest,
    *,
    source: str,
    own_unit: Unit | None,
    has_voted: Callable[[Quarter], bool],
) -> HttpResponse:
    """GET shows the ballot, POST submits it (refused ballots come back with the answers kept)."""
    quarter = _pick_quarter(request)
    if isinstance(quarter, HttpResponse):
        return quarter
    if refusal := ballot_window_refusal(quarter):
        return _notice(request, title=_("Voting is not open"), message=refusal)
    if has_voted(quarter):
        return _already_voted(request, quarter, source)
    grid = BallotGrid(quarter, source=source, own_unit=own_unit)
    if request.method == "POST":
        try:
            parsed = grid.parse(request.POST)
            ballot_submit(
                quarter=quarter,
                source=source,
                values=parsed.values,
                comments=parsed.comments,
                rater=request.user,
                rater_unit=own_unit,
                sheet=grid.sheet,
            )
        except BallotRefused as refusal:
            return _form(request, grid, error=refusal.messages[0], unit=own_unit)
        return redirect("evaluation:ballot_done")
    return _form(request, grid, unit=own_unit)


def _require_role(request: HttpRequest, permission: str, role: Role) -> None:
    if not (request.user.has_perm(permission) and request.user.has_role(role)):
        raise PermissionDenied


# --- logged-in raters ---------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_leadership(request: HttpRequest) -> HttpResponse:
    """A group leader's ballot: one per quarter."""
    _require_role(request, "evaluation.submit_leadership_ballot", Role.LEADER)

    def has_voted(quarter: Quarter) -> bool:
        return Ballot.objects.filter(
            quarter=quarter, source=Source.LEADERSHIP, rater=request.user, voided_at__isnull=True
        ).exists()

    return _account_ballot(request, source=Source.LEADERSHIP, own_unit=None, has_voted=has_voted)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_peer(request: HttpRequest) -> HttpResponse:
    """A department's peer ballot, by its representative: every other department, never its own."""
    _require_role(request, "evaluation.submit_peer_ballot", Role.DEPARTMENT_REP)
    unit = request.user.unit
    if unit is None or not unit.active or not unit.is_evaluated:
        return _notice(
            request,
            title=_("No department"),
            message=_("Your account does not belong to an evaluated department, so it cannot submit a peer ballot."),
            status=403,
        )

    def has_voted(quarter: Quarter) -> bool:
        return Ballot.objects.filter(
            quarter=quarter, source=Source.PEER, rater_unit=unit, voided_at__isnull=True
        ).exists()

    return _account_ballot(request, source=Source.PEER, own_unit=unit, has_voted=has_voted)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_grassroots(request: HttpRequest) -> HttpResponse:
    """A grassroots rater's own ballot for their unit: once per quarter, stored without their name."""
    _require_role(request, "evaluation.submit_grassroots_ballot", Role.GRASSROOTS_RATER)
    unit = request.user.unit
    if unit is None or not unit.active or unit.kind != UnitKind.GRASSROOTS:
        return _notice(
            request,
            title=_("No grassroots unit"),
            message=_("Your account does not belong to a grassroots unit, so it cannot submit a grassroots ballot."),
            status=403,
        )

    def has_voted(quarter: Quarter) -> bool:
        return GrassrootsParticipation.objects.filter(quarter=quarter, user=request.user).exists()

    # The grid is the same as a code ballot's; `own_unit` only excludes a department for peer ballots.
    return _account_ballot(request, source=Source.GRASSROOTS, own_unit=None, has_voted=has_voted)


# --- ballot codes -------------------------------------------------------------------------------


def _too_many_attempts(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        title=_("Too many attempts"),
        message=_("Too many wrong ballot codes were tried from this device. Please wait ten minutes and try again."),
        status=429,
    )


def _code_entry(request: HttpRequest, *, error: str = "", typed: str = "", status: int = 200) -> HttpResponse:
    return render(request, "evaluation/ballot/code.html", {"error": error, "typed": typed}, status=status)


def _find_code(text: str) -> BallotCode | None:
    normalised = normalise_code(text[:CODE_MAX_LENGTH])
    if not normalised or len(normalised) > BallotCode._meta.get_field("code").max_length:
        return None
    # Codes are ASCII letters and digits: anything else (a NUL, which PostgreSQL refuses, too) matches none.
    if not (normalised.isascii() and normalised.isalnum()):
        return None
    return BallotCode.objects.select_related("quarter", "unit").filter(code=normalised).first()


@never_cache
@with_device_cookie
@require_http_methods(["GET", "POST"])
def ballot_code(request: HttpRequest) -> HttpResponse:
    """A grassroots ballot opened by a one-time code (from a slip's QR code, or typed in), always POSTed.

    A POST with `open` opens the ballot for the code; one without submits it. A GET with `?code=` (an
    old link) is redirected to this page with the code in the fragment (evaluation.views.privacy).

    The code travels with the form and is consumed when the ballot is stored; it is never stored on it.
    Only a code that matches nothing counts as a guess (evaluation.throttle).
    """
    if redirect_to := code_query_redirect(request, "evaluation:ballot_code"):
        return redirect_to
    text = request.POST.get("code", "").strip()
    if not text:
        if request.method == "POST":
            return _code_entry(request, error=_("Please type the code printed on your slip."), status=400)
        return _code_entry(request)
    if not code_lookup_allowed(request):
        return _too_many_attempts(request)
    found = _find_code(text)
    if found is None:
        if not code_attempt_failed(request):
            return _too_many_attempts(request)
        return _code_entry(
            request, error=_("This ballot code is not valid. Check it and try again."), typed=text[:40], status=400
        )
    code_found(request)
    if found.used:
        return _code_used(request)
    return _code_ballot(request, found)


def _code_used(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        title=_("Code already used"),
        message=_("This ballot code has already been used. Each code opens one ballot only."),
        status=409,
    )


def _code_ballot(request: HttpRequest, found: BallotCode) -> HttpResponse:
    quarter = found.quarter
    if refusal := ballot_window_refusal(quarter):
        return _notice(request, title=_("Voting is not open"), message=refusal)
    grid = BallotGrid(quarter, source=Source.GRASSROOTS)
    shown_code = format_code(found.code)
    if request.method == "POST" and "open" not in request.POST:
        try:
            if request.POST.get("quarter", quarter.code) != quarter.code:
                raise BallotRefused(
                    _("This ballot code belongs to another quarter. Nothing was stored."), code="tampered"
                )
            parsed = grid.parse(request.POST)
            # Whoever is logged in, a code ballot is stored without an account.
            ballot_submit(
                quarter=quarter,
                source=Source.GRASSROOTS,
                values=parsed.values,
                comments=parsed.comments,
                code=found,
                sheet=grid.sheet,
            )
        except BallotRefused as refusal:
            if refusal.code == "code_used":
                return _code_used(request)
            return _form(request, grid, error=refusal.messages[0], code=shown_code, unit=found.unit)
        return redirect("evaluation:ballot_done")
    return _form(request, grid, code=shown_code, unit=found.unit)
