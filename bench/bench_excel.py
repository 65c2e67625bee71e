"""Benchmark the quarter workbook import and the results workbook export at Benxi scale.

Generates (seeded) an organisation and a quarter workbook (bench/workbook_gen.py), creates a
fresh database, imports the organisation, then runs `import_quarter` and `export_quarter`
each in a child process, reporting wall time and the child's peak resident memory.

    python bench/bench_excel.py                                          # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/excel_bench python bench/bench_excel.py

On PostgreSQL the database named in DATABASE_URL is dropped and re-created.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


def _memory_kb(field: str) -> int:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), in KB.

    Linux's `ru_maxrss` of a child started by a larger parent begins at the parent's size, so a child that
    stays smaller than its parent would report the parent's; /proc/self/status counts this process only.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(step: str, database_url: str, argument: str) -> None:
    """Run one command in this (child) process and print its time and peak memory as JSON."""
    import django
    from django.core.management import call_command

    django.setup()
    baseline = _memory_kb("VmRSS")
    cpu = time.process_time()
    start = time.perf_counter()
    if step == "import":
        call_command("import_quarter", argument, stdout=io.StringIO())
    else:
        call_command("export_quarter", "2026Q3", "--output", argument, stdout=io.StringIO())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _memory_kb("VmHWM")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1024, "baseline_mb": baseline / 1024}))


def _run_child(step: str, database_url: str, argument: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, argument],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_database(database_url: str) -> None:
    """Create the schema from the models (as the test suite does, without migrations)."""
    os.environ["DATABASE_URL"] = database_url
    import django
    from django.conf import settings

    settings.DATABASES["default"]["TEST"] = {"MIGRATE": False, "NAME": settings.DATABASES["default"]["NAME"]}
    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-excel-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    start = time.perf_counter()
    # In its own process: a child's peak memory (maxrss) starts from its parent's, so the parent stays small.
    made = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "workbook_gen.py"), str(workdir)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = int(made.stdout.split()[0])
    org = workdir / "org-benxi.xlsx"
    generated = time.perf_counter() - start
    _fresh_database(database_url)
    from django.core.management import call_command

    call_command("import_org", str(org), stdout=io.StringIO())
    from django.db import connection

    connection.close()
    imported = _run_child("import", database_url, str(workdir / "quarter-benxi.xlsx"))
    exported = _run_child("export", database_url, str(workdir / "results-benxi.xlsx"))
    from evaluation.models import Ballot, BallotValue

    ballots, values = Ballot.objects.count(), BallotValue.objects.count()
    size_in = (workdir / "quarter-benxi.xlsx").stat().st_size / 1e6
    size_out = (workdir / "results-benxi.xlsx").stat().st_size / 1e6
    print(f"Benxi scale on {backend}: {ballots:,} ballots, {values:,} values, {rows:,} ballot rows")
    print(f"(workbook generated in {generated:.1f} s; peak memory is the child process's own peak RSS, VmHWM)\n")
    print("| backend | step | wall (s) | CPU (s) | peak memory (MB) | of which Django at start (MB) | file (MB) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for step, numbers, size in (("import_quarter", imported, size_in), ("export_quarter", exported, size_out)):
        print(
            f"| {backend} | {step} | {numbers['seconds']:.1f} | {numbers['cpu']:.1f} | {numbers['peak_mb']:.0f} "
            f"| {numbers['baseline_mb']:.0f} | {size:.1f} |"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], os.environ["DATABASE_URL"], sys.argv[3])
    else:
        main()
