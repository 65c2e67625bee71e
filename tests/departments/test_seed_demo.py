"""seed_demo: the demo organisation of docs/design.md with one account per role and one demo password."""

from __future__ import annotations

import importlib.util
import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from departments.management.commands.seed_demo import DEMO_PASSWORD, DEMO_UNITS, demo_people, party_units
from departments.models import Unit, UnitKind, User
from departments.roles import Role

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    """The organisation only: the demo quarters are the evaluation app's to test."""
    out = io.StringIO()
    call_command("seed_demo", "--organisation-only", *args, stdout=out)
    return out.getvalue()


def test_it_builds_the_demo_organisation() -> None:
    output = seed()
    names = set(Unit.objects.values_list("name", flat=True))
    assert {"安监部", "运营改善部", "办公室", "制造部", "组织(人力资源)部", "设备部", "宣传部", "审计部"} <= names
    assert Unit.objects.get(name="退管中心").kind == UnitKind.AFFILIATED
    assert Unit.objects.filter(kind=UnitKind.BUSINESS).count() >= 3
    assert {"板材热连轧厂", "北营炼钢厂", "矿业南芬露天矿"} <= set(
        Unit.objects.filter(kind=UnitKind.GRASSROOTS).values_list("name", flat=True)
    )
    assert all(code.isascii() for code in Unit.objects.values_list("code", flat=True))
    assert DEMO_PASSWORD in output
    assert "rep_ops" in output


def test_every_role_has_accounts_and_every_unit_its_representative() -> None:
    seed()
    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), role
    assert User.objects.filter(groups__name=Role.EVALUATOR).count() == 2
    assert 3 <= User.objects.filter(groups__name=Role.LEADER, unit__isnull=True).count() <= 4
    for unit in Unit.objects.evaluated():
        assert unit.members.filter(groups__name=Role.DEPARTMENT_REP).count() == 1, unit.code
    for unit in Unit.objects.grassroots():
        assert unit.members.filter(groups__name=Role.GRASSROOTS_RATER).count() == 1, unit.code


def test_every_demo_account_logs_in_with_the_demo_password() -> None:
    seed()
    people = demo_people()
    assert User.objects.filter(username__in=[username for username, *_rest in people]).count() == len(people)
    for username, *_rest in people:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username


def test_if_empty_does_nothing_when_units_exist() -> None:
    Unit.objects.create(code="ONLY", name="唯一", kind=UnitKind.FUNCTIONAL)
    seed("--if-empty")
    assert list(Unit.objects.values_list("code", flat=True)) == ["ONLY"]
    assert not User.objects.exists()


def test_if_empty_loads_an_empty_database() -> None:
    seed("--if-empty")
    assert Unit.objects.count() == len(DEMO_UNITS) + len(party_units())


def test_running_it_twice_keeps_one_of_everything() -> None:
    seed()
    User.objects.filter(username="leader1").update(full_name="改过")
    seed()
    assert Unit.objects.count() == len(DEMO_UNITS) + len(party_units())
    assert User.objects.filter(username__in=[username for username, *_rest in demo_people()]).count() == len(
        demo_people()
    )
    assert User.objects.get(username="leader1").full_name == "王总"
    assert not User.objects.filter(~Q(groups__name__in=Role.values)).exists()


def test_the_demo_admin_reaches_the_organisation_page() -> None:
    seed()
    client = Client()
    client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get(reverse("departments:import")).status_code == 200


def test_it_loads_the_evaluation_demo_when_there_is_one() -> None:
    from evaluation.models import Quarter

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    if importlib.util.find_spec("evaluation.demo") is not None:
        assert Quarter.objects.exists()


def test_it_builds_the_party_branch_programme_beside_the_work_style_one() -> None:
    from departments.management.commands.seed_demo import PARTY_BRANCHES, PARTY_PROGRAMME
    from departments.models import Programme, RaterScope

    output = seed()
    programme = Programme.objects.get(code=PARTY_PROGRAMME["code"])
    assert programme.scope == RaterScope.SAME_PARENT
    assert programme.kinds == (UnitKind.PARTY_BRANCH,)
    assert programme.source_label("leadership") == "党委评分"
    branches = Unit.objects.evaluated(programme)
    assert branches.count() == len(PARTY_BRANCHES)
    assert {branch.parent.name for branch in branches} == {"二钢厂", "中厚板厂", "物流中心"}
    for branch in branches:
        assert branch.parent.kind == UnitKind.GRASSROOTS
        assert branch.members.get(groups__name=Role.DEPARTMENT_REP).username.startswith("secretary_")
    for parent in {branch.parent for branch in branches}:
        assert parent.members.filter(groups__name=Role.LEADER).count() == 1
    assert not Unit.objects.evaluated().filter(kind=UnitKind.PARTY_BRANCH).exists()
    assert "secretary_egc_lg" in output
    assert "committee_egc" in output


def test_it_seeds_a_published_and_an_open_party_branch_quarter() -> None:
    from evaluation.models import BallotInbox, Quarter, QuarterStatus, Scale, Source
    from evaluation.selectors.results import quarter_results

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    quarters = {q.code: q for q in Quarter.objects.filter(programme__code="dj")}
    assert set(quarters) == {"2026Q2", "2026Q3"}
    published, current = quarters["2026Q2"], quarters["2026Q3"]
    assert published.status == QuarterStatus.PUBLISHED
    assert current.status == QuarterStatus.OPEN
    assert published.scale == Scale.POINTS
    assert list(published.criteria.order_by("order").values_list("name", flat=True)) == [
        "工作绩效",
        "安全环保",
        "提素创星",
        "党建基础工作",
    ]
    assert {b.source for b in published.ballots.all()} == {Source.GRASSROOTS, Source.PEER, Source.LEADERSHIP}
    assert not BallotInbox.objects.filter(quarter=published).exists()
    results = quarter_results(published)
    branches = set(Unit.objects.filter(kind=UnitKind.PARTY_BRANCH).values_list("code", flat=True))
    assert {row.code for row in results.departments} == branches
    assert all(row.rank is not None for row in results.departments)
    # Workers rate only the branches under their own unit (scope same_parent).
    for ballot in published.ballots.filter(source=Source.GRASSROOTS).select_related("rater_unit"):
        parents = set(ballot.values.values_list("department__parent_id", flat=True))
        assert parents == {ballot.rater_unit_id}
    # The work-style quarter of the same code is untouched by the branches.
    work_style = Quarter.objects.get(programme__code="workstyle", code="2026Q2")
    assert not {row.code for row in quarter_results(work_style).departments} & branches
