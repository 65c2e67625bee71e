"""Objections (申诉): filed by a representative on their own department during the announcement, answered by
the evaluation group, audited (docs/design.md "Quarter lifecycle")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from evaluation.models import Objection, ObjectionPoint, ObjectionStatus, Quarter, QuarterStatus
from evaluation.services.adjustments import adjustment_add
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.objections import objection_answer, objection_file
from tests.evaluation.announcement_helpers import announced_quarter, closed_quarter

pytestmark = pytest.mark.usefixtures("english")


def _file(quarter, rep, department, text: str = "加分未计入") -> Objection:
    return objection_file(quarter=quarter, actor=rep, department=department, point=ObjectionPoint.ADJUSTMENT, text=text)


def test_a_representative_objects_to_their_own_result_and_it_is_audited(org, rep, other_rep) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    objection = _file(quarter, rep, org["OPS"])
    assert (objection.status, objection.department, objection.filed_by) == (ObjectionStatus.OPEN, org["OPS"], rep)
    entry = AuditEntry.objects.get(action=AuditAction.OBJECTION_FILED)
    assert (entry.actor, entry.quarter, entry.reason) == (rep, Quarter.objects.get(pk=quarter.pk), "加分未计入")
    assert entry.details == {"objection": objection.pk, "department": "OPS", "point": "adjustment"}


def test_it_refuses_an_objection_on_another_department(org, rep, other_rep) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    with pytest.raises(ValidationError, match="only to your own department"):
        _file(quarter, rep, org["EQP"])
    assert not Objection.objects.exists()


@pytest.mark.parametrize("status", [QuarterStatus.OPEN, QuarterStatus.CLOSED, QuarterStatus.PUBLISHED])
def test_it_refuses_an_objection_outside_the_announcement(org, rep, other_rep, status) -> None:
    quarter = closed_quarter(org, [rep, other_rep])
    Quarter.objects.filter(pk=quarter.pk).update(status=status)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="only while the quarter's results are announced"):
        _file(quarter, rep, org["OPS"])
    assert not Objection.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.OBJECTION_FILED).exists()


def test_it_refuses_an_objection_once_the_period_has_ended(org, rep, other_rep) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    Quarter.objects.filter(pk=quarter.pk).update(announced_at=timezone.now() - dt.timedelta(days=6))
    with pytest.raises(ValidationError, match="announcement has ended"):
        _file(quarter, rep, org["OPS"])


def test_it_refuses_an_objection_from_someone_not_a_representative(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    with pytest.raises(ValidationError, match="Only a department's representative"):
        _file(quarter, evaluator, org["OPS"])


@pytest.mark.parametrize(("point", "text"), [("rank", "   "), ("nonsense", "名次有误")])
def test_it_refuses_an_objection_without_text_or_point(org, rep, other_rep, point, text) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    with pytest.raises(ValidationError):
        objection_file(quarter=quarter, actor=rep, department=org["OPS"], point=point, text=text)
    assert not Objection.objects.exists()


def test_an_upheld_objection_names_the_correction_made_since_it_was_filed(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    objection = _file(quarter, rep, org["OPS"])
    with pytest.raises(ValidationError, match="names the void, adjustment or re-announcement"):
        objection_answer(objection=objection, actor=evaluator, upheld=True, answer="属实")
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=evaluator, reason="更正")
    adjustment_add(quarter=quarter, department=org["OPS"], points=Decimal(2), reason="安全表彰", actor=evaluator)
    correction = AuditEntry.objects.get(action=AuditAction.ADJUSTMENT_ADDED)
    answered = objection_answer(
        objection=objection, actor=evaluator, upheld=True, answer="属实，已补加分", correction=correction
    )
    assert (answered.status, answered.correction, answered.answered_by) == (
        ObjectionStatus.UPHELD,
        correction,
        evaluator,
    )
    entry = AuditEntry.objects.get(action=AuditAction.OBJECTION_ANSWERED)
    assert entry.details == {"objection": objection.pk, "status": "upheld", "correction": correction.pk}
    with pytest.raises(ValidationError, match="already been answered"):
        objection_answer(objection=objection, actor=evaluator, upheld=False, answer="再议")


def test_it_refuses_a_correction_from_before_the_objection(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    earlier = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).first()
    objection = _file(quarter, rep, org["OPS"])
    AuditEntry.objects.filter(pk=earlier.pk).update(at=objection.filed_at - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="since the objection was filed"):
        objection_answer(objection=objection, actor=evaluator, upheld=True, answer="属实", correction=earlier)
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN


def test_a_rejected_objection_needs_reasons_and_only_the_evaluation_group_answers(org, rep, other_rep, evaluator):
    quarter = announced_quarter(org, [rep, other_rep])
    objection = _file(quarter, rep, org["OPS"])
    with pytest.raises(ValidationError, match="Only the evaluation group"):
        objection_answer(objection=objection, actor=rep, upheld=False, answer="自己驳回")
    with pytest.raises(ValidationError, match="reasons"):
        objection_answer(objection=objection, actor=evaluator, upheld=False, answer=" ")
    answered = objection_answer(objection=objection, actor=evaluator, upheld=False, answer="加分不在本季度")
    assert (answered.status, answered.correction) == (ObjectionStatus.REJECTED, None)
