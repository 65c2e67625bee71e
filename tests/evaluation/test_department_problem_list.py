"""A department's results page lists its problems of the quarter, with status and links, to who may open them."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.results_pages_data import example_published
from tests.evaluation.test_problem_support import make_problem

OVERDUE = {"zh-hans": "逾期", "en": "Overdue"}


@pytest.fixture
def published(org, leader, evaluator):
    quarter = example_published(org, leader)
    today = timezone.localdate()
    overdue = make_problem(
        actor=evaluator,
        quarter=quarter,
        department=org["OPS"],
        title="备件审批慢",
        due_on=today - datetime.timedelta(2),
    )
    make_problem(actor=evaluator, quarter=quarter, department=org["EQP"], title="别的部门的问题")
    return quarter, overdue


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["evaluator", "leader", "rep"])
def test_the_department_page_lists_its_problems_with_status_and_link(request, client_for, published, persona, language):
    quarter, overdue = published
    client = client_for(request.getfixturevalue(persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("evaluation:department", args=[quarter.code, "OPS"])).content.decode()
    listed = page.split('id="department-problems"')[1].split("</section>")[0]
    assert "备件审批慢" in listed
    assert reverse("evaluation:problem_detail", args=[overdue.pk]) in listed
    assert OVERDUE[language] in listed
    assert "别的部门的问题" not in listed
    assert client.get(reverse("evaluation:problem_detail", args=[overdue.pk])).status_code == 200


def test_a_reader_who_may_not_open_problems_gets_no_list(client_for, published, viewer, other_rep):
    quarter, _ = published
    for reader in (viewer, other_rep):
        page = client_for(reader).get(reverse("evaluation:department", args=[quarter.code, "OPS"]))
        assert 'id="department-problems"' not in page.content.decode()
