"""An adjustment of zero points changes nothing and is refused, on the page and in the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import Adjustment, QuarterStatus
from evaluation.services.adjustments import adjustment_add, adjustment_update

MESSAGE = {"zh-hans": "加减分为 0.00", "en": "An adjustment of 0.00 changes nothing"}


@pytest.fixture
def closed(quarter):
    quarter.status = QuarterStatus.CLOSED
    quarter.save(update_fields=["status"])
    return quarter


@pytest.mark.parametrize("points", ["0", "0.00", "-0", "+0.0", Decimal("0")])
def test_it_refuses_zero_points(closed, org, evaluator, points) -> None:
    with pytest.raises(ValidationError):
        adjustment_add(quarter=closed, department=org["OPS"], points=points, reason="无", actor=evaluator)
    assert not Adjustment.objects.exists()


def test_it_refuses_changing_an_adjustment_to_zero(closed, org, evaluator) -> None:
    adjustment = adjustment_add(quarter=closed, department=org["OPS"], points="1.00", reason="表扬", actor=evaluator)
    with pytest.raises(ValidationError):
        adjustment_update(adjustment=adjustment, points="0.00", reason="表扬", actor=evaluator)
    adjustment.refresh_from_db()
    assert adjustment.points == Decimal("1.00")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_says_why_zero_is_refused(client_for, evaluator, closed, org, language) -> None:
    client = client_for(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = {"department": org["EQP"].pk, "points": "0.00", "reason": "无"}
    response = client.post(reverse("evaluation:adjustment_add", args=[closed.code]), data)
    assert response.status_code == 200
    assert MESSAGE[language] in response.content.decode()
    assert not Adjustment.objects.exists()
