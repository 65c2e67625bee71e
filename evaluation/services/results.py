"""Freezing a quarter's results at publication, and dropping them when it is reopened.

The snapshot is `QuarterResults.to_snapshot()` of the live results with the roster the workbook names
(`evaluation.results_model`); reads are in `evaluation.selectors.results`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from django.core.cache import cache
from django.db import transaction

from evaluation.models import DepartmentResult, Quarter, ResultSnapshot
from evaluation.results_model import fraction_text
from evaluation.selectors.results import results_compute, results_roster, results_version_key


@transaction.atomic
def results_freeze(*, quarter: Quarter, actor: Any = None) -> ResultSnapshot:
    """Freeze the quarter's results when announced or published: the snapshot plus one DepartmentResult row per
    department, carrying the quarter's (new) status.

    Replaces an existing snapshot of the quarter. Called by the announce and publish transitions, in their
    transaction; nothing can change the numbers while announced, so finalising freezes the same ones.
    """
    results = replace(
        results_compute(quarter),
        status=str(quarter.status),
        provisional=False,
        roster=results_roster(quarter),
    )
    results_discard(quarter=quarter)
    snapshot = ResultSnapshot.objects.create(quarter=quarter, payload=results.to_snapshot())
    DepartmentResult.objects.bulk_create(
        DepartmentResult(
            snapshot=snapshot,
            quarter=quarter,
            department_id=row.id,
            group=row.group,
            rank=row.rank,
            score=row.score,
            final_exact=fraction_text(row.final_exact) or "",
        )
        for row in results.departments
    )
    return snapshot


@transaction.atomic
def results_discard(*, quarter: Quarter) -> None:
    """Drop the quarter's snapshot and result rows (re-opening a published quarter); the next publish recomputes."""
    ResultSnapshot.objects.filter(quarter=quarter).delete()
    DepartmentResult.objects.filter(quarter=quarter).delete()


def results_version_bump(*, quarter_id: int) -> None:
    """Every writer that changes what a quarter's live results show calls this, inside its transaction.

    The kept version is dropped now and again once the transaction commits: a read between the two may
    keep the old results, but under a version the commit drops, which no later read asks for.
    """
    key = results_version_key(quarter_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


@contextmanager
def results_changing(*, quarter_id: int) -> Iterator[None]:
    """Around a write that commits on its own (one statement outside a transaction): the kept version is dropped
    before it and again once it has committed, as results_version_bump does for a write in a transaction.
    A write that raises is taken as not made."""
    key = results_version_key(quarter_id)
    cache.delete(key)
    yield
    cache.delete(key)
