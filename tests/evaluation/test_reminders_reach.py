"""Reminders go only to accounts that can log in: never to a disabled account or one without any way to log in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from departments.roles import Role
from departments.services import user_create
from evaluation.services.reminders import reminders_send

COUNTS = {
    "zh-hans": "账号无法登录的评价人（尚无密码或已停用）：1",
    "en": "Raters whose account cannot log in (no password yet, or disabled): 1.",
}


@pytest.fixture
def leaders(quarter):
    """One leader who can log in, one imported without a password, one disabled; all with an address."""
    made = {
        "ready": user_create(username="leader_ok", full_name="A", roles=[Role.LEADER], password="p-123456"),
        "no_password": user_create(username="leader_new", full_name="B", roles=[Role.LEADER]),
        "disabled": user_create(username="leader_gone", full_name="C", roles=[Role.LEADER], password="p-123456"),
    }
    for user in made.values():
        user.email = f"{user.username}@example.com"
        user.is_active = user.username != "leader_gone"
        user.save()
    return made


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_reminds_only_accounts_that_can_log_in(leaders, quarter, evaluator) -> None:
    result = reminders_send(quarter=quarter, actor=evaluator, link="https://example.com/")
    assert recipients() == ["leader_ok@example.com"]
    assert (result.sent, result.cannot_log_in) == (1, 1)
    assert AuditEntry.objects.get(action=AuditAction.REMINDER_SENT).details["cannot_log_in"] == 1


def test_a_directory_login_lets_an_account_without_a_password_be_reminded(
    leaders, quarter, evaluator, settings
) -> None:
    # Only the setting is read: a second backend means a password is not the only way in.
    settings.AUTHENTICATION_BACKENDS = ["departments.directory.DirectoryBackend", *settings.AUTHENTICATION_BACKENDS]
    reminders_send(quarter=quarter, actor=evaluator, link="https://example.com/")
    assert recipients() == ["leader_new@example.com", "leader_ok@example.com"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_console_reports_who_cannot_log_in(leaders, quarter, client_for, evaluator, language) -> None:
    client = client_for(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("evaluation:remind", args=[quarter.code]), follow=True)
    assert COUNTS[language] in response.content.decode()
    assert recipients() == ["leader_ok@example.com"]
