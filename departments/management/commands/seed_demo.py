"""Load the demo organisation of docs/design.md ("Demo data") and, when available, demo quarters and ballots."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Programme, RaterScope, Unit, UnitKind, User
from departments.roles import Role
from departments.services import user_create, user_set_roles

# Every demo account logs in with this password (see README, "Demo accounts").
DEMO_PASSWORD = "demo12345"  # noqa: S105

# (code, name, kind): codes are stable so that demo quarters, tests and benchmarks can refer to them.
DEMO_UNITS: list[tuple[str, str, str]] = [
    ("SAF", "安监部", UnitKind.FUNCTIONAL),
    ("OPS", "运营改善部", UnitKind.FUNCTIONAL),
    ("OFF", "办公室", UnitKind.FUNCTIONAL),
    ("MFG", "制造部", UnitKind.FUNCTIONAL),
    ("HRD", "组织(人力资源)部", UnitKind.FUNCTIONAL),
    ("EQP", "设备部", UnitKind.FUNCTIONAL),
    ("PUB", "宣传部", UnitKind.FUNCTIONAL),
    ("AUD", "审计部", UnitKind.FUNCTIONAL),
    ("SAL", "销售公司", UnitKind.BUSINESS),
    ("PUR", "采购中心", UnitKind.BUSINESS),
    ("TRD", "国贸公司", UnitKind.BUSINESS),
    ("RET", "退管中心", UnitKind.AFFILIATED),
    ("HSM", "板材热连轧厂", UnitKind.GRASSROOTS),
    ("CRM", "板材冷轧厂", UnitKind.GRASSROOTS),
    ("BYS", "北营炼钢厂", UnitKind.GRASSROOTS),
    ("BYR", "北营轧钢厂", UnitKind.GRASSROOTS),
    ("NFM", "矿业南芬露天矿", UnitKind.GRASSROOTS),
    ("WTS", "矿业歪头山铁矿", UnitKind.GRASSROOTS),
]

# (username, full name, role, unit code or None)
DEMO_PEOPLE: list[tuple[str, str, str, str | None]] = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("evaluator1", "周考核", Role.EVALUATOR, "OPS"),
    ("evaluator2", "吴考核", Role.EVALUATOR, "OFF"),
    ("leader1", "王总", Role.LEADER, None),
    ("leader2", "李总", Role.LEADER, None),
    ("leader3", "张总", Role.LEADER, None),
    ("leader4", "刘总", Role.LEADER, None),
    ("viewer", "陈查看", Role.VIEWER, None),
]

# The party-branch programme of docs/design.md ("Demo data"): secondary units (grassroots units whose workers
# and party committee rate the branches under them) and their party branches (code, name, parent code); each
# secondary unit's branches form one ranking group.
PARTY_PROGRAMME: dict[str, str] = {
    "code": "dj",
    "name": '党支部"1234"考核',
    "evaluated_kinds": UnitKind.PARTY_BRANCH,
    "scope": RaterScope.SAME_PARENT,
    "template": "party_branch",
    "label_grassroots": "群众评议",
    "label_peer": "支部互评",
    "label_leadership": "党委评分",
}
PARTY_SECONDARY_UNITS: list[tuple[str, str]] = [
    ("EGC", "二钢厂"),
    ("ZHB", "中厚板厂"),
    ("WLZ", "物流中心"),
]
PARTY_BRANCHES: list[tuple[str, str, str]] = [
    ("EGC-LG", "二钢厂炼钢作业区党支部", "EGC"),
    ("EGC-LZ", "二钢厂连铸作业区党支部", "EGC"),
    ("EGC-SB", "二钢厂设备党支部", "EGC"),
    ("EGC-JG", "二钢厂机关党支部", "EGC"),
    ("ZHB-ZG", "中厚板厂轧钢作业区党支部", "ZHB"),
    ("ZHB-JZ", "中厚板厂精整作业区党支部", "ZHB"),
    ("ZHB-JG", "中厚板厂机关党支部", "ZHB"),
    ("WLZ-YS", "物流中心运输党支部", "WLZ"),
    ("WLZ-CC", "物流中心仓储党支部", "WLZ"),
    ("WLZ-JG", "物流中心机关党支部", "WLZ"),
]
PARTY_LEADERS: dict[str, str] = {"EGC": "赵书记", "ZHB": "钱书记", "WLZ": "孙书记"}


def party_units() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code) of the party-branch demo's units, parents first."""
    secondary = [(code, name, UnitKind.GRASSROOTS, None) for code, name in PARTY_SECONDARY_UNITS]
    return secondary + [(code, name, UnitKind.PARTY_BRANCH, parent) for code, name, parent in PARTY_BRANCHES]


def party_people() -> list[tuple[str, str, str, str | None]]:
    """A committee leader and a workers' account per secondary unit, a secretary per branch."""
    people: list[tuple[str, str, str, str | None]] = []
    for code, name in PARTY_SECONDARY_UNITS:
        people.append((f"committee_{code.lower()}", f"{name}党委{PARTY_LEADERS[code]}", Role.LEADER, code))
        people.append((f"rater_{code.lower()}", f"{name}职工", Role.GRASSROOTS_RATER, code))
    for code, name, _parent in PARTY_BRANCHES:
        people.append((f"secretary_{code.lower().replace('-', '_')}", f"{name}书记", Role.DEPARTMENT_REP, code))
    return people


def demo_people() -> list[tuple[str, str, str, str | None]]:
    """Every demo account: the fixed ones, a representative per evaluated unit, a rater per grassroots unit."""
    people = list(DEMO_PEOPLE)
    for code, name, kind in DEMO_UNITS:
        if kind == UnitKind.GRASSROOTS:
            people.append((f"rater_{code.lower()}", f"{name}职工", Role.GRASSROOTS_RATER, code))
        else:
            people.append((f"rep_{code.lower()}", f"{name}联络员", Role.DEPARTMENT_REP, code))
    return people + party_people()


class Command(BaseCommand):
    help = "Load the demo organisation and accounts (password: demo12345), then demo quarters if available."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already holds units")
        parser.add_argument(
            "--organisation-only", action="store_true", help="load units and accounts but no quarters or ballots"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write(_("The database already holds an organisation; no demo data loaded."))
            self._password_hint()
            return
        with transaction.atomic():
            units = self._seed_units()
            self._seed_people(units)
            if not options["organisation_only"]:
                self._seed_evaluation()
        self._print_accounts()

    def _seed_units(self) -> dict[str, Unit]:
        for order, (code, name, kind) in enumerate(DEMO_UNITS, start=1):
            Unit.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "order": order})
        Programme.objects.update_or_create(code=PARTY_PROGRAMME["code"], defaults={**PARTY_PROGRAMME, "order": 1})
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=[code for code, _n, _k in DEMO_UNITS])}
        for order, (code, name, kind, parent) in enumerate(party_units(), start=len(DEMO_UNITS) + 1):
            above = units.get(parent or "")
            # A secondary unit's branches are ranked among themselves: their ranking group is the unit's name.
            defaults = {"name": name, "kind": kind, "order": order, "parent": above}
            units[code], _created = Unit.objects.update_or_create(
                code=code, defaults={**defaults, "ranking_group": above.name if above else ""}
            )
        return units

    def _seed_people(self, units: dict[str, Unit]) -> None:
        existing = {user.username: user for user in User.objects.all()}
        for username, full_name, role, code in demo_people():
            unit = units[code] if code else None
            user = existing.get(username)
            if user is None:
                user_create(username=username, full_name=full_name, roles=[role], unit=unit, password=DEMO_PASSWORD)
                continue
            # An account that already exists keeps its password; its demo role and unit are restored.
            user.full_name, user.unit = full_name, unit
            user.save(update_fields=["full_name", "unit"])
            user_set_roles(user=user, roles=[role])

    def _seed_evaluation(self) -> None:
        # The demo quarters and ballots live with the evaluation app; an installation without them still works.
        try:
            demo = importlib.import_module("evaluation.demo")
        except ModuleNotFoundError as error:
            if error.name != "evaluation.demo":
                raise
            return
        seed = getattr(demo, "seed_evaluation_demo", None)
        if seed is not None:
            seed(stdout=self.stdout)

    def _print_accounts(self) -> None:
        units = {code: name for code, name, _kind in DEMO_UNITS}
        units |= {code: name for code, name, _kind, _parent in party_units()}
        people = demo_people()
        width = max(len(username) for username, *_rest in people)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo accounts")))
        for username, full_name, role, code in people:
            where = f"  {units[code]}" if code else ""
            self.stdout.write(f"  {username.ljust(width)}  {full_name}  {Role(role).label}{where}")
        self._password_hint()

    def _password_hint(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(_("Demo accounts log in with the password %(password)s.") % {"password": DEMO_PASSWORD})
        )
