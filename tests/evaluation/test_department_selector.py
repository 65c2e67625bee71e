"""department_detail gives each reader only what they may see: the k-rule and the department scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from evaluation.models import Ballot, QuarterStatus
from evaluation.selectors.department import department_detail, openable_for_scope
from evaluation.selectors.results import quarter_results
from evaluation.views.access import department_link_scope, may_view_department, under_k_rule
from tests.evaluation.results_pages_data import OPS_CELLS, decimals, example_published


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _detail(*, quarter, department, user):
    """The detail as the page asks for it: refused to who may not open it, under the k-rule unless exempt."""
    if not may_view_department(user, quarter, department):
        raise PermissionDenied
    return department_detail(quarter=quarter, department=department, k_rule=under_k_rule(user))


def openable_departments(user, quarter, results):
    return openable_for_scope(department_link_scope(user, quarter), results)


def _by_source(detail):
    return {source.source: source for source in detail.sources}


def test_it_hides_a_source_breakdown_and_comments_below_k_from_the_rep(published, org, rep):
    detail = _detail(quarter=published, department=org["OPS"], user=rep)

    peer = _by_source(detail)["peer"]
    assert detail.k_rule_applies
    assert peer.ballots == 2
    assert not peer.breakdown_visible
    assert peer.cells == {}
    assert peer.comments == []
    assert peer.score is None  # one or two raters' own rating: hidden too (docs/design.md)
    assert detail.composite == Decimal("86.05")  # the composite and final score stay
    assert detail.score == Decimal("85.55")
    assert all(hidden for row in detail.cell_rows for value, hidden in [row.values[1]])
    assert all(value is None for row in detail.cell_rows for value, hidden in [row.values[1]])


def test_it_shows_a_source_breakdown_and_comments_from_k_ballots_on(published, org, rep):
    sources = _by_source(_detail(quarter=published, department=org["OPS"], user=rep))

    assert sources["grassroots"].breakdown_visible  # 5 ballots
    assert sources["grassroots"].cells == decimals(OPS_CELLS["grassroots"])
    assert sources["grassroots"].comments == ["GRASSROOTS-COMMENT"]
    assert sources["leadership"].breakdown_visible  # exactly k = 3 ballots
    assert sources["leadership"].cells == decimals(OPS_CELLS["leadership"])
    assert sources["leadership"].comments == ["LEADERSHIP-COMMENT"]


def test_a_higher_k_hides_more(published, org, rep):
    published.anonymity_k = 4
    published.save(update_fields=["anonymity_k"])

    sources = _by_source(_detail(quarter=published, department=org["OPS"], user=rep))

    assert sources["grassroots"].breakdown_visible
    assert not sources["leadership"].breakdown_visible
    assert sources["leadership"].comments == []


def test_the_evaluation_group_sees_every_breakdown(published, org, evaluator, admin_user):
    for user in (evaluator, admin_user):
        detail = _detail(quarter=published, department=org["OPS"], user=user)
        peer = _by_source(detail)["peer"]
        assert not detail.k_rule_applies
        assert peer.breakdown_visible
        assert peer.cells == decimals(OPS_CELLS["peer"])
        assert peer.comments == ["PEER-SECRET-COMMENT"]
        assert peer.score == Decimal("66.62")


def test_a_viewer_reads_every_department_under_the_k_rule(published, org, viewer, grassroots_rater):
    for user in (viewer, grassroots_rater):
        detail = _detail(quarter=published, department=org["OPS"], user=user)
        assert not _by_source(detail)["peer"].breakdown_visible
        assert _detail(quarter=published, department=org["EQP"], user=user).rank == 2


def test_a_rep_cannot_read_another_department(published, org, rep):
    assert not may_view_department(rep, published, org["EQP"])
    with pytest.raises(PermissionDenied):
        _detail(quarter=published, department=org["EQP"], user=rep)


def test_a_rep_cannot_read_their_department_before_publication(quarter, org, rep, evaluator):
    assert quarter.status == QuarterStatus.OPEN
    with pytest.raises(PermissionDenied):
        _detail(quarter=quarter, department=org["OPS"], user=rep)
    assert _detail(quarter=quarter, department=org["OPS"], user=evaluator).provisional


def test_a_user_without_a_role_reads_nothing(published, org, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    with pytest.raises(PermissionDenied):
        _detail(quarter=published, department=org["OPS"], user=nobody)


def test_comments_of_voided_ballots_are_not_shown(published, org, evaluator):
    Ballot.objects.filter(comments__text="LEADERSHIP-COMMENT").update(voided_at=timezone.now())

    sources = _by_source(_detail(quarter=published, department=org["OPS"], user=evaluator))

    assert sources["leadership"].comments == []


def test_the_detail_holds_no_rater_of_any_comment(published, org, evaluator, leader):
    detail = _detail(quarter=published, department=org["OPS"], user=evaluator)

    for source in detail.sources:
        assert all(isinstance(text, str) for text in source.comments)
    shown = repr(detail)
    assert leader.username not in shown
    assert org["HRM"].name not in shown  # the grassroots comment's unit
    assert org["EQP"].code not in repr(detail.sources)  # the peer comment's unit


def test_adjustments_trend_and_rank_come_from_the_snapshot(published, org, rep):
    detail = _detail(quarter=published, department=org["OPS"], user=rep)

    expected = (1, Decimal("85.55"), Decimal("86.05"), Decimal("-0.5"))
    assert (detail.rank, detail.score, detail.composite, detail.adjustment) == expected
    assert [(a.points, a.reason) for a in detail.adjustments] == [(Decimal("-0.5"), "未按期答复基层问题")]
    assert [(p.quarter, p.score, p.rank) for p in detail.trend] == [("2026Q2", Decimal("85.55"), 1)]
    assert detail.rank_change == 2
    assert detail.group_size == 3


def test_the_ranking_links_only_what_the_reader_may_open(published, org, rep, viewer, evaluator):
    results = quarter_results(published)

    assert openable_departments(rep, published, results) == {"OPS"}
    assert openable_departments(viewer, published, results) == {"OPS", "EQP", "AUD", "RET"}
    assert openable_departments(evaluator, published, results) == {"OPS", "EQP", "AUD", "RET"}
