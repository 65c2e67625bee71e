"""Demo problems for `seed_demo`: comments of the demo quarters turned into problems in every state.

Called by `evaluation.demo.seed_evaluation_demo` after the demo quarters exist. Problems are made
through the product's services (so they are audited like real ones), then moved to believable dates:
past quarters' problems were raised a few days after voting closed and are answered, closed, or
reopened and answered again; the latest quarter's are open, overdue or freshly answered.
Deterministic: a fixed seed and a stable order of comments.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from departments.models import Unit, User
from departments.roles import Role
from evaluation.models import BallotComment, Problem, Quarter, QuarterStatus, Source
from evaluation.services.problems import (
    problem_answer,
    problem_close,
    problem_create,
    problem_create_from_comment,
    problem_reopen,
)

SEED = 20260601
PROBLEMS_PER_QUARTER = 6

# A more specific title and a realistic answer for the demo comments' complaints and suggestions.
ANSWERS: dict[str, tuple[str, str]] = {
    "审批流程较慢，希望简化": (
        "审批流程较慢，希望简化",
        "已梳理本部门审批事项，将常规事项由三级审批压缩为两级，线上审批时限不超过2个工作日，下月起执行。",
    ),
    "办事需要跑好几趟，建议一次性告知所需材料": (
        "办事需多次往返，所需材料未一次告知",
        "已编制《办事指南》并在内网公布，列明各事项所需材料和联系人，实行首问负责制。",
    ),
    "现场反映的问题答复不及时": (
        "现场反映的问题答复不及时",
        "已建立基层问题台账，指定专人跟踪，承诺3个工作日内答复、15日内办结并反馈进度。",
    ),
    "遇到跨部门事项互相推诿，希望明确牵头责任": (
        "跨部门事项互相推诿，牵头责任不明确",
        "已会同相关部门明确跨部门事项牵头清单，由牵头部门负责协调到底，运营改善部跟踪督办。",
    ),
    "文件要求多，到基层的具体指导少": (
        "文件要求多，到基层的具体指导少",
        "本季度起每月安排业务骨干到基层现场指导不少于两次，并编写操作要点一页纸。",
    ),
    "希望多到基层调研": (
        "希望部门多到基层调研",
        "已制定季度基层调研计划，部门负责人每季度到基层单位调研不少于一次，调研问题纳入台账。",
    ),
    "建议定期召开对接会，听取基层意见": (
        "建议定期召开对接会，听取基层意见",
        "自下季度起每季度召开一次基层对接会，会议纪要和问题清单抄送各基层单位。",
    ),
}
DEFAULT_ANSWER = "已收到，正在组织研究落实，将在规定时限内反馈处理结果。"

MEETING_PROBLEMS = (
    (
        "EQP",
        "NFM",
        "矿用卡车备件到货周期长，影响设备开动率",
        "生产例会上南芬露天矿提出，要求设备部协调供应商缩短到货周期。",
    ),
    (
        "MFG",
        "HSM",
        "热轧计划调整通知下达晚，现场准备时间不足",
        "季度座谈会上板材热连轧厂反映，计划调整应至少提前一天通知。",
    ),
)


@dataclass(frozen=True)
class _Plan:
    """What happens to one demo problem, in days after it was raised (None: it does not happen)."""

    answer_after: float | None
    close_after: float | None = None
    reopen_after: float | None = None
    answer_again_after: float | None = None


# Past quarters: answered quickly or late, closed, one reopened and answered again, one closed unanswered.
PAST_PLANS = (
    _Plan(answer_after=2.5, close_after=6),
    _Plan(answer_after=6, close_after=10),
    _Plan(answer_after=1.2, close_after=3, reopen_after=8, answer_again_after=12),
    _Plan(answer_after=19, close_after=21),
    _Plan(answer_after=9),
    _Plan(answer_after=None, close_after=25),
)
# The open quarter (days before today it was raised, and its plan): open, overdue, answered, reopened.
CURRENT_PLANS = (
    (3, _Plan(answer_after=None)),
    (25, _Plan(answer_after=None)),
    (22, _Plan(answer_after=None)),
    (12, _Plan(answer_after=4)),
    (20, _Plan(answer_after=2, close_after=5)),
    (18, _Plan(answer_after=3, reopen_after=9)),
)


def seed_problems_demo(*, stdout: Any) -> None:
    """Turn some comments of the demo quarters into problems in several states; do nothing if any exist."""
    if Problem.objects.exists():
        stdout.write(_("Problems exist already; no demo problems added."))
        return
    evaluator = User.objects.filter(groups__name=Role.EVALUATOR, is_active=True).order_by("username").first()
    quarters = list(Quarter.objects.exclude(status=QuarterStatus.DRAFT).filter(template="work_style").order_by("code"))
    if evaluator is None or not quarters:
        stdout.write(_("No evaluator or no quarters: no demo problems."))
        return
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    latest = quarters[-1]
    made = 0
    for quarter in quarters:
        made += _seed_quarter(quarter, evaluator=evaluator, rng=rng, current=quarter == latest)
    made += _seed_meeting_problems(latest, evaluator=evaluator)
    stdout.write(_("%(count)d demo problems added.") % {"count": made})


def _complaints(quarter: Quarter) -> list[BallotComment]:
    comments = (
        BallotComment.objects.filter(ballot__quarter=quarter, ballot__voided_at__isnull=True, text__in=list(ANSWERS))
        .filter(ballot__source__in=[Source.GRASSROOTS, Source.PEER])
        .select_related("department", "ballot__quarter", "ballot__rater_unit")
        .order_by("department__order", "department__code", "ballot__rater_unit__code", "text", "pk")
    )
    # One problem per department and text: the same complaint from many slips is one problem.
    # Grassroots comments come first: the plants and mines are the ones to be answered.
    seen: set[tuple[int, str]] = set()
    unique = []
    for comment in sorted(comments, key=lambda comment: comment.ballot.source != Source.GRASSROOTS):
        if (comment.department_id, comment.text) not in seen:
            seen.add((comment.department_id, comment.text))
            unique.append(comment)
    return unique


def _seed_quarter(quarter: Quarter, *, evaluator: User, rng: random.Random, current: bool) -> int:
    comments = _complaints(quarter)
    grassroots = [comment for comment in comments if comment.ballot.source == Source.GRASSROOTS]
    pool = grassroots if len(grassroots) >= PROBLEMS_PER_QUARTER else comments
    chosen = rng.sample(pool, min(PROBLEMS_PER_QUARTER, len(pool)))
    chosen.sort(key=lambda comment: (comment.department.order, comment.department.code, comment.text))
    now = timezone.now()
    for index, comment in enumerate(chosen):
        if current:
            days_ago, plan = CURRENT_PLANS[index % len(CURRENT_PLANS)]
            raised = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 6))
        else:
            plan = PAST_PLANS[index % len(PAST_PLANS)]
            raised = _after_voting(quarter, now, rng)
        title = ANSWERS[comment.text][0]
        problem = problem_create_from_comment(actor=evaluator, comment=comment, title=title)
        _play(problem, plan, raised=raised, evaluator=evaluator, now=now)
    return len(chosen)


def _after_voting(quarter: Quarter, now: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """A few days after the quarter's voting closed, and never later than a month ago."""
    closes = quarter.closes_at or now - datetime.timedelta(days=60)
    raised = closes + datetime.timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 5))
    return min(raised, now - datetime.timedelta(days=40))


def _seed_meeting_problems(quarter: Quarter, *, evaluator: User) -> int:
    units = {unit.code: unit for unit in Unit.objects.all()}
    now = timezone.now()
    made = 0
    for index, (department, raiser, title, description) in enumerate(MEETING_PROBLEMS):
        if department not in units or raiser not in units:
            continue
        problem = problem_create(
            actor=evaluator,
            quarter=quarter,
            department=units[department],
            raising_unit=units[raiser],
            title=title,
            description=description,
        )
        plan = _Plan(answer_after=None) if index == 0 else _Plan(answer_after=5)
        _play(problem, plan, raised=now - datetime.timedelta(days=10 + 8 * index), evaluator=evaluator, now=now)
        made += 1
    return made


def _rep_of(department: Unit) -> User | None:
    return (
        User.objects.filter(groups__name=Role.DEPARTMENT_REP, unit=department, is_active=True)
        .order_by("username")
        .first()
    )


def _play(problem: Problem, plan: _Plan, *, raised: datetime.datetime, evaluator: User, now: datetime.datetime) -> None:
    """Run the plan through the services, then date each step (and its audit entry) as planned."""
    _date(problem, raised, created_at=raised, due_on=timezone.localdate(raised) + datetime.timedelta(days=15))
    rep = _rep_of(problem.department)
    answer = ANSWERS.get(problem.comment.text if problem.comment else "", ("", DEFAULT_ANSWER))[1]

    def when(days: float) -> datetime.datetime:
        return min(raised + datetime.timedelta(days=days), now)

    if plan.answer_after is not None and rep is not None:
        problem = problem_answer(actor=rep, problem=problem, answer=answer)
        moment = when(plan.answer_after)
        _date(problem, moment, first_answered_at=moment, answer_updated_at=moment)
    if plan.close_after is not None:
        remark = "" if problem.first_answered_at else "已在季度座谈会上当面说明，问题不再跟踪。"
        problem = problem_close(actor=evaluator, problem=problem, remark=remark)
        _date(problem, when(plan.close_after), closed_at=when(plan.close_after))
    if plan.reopen_after is not None:
        problem = problem_reopen(actor=evaluator, problem=problem, remark="基层单位反映落实不到位，请进一步整改。")
        _date(problem, when(plan.reopen_after))
    if plan.answer_again_after is not None and rep is not None:
        problem = problem_answer(actor=rep, problem=problem, answer=answer + "另已逐项回访基层单位，确认整改到位。")
        moment = when(plan.answer_again_after)
        _date(problem, moment, answer_updated_at=moment)
        problem = problem_close(actor=evaluator, problem=problem)
        _date(problem, when(plan.answer_again_after + 2), closed_at=when(plan.answer_again_after + 2))


def _date(problem: Problem, moment: datetime.datetime, **fields: Any) -> None:
    """Give the problem's latest audit entry (the step just taken) its planned time, and set `fields`."""
    latest = AuditEntry.objects.filter(details__problem=problem.pk).order_by("-id").first()
    if latest is not None:
        AuditEntry.objects.filter(pk=latest.pk).update(at=moment)
    if fields:
        Problem.objects.filter(pk=problem.pk).update(**fields)
        problem.refresh_from_db()
