"""The server's limit on a form's size: above any real ballot, and a body over it gets a page that says so."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from evaluation.models import Ballot, BallotCode
from evaluation.services.ballots import COMMENT_MAX_LENGTH
from tests.evaluation.ballot_helpers import ballot_post

TOO_LARGE = {"zh-hans": "超出服务器可接受的大小", "en": "larger than the server accepts"}


def test_the_largest_real_ballot_fits_under_the_limit() -> None:
    # 300 departments, five criteria, and a comment of the longest length on every department, in Chinese.
    fields = {"csrfmiddlewaretoken": "x" * 64, "quarter": "2026Q3", "code": "ABCDE-23456"}
    for department in range(1, 301):
        fields.update({f"v-{department:06d}-{criterion:06d}": "100" for criterion in range(5)})
        fields[f"c-{department:06d}"] = "审" * COMMENT_MAX_LENGTH
    assert len(urlencode(fields)) < django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_body_over_the_limit_gets_its_own_message(settings, client_for, quarter, org, language) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")
    data = ballot_post(quarter, code="ABCDE-23456", **{f"c-{org['OPS'].pk}": "审" * COMMENT_MAX_LENGTH})
    client = client_for(None)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    # Sent as the ballot page sends it: urlencoded, nine bytes for each Chinese character.
    body = urlencode(data)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(reverse("evaluation:ballot_code"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert TOO_LARGE[language] in response.content.decode()
    assert not Ballot.objects.exists()
