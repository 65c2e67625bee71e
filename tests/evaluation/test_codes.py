"""One-time codes: alphabet, length, entropy, uniqueness, normalisation, who may get them, the audit."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import BallotCode, Quarter, QuarterStatus
from evaluation.services.codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_CODES_PER_ISSUE,
    codes_issue,
    format_code,
    generate_code,
    normalise_code,
)

CONFUSABLE = set("0O1IL")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_alphabet_has_no_confusable_characters() -> None:
    assert not CONFUSABLE & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert CODE_ALPHABET.upper() == CODE_ALPHABET


def test_a_code_carries_at_least_40_bits() -> None:
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 40


def test_generated_codes_use_only_the_alphabet_and_vary() -> None:
    codes = [generate_code() for _ in range(2000)]
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    # Every character of the alphabet turns up somewhere in 20,000 draws.
    assert set("".join(codes)) == set(CODE_ALPHABET)


def test_it_shows_codes_in_groups_of_five() -> None:
    assert format_code("ABCDEFGHJK") == "ABCDE-FGHJK"


@pytest.mark.parametrize(
    "typed",
    ["ABCDE-FGHJK", "abcde fghjk", " abcdefghjk ", "ABCDE—FGHJK", "ＡＢＣＤＥ－ＦＧＨＪＫ", "ab-cd-ef gh jk"],
)
def test_typed_codes_are_normalised(typed) -> None:
    assert normalise_code(typed) == "ABCDEFGHJK"


def test_it_issues_unique_stored_codes_for_a_grassroots_unit(quarter, org, evaluator) -> None:
    first = codes_issue(quarter=quarter, unit=org["HRM"], count=50, actor=evaluator)
    second = codes_issue(quarter=quarter, unit=org["HRM"], count=50, actor=evaluator)
    stored = list(BallotCode.objects.values_list("code", flat=True))
    assert len(first) == len(second) == 50
    assert len(stored) == len(set(stored)) == 100
    assert all(normalise_code(code) == code for code in stored)
    assert not BallotCode.objects.filter(used=True).exists()


def test_the_audit_records_unit_and_count_but_never_the_codes(quarter, org, evaluator) -> None:
    codes = codes_issue(quarter=quarter, unit=org["NFM"], count=5, actor=evaluator)
    entry = AuditEntry.objects.get(action=AuditAction.CODES_ISSUED)
    assert entry.actor == evaluator
    assert entry.details == {"unit": "NFM", "count": 5}
    text = f"{entry.summary} {entry.reason} {entry.details}"
    assert not any(code.code in text or format_code(code.code) in text for code in codes)


@pytest.mark.parametrize("count", [0, -1, MAX_CODES_PER_ISSUE + 1])
def test_it_refuses_a_count_outside_1_to_500(quarter, org, evaluator, count) -> None:
    with pytest.raises(ValidationError, match="between 1 and 500"):
        codes_issue(quarter=quarter, unit=org["HRM"], count=count, actor=evaluator)
    assert not BallotCode.objects.exists()


def test_it_issues_500_at_once(quarter, org, evaluator) -> None:
    assert len(codes_issue(quarter=quarter, unit=org["HRM"], count=500, actor=evaluator)) == 500


@pytest.mark.parametrize("unit", ["OPS", "RET"])
def test_it_refuses_units_that_are_not_grassroots(quarter, org, evaluator, unit) -> None:
    with pytest.raises(ValidationError, match="grassroots"):
        codes_issue(quarter=quarter, unit=org[unit], count=1, actor=evaluator)


def test_it_refuses_an_inactive_grassroots_unit(quarter, org, evaluator) -> None:
    org["HRM"].active = False
    org["HRM"].save()
    with pytest.raises(ValidationError):
        codes_issue(quarter=quarter, unit=org["HRM"], count=1, actor=evaluator)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (QuarterStatus.DRAFT, True),
        (QuarterStatus.OPEN, True),
        (QuarterStatus.CLOSED, False),
        (QuarterStatus.PUBLISHED, False),
    ],
)
def test_codes_are_issued_only_while_draft_or_open(quarter, org, evaluator, status, allowed) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=status)
    quarter.refresh_from_db()
    if allowed:
        codes_issue(quarter=quarter, unit=org["HRM"], count=2, actor=evaluator)
        assert BallotCode.objects.count() == 2
    else:
        with pytest.raises(ValidationError):
            codes_issue(quarter=quarter, unit=org["HRM"], count=2, actor=evaluator)
        assert not BallotCode.objects.exists()
