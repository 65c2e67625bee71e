"""The results workbook's sheet of objections and answers (docs/workbooks.md)."""

from __future__ import annotations

import pytest

from audit.models import AuditAction, AuditEntry
from evaluation.models import ObjectionPoint, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.objections import objection_answer, objection_file
from tests.evaluation.announcement_helpers import announced_quarter
from tests.evaluation.test_export import data_rows, exported


@pytest.mark.usefixtures("english")
def test_the_results_workbook_lists_each_objection_with_its_answer(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    upheld = objection_file(
        quarter=quarter, actor=rep, department=org["OPS"], point=ObjectionPoint.RANK, text="名次有误"
    )
    objection_file(
        quarter=quarter, actor=other_rep, department=org["EQP"], point=ObjectionPoint.OTHER, text="=1+1 公式样文字"
    )
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=evaluator, reason="复核")
    quarter_transition(quarter=quarter, to=QuarterStatus.ANNOUNCED, actor=evaluator)
    reannounced = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).first()
    objection_answer(objection=upheld, actor=evaluator, upheld=True, answer="已重新公示", correction=reannounced)
    rows = data_rows(exported(quarter)["Objections"])
    assert [row[1:8] for row in rows] == [
        ("OPS", "运营改善部", "The rank", "名次有误", "Upheld", "已重新公示", reannounced.summaries["en"]),
        ("EQP", "设备部", "Other", "=1+1 公式样文字", "Waiting for an answer", None, None),
    ]
