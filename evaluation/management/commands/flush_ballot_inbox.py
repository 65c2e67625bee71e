"""`flush_ballot_inbox [QUARTER]`: store every grassroots ballot still waiting in the inbox now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation.management.programmes import add_programme_argument, command_quarter
from evaluation.services.inbox import inbox_flush, inbox_vacuum


class Command(BaseCommand):
    help = "Move the grassroots ballots waiting in the inbox (of one quarter, or all) into the ballot tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quarter", nargs="?", default="", help="the quarter, YYYYQn; every quarter if omitted")
        add_programme_argument(parser)

    def handle(self, *args: Any, quarter: str, programme: str, **options: Any) -> None:
        found = None
        if quarter.strip():
            found = command_quarter(quarter, programme)
            if found is None:
                raise CommandError(_("Quarter %(code)s does not exist.") % {"code": quarter[:20]}, returncode=1)
        moved = inbox_flush(quarter=found)
        inbox_vacuum()
        self.stdout.write(
            ngettext("%(count)d waiting ballot stored.", "%(count)d waiting ballots stored.", moved) % {"count": moved}
        )
