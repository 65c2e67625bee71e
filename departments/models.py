from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.roles import Role
from departments.usernames import fold_username

# The one definition of a unit code: the model, the organisation import and the URL converter use it.
UNIT_CODE_PATTERN = "[A-Za-z0-9_-]{1,32}"
unit_code_validator = RegexValidator(
    rf"^{UNIT_CODE_PATTERN}$",
    _("A code is 1 to 32 characters of A–Z, a–z, 0–9, _ and -."),
)


class UnitKind(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional department")
    BUSINESS = "business", _("Business institution")
    AFFILIATED = "affiliated", _("Affiliated unit")
    GRASSROOTS = "grassroots", _("Grassroots unit")
    PARTY_BRANCH = "party_branch", _("Party branch")


# The kinds the work-style programme evaluates (docs/design.md, "Programmes").
EVALUATED_KINDS = (UnitKind.FUNCTIONAL, UnitKind.BUSINESS, UnitKind.AFFILIATED)

# A programme's code has a unit code's form; "." separates it from a quarter in URLs, so it never holds one.
PROGRAMME_CODE_PATTERN = UNIT_CODE_PATTERN
WORKSTYLE = "workstyle"


class RaterScope(models.TextChoices):
    ALL = "all", _("Every rater rates every target")
    SAME_PARENT = "same_parent", _("Raters rate the targets under their own unit")
    ASSIGNED = "assigned", _("Raters rate the targets assigned to them")


class Programme(models.Model):
    """An evaluation programme (考核方案) with its own quarters, rankings and annual results (docs/design.md)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=100)
    evaluated_kinds = models.CharField(
        _("evaluated kinds"),
        max_length=200,
        default=",".join(EVALUATED_KINDS),
        help_text=_("Kinds of unit the programme rates and ranks, separated by commas."),
    )
    scope = models.CharField(_("rater scope"), max_length=16, choices=RaterScope.choices, default=RaterScope.ALL)
    template = models.CharField(_("default criteria template"), max_length=32, blank=True)
    label_grassroots = models.CharField(_("grassroots source label"), max_length=50, blank=True)
    label_peer = models.CharField(_("peer source label"), max_length=50, blank=True)
    label_leadership = models.CharField(_("leadership source label"), max_length=50, blank=True)
    order = models.IntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind.strip() for kind in self.evaluated_kinds.split(",") if kind.strip())

    @property
    def is_workstyle(self) -> bool:
        return self.code == WORKSTYLE

    def source_label(self, source: str) -> str:
        """The programme's own name for a source, or "" when it uses the product's."""
        return getattr(self, f"label_{source}", "")


def workstyle() -> Programme:
    """The work-style programme, which always exists (created by a migration, and here if a test flushed it)."""
    found, _created = Programme.objects.get_or_create(
        code=WORKSTYLE, defaults={"name": "部门工作作风考核", "template": "work_style"}
    )
    return found


def workstyle_pk() -> int:
    """The default programme of a new quarter."""
    return workstyle().pk


class UnitQuerySet(models.QuerySet):
    def evaluated(self, programme: Programme | None = None) -> UnitQuerySet:
        """Active units that `programme` (default: work style) rates and ranks (docs/scoring.md, "Evaluated
        departments")."""
        kinds = EVALUATED_KINDS if programme is None else programme.kinds
        return self.filter(active=True, kind__in=kinds)

    def evaluated_in_any(self) -> UnitQuerySet:
        """Active units some programme rates (the problems board addresses any of them)."""
        kinds = {kind for programme in Programme.objects.all() for kind in programme.kinds}
        return self.filter(active=True, kind__in=kinds | set(EVALUATED_KINDS))

    def grassroots(self) -> UnitQuerySet:
        return self.filter(active=True, kind=UnitKind.GRASSROOTS)


class Unit(models.Model):
    """A department or a grassroots unit of the group."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    ranking_group = models.CharField(
        _("ranking group"),
        max_length=64,
        blank=True,
        help_text=_("Departments are ranked within their group; empty means the kind."),
    )
    order = models.IntegerField(_("display order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The unit it belongs to, e.g. a party branch's secondary unit."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        permissions = [("import_org", _("Can import the organisation workbook"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_evaluated(self) -> bool:
        """Whether the work-style programme rates it; Programme.kinds says so for another programme."""
        return self.kind in EVALUATED_KINDS

    def clean(self) -> None:
        super().clean()
        if self.parent_id is not None and parent_cycle(self, self.parent):
            raise ValidationError({"parent": _("A unit cannot belong to itself or to a unit under it.")})

    @property
    def group(self) -> str:
        """The ranking group actually used: the explicit one, else the kind."""
        return Unit.group_of(self.ranking_group, self.kind)

    @staticmethod
    def group_of(ranking_group: str, kind: str) -> str:
        """`group` from the two columns, for reads that take them without building units."""
        return ranking_group or kind


def parent_cycle(unit: Unit, parent: Unit | None) -> bool:
    """Whether giving `unit` this parent would make a unit its own ancestor."""
    seen: set[int] = set()
    while parent is not None:
        if (unit.pk is not None and parent.pk == unit.pk) or parent.pk in seen:
            return True
        seen.add(parent.pk)
        parent = parent.parent
    return False


class AccountManager(UserManager):
    """Finds the account a login names by the folded username, the form every account is stored in."""

    def get_by_natural_key(self, username: str | None) -> User:
        return super().get_by_natural_key(fold_username(username or ""))


class User(AbstractUser):
    """An account. Roles are Django groups named after `Role` values; the username is kept folded."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    objects = AccountManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """Django applies this when an account is cleaned or created; one folding for every way in."""
        return fold_username(super().normalize_username(username))

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            from departments.auth import load_access  # the backend's module imports this one

            load_access(self)  # the roles together with the permissions: one query per request for both
        return self._role_names

    def has_role(self, *roles: Role | str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser and Role.ADMIN in roles:
            return True
        return bool(self.role_names & {str(role) for role in roles})
