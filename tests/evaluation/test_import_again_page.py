"""Importing the same workbook again on the upload page points to the page's replace box, not to --replace."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.models import Ballot
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org
from tests.evaluation.test_import_quarter_page import upload

__all__ = ["example_org"]

REPLACE_BOX = {"zh-hans": "替换此前导入本季度的全部评分表和加减分", "en": "Replace every ballot and adjustment"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_names_the_replace_box_when_the_same_file_comes_again(client_for, evaluator, example_org, language):
    client = client_for(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE)})
    ballots = Ballot.objects.count()

    response = client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE)})

    assert response.status_code == 400
    issues = response.context["issues"]
    # The ballots and the adjustment imported before, each refused with the way to import them again.
    assert len([issue for issue in issues if REPLACE_BOX[language] in issue]) >= 2
    assert not any("--replace" in issue for issue in issues)
    assert Ballot.objects.count() == ballots

    replaced = client.post(reverse("evaluation:import_quarter"), {"file": upload(QUARTER_EXAMPLE), "replace": "on"})
    assert replaced.status_code == 302
