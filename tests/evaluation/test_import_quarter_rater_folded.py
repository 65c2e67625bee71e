"""A leader named in the quarter workbook is matched by the folded username, as at login."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from evaluation.models import Ballot, Source
from tests.evaluation.test_import_quarter import example_org, example_sheets, write_workbook  # noqa: F401

pytestmark = [pytest.mark.usefixtures("english")]


def test_a_leader_written_in_capitals_or_full_width_is_that_leader(example_org, tmp_path) -> None:  # noqa: F811
    sheets = example_sheets()
    leaders = sorted({row[3] for row in sheets["ballots"][1:] if row[1] == "leadership"})
    spellings = {leaders[0]: leaders[0].upper(), leaders[-1]: "".join(chr(ord(c) + 0xFEE0) for c in leaders[-1])}
    for row in sheets["ballots"][1:]:
        row[3] = spellings.get(row[3], row[3])
    call_command("import_quarter", str(write_workbook(tmp_path / "q.xlsx", sheets)))
    raters = set(Ballot.objects.filter(source=Source.LEADERSHIP).values_list("rater__username", flat=True))
    assert set(leaders) <= raters
