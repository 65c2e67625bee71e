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

from departments.models import WORKSTYLE, Programme, Unit, User
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


# --- a dj quarter's pages speak of the units it rates, not of work style's departments -------------------------

# Work style's own words, each on some page of a work-style quarter; none belongs on a dj quarter's page.
WORKSTYLE_WORDS = (
    "基层单位一次性评分码",
    "网上基层评分表",
    "基层评价评分表",
    "基层评分表只保存单位和日期",
    "为各部门评分",
    "各部门在所属排名组内",
    "该部门在本年度",
    "对该部门作出评价",
    "该部门各项加减分",
    "各部门统计",
    "总部各部门",
    *WORKSTYLE_LABELS,
)


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, name
    return [unescape(text) for text in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


def _label(page: str, field_id: str) -> str:
    found = re.search(rf'<label[^>]*for="{field_id}"[^>]*>\s*([^<*]+?)\s*(?:<|\*)', page)
    assert found is not None, field_id
    return unescape(found.group(1))


def _grassroots_ballot(programme: str, code: str) -> Ballot:
    return Ballot.objects.filter(quarter__programme__code=programme, quarter__code=code, source=Source.GRASSROOTS)[0]


def test_the_pages_of_a_dj_quarter_speak_of_its_sources_and_the_units_it_rates(demo) -> None:
    evaluator = _client("evaluator1")
    ballot = _grassroots_ballot("dj", "2026Q2")
    pages = {
        "console": reverse("evaluation:console", args=["dj.2026Q3"]),
        "ballot": reverse("evaluation:ballot", args=["dj.2026Q2", ballot.pk]),
        "slips": reverse("evaluation:codes_print", args=["dj.2026Q3", "EGC"]),
        "entry": reverse("evaluation:entry") + "?quarter=dj.2026Q3",
        "ranking": reverse("evaluation:ranking", args=["dj.2026Q2"]),
        "annual": reverse("evaluation:annual", args=["dj.2026"]),
        "adjustments": reverse("evaluation:adjustments", args=["dj.2026Q3"]),
        "comments": reverse("evaluation:comments") + "?quarter=dj.2026Q2",
        "problems": reverse("evaluation:problems") + "?quarter=dj.2026Q2",
    }
    page = {name: _page(evaluator, url) for name, url in pages.items()}
    # The k-rule's note is for readers outside the evaluation group, such as the unit's party committee.
    page["department"] = _page(_client("committee_egc"), reverse("evaluation:department", args=["dj.2026Q2", "EGC-LG"]))
    for name, text in page.items():
        assert not [word for word in WORKSTYLE_WORDS if word in text], name

    assert "群众评议一次性评分码" in page["console"]
    assert _label(page["console"], "id_unit") == "评价单位"  # the codes card's unit, not 基层单位
    assert f"群众评议评分表（{ballot.rater_unit.name}，" in page["ballot"]
    assert "群众评议评分表只保存单位和日期" in page["ballot"]
    assert "为各被评单位评分" in page["slips"] and '党支部"1234"考核 2026Q3 · 二钢厂' in unescape(page["slips"])
    assert _options(page["entry"], "source") == list(PARTY_LABELS)
    assert "职工所在单位（群众评议）或评价单位（支部互评）" in page["entry"]
    for name in ("ballot", "ranking", "annual", "problems"):
        assert ">被评单位</th>" in page[name], name
    assert "各被评单位在所属排名组内" in page["ranking"]
    assert "该单位在本年度" in page["annual"]
    assert "对该单位作出评价" in page["department"]
    assert "该单位各项加减分" in page["adjustments"]
    assert _options(page["comments"], "source")[1:] == list(PARTY_LABELS)
    assert _label(page["comments"], "id_department") == "被评单位"
    assert '各被评单位统计（党支部"1234"考核 2026Q2）' in unescape(page["problems"])

    # The evaluation group's home counts the dj quarter's waiting ballots under its programme's name.
    assert "张网上群众评议评分表待存入" in _page(evaluator, reverse("home"))
    # A secretary's home card and the answers page of a branch do not speak of headquarters departments.
    secretary = _client("secretary_egc_jg")
    assert "按各项指标为各被评单位评分" in _page(secretary, reverse("home"))
    assert "各相关单位对本单位所提问题的答复" in _page(secretary, reverse("evaluation:unit_problems"))


def test_the_pages_of_a_dj_quarter_in_english(demo, english) -> None:
    evaluator = _client("evaluator1")
    console = _page(evaluator, reverse("evaluation:console", args=["dj.2026Q3"]))
    assert "One-time codes for 群众评议" in console and "One-time codes for grassroots units" not in console
    ranking = _page(evaluator, reverse("evaluation:ranking", args=["dj.2026Q2"]))
    assert ">Unit rated</th>" in ranking and "Units are ranked within their group" in ranking
    assert "Departments are ranked" not in ranking
    ballot = _page(evaluator, reverse("evaluation:ballot", args=["dj.2026Q2", _grassroots_ballot("dj", "2026Q2").pk]))
    assert "群众评议 ballot of" in ballot and "grassroots ballot" not in ballot.lower()
    comments = _page(evaluator, reverse("evaluation:comments") + "?quarter=dj.2026Q2")
    assert _options(comments, "source") == ["Any source", *PARTY_LABELS]


def test_the_pages_of_a_work_style_quarter_keep_their_words(demo) -> None:
    evaluator = _client("evaluator1")
    ballot = _grassroots_ballot(WORKSTYLE, "2026Q2")
    console = _page(evaluator, reverse("evaluation:console", args=["2026Q3"]))
    assert "基层单位一次性评分码" in console and _label(console, "id_unit") == "基层单位"
    detail = _page(evaluator, reverse("evaluation:ballot", args=["2026Q2", ballot.pk]))
    assert "基层评价评分表（" in detail and "基层评分表只保存单位和日期" in detail and ">部门</th>" in detail
    slips = _page(evaluator, reverse("evaluation:codes_print", args=["2026Q3", "HSM"]))
    assert "为各部门评分" in slips and "2026Q3 · 板材热连轧厂" in slips
    ranking = _page(evaluator, reverse("evaluation:ranking", args=["2026Q2"]))
    assert ">部门</th>" in ranking and "各部门在所属排名组内" in ranking and "被评单位" not in ranking
    assert "该部门在本年度" in _page(evaluator, reverse("evaluation:annual", args=["2026"]))
    entry = _page(evaluator, reverse("evaluation:entry") + "?quarter=2026Q3")
    assert _options(entry, "source") == list(WORKSTYLE_LABELS)
    assert "基层单位（基层评价）或评价部门（部门互评）" in entry
    comments = _page(evaluator, reverse("evaluation:comments") + "?quarter=2026Q2")
    assert _options(comments, "source")[1:] == list(WORKSTYLE_LABELS) and _label(comments, "id_department") == "部门"
    assert "各部门统计（2026Q2）" in _page(evaluator, reverse("evaluation:problems") + "?quarter=2026Q2")
    assert "张网上基层评分表待存入" in _page(evaluator, reverse("home"))
    rater = _client("rater_hsm")
    assert "总部各部门对本单位所提问题的答复" in _page(rater, reverse("evaluation:unit_problems"))
