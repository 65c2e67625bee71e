"""The empty quarter workbook: prefilled with departments, criteria, levels and settings; importable once filled."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import Ballot, BallotValue, Quarter, QuarterStatus


def download(client, **params) -> io.BytesIO:
    response = client.get(reverse("evaluation:quarter_template"), params)
    assert response.status_code == 200
    return io.BytesIO(b"".join(response.streaming_content))


def test_it_lists_departments_criteria_levels_and_settings(client_for, evaluator, quarter):
    workbook = load_workbook(download(client_for(evaluator), quarter=quarter.code))
    assert workbook.sheetnames[:5] == ["设置", "等级", "指标", "评分", "加减分"]  # Chinese is the default language
    settings = {row[0]: row[1] for row in workbook["设置"].iter_rows(min_row=2, values_only=True)}
    assert settings["quarter"] == "2026Q3"
    assert settings["weight_grassroots"] == 40
    assert [row[0] for row in workbook["指标"].iter_rows(min_row=2, values_only=True)] == [
        "efficiency",
        "quality",
        "service",
    ]
    assert [row[0] for row in workbook["等级"].iter_rows(min_row=2, values_only=True)] == [
        "优秀",
        "良好",
        "一般",
        "较差",
    ]
    ballots = list(workbook["评分"].iter_rows(values_only=True))
    assert ballots[0][:5] == ("票号", "来源", "评价单位", "评价人", "被评部门")
    assert [row[4] for row in ballots[1:]] == ["OPS", "EQP", "AUD", "RET"]


def test_the_filled_template_imports(client_for, evaluator, org, leader, tmp_path):
    workbook = load_workbook(download(client_for(evaluator)))
    workbook["设置"]["B2"] = "2026Q4"
    sheet = workbook["评分"]
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["G2"], sheet["H2"] = "1", "基层", "HRM", "优秀", 80
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["I3"] = "1", "基层", "HRM", "不了解"
    sheet["G3"] = "一般"
    sheet.append(["L1", "领导", None, leader.username, "AUD", None, 60, 60, 60])
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    call_command("import_quarter", str(path), stdout=io.StringIO())
    quarter = Quarter.objects.get(code="2026Q4")
    assert quarter.status == QuarterStatus.CLOSED
    assert Ballot.objects.filter(quarter=quarter).count() == 2
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [6000, 6000, 6000, 6000, 8000, 10000]


def test_it_is_in_english_for_english_visitors(client_for, evaluator, quarter):
    client = client_for(evaluator)
    client.cookies["django_language"] = "en"
    workbook = load_workbook(download(client, quarter=quarter.code))
    assert workbook.sheetnames[:5] == ["settings", "levels", "criteria", "ballots", "adjustments"]


def test_a_quarter_that_is_not_there_is_404(client_for, evaluator, quarter):
    # Text such as 2026\x00Q3 reached a query (a server error on PostgreSQL); any unknown quarter is a 404.
    client = client_for(evaluator)
    for code in ("2026\x00Q3", "2026Q3\x00", "\x00", "2026q3", "2030Q1"):
        assert client.get(reverse("evaluation:quarter_template"), {"quarter": code}).status_code == 404, code
    assert client.get(reverse("evaluation:quarter_template"), {"quarter": ""}).status_code == 200
