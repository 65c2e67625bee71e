"""The party-branch programme beside work style, through the real demo and the real pages (docs/design.md,
"Programmes"): its own source names everywhere, one ranking group per secondary unit, the quarter workbook of
its own targets and scope, and every link of a dj quarter's pages reaching a page."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Programme, Unit, User
from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.selectors.results import quarter_results

pytestmark = pytest.mark.django_db

PARTY_LABELS = ("群众评议", "支部互评", "党委评分")
WORKSTYLE_LABELS = ("基层评价", "部门互评", "领导评分")
SECONDARY_UNITS = ["二钢厂", "中厚板厂", "物流中心"]


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _download(client: Client, url: str, **params: str):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_a_dj_quarter_names_its_sources_as_its_programme_does_and_work_style_keeps_its_own(demo) -> None:
    evaluator = _client("evaluator1")
    party_pages = [
        reverse("evaluation:ranking", args=["dj.2026Q2"]),
        reverse("evaluation:department", args=["dj.2026Q2", "EGC-LG"]),
        reverse("evaluation:method", args=["dj.2026Q3"]),
        reverse("evaluation:console", args=["dj.2026Q3"]),
        reverse("evaluation:ballots", args=["dj.2026Q2"]),
    ]
    for url in party_pages:
        page = _page(evaluator, url)
        assert all(label in page for label in PARTY_LABELS), url
        assert not any(label in page for label in WORKSTYLE_LABELS), url
    for url in (reverse("evaluation:ranking", args=["2026Q2"]), reverse("evaluation:method", args=["2026Q3"])):
        page = _page(evaluator, url)
        assert all(label in page for label in WORKSTYLE_LABELS), url
        assert not any(label in page for label in PARTY_LABELS), url

    # The ballot page of each source, for accounts that have not voted yet (some secretaries have).
    open_quarter = Quarter.objects.get(programme__code="dj", code="2026Q3")
    voted = Ballot.objects.filter(quarter=open_quarter, source=Source.PEER).values("rater_unit")
    secretary = User.objects.filter(username__startswith="secretary_").exclude(unit__in=voted).first().username
    raters = (("rater_egc", "群众评议", "ballot_grassroots"), (secretary, "支部互评", "ballot_peer"))
    for username, label, ballot_page in (*raters, ("committee_zhb", "党委评分", None)):
        client = _client(username)
        assert label in _page(client, reverse("home")), username  # the ballot card (every leader has voted)
        if ballot_page is not None:
            page = _page(client, reverse(f"evaluation:{ballot_page}") + "?quarter=dj.2026Q3")
            assert label in page and "党支部" in page, username

    # The results workbook: the ranking's source headers, the settings' meanings, the listing's sources.
    workbook = _download(evaluator, reverse("evaluation:export_quarter", args=["dj.2026Q2"]))
    ranking = workbook.worksheets[0]
    headers = next(row for row in ranking.iter_rows(values_only=True) if row and row[0] == "排名组")
    assert [h for h in headers if h and h.endswith("得分")][1:] == ["群众评议得分", "支部互评得分", "党委评分得分"]
    cells = (cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    text = " ".join(str(cell) for cell in cells if cell)
    assert all(label in text for label in PARTY_LABELS)
    assert not any(label in text for label in WORKSTYLE_LABELS)
    assert "群众评议矩阵" in workbook.sheetnames


def test_each_secondary_units_branches_rank_in_their_own_group(demo) -> None:
    quarter = Quarter.objects.get(programme__code="dj", code="2026Q2")
    results = quarter_results(quarter)
    assert list(dict.fromkeys(row.group for row in results.departments)) == SECONDARY_UNITS
    for row in results.departments:
        assert Unit.objects.get(code=row.code).parent.name == row.group
    for group in SECONDARY_UNITS:
        assert sorted(row.rank for row in results.in_group(group))[0] == 1

    evaluator = _client("evaluator1")
    ranking = _page(evaluator, reverse("evaluation:ranking", args=["dj.2026Q2"]))
    assert re.findall(r'<h2 class="h4" id="group-\d+">([^<]+)</h2>', ranking) == SECONDARY_UNITS
    annual = _page(evaluator, reverse("evaluation:annual", args=["dj.2026"]))
    assert all(name in annual for name in SECONDARY_UNITS)
    workbook = _download(evaluator, reverse("evaluation:export_quarter", args=["dj.2026Q2"]))
    groups = {row[0] for row in workbook.worksheets[0].iter_rows(values_only=True) if row and row[1] is not None}
    assert set(SECONDARY_UNITS) <= groups


def test_the_quarter_workbook_of_a_dj_quarter_lists_its_targets_criteria_and_scope(demo, tmp_path) -> None:
    evaluator = _client("evaluator1")
    workbook = _download(evaluator, reverse("evaluation:quarter_template"), quarter="dj.2026Q3")
    settings = {row[0]: row[1] for row in workbook["设置"].iter_rows(min_row=2, values_only=True)}
    assert (settings["programme"], settings["quarter"], settings["scale"]) == ("dj", "2026Q3", "points")
    criteria = [row[0] for row in workbook["指标"].iter_rows(min_row=2, values_only=True)]
    assert criteria == ["performance", "safety", "skills", "party_building"]
    ballots = list(workbook["评分"].iter_rows(values_only=True))
    assert ballots[0][4:7] == ("被评部门", "部门名称", "上级单位")
    assert ballots[0][7:11] == tuple(criteria)
    branches = Unit.objects.evaluated(Programme.objects.get(code="dj")).select_related("parent")
    order = {unit.code: (unit.parent.order, unit.order) for unit in branches}
    assert [row[4] for row in ballots[1:]] == sorted(order, key=order.get)
    assert {row[4] for row in ballots[1:]}.isdisjoint({"OPS", "EQP", "SAF"})  # no work-style department
    scope = {row[1]: row for row in workbook["测评范围"].iter_rows(min_row=2, values_only=True)}
    assert scope["EGC"][0] == "群众评议" and scope["EGC"][3] == "EGC-LG, EGC-LZ, EGC-SB, EGC-JG"
    assert scope["EGC-LG"][0] == "支部互评" and scope["EGC-LG"][3] == "EGC-LZ, EGC-SB, EGC-JG"
    assert scope["committee_egc"][0] == "党委评分" and scope["committee_egc"][3].startswith("EGC-")
    assert "HSM" not in scope  # a work-style grassroots unit rates no branch

    # Filled in for a new quarter: the programme's source names are accepted, a pair out of scope is refused.
    workbook["设置"]["B2"] = "2026Q4"
    sheet = workbook["评分"]
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["H2"], sheet["I2"] = "1", "群众评议", "EGC", 90, 85
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    call_command("import_quarter", str(path), stdout=io.StringIO())
    new = Quarter.objects.get(programme__code="dj", code="2026Q4")
    assert list(new.criteria.values_list("code", flat=True)) == criteria
    assert Ballot.objects.filter(quarter=new, source=Source.GRASSROOTS).count() == 1

    sheet["A2"], sheet["E2"] = "2", "ZHB-ZG"  # 二钢厂's workers do not rate 中厚板厂's branches
    workbook["设置"]["B2"] = "2027Q1"
    workbook.save(path)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_quarter", str(path), stdout=io.StringIO(), stderr=errors)
    assert "E2" in errors.getvalue() or "target" in errors.getvalue() or "被评部门" in errors.getvalue()
    assert not Quarter.objects.filter(programme__code="dj", code="2027Q1").exists()


def test_the_empty_workbook_of_a_programme_has_its_criteria_and_targets(demo) -> None:
    workbook = _download(_client("evaluator1"), reverse("evaluation:quarter_template"), programme="dj")
    settings = {row[0]: row[1] for row in workbook["设置"].iter_rows(min_row=2, values_only=True)}
    assert settings["programme"] == "dj"
    assert next(workbook["指标"].iter_rows(min_row=2, values_only=True))[0] == "performance"
    assert next(workbook["评分"].iter_rows(min_row=2, values_only=True))[4] == "EGC-LG"
    client = _client("evaluator1")
    assert client.get(reverse("evaluation:quarter_template"), {"programme": "nosuch"}).status_code == 404
    assert client.get(reverse("evaluation:quarter_template"), {"programme": "a.b"}).status_code == 404


# --- every link of a dj quarter's pages -----------------------------------------------------------------------

HREF = re.compile(r'href="([^"]+)"')


def _internal_links(page: str) -> set[str]:
    links = set()
    for raw in HREF.findall(page):
        url = urldefrag(unescape(raw)).url
        parts = urlsplit(url)
        if not url or parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("/static/"):
            continue
        links.add(url)
    return links


def test_every_link_on_the_pages_of_a_dj_quarter_reaches_a_page(demo) -> None:
    client = _client("evaluator1")
    quarter = Quarter.objects.get(programme__code="dj", code="2026Q3")
    quarter_published = Quarter.objects.get(programme__code="dj", code="2026Q2")
    assert (quarter.status, quarter_published.status) == (QuarterStatus.OPEN, QuarterStatus.PUBLISHED)
    # An announced dj quarter too, so that the announcement's links are walked.
    pages = [
        reverse("home"),
        reverse("evaluation:console", args=[quarter.key]),
        reverse("evaluation:console", args=[quarter_published.key]),
        reverse("evaluation:ballots", args=[quarter.key]),
        reverse("evaluation:audit", args=[quarter.key]),
        reverse("evaluation:adjustments", args=[quarter.key]),
        reverse("evaluation:objections", args=[quarter_published.key]),
        reverse("evaluation:ranking", args=[quarter.key]),
        reverse("evaluation:ranking", args=[quarter_published.key]),
        reverse("evaluation:method", args=[quarter.key]),
        reverse("evaluation:department", args=[quarter_published.key, "EGC-LG"]),
        reverse("evaluation:department", args=[quarter.key, "ZHB-ZG"]),
        reverse("evaluation:annual", args=[quarter_published.annual_key]),
        reverse("evaluation:rankings"),
        reverse("evaluation:problems") + f"?quarter={quarter_published.pk}",
        reverse("evaluation:comments") + f"?quarter={quarter_published.pk}",
        reverse("evaluation:import_quarter"),
        reverse("evaluation:codes_print", args=[quarter.key, "EGC"]),
    ]
    seen: dict[str, int] = {}
    for url in pages:
        page = _page(client, url)
        assert "dj.2026Q" in page or url == reverse("home") or "quarter=" in url, url
        for link in sorted(_internal_links(page)):
            if link in seen or link.startswith("/admin/"):
                continue
            response = client.get(link)  # a server error raises here
            seen[link] = response.status_code
    broken = {link: status for link, status in seen.items() if status == 404 or status >= 500}
    assert not broken
    # The dj quarters' own pages were reached under their programme-qualified key.
    assert any(link.startswith("/console/dj.2026Q3/") for link in seen)
    assert any("/results/dj.2026Q2/" in link for link in seen)
    assert reverse("evaluation:export_quarter", args=["dj.2026Q2"]) in seen
