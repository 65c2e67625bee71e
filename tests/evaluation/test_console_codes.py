"""Issuing codes on the console, printing slips with QR codes, and the Excel list."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import BallotCode
from evaluation.services.codes import codes_issue, format_code

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_it_issues_codes_from_the_console(quarter, client_for, evaluator, org) -> None:
    response = client_for(evaluator).post(
        reverse("evaluation:codes_issue", args=[quarter.code]), {"unit": org["HRM"].pk, "count": "12"}
    )
    assert response.status_code == 302
    assert BallotCode.objects.filter(quarter=quarter, unit=org["HRM"]).count() == 12


@pytest.mark.parametrize("count", ["0", "501", "x"])
def test_a_bad_count_is_refused_with_a_message(quarter, client_for, evaluator, org, count) -> None:
    response = client_for(evaluator).post(
        reverse("evaluation:codes_issue", args=[quarter.code]), {"unit": org["HRM"].pk, "count": count}, follow=True
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not BallotCode.objects.exists()


def test_a_department_cannot_receive_codes(quarter, client_for, evaluator, org) -> None:
    client_for(evaluator).post(
        reverse("evaluation:codes_issue", args=[quarter.code]), {"unit": org["OPS"].pk, "count": "3"}
    )
    assert not BallotCode.objects.exists()


def test_the_console_shows_issued_and_used_counts_per_unit(quarter, client_for, evaluator, org) -> None:
    codes = codes_issue(quarter=quarter, unit=org["HRM"], count=4, actor=evaluator)
    BallotCode.objects.filter(pk=codes[0].pk).update(used=True)
    page = client_for(evaluator).get(reverse("evaluation:console", args=[quarter.code])).content.decode()
    assert reverse("evaluation:codes_print", args=[quarter.code, "HRM"]) in page
    assert re.search(r"<td>板材热连轧厂</td>\s*<td[^>]*>4</td>\s*<td[^>]*>1</td>\s*<td[^>]*>3</td>", page)


def test_the_print_page_shows_unused_codes_with_link_and_qr(quarter, client_for, evaluator, org, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://kaohe.example.com/"
    codes = codes_issue(quarter=quarter, unit=org["HRM"], count=10, actor=evaluator)
    BallotCode.objects.filter(pk=codes[0].pk).update(used=True)
    page = client_for(evaluator).get(reverse("evaluation:codes_print", args=[quarter.code, "HRM"])).content.decode()
    ballot_path = reverse("evaluation:ballot_code")
    assert format_code(codes[0].code) not in page
    for code in codes[1:]:
        assert format_code(code.code) in page
        assert f"https://kaohe.example.com{ballot_path}#code={code.code}" in page
    assert page.count("<svg") == 9
    assert page.count('class="slip-page"') == 2  # 9 slips, 8 to a page
    assert "css/print.css" in page
    assert "<script>" not in page


def test_without_a_public_base_url_the_link_uses_the_request_host(quarter, client_for, evaluator, org) -> None:
    codes = codes_issue(quarter=quarter, unit=org["HRM"], count=1, actor=evaluator)
    page = client_for(evaluator).get(reverse("evaluation:codes_print", args=[quarter.code, "HRM"])).content.decode()
    assert f"http://testserver{reverse('evaluation:ballot_code')}#code={codes[0].code}" in page


def test_the_qr_code_encodes_the_link(quarter, client_for, evaluator, org) -> None:
    import segno

    codes = codes_issue(quarter=quarter, unit=org["HRM"], count=1, actor=evaluator)
    page = client_for(evaluator).get(reverse("evaluation:codes_print", args=[quarter.code, "HRM"])).content.decode()
    link = f"http://testserver{reverse('evaluation:ballot_code')}#code={codes[0].code}"
    assert segno.make(link, error="m").svg_inline(scale=3, border=2) in page


def test_the_codes_download_as_a_workbook(quarter, client_for, evaluator, org) -> None:
    codes = codes_issue(quarter=quarter, unit=org["NFM"], count=3, actor=evaluator)
    response = client_for(evaluator).get(reverse("evaluation:codes_xlsx", args=[quarter.code, "NFM"]), **EN)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "codes-2026Q3-NFM.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Quarter", "Unit code", "Unit", "Code", "Link")
    assert sorted(row[3] for row in rows[1:]) == sorted(format_code(c.code) for c in codes)
    assert all(row[4].endswith(f"#code={row[3].replace('-', '')}") for row in rows[1:])


def test_a_unit_name_that_looks_like_a_formula_stays_text(quarter, client_for, evaluator, org) -> None:
    org["NFM"].name = "=1+1"
    org["NFM"].save()
    codes_issue(quarter=quarter, unit=org["NFM"], count=1, actor=evaluator)
    response = client_for(evaluator).get(reverse("evaluation:codes_xlsx", args=[quarter.code, "NFM"]))
    cell = load_workbook(io.BytesIO(response.content)).active["C2"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
