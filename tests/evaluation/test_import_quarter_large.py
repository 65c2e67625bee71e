"""A quarter workbook larger than one piece of the streamed reading: all of it stored, or none of it."""

from __future__ import annotations

import pytest
from django.utils import translation

from evaluation import ballot_rules as rules
from evaluation.ballot_rules import BallotRefused, ValueScale
from evaluation.models import Ballot, BallotValue, Source
from tests.evaluation.test_import_quarter import (
    example_org,  # noqa: F401 - a fixture
    example_sheets,
    import_file,
    refused,
    write_workbook,
)

pytestmark = [pytest.mark.usefixtures("example_org")]

# Rows enough for the sheet part to unpack to several megabytes (departments.workbook_stream reads one at a time).
BALLOTS = 6000


def large_sheets() -> dict[str, list[list]]:
    sheets = example_sheets()
    header = sheets["ballots"][0]
    rows = [header]
    for number in range(1, BALLOTS + 1):
        unit = "G1" if number % 2 else "G2"
        rows.append([f"g{number}", "grassroots", unit, None, "A", 90, 80, 70, "意见" if number % 100 == 0 else None])
        rows.append([f"g{number}", "基层", unit, None, "B", 60, None, "不了解", None])
    sheets["ballots"] = rows
    return sheets


def test_a_large_workbook_is_stored_whole(tmp_path):
    import_file(write_workbook(tmp_path / "large.xlsx", large_sheets()))
    grassroots = Ballot.objects.filter(source=Source.GRASSROOTS)
    assert grassroots.count() == BALLOTS
    values = BallotValue.objects.filter(ballot__in=grassroots)
    assert values.count() == BALLOTS * 4
    # One counted row per ballot and department, one per ballot (evaluation.models.counting_flags).
    assert values.filter(counts_ballot=True).count() == BALLOTS * 2
    assert values.filter(counts_giving_ballot=True).count() == BALLOTS


def _value_message(language: str) -> str:
    with translation.override(language):
        try:
            rules.cell_centi(
                101, scale=ValueScale(uses_levels=False, levels={}), department="设备部", criterion="服务意识"
            )
        except BallotRefused as refusal:
            return refusal.messages[0]
    raise AssertionError("101 points were accepted")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_bad_row_at_the_end_of_a_large_sheet_leaves_nothing_stored(tmp_path, language):
    sheets = large_sheets()
    sheets["ballots"][-1][7] = 101
    path = write_workbook(tmp_path / "bad-at-the-end.xlsx", sheets)
    with translation.override(language):
        err = refused(path)  # refused() also checks that nothing at all changed
    assert f"ballots, {len(sheets['ballots'])}, service: {_value_message(language)}" in err
    assert not Ballot.objects.exists()
