"""The health page answers anyone with "ok", without a database query, and only to GET."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_it_answers_ok_to_anyone_without_a_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = Client().get(reverse("evaluation:health"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_it_refuses_post() -> None:
    response = Client(enforce_csrf_checks=False).post(reverse("evaluation:health"))

    assert response.status_code == 405
