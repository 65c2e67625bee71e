"""Grassroots ballots still waiting in the inbox, counted where results and participation count ballots.

Results and participation read the ballot tables and the inbox; a move between the two reads would
count a batch twice or not at all, so `consistent_reads` runs them on one snapshot. Only an open
quarter has waiting ballots: closing moves them all (evaluation.services.inbox).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from evaluation.models import BallotInbox, Quarter, QuarterStatus, Source
from evaluation.scoring import CellAggregate

Cells = dict[tuple[str, int, str], CellAggregate]
BallotCounts = dict[tuple[str, int], int]


@contextmanager
def consistent_reads() -> Iterator[None]:
    """Run the enclosed reads on one snapshot (REPEATABLE READ on PostgreSQL; one transaction on SQLite)."""
    if connection.in_atomic_block:
        # The caller's transaction decides (a quarter transition has already moved every waiting ballot).
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _waiting(quarter: Quarter) -> bool:
    return quarter.status == QuarterStatus.OPEN


def pending_per_unit(quarter: Quarter) -> dict[int, int]:
    """Waiting ballots per grassroots unit id."""
    if not _waiting(quarter):
        return {}
    rows = BallotInbox.objects.filter(quarter=quarter).values("unit").annotate(n=Count("pk")).order_by()
    return {row["unit"]: row["n"] for row in rows}


def waiting_per_quarter(quarters: list[Quarter]) -> dict[int, int]:
    """Online grassroots ballots waiting in the inbox, per quarter id (open quarters only; one query)."""
    ids = [quarter.pk for quarter in quarters if _waiting(quarter)]
    if not ids:
        return {}
    rows = BallotInbox.objects.filter(quarter_id__in=ids).values("quarter").annotate(n=Count("pk")).order_by()
    return {row["quarter"]: row["n"] for row in rows}


def waiting_payloads(quarter: Quarter) -> QuerySet[BallotInbox] | None:
    """The read of the waiting ballots' payloads that `waiting_aggregates` counts; None when nothing waits."""
    if not _waiting(quarter):
        return None
    return BallotInbox.objects.filter(quarter=quarter).values_list("payload").order_by()


def waiting_aggregates(
    rows: Iterable[tuple[dict]], criterion_codes: Mapping[int, str]
) -> tuple[Cells, BallotCounts, int]:
    """The waiting ballots' cells, per-department ballot counts and number (of those giving a value), as the
    scoring input counts them, from the rows of `waiting_payloads`."""
    values: dict[tuple[str, int, str], list[int]] = {}
    ballot_counts: Counter[tuple[str, int]] = Counter()
    ballots = 0
    for (payload,) in rows:
        ballots += bool(payload["values"])  # a comment-only ballot counts for no score
        departments = set()
        for department_id, criterion_id, centi in payload["values"]:
            departments.add(department_id)
            if criterion_id in criterion_codes:
                key = (Source.GRASSROOTS.value, department_id, criterion_codes[criterion_id])
                values.setdefault(key, []).append(centi)
        ballot_counts.update((Source.GRASSROOTS.value, department_id) for department_id in departments)
    cells = {key: CellAggregate.of(centis) for key, centis in values.items()}
    return cells, dict(ballot_counts), ballots


def merged_cells(stored: Cells, waiting: Cells) -> Cells:
    """The cell aggregates of the stored and the waiting ballots together."""
    if not waiting:
        return stored
    merged = dict(stored)
    for key, cell in waiting.items():
        known = merged.get(key)
        merged[key] = (
            cell
            if known is None
            else CellAggregate(
                n=known.n + cell.n,
                total_centi=known.total_centi + cell.total_centi,
                min_centi=min(known.min_centi, cell.min_centi),
                max_centi=max(known.max_centi, cell.max_centi),
            )
        )
    return merged


def merged_counts(stored: BallotCounts, waiting: BallotCounts) -> BallotCounts:
    """The per-(source, department) ballot counts of the stored and the waiting ballots together."""
    if not waiting:
        return stored
    merged = dict(stored)
    for key, n in waiting.items():
        merged[key] = merged.get(key, 0) + n
    return merged
