"""The organisation upload page refuses an address such as `not-an-email`, in the reader's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import User
from tests.departments.workbooks import PEOPLE, PEOPLE_HEADERS, UNIT_HEADERS, UNITS, xlsx_bytes

MESSAGE = {"zh-hans": "有效的 Email 地址", "en": "valid email address"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_address_that_is_no_address_is_refused(client_for, admin_user, language) -> None:
    people = [*PEOPLE, ["someone", "某人", None, "viewer", "not-an-email"]]
    data = xlsx_bytes({"departments": [UNIT_HEADERS, *UNITS], "people": [PEOPLE_HEADERS, *people]})
    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("departments:import"), {"file": SimpleUploadedFile("org.xlsx", data)})
    assert response.status_code == 400
    refused = [issue for issue in response.context["issues"] if issue.column == "email"]
    assert len(refused) == 1 and MESSAGE[language] in refused[0].message
    assert MESSAGE[language] in response.content.decode()
    assert not User.objects.filter(username="someone").exists()
