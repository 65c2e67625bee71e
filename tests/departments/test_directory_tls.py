"""StartTLS to the directory: the server's certificate is checked against LDAP_CA_FILE."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import User
from tests.departments.directory_server import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client: Client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_a_directory_account_logs_in_over_start_tls(client: Client, org, use_directory, directory_server) -> None:
    use_directory(LDAP_START_TLS="1", LDAP_CA_FILE=str(directory_server.ca_file))
    assert log_in(client, "li.na").status_code == 302
    assert User.objects.filter(username="li.na").exists()


def test_a_certificate_the_site_does_not_trust_is_refused(client: Client, org, use_directory, english) -> None:
    use_directory(LDAP_START_TLS="1")
    response = log_in(client, "li.na")
    assert response.status_code == 200
    assert "Directory accounts cannot log in just now" in response.content.decode()
    assert not User.objects.filter(username="li.na").exists()
