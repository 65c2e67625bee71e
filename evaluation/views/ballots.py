"""The rater's side: ballot pages for a code, a department rep, a leader and a grassroots account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from departments.models import Unit
from departments.roles import Role
from evaluation import ballot_rules as rules
from evaluation.forms.ballots import CONFIRM_FIELD, BallotGrid, PostedBallot, grid_context
from evaluation.models import BallotCode, Quarter, QuarterStatus, Source
from evaluation.prepared import PreparedRead
from evaluation.services.ballots import BallotRefused, ballot_check, ballot_store, ballot_window_refusal
from evaluation.services.codes import format_code, normalise_code
from evaluation.throttle import code_attempt_failed, code_found, code_lookup_allowed, with_device_cookie
from evaluation.views.privacy import code_query_redirect

CODE_MAX_LENGTH = 40  # typed text, before normalising; stored codes are shorter
# Ballots that know their rater (docs/design.md, anonymity): one per account or department is enforced.
LINKED_SOURCES = (Source.PEER, Source.LEADERSHIP)


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


def _already_voted(request: HttpRequest, message: str) -> HttpResponse:
    return _notice(request, title=_("Already voted"), message=message)


def _form(
    request: HttpRequest,
    grid: BallotGrid,
    *,
    error: str = "",
    code: str = "",
    unit: Unit | None = None,
    confirm: str = "",
    confirm_empty: int = 0,
) -> HttpResponse:
    context = grid_context(grid) | {
        "quarter": grid.quarter,
        "source": grid.source,
        "source_label": grid.quarter.source_label(grid.source),
        "error": error,
        "code": code,
        "rater_unit": unit,
        "confirm": confirm,
        "confirm_field": CONFIRM_FIELD,
        "confirm_empty": confirm_empty,
    }
    return render(request, "evaluation/ballot/form.html", context, status=400 if error else 200)


def _submit(
    request: HttpRequest, grid: BallotGrid, *, shown_code: str = "", unit: Unit | None = None, **who: Any
) -> HttpResponse:
    """Check the posted ballot; store it, or first ask the rater to confirm its empty cells (the server decides)."""
    posted: PostedBallot = grid.parse(request.POST)
    checked = ballot_check(
        quarter=grid.quarter,
        source=grid.source,
        values=posted.values,
        comments=posted.comments,
        sheet=grid.sheet,
        scope=grid.scope,
        **who,
    )
    if posted.needs_confirmation(gives_values=bool(checked.rows)):
        question = posted.confirmation(gives_values=bool(checked.rows))
        return _form(request, grid, code=shown_code, unit=unit, confirm=question, confirm_empty=posted.empty)
    ballot_store(quarter=grid.quarter, checked=checked)
    return _done(grid.source, grid.quarter)


@never_cache
def ballot_done(request: HttpRequest) -> HttpResponse:
    """The confirmation after a ballot was stored; it shows nothing about the ballot or the rater.

    `?source=` tells a peer or leadership rater, whose ballot is linked to the account, what is kept; without it the
    page speaks of grassroots ballots, which keep no name. `?programme=` (any but work style) speaks of the units
    that programme evaluates rather than of headquarters departments.
    """
    linked = request.GET.get("source") in LINKED_SOURCES
    workstyle = "programme" not in request.GET
    return render(request, "evaluation/ballot/done.html", {"linked": linked, "workstyle": workstyle})


def _done(source: str, quarter: Quarter) -> HttpResponse:
    query = {"source": source} if source in LINKED_SOURCES else {}
    if not quarter.programme.is_workstyle:
        query["programme"] = quarter.programme.code
    url = reverse("evaluation:ballot_done")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


# --- the quarter --------------------------------------------------------------------------------


def _not_collected(request: HttpRequest, message: str) -> HttpResponse:
    return _notice(request, title=_("Not collected"), message=message, status=400 if request.method == "POST" else 200)


def _pick_quarter(request: HttpRequest, source: str) -> Quarter | HttpResponse:
    """The open quarter the rater votes in: the only one collecting `source`, or the one named by `quarter`."""
    every_open = [quarter for quarter in _open_quarters() if rules.takes_part(quarter, source, request.user)]
    open_quarters = [quarter for quarter in every_open if rules.quarter_source_refusal(quarter, source) is None]
    wanted = (request.POST if request.method == "POST" else request.GET).get("quarter", "")
    if wanted:
        chosen = next((q for q in every_open if q.key == wanted), None)
        if chosen is None:
            return _notice(
                request,
                title=_("Voting is not open"),
                message=_("Quarter %(quarter)s is not open for voting.") % {"quarter": wanted[:40]},
                status=400 if request.method == "POST" else 404,
            )
        if refusal := rules.quarter_source_refusal(chosen, source):
            return _not_collected(request, refusal)
        return chosen
    if not open_quarters:
        if every_open:  # open, but this source has weight 0 there
            return _not_collected(request, rules.quarter_source_refusal(every_open[0], source))
        return _no_open_quarter(request)
    if len(open_quarters) > 1:
        return _notice(
            request,
            title=_("Choose a quarter"),
            message=_("Several quarters are open for voting. Which one do you want to rate?"),
            quarters=open_quarters,
        )
    return open_quarters[0]


def _account_ballot(request: HttpRequest, *, source: str, own_unit: Unit | None) -> HttpResponse:
    """GET shows the ballot, POST submits it (refused ballots come back with the answers kept)."""
    quarter = _pick_quarter(request, source)
    if isinstance(quarter, HttpResponse):
        return quarter
    if refusal := ballot_window_refusal(quarter):
        return _notice(request, title=_("Voting is not open"), message=refusal)
    # `own_unit` only excludes a department for peer ballots; a peer ballot is the department's.
    unit = own_unit if source == Source.PEER else None
    if rules.has_voted(quarter, source, user=request.user, unit=unit):
        return _already_voted(
            request, rules.already_voted_message(source, quarter_code=quarter.code, user=request.user, unit=unit)
        )
    rating_unit = request.user.unit if source == Source.GRASSROOTS else own_unit
    grid = BallotGrid(quarter, source=source, own_unit=own_unit, rating_unit=rating_unit, rater=request.user)
    if request.method == "POST":
        try:
            return _submit(request, grid, unit=own_unit, rater=request.user, rater_unit=own_unit)
        except BallotRefused as refusal:
            return _form(request, grid, error=refusal.messages[0], unit=own_unit)
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
    return _account_ballot(request, source=Source.LEADERSHIP, own_unit=None)


def _rated_kinds() -> set[str]:
    """The kinds some open programme rates: a branch's secretary reaches the peer ballot of a branch programme."""
    return {kind for quarter in _open_quarters() for kind in quarter.programme.kinds}


def _open_quarters() -> list[Quarter]:
    return list(Quarter.objects.filter(status=QuarterStatus.OPEN).select_related("programme").order_by("code"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_peer(request: HttpRequest) -> HttpResponse:
    """A department's peer ballot, by its representative: every other department, never its own."""
    _require_role(request, "evaluation.submit_peer_ballot", Role.DEPARTMENT_REP)
    unit = request.user.unit
    if refusal := rules.rating_unit_refusal(Source.PEER, unit, _rated_kinds()):
        return _notice(request, title=_("No department"), message=refusal, status=403)
    return _account_ballot(request, source=Source.PEER, own_unit=unit)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_grassroots(request: HttpRequest) -> HttpResponse:
    """A grassroots rater's own ballot for their unit: once per quarter, stored without their name."""
    _require_role(request, "evaluation.submit_grassroots_ballot", Role.GRASSROOTS_RATER)
    if refusal := rules.rating_unit_refusal(Source.GRASSROOTS, request.user.unit):
        return _notice(request, title=_("No grassroots unit"), message=refusal, status=403)
    # The grid is the same as a code ballot's.
    return _account_ballot(request, source=Source.GRASSROOTS, own_unit=None)


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
    return _CODE_READ.first(code=normalised)


# Every code ballot opened or submitted reads its code with its quarter, programme and unit: the query is
# compiled once per process (evaluation.prepared), which saves about 1 ms of CPU per request. Codes are unique.
_CODE_READ = PreparedRead(
    lambda code: BallotCode.objects.select_related("quarter__programme", "unit").filter(code=code), "code"
)


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
    if refusal := rules.quarter_source_refusal(quarter, Source.GRASSROOTS):
        return _not_collected(request, refusal)
    grid = BallotGrid(quarter, source=Source.GRASSROOTS, rating_unit=found.unit)
    shown_code = format_code(found.code)
    if request.method == "POST" and "open" not in request.POST:
        try:
            if request.POST.get("quarter", quarter.key) != quarter.key:
                raise BallotRefused(
                    _("This ballot code belongs to another quarter. Nothing was stored."), code="tampered"
                )
            # Whoever is logged in, a code ballot is stored without an account.
            return _submit(request, grid, shown_code=shown_code, unit=found.unit, code=found)
        except BallotRefused as refusal:
            if refusal.code == "code_used":
                return _code_used(request)
            return _form(request, grid, error=refusal.messages[0], code=shown_code, unit=found.unit)
    return _form(request, grid, code=shown_code, unit=found.unit)
