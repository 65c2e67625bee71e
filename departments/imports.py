"""The organisation workbook (docs/workbooks.md, "Organisation workbook"): import and template.

`org_import` reads and checks the whole file first, collecting every problem;
only a file without any problem is applied, in one transaction. Units and
accounts are matched by code and username, so importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from audit.models import AuditAction
from audit.services import audit_record
from departments.cells import keep_as_text
from departments.models import (
    UNIT_CODE_PATTERN,
    WORKSTYLE,
    Programme,
    RaterScope,
    Unit,
    UnitKind,
    User,
    unit_code_validator,
)
from departments.roles import Role
from departments.rules import role_unit_problem
from departments.services import user_set_roles
from departments.usernames import fold_username, mixes_scripts, username_skeleton
from departments.workbook import (
    ColumnSpec,
    ImportIssue,
    SheetRow,
    SheetSpec,
    WorkbookInvalid,
    normalise_header,
    open_workbook,
    read_sheet,
    yes_no_value,
)

DEPARTMENTS_SHEET = SheetSpec(
    "departments",
    aliases=("部门",),
    columns=[
        ColumnSpec("code", aliases=("编码",)),
        ColumnSpec("name", aliases=("名称",)),
        ColumnSpec("kind", aliases=("类别",)),
        ColumnSpec("ranking_group", aliases=("排名组",), required=False),
        ColumnSpec("order", aliases=("排序",), required=False),
        ColumnSpec("active", aliases=("启用",), required=False),
        ColumnSpec("parent", aliases=("上级单位",), required=False),
    ],
)
# Optional: the programmes the organisation runs (docs/design.md, "Programmes"); work style always exists.
PROGRAMMES_SHEET = SheetSpec(
    "programmes",
    aliases=("考核方案",),
    required=False,
    columns=[
        ColumnSpec("code", aliases=("编码",)),
        ColumnSpec("name", aliases=("名称",)),
        ColumnSpec("evaluated_kinds", aliases=("被评类别",), required=False),
        ColumnSpec("scope", aliases=("测评范围",), required=False),
        ColumnSpec("label_grassroots", aliases=("基层来源名称",), required=False),
        ColumnSpec("label_peer", aliases=("互评来源名称",), required=False),
        ColumnSpec("label_leadership", aliases=("领导来源名称",), required=False),
    ],
)
PEOPLE_SHEET = SheetSpec(
    "people",
    aliases=("人员",),
    required=False,
    columns=[
        ColumnSpec("username", aliases=("账号",)),
        ColumnSpec("full_name", aliases=("姓名",)),
        ColumnSpec("department", aliases=("部门",), required=False),
        ColumnSpec("role", aliases=("角色",)),
        ColumnSpec("email", aliases=("邮箱",), required=False),
    ],
)

KIND_NAMES_ZH = {
    UnitKind.PARTY_BRANCH: "党支部",
    UnitKind.FUNCTIONAL: "职能部门",
    UnitKind.BUSINESS: "业务机构",
    UnitKind.AFFILIATED: "直属单位",
    UnitKind.GRASSROOTS: "基层单位",
}
# Role names people write in Chinese files, beside the role codes themselves.
ROLE_NAMES_ZH = {
    Role.ADMIN: ("管理员", "系统管理员"),
    Role.EVALUATOR: ("考核小组", "考核人员"),
    Role.LEADER: ("领导", "集团领导"),
    Role.DEPARTMENT_REP: ("部门代表", "部门联络员"),
    Role.GRASSROOTS_RATER: ("基层评价人", "基层员工"),
    Role.VIEWER: ("查看者", "浏览者"),
}
_KINDS = {normalise_header(kind.value): kind for kind in UnitKind} | {
    normalise_header(name): kind for kind, name in KIND_NAMES_ZH.items()
}
_ROLES = {normalise_header(role.value): role for role in Role} | {
    normalise_header(name): role for role, names in ROLE_NAMES_ZH.items() for name in names
}
# One cell may hold several roles: "leader, viewer" or "领导、查看者".
# Separators of a list in one cell (roles, evaluated kinds).
_ROLE_SEPARATORS = re.compile(r"[,，、;；/\s]+")
_MAX_ORDER = 2_000_000_000


@dataclass
class OrgImportResult:
    """What an import did, counted per kind of record."""

    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.units_updated or self.people_created or self.people_updated)

    def summary(self) -> str:
        return _(
            "Units: %(uc)d created, %(uu)d updated, %(un)d unchanged. "
            "People: %(pc)d created, %(pu)d updated, %(pn)d unchanged."
        ) % {
            "uc": self.units_created,
            "uu": self.units_updated,
            "un": self.units_unchanged,
            "pc": self.people_created,
            "pu": self.people_updated,
            "pn": self.people_unchanged,
        }

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class _UnitPlan:
    row: SheetRow
    unit: Unit
    is_new: bool
    changed: bool
    parent_code: str | None = None  # set when the row has a parent column (an empty cell: no parent)
    parent_given: bool = False


@dataclass
class _ProgrammePlan:
    row: SheetRow
    programme: Programme
    changed: bool


@dataclass
class _PersonPlan:
    row: SheetRow
    user: User
    is_new: bool
    changed: bool
    unit_code: str | None
    roles: set[str] = field(default_factory=set)
    roles_changed: bool = False


# --- import --------------------------------------------------------------------------------------------------------


def org_import(*, source: Any, actor: User | None = None, max_bytes: int | None = None) -> OrgImportResult:
    """Import an organisation workbook (a path or an uploaded file), all or nothing.

    Raises WorkbookInvalid listing every problem found; then nothing has changed.
    """
    workbook = open_workbook(source, max_bytes=max_bytes or settings.IMPORT_MAX_BYTES)
    try:
        issues: list[ImportIssue] = []
        unit_rows = read_sheet(workbook, DEPARTMENTS_SHEET, issues)
        people_rows = read_sheet(workbook, PEOPLE_SHEET, issues)
        programme_rows = read_sheet(workbook, PROGRAMMES_SHEET, issues)
    finally:
        workbook.close()
    unit_plans = _plan_units(unit_rows or [], issues)
    programme_plans = _plan_programmes(programme_rows or [], issues)
    _check_parents(unit_plans, programme_plans, issues)
    kinds = {unit.code: unit.kind for unit in Unit.objects.all()} | {p.unit.code: p.unit.kind for p in unit_plans}
    person_plans = _plan_people(people_rows or [], kinds, issues)
    _check_members_left_behind(unit_plans, {plan.user.username for plan in person_plans}, issues)
    if issues:
        raise WorkbookInvalid(issues)
    with transaction.atomic():
        for plan in programme_plans:
            if plan.changed:
                plan.programme.save()
        result = _apply(unit_plans, person_plans)
        _audit(result, actor=actor, source=source)
    return result


def _audit(result: OrgImportResult, *, actor: User | None, source: Any) -> None:
    details = result.as_dict() | {"file": str(getattr(source, "name", source))[-200:]}
    audit_record(action=AuditAction.ORG_IMPORTED, summary=result.summary, actor=actor, details=details)


def _apply(unit_plans: list[_UnitPlan], person_plans: list[_PersonPlan]) -> OrgImportResult:
    result = OrgImportResult()
    for plan in unit_plans:
        if plan.changed:
            plan.unit.save()
    units = {unit.code: unit for unit in Unit.objects.all()}
    for plan in unit_plans:
        # Parents are set once every unit of the file exists, so a row may name a unit of a later row.
        parent = units[plan.parent_code] if plan.parent_code else None
        if plan.parent_given and plan.unit.parent_id != getattr(parent, "pk", None):
            plan.unit.parent = parent
            plan.unit.save(update_fields=["parent"])
            plan.changed = True
        _count(result, "units", plan.is_new, plan.changed)
    for plan in person_plans:
        plan.user.unit = units[plan.unit_code] if plan.unit_code else None
        if plan.changed:
            plan.user.save()
        if plan.roles_changed:
            user_set_roles(user=plan.user, roles=plan.roles)
        _count(result, "people", plan.is_new, plan.changed or plan.roles_changed)
    return result


def _count(result: OrgImportResult, kind: str, is_new: bool, changed: bool) -> None:
    outcome = "created" if is_new else "updated" if changed else "unchanged"
    name = f"{kind}_{outcome}"
    setattr(result, name, getattr(result, name) + 1)


# --- units ---------------------------------------------------------------------------------------------------------


def _plan_units(rows: list[SheetRow], issues: list[ImportIssue]) -> list[_UnitPlan]:
    existing = {unit.code: unit for unit in Unit.objects.all()}
    seen: dict[str, int] = {}
    plans = []
    for row in rows:
        wanted = _unit_fields(row, issues)
        if wanted is None:
            continue
        code = wanted["code"]
        if code in seen:
            issues.append(row.issue("code", _("The code %(code)s is already used in row %(row)d.") % _dup(code, seen)))
            continue
        seen[code] = row.number
        plan = _unit_plan(row, existing.get(code), wanted, issues)
        if plan is not None:
            if "parent" in row.values:
                plan.parent_given, plan.parent_code = True, _text(row, "parent", issues)
            plans.append(plan)
    return plans


def _check_parents(unit_plans: list[_UnitPlan], programme_plans: list[_ProgrammePlan], issues: list) -> None:
    """Parents name known units and make no cycle; a unit a same_parent programme rates has a parent."""
    units = {unit.code: unit for unit in Unit.objects.select_related("parent")}
    parents = {code: (unit.parent.code if unit.parent else None) for code, unit in units.items()}
    kinds = {code: unit.kind for code, unit in units.items()}
    for plan in unit_plans:
        kinds[plan.unit.code] = plan.unit.kind
        if plan.parent_given:
            parents[plan.unit.code] = plan.parent_code
    for plan in unit_plans:
        if plan.parent_code and plan.parent_code not in kinds:
            issues.append(plan.row.issue("parent", _("There is no unit %(code)s.") % {"code": plan.parent_code}))
        elif _in_cycle(plan.unit.code, parents):
            issues.append(plan.row.issue("parent", str(_("A unit cannot belong to itself or to a unit under it."))))
    programmes = {p.code: p for p in Programme.objects.all()} | {p.programme.code: p.programme for p in programme_plans}
    needing = {kind for p in programmes.values() if p.scope == RaterScope.SAME_PARENT for kind in p.kinds}
    for plan in unit_plans:
        if plan.unit.kind in needing and plan.unit.active and not parents.get(plan.unit.code):
            issues.append(
                plan.row.issue(
                    "parent",
                    _("%(code)s is rated by a programme whose raters are those of its parent unit: name its parent.")
                    % {"code": plan.unit.code},
                )
            )


def _in_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


# --- programmes ----------------------------------------------------------------------------------------------------


def _plan_programmes(rows: list[SheetRow], issues: list[ImportIssue]) -> list[_ProgrammePlan]:
    existing = {programme.code: programme for programme in Programme.objects.all()}
    seen: dict[str, int] = {}
    plans = []
    for row in rows:
        count = len(issues)
        code = _text(row, "code", issues, required=True)
        name = _text(row, "name", issues, required=True)
        if code is None or name is None:
            continue
        if code in seen:
            issues.append(row.issue("code", _("The code %(code)s is already used in row %(row)d.") % _dup(code, seen)))
            continue
        seen[code] = row.number
        wanted = _programme_fields(row, name, issues)
        programme = existing.get(code) or Programme(code=code)
        if code == WORKSTYLE and any(
            key in wanted and wanted[key] != getattr(programme, key) for key in ("evaluated_kinds", "scope")
        ):
            issues.append(row.issue("code", _("Programme workstyle always rates its departments, every rater all.")))
        if len(issues) != count:
            continue
        changed = _assign(programme, wanted) or programme.pk is None
        if changed and _valid(programme, row, issues, exclude=[]):
            plans.append(_ProgrammePlan(row=row, programme=programme, changed=True))
    return plans


def _programme_fields(row: SheetRow, name: str, issues: list[ImportIssue]) -> dict[str, Any]:
    wanted: dict[str, Any] = {"name": name}
    if "evaluated_kinds" in row.values:
        text = _text(row, "evaluated_kinds", issues) or ""
        kinds = [_KINDS.get(normalise_header(part)) for part in _ROLE_SEPARATORS.split(text) if part]
        if not kinds or None in kinds:
            issues.append(row.issue("evaluated_kinds", _("List unit kinds separated by commas, e.g. party_branch.")))
        else:
            wanted["evaluated_kinds"] = ",".join(dict.fromkeys(str(kind) for kind in kinds))
    if "scope" in row.values:
        scope = _text(row, "scope", issues) or RaterScope.ALL
        if scope not in RaterScope.values:
            issues.append(row.issue("scope", _("The scope is all, same_parent or assigned.")))
        wanted["scope"] = scope
    for key in ("label_grassroots", "label_peer", "label_leadership"):
        if key in row.values:
            wanted[key] = _text(row, key, issues) or ""
    return wanted


def _dup(value: str, seen: dict[str, int]) -> dict[str, Any]:
    return {"code": value, "username": value, "row": seen[value]}


def _unit_fields(row: SheetRow, issues: list[ImportIssue]) -> dict[str, Any] | None:
    count = len(issues)
    code = _text(row, "code", issues, required=True)
    name = _text(row, "name", issues, required=True)
    kind = _choice(
        row,
        "kind",
        _KINDS,
        issues,
        _("Unknown kind %(value)s; use functional, business, affiliated, grassroots or party_branch."),
    )
    wanted: dict[str, Any] = {"code": code, "name": name, "kind": kind}
    if "ranking_group" in row.values:
        wanted["ranking_group"] = "" if kind == UnitKind.GRASSROOTS else (_text(row, "ranking_group", issues) or "")
    if "order" in row.values:
        wanted["order"] = _whole_number(row, "order", issues)
    if "active" in row.values:
        wanted["active"] = _yes_no(row, "active", issues, default=True)
    if code is not None and not re.fullmatch(UNIT_CODE_PATTERN, code):
        issues.append(row.issue("code", str(unit_code_validator.message)))
    return wanted if len(issues) == count else None


def _unit_plan(row: SheetRow, unit: Unit | None, wanted: dict[str, Any], issues: list[ImportIssue]) -> _UnitPlan | None:
    is_new = unit is None
    unit = unit or Unit(code=wanted["code"])
    if wanted["kind"] == UnitKind.GRASSROOTS:
        wanted.setdefault("ranking_group", "")
    changed = _assign(unit, wanted)
    if changed and not _valid(unit, row, issues, exclude=["code"] if not is_new else []):
        return None
    return _UnitPlan(row=row, unit=unit, is_new=is_new, changed=changed or is_new)


# --- people --------------------------------------------------------------------------------------------------------


def _plan_people(rows: list[SheetRow], kinds: dict[str, str], issues: list[ImportIssue]) -> list[_PersonPlan]:
    existing = {user.username: user for user in User.objects.prefetch_related("groups").select_related("unit")}
    lookalikes = {username_skeleton(username): username for username in existing}
    seen: dict[str, int] = {}  # what each username of the file looks like -> its row
    plans = []
    for row in rows:
        wanted = _person_fields(row, kinds, issues)
        if wanted is None:
            continue
        username = _folded_username(row, wanted["username"], existing, lookalikes, issues)
        if username is None:
            continue
        skeleton = username_skeleton(username)
        if skeleton in seen:
            message = _("The username %(username)s is already used in row %(row)d.")
            issues.append(row.issue("username", message % {"username": wanted["username"], "row": seen[skeleton]}))
            continue
        seen[skeleton] = row.number
        wanted["username"] = username
        plan = _person_plan(row, existing.get(username), wanted, issues)
        if plan is not None:
            plans.append(plan)
    return plans


def _folded_username(
    row: SheetRow, written: str, existing: dict[str, User], lookalikes: dict[str, str], issues: list[ImportIssue]
) -> str | None:
    """The username as accounts are kept (folded), or None with an issue when it is written in another form or
    could be mistaken for an existing account."""
    folded = fold_username(written)
    values = {"username": written, "existing": lookalikes.get(username_skeleton(folded)), "folded": folded}
    if values["existing"] is not None and values["existing"] != folded:
        message = _(
            "The username %(username)s looks like the existing account %(existing)s but is not the same: write "
            "%(existing)s to update that account, or choose a username that cannot be mistaken for it."
        )
    elif mixes_scripts(folded):
        message = _(
            "The username %(username)s mixes letters of different alphabets (such as Latin and Cyrillic), so it "
            "can be mistaken for another; write it in one alphabet."
        )
    elif written != folded and folded in existing:
        message = _(
            "The username %(username)s differs from the existing account %(folded)s only in letter case or "
            "character width; write it as %(folded)s."
        )
    elif written != folded:
        message = _("Usernames are kept in lower case and half-width characters; write this one as %(folded)s.")
    else:
        return folded
    issues.append(row.issue("username", message % values))
    return None


def _person_fields(row: SheetRow, kinds: dict[str, str], issues: list[ImportIssue]) -> dict[str, Any] | None:
    count = len(issues)
    wanted: dict[str, Any] = {
        "username": _text(row, "username", issues, required=True),
        "full_name": _text(row, "full_name", issues, required=True),
        "roles": _roles(row, issues),
    }
    if "email" in row.values:
        wanted["email"] = _text(row, "email", issues) or ""
    department = _text(row, "department", issues)
    if wanted["roles"] is not None:
        _check_department(row, department, wanted["roles"], kinds, issues)
    wanted["unit_code"] = department
    return wanted if len(issues) == count else None


def _roles(row: SheetRow, issues: list[ImportIssue]) -> set[str] | None:
    text = _text(row, "role", issues, required=True)
    if text is None:
        return None
    roles = set()
    for name in filter(None, _ROLE_SEPARATORS.split(text)):
        role = _ROLES.get(normalise_header(name))
        if role is None:
            valid = ", ".join(role.value for role in Role)
            issues.append(
                row.issue("role", _("Unknown role %(value)s; use %(roles)s.") % {"value": name, "roles": valid})
            )
            return None
        roles.add(role.value)
    return roles


def _check_department(
    row: SheetRow, code: str | None, roles: set[str], kinds: dict[str, str], issues: list[ImportIssue]
) -> None:
    problem = role_unit_problem(roles=roles, code=code, kind=kinds.get(code) if code else None)
    if problem:
        issues.append(row.issue("department", problem))


def _person_plan(
    row: SheetRow, user: User | None, wanted: dict[str, Any], issues: list[ImportIssue]
) -> _PersonPlan | None:
    is_new = user is None
    if user is None:
        user = User(username=wanted["username"])
        user.set_unusable_password()
    fields = {key: wanted[key] for key in ("full_name", "email") if key in wanted}
    changed = _assign(user, fields)
    current_code = user.unit.code if user.unit_id else None
    changed = changed or current_code != wanted["unit_code"]
    exclude = ["unit", "password"] + ([] if is_new else ["username"])
    if (changed or is_new) and not _valid(user, row, issues, exclude=exclude):
        return None
    roles = wanted["roles"]
    current_roles = set() if is_new else set(user.groups.values_list("name", flat=True))
    return _PersonPlan(
        row=row,
        user=user,
        is_new=is_new,
        changed=changed or is_new,
        unit_code=wanted["unit_code"],
        roles=roles,
        roles_changed=is_new or roles != current_roles,
    )


def _check_members_left_behind(unit_plans: list[_UnitPlan], in_file: set[str], issues: list[ImportIssue]) -> None:
    """A unit may not change kind under accounts (not in the file) whose role needs the old kind."""
    for plan in unit_plans:
        if plan.is_new or not plan.changed:
            continue
        # Now grassroots: its representatives are stranded; now evaluated: its grassroots raters are.
        role = Role.DEPARTMENT_REP if plan.unit.kind == UnitKind.GRASSROOTS else Role.GRASSROOTS_RATER
        stranded = User.objects.filter(unit__code=plan.unit.code, groups__name=role).exclude(username__in=in_file)
        usernames = sorted(stranded.values_list("username", flat=True))
        if usernames:
            message = _("This kind does not suit the accounts of this unit: %(usernames)s.")
            issues.append(plan.row.issue("kind", message % {"usernames": ", ".join(usernames)}))


# --- cells ---------------------------------------------------------------------------------------------------------


def _assign(instance: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _valid(instance: Any, row: SheetRow, issues: list[ImportIssue], *, exclude: list[str]) -> bool:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                issues.append(row.issue(name if name in row.headers else None, message))
        return False
    return True


def _text(row: SheetRow, key: str, issues: list[ImportIssue], *, required: bool = False) -> str | None:
    value = row.values.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = None if value is None else str(value).strip() or None
    if text is None and required:
        issues.append(row.issue(key, _("This value is required.")))
    return text


def _choice(row: SheetRow, key: str, choices: dict[str, Any], issues: list[ImportIssue], message: str) -> Any:
    text = _text(row, key, issues, required=True)
    if text is None:
        return None
    found = choices.get(normalise_header(text))
    if found is None:
        issues.append(row.issue(key, message % {"value": text}))
    return found


def _whole_number(row: SheetRow, key: str, issues: list[ImportIssue]) -> int:
    value = row.values.get(key)
    if value is None:
        return 0
    try:
        number = float(str(value).strip())
    except ValueError:
        number = 0.5
    if isinstance(value, bool) or not number.is_integer() or abs(number) > _MAX_ORDER:
        issues.append(row.issue(key, _("Enter a whole number.")))
        return 0
    return int(number)


def _yes_no(row: SheetRow, key: str, issues: list[ImportIssue], *, default: bool) -> bool:
    value = row.values.get(key)
    if value is None:
        return default
    parsed = yes_no_value(value)
    if parsed is None:
        issues.append(row.issue(key, _("Enter yes or no (是/否).")))
        return default
    return parsed


# --- template ------------------------------------------------------------------------------------------------------


def org_workbook() -> bytes:
    """The current organisation (units and people) as an organisation workbook.

    Headers, kinds and yes/no are written in Chinese when Chinese is active,
    otherwise in English; the import accepts both.
    """
    chinese = (translation.get_language() or "").startswith("zh")
    workbook = Workbook()
    units_sheet = workbook.active
    units_sheet.title = _title(DEPARTMENTS_SHEET, chinese)
    _write_rows(units_sheet, _headers(DEPARTMENTS_SHEET, chinese), _unit_rows(chinese))
    _add_choices(units_sheet, "C", [KIND_NAMES_ZH[k] if chinese else k.value for k in UnitKind])
    _add_choices(units_sheet, "F", ["是", "否"] if chinese else ["yes", "no"])
    people_sheet = workbook.create_sheet(_title(PEOPLE_SHEET, chinese))
    _write_rows(people_sheet, _headers(PEOPLE_SHEET, chinese), _person_rows())
    programmes_sheet = workbook.create_sheet(_title(PROGRAMMES_SHEET, chinese))
    _write_rows(programmes_sheet, _headers(PROGRAMMES_SHEET, chinese), _programme_rows())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title(spec: SheetSpec, chinese: bool) -> str:
    return spec.aliases[0] if chinese else spec.key


def _headers(spec: SheetSpec, chinese: bool) -> list[str]:
    return [column.aliases[0] if chinese else column.key for column in spec.columns]


def _unit_rows(chinese: bool) -> Iterable[list[Any]]:
    for unit in Unit.objects.select_related("parent").order_by("order", "code"):
        kind = KIND_NAMES_ZH[UnitKind(unit.kind)] if chinese else unit.kind
        active = ("是" if unit.active else "否") if chinese else ("yes" if unit.active else "no")
        parent = unit.parent.code if unit.parent else None
        yield [unit.code, unit.name, kind, unit.ranking_group or None, unit.order, active, parent]


def _programme_rows() -> Iterable[list[Any]]:
    for p in Programme.objects.all():
        yield [p.code, p.name, p.evaluated_kinds, p.scope, p.label_grassroots, p.label_peer, p.label_leadership]


def _person_rows() -> Iterable[list[Any]]:
    users = User.objects.filter(is_active=True).select_related("unit").prefetch_related("groups").order_by("username")
    for user in users:
        roles = sorted(group.name for group in user.groups.all() if group.name in Role.values)
        if not roles:
            continue
        yield [
            user.username,
            user.full_name or user.username,
            user.unit.code if user.unit else None,
            ", ".join(roles),
            user.email or None,
        ]


def _write_rows(sheet: Any, headers: list[str], rows: Iterable[list[Any]]) -> None:
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            keep_as_text(cell)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(header) + 6)


def _add_choices(sheet: Any, column: str, values: list[str]) -> None:
    validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    sheet.add_data_validation(validation)
    validation.add(f"{column}2:{column}1000")
