"""Shared fixtures: a small organisation, one account per role, and an open quarter.

Personas follow the roles of docs/design.md. `client_for(user)` logs a fresh client in.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation

from departments.models import Unit, UnitKind, User
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Quarter

DEMO_PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: kept results are keyed by primary keys, which a new test reuses."""
    cache.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, with the reason shown, what this machine cannot run."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    has_browser = bool(os.environ.get("CHROMIUM_PATH") or shutil.which("chromium"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (make test-postgres)"))
        if "browser" in item.keywords and not has_browser:
            item.add_marker(pytest.mark.skip(reason="needs Chromium: apt-get install chromium (make test-browser)"))


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def org(db) -> dict[str, Unit]:
    """Three evaluated departments, one affiliated unit, two grassroots units."""
    units = [
        Unit(code="OPS", name="运营改善部", kind=UnitKind.FUNCTIONAL, order=1),
        Unit(code="EQP", name="设备部", kind=UnitKind.FUNCTIONAL, order=2),
        Unit(code="AUD", name="审计部", kind=UnitKind.FUNCTIONAL, order=3),
        Unit(code="RET", name="退管中心", kind=UnitKind.AFFILIATED, order=10),
        Unit(code="HRM", name="板材热连轧厂", kind=UnitKind.GRASSROOTS, order=20),
        Unit(code="NFM", name="矿业南芬露天矿", kind=UnitKind.GRASSROOTS, order=21),
    ]
    Unit.objects.bulk_create(units)
    return {unit.code: unit for unit in Unit.objects.all()}


def _persona(username: str, role: Role, unit: Unit | None = None) -> User:
    return user_create(username=username, full_name=username.title(), roles=[role], unit=unit, password=DEMO_PASSWORD)


@pytest.fixture
def admin_user(org) -> User:
    return _persona("admin1", Role.ADMIN)


@pytest.fixture
def evaluator(org) -> User:
    return _persona("evaluator1", Role.EVALUATOR)


@pytest.fixture
def leader(org) -> User:
    return _persona("leader1", Role.LEADER)


@pytest.fixture
def rep(org) -> User:
    """The representative of 运营改善部 (OPS)."""
    return _persona("rep_ops", Role.DEPARTMENT_REP, org["OPS"])


@pytest.fixture
def other_rep(org) -> User:
    """The representative of 设备部 (EQP)."""
    return _persona("rep_eqp", Role.DEPARTMENT_REP, org["EQP"])


@pytest.fixture
def grassroots_rater(org) -> User:
    return _persona("worker_hrm", Role.GRASSROOTS_RATER, org["HRM"])


@pytest.fixture
def viewer(org) -> User:
    return _persona("viewer1", Role.VIEWER)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def quarter(org) -> Quarter:
    """2026Q3, open, default criteria (efficiency, quality, service) and levels."""
    from evaluation.models import QuarterStatus
    from evaluation.services.quarters import quarter_create

    created = quarter_create(code="2026Q3")
    created.status = QuarterStatus.OPEN
    created.save(update_fields=["status"])
    return created


@pytest.fixture
def english(settings) -> None:
    """Run a test in English: its assertions read the English messages (msgids)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
