"""The quarter workbook (docs/workbooks.md, "Quarter workbook"): paper ballots and adjustments keyed in a spreadsheet.

`quarter_import` reads and checks the whole file first, collecting every problem
as `sheet, row, column: message`; only a file without any problem is applied, in
one transaction, with bulk inserts. Imported ballots and adjustments carry origin
`imported`, so `replace=True` can swap them for a new file while ballots entered
in the browser stay.

Readings of the contract: for an existing quarter, settings keys, levels or
criteria the file leaves out keep the quarter's values (the defaults apply only to
a new quarter); criterion columns of the ballots sheet may be headed by the
criterion's code or its name; rows that hold nothing but a target (as in the
template) are skipped.

Modules: `quarter` (the entry point), `settings`, `ballots`, `assignments` and
`adjustments` (one per sheet; `assignments` also reads the rater relations page's
upload), `checks` (against what is stored), `store` (writing), `common`.
"""

from evaluation.imports.common import QuarterImportResult
from evaluation.imports.quarter import group_issues_by_sheet, quarter_import

__all__ = ["QuarterImportResult", "group_issues_by_sheet", "quarter_import"]
