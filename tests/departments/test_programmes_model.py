"""Programmes: work style always present, quarters identified by programme and code, units in a hierarchy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from departments.models import WORKSTYLE, Programme, RaterScope, Unit, UnitKind
from evaluation.models import Quarter, quarter_lookup
from evaluation.services.quarters import quarter_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def party() -> Programme:
    return Programme.objects.create(
        code="party", name="党支部1234考核", evaluated_kinds="party_branch", scope=RaterScope.SAME_PARENT
    )


def test_workstyle_exists_and_rates_the_headquarters_kinds() -> None:
    workstyle = Programme.objects.get(code=WORKSTYLE)
    assert workstyle.kinds == ("functional", "business", "affiliated")
    assert workstyle.scope == RaterScope.ALL


def test_a_quarter_without_a_programme_belongs_to_workstyle() -> None:
    quarter = quarter_create(code="2026Q3")
    assert quarter.programme.code == WORKSTYLE
    assert quarter.key == "2026Q3"


def test_two_programmes_may_run_the_same_quarter_code(party) -> None:
    quarter_create(code="2026Q3")
    other = quarter_create(code="2026Q3", programme=party, template="party_branch")
    assert other.key == "party.2026Q3"
    assert Quarter.objects.get(**quarter_lookup("party.2026Q3")) == other
    assert Quarter.objects.get(**quarter_lookup("2026Q3")).programme.code == WORKSTYLE
    assert [c.code for c in other.criteria.all()] == ["performance", "safety", "skills", "party_building"]


def test_it_refuses_a_second_quarter_with_the_same_code_in_one_programme(party) -> None:
    quarter_create(code="2026Q3", programme=party)
    with pytest.raises(ValidationError):
        quarter_create(code="2026Q3", programme=party)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quarter.objects.create(code="2026Q3", programme=party)


def test_a_programme_evaluates_its_own_kinds(party) -> None:
    plant = Unit.objects.create(code="EG", name="二钢厂", kind=UnitKind.GRASSROOTS)
    branch = Unit.objects.create(code="EG1", name="炼钢一支部", kind=UnitKind.PARTY_BRANCH, parent=plant)
    dept = Unit.objects.create(code="OPS", name="运营改善部", kind=UnitKind.FUNCTIONAL)
    assert list(Unit.objects.evaluated(party)) == [branch]
    assert list(Unit.objects.evaluated()) == [dept]


def test_it_refuses_a_parent_that_makes_a_cycle() -> None:
    top = Unit.objects.create(code="EG", name="二钢厂", kind=UnitKind.GRASSROOTS)
    branch = Unit.objects.create(code="EG1", name="炼钢一支部", kind=UnitKind.PARTY_BRANCH, parent=top)
    top.parent = branch
    with pytest.raises(ValidationError) as refused:
        top.full_clean()
    assert "parent" in refused.value.message_dict
    branch.parent = branch
    with pytest.raises(ValidationError):
        branch.full_clean()
