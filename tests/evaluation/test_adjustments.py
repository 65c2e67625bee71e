"""Adjustments (加减分): services (closed quarters only, reason, points, audit) and the evaluator pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import Adjustment, QuarterStatus
from evaluation.results_model import AdjustmentInfo
from evaluation.selectors.results import results_compute
from evaluation.services.adjustments import adjustment_add, adjustment_remove, adjustment_update

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def closed(quarter):
    quarter.status = QuarterStatus.CLOSED
    quarter.save(update_fields=["status"])
    return quarter


@pytest.fixture
def adjustment(closed, org, evaluator) -> Adjustment:
    return adjustment_add(quarter=closed, department=org["OPS"], points="-1.50", reason="迟报", actor=evaluator)


def test_it_adds_an_audited_adjustment(adjustment, evaluator) -> None:
    assert adjustment.points == Decimal("-1.50")
    entry = AuditEntry.objects.get(action=AuditAction.ADJUSTMENT_ADDED)
    assert entry.actor == evaluator
    assert entry.details["new"] == {"department": "OPS", "points": "-1.50", "reason": "迟报"}


@pytest.mark.parametrize("status", [QuarterStatus.DRAFT, QuarterStatus.OPEN, QuarterStatus.PUBLISHED])
def test_it_refuses_adjustments_unless_the_quarter_is_closed(quarter, org, evaluator, status) -> None:
    quarter.status = status
    quarter.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="closed"):
        adjustment_add(quarter=quarter, department=org["OPS"], points="1", reason="x", actor=evaluator)
    assert not Adjustment.objects.exists()


def test_it_refuses_changes_once_published(adjustment, closed, evaluator) -> None:
    closed.status = QuarterStatus.PUBLISHED
    closed.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        adjustment_update(adjustment=adjustment, points="2", reason="y", actor=evaluator)
    with pytest.raises(ValidationError):
        adjustment_remove(adjustment=adjustment, actor=evaluator)
    adjustment.refresh_from_db()
    assert adjustment.points == Decimal("-1.50")


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason(closed, org, evaluator, reason) -> None:
    with pytest.raises(ValidationError, match="reason"):
        adjustment_add(quarter=closed, department=org["OPS"], points="1", reason=reason, actor=evaluator)


@pytest.mark.parametrize("points", ["abc", "1.234", "NaN", "Infinity", "10000", ""])
def test_it_refuses_bad_points(closed, org, evaluator, points) -> None:
    with pytest.raises(ValidationError):
        adjustment_add(quarter=closed, department=org["OPS"], points=points, reason="r", actor=evaluator)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("1e30", "Points must lie between -9999.99 and 9999.99."),
        ("1e999999999", "Points must lie between -9999.99 and 9999.99."),
        ("-1e999999999", "Points must lie between -9999.99 and 9999.99."),
        ("12345.678", "Points must lie between -9999.99 and 9999.99."),
        ("1e-999999999", "Points have at most two decimal places."),
        ("sNaN", "Points must be a number, for example -1.50 or 2."),
    ],
)
def test_absurd_points_are_refused_with_a_message(client_for, evaluator, closed, org, points, message) -> None:
    # quantize() raised InvalidOperation on 1e30 (and abs() overflowed on 1e999999999): a server error before.
    with pytest.raises(ValidationError) as caught:
        adjustment_add(quarter=closed, department=org["OPS"], points=points, reason="r", actor=evaluator)
    assert caught.value.messages == [message]
    data = {"department": org["EQP"].pk, "points": points, "reason": "x"}
    response = client_for(evaluator).post(reverse("evaluation:adjustment_add", args=[closed.code]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["points"] == [message]
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize("code", ["HRM"])
def test_it_refuses_units_that_are_not_evaluated(closed, org, evaluator, code) -> None:
    with pytest.raises(ValidationError, match="not an evaluated department"):
        adjustment_add(quarter=closed, department=org[code], points="1", reason="r", actor=evaluator)


def test_it_refuses_inactive_departments(closed, org, evaluator) -> None:
    org["AUD"].active = False
    org["AUD"].save()
    with pytest.raises(ValidationError):
        adjustment_add(quarter=closed, department=org["AUD"], points="1", reason="r", actor=evaluator)


def test_update_and_remove_are_audited_with_old_and_new_values(adjustment, evaluator) -> None:
    adjustment_update(adjustment=adjustment, points="2", reason="补报", actor=evaluator)
    changed = AuditEntry.objects.get(action=AuditAction.ADJUSTMENT_CHANGED)
    assert changed.details["old"]["points"] == "-1.50"
    assert changed.details["new"] == {"department": "OPS", "points": "2.00", "reason": "补报"}
    adjustment_remove(adjustment=adjustment, actor=evaluator)
    removed = AuditEntry.objects.get(action=AuditAction.ADJUSTMENT_REMOVED)
    assert removed.details["old"]["points"] == "2.00"
    assert not Adjustment.objects.exists()


def test_adjustments_move_the_final_score_and_are_explained(adjustment, closed, org, evaluator) -> None:
    adjustment_add(quarter=closed, department=org["OPS"], points="0.25", reason="表扬", actor=evaluator)
    row = results_compute(closed).department("OPS")
    assert row.adjustment == Decimal("-1.25")
    assert row.adjustments == (AdjustmentInfo(Decimal("-1.50"), "迟报"), AdjustmentInfo(Decimal("0.25"), "表扬"))
    assert row.score is None  # unscored stays unscored


# --- pages ------------------------------------------------------------------------------------------


def _urls(quarter, adjustment) -> list[str]:
    return [
        reverse("evaluation:adjustments", args=[quarter.code]),
        reverse("evaluation:adjustment_add", args=[quarter.code]),
        reverse("evaluation:adjustment_edit", args=[quarter.code, adjustment.pk]),
        reverse("evaluation:adjustment_delete", args=[quarter.code, adjustment.pk]),
    ]


def test_anonymous_visitors_are_sent_to_login(client_for, closed, adjustment) -> None:
    for url in _urls(closed, adjustment):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["leader", "rep", "viewer", "grassroots_rater"])
def test_other_roles_get_403(request, client_for, closed, adjustment, persona) -> None:
    client = client_for(request.getfixturevalue(persona))
    data = {"department": adjustment.department_id, "points": "5", "reason": "x"}
    for url in _urls(closed, adjustment):
        assert client.get(url).status_code == 403
    for url in _urls(closed, adjustment)[1:]:
        assert client.post(url, data).status_code == 403
    assert Adjustment.objects.get().points == Decimal("-1.50")


def test_the_list_shows_adjustments_with_reasons(client_for, evaluator, closed, adjustment) -> None:
    response = client_for(evaluator).get(reverse("evaluation:adjustments", args=[closed.code]))
    assert response.status_code == 200
    assert "迟报" in response.content.decode()
    assert reverse("evaluation:adjustment_edit", args=[closed.code, adjustment.pk]) in response.content.decode()


def test_an_evaluator_adds_edits_and_removes_through_the_pages(client_for, evaluator, closed, org) -> None:
    client = client_for(evaluator)
    response = client.post(
        reverse("evaluation:adjustment_add", args=[closed.code]),
        {"department": org["EQP"].pk, "points": "-2.5", "reason": "未按期答复"},
    )
    assert response.status_code == 302
    added = Adjustment.objects.get()
    assert (added.department, added.points, added.created_by) == (org["EQP"], Decimal("-2.50"), evaluator)
    response = client.post(
        reverse("evaluation:adjustment_edit", args=[closed.code, added.pk]),
        {"department": org["EQP"].pk, "points": "3", "reason": "更正"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.points, added.reason) == (Decimal("3.00"), "更正")
    assert client.get(reverse("evaluation:adjustment_delete", args=[closed.code, added.pk])).status_code == 200
    response = client.post(reverse("evaluation:adjustment_delete", args=[closed.code, added.pk]))
    assert response.status_code == 302
    assert not Adjustment.objects.exists()


def test_the_form_shows_errors_and_changes_nothing(client_for, evaluator, closed, org) -> None:
    client = client_for(evaluator)
    for data in (
        {"department": org["EQP"].pk, "points": "1.555", "reason": "x"},
        {"department": org["EQP"].pk, "points": "1", "reason": "  "},
        {"department": org["HRM"].pk, "points": "1", "reason": "x"},
        {"department": "", "points": "zz", "reason": ""},
    ):
        response = client.post(reverse("evaluation:adjustment_add", args=[closed.code]), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Adjustment.objects.exists()


def test_the_pages_refuse_changes_unless_closed(client_for, evaluator, quarter, org) -> None:
    client = client_for(evaluator)
    response = client.post(
        reverse("evaluation:adjustment_add", args=[quarter.code]),
        {"department": org["EQP"].pk, "points": "1", "reason": "x"},
    )
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert not Adjustment.objects.exists()


def test_an_unknown_quarter_or_adjustment_is_404(client_for, evaluator, closed, adjustment) -> None:
    client = client_for(evaluator)
    assert client.get(reverse("evaluation:adjustments", args=["2099Q1"])).status_code == 404
    assert client.get(reverse("evaluation:adjustment_edit", args=[closed.code, adjustment.pk + 99])).status_code == 404
