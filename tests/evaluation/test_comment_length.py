"""One comment length: the ballot page, the keyed-entry grid and the model allow the same."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.urls import reverse

from evaluation.models import COMMENT_MAX_LENGTH, BallotCode, BallotComment


def maxlengths(html: str, name_prefix: str) -> set[str]:
    fields = re.findall(rf'<(?:textarea|input)[^>]*name="{name_prefix}[0-9]+"[^>]*>', html)
    assert fields
    return {re.search(r'maxlength="([^"]+)"', field).group(1) for field in fields}


def test_the_model_holds_that_length():
    assert BallotComment._meta.get_field("text").max_length == COMMENT_MAX_LENGTH


def test_the_ballot_page_allows_that_length(quarter, org, client_for):
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")
    response = client_for(None).post(reverse("evaluation:ballot_code"), {"code": "ABCDE-23456", "open": "1"})
    assert maxlengths(response.content.decode(), "c-") == {str(COMMENT_MAX_LENGTH)}


def test_the_entry_grid_allows_that_length(quarter, org, client_for, evaluator):
    url = f"{reverse('evaluation:entry')}?{urlencode({'quarter': quarter.code, 'source': 'grassroots', 'unit': 'HRM'})}"
    response = client_for(evaluator).get(url)
    assert maxlengths(response.content.decode(), "c-") == {str(COMMENT_MAX_LENGTH)}
