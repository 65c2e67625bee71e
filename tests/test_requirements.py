"""Dependencies earn their place: each is pinned, each runtime one is used, all the product imports is listed."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("audit", "config", "departments", "evaluation")
LOCAL = {*PRODUCT, "tests", "bench", "scripts", "manage"}
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-]+)==[0-9][\w.]*$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith(("#", "-r"))]


def pinned(name: str) -> set[str]:
    return {canonical(REQUIREMENT.match(line).group(1)) for line in requirement_lines(name)}


def modules_of(distribution: str) -> set[str]:
    return {
        module
        for module, owners in importlib.metadata.packages_distributions().items()
        if distribution in {canonical(owner) for owner in owners}
    }


def imported_modules(folders: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - LOCAL


def project_text() -> str:
    paths = [path for folder in (*PRODUCT, "bench") for path in (ROOT / folder).rglob("*.py")]
    paths += [ROOT / "Makefile", ROOT / "README.md"]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


def test_every_requirement_is_pinned_to_one_version() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        loose = [line for line in requirement_lines(name) if not REQUIREMENT.match(line)]
        assert not loose, name


def test_every_module_the_product_imports_is_a_listed_requirement() -> None:
    runtime = pinned("requirements.txt")
    distributions = importlib.metadata.packages_distributions()
    unlisted = {
        module
        for module in imported_modules(PRODUCT)
        if not {canonical(owner) for owner in distributions.get(module, [module])} & runtime
    }
    assert not unlisted


def test_every_runtime_requirement_is_used_by_name() -> None:
    text = project_text()
    unused = {
        distribution
        for distribution in pinned("requirements.txt")
        if not any(re.search(rf"\b{re.escape(module)}\b", text) for module in modules_of(distribution))
    }
    assert not unused
