"""A comment-only ballot (no value, a comment) is accepted, counts for no score, and reaches the evaluators."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from evaluation.models import Ballot, BallotComment, Origin, Source
from evaluation.selectors.results import results_compute
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from tests.evaluation.ballot_helpers import full_values
from tests.evaluation.test_import_quarter import write_workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def comment_only(quarter, org, grassroots_rater) -> Ballot:
    ballot_submit(
        quarter=quarter,
        source=Source.GRASSROOTS,
        values={},
        comments={org["EQP"].pk: "设备报修三天没人来"},
        rater=grassroots_rater,
    )
    inbox_flush(quarter=quarter)
    return Ballot.objects.get(quarter=quarter, source=Source.GRASSROOTS)


def test_it_counts_for_no_ballot_count_and_no_participation_of_scoring(quarter, org, comment_only, leader):
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)
    results = results_compute(quarter)
    assert results.counted_ballots == {"grassroots": 0, "peer": 0, "leadership": 1}
    eqp = results.department("EQP")
    assert eqp.sources["grassroots"].ballots == 0
    assert eqp.sources["grassroots"].score is None


def test_its_comments_reach_the_evaluators(quarter, org, comment_only, evaluator, client_for):
    page = client_for(evaluator).get(reverse("evaluation:comments"), {"quarter": quarter.code})
    assert page.status_code == 200
    assert "设备报修三天没人来" in page.content.decode()


def test_the_keyed_entry_takes_a_comment_only_paper_ballot(quarter, org, evaluator, client_for):
    url = f"{reverse('evaluation:entry')}?{urlencode({'quarter': quarter.code, 'source': 'grassroots', 'unit': 'HRM'})}"
    assert client_for(evaluator).post(url, {f"c-{org['OPS'].pk}": "窗口服务好"}).status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.origin, ballot.values.count(), ballot.comments.get().text) == (Origin.KEYED, 0, "窗口服务好")


def test_the_import_takes_a_comment_only_ballot(quarter, org, tmp_path):
    from evaluation.imports import quarter_import

    codes = list(quarter.criteria.order_by("order", "code").values_list("code", flat=True))
    sheets = {
        "settings": [["key", "value"], ["quarter", quarter.code]],
        "ballots": [
            ["ballot", "source", "rater_unit", "rater", "target", "comment", *codes],
            ["g1", "grassroots", "HRM", None, "AUD", "审计通知太晚", *([None] * len(codes))],
        ],
    }
    result = quarter_import(source=write_workbook(tmp_path / "comments.xlsx", sheets))
    assert (result.values, result.comments) == (0, 1)
    assert BallotComment.objects.get().ballot.origin == Origin.IMPORTED
    assert results_compute(quarter).counted_ballots["grassroots"] == 0
