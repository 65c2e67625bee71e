"""Quarter creation and the settings service: templates, copying, validation, the ballot lock, the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.models import AuditAction, AuditEntry
from evaluation.criteria_templates import CriterionSpec, LevelSpec
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.quarters import (
    criteria_specs,
    level_specs,
    quarter_create,
    quarter_create_from_previous,
    quarter_update_settings,
)


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English whatever catalogues are compiled.
    with translation.override("en"):
        yield


def _peer_ballot(quarter: Quarter, rep, org) -> None:
    criterion = quarter.criteria.first()
    ballot_submit(quarter=quarter, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep)


def test_it_creates_a_quarter_from_the_work_style_template(org, evaluator) -> None:
    quarter = quarter_create(code="2026Q4", template="work_style", actor=evaluator)
    assert quarter.status == QuarterStatus.DRAFT
    assert [c.code for c in quarter.criteria.all()] == ["efficiency", "quality", "service"]
    assert [(lv.label, lv.points) for lv in quarter.levels.all()] == [
        ("优秀", 100),
        ("良好", 80),
        ("一般", 60),
        ("较差", 40),
    ]
    entry = AuditEntry.objects.get(quarter=quarter)
    assert entry.action == AuditAction.QUARTER_CREATED
    assert entry.actor == evaluator


def test_it_creates_a_quarter_from_the_party_branch_template(org) -> None:
    quarter = quarter_create(code="2026Q4", template="party_branch")
    assert [c.name for c in quarter.criteria.all()] == ["工作绩效", "安全环保", "提素创星", "党建基础工作"]


def test_it_refuses_an_unknown_template_and_a_duplicate_code(quarter) -> None:
    with pytest.raises(ValidationError):
        quarter_create(code="2026Q4", template="nope")
    with pytest.raises(ValidationError, match="already exists"):
        quarter_create(code="2026Q3")
    assert Quarter.objects.count() == 1


def test_it_refuses_a_badly_written_code(org) -> None:
    with pytest.raises(ValidationError):
        quarter_create(code="2026Q5")
    assert not Quarter.objects.exists()


def test_it_copies_the_previous_quarters_settings_but_not_its_window(org) -> None:
    opens = timezone.make_aware(dt.datetime(2026, 7, 1, 8, 0))
    previous = quarter_create(
        code="2026Q2",
        template="party_branch",
        scale="points",
        weight_grassroots=50,
        weight_peer=20,
        weight_leadership=30,
        trim=True,
        trim_min_n=7,
        min_ballots_peer=2,
        anonymity_k=4,
        opens_at=opens,
        criteria=[CriterionSpec("a", "甲", Decimal("2")), CriterionSpec("b", "乙", Decimal("1"))],
        levels=[LevelSpec("好", Decimal("90")), LevelSpec("差", Decimal("50"))],
    )
    copy = quarter_create_from_previous(code="2026Q3")
    for field in ("scale", "weight_grassroots", "weight_peer", "weight_leadership", "trim", "trim_min_n"):
        assert getattr(copy, field) == getattr(previous, field)
    assert copy.min_ballots_peer == 2
    assert copy.anonymity_k == 4
    assert copy.template == "party_branch"
    assert copy.opens_at is None
    assert criteria_specs(copy) == criteria_specs(previous)
    assert level_specs(copy) == level_specs(previous)


def test_it_copies_the_latest_earlier_quarter(org) -> None:
    quarter_create(code="2026Q1", weight_grassroots=60, weight_peer=20, weight_leadership=20)
    quarter_create(code="2026Q2", weight_grassroots=70, weight_peer=10, weight_leadership=20)
    quarter_create(code="2026Q4", weight_grassroots=80, weight_peer=10, weight_leadership=10)
    assert quarter_create_from_previous(code="2026Q3").weight_grassroots == 70


def test_it_refuses_to_copy_when_there_is_no_earlier_quarter(org) -> None:
    with pytest.raises(ValidationError, match="no earlier quarter"):
        quarter_create_from_previous(code="2026Q1")


@pytest.fixture
def draft(org) -> Quarter:
    return quarter_create(code="2026Q4")


def test_it_saves_settings_and_audits_old_and_new_values(draft, evaluator) -> None:
    quarter_update_settings(
        quarter=draft, actor=evaluator, weight_grassroots=50, weight_peer=25, weight_leadership=25, trim=True
    )
    draft.refresh_from_db()
    assert (draft.weight_grassroots, draft.weight_peer, draft.weight_leadership, draft.trim) == (50, 25, 25, True)
    entry = AuditEntry.objects.get(quarter=draft, action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == evaluator
    assert entry.details["weight_grassroots"] == {"old": 40, "new": 50}
    assert entry.details["trim"] == {"old": False, "new": True}
    assert "weight_leadership" in entry.details


def test_an_unchanged_submit_records_nothing(draft, evaluator) -> None:
    quarter_update_settings(quarter=draft, actor=evaluator, weight_grassroots=40, criteria=criteria_specs(draft))
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


@pytest.mark.parametrize(
    ("weights", "message"),
    [((50, 30, 30), "add up to 100"), ((40, 30, 29), "add up to 100"), ((101, 0, 0), None)],
)
def test_it_refuses_weights_that_do_not_add_up_to_100(draft, evaluator, weights, message) -> None:
    g, p, lead = weights
    with pytest.raises(ValidationError, match=message):
        quarter_update_settings(
            quarter=draft, actor=evaluator, weight_grassroots=g, weight_peer=p, weight_leadership=lead
        )
    draft.refresh_from_db()
    assert draft.weight_grassroots == 40


def test_a_source_may_have_weight_zero(draft, evaluator) -> None:
    quarter_update_settings(quarter=draft, actor=evaluator, weight_grassroots=70, weight_peer=0, weight_leadership=30)
    draft.refresh_from_db()
    assert draft.active_sources == ["grassroots", "leadership"]


def test_it_refuses_trim_min_n_below_3_and_k_below_1(draft, evaluator) -> None:
    with pytest.raises(ValidationError):
        quarter_update_settings(quarter=draft, actor=evaluator, trim_min_n=2)
    with pytest.raises(ValidationError):
        quarter_update_settings(quarter=draft, actor=evaluator, anonymity_k=0)
    draft.refresh_from_db()
    assert (draft.trim_min_n, draft.anonymity_k) == (5, 3)


def test_it_refuses_a_window_that_closes_before_it_opens(draft, evaluator) -> None:
    opens = timezone.make_aware(dt.datetime(2026, 10, 10, 8, 0))
    with pytest.raises(ValidationError, match="open before it closes"):
        quarter_update_settings(quarter=draft, actor=evaluator, opens_at=opens, closes_at=opens - dt.timedelta(hours=1))
    quarter_update_settings(quarter=draft, actor=evaluator, opens_at=opens, closes_at=opens + dt.timedelta(days=7))
    draft.refresh_from_db()
    assert draft.closes_at == opens + dt.timedelta(days=7)


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        [CriterionSpec("a", "甲", Decimal("0"))],
        [CriterionSpec("a", "甲", Decimal("-1"))],
        [CriterionSpec("a", "甲"), CriterionSpec("a", "乙")],
        [CriterionSpec("1bad", "甲")],
    ],
)
def test_it_refuses_bad_criteria(draft, evaluator, criteria) -> None:
    with pytest.raises(ValidationError):
        quarter_update_settings(quarter=draft, actor=evaluator, criteria=criteria)
    assert [c.code for c in draft.criteria.all()] == ["efficiency", "quality", "service"]


@pytest.mark.parametrize(
    "levels",
    [
        [LevelSpec("好", Decimal("101"))],
        [LevelSpec("好", Decimal("-1"))],
        [LevelSpec("好", Decimal("90")), LevelSpec("好", Decimal("80"))],
        [],
    ],
)
def test_it_refuses_bad_levels(draft, evaluator, levels) -> None:
    with pytest.raises(ValidationError):
        quarter_update_settings(quarter=draft, actor=evaluator, levels=levels)
    assert draft.levels.count() == 4


def test_it_replaces_criteria_and_levels_and_audits_them(draft, evaluator) -> None:
    criteria = [CriterionSpec("speed", "速度", Decimal("2")), CriterionSpec("care", "用心", Decimal("1"))]
    levels = [LevelSpec("满意", Decimal("100")), LevelSpec("不满意", Decimal("0"))]
    quarter_update_settings(quarter=draft, actor=evaluator, criteria=criteria, levels=levels)
    assert criteria_specs(draft) == criteria
    assert level_specs(draft) == levels
    details = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED).details
    assert details["criteria"]["new"] == [["speed", "速度", "2"], ["care", "用心", "1"]]
    assert details["levels"]["old"][0] == ["优秀", "100"]


def test_settings_are_refused_once_the_quarter_holds_a_ballot(quarter, rep, org, evaluator) -> None:
    _peer_ballot(quarter, rep, org)
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_update_settings(quarter=quarter, actor=evaluator, weight_grassroots=50, weight_peer=20)
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_update_settings(quarter=quarter, actor=evaluator, criteria=[CriterionSpec("x", "X")])
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_update_settings(quarter=quarter, actor=evaluator, levels=[LevelSpec("X", Decimal(50))])
    assert quarter.criteria.count() == 3


def test_settings_are_refused_while_open_even_without_ballots(quarter, evaluator) -> None:
    with pytest.raises(ValidationError, match="open"):
        quarter_update_settings(quarter=quarter, actor=evaluator, trim=True)


def test_settings_may_change_when_closed_without_ballots(quarter, evaluator) -> None:
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    quarter_update_settings(quarter=quarter, actor=evaluator, trim=True)
    quarter.refresh_from_db()
    assert quarter.trim


def test_the_window_may_still_change_when_ballots_exist(quarter, rep, org, evaluator) -> None:
    _peer_ballot(quarter, rep, org)
    closes = timezone.now() + dt.timedelta(days=3)
    quarter_update_settings(quarter=quarter, actor=evaluator, closes_at=closes)
    quarter.refresh_from_db()
    assert quarter.closes_at == closes


def test_nothing_changes_on_a_published_quarter(quarter, evaluator) -> None:
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save()
    with pytest.raises(ValidationError, match="published"):
        quarter_update_settings(quarter=quarter, actor=evaluator, closes_at=timezone.now())
    with pytest.raises(ValidationError, match="published"):
        quarter_update_settings(quarter=quarter, actor=evaluator, closes_at=timezone.now(), title="x")
    quarter.refresh_from_db()
    assert quarter.title == ""


def test_a_title_in_the_settings_is_a_rename_even_once_published(quarter, evaluator) -> None:
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save()
    quarter_update_settings(quarter=quarter, actor=evaluator, title="第三季度")
    quarter.refresh_from_db()
    assert quarter.title == "第三季度"
    assert AuditEntry.objects.filter(action=AuditAction.QUARTER_RENAMED).count() == 1
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_it_refuses_unknown_settings(draft, evaluator) -> None:
    with pytest.raises(ValidationError, match="Unknown setting"):
        quarter_update_settings(quarter=draft, actor=evaluator, status="open")
