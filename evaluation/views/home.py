"""The home page: what the visitor can do now.

Signed-in users see a list of cards: a ballot card per open quarter for each
rating role they hold (with "not yet voted" / "voted"), then links to the
pages their permissions open. A link card appears only when its URL name
exists, so areas add theirs to LINK_CARDS without touching anything else.
The evaluation group sees what needs its attention instead
(evaluation.selectors.dashboard), with the same links as one row of buttons.
Anonymous visitors get the ballot-code box and the login button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from departments.models import UnitKind
from departments.roles import Role
from evaluation import ballot_rules as rules
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.selectors.dashboard import evaluation_group_home
from evaluation.selectors.rankings import visible_quarters
from evaluation.services.ballots import ballot_window_refusal
from evaluation.views.access import MANAGE, readable_statuses


@dataclass
class Card:
    title: str
    text: str
    url: str = ""
    button: str = ""
    status: str = ""
    done: bool = False


@dataclass(frozen=True)
class LinkCard:
    url_name: str
    permission: str
    title: Any
    text: Any
    # The page is about the user's own unit: an account without one (an admin, say) is not offered it.
    needs_unit: bool = False


# Pages other than ballots, in the order shown. A card needs its permission (and, if it says so, the user's unit)
# and an existing URL name.
LINK_CARDS: tuple[LinkCard, ...] = (
    LinkCard(
        "evaluation:quarter_list",
        "evaluation.manage_quarters",
        gettext_lazy("Quarter console"),
        gettext_lazy("Settings, opening and closing, ballot codes, participation, voids and exports."),
    ),
    LinkCard(
        "evaluation:rankings",
        "evaluation.view_published_results",
        gettext_lazy("Rankings"),
        gettext_lazy("Quarterly and annual rankings of the departments."),
    ),
    LinkCard(
        "evaluation:problems",
        "evaluation.view_provisional_results",
        gettext_lazy("Problems board"),
        gettext_lazy("Problems raised by the plants and mines: open, overdue and answered."),
    ),
    LinkCard(
        "evaluation:comments",
        "evaluation.manage_quarters",
        gettext_lazy("Comments"),
        gettext_lazy("Read the comments on ballots and turn them into tracked problems."),
    ),
    LinkCard(
        "evaluation:entry",
        "evaluation.manage_quarters",
        gettext_lazy("Paper ballots"),
        gettext_lazy("Key in ballots collected on paper."),
    ),
    LinkCard(
        "evaluation:import_quarter",
        "evaluation.manage_quarters",
        gettext_lazy("Workbooks"),
        gettext_lazy("Import a quarter workbook or download its template."),
    ),
    LinkCard(
        "evaluation:my_problems",
        "evaluation.answer_problem",
        gettext_lazy("Problems for my department"),
        gettext_lazy("Answer the problems addressed to your department."),
        needs_unit=True,
    ),
    LinkCard(
        "evaluation:unit_problems",
        "evaluation.submit_grassroots_ballot",
        gettext_lazy("Answers to my unit"),
        gettext_lazy("How the departments answered the problems your unit raised."),
        needs_unit=True,
    ),
)


def _reverse_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _rating_sources(user: Any) -> list[tuple[str, str]]:
    """(source, ballot URL name) for each rating role the user holds."""
    sources = []
    if user.has_role(Role.LEADER) and user.has_perm("evaluation.submit_leadership_ballot"):
        sources.append((Source.LEADERSHIP, "evaluation:ballot_leadership"))
    unit = user.unit
    # Which programme's peer ballot a representative casts is the quarter's to say (ballot_rules.takes_part).
    if user.has_role(Role.DEPARTMENT_REP) and unit is not None and unit.kind != UnitKind.GRASSROOTS:
        sources.append((Source.PEER, "evaluation:ballot_peer"))
    if user.has_role(Role.GRASSROOTS_RATER) and unit is not None and not unit.is_evaluated:
        sources.append((Source.GRASSROOTS, "evaluation:ballot_grassroots"))
    return sources


def _ballot_card(user: Any, quarter: Quarter, source: str, url_name: str, *, several: bool) -> Card:
    title = _("%(quarter)s: %(source)s ballot") % {"quarter": quarter.full_name, "source": quarter.source_label(source)}
    if rules.has_voted(quarter, source, user=user, unit=user.unit):
        return Card(title=title, text=_("Thank you, this ballot has been submitted."), status=_("Voted"), done=True)
    if refusal := ballot_window_refusal(quarter):
        return Card(title=title, text=refusal, status=_("Not open now"))
    url = reverse(url_name) + (f"?quarter={quarter.key}" if several else "")
    if quarter.programme.is_workstyle:
        text = _("Rate the departments on each criterion; it takes a few minutes.")
    else:
        text = _("Rate the units on each criterion; it takes a few minutes.")
    return Card(
        title=title,
        text=text,
        url=url,
        button=_("Vote now"),
        status=_("Not yet voted"),
    )


def _ballot_cards(user: Any) -> list[Card]:
    sources = _rating_sources(user)
    if not sources:
        return []
    quarters = list(Quarter.objects.filter(status=QuarterStatus.OPEN).select_related("programme").order_by("code"))
    several = len(quarters) > 1
    # A source of weight 0 is not collected in that quarter, so it gets no card (docs/scoring.md).
    return [
        _ballot_card(user, quarter, source, url_name, several=several)
        for quarter in quarters
        for source, url_name in sources
        if source in quarter.active_sources and rules.takes_part(quarter, source, user)
    ]


def _link_cards(user: Any) -> list[Card]:
    cards = []
    for link in LINK_CARDS:
        allowed = user.has_perm(link.permission) and (user.unit_id is not None or not link.needs_unit)
        url = _reverse_or_none(link.url_name) if allowed else None
        if url:
            cards.append(Card(title=str(link.title), text=str(link.text), url=url, button=pgettext("button", "Open")))
    return cards


def _current_quarters(user: Any) -> list[Quarter]:
    """Per programme, the newest quarter whose ranking the user may open: where each programme stands now."""
    current: dict[int, Quarter] = {}
    for quarter in visible_quarters(readable_statuses(user)):
        current.setdefault(quarter.programme_id, quarter)
    return list(current.values())


def home(request: HttpRequest) -> HttpResponse:
    """What the visitor can do now: vote, follow a quarter, read results."""
    if not request.user.is_authenticated:
        return render(request, "evaluation/home.html", {})
    ballot_cards = _ballot_cards(request.user)
    return render(
        request,
        "evaluation/home.html",
        {
            "ballot_cards": ballot_cards,
            "link_cards": _link_cards(request.user),
            "current_quarters": _current_quarters(request.user),
            # The evaluation group's own view: what needs its attention, the pages as a row of links.
            "evaluation_group": evaluation_group_home() if request.user.has_perm(MANAGE) else None,
        },
    )
