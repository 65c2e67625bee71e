"""One list of quarter settings, read by the console, the quarter workbook and its template; defaults from the model."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from evaluation.forms.quarters import QuarterSettingsForm
from evaluation.imports.common import SETTING_DEFAULTS
from evaluation.models import SCORING_FIELDS, Quarter


def template_settings(client) -> dict:
    response = client.get(reverse("evaluation:quarter_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}


def test_the_template_without_a_quarter_offers_every_workbook_setting_at_the_models_default(client_for, evaluator):
    settings = template_settings(client_for(evaluator))
    assert set(settings) == set(SETTING_DEFAULTS)
    fresh = Quarter()
    assert settings["programme"] == "workstyle"
    for name in set(settings) - {"quarter", "programme", "trim"}:
        assert settings[name] == getattr(fresh, name), name
    assert settings["trim"] == ("yes" if fresh.trim else "no")


def test_the_console_form_edits_every_scoring_setting():
    assert set(SCORING_FIELDS) <= set(QuarterSettingsForm.base_fields)


def test_the_workbook_reads_every_scoring_setting_but_the_anonymity_threshold():
    # Beside the scoring settings, the programme and the announcement period (docs/workbooks.md).
    assert set(SETTING_DEFAULTS) == ({"quarter", "programme", *SCORING_FIELDS} - {"anonymity_k"}) | {
        "announcement_days"
    }


def test_the_console_form_edits_the_announcement_period():
    assert "announcement_days" in QuarterSettingsForm.base_fields
