"""`set_quarter_status`: the lifecycle as a command, run as the system; refusals exit with status 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import Quarter, QuarterStatus, ResultSnapshot


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("set_quarter_status", *args, stdout=out)
    return out.getvalue()


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        _run(*args)
    assert caught.value.returncode == 1
    return str(caught.value)


def test_it_closes_an_open_quarter_as_the_system(quarter) -> None:
    output = _run("2026Q3", "closed")
    assert "2026Q3" in output
    quarter.refresh_from_db()
    assert quarter.status == QuarterStatus.CLOSED
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGED)
    assert entry.actor is None
    assert entry.details == {"from": "open", "to": "closed"}


def test_it_publishes_and_reopens_with_a_reason(quarter) -> None:
    _run("2026Q3", "closed")
    _run("2026Q3", "published")
    assert ResultSnapshot.objects.filter(quarter=quarter).exists()
    assert "needs a reason" in _refused("2026Q3", "closed")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.PUBLISHED
    _run("2026Q3", "closed", "--reason", "A paper ballot was keyed twice")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.CLOSED
    assert AuditEntry.objects.filter(reason="A paper ballot was keyed twice").exists()


def test_a_refused_transition_says_why_and_changes_nothing(quarter) -> None:
    message = _refused("2026Q3", "published")
    assert "cannot go from Open to Published" in message
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.OPEN
    assert not AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).exists()


def test_an_unknown_quarter_is_a_clear_error(quarter) -> None:
    assert "2027Q1 does not exist" in _refused("2027Q1", "open")


@pytest.mark.parametrize("status", ["draft", "archived", ""])
def test_an_unknown_status_is_a_clear_error(quarter, status) -> None:
    assert "use open, closed, announced or published" in _refused("2026Q3", status)


def test_the_command_exits_with_status_1_from_the_shell(quarter, capsys) -> None:
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "set_quarter_status", "2026Q3", "published"]).execute()
    assert caught.value.code == 1
    assert "cannot go from" in capsys.readouterr().err
