"""A published quarter's pages and workbook read only its snapshot: renaming a unit, adding units (a grassroots
one too) and changing the criteria afterwards change nothing they show."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from departments.models import Unit, UnitKind
from evaluation import criteria_templates
from evaluation.criteria_templates import CriterionSpec
from evaluation.exports import export_annual, export_quarter
from evaluation.models import BallotComment, Criterion, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import add_adjustment, make_ballot, make_quarter

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def published(org, leader):
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    for grassroots in (org["HRM"], org["NFM"]):
        ballot = make_ballot(
            quarter, "grassroots", {org["OPS"]: (90, 80, 70), org["EQP"]: (60, 70, 80)}, rater_unit=grassroots
        )
        BallotComment.objects.create(ballot=ballot, department=org["OPS"], text="流程较慢")
    make_ballot(quarter, "peer", {org["OPS"]: (75, 75, 75)}, rater_unit=org["EQP"])
    make_ballot(quarter, "leadership", {org["OPS"]: (88, 88, None), org["EQP"]: (66, 77, 88)}, rater=leader)
    add_adjustment(quarter, org["EQP"], "-1.5", "未按期答复")
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    return quarter


def _page(client, url: str) -> str:
    cache.clear()  # the ranking tables are cached per snapshot: render them again
    response = client.get(url)
    assert response.status_code == 200
    return CSRF.sub("", response.text)


def _cells(write) -> dict[str, list[tuple]]:
    """Every sheet's values, without the "exported at" line (the second row)."""
    buffer = io.BytesIO()
    with translation.override("zh-hans"):
        write(buffer)
    buffer.seek(0)
    book = load_workbook(buffer, read_only=True)
    return {
        sheet.title: [row for index, row in enumerate(sheet.iter_rows(values_only=True)) if index != 1]
        for sheet in book
    }


def _everything(quarter, clients) -> dict:
    shown = {}
    for role, client in clients.items():
        shown[role, "ranking"] = _page(client, reverse("evaluation:ranking", args=[quarter.code]))
        shown[role, "detail"] = _page(client, reverse("evaluation:department", args=[quarter.code, "OPS"]))
        shown[role, "annual"] = _page(client, reverse("evaluation:annual", args=[2026]))
    shown["workbook"] = _cells(lambda out: export_quarter(quarter, out))
    shown["annual workbook"] = _cells(lambda out: export_annual(2026, out))
    return shown


def _change_the_organisation_and_the_criteria(org, monkeypatch) -> None:
    Unit.objects.filter(pk=org["OPS"].pk).update(name="运营管理部（新）")
    Unit.objects.filter(pk=org["HRM"].pk).update(name="热连轧厂（新）")
    Unit.objects.create(code="NEW", name="新设部门", kind=UnitKind.FUNCTIONAL, order=4)
    Unit.objects.create(code="NG", name="新基层单位", kind=UnitKind.GRASSROOTS, order=22)
    template = criteria_templates.TEMPLATES["work_style"]
    changed = replace(template, criteria=(*template.criteria, CriterionSpec("extra", "新增指标")))
    monkeypatch.setitem(criteria_templates.TEMPLATES, "work_style", changed)
    Criterion.objects.filter(code="efficiency").update(name="效率（改名）")


def test_published_pages_and_workbooks_do_not_change_with_the_organisation(
    published, org, evaluator, viewer, client_for, monkeypatch
):
    clients = {"evaluator": client_for(evaluator), "viewer": client_for(viewer)}
    before = _everything(published, clients)
    assert "运营改善部" in before["evaluator", "detail"] and "流程较慢" in before["evaluator", "detail"]

    _change_the_organisation_and_the_criteria(org, monkeypatch)
    after = _everything(published, clients)

    for key in before:
        assert after[key] == before[key], key
    assert "运营管理部（新）" not in after["evaluator", "ranking"] + after["evaluator", "detail"]


def test_participation_in_the_workbook_does_not_change_with_a_new_grassroots_unit(published, org, monkeypatch):
    def participation() -> list[tuple]:
        return _cells(lambda out: export_quarter(published, out))["参评情况"]

    before = participation()
    _change_the_organisation_and_the_criteria(org, monkeypatch)

    assert participation() == before
    assert any("板材热连轧厂" in str(row) for row in before)
    assert not any("新基层单位" in str(row) or "新设部门" in str(row) for row in before)


def test_a_live_quarter_does_follow_the_organisation(quarter, org, evaluator, client_for):
    """Only a published quarter is frozen: the live ranking names units as they are now."""
    make_ballot(quarter, "grassroots", {org["OPS"]: (90, 80, 70)}, rater_unit=org["HRM"])
    Unit.objects.filter(pk=org["OPS"].pk).update(name="运营管理部（新）")

    page = _page(client_for(evaluator), reverse("evaluation:ranking", args=[quarter.code]))

    assert "运营管理部（新）" in page
