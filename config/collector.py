"""Python's cyclic garbage collector, tuned for this application's work.

Scoring a quarter or importing a workbook builds hundreds of thousands of small containers
(tuples, dicts, result rows), almost none of them part of a reference cycle: reference counting frees them.
With Python's default first threshold (700 allocations) the collector still runs dozens of times for each
of those, and every few runs it walks every object the process holds. `tune_collector` runs once, when the
apps are ready:

- the objects made while starting (modules, models, settings: tens of thousands) are moved out of the
  collector's view (`gc.freeze`), as they live as long as the process;
- the first generation is collected after `GC_THRESHOLD` allocations instead of 700, so cycles are still
  collected, in fewer and larger rounds.

bench/README.md gives what it saves (the Benxi-scale import, the 247-branch scoring).
"""

from __future__ import annotations

import gc

from django.conf import settings


def tune_collector() -> None:
    """Freeze the objects made so far and raise the first generation's threshold to `settings.GC_THRESHOLD`
    (0 leaves Python's collector as it is)."""
    threshold = settings.GC_THRESHOLD
    if not threshold:
        return
    gc.freeze()
    _first, second, third = gc.get_threshold()
    gc.set_threshold(threshold, second, third)
