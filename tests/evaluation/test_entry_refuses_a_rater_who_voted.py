"""Paper entry: a department or leader whose ballot is in the quarter is refused when chosen, before the grid."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from evaluation.models import Ballot, Source
from evaluation.services.ballots import ballot_submit
from tests.evaluation.ballot_helpers import full_values

REFUSALS = {
    "en": {
        "peer": "运营改善部 has already submitted its peer ballot for 2026Q3.",
        "leadership": "Leader1 has already submitted a leadership ballot for 2026Q3.",
    },
    "zh-hans": {"peer": "运营改善部已提交2026Q3的部门互评评分表。", "leadership": "Leader1已提交2026Q3的领导评分表。"},
}


def _open(client, language: str, **params: str):
    client.cookies["django_language"] = language
    return client.get(f"{reverse('evaluation:entry')}?{urlencode(params)}")


@pytest.fixture
def voted(quarter, org, rep, leader) -> None:
    ballot_submit(quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude=("OPS",)), rater=rep)
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_department_that_voted_is_refused_before_the_grid_opens(voted, quarter, client_for, evaluator, language):
    response = _open(client_for(evaluator), language, quarter=quarter.code, source="peer", unit="OPS")

    page = response.content.decode()
    assert REFUSALS[language]["peer"] in page
    assert 'id="entry-form"' not in page
    assert response.context["grid"] is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_leader_who_voted_is_refused_before_the_grid_opens(voted, quarter, client_for, evaluator, leader, language):
    response = _open(client_for(evaluator), language, quarter=quarter.code, source="leadership", rater=leader.username)

    assert REFUSALS[language]["leadership"] in response.content.decode()
    assert 'id="entry-form"' not in response.content.decode()


def test_a_department_that_has_not_voted_gets_its_grid(voted, quarter, client_for, evaluator):
    response = _open(client_for(evaluator), "en", quarter=quarter.code, source="peer", unit="EQP")

    assert 'id="entry-form"' in response.content.decode()


def test_a_grassroots_unit_keeps_getting_grids_for_one_paper_ballot_after_another(quarter, client_for, evaluator):
    client = client_for(evaluator)
    pick = {"quarter": quarter.code, "source": "grassroots", "unit": "HRM"}
    first = _open(client, "en", **pick).context["grid"].rows()[0]["cells"]
    client.post(f"{reverse('evaluation:entry')}?{urlencode(pick)}", {first[0]["name"]: "80"})

    assert Ballot.objects.count() == 1
    assert 'id="entry-form"' in _open(client, "en", **pick).content.decode()


def test_a_post_for_a_department_that_voted_changes_nothing(voted, quarter, org, client_for, evaluator):
    client = client_for(evaluator)
    url = f"{reverse('evaluation:entry')}?{urlencode({'quarter': quarter.code, 'source': 'peer', 'unit': 'OPS'})}"
    efficiency = quarter.criteria.get(code="efficiency")

    client.post(url, {f"v-{org['EQP'].pk}-{efficiency.pk}": "80"})

    assert Ballot.objects.count() == 2
