"""Every place the code cites docs/*.md points at something those pages hold: the page, a quoted section, a rule."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEARCHED = ("audit", "config", "departments", "evaluation", "templates", "tests", "scripts", "bench")
SUFFIXES = {".py", ".html", ".md", ".txt", ".js"}
# `docs/scoring.md, "Which ballots count"` or `docs/design.md ("Demo data")`.
SECTION = re.compile(r"docs/(\w+\.md)(?:, | \()\"([^\"\n]{1,80})\"")
RULE = re.compile(r"docs/scoring\.md,? rules? (\d+)(?:[–-](\d+))?")
EXAMPLE = re.compile(r"docs/scoring\.md,? examples? (\d+)(?: and (\d+))?")
PAGE = re.compile(r"docs/(\w+\.md)")


def cited_files() -> list[Path]:
    files = []
    for folder in SEARCHED:
        files += [path for path in (ROOT / folder).rglob("*") if path.suffix in SUFFIXES and path.is_file()]
    return [*files, ROOT / "README.md"]


def citations(pattern: re.Pattern[str]) -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for path in cited_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        # Comments wrap: a citation may continue on the next line after a comment marker.
        text = re.sub(r"\s*\n\s*(?:#\s*)?", " ", text)
        found += [(str(path.relative_to(ROOT)), match.groups()) for match in pattern.finditer(text)]
    return found


def headings(page: str) -> set[str]:
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    return {line.lstrip("#").strip() for line in lines if line.startswith("#")}


def test_it_finds_the_citations_it_checks() -> None:
    assert len(citations(PAGE)) > 30
    assert len(citations(SECTION)) > 10


def test_every_cited_page_exists() -> None:
    missing = {(where, page) for where, (page,) in citations(PAGE) if not (DOCS / page).is_file()}
    assert not missing


def test_every_quoted_section_is_a_heading_of_its_page() -> None:
    missing = {
        (where, page, section)
        for where, (page, section) in citations(SECTION)
        if (DOCS / page).is_file() and section not in headings(page)
    }
    assert not missing


def test_every_cited_rule_and_example_has_its_heading() -> None:
    titles = " | ".join(headings("scoring.md"))
    numbers = {("Rule", n) for _where, groups in citations(RULE) for n in groups if n}
    numbers |= {("Example", n) for _where, groups in citations(EXAMPLE) for n in groups if n}
    missing = {(kind, n) for kind, n in numbers if not re.search(rf"\b{kind} {n}:", titles)}
    assert numbers and not missing
