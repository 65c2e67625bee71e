"""The audit log across quarters, for the evaluation group and the admins, filtered by who, action and quarter."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

STATUS_CHANGED = {"zh-hans": "变更状态", "en": "Status changed"}


@pytest.fixture
def history(quarter, evaluator, admin_user):
    """The evaluator creates 2026Q4; the admin closes 2026Q3 (opened by the fixture)."""
    later = quarter_create(code="2026Q4", actor=evaluator)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=admin_user, reason="投票结束")
    return {"later": later}


def listed(response) -> list[AuditEntry]:
    return list(response.context["page"].object_list)


@pytest.mark.parametrize("persona", ["evaluator", "admin_user"])
def test_it_lists_every_quarter_newest_first(request, client_for, history, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("evaluation:audit_log"))
    assert response.status_code == 200
    entries = listed(response)
    assert entries == list(AuditEntry.objects.order_by("-at", "-id"))
    assert {entry.quarter.code for entry in entries if entry.quarter} >= {"2026Q3", "2026Q4"}


def test_it_filters_by_who_action_and_quarter(client_for, evaluator, admin_user, history, quarter):
    client = client_for(evaluator)
    by_who = listed(client.get(reverse("evaluation:audit_log"), {"who": evaluator.username}))
    assert by_who and all(entry.actor == evaluator for entry in by_who)
    by_action = listed(client.get(reverse("evaluation:audit_log"), {"action": AuditAction.STATUS_CHANGED}))
    assert [entry.actor for entry in by_action] == [admin_user]
    by_quarter = listed(client.get(reverse("evaluation:audit_log"), {"quarter": "2026Q4"}))
    assert by_quarter and all(entry.quarter == history["later"] for entry in by_quarter)
    together = {"who": admin_user.username, "action": AuditAction.STATUS_CHANGED, "quarter": "2026Q4"}
    assert listed(client.get(reverse("evaluation:audit_log"), together)) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_speaks_the_readers_language(client_for, evaluator, history, language):
    client = client_for(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("evaluation:audit_log"), {"action": AuditAction.STATUS_CHANGED}).content.decode()
    assert STATUS_CHANGED[language] in page.split('id="audit-entries"')[1]
    assert "投票结束" in page


@pytest.mark.parametrize(
    "bad", [{"who": "nobody"}, {"action": "dropped_tables"}, {"quarter": "2026Q9"}, {"quarter": "2026\x00Q3"}]
)
def test_a_bad_filter_is_refused_with_a_message(client_for, evaluator, history, bad):
    response = client_for(evaluator).get(reverse("evaluation:audit_log"), bad)
    assert response.status_code == 400
    assert listed(response) == []
    assert response.context["form"].errors
