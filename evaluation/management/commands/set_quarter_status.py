"""`set_quarter_status QUARTER STATUS [--reason TEXT]`: the lifecycle buttons, run as the system (docs/workbooks.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from evaluation.management.programmes import add_programme_argument, command_quarter
from evaluation.models import QuarterStatus
from evaluation.services.lifecycle import quarter_transition

TARGETS = (QuarterStatus.OPEN, QuarterStatus.CLOSED, QuarterStatus.ANNOUNCED, QuarterStatus.PUBLISHED)


class Command(BaseCommand):
    help = "Move a quarter to another status (open, closed, announced, published), as the lifecycle buttons do."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quarter", help="the quarter, YYYYQn")
        parser.add_argument("status", help="open, closed, announced or published")
        add_programme_argument(parser)
        parser.add_argument(
            "--reason",
            default="",
            help="why; required to reopen a published quarter, to take announced results back, and to finalise early",
        )

    def handle(self, *args: Any, quarter: str, status: str, reason: str, programme: str, **options: Any) -> None:
        status = status.strip().lower()
        if status not in TARGETS:
            raise CommandError(
                _("Unknown status %(status)s: use open, closed, announced or published.") % {"status": status},
                returncode=1,
            )
        found = command_quarter(quarter, programme)
        if found is None:
            raise CommandError(_("Quarter %(code)s does not exist.") % {"code": quarter}, returncode=1)
        old = found.get_status_display()
        try:
            quarter_transition(quarter=found, to=status, actor=None, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from None
        self.stdout.write(
            _("%(code)s: %(from)s → %(to)s") % {"code": found.code, "from": old, "to": QuarterStatus(status).label}
        )
