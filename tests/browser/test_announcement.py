"""The announcement in Chromium (issue 15 acceptance): close → announce → a representative objects → the evaluation
group upholds it with an adjustment and re-announces → finalises; a rejected objection; finalising refused while
an objection is open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from evaluation.models import DepartmentResult, Objection, ObjectionPoint, ObjectionStatus, Quarter, QuarterStatus
from evaluation.services.objections import objection_file
from tests.evaluation.announcement_helpers import announced_quarter, closed_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]


def _confirm(page, code: str, label: str, reason: str = "") -> None:
    """Open a lifecycle button's confirmation on the console and confirm it, with a reason when given."""
    page.goto(f"/console/{code}/")
    details = page.locator("#lifecycle details", has=page.locator("summary", has_text=label))
    details.locator("summary").click()
    if reason:
        details.locator("textarea[name=reason]").fill(reason)
    details.get_by_role("button", name=f"Confirm: {label}").click()
    page.wait_for_url(f"**/console/{code}/")


def _period_over(quarter: Quarter) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(announced_at=timezone.now() - dt.timedelta(days=30))


def _status(quarter: Quarter) -> str:
    return Quarter.objects.get(pk=quarter.pk).status


def _ops_score(quarter: Quarter) -> Decimal:
    return DepartmentResult.objects.get(quarter=quarter, department__code="OPS").score


def test_an_upheld_objection_is_corrected_re_announced_and_finalised(
    desktop_page, login_as, speak, org, rep, other_rep, evaluator
) -> None:
    page = desktop_page
    speak(page, "en")
    quarter = closed_quarter(org, [rep, other_rep], days=5)
    login_as(page, evaluator)
    page.goto(f"/console/{quarter.code}/")
    announce = page.locator("#lifecycle details", has=page.locator("summary", has_text="Announce the results"))
    announce.locator("summary").click()
    # The announcement's confirmation shows the participation the results rest on, as publishing's does.
    assert "Participation the results rest on" in announce.inner_text()
    _confirm(page, quarter.code, "Announce the results")
    assert _status(quarter) == QuarterStatus.ANNOUNCED
    first_score = _ops_score(quarter)

    login_as(page, rep)
    page.goto(f"/results/{quarter.code}/")
    assert "Under announcement" in page.locator("#announcement-banner").inner_text()
    page.get_by_role("link", name="Object to our department's result").click()
    page.get_by_label("Point of the result").select_option("adjustment")
    page.locator("textarea[name=text]").fill("安全表彰加分未计入")
    page.get_by_role("button", name="File the objection").click()
    page.wait_for_url(f"**/objections/{quarter.code}/")
    assert "Waiting for an answer" in page.locator("#objection-" + str(Objection.objects.get().pk)).inner_text()

    login_as(page, evaluator)
    page.goto("/")
    assert "运营改善部" in page.locator("#waiting-objections").inner_text()
    _confirm(page, quarter.code, "Take the announced results back to correct them", reason="申诉成立，补加分")
    assert _status(quarter) == QuarterStatus.CLOSED
    page.goto(f"/console/{quarter.code}/adjustments/add/")
    page.get_by_label("Department").select_option(label="运营改善部 (OPS)")
    page.get_by_label("Points").fill("2")
    page.get_by_label("Reason").fill("安全表彰")
    page.get_by_role("button", name="Save").click()
    _confirm(page, quarter.code, "Announce the results")
    assert _status(quarter) == QuarterStatus.ANNOUNCED
    page.goto(f"/console/{quarter.code}/objections/")
    page.get_by_label("Upheld").check()
    page.get_by_label("Reasons").fill("属实，已补加分并重新公示")
    adjustment = AuditEntry.objects.get(action=AuditAction.ADJUSTMENT_ADDED)
    page.get_by_label("Correction made").select_option(str(adjustment.pk))
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url(f"**/console/{quarter.code}/objections/")
    assert Objection.objects.get().status == ObjectionStatus.UPHELD

    _period_over(quarter)
    _confirm(page, quarter.code, "Make the results final")
    assert _status(quarter) == QuarterStatus.PUBLISHED
    assert _ops_score(quarter) - first_score == Decimal(2)

    login_as(page, rep)
    page.goto(f"/objections/{quarter.code}/")
    answer = page.locator("#objection-" + str(Objection.objects.get().pk)).inner_text()
    assert "Upheld" in answer
    assert "属实，已补加分并重新公示" in answer


def test_finalising_is_refused_while_an_objection_is_open_then_a_rejected_one_lets_it_through(
    desktop_page, login_as, speak, org, rep, other_rep, evaluator
) -> None:
    page = desktop_page
    speak(page, "en")
    quarter = announced_quarter(org, [rep, other_rep], days=5)
    objection = objection_file(
        quarter=quarter, actor=rep, department=org["OPS"], point=ObjectionPoint.RANK, text="名次计算有误"
    )
    _period_over(quarter)
    login_as(page, evaluator)
    page.goto(f"/console/{quarter.code}/")
    finalise = page.locator("#lifecycle details", has=page.locator("summary", has_text="Make the results final"))
    finalise.locator("summary").click()
    assert "1 objection is waiting for an answer." in finalise.inner_text()
    _confirm(page, quarter.code, "Make the results final", reason="会议已定")
    assert "The results cannot become final yet." in page.locator("body").inner_text()
    assert _status(quarter) == QuarterStatus.ANNOUNCED

    page.goto(f"/console/{quarter.code}/objections/")
    page.get_by_label("Rejected").check()
    page.get_by_label("Reasons").fill("名次按考核办法计算，无误")
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url(f"**/console/{quarter.code}/objections/")
    _confirm(page, quarter.code, "Make the results final")
    assert _status(quarter) == QuarterStatus.PUBLISHED

    login_as(page, rep)
    page.goto(f"/objections/{quarter.code}/")
    answer = page.locator(f"#objection-{objection.pk}").inner_text()
    assert "Rejected" in answer
    assert "名次按考核办法计算，无误" in answer
