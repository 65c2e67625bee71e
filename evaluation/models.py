"""Quarters, ballots, codes, adjustments, results and problems.

Anonymity is a property of this schema, not of templates: a grassroots ballot
has no rater, no code, no time finer than its day, and no sequential key; codes
and participation records never point at a ballot.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.models import PROGRAMME_CODE_PATTERN, WORKSTYLE, Programme, Unit, workstyle_pk
from evaluation.scoring import SOURCES, collected_sources

# The one definition of a quarter code (YYYYQn): the model, the workbook import and the URL converter use it.
QUARTER_CODE_PATTERN = "[0-9]{4}Q[1-4]"
QUARTER_CODE = re.compile(rf"^{QUARTER_CODE_PATTERN}$")
# A quarter in URLs and on the command line: its code, after "PROGRAMME." unless the programme is work style.
QUARTER_KEY_PATTERN = rf"(?:{PROGRAMME_CODE_PATTERN}\.)?{QUARTER_CODE_PATTERN}"
# A year of one programme's annual results: YYYY in work style, PROGRAMME.YYYY in another.
ANNUAL_KEY_PATTERN = rf"(?:{PROGRAMME_CODE_PATTERN}\.)?[0-9]{{4}}"
quarter_code_validator = RegexValidator(QUARTER_CODE.pattern, _("A quarter is written YYYYQn, for example 2026Q3."))
criterion_code_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_]{0,31}$",
    _("A criterion code starts with a letter and has up to 32 letters, digits and _."),
)
points_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


# The longest announcement (公示) period a quarter may set, in days.
ANNOUNCEMENT_DAYS_MAX = 90

# Trimming drops two values of a cell and averages the rest, so it needs at least three (docs/scoring.md rule 1).
TRIM_MIN_N_FLOOR = 3


class QuarterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ANNOUNCED = "announced", _("Announced")
    PUBLISHED = "published", _("Published")


# Statuses whose results are frozen in a snapshot and shown to their readers: announced (公示, not yet final)
# and published (定稿). docs/design.md "Quarter lifecycle".
FROZEN_STATUSES: tuple[str, ...] = (QuarterStatus.ANNOUNCED, QuarterStatus.PUBLISHED)


class Scale(models.TextChoices):
    LEVELS = "levels", _("Levels")
    POINTS = "points", _("Points (0–100)")


class Source(models.TextChoices):
    GRASSROOTS = "grassroots", _("Grassroots")
    PEER = "peer", _("Peer review")
    LEADERSHIP = "leadership", _("Leadership")


def source_label(source: str, programme: Programme | None = None) -> str:
    """A source's display name: the programme's own where it names one (群众评议, 支部互评, 党委评分), else the
    product's in the active language. The one home of the name on every page and export (evaluation.labels)."""
    own = programme.source_label(source) if programme is not None else ""
    return own or (str(Source(source).label) if source in Source.values else source)


class Origin(models.TextChoices):
    ONLINE = "online", _("Submitted online")
    KEYED = "keyed", _("Keyed in from paper")
    IMPORTED = "imported", _("Imported from a workbook")


class Quarter(models.Model):
    """One evaluation round with its frozen configuration."""

    code = models.CharField(_("quarter"), max_length=7, validators=[quarter_code_validator])
    title = models.CharField(_("title"), max_length=100, blank=True)
    template = models.CharField(_("criteria template"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=QuarterStatus.choices, default=QuarterStatus.DRAFT)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.LEVELS)
    weight_grassroots = models.PositiveSmallIntegerField(
        _("grassroots weight (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    weight_peer = models.PositiveSmallIntegerField(
        _("peer weight (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    weight_leadership = models.PositiveSmallIntegerField(
        _("leadership weight (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    trim = models.BooleanField(_("drop the highest and lowest value"), default=False)
    trim_min_n = models.PositiveSmallIntegerField(
        _("trim from this many values"), default=5, validators=[MinValueValidator(TRIM_MIN_N_FLOOR)]
    )
    min_ballots_grassroots = models.PositiveSmallIntegerField(_("minimum grassroots ballots"), default=1)
    min_ballots_peer = models.PositiveSmallIntegerField(_("minimum peer ballots"), default=1)
    min_ballots_leadership = models.PositiveSmallIntegerField(_("minimum leadership ballots"), default=1)
    anonymity_k = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A department sees a source's breakdown and comments only from this many ballots on."),
    )
    # docs/scoring.md rule 10: at most this percentage of a ballot's targets get the highest level, per criterion.
    top_level_cap = models.PositiveSmallIntegerField(
        _("top-level cap (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Levels scale only: the share of departments one criterion of a ballot may rate at the top level."),
    )
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Announcement (公示), docs/design.md "Quarter lifecycle": 0 means results are final when published.
    announcement_days = models.PositiveSmallIntegerField(
        _("announcement days"),
        default=0,
        validators=[MaxValueValidator(ANNOUNCEMENT_DAYS_MAX)],
        help_text=_("Days results are announced, open to objections, before they can be final; 0: no announcement."),
    )
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    # --- programmes (docs/design.md, "Programmes") ---
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, default=workstyle_pk, related_name="quarters"
    )

    class Meta:
        ordering = ["-code"]
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        permissions = [
            ("manage_quarters", _("Can run quarters: settings, codes, voids, adjustments, imports, exports")),
            ("view_provisional_results", _("Can see results before they are published")),
            ("view_published_results", _("Can see published rankings")),
            ("reopen_published_quarter", _("Can reopen a published quarter")),
            ("submit_leadership_ballot", _("Can submit a leadership ballot")),
            ("submit_peer_ballot", _("Can submit a peer ballot for their department")),
            ("submit_grassroots_ballot", _("Can submit a grassroots ballot for their unit")),
            ("answer_problem", _("Can answer problems addressed to their department")),
            ("file_objection", _("Can object to their department's announced result")),
            ("finalise_during_announcement", _("Can make results final before the announcement ends")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_grassroots__lte=100) & Q(weight_peer__lte=100) & Q(weight_leadership__lte=100),
                name="quarter_weights_in_range",
            ),
            models.UniqueConstraint(fields=["programme", "code"], name="quarter_code_unique_per_programme"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def full_name(self) -> str:
        """The code, after the programme's name outside work style ("党支部考核 2026Q3")."""
        return self.code if self.programme.is_workstyle else f"{self.programme.name} {self.code}"

    @property
    def annual_key(self) -> str:
        """The key of its programme's year (see annual_key)."""
        return annual_key(self.programme.code, self.year)

    @property
    def key(self) -> str:
        """How URLs and commands name the quarter: "2026Q3" in work style, "PROGRAMME.2026Q3" in another."""
        return quarter_key(self.programme.code, self.code)

    @property
    def year(self) -> int:
        return int(self.code[:4])

    @property
    def number(self) -> int:
        return int(self.code[-1])

    def weight(self, source: str) -> int:
        return getattr(self, f"weight_{source}")

    def min_ballots(self, source: str) -> int:
        return getattr(self, f"min_ballots_{source}")

    @property
    def announcement_ends_at(self) -> dt.datetime | None:
        """When the current announcement ends, or None when the quarter is not announced."""
        if self.status != QuarterStatus.ANNOUNCED or self.announced_at is None:
            return None
        return self.announced_at + dt.timedelta(days=self.announcement_days)

    @property
    def active_sources(self) -> list[str]:
        """Sources that are collected: those with a weight above zero."""
        return collected_sources({source: self.weight(source) for source in SOURCES})

    def source_label(self, source: str) -> str:
        """The source's name in this quarter's programme (see source_label)."""
        return source_label(source, self.programme)

    @property
    def source_labels(self) -> dict[str, str]:
        """Every source's name in this quarter's programme, for templates: `quarter.source_labels.peer`."""
        return {source: self.source_label(source) for source in Source.values}

    @property
    def source_choices(self) -> list[tuple[str, str]]:
        """The sources as form choices, named as this quarter's programme names them."""
        return [(source, self.source_label(source)) for source in Source.values]


def quarter_key(programme_code: str, code: str) -> str:
    return code if programme_code == WORKSTYLE else f"{programme_code}.{code}"


def annual_key(programme_code: str, year: int) -> str:
    return quarter_key(programme_code, f"{year:04d}")


def annual_lookup(key: str) -> tuple[str, int]:
    """(programme code, year) of an annual key (see annual_key)."""
    programme_code, _dot, year = str(key).rpartition(".")
    return programme_code or WORKSTYLE, int(year)


def quarter_lookup(key: str) -> dict[str, str]:
    """Filter arguments for the quarter a key names (see Quarter.key)."""
    programme_code, _dot, code = key.rpartition(".")
    return {"programme__code": programme_code or WORKSTYLE, "code": code}


# The settings that decide a quarter's numbers, in the order the console and the workbooks list them.
SCORING_FIELDS: tuple[str, ...] = (
    "scale",
    "weight_grassroots",
    "weight_peer",
    "weight_leadership",
    "trim",
    "trim_min_n",
    "min_ballots_grassroots",
    "min_ballots_peer",
    "min_ballots_leadership",
    "anonymity_k",
    "top_level_cap",
)


def quarter_default(name: str) -> object:
    """The default of a Quarter field, as a new quarter gets it."""
    return Quarter._meta.get_field(name).get_default()


class Level(models.Model):
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="levels")
    label = models.CharField(_("label"), max_length=20)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2, validators=points_validators)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["quarter", "order", "-points"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [models.UniqueConstraint(fields=["quarter", "label"], name="level_label_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class Grade(models.Model):
    """One grade (等次) of a quarter, best first by `order` (docs/scoring.md rule 9): a quota or a minimum score."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="grades")
    label = models.CharField(_("label"), max_length=20)
    quota = models.PositiveSmallIntegerField(_("quota (%)"), null=True, blank=True, validators=[MaxValueValidator(100)])
    min_score = models.DecimalField(_("minimum score"), max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["quarter", "order"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "label"], name="grade_label_unique"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True, min_score__isnull=False)
                | Q(quota__isnull=False, min_score__isnull=True),
                name="grade_quota_or_min_score",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=32, validators=[criterion_code_validator])
    name = models.CharField(_("name"), max_length=50)
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["quarter", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """One rater's submission for one source in one quarter.

    The random primary key keeps the storage order from revealing the order of
    submission. Grassroots ballots carry their unit only (enforced below).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="ballots")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    rater_unit = models.ForeignKey(
        Unit, verbose_name=_("rating unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.ONLINE)
    label = models.CharField(_("ballot label"), max_length=64, blank=True)
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["quarter", "source"], name="ballot_quarter_source")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="grassroots") | (Q(rater__isnull=True) & Q(rater_unit__isnull=False)),
                name="grassroots_ballot_is_anonymous",
            ),
            models.CheckConstraint(
                condition=~Q(source="peer") | Q(rater_unit__isnull=False), name="peer_ballot_has_unit"
            ),
            models.CheckConstraint(
                condition=~Q(source="leadership") | Q(rater__isnull=False), name="leadership_ballot_has_rater"
            ),
            models.UniqueConstraint(
                fields=["quarter", "rater_unit"],
                condition=Q(source="peer", voided_at__isnull=True),
                name="one_peer_ballot_per_department",
            ),
            models.UniqueConstraint(
                fields=["quarter", "rater"],
                condition=Q(source="leadership", voided_at__isnull=True),
                name="one_leadership_ballot_per_leader",
            ),
            models.UniqueConstraint(
                fields=["quarter", "source", "label"], condition=~Q(label=""), name="ballot_label_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.get_source_display()} {self.label or str(self.pk)[:8]}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class BlockRangeIndex(BrinIndex):
    """A block range (BRIN) index on PostgreSQL, a B-tree elsewhere.

    A BRIN index keeps each range of table pages' smallest and largest key: a few kilobytes, and next to nothing
    to keep up on insert. It suits a column whose values follow the rows' physical order, as criterion ids do in
    the value table: a quarter's criteria are made before its ballots, and its values arrive together.
    `autosummarize` has autovacuum summarise each range as it fills.
    """

    def __init__(self, *expressions: Any, **kwargs: Any) -> None:
        kwargs.setdefault("autosummarize", True)
        super().__init__(*expressions, **kwargs)

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class BallotValue(models.Model):
    """One non-abstention cell of a ballot. An abstention is the absence of a row.

    Values are stored in hundredths of a point so that sums in the database
    are exact integers on every backend.
    """

    pk = models.CompositePrimaryKey("ballot", "department", "criterion")
    # The composite primary key starts with the ballot: a separate index would only slow every submit.
    # The three references are checked by the database once per statement, not by row-by-row foreign keys
    # (evaluation/references.py): the same rules, a fraction of the cost on the largest table.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="values", db_index=False, db_constraint=False
    )
    # Every read of values goes through their ballots, so the department and the criterion need no B-tree of
    # their own: on a Benxi-scale import the two cost 0.4 s of the 1.06 s PostgreSQL spent on COPY. What looks
    # values up by criterion (deleting a draft quarter's criteria, the triggers) has the block range index in
    # Meta; a unit is deleted rarely enough that its check may read the table.
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    value_centi = models.PositiveIntegerField(validators=[MaxValueValidator(10000)])
    # True on exactly one row per (ballot, department): the one of the lowest criterion id. Counting these
    # rows counts the ballots that rate a department without a COUNT(DISTINCT ballot) (docs/design.md,
    # "Ballot counts without COUNT DISTINCT"); every insert sets it with `counting_flags`.
    counts_ballot = models.BooleanField(default=False)
    # True on exactly one row per ballot: its row of the lowest (department id, criterion id). Counting these
    # rows counts the ballots that give at least one value, per source, in the same aggregate; every insert
    # sets it with `counting_flags`.
    counts_giving_ballot = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ballot value")
        verbose_name_plural = _("ballot values")
        constraints = [
            models.CheckConstraint(condition=Q(value_centi__lte=10000), name="ballot_value_in_range"),
        ]
        indexes = [BlockRangeIndex(fields=["criterion"], name="ballot_value_criterion_range")]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.criterion_id}={self.value}"

    @property
    def value(self) -> Decimal:
        return Decimal(self.value_centi) / 100


def counting_flags(rows: Iterable[tuple[Any, int, int]]) -> list[tuple[bool, bool]]:
    """For rows (ballot, department, criterion) holding whole ballots: each row's `BallotValue.counts_ballot`
    (it is its (ballot, department)'s row of the lowest criterion id) and `counts_giving_ballot` (it is its
    ballot's row of the lowest (department id, criterion id))."""
    rows = list(rows)
    lowest_criterion: dict[tuple[Any, int], int] = {}
    lowest_cell: dict[Any, tuple[int, int]] = {}
    for ballot, department, criterion in rows:
        key = (ballot, department)
        known = lowest_criterion.get(key)
        if known is None or criterion < known:
            lowest_criterion[key] = criterion
        cell = lowest_cell.get(ballot)
        if cell is None or (department, criterion) < cell:
            lowest_cell[ballot] = (department, criterion)
    # One of four shared pairs per row: a workbook's hundreds of thousands of rows allocate no tuple each.
    return [
        _FLAG_PAIRS[lowest_criterion[(ballot, department)] == criterion][lowest_cell[ballot] == (department, criterion)]
        for ballot, department, criterion in rows
    ]


_FLAG_PAIRS = (((False, False), (False, True)), ((True, False), (True, True)))


# The longest comment a ballot may address to one department, however the ballot arrives.
COMMENT_MAX_LENGTH = 1000


class BallotComment(models.Model):
    """An opinion or problem a ballot addresses to one department."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="comments")
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [models.UniqueConstraint(fields=["ballot", "department"], name="one_comment_per_department")]

    def __str__(self) -> str:
        return self.text[:40]


class BallotCode(models.Model):
    """A one-time code for a grassroots ballot. It never points at the ballot it opened."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="codes")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    used = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")
        indexes = [models.Index(fields=["quarter", "unit", "used"], name="code_quarter_unit_used")]

    def __str__(self) -> str:
        return self.code


class GrassrootsParticipation(models.Model):
    """That a logged-in grassroots rater has voted this quarter; kept apart from the ballot."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    voted_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quarter", "user"], name="one_grassroots_vote_per_account")]

    def __str__(self) -> str:
        return f"{self.quarter_id}/{self.user_id}"


class BallotInbox(models.Model):
    """A grassroots ballot accepted online and waiting to be moved into the ballot tables.

    It is written in the transaction that consumes the code (or records an account's participation), so
    an accepted ballot is never lost; it holds the quarter, the unit, the day and the cleaned cells and
    comments only. The move (evaluation.services.inbox) stores waiting ballots in batches, in random
    order, in transactions of their own, so no transaction id or physical order links a ballot to its
    code, to a participation record or to the order of voting.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(default=timezone.localdate)
    # {"values": [[department id, criterion id, hundredths], ...], "comments": [[department id, text], ...]}
    payload = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["quarter", "unit"], name="inbox_quarter_unit")]

    def __str__(self) -> str:
        return f"{self.quarter_id}/{self.unit_id}"


class Adjustment(models.Model):
    """A bonus or penalty (加减分) with its reason."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="adjustments")
    department = models.ForeignKey(Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.ONLINE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quarter", "department__order", "department__code", "created_at"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason")]

    def __str__(self) -> str:
        return f"{self.department} {self.points:+}"


class ResultSnapshot(models.Model):
    """The frozen results of a published quarter: every number its pages and exports show."""

    quarter = models.OneToOneField(Quarter, on_delete=models.CASCADE, related_name="snapshot")
    created_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField()

    class Meta:
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")

    def __str__(self) -> str:
        return str(self.quarter)


class DepartmentResult(models.Model):
    """One department's row of a snapshot, for trends, rank changes and annual scores."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="rows")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="results")
    group = models.CharField(max_length=64)
    rank = models.PositiveIntegerField(null=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    # The unrounded final score as an exact fraction "numerator/denominator" (docs/scoring.md rule 8).
    final_exact = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quarter", "department"], name="one_result_per_department")]
        indexes = [models.Index(fields=["department", "quarter"], name="result_department_quarter")]

    def __str__(self) -> str:
        return f"{self.quarter_id} {self.department_id} #{self.rank}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem status", "Open")
    ANSWERED = "answered", pgettext_lazy("problem status", "Answered")
    CLOSED = "closed", pgettext_lazy("problem status", "Closed")


class Problem(models.Model):
    """A problem a grassroots unit raised, addressed to a department, tracked until answered."""

    quarter = models.ForeignKey(Quarter, verbose_name=_("quarter"), on_delete=models.PROTECT, related_name="problems")
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="problems"
    )
    raising_unit = models.ForeignKey(
        Unit,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="raised_problems",
    )
    comment = models.ForeignKey(
        BallotComment, on_delete=models.SET_NULL, null=True, blank=True, related_name="problems"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    answer_updated_at = models.DateTimeField(_("answer updated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    # 回访 (docs/design.md "Problems raised and answered"): whether the raising unit was satisfied by the answer.
    satisfied = models.BooleanField(_("answer satisfied the unit"), null=True, blank=True)
    follow_up_remark = models.TextField(_("follow-up remark"), blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["department", "status"], name="problem_department_status"),
            models.Index(fields=["quarter", "status"], name="problem_quarter_status"),
        ]

    def __str__(self) -> str:
        return self.title


class ObjectionPoint(models.TextChoices):
    """Which point of a department's announced result an objection concerns."""

    SOURCE_SCORE = "source_score", _("A source score")
    ADJUSTMENT = "adjustment", _("An adjustment")
    RANK = "rank", _("The rank")
    OTHER = "other", _("Other")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("objection status", "Waiting for an answer")
    UPHELD = "upheld", pgettext_lazy("objection status", "Upheld")
    REJECTED = "rejected", pgettext_lazy("objection status", "Rejected")


class Objection(models.Model):
    """A department's written objection (申诉) to its announced result, and the evaluation group's answer."""

    quarter = models.ForeignKey(Quarter, verbose_name=_("quarter"), on_delete=models.CASCADE, related_name="objections")
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="objections"
    )
    point = models.CharField(_("point of the result"), max_length=16, choices=ObjectionPoint.choices)
    text = models.TextField(_("objection"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The audited correction (a void, an adjustment, a re-announcement) an upheld objection points to.
    correction = models.ForeignKey(
        "audit.AuditEntry",
        verbose_name=_("correction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [models.Index(fields=["quarter", "status"], name="objection_quarter_status")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="objection_has_text")]

    def __str__(self) -> str:
        return f"{self.quarter_id} {self.department_id} {self.point}"


# --- programmes: who rates whom (docs/design.md, "Rater scopes") ---


class Assignment(models.Model):
    """A rater → target pair of a quarter whose programme's scope is `assigned` (测评关系).

    The rater is a unit (grassroots and peer ballots) or a leader's account (leadership ballots).
    """

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="assignments")
    rater_unit = models.ForeignKey(
        Unit, verbose_name=_("rating unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rater"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.ForeignKey(Unit, verbose_name=_("target"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["quarter", "rater_unit", "rater", "target"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(rater_unit__isnull=False, rater__isnull=True)
                | Q(rater_unit__isnull=True, rater__isnull=False),
                name="assignment_one_rater",
            ),
            models.UniqueConstraint(fields=["quarter", "rater_unit", "target"], name="assignment_unit_pair_unique"),
            models.UniqueConstraint(fields=["quarter", "rater", "target"], name="assignment_rater_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rater_unit or self.rater} → {self.target}"
