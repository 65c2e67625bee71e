from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
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


EVALUATED_KINDS = (UnitKind.FUNCTIONAL, UnitKind.BUSINESS, UnitKind.AFFILIATED)


class UnitQuerySet(models.QuerySet):
    def evaluated(self) -> UnitQuerySet:
        """Active units that are rated and ranked (docs/scoring.md, "Evaluated departments")."""
        return self.filter(active=True, kind__in=EVALUATED_KINDS)

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
        return self.kind in EVALUATED_KINDS

    @property
    def group(self) -> str:
        """The ranking group actually used: the explicit one, else the kind."""
        return self.ranking_group or self.kind


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
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: Role | str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser and Role.ADMIN in roles:
            return True
        return bool(self.role_names & {str(role) for role in roles})
