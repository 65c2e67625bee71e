"""department_detail gives each reader only what they may see: the k-rule and the department scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from evaluation.models import Ballot, QuarterStatus
from evaluation.selectors.department import department_detail, may_view_department, openable_departments
from evaluation.services.results import quarter_results
from tests.evaluation.results_pages_data import OPS_CELLS, example_published


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _by_source(detail):
    return {source.source: source for source in detail.sources}


def test_it_hides_a_source_breakdown_and_comments_below_k_from_the_rep(published, org, rep):
    detail = department_detail(quarter=published, department=org["OPS"], user=rep)

    peer = _by_source(detail)["peer"]
    assert detail.k_rule_applies
    assert peer.ballots == 2
    assert not peer.breakdown_visible
    assert peer.cells == {}
    assert peer.comments == []
    assert peer.score == 66.62  # the combined score stays
    assert all(hidden for row in detail.cell_rows for value, hidden in [row.values[1]])
    assert all(value is None for row in detail.cell_rows for value, hidden in [row.values[1]])


def test_it_shows_a_source_breakdown_and_comments_from_k_ballots_on(published, org, rep):
    sources = _by_source(department_detail(quarter=published, department=org["OPS"], user=rep))

    assert sources["grassroots"].breakdown_visible  # 5 ballots
    assert sources["grassroots"].cells == OPS_CELLS["grassroots"]
    assert sources["grassroots"].comments == ["GRASSROOTS-COMMENT"]
    assert sources["leadership"].breakdown_visible  # exactly k = 3 ballots
    assert sources["leadership"].cells == OPS_CELLS["leadership"]
    assert sources["leadership"].comments == ["LEADERSHIP-COMMENT"]


def test_a_higher_k_hides_more(published, org, rep):
    published.anonymity_k = 4
    published.save(update_fields=["anonymity_k"])

    sources = _by_source(department_detail(quarter=published, department=org["OPS"], user=rep))

    assert sources["grassroots"].breakdown_visible
    assert not sources["leadership"].breakdown_visible
    assert sources["leadership"].comments == []


def test_the_evaluation_group_sees_every_breakdown(published, org, evaluator, leader):
    for user in (evaluator, leader):
        detail = department_detail(quarter=published, department=org["OPS"], user=user)
        peer = _by_source(detail)["peer"]
        assert not detail.k_rule_applies
        assert peer.breakdown_visible
        assert peer.cells == OPS_CELLS["peer"]
        assert peer.comments == ["PEER-SECRET-COMMENT"]


def test_a_viewer_reads_every_department_under_the_k_rule(published, org, viewer, grassroots_rater):
    for user in (viewer, grassroots_rater):
        detail = department_detail(quarter=published, department=org["OPS"], user=user)
        assert not _by_source(detail)["peer"].breakdown_visible
        assert department_detail(quarter=published, department=org["EQP"], user=user).rank == 2


def test_a_rep_cannot_read_another_department(published, org, rep):
    assert not may_view_department(rep, published, org["EQP"])
    with pytest.raises(PermissionDenied):
        department_detail(quarter=published, department=org["EQP"], user=rep)


def test_a_rep_cannot_read_their_department_before_publication(quarter, org, rep, evaluator):
    assert quarter.status == QuarterStatus.OPEN
    with pytest.raises(PermissionDenied):
        department_detail(quarter=quarter, department=org["OPS"], user=rep)
    assert department_detail(quarter=quarter, department=org["OPS"], user=evaluator).provisional


def test_a_user_without_a_role_reads_nothing(published, org, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    with pytest.raises(PermissionDenied):
        department_detail(quarter=published, department=org["OPS"], user=nobody)


def test_comments_of_voided_ballots_are_not_shown(published, org, evaluator):
    Ballot.objects.filter(comments__text="LEADERSHIP-COMMENT").update(voided_at=timezone.now())

    sources = _by_source(department_detail(quarter=published, department=org["OPS"], user=evaluator))

    assert sources["leadership"].comments == []


def test_the_detail_holds_no_rater_of_any_comment(published, org, evaluator, leader):
    detail = department_detail(quarter=published, department=org["OPS"], user=evaluator)

    for source in detail.sources:
        assert all(isinstance(text, str) for text in source.comments)
    shown = repr(detail)
    assert leader.username not in shown
    assert org["HRM"].name not in shown  # the grassroots comment's unit
    assert org["EQP"].code not in repr(detail.sources)  # the peer comment's unit


def test_adjustments_trend_and_rank_come_from_the_snapshot(published, org, rep):
    detail = department_detail(quarter=published, department=org["OPS"], user=rep)

    assert (detail.rank, detail.score, detail.composite, detail.adjustment) == (1, 85.55, 86.05, -0.5)
    assert [(a.points, a.reason) for a in detail.adjustments] == [(-0.5, "未按期答复基层问题")]
    assert [(p.quarter, p.score, p.rank) for p in detail.trend] == [("2026Q2", 85.55, 1)]
    assert detail.change == ("up", 2)
    assert detail.group_size == 3


def test_the_ranking_links_only_what_the_reader_may_open(published, org, rep, viewer, evaluator):
    results = quarter_results(published)

    assert openable_departments(rep, published, results) == {"OPS"}
    assert openable_departments(viewer, published, results) == {"OPS", "EQP", "AUD", "RET"}
    assert openable_departments(evaluator, published, results) == {"OPS", "EQP", "AUD", "RET"}
