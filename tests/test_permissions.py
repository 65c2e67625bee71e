"""Every URL of the project × every role, against one explicit table of who may do what.

Adding a URL without a row here fails `test_the_table_covers_every_url`. The
outcomes: OK (served: 2xx, a redirect that is not to a login page, or 400/409 for
an empty form post), LOGIN (sent to a login page), DENIED (403), HIDDEN (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from departments.models import Programme, RaterScope
from evaluation.models import Assignment, BallotComment, ObjectionPoint, QuarterStatus, Source
from evaluation.services.adjustments import adjustment_add
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.objections import objection_file
from evaluation.services.problems import problem_create
from evaluation.services.quarters import quarter_create

OK, LOGIN, DENIED, HIDDEN = "ok", "login", "denied", "hidden"
ROLES = ("anonymous", "admin", "evaluator", "leader", "rep", "rater", "viewer")


def everyone(outcome: str = OK) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(**overrides: str) -> dict[str, str]:
    """Every account OK unless overridden; anonymous visitors go to the login page."""
    return {**everyone(OK), "anonymous": LOGIN, **overrides}


def only(*roles: str) -> dict[str, str]:
    return signed_in(**{role: (OK if role in roles else DENIED) for role in ROLES if role != "anonymous"})


MANAGERS = only("admin", "evaluator")


@dataclass(frozen=True)
class Row:
    name: str
    expect: dict[str, str]
    method: str = "get"
    args: tuple[str, ...] = ()
    label: str = ""


TABLE: list[Row] = [
    Row("home", everyone()),
    Row("login", everyone()),
    Row("logout", everyone(), method="post"),
    Row("password_change", signed_in()),
    Row("password_change_done", signed_in()),
    Row("set_language", everyone(), method="post"),
    Row("admin:index", {**everyone(LOGIN), "admin": OK}),
    Row("departments:import", only("admin")),
    Row("departments:template", only("admin")),
    Row("evaluation:health", everyone()),
    Row("evaluation:health_live", everyone()),
    Row("evaluation:health_ready", everyone()),
    # Quarters console
    Row("evaluation:quarter_list", MANAGERS),
    Row("evaluation:quarter_create", MANAGERS),
    Row("evaluation:console", MANAGERS, args=("open",)),
    Row("evaluation:console", MANAGERS, args=("programme_open",), label="programme"),
    Row("evaluation:transition", MANAGERS, method="post", args=("open",)),
    Row("evaluation:quarter_rename", MANAGERS, method="post", args=("open",)),
    Row("evaluation:quarter_delete", MANAGERS, method="post", args=("draft",)),
    Row("evaluation:codes_issue", MANAGERS, method="post", args=("open",)),
    Row("evaluation:codes_print", MANAGERS, args=("open", "grassroots_unit")),
    Row("evaluation:codes_xlsx", MANAGERS, args=("open", "grassroots_unit")),
    Row("evaluation:participation_json", MANAGERS, args=("open",)),
    Row("evaluation:remind", MANAGERS, method="post", args=("open",)),
    Row("evaluation:ballots", MANAGERS, args=("open",)),
    Row("evaluation:ballot", MANAGERS, args=("open", "ballot")),
    Row("evaluation:void", MANAGERS, method="post", args=("open", "ballot")),
    Row("evaluation:unvoid", MANAGERS, method="post", args=("open", "ballot")),
    Row("evaluation:audit", MANAGERS, args=("open",)),
    Row("evaluation:adjustments", MANAGERS, args=("closed",)),
    Row("evaluation:adjustment_add", MANAGERS, args=("closed",)),
    Row("evaluation:adjustment_edit", MANAGERS, args=("closed", "adjustment")),
    Row("evaluation:adjustment_delete", MANAGERS, method="post", args=("closed", "adjustment")),
    # Rater relations (测评关系): quarters of a programme that assigns raters their targets only.
    Row("evaluation:assignments", MANAGERS, args=("assigned_open",)),
    Row(
        "evaluation:assignments",
        {**MANAGERS, "admin": HIDDEN, "evaluator": HIDDEN},
        args=("open",),
        label="other-scope",
    ),
    Row("evaluation:assignments_download", MANAGERS, args=("assigned_open",)),
    Row("evaluation:assignments_upload", MANAGERS, method="post", args=("assigned_open",)),
    Row("evaluation:assignment_add", MANAGERS, method="post", args=("assigned_open",)),
    Row("evaluation:assignment_remove", MANAGERS, method="post", args=("assigned_open", "assignment")),
    # Ballots
    Row("evaluation:ballot_code", everyone()),
    Row("evaluation:ballot_done", everyone()),
    Row("evaluation:ballot_peer", only("rep")),
    Row("evaluation:ballot_leadership", only("leader")),
    Row("evaluation:ballot_grassroots", only("rater")),
    # Results
    Row("evaluation:rankings", signed_in()),
    Row("evaluation:annual", signed_in(), args=("year",)),
    Row("evaluation:annual", signed_in(), args=("programme_year",), label="programme"),
    Row("evaluation:ranking", signed_in(), args=("published",)),
    Row("evaluation:ranking", signed_in(), args=("programme_published",), label="programme"),
    Row(
        "evaluation:ranking",
        signed_in(rep=HIDDEN, rater=HIDDEN, viewer=HIDDEN),
        args=("open",),
        label="provisional",
    ),
    Row("evaluation:method", signed_in(), args=("published",)),
    Row("evaluation:department", signed_in(), args=("published", "own_department")),
    Row("evaluation:department", signed_in(rep=DENIED), args=("published", "other_department"), label="other"),
    # Announced results are read as published ones are, marked as under announcement.
    Row("evaluation:ranking", signed_in(), args=("announced",), label="announced"),
    Row("evaluation:department", signed_in(), args=("announced", "own_department"), label="announced"),
    Row(
        "evaluation:department",
        signed_in(rep=DENIED),
        args=("announced", "other_department"),
        label="announced-other",
    ),
    # Objections (申诉)
    Row("evaluation:objections_mine", only("rep"), args=("announced",)),
    Row("evaluation:objections_mine", only("rep"), method="post", args=("announced",), label="file"),
    Row("evaluation:objections", MANAGERS, args=("announced",)),
    Row("evaluation:objection_answer", MANAGERS, method="post", args=("announced", "objection")),
    # Problems
    Row("evaluation:problems", only("admin", "evaluator", "leader")),
    Row("evaluation:problem_create", MANAGERS),
    Row("evaluation:comments", MANAGERS),
    Row("evaluation:problem_from_comment", MANAGERS, args=("comment",)),
    Row("evaluation:my_problems", only("rep")),
    Row("evaluation:unit_problems", everyone()),
    Row("evaluation:problem_detail", only("admin", "evaluator", "leader", "rep", "rater"), args=("problem",)),
    Row("evaluation:problem_answer", only("rep"), method="post", args=("problem",)),
    Row("evaluation:problem_close", MANAGERS, method="post", args=("problem",)),
    Row("evaluation:problem_reopen", MANAGERS, method="post", args=("problem",)),
    # 回访: by the unit's account or by one of its slip codes, so open to every visitor; the service decides.
    Row("evaluation:problem_follow_up", everyone(), method="post", args=("problem",)),
    # Workbooks and paper ballots
    Row("evaluation:export_quarter", MANAGERS, args=("published",)),
    Row("evaluation:export_quarter", MANAGERS, args=("programme_published",), label="programme"),
    Row("evaluation:export_annual", MANAGERS, args=("year",)),
    Row("evaluation:export_annual", MANAGERS, args=("programme_year",), label="programme"),
    Row("evaluation:quarter_template", MANAGERS),
    Row("evaluation:import_quarter", MANAGERS),
    Row("evaluation:entry", MANAGERS),
    Row("evaluation:audit_log", MANAGERS),
]


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin:index")
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}:{pattern.name}" if namespace else str(pattern.name))

    walk(get_resolver().url_patterns, None)
    return names


def test_the_table_covers_every_url() -> None:
    assert _all_url_names() == {row.name for row in TABLE}


@pytest.fixture
def world(org, admin_user, evaluator, leader, rep, other_rep, grassroots_rater, viewer) -> dict:
    """An open, a closed and a published quarter, with a ballot, a comment, an adjustment and a problem.

    Drafts are made one per role, for the delete to act on.
    """
    published = quarter_create(code="2026Q1")
    quarter_transition(quarter=published, to=QuarterStatus.OPEN)
    _peer_ballot(published, rep, org)
    quarter_transition(quarter=published, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=published, to=QuarterStatus.PUBLISHED)

    closed = quarter_create(code="2026Q2")
    quarter_transition(quarter=closed, to=QuarterStatus.OPEN)
    quarter_transition(quarter=closed, to=QuarterStatus.CLOSED)

    announced = quarter_create(code="2026Q4", announcement_days=5)
    quarter_transition(quarter=announced, to=QuarterStatus.OPEN)
    _peer_ballot(announced, rep, org)
    quarter_transition(quarter=announced, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=announced, to=QuarterStatus.ANNOUNCED)
    objection = objection_file(
        quarter=announced, actor=rep, department=org["OPS"], point=ObjectionPoint.RANK, text="名次有误"
    )

    def fresh_adjustment() -> int:
        # Each role gets its own, since an allowed delete removes it.
        return adjustment_add(quarter=closed, department=org["OPS"], points=Decimal("1"), reason="表彰").pk

    drafts = iter(range(40))

    def fresh_draft() -> str:
        # Each role gets its own, since an allowed delete removes it.
        number = next(drafts)
        return quarter_create(code=f"{2030 + number // 4}Q{number % 4 + 1}").code

    opened = quarter_create(code="2026Q3")
    quarter_transition(quarter=opened, to=QuarterStatus.OPEN)
    ballot = _peer_ballot(opened, other_rep, org, target="OPS")
    comment = BallotComment.objects.get(ballot=ballot)
    problem = problem_create(
        actor=evaluator, quarter=opened, department=org["OPS"], title="备件审批慢", raising_unit=org["HRM"]
    )
    # The same quarter codes in a second programme, addressed as PROGRAMME.YYYYQn (docs/design.md, "Programmes").
    party = Programme.objects.create(code="party", name="党支部考核", evaluated_kinds="functional")
    party_published = quarter_create(code="2026Q1", programme=party)
    quarter_transition(quarter=party_published, to=QuarterStatus.OPEN)
    quarter_transition(quarter=party_published, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=party_published, to=QuarterStatus.PUBLISHED)
    party_open = quarter_create(code="2026Q3", programme=party)
    quarter_transition(quarter=party_open, to=QuarterStatus.OPEN)
    paired = Programme.objects.create(code="pairs", name="指定关系", evaluated_kinds="functional", scope="assigned")
    assert paired.scope == RaterScope.ASSIGNED
    assigned_open = quarter_create(code="2026Q3", programme=paired)
    quarter_transition(quarter=assigned_open, to=QuarterStatus.OPEN)

    def fresh_assignment() -> int:
        # Each role gets its own, since an allowed remove deletes it.
        Assignment.objects.filter(quarter=assigned_open).delete()
        return Assignment.objects.create(quarter=assigned_open, rater_unit=org["HRM"], target=org["OPS"]).pk

    users = {
        "anonymous": None,
        "admin": admin_user,
        "evaluator": evaluator,
        "leader": leader,
        "rep": rep,
        "rater": grassroots_rater,
        "viewer": viewer,
    }
    args = {
        "open": opened.code,
        "closed": closed.code,
        "published": published.code,
        "announced": announced.code,
        "objection": objection.pk,
        "draft": fresh_draft,
        "year": 2026,
        "programme_open": party_open.key,
        "programme_published": party_published.key,
        "programme_year": "party.2026",
        "assigned_open": assigned_open.key,
        "assignment": fresh_assignment,
        "grassroots_unit": "HRM",
        "own_department": "OPS",
        "other_department": "EQP",
        "ballot": ballot.pk,
        "adjustment": fresh_adjustment,
        "comment": comment.pk,
        "problem": problem.pk,
    }
    return {"users": users, "args": args}


def _peer_ballot(quarter, rater, org, target: str = "EQP"):
    criterion = quarter.criteria.first()
    department = org[target]
    return ballot_submit(
        quarter=quarter,
        source=Source.PEER,
        values={(department.pk, criterion.pk): Decimal(80)},
        comments={department.pk: "流程慢"},
        rater=rater,
    )


def _outcome(response) -> str:
    if response.status_code in (301, 302):
        return LOGIN if "login" in response["Location"] else OK
    if response.status_code == 403:
        return DENIED
    if response.status_code == 404:
        return HIDDEN
    if response.status_code < 300 or response.status_code in (400, 409):
        return OK
    return f"status {response.status_code}"


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.name}{'-' + row.label if row.label else ''}")
def test_each_role_gets_what_the_table_says(row: Row, world: dict, client_for) -> None:
    seen = {}
    for role in ROLES:
        values = [world["args"][key] for key in row.args]
        url = reverse(row.name, args=[value() if callable(value) else value for value in values])
        client = client_for(world["users"][role])
        response = getattr(client, row.method)(url)
        seen[role] = _outcome(response)
    assert seen == row.expect
