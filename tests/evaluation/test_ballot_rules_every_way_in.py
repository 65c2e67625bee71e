"""One set of bad ballots, four ways in: the browser form, the keyed paper entry, the service and the workbook import.

Each way refuses each ballot with the same message, word for word, in English and in Chinese, and stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from departments.roles import Role
from departments.services import user_create
from departments.workbook import WorkbookInvalid
from evaluation.imports import quarter_import
from evaluation.models import Ballot, Origin, Quarter, Scale, Source
from evaluation.services.ballots import BallotRefused, ballot_submit
from tests.evaluation.ballot_helpers import full_values
from tests.evaluation.test_import_quarter import write_workbook

pytestmark = pytest.mark.django_db

LEVEL_TEXT = "优秀"


@dataclass(frozen=True)
class BadBallot:
    """A ballot that breaks one rule, described once for every way in."""

    name: str
    source: str
    target: str  # unit code
    value: str
    english: str  # the message every way gives in English
    rater_unit: str = ""  # peer and grassroots: the rating unit's code
    setup: Callable[[Quarter, dict], None] | None = None


def _points_scale(quarter: Quarter, people: dict) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(scale=Scale.POINTS)
    quarter.refresh_from_db()


def _leader_has_voted(quarter: Quarter, people: dict) -> None:
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=people["leader"])


def _leadership_off(quarter: Quarter, people: dict) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(weight_leadership=0, weight_grassroots=70)
    quarter.refresh_from_db()


BAD_BALLOTS = [
    BadBallot(
        "unknown target", Source.LEADERSHIP, "HRM", LEVEL_TEXT, "The ballot rates a department that is not evaluated."
    ),
    BadBallot(
        "own department",
        Source.PEER,
        "OPS",
        LEVEL_TEXT,
        "A department cannot rate itself in the peer review.",
        rater_unit="OPS",
    ),
    BadBallot(
        "value out of range",
        Source.LEADERSHIP,
        "OPS",
        "101",
        "运营改善部, 办事效率: “101” is not a whole number of points from 0 to 100.",
        setup=_points_scale,
    ),
    BadBallot(
        "bad level label",
        Source.LEADERSHIP,
        "OPS",
        "很好",
        "运营改善部, 办事效率: “很好” is not one of the levels (优秀、良好、一般、较差) nor Not familiar.",
    ),
    BadBallot(
        "already voted",
        Source.LEADERSHIP,
        "OPS",
        LEVEL_TEXT,
        "Leader1 has already submitted a leadership ballot for 2026Q3.",
        setup=_leader_has_voted,
    ),
    BadBallot(
        "source of weight 0",
        Source.LEADERSHIP,
        "OPS",
        LEVEL_TEXT,
        "Leadership is not collected in 2026Q3 (its weight is 0).",
        setup=_leadership_off,
    ),
    BadBallot(
        "wrong rating unit for the source",
        Source.PEER,
        "OPS",
        LEVEL_TEXT,
        "A peer ballot must come from an evaluated department.",
        rater_unit="HRM",
    ),
]


@pytest.fixture
def people(org, leader, rep, evaluator) -> dict:
    plant_rep = user_create(username="rep_hrm", full_name="Rep_Hrm", roles=[Role.DEPARTMENT_REP], unit=org["HRM"])
    return {"leader": leader, "OPS": rep, "HRM": plant_rep, "evaluator": evaluator}


def _criterion(quarter: Quarter):
    return quarter.criteria.order_by("order", "code").first()


def _field(quarter: Quarter, org: dict, bad: BadBallot) -> str:
    return f"v-{org[bad.target].pk}-{_criterion(quarter).pk}"


# --- the four ways in ---------------------------------------------------------------------------


def through_the_form(quarter, org, people, client_for, language, bad: BadBallot) -> str:
    user = people["leader"] if bad.source == Source.LEADERSHIP else people[bad.rater_unit]
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    url = reverse("evaluation:ballot_leadership" if bad.source == Source.LEADERSHIP else "evaluation:ballot_peer")
    response = client.post(url, {"quarter": quarter.code, _field(quarter, org, bad): bad.value})
    assert response.status_code in (200, 400, 403)
    return response.content.decode()


def through_keyed_entry(quarter, org, people, client_for, language, bad: BadBallot) -> list[str]:
    client = client_for(people["evaluator"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    pick = {"quarter": quarter.code, "source": bad.source}
    pick |= {"rater": "leader1"} if bad.source == Source.LEADERSHIP else {"unit": bad.rater_unit}
    response = client.post(f"{reverse('evaluation:entry')}?{urlencode(pick)}", {_field(quarter, org, bad): bad.value})
    shown = [str(message) for message in response.context["messages"]]
    shown += [error for errors in response.context["pick"].errors.values() for error in errors]
    if response.context["grid"] is not None:
        shown += list(response.context["grid"].errors.values())
    return shown


def through_the_service(quarter, org, people, language, bad: BadBallot) -> str:
    rater = people["leader"] if bad.source == Source.LEADERSHIP else people[bad.rater_unit]
    criterion = _criterion(quarter)
    with translation.override(language), pytest.raises(BallotRefused) as refused:
        ballot_submit(
            quarter=quarter,
            source=bad.source,
            values={(org[bad.target].pk, criterion.pk): bad.value},
            rater=rater,
            rater_unit=rater.unit if bad.source == Source.PEER else None,
        )
    return refused.value.messages[0]


def through_the_import(quarter, tmp_path: Path, language, bad: BadBallot) -> list[str]:
    codes = list(quarter.criteria.order_by("order", "code").values_list("code", flat=True))
    cells = [bad.value] + [None] * (len(codes) - 1)
    rater = "leader1" if bad.source == Source.LEADERSHIP else None
    sheets = {
        "settings": [["key", "value"], ["quarter", quarter.code]],
        "ballots": [
            ["ballot", "source", "rater_unit", "rater", "target", "comment", *codes],
            ["b1", bad.source, bad.rater_unit or None, rater, bad.target, None, *cells],
        ],
    }
    with translation.override(language), pytest.raises(WorkbookInvalid) as refused:
        quarter_import(source=write_workbook(tmp_path / "bad.xlsx", sheets))
    return [issue.message for issue in refused.value.issues]


# --- the test -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("bad", BAD_BALLOTS, ids=lambda bad: bad.name)
def test_every_way_in_refuses_a_bad_ballot_with_the_same_message(
    quarter, org, people, client_for, tmp_path, settings, language, bad
):
    settings.LANGUAGE_CODE = language
    if bad.setup is not None:
        bad.setup(quarter, people)
    stored = Ballot.objects.count()
    message = through_the_service(quarter, org, people, language, bad)
    if language == "en":
        assert message == bad.english
    else:
        # Translated: no English word is left once the names from the data (the leader's) are taken out.
        assert not re.search(r"[A-Za-z]{3,}", message.replace("Leader1", "")), message

    assert escape(message) in through_the_form(quarter, org, people, client_for, language, bad)
    assert message in through_keyed_entry(quarter, org, people, client_for, language, bad)
    assert message in through_the_import(quarter, tmp_path, language, bad)
    assert Ballot.objects.count() == stored
    assert not Ballot.objects.filter(origin__in=[Origin.KEYED, Origin.IMPORTED]).exists()


def test_the_bad_ballots_are_otherwise_good(quarter, org, people):
    """Each bad ballot breaks only its own rule: the same ballot with a good cell is stored."""
    criterion = _criterion(quarter)
    good = ballot_submit(
        quarter=quarter,
        source=Source.PEER,
        values={(org["EQP"].pk, criterion.pk): LEVEL_TEXT},
        rater=people["OPS"],
        rater_unit=org["OPS"],
    )
    assert good.values.get().value_centi == int(Decimal("100") * 100)
