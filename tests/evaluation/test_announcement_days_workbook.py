"""`announcement_days` in the quarter workbook, the console form and a quarter copied from the previous one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Quarter
from evaluation.services.quarters import quarter_create, quarter_create_from_previous
from tests.evaluation.test_import_quarter import example_org, example_sheets, import_file, refused, write_workbook

__all__ = ["example_org"]  # a fixture, used by name


def _with_days(tmp_path, days: object):
    sheets = example_sheets()
    sheets["settings"] = [*sheets["settings"], ["公示天数", days]]
    return write_workbook(tmp_path / "quarter.xlsx", sheets)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("days", [7, 0])
def test_the_quarter_workbook_sets_the_announcement_period(example_org, tmp_path, days) -> None:
    import_file(_with_days(tmp_path, days))
    assert Quarter.objects.get(code="2026Q3").announcement_days == days


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("days", [91, -1, "一周", 2.5])
def test_a_bad_announcement_period_is_refused_and_nothing_is_imported(example_org, tmp_path, days) -> None:
    assert "Enter a whole number from 0 to 90." in refused(_with_days(tmp_path, days))


@pytest.mark.usefixtures("english")
def test_the_console_saves_the_announcement_period_and_refuses_a_bad_one(org, evaluator, client_for) -> None:
    quarter = quarter_create(code="2026Q3")
    client = client_for(evaluator)
    form = client.get(reverse("evaluation:console", args=[quarter.code])).context["form"]
    # The form as shown, resubmitted; `trim` is an unticked box, which a browser leaves out.
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    client.post(reverse("evaluation:console", args=[quarter.code]), {**data, "announcement_days": "5"})
    assert Quarter.objects.get(pk=quarter.pk).announcement_days == 5
    response = client.post(reverse("evaluation:console", args=[quarter.code]), {**data, "announcement_days": "91"})
    assert response.status_code == 200
    assert Quarter.objects.get(pk=quarter.pk).announcement_days == 5


def test_a_quarter_copied_from_the_previous_one_keeps_its_announcement_period(org) -> None:
    quarter_create(code="2026Q2", announcement_days=7)
    assert quarter_create_from_previous(code="2026Q3").announcement_days == 7
