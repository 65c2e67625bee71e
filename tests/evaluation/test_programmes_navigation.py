"""A reader in several programmes finds each: the rankings page lists each programme's quarters and years,
the console each programme's quarters, under programme-qualified addresses (docs/design.md, "Programmes")."""

from __future__ import annotations

import pytest

from departments.models import Programme
from evaluation.models import QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(org):
    party = Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch")
    made = {}
    for programme in (None, party):
        quarter = quarter_create(code="2026Q1", programme=programme)
        for status in (QuarterStatus.OPEN, QuarterStatus.CLOSED, QuarterStatus.PUBLISHED):
            quarter_transition(quarter=quarter, to=status)
        made[quarter.programme.code] = quarter
    return made


def test_the_rankings_page_lists_each_programmes_quarters_and_years(both, client_for, viewer) -> None:
    page = client_for(viewer).get("/results/").content.decode()
    assert 'href="/results/2026Q1/"' in page and 'href="/results/dj.2026Q1/"' in page
    assert 'href="/results/annual/2026/"' in page and 'href="/results/annual/dj.2026/"' in page
    assert "党支部考核 2026Q1" in page


def test_the_console_lists_each_programmes_quarters(both, client_for, evaluator) -> None:
    page = client_for(evaluator).get("/console/").content.decode()
    assert 'href="/console/2026Q1/"' in page and 'href="/console/dj.2026Q1/"' in page


def test_a_quarter_of_an_unknown_programme_is_not_found(both, client_for, viewer) -> None:
    assert client_for(viewer).get("/results/nosuch.2026Q1/").status_code == 404
    assert client_for(viewer).get("/results/annual/nosuch.2026/").status_code == 404
