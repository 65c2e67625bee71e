"""The Django admin shows quarters, adjustments, problems and the audit log, and changes none of them.

They change only through the application's pages and commands, which keep the lifecycle rules and the audit log.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from evaluation.models import Adjustment, Quarter, QuarterStatus
from evaluation.services.adjustments import adjustment_add
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def published(org, admin_user) -> Quarter:
    quarter = quarter_create(code="2026Q1")
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)
    adjustment_add(quarter=quarter, department=org["OPS"], points=Decimal("1.5"), reason="表彰", actor=admin_user)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    return quarter


def test_an_admin_can_look_at_a_quarter_but_the_page_offers_no_save(client, admin_user, published) -> None:
    client.force_login(admin_user)
    page = client.get(reverse("admin:evaluation_quarter_change", args=[published.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:evaluation_quarter_changelist")).status_code == 200


def test_an_admin_cannot_change_a_published_quarters_settings_through_the_admin(client, admin_user, published) -> None:
    client.force_login(admin_user)
    audit = AuditEntry.objects.count()
    response = client.post(
        reverse("admin:evaluation_quarter_change", args=[published.pk]),
        {"code": "2026Q1", "anonymity_k": 1, "weight_leadership": 60},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.anonymity_k, published.weight_leadership) == (3, 30)
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize(
    "name",
    ["admin:evaluation_quarter_add", "admin:evaluation_adjustment_add", "admin:evaluation_problem_add"],
)
def test_nothing_can_be_added_through_the_admin(client, admin_user, name) -> None:
    client.force_login(admin_user)
    assert client.get(reverse(name)).status_code == 403


def test_quarters_and_adjustments_cannot_be_deleted_through_the_admin(client, admin_user, published) -> None:
    client.force_login(admin_user)
    adjustment = Adjustment.objects.get()
    for name, pk in (
        ("admin:evaluation_quarter_delete", published.pk),
        ("admin:evaluation_adjustment_delete", adjustment.pk),
    ):
        assert client.post(reverse(name, args=[pk]), {"post": "yes"}).status_code == 403
    assert Quarter.objects.filter(pk=published.pk).exists()
    assert Adjustment.objects.filter(pk=adjustment.pk).exists()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("admin:evaluation_quarter_changelist", {"status__exact": "open\x00"}),
        ("admin:evaluation_quarter_changelist", {"code": "\x00"}),
        ("admin:audit_auditentry_changelist", {"action__exact": "\x00"}),
        ("admin:evaluation_problem_changelist", {"status__exact": "\x00"}),
        ("admin:evaluation_adjustment_changelist", {"quarter__id__exact": "\x00"}),
        ("admin:departments_unit_changelist", {"kind__exact": "\x00"}),
        ("admin:departments_user_changelist", {"unit__kind__exact": "\x00"}),
        ("admin:departments_user_changelist", {"q": "a\x00"}),
    ],
)
def test_a_list_filter_with_a_null_character_is_refused_as_a_bad_lookup(client, admin_user, published, name, query):
    # PostgreSQL refuses NUL in text: a server error before; now what the admin does with any bad lookup.
    client.force_login(admin_user)
    response = client.get(reverse(name), query)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(name)}?e=1"
